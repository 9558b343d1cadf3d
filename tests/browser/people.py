"""What a person does on the playground's page, as small steps the browser tests share.

Each step uses the page's accessible names (the box labelled "Message", the
select labelled "User", buttons by their text, messages as `article`s), so the
tests check those names too.
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain.glossary import Glossary

CHOICE = re.compile(r"^([A-D])\s+(.+)$")
TRAP_QUESTION = re.compile(r"^What is the common trap of (.+)\?$")


def send(page: Any, text: str) -> None:
    """Type in the message box and press Enter."""
    box = page.get_by_label("Message", exact=True)
    box.fill(text)
    box.press("Enter")


def be(page: Any, name: str) -> None:
    """Pick the person in the select labelled User."""
    select = page.get_by_label("User", exact=True)
    select.locator("option", has_text=name).first.wait_for(state="attached")  # once the page has loaded
    labels = select.locator("option").all_inner_texts()
    select.select_option(label=next(label for label in labels if label.split(" (")[0] == name))


def article(page: Any, text: str) -> Any:
    """The message (an element with role article) that shows `text`."""
    return page.get_by_role("article").filter(has_text=text)


def quiz_message(page: Any) -> Any:
    return article(page, "Term of the day").first


def right_letter(text: str, glossary: Glossary) -> str:
    """The right choice of the quiz shown in `text`, found as someone who knows the glossary would."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    choices = {m.group(1): m.group(2) for line in lines if (m := CHOICE.match(line))}
    trap = next((m for line in lines if (m := TRAP_QUESTION.match(line))), None)
    if trap is not None:
        term = glossary.get(trap.group(1))
        assert term is not None, trap.group(1)
        wanted = term.trap
    else:
        definition = lines[lines.index("Which term is this?") + 1]
        wanted = next(t.term for t in glossary.terms if t.definition == definition)
    return next(letter for letter, shown in choices.items() if wanted.startswith(shown.rstrip("…")))


def answer(page: Any, person: str, letter: str) -> None:
    be(page, person)
    quiz_message(page).get_by_role("button", name=letter, exact=True).click()

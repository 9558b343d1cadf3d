"""The playground in headless Chromium, doing what a person does: the issue's walk through the bot.

Every step goes through the page (the message box, the User select, buttons
by name, messages as articles); the page talks only to the stand-in for Slack,
which sends the real bot signed requests.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.glossary import Glossary, load_glossary
from bot.playground import Playground
from tests.browser.people import answer, article, be, quiz_message, right_letter, send
from tests.browser.support import NO_PLAYWRIGHT, open_page, start_playground
from tests.support.bot import GLOSSARY

sync_api = pytest.importorskip("playwright.sync_api", reason=NO_PLAYWRIGHT)
expect = sync_api.expect
expect.set_options(timeout=10_000)
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "playground.png"
PEOPLE = ("Ada", "Ben", "Chidi")


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(GLOSSARY)


def play_quiz(page: Any, glossary: Glossary) -> str:
    """Ada posts the quiz; Ada answers right, Ben and Chidi wrong; the count reaches 3. The right letter."""
    be(page, "Ada")
    send(page, "/quiz now")
    expect(article(page, "Posted a question here. It counts")).to_be_visible()
    quiz = quiz_message(page)
    expect(quiz).to_contain_text("0 answered")
    right = right_letter(quiz.inner_text(), glossary)
    wrong = next(letter for letter in "ABCD" if letter != right)
    answer(page, "Ada", right)
    expect(article(page, "Right!")).to_contain_text("Only visible to you")
    for person in ("Ben", "Chidi"):
        answer(page, person, wrong)
        expect(article(page, "Not quite")).to_contain_text(f"you picked {wrong}")
        expect(article(page, "Right!")).to_have_count(0)  # Ada's feedback is hers alone
    expect(quiz).to_contain_text("3 answered", timeout=15_000)
    return right


def test_define_drain_shows_the_definition_and_the_trap(page: Any, glossary: Glossary) -> None:
    drain = glossary.get("Drain")
    assert drain is not None
    send(page, "/define drain")
    card = article(page, drain.definition)
    expect(card).to_contain_text(f"Common trap: {drain.trap}")
    expect(card).to_contain_text("Only visible to you")
    expect(card.get_by_role("button", name="Share in channel")).to_be_visible()
    be(page, "Ben")
    expect(article(page, drain.definition)).to_have_count(0)  # an ephemeral answer is Ada's only


def test_define_draen_offers_the_right_term(page: Any, glossary: Glossary) -> None:
    send(page, "/define draen")
    expect(article(page, "Showing Drain for ‘draen’")).to_contain_text(glossary.get("Drain").definition)  # type: ignore[union-attr]
    send(page, "/define rout epok")
    offer = article(page, "Did you mean")
    offer.get_by_role("button", name="Route epoch", exact=True).click()
    epoch = glossary.get("Route epoch")
    assert epoch is not None
    expect(article(page, epoch.definition)).to_be_visible()
    expect(article(page, "Did you mean")).to_have_count(0)  # the card replaced the offer, in place


def test_explain_terms_from_a_messages_more_actions_menu(page: Any, glossary: Glossary) -> None:
    be(page, "Ben")
    send(page, "drain the old allocation before the cold deploy")
    message = article(page, "drain the old allocation")
    message.hover()
    message.get_by_role("button", name="More message actions").click()
    message.get_by_role("menuitem", name="Explain terms").click()
    answer = article(page, "3 glossary terms in this message")
    expect(answer).to_contain_text("Only visible to you")
    for name in ("Drain", "Allocation", "Cold deploy"):
        expect(answer).to_contain_text(glossary.get(name).definition)  # type: ignore[union-attr]
    be(page, "Ada")
    expect(article(page, "3 glossary terms in this message")).to_have_count(0)  # Ben's alone


def test_quiz_three_people_answer_and_the_reveal_follows_close_now(
    page: Any, glossary: Glossary, tmp_path: Path
) -> None:
    right = play_quiz(page, glossary)
    be(page, "Ada")
    expect(article(page, "Right!")).to_be_visible()
    page.screenshot(path=str(tmp_path / "playground.png"))
    if os.environ.get("UPDATE_SCREENSHOT"):
        shutil.copyfile(tmp_path / "playground.png", SCREENSHOT)
    page.get_by_role("button", name="Close the open quiz now").click()
    quiz = quiz_message(page)
    expect(quiz).to_contain_text("Term of the day (closed)")
    expect(quiz).to_contain_text(f"Answer: {right}")
    expect(quiz).to_contain_text("1 of 3 got it right (33%)")
    expect(quiz).to_contain_text("(edited)")
    expect(article(page, "Term of the day")).to_have_count(1)  # edited in place, not posted again
    expect(quiz.locator(".body").get_by_role("button")).to_have_count(0)  # the message menu aside


def test_leaderboard_ranks_them_right(page: Any, glossary: Glossary) -> None:
    play_quiz(page, glossary)
    be(page, "Ben")
    send(page, "/leaderboard")
    board = article(page, "Leaderboard · 23–29 Nov")
    expect(board).to_contain_text("1. @Ada: 1 point (1 answered)")
    text = board.inner_text()
    assert re.search(r"^2\. @Ben: 0 points \(1 answered\)$", text, re.M), text
    assert re.search(r"^2\. @Chidi: 0 points \(1 answered\)$", text, re.M), text
    expect(board).to_contain_text("Only visible to you")


def test_next_week_posts_the_weekly_results_and_a_fresh_board(page: Any, glossary: Glossary) -> None:
    play_quiz(page, glossary)
    page.get_by_role("button", name="Next week").click()
    results = article(page, "Weekly results · 23–29 Nov")
    expect(results).to_contain_text("1. Ada: 1 point (1 answered)")
    expect(results).to_contain_text("2 wrong answers")
    expect(results).not_to_contain_text("Only visible to you")
    expect(page.get_by_text("Mon 30 Nov 2026, 09:00 UTC")).to_be_visible()
    expect(quiz_message(page)).to_contain_text("(closed)")  # last week's quiz closed at the end of its day
    send(page, "/leaderboard")
    expect(article(page, "Leaderboard · 30 Nov – 6 Dec")).to_contain_text("No answers yet this week")


def test_home_shows_progress_and_a_practice_modal_opens_and_is_answered(
    page: Any, glossary: Glossary
) -> None:
    be(page, "Ada")
    send(page, "/quiz now")
    quiz = quiz_message(page)
    answer(page, "Ada", right_letter(quiz.inner_text(), glossary))
    expect(article(page, "Right!")).to_be_visible()
    page.get_by_role("button", name="Home", exact=True).click()
    home = page.get_by_role("region", name="Study Lab, Home tab")
    expect(home).to_contain_text("Your progress")
    expect(home).to_contain_text("Questions answered: 1")
    expect(home).to_contain_text("Accuracy: 100%")
    home.get_by_role("combobox").first.select_option(label="Allocation")  # a category menu of the glossary
    term = page.get_by_role("dialog", name="Glossary")
    expect(term).to_contain_text(glossary.get("Allocation").definition)  # type: ignore[union-attr]
    term.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    home.get_by_role("button", name="Practice", exact=True).click()
    dialog = page.get_by_role("dialog", name="Practice")
    expect(dialog).to_contain_text("Private practice")
    dialog.get_by_role("button", name="B", exact=True).click()
    expect(dialog).to_contain_text(re.compile(r"Right! B is correct|Not quite: you picked B"))
    expect(dialog).to_contain_text(re.compile(r"This term is now in box \d of 5"))
    dialog.get_by_role("button", name="Next", exact=True).click()
    expect(dialog).to_contain_text("Private practice")
    dialog.get_by_role("button", name="Done", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(home.get_by_role("button", name="Practice", exact=True)).to_be_focused()  # back where it opened


def hostile_glossary(tmp_path: Path) -> Path:
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    for term in data["terms"]:
        if term["term"] == "Drain":
            term["definition"] = (
                "Stops new work <script>alert(1)</script> and tells <!channel> it is *bold* & done."
            )
    path = tmp_path / "hostile.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_hostile_glossary_text_is_shown_as_text_and_no_script_runs(browser: Any, tmp_path: Path) -> None:
    running: Playground = start_playground(tmp_path, hostile_glossary(tmp_path))
    context, page, errors = open_page(browser, running.url)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        send(page, "/define drain")
        card = article(page, "Stops new work")
        expect(card).to_contain_text("<script>alert(1)</script> and tells <!channel> it is bold & done.")
        expect(card.locator("b", has_text="bold")).to_have_count(1)  # mrkdwn, as Slack shows it
        expect(page.locator("script")).to_have_count(1)  # only the page's own app.js
        expect(card.locator(".broadcast")).to_have_count(0)  # <!channel> pings nobody
        card.get_by_role("button", name="Share in channel").click()
        shared = page.get_by_role("article").filter(has_text="Shared by Ada")
        expect(shared).to_contain_text("<script>alert(1)</script>")
        page.wait_for_timeout(300)
        assert dialogs == []
        assert not errors, errors
    finally:
        context.close()
        running.close()


def test_only_the_admin_may_schedule_and_the_page_follows_the_channels_zone(page: Any) -> None:
    be(page, "Ben")
    send(page, "/quiz schedule 10:00 Europe/Berlin mon-fri")
    expect(article(page, "only the quiz admins")).to_contain_text("Only visible to you")
    be(page, "Ada")
    send(page, "/quiz schedule 10:00 Europe/Berlin mon-fri")
    expect(article(page, "Scheduled")).to_contain_text("Europe/Berlin")
    expect(page.get_by_text("Wed 25 Nov 2026, 09:00 Europe/Berlin")).to_be_visible()

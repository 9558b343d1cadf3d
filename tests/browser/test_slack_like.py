"""The playground behaves like Slack: a refused modal keeps what was typed, suggestions work out of
the box and their outcome reaches the author by direct message, changes scroll into view, emoji
are drawn (or named), and the workspace is named after the glossary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.playground import Playground
from tests.browser.people import answer, article, be, quiz_message, right_letter, send
from tests.browser.support import NO_PLAYWRIGHT, can_draw, open_page, start_playground
from tests.support.bot import GLOSSARY

sync_api = pytest.importorskip("playwright.sync_api", reason=NO_PLAYWRIGHT)
expect = sync_api.expect
expect.set_options(timeout=10_000)

DEFINITION = "Sending a small share of traffic to a new release before everyone gets it."
TRAP = "Thinking a quiet canary proves the release safe for every region."


def field(dialog: Any, label: str) -> Any:
    return dialog.get_by_label(label, exact=True)


def test_a_refused_suggestion_keeps_what_was_typed_and_the_corrected_one_is_filed_as_typed(
    page: Any, playground: Playground
) -> None:
    be(page, "Ben")
    send(page, "/define canary release")
    article(page, "No term matches").get_by_role("button", name="Suggest this term").click()
    dialog = page.get_by_role("dialog", name="Suggest a term")
    expect(field(dialog, "Term")).to_have_value("canary release")  # prefilled with what /define missed
    field(dialog, "Term").fill("Canary release")
    field(dialog, "Or a new category").fill("Releases")
    field(dialog, "Definition").fill(DEFINITION)
    dialog.get_by_role("button", name="Send for review").click()  # no trap: the app refuses that field
    expect(dialog.get_by_text("Required.")).to_be_visible()
    expect(field(dialog, "Term")).to_have_value("Canary release")  # not the prefilled text again
    expect(field(dialog, "Or a new category")).to_have_value("Releases")
    expect(field(dialog, "Definition")).to_have_value(DEFINITION)
    expect(field(dialog, "Common trap")).to_be_focused()  # the refused field, as Slack does
    field(dialog, "Common trap").fill(TRAP)
    dialog.get_by_role("button", name="Send for review").click()
    thanks = page.get_by_role("dialog", name="Sent for review")
    expect(thanks).to_contain_text("Your suggestion for Canary release went to the glossary's owners")
    ws = playground.runtime.workspace
    assert ws is not None
    [filed] = playground.runtime.storage.suggestions.pending(ws)
    assert (filed.fields.term, filed.fields.category, filed.fields.definition, filed.fields.trap) == (
        "Canary release",
        "Releases",
        DEFINITION,
        TRAP,
    )


def test_an_owner_approves_in_home_and_the_author_reads_it_in_direct_messages(page: Any) -> None:
    be(page, "Chidi")
    send(page, "/define canary release")
    article(page, "No term matches").get_by_role("button", name="Suggest this term").click()
    dialog = page.get_by_role("dialog", name="Suggest a term")
    field(dialog, "Or a new category").fill("Releases")
    field(dialog, "Definition").fill(DEFINITION)
    field(dialog, "Common trap").fill(TRAP)
    dialog.get_by_role("button", name="Send for review").click()
    page.get_by_role("dialog", name="Sent for review").get_by_role("button", name="Done").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    be(page, "Ada")  # the playground's glossary owner, with no review channel: her Home tab
    page.get_by_role("button", name="Home", exact=True).click()
    home = page.locator("#home")
    expect(home).to_contain_text("1 suggestion waiting for review below.")
    expect(home).to_contain_text("Chidi suggests a new term, canary release.")
    home.get_by_role("button", name="Approve").click()
    expect(home).to_contain_text("0 suggestions waiting for review.")

    be(page, "Chidi")
    direct = page.get_by_role("button", name="Study Lab, 1 unread")
    expect(direct).to_be_visible()
    direct.click()
    dms = page.get_by_role("log", name="Direct messages")
    expect(dms.get_by_role("article")).to_have_count(1)
    expect(dms.get_by_role("article")).to_contain_text(
        "Your suggestion for canary release was approved and is live in /define now."
    )
    expect(page.get_by_role("button", name="Study Lab", exact=True)).to_be_visible()  # read: no count
    be(page, "Ben")
    expect(dms).to_contain_text("Nothing yet")  # Chidi's messages are Chidi's
    page.get_by_role("button", name="# study-lab").click()
    send(page, "/define canary release")
    expect(article(page, DEFINITION)).to_be_visible()


def test_new_messages_and_the_reveal_come_into_view(page: Any, playground: Playground) -> None:
    glossary = playground.runtime.core.glossary(playground.runtime.workspace).glossary  # type: ignore[arg-type]
    be(page, "Ada")
    send(page, "/quiz now")
    quiz = quiz_message(page)
    expect(quiz).to_contain_text("0 answered")
    right = right_letter(quiz.inner_text(), glossary)
    answer(page, "Ada", right)
    for term in ("drain", "route epoch", "rpo vs rto", "drain", "route epoch"):
        send(page, f"/define {term}")
        latest = page.get_by_role("article").last
        expect(latest).to_contain_text("Only visible to you")
        expect(latest).to_be_in_viewport()  # each new message scrolls into view
    expect(quiz).not_to_be_in_viewport()
    page.get_by_role("button", name="Close the open quiz now").click()
    expect(quiz).to_contain_text("(closed)")
    expect(quiz).to_be_in_viewport()  # the reveal is seen where it happens
    drawable = can_draw(page, "\u2705")
    shown = quiz.inner_text()
    assert ("\u2705 Answer:" in shown) if drawable else (":white_check_mark: Answer:" in shown), shown
    assert "\u2705" not in shown or drawable  # never an empty box


def test_the_workspace_is_named_after_the_glossary(browser: Any, tmp_path: Path) -> None:
    glossary = tmp_path / "acme.yml"
    glossary.write_text(GLOSSARY.read_text().replace("title: Study Lab glossary", "title: Acme glossary"))
    running = start_playground(tmp_path, glossary)
    try:
        context, page, errors = open_page(browser, running.url)
        expect(page.get_by_role("navigation", name="Workspace")).to_contain_text("Acme")
        expect(page.locator("#workspace")).to_have_text("Acme")
        context.close()
        assert not errors, errors
    finally:
        running.close()

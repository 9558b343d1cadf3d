"""Honest rendering in headless Chromium: mrkdwn, menus, placeholders for what the page cannot draw,
and Slack's refusals shown rather than hidden.

Messages here are posted through the stand-in's Web API with the bot's own
token, as the bot would post them, so the page is tested on Block Kit the bot
does not happen to send today.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.playground import Playground
from bot.playground.seed import CHANNEL
from tests.browser.people import article, send
from tests.browser.support import NO_PLAYWRIGHT, can_draw, open_page, start_playground

sync_api = pytest.importorskip("playwright.sync_api", reason=NO_PLAYWRIGHT)
expect = sync_api.expect
expect.set_options(timeout=10_000)


def post_as_bot(playground: Playground, **message: Any) -> dict[str, Any]:
    request = urllib.request.Request(
        playground.slack.api_url + "chat.postMessage",
        data=json.dumps({"channel": CHANNEL, **message}).encode(),
        headers={
            "Authorization": f"Bearer {playground.settings.bot_token}",
            "Content-Type": "application/json; charset=utf-8",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


MRKDWN = (
    "*bold* _italics_ ~struck~ `code` :tada: <@U0BEN> <#C0PLAYGRND> <https://example.com/a?b=1&amp;c=2|a link> "
    "&lt;b&gt;not html&lt;/b&gt; snake_case_word\n>quoted line\n```\n*not bold* in code\n```"
)


def test_mrkdwn_is_rendered_as_slack_does(page: Any, playground: Playground) -> None:
    assert post_as_bot(
        playground, text="fallback", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": MRKDWN}}]
    )["ok"]
    message = article(page, "italics")
    expect(message.locator("b", has_text="bold")).to_have_count(1)
    expect(message.locator("i", has_text="italics")).to_have_count(1)
    expect(message.locator("s", has_text="struck")).to_have_count(1)
    expect(message.locator("code", has_text="code")).to_have_count(1)
    expect(message).to_contain_text("🎉" if can_draw(page, "🎉") else ":tada:")  # a name, never a box
    expect(message.locator(".mention")).to_have_text("@Ben")
    expect(message.locator(".channel-ref")).to_have_text("#study-lab")
    link = message.get_by_role("link", name="a link")
    expect(link).to_have_attribute("href", "https://example.com/a?b=1&c=2")
    expect(message).to_contain_text("<b>not html</b> snake_case_word")
    expect(message.locator("blockquote")).to_have_text("quoted line")
    expect(message.locator("pre")).to_have_text("*not bold* in code\n")
    expect(message.locator("b")).to_have_count(1)


def test_unknown_block_kit_shows_a_placeholder_naming_its_type(page: Any, playground: Playground) -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Pick a day"}},
        {"type": "actions", "elements": [{"type": "datepicker", "action_id": "day"}]},
        {"type": "image", "image_url": "https://example.com/x.png", "alt_text": "a chart"},
    ]
    assert post_as_bot(playground, text="x", blocks=blocks)["ok"]
    message = article(page, "Pick a day")
    expect(message.locator(".placeholder", has_text="datepicker")).to_have_count(1)
    expect(message.locator(".placeholder", has_text="image")).to_have_count(1)
    expect(message.locator("img")).to_have_count(0)


def test_invalid_blocks_are_refused_and_the_page_shows_the_refusal(page: Any, playground: Playground) -> None:
    answer = post_as_bot(playground, text="broken", blocks=[{"type": "section"}])
    assert answer == {"ok": False, "error": "invalid_blocks"}
    refusals = page.get_by_role("region", name="Refused by Slack")
    expect(refusals).to_contain_text("chat.postMessage: invalid_blocks")
    expect(refusals).to_contain_text("/blocks/0")
    expect(article(page, "broken")).to_have_count(0)  # nothing was posted


def test_overflow_and_static_select_reach_the_app(page: Any, playground: Playground) -> None:
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Menus here"},
            "accessory": {
                "type": "overflow",
                "action_id": "more",
                "options": [
                    {"text": {"type": "plain_text", "text": "Archive it"}, "value": "archive"},
                    {"text": {"type": "plain_text", "text": "Keep it"}, "value": "keep"},
                ],
            },
        },
    ]
    assert post_as_bot(playground, text="x", blocks=blocks)["ok"]
    message = article(page, "Menus here")
    message.get_by_role("button", name="More actions").click()
    message.get_by_role("menuitem", name="Archive it").click()
    # The bot has no listener for this action: Bolt answers 404, which Slack shows as a failure.
    expect(page.get_by_role("region", name="Refused by Slack")).to_contain_text("block_actions: HTTP 404")
    expect(page.get_by_role("status")).to_contain_text("The app did not answer (HTTP 404)")


def big_glossary(tmp_path: Path) -> Path:
    """Enough terms that the bot's category menus load their options as you type (external selects)."""
    terms = [
        {
            "term": f"Term {n:03d} {'alpha' if n % 2 else 'beta'}",
            "category": f"Category {n % 3}",
            "definition": f"Definition number {n}.",
            "trap": f"Trap number {n}.",
        }
        for n in range(150)
    ]
    path = tmp_path / "big.yml"
    path.write_text(yaml.safe_dump({"title": "Big glossary", "terms": terms}), encoding="utf-8")
    return path


def test_external_select_loads_options_as_you_type(browser: Any, tmp_path: Path) -> None:
    running = start_playground(tmp_path, big_glossary(tmp_path))
    context, page, errors = open_page(browser, running.url)
    try:
        send(page, "/define help")
        menu = article(page, "Big glossary").get_by_role("combobox").first
        menu.fill("042")
        option = page.get_by_role("option", name="Term 042 beta")
        option.click()
        card = article(page, "Definition number 42.")
        expect(card).to_contain_text("Trap number 42.")
        expect(article(page, "Big glossary")).to_have_count(0)  # the card replaced the menu, in place
        assert not errors, errors
    finally:
        context.close()
        running.close()

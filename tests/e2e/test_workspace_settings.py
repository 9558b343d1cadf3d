"""Each installed workspace has its own settings: with OAuth, the environment's single-workspace
settings (QUIZ_ADMINS, GLOSSARY_OWNERS, GLOSSARY_REVIEW_CHANNEL, QUIZ_CHANNEL) apply to none of
them (the start says so); a workspace's own Slack admins and owners, and whoever installed the app,
manage its quiz; it names its glossary owners and review channel with its own commands, and its
suggestions are posted only into its own channel.  On SQLite and PostgreSQL, over signed HTTP."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.standin import Identity, Person, SlackStandIn
from bot.standin.slack_requests import Actor, form_body, view_submission
from bot.views import suggestions as suggestion_views
from tests.support.bot import FakeClock, RunningBot

A_CHANNEL, B_CHANNEL, B_REVIEW = "C100", "C200", "C210"
SINGLE = {
    "QUIZ_ADMINS": "U0ENVADMIN",
    "GLOSSARY_OWNERS": "UANA",
    "GLOSSARY_REVIEW_CHANNEL": A_CHANNEL,
    "QUIZ_CHANNEL": A_CHANNEL,
}


@pytest.fixture
def app(fake: SlackStandIn, database_url: str, caplog: pytest.LogCaptureFixture) -> Iterator[RunningBot]:
    clock = FakeClock(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    fake.clock = lambda: clock().timestamp()
    for channel in (B_CHANNEL, B_REVIEW):
        fake.join(channel, team_id="T2")
    fake.state.add_person(Person("UB1", "Bea Admin", team_id="T2", is_admin=True))
    fake.state.add_person(Person("UB2", "Bo Member", team_id="T2"))
    fake.state.add_person(Person("UINSTALLER", "Ivo Installer", team_id="T2"))
    with caplog.at_level(logging.WARNING, logger="bot.runtime"):
        running = RunningBot.start(fake, database_url, clock=clock, oauth=True, **SINGLE)
    try:
        running.install(Identity("T1", team_name="Vango"))
        running.install(Identity("T2", team_name="Other", bot_id="BBOT2", bot_user_id="UBOT2"))
        yield running
    finally:
        running.close()


def test_the_start_says_the_single_workspace_settings_are_ignored(
    app: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    [line] = [r.getMessage() for r in caplog.get_records("setup") if r.name == "bot.runtime"]
    for name in SINGLE:
        assert name in line
    assert "ignored" in line and "/quiz owners" in line
    assert app.storage.schedules.active() == []  # QUIZ_CHANNEL made no schedule anywhere


def test_a_workspaces_own_admins_and_its_installer_manage_its_quiz(app: RunningBot) -> None:
    b = app.as_team("T2")
    assert "Posted a question" in b.say("/quiz", "now", user="UB1", channel=B_CHANNEL)  # counted
    assert "Scheduled" in b.say(
        "/quiz", "schedule 09:30 Europe/Berlin daily", user="UINSTALLER", channel=B_CHANNEL
    )
    assert "only the quiz admins" in b.say("/quiz", "zone Europe/Paris", user="UB2", channel=B_CHANNEL)
    # QUIZ_ADMINS names a plain member here: the environment's list is not this workspace's
    assert "only the quiz admins" in b.say("/quiz", "zone Europe/Paris", user="U0ENVADMIN", channel=B_CHANNEL)


def test_owners_and_review_channel_are_each_workspaces_own(app: RunningBot) -> None:
    a, b = app, app.as_team("T2")
    for sender, user, channel in ((a, "U100", A_CHANNEL), (b, "UB1", B_CHANNEL)):
        settings = sender.say("/quiz", "settings", user=user, channel=channel)
        assert "UANA" not in settings and "suggestions are off" in settings
    assert "Glossary owners: <@UB1>" in b.say("/quiz", "owners <@UB1|bea>", user="UB1", channel=B_CHANNEL)
    assert "Review channel: <#C210>" in b.say(
        "/quiz", "review <#C210|glossary>", user="UB1", channel=B_CHANNEL
    )
    assert "suggestions are off" in a.say("/quiz", "settings", user="U100", channel=A_CHANNEL)


def values(**fields: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, text in fields.items():
        block = suggestion_views.BLOCK_OF.get(name, name)
        if name == "category":
            picked = {"text": {"type": "plain_text", "text": text}, "value": text}
            found[block] = {suggestion_views.VALUE: {"type": "static_select", "selected_option": picked}}
        else:
            found[block] = {suggestion_views.VALUE: {"type": "plain_text_input", "value": text}}
    return found


def test_a_suggestion_is_posted_only_into_its_own_workspaces_review_channel(app: RunningBot) -> None:
    b = app.as_team("T2")
    b.say("/quiz", "owners <@UB1|bea>", user="UB1", channel=B_CHANNEL)
    b.say("/quiz", "review <#C210|glossary>", user="UB1", channel=B_CHANNEL)
    before = len(app.fake.calls_to("views.open"))
    assert (
        b.click(suggestion_views.SUGGEST_NEW, "canary", user="UB2", channel=B_CHANNEL, ephemeral=True).status
        == 200
    )
    modal = app.fake.wait_calls("views.open", before + 1)[-1].body["view"]
    modal = json.loads(modal) if isinstance(modal, str) else modal
    form = values(
        term="Canary release",
        category="Deploy",
        definition="Sending a small share of traffic to a new release before everyone gets it.",
        trap="Thinking a quiet canary proves the release safe for every region.",
    )
    payload = view_submission(Actor("UB2", "T2"), {**modal, "id": "VSUGGEST", "hash": "h1"}, form, "1.2.3")
    reply = b.post(form_body(payload), "application/x-www-form-urlencoded")
    assert reply.status == 200 and (reply.json() or {}).get("response_action") == "update", reply.body
    [review] = app.fake.wait_for(lambda: app.fake.posted(B_REVIEW))
    assert "Canary release" in json.dumps(review["blocks"])
    assert app.fake.posted(A_CHANNEL) == []
    [post] = [c for c in app.fake.calls_to("chat.postMessage") if c.body["channel"] == B_REVIEW]
    assert app.fake.state.tokens[post.token].team_id == "T2"

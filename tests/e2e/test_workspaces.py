"""Many workspaces from one deployment, end to end: installed through the real OAuth flow
(install page, state cookie, redirect, `oauth.v2.access` at the stand-in), each speaking with its
own token, kept strictly apart, stopped on uninstall or revocation, deleted after the retention."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.workspace import Workspace
from bot.standin import Identity, Person, SlackStandIn
from bot.standin.slack_requests import Actor, form_body, view_submission
from tests.support.bot import FakeClock, RunningBot
from tests.support.cli import run_bot

ROOT = Path(__file__).resolve().parents[2]
A, B = Workspace("T1"), Workspace("T2")
CHANNEL = "C100"  # Slack channel ids are unique across workspaces: each has its own
CHANNEL_B = "C200"
SLOT = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)  # Thursday 09:30 Berlin


def shown(blocks: object) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SLOT - timedelta(hours=1))


@pytest.fixture
def app(fake: SlackStandIn, start_bot: Callable[..., RunningBot], clock: FakeClock) -> RunningBot:
    fake.join(CHANNEL, team_id="T1")
    fake.join(CHANNEL_B, team_id="T2")
    fake.state.add_person(Person("UB1", "Bea Admin", team_id="T2", is_admin=True))
    running = start_bot(clock, claim_lease=timedelta(seconds=60), oauth=True)
    running.tokens = {  # type: ignore[attr-defined]
        "T1": running.install(Identity("T1", team_name="Vango")),
        "T2": running.install(Identity("T2", team_name="Other", bot_id="BBOT2", bot_user_id="UBOT2")),
    }
    return running


def both(app: RunningBot) -> tuple[RunningBot, object]:
    return app, app.as_team("T2")


def posts_by_token(fake: SlackStandIn) -> dict[str, str]:
    return {c.body["channel"]: c.token for c in fake.calls_to("chat.postMessage")}


def test_two_workspaces_install_and_post_with_their_own_tokens(app: RunningBot) -> None:
    a, b = both(app)
    assert sorted(app.storage.workspaces.all()) == [A, B]
    assert "Posted a question" in a.say("/quiz", "now", channel=CHANNEL)
    assert "Posted a question" in b.say("/quiz", "now", user="UB1", channel=CHANNEL_B)
    assert posts_by_token(app.fake) == {CHANNEL: app.tokens["T1"], CHANNEL_B: app.tokens["T2"]}  # type: ignore[attr-defined]


def test_answers_and_boards_are_kept_apart(app: RunningBot) -> None:
    a, b = both(app)
    a.say("/quiz", "now", channel=CHANNEL)
    b.say("/quiz", "now", user="UB1", channel=CHANNEL_B)
    quiz_a = app.fake.posted(CHANNEL)[0]["metadata"]["event_payload"]["quiz_id"]
    quiz_b = app.fake.posted(CHANNEL_B)[0]["metadata"]["event_payload"]["quiz_id"]
    # the same user id in both workspaces (Grid ids span workspaces) is two people here
    for sender, quiz_id, channel in ((a, quiz_a, CHANNEL), (b, quiz_b, CHANNEL_B)):
        before = len(app.fake.responses)
        assert sender.click("quiz_answer_0", f"{quiz_id}:0", user="USAME", channel=channel).status == 200
        app.fake.wait_responses(before + 1)
    assert app.storage.answers.of_user(A, quiz_a, "USAME") == 0
    assert app.storage.answers.of_user(B, quiz_b, "USAME") == 0
    assert app.storage.answers.progress(A, "USAME").answered == 1
    assert app.storage.answers.progress(B, "USAME").answered == 1
    board_a = shown(a.command("/leaderboard", user="USAME", channel=CHANNEL).json()["blocks"])
    assert "(1 answered)" in board_a


def test_a_forged_click_naming_another_workspaces_quiz_is_refused(app: RunningBot) -> None:
    a, b = both(app)
    a.say("/quiz", "now", channel=CHANNEL)
    quiz_a = app.fake.posted(CHANNEL)[0]["metadata"]["event_payload"]["quiz_id"]
    before = len(app.fake.responses)
    assert b.click("quiz_answer_0", f"{quiz_a}:0", user="UB1", channel=CHANNEL_B).status == 200
    [reply] = app.fake.wait_responses(before + 1)[before:]
    assert "can't find that quiz" in shown(reply.body)
    assert app.storage.answers.tally(quiz_a) == (0, 0)
    # nor can workspace B read or change workspace A's schedule of a channel it names
    assert "Scheduled" in a.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
    assert "No term of the day here yet" in b.say("/quiz", "status", user="UB1", channel=CHANNEL)


def test_uninstalling_one_workspace_stops_it_and_the_other_goes_on(app: RunningBot, clock: FakeClock) -> None:
    a, b = both(app)
    assert "Scheduled" in a.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
    assert "Scheduled" in b.say("/quiz", "schedule 09:30 Europe/Berlin daily", user="UB1", channel=CHANNEL_B)
    jobs = app.runtime.jobs
    jobs.sync()
    assert {j.id for j in jobs.scheduler.get_jobs()} >= {"quiz:-:T1:C100", "quiz:-:T2:C200"}
    reply = b.event({"type": "app_uninstalled"}, event_id="EvUninstall")
    assert reply.status == 200
    app.after_ack_done()
    assert {j.id for j in jobs.scheduler.get_jobs()} == {"quiz:-:T1:C100", "results:-:T1:C100"}
    clock.set(SLOT)
    app.recover()  # the due-slot recovery runs every active schedule
    assert len(app.fake.posted(CHANNEL)) == 1 and app.fake.posted(CHANNEL_B) == []
    # its installation is gone: requests from it are no longer authorised, nor answered
    refused = b.command("/define", "drain", user="UB1")
    assert "no-new-work" not in refused.body
    assert app.storage.stats.top_terms(B, clock().replace(year=2000)) == []


def test_slack_saying_the_token_is_gone_stops_the_workspace(app: RunningBot, clock: FakeClock) -> None:
    a, b = both(app)
    b.say("/quiz", "schedule 09:30 Europe/Berlin daily", user="UB1", channel=CHANNEL_B)
    app.fake.state.tokens[app.tokens["T2"]].revoked = True  # type: ignore[attr-defined]
    clock.set(SLOT)
    app.services.posting.run_slot(B, CHANNEL_B)  # chat.postMessage: invalid_auth
    record = app.storage.workspaces.get(B)
    assert record is not None and not record.active
    assert [s.workspace for s in app.storage.schedules.active()] == []
    a.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
    assert [s.workspace for s in app.storage.schedules.active()] == [A]


def test_data_is_deleted_after_the_retention_once(app: RunningBot, clock: FakeClock) -> None:
    a, b = both(app)
    b.say("/quiz", "now", user="UB1", channel=CHANNEL_B)
    a.say("/quiz", "now", channel=CHANNEL)
    b.event({"type": "app_uninstalled"}, event_id="EvGone")
    app.after_ack_done()
    lifecycle = app.services.workspaces
    clock.set(clock() + timedelta(days=29))
    assert lifecycle.purge_due() == 0  # DATA_RETENTION_DAYS: 30 by default
    clock.set(clock() + timedelta(days=2))
    assert lifecycle.purge_due() == 1
    assert lifecycle.purge_due() == 0
    assert app.storage.workspaces.all() == [A]
    assert app.storage.quizzes.open_in(B, CHANNEL_B) == []
    assert len(app.storage.quizzes.open_in(A, CHANNEL)) == 1


def test_reinstalling_within_the_retention_keeps_everything(app: RunningBot) -> None:
    a, b = both(app)
    b.say("/quiz", "schedule 09:30 Europe/Berlin daily", user="UB1", channel=CHANNEL_B)
    b.event({"type": "app_uninstalled"}, event_id="EvBye")
    app.after_ack_done()
    assert app.storage.schedules.active() == []
    app.install(Identity("T2", team_name="Other", bot_id="BBOT2", bot_user_id="UBOT2"))
    assert [s.workspace for s in app.storage.schedules.active()] == [B]


def test_token_rotation_is_used_for_scheduled_posts(
    fake: SlackStandIn, sqlite_url: str, clock: FakeClock
) -> None:
    fake.clock = lambda: clock().timestamp()
    fake.join(CHANNEL)
    bot = RunningBot.start(fake, sqlite_url, clock=clock, oauth=True)
    try:
        expiring = Identity("T1", refresh_token="xoxe-1-refresh", expires_at=clock().timestamp() + 600)
        first = bot.install(expiring)
        assert "Scheduled" in bot.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
        clock.set(SLOT)
        bot.run_slot(CHANNEL)
        [post] = fake.calls_to("chat.postMessage")
        assert post.token != first and post.token.startswith("xoxe.xoxb-")  # rotated before posting
        assert any(c.body.get("grant_type") == "refresh_token" for c in fake.calls_to("oauth.v2.access"))
    finally:
        bot.close()


def test_forget_workspace_from_the_terminal(app: RunningBot, sqlite_url: str) -> None:
    b = app.as_team("T2")
    b.say("/quiz", "now", user="UB1", channel=CHANNEL_B)
    out = run_bot("forget-workspace", "T2", env={"DATABASE_URL": sqlite_url})
    assert out.returncode == 0, out.stderr
    assert "Deleted everything kept for workspace T2" in out.stdout
    assert app.storage.workspaces.all() == [A]
    assert app.runtime.services.workspaces.installations is not None
    assert app.runtime.services.workspaces.installations.find_bot(enterprise_id=None, team_id="T2") is None
    assert (
        app.runtime.services.workspaces.installations.find_bot(enterprise_id=None, team_id="T1") is not None
    )


def test_each_workspace_keeps_its_own_settings(app: RunningBot) -> None:
    a, b = both(app)
    assert "Default time zone: Asia/Tokyo" in a.say("/quiz", "zone asia/tokyo", channel=CHANNEL)
    assert "Glossary owners: <@UANA>" in a.say("/quiz", "owners <@UANA|ana>", channel=CHANNEL)
    assert "Review channel: <#C100>" in a.say("/quiz", "review <#C100|glossary>", channel=CHANNEL)
    assert "only the quiz admins" in b.say("/quiz", "zone Europe/Paris", user="UNOBODY", channel=CHANNEL_B)
    settings_b = b.say("/quiz", "settings", user="UB1", channel=CHANNEL_B)
    assert "Default time zone: UTC" in settings_b and "suggestions are off" in settings_b
    # a schedule without a zone takes its workspace's default
    assert "09:30 Asia/Tokyo" in a.say("/quiz", "schedule 09:30 daily", channel=CHANNEL)
    assert "09:30 UTC" in b.say("/quiz", "schedule 09:30 daily", user="UB1", channel=CHANNEL_B)


def test_a_suggestion_of_one_workspace_cannot_be_decided_from_another(app: RunningBot) -> None:
    a, b = both(app)
    a.say("/quiz", "owners <@UANA|ana>", channel=CHANNEL)
    b.say("/quiz", "owners <@UB1|bea>", user="UB1", channel=CHANNEL_B)
    modal_call = len(app.fake.calls_to("views.open"))
    a.click("suggest_new", "canary", user="U5", channel=CHANNEL, ephemeral=True)
    view = app.fake.wait_calls("views.open", modal_call + 1)[-1].body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    values = {
        block: {"value": {"type": "plain_text_input", "value": text}}
        for block, text in {
            "sg_term": "Canary release",
            "sg_new_category": "Deploy",
            "sg_definition": "A small first share of traffic.",
            "sg_trap": "Thinking it proves safety.",
        }.items()
    }
    payload = view_submission(Actor("U5", "T1"), {**view, "id": "V1", "hash": "h"}, values, "1.2.3")
    assert (
        a.post(form_body(payload), "application/x-www-form-urlencoded").json()["response_action"] == "update"
    )
    [pending] = app.storage.suggestions.pending(A)
    before = len(app.fake.responses)
    assert b.click("review_approve", str(pending.id), user="UB1", channel=CHANNEL_B).status == 200
    [said] = app.fake.wait_responses(before + 1)[before:]
    assert "can't find that suggestion" in said.body["text"]
    assert app.storage.suggestions.count_pending(A) == 1 and app.storage.overlay.history(A) == []
    assert app.runtime.core.glossary(B).glossary.get("Canary release") is None


def test_a_retried_uninstall_older_than_a_reinstall_changes_nothing(
    app: RunningBot, clock: FakeClock
) -> None:
    b = app.as_team("T2")
    b.say("/quiz", "schedule 09:30 Europe/Berlin daily", user="UB1", channel=CHANNEL_B)
    uninstalled_at = clock()
    b.event({"type": "app_uninstalled"}, event_id="EvFirst")
    app.after_ack_done()
    clock.set(uninstalled_at + timedelta(minutes=1))
    app.install(Identity("T2", team_name="Other", bot_id="BBOT2", bot_user_id="UBOT2"))
    clock.set(uninstalled_at)  # Slack delivers the same event again, late: it happened before the reinstall
    b.event({"type": "app_uninstalled"}, event_id="EvFirst")
    app.after_ack_done()
    record = app.storage.workspaces.get(B)
    assert record is not None and record.active
    assert [s.workspace for s in app.storage.schedules.active()] == [B]


def test_a_token_kept_from_before_a_reinstall_does_not_stop_the_workspace(
    app: RunningBot, fake: SlackStandIn, sqlite_url: str, clock: FakeClock
) -> None:
    """Another copy of the bot still holds the old token when the workspace reinstalls: its next
    call is refused, the current token is asked instead, and nothing is stopped or deleted."""
    other = RunningBot.start(fake, sqlite_url, clock=clock, oauth=True)
    try:
        b = app.as_team("T2")
        b.say("/quiz", "schedule 09:30 Europe/Berlin daily", user="UB1", channel=CHANNEL_B)
        old_client = other.runtime.core.client(B)  # the other copy caches the workspace's client
        fake.state.tokens[old_client.token].revoked = True  # type: ignore[index]
        app.install(Identity("T2", team_name="Other", bot_id="BBOT2", bot_user_id="UBOT2"))
        clock.set(SLOT)
        other.services.posting.run_slot(B, CHANNEL_B)  # refused: the old token
        record = app.storage.workspaces.get(B)
        assert record is not None and record.active
        assert app.runtime.services.workspaces.installations is not None
        assert (
            app.runtime.services.workspaces.installations.find_bot(enterprise_id=None, team_id="T2")
            is not None
        )
        clock.set(SLOT + timedelta(minutes=2))  # past the claim's lease
        other.services.posting.recover()  # the slot is posted, with the current token
        assert [c.token for c in fake.calls_to("chat.postMessage")][-1] != old_client.token
        assert len(fake.posted(CHANNEL_B)) == 1
    finally:
        other.close()

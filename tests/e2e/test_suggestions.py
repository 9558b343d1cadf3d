"""Growing the glossary from Slack, end to end: a `/define` miss suggests a term, the modal checks
it inline, owners approve or reject in the review channel (or their Home tab), approved terms are
live at once, the author hears the decision, and `export --format yaml` writes it back to a file."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.standin import Person, SlackStandIn
from bot.standin.slack_requests import Actor, form_body, view_submission
from bot.views import ids
from bot.views import suggestions as suggestion_views
from tests.support.bot import GLOSSARY, RunningBot
from tests.support.cli import run_bot

ROOT = Path(__file__).resolve().parents[2]
REVIEW = "C300"
OWNER = "UOWN1"
AUTHOR = "U5"
FORM = "application/x-www-form-urlencoded"


def shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture
def glossary_file(tmp_path: Path) -> Path:
    path = tmp_path / "glossary.yml"
    shutil.copy(GLOSSARY, path)
    return path


@pytest.fixture
def sbot(fake: SlackStandIn, sqlite_url: str, glossary_file: Path) -> Iterator[RunningBot]:
    fake.state.add_person(Person(OWNER, "Olga Owner"))
    fake.state.add_person(Person(AUTHOR, "Ada <!channel> Author"))
    running = RunningBot.start(
        fake,
        sqlite_url,
        GLOSSARY_OWNERS=OWNER,
        GLOSSARY_REVIEW_CHANNEL=REVIEW,
        GLOSSARY_PATH=str(glossary_file),
    )
    yield running
    running.close()


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {}
    for block in blocks:
        for element in [*block.get("elements", []), *([block["accessory"]] if "accessory" in block else [])]:
            if element.get("type") == "button":
                found[element["text"]["text"]] = element
    return found


def open_modal(bot: RunningBot, action_id: str, value: str, user: str = AUTHOR) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    assert bot.click(action_id, value, user=user, ephemeral=True).status == 200
    call = bot.fake.wait_calls("views.open", before + 1)[-1]
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else view


def form(**fields: str) -> dict[str, Any]:
    """A modal's state values as Slack sends them: block id → action id → element state."""
    values: dict[str, Any] = {}
    for name, text in fields.items():
        block = suggestion_views.BLOCK_OF.get(name, name)
        if name == "category":
            picked = {"text": {"type": "plain_text", "text": text}, "value": text} if text else None
            values[block] = {ids.VALUE: {"type": "static_select", "selected_option": picked}}
        else:
            values[block] = {ids.VALUE: {"type": "plain_text_input", "value": text or None}}
    return values


def submit(
    bot: RunningBot, modal: dict[str, Any], values: dict[str, Any], user: str = AUTHOR
) -> dict[str, Any]:
    view = {**modal, "id": "VSUGGEST", "hash": "h1"}
    payload = view_submission(Actor(user, "T1"), view, values, "13345224609.1.2")
    reply = bot.post(form_body(payload), FORM)
    assert reply.status == 200
    return reply.json() or {}


CANARY = dict(
    term="Canary release",
    category="Deploy",
    definition="Sending a small share of traffic to a new release before everyone gets it.",
    trap="Thinking a quiet canary proves the release safe for every region.",
    aliases="canary",
    see_also="Warm deploy",
)


def suggest_canary(bot: RunningBot, **changes: str) -> int:
    answer = bot.command("/define", "canary release", user=AUTHOR).json()
    offer = buttons(answer["blocks"])["Suggest this term"]
    modal = open_modal(bot, offer["action_id"], offer["value"])
    reply = submit(bot, modal, form(**{**CANARY, **changes}))
    assert reply.get("response_action") == "update", reply
    message = bot.fake.wait_for(lambda: bot.fake.posted(REVIEW))[-1]
    return int(buttons(message["blocks"])["Approve"]["value"])


def click_review(bot: RunningBot, label: str, suggestion_id: int, user: str) -> None:
    message = bot.fake.posted(REVIEW)[-1]
    action = buttons(message["blocks"])[label]
    assert (
        bot.click(
            action["action_id"], str(suggestion_id), user=user, channel=REVIEW, message_ts=message["ts"]
        ).status
        == 200
    )


def test_a_miss_offers_a_prefilled_suggestion_with_inline_errors(sbot: RunningBot) -> None:
    answer = sbot.command("/define", "canary release", user=AUTHOR).json()
    offer = buttons(answer["blocks"])["Suggest this term"]
    modal = open_modal(sbot, offer["action_id"], offer["value"])
    assert modal["callback_id"] == ids.SUGGEST_CALLBACK
    term_input = next(b for b in modal["blocks"] if b["block_id"] == suggestion_views.BLOCK_OF["term"])
    assert term_input["element"]["initial_value"] == "canary release"
    # Drain is a Runtime term: the same name in the same category is a duplicate.
    reply = submit(sbot, modal, form(**{**CANARY, "term": "Drain", "category": "Runtime", "trap": ""}))
    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == {suggestion_views.BLOCK_OF["term"], suggestion_views.BLOCK_OF["trap"]}
    assert "duplicates" in reply["errors"][suggestion_views.BLOCK_OF["term"]]
    assert sbot.fake.posted(REVIEW) == [] and sbot.storage.suggestions.count_pending(sbot.ws) == 0


def test_see_also_must_name_real_terms_and_a_category_is_one_or_the_other(sbot: RunningBot) -> None:
    modal = open_modal(sbot, ids.SUGGEST_NEW, "canary")
    values = form(**{**CANARY, "see_also": "Nope"})
    values[suggestion_views.NEW_CATEGORY] = {ids.VALUE: {"type": "plain_text_input", "value": "Rollouts"}}
    reply = submit(sbot, modal, values)
    assert set(reply["errors"]) == {
        suggestion_views.BLOCK_OF["see_also"],
        suggestion_views.BLOCK_OF["category"],
    }


def test_approved_by_an_owner_is_live_and_the_author_is_told(sbot: RunningBot) -> None:
    suggestion_id = suggest_canary(sbot)
    review = shown(sbot.fake.posted(REVIEW)[-1]["blocks"])
    assert "Ada &lt;!channel&gt; Author suggests a new term, *Canary release*" in review
    assert "<!channel>" not in review
    assert "No term matches" in shown(sbot.command("/define", "canary release").json()["blocks"])
    click_review(sbot, "Approve", suggestion_id, OWNER)
    sbot.after_ack_done()
    assert "Sending a small share of traffic" in shown(sbot.command("/define", "canary").json()["blocks"])
    # The text asked before the approval is answered from the new glossary, not remembered.
    assert "Sending a small share of traffic" in shown(
        sbot.command("/define", "canary release").json()["blocks"]
    )
    edited = shown(sbot.fake.posted(REVIEW)[-1]["blocks"])
    assert "Approved by Olga Owner" in edited and "review_approve" not in edited
    [dm] = [c for c in sbot.fake.calls_to("chat.postMessage") if c.body["channel"] == AUTHOR]
    assert "was approved and is live" in dm.body["text"]


def test_only_owners_decide_and_a_forged_id_changes_nothing(sbot: RunningBot) -> None:
    suggestion_id = suggest_canary(sbot)
    before = len(sbot.fake.responses)
    click_review(sbot, "Approve", suggestion_id, "USOMEONE")
    [refused] = sbot.fake.wait_responses(before + 1)[before:]
    assert (
        "Only the glossary's owners" in refused.body["text"] and refused.body["response_type"] == "ephemeral"
    )
    assert sbot.storage.suggestions.count_pending(sbot.ws) == 1
    message = sbot.fake.posted(REVIEW)[-1]
    sbot.click(ids.REVIEW_APPROVE, "999999", user=OWNER, channel=REVIEW, message_ts=message["ts"])
    forged = sbot.fake.wait_responses(before + 2)[-1]
    assert "can't find that suggestion" in forged.body["text"]
    assert sbot.storage.suggestions.count_pending(sbot.ws) == 1


def test_approving_twice_gives_one_overlay_row(sbot: RunningBot) -> None:
    suggestion_id = suggest_canary(sbot)
    message = sbot.fake.posted(REVIEW)[-1]  # both clicks on the message as first posted (a double click)
    for _ in range(2):
        sbot.click(
            ids.REVIEW_APPROVE, str(suggestion_id), user=OWNER, channel=REVIEW, message_ts=message["ts"]
        )
    sbot.after_ack_done()
    assert len(sbot.storage.overlay.history(sbot.ws)) == 1
    assert "already decided" in sbot.fake.wait_responses(1)[-1].body["text"]


def test_an_edit_shows_old_and_new_text(sbot: RunningBot) -> None:
    card = sbot.command("/define", "drain", user=AUTHOR).json()
    modal = open_modal(sbot, ids.SUGGEST_EDIT, buttons(card["blocks"])["Suggest an edit"]["value"])
    values = {
        b["block_id"]: b["element"].get("initial_value") or ""
        for b in modal["blocks"]
        if b["block_id"] != suggestion_views.BLOCK_OF["category"]
    }
    values = {k: v for k, v in values.items() if k != suggestion_views.NEW_CATEGORY}
    fields = {name: values[block] for name, block in suggestion_views.BLOCK_OF.items() if block in values}
    submit(
        sbot,
        modal,
        form(
            **{
                **fields,
                "category": "Runtime",
                "trap": "Calling a drain done while sessions still hold the old allocation.",
            }
        ),
    )
    review = shown(sbot.fake.wait_for(lambda: sbot.fake.posted(REVIEW))[-1]["blocks"])
    assert "suggests an edit of *Drain*" in review
    assert "~Claiming sessions moved when they are still attached to the old allocation.~" in review
    assert "Calling a drain done while sessions still hold the old allocation." in review
    assert "*Definition:*" not in review  # unchanged fields are not listed


def test_reject_asks_why_and_tells_the_author(sbot: RunningBot) -> None:
    suggestion_id = suggest_canary(sbot)
    message = sbot.fake.posted(REVIEW)[-1]
    before = len(sbot.fake.calls_to("views.open"))
    sbot.click(ids.REVIEW_REJECT, str(suggestion_id), user=OWNER, channel=REVIEW, message_ts=message["ts"])
    asked = sbot.fake.wait_calls("views.open", before + 1)[-1].body["view"]
    asked = json.loads(asked) if isinstance(asked, str) else asked
    reason = {
        suggestion_views.REASON: {
            ids.VALUE: {"type": "plain_text_input", "value": "We say <!here> canary rollout."}
        }
    }
    assert submit(sbot, asked, reason, user=OWNER) == {}
    sbot.after_ack_done()
    edited = shown(sbot.fake.posted(REVIEW)[-1]["blocks"])
    assert "Rejected by Olga Owner" in edited and "&lt;!here&gt;" in edited and "<!here>" not in edited
    [dm] = [c for c in sbot.fake.calls_to("chat.postMessage") if c.body["channel"] == AUTHOR]
    assert "was not accepted" in dm.body["text"]
    assert sbot.storage.overlay.history(sbot.ws) == []


def test_at_most_five_pending_suggestions_per_person(sbot: RunningBot) -> None:
    for n in range(5):
        suggest_canary(sbot, term=f"Canary {n}", aliases="")
    modal = open_modal(sbot, ids.SUGGEST_NEW, "one more")
    reply = submit(sbot, modal, form(**{**CANARY, "term": "Canary six", "aliases": ""}))
    assert "already have 5 suggestions waiting" in reply["errors"][suggestion_views.BLOCK_OF["term"]]


def test_export_writes_file_and_overlay_and_check_accepts_it(
    sbot: RunningBot, sqlite_url: str, glossary_file: Path, tmp_path: Path
) -> None:
    click_review(sbot, "Approve", suggest_canary(sbot), OWNER)
    sbot.after_ack_done()
    env = {"DATABASE_URL": sqlite_url, "GLOSSARY_PATH": str(glossary_file)}
    exported = run_bot("export", "--format", "yaml", env=env)
    assert exported.returncode == 0, exported.stderr
    assert "Canary release" in exported.stdout and "Drain" in exported.stdout
    written = tmp_path / "exported.yml"
    written.write_text(exported.stdout)
    checked = run_bot("check", str(written), env=env)
    assert checked.returncode == 0 and "17 terms" in checked.stdout
    # committed back: the file now holds the change, so the overlay retires and nothing doubles
    glossary_file.write_text(exported.stdout)
    sbot.services.overlays.refresh()
    [change] = sbot.storage.overlay.history(sbot.ws)
    assert sbot.storage.overlay.active(sbot.ws) == []
    assert len(sbot.runtime.core.glossary(sbot.ws).glossary.terms) == 17


def test_comparisons_show_both_cards_with_traps(sbot: RunningBot) -> None:
    for text in (
        "rpo vs rto",
        "RPO or RTO",
        "difference between rpo and rto",
        "what is the difference between RTO and RPO?",
    ):
        body = sbot.command("/define", text).json()
        glossary = sbot.runtime.core.glossary(sbot.ws).glossary
        rpo, rto = glossary.get("RPO"), glossary.get("RTO")
        assert rpo is not None and rto is not None
        definitions, traps = [[f["text"] for f in b["fields"]] for b in body["blocks"] if b.get("fields")]
        names = {d.split("*")[1] for d in definitions}
        assert names == {"RPO", "RTO"}, text
        assert {rpo.definition, rto.definition} == {d.split("\n", 1)[1] for d in definitions}
        assert (
            all("Common trap" in t for t in traps)
            and any(rpo.trap in t for t in traps)
            and any(rto.trap in t for t in traps)
        )
    assert "RTO" not in shown(
        sbot.command("/define", "rpo or rpo").json()["blocks"][:1]
    )  # one term: its card


def test_without_owners_there_are_no_suggest_buttons(bot: RunningBot) -> None:
    miss = shown(bot.command("/define", "canary release").json()["blocks"])
    card = shown(bot.command("/define", "drain").json()["blocks"])
    assert "Suggest" not in miss and "Suggest" not in card
    assert "suggestions are off" in bot.say("/quiz", "settings")


def test_owners_home_shows_misses_and_pending_suggestions_without_a_review_channel(
    fake: SlackStandIn, sqlite_url: str
) -> None:
    fake.state.add_person(Person(OWNER, "Olga Owner"))
    bot = RunningBot.start(fake, sqlite_url, GLOSSARY_OWNERS=OWNER)
    try:
        for _ in range(2):
            bot.command("/define", "flux capacitor")
        modal = open_modal(bot, ids.SUGGEST_NEW, "canary")
        assert submit(bot, modal, form(**CANARY))["response_action"] == "update"
        bot.storage.stats.flush()
        reply = bot.event(
            {"type": "app_home_opened", "user": OWNER, "channel": "D1", "tab": "home", "event_ts": "1.0"}
        )
        assert reply.status == 200
        home = bot.fake.wait_calls("views.publish")[-1].body["view"]
        home = shown(json.loads(home) if isinstance(home, str) else home)
        assert "*1* suggestion waiting for review" in home and "flux capacitor" in home
        assert "Glossary suggestion #" in home and "review_approve" in home
        bot.event(
            {"type": "app_home_opened", "user": "UOTHER", "channel": "D2", "tab": "home", "event_ts": "1.0"},
            event_id="Ev2",
        )
        other = bot.fake.wait_calls("views.publish", 2)[-1].body["view"]
        assert "Glossary owners" not in shown(other)
    finally:
        bot.close()


def review_posted(bot: RunningBot, before: int) -> int:
    """The id of the suggestion in the review channel's newest message, once there are more than `before`."""
    message = bot.fake.wait_for(lambda: len(bot.fake.posted(REVIEW)) > before and bot.fake.posted(REVIEW))[-1]
    return int(buttons(message["blocks"])["Approve"]["value"])


def edit_term(bot: RunningBot, name: str, **changes: str) -> int:
    """Suggest an edit of a term (as the author); the suggestion's id."""
    before = len(bot.fake.posted(REVIEW))
    modal = open_modal(bot, ids.SUGGEST_EDIT, name)
    term = bot.runtime.core.glossary(bot.ws).glossary.get(name)
    assert term is not None
    fields = {"term": term.term, "category": term.category, "definition": term.definition, "trap": term.trap}
    fields |= {"aliases": ", ".join(term.aliases), "see_also": ", ".join(term.see_also), **changes}
    assert submit(bot, modal, form(**fields))["response_action"] == "update"
    return review_posted(bot, before)


def decide(bot: RunningBot, suggestion_id: int) -> str:
    """An owner clicks Approve; what the owner is told privately, if anything ('' when approved)."""
    before = len(bot.fake.responses)
    bot.click(ids.REVIEW_APPROVE, str(suggestion_id), user=OWNER, channel=REVIEW)
    bot.after_ack_done()
    said = bot.fake.responses[before:]
    return str(said[0].body["text"]) if said else ""


def test_a_second_edit_made_against_the_old_text_is_not_approved_over_the_first(sbot: RunningBot) -> None:
    first = edit_term(sbot, "Drain", trap="First new trap.")
    second = edit_term(sbot, "Drain", trap="Second new trap.")
    assert decide(sbot, first) == ""
    assert "changed since this was suggested" in decide(sbot, second)
    assert sbot.runtime.core.glossary(sbot.ws).glossary.get("Drain").trap == "First new trap."  # type: ignore[union-attr]
    assert sbot.storage.suggestions.count_pending(sbot.ws) == 1


def test_an_approval_that_would_break_the_rules_is_refused(sbot: RunningBot) -> None:
    """Each suggestion was fine when made; approved one after the other they would collide."""
    canary = suggest_canary(sbot, category="Topology")  # Cell's category: there the names clash
    clash = edit_term(sbot, "Cell", aliases="cell boundary, Canary release")
    assert decide(sbot, canary) == ""
    assert "break the glossary's rules" in decide(sbot, clash)
    glossary = sbot.runtime.core.glossary(sbot.ws).glossary
    assert glossary.get("Canary release").term == "Canary release"  # type: ignore[union-attr]  # still served
    assert "Canary release" not in glossary.get("Cell").aliases  # type: ignore[union-attr]


def test_an_edit_of_an_approved_new_term_follows_it(sbot: RunningBot) -> None:
    assert decide(sbot, suggest_canary(sbot)) == ""
    renamed = edit_term(sbot, "Canary release", term="Canary rollout", aliases="canary")
    assert decide(sbot, renamed) == ""
    again = edit_term(sbot, "Canary rollout", trap="Reading one region's calm as everyone's.")
    assert decide(sbot, again) == ""
    term = sbot.runtime.core.glossary(sbot.ws).glossary.get("canary")
    assert term is not None and (term.term, term.trap) == (
        "Canary rollout",
        "Reading one region's calm as everyone's.",
    )
    assert len(sbot.storage.overlay.active(sbot.ws)) == 3


def test_a_suggestion_pending_when_the_review_channel_is_set_stays_reachable_in_the_owners_home(
    fake: SlackStandIn, sqlite_url: str
) -> None:
    fake.state.add_person(Person(OWNER, "Olga Owner", is_admin=True))
    fake.state.add_person(Person(AUTHOR, "Ada Author"))
    fake.state.join(REVIEW, "T1", "glossary-review")
    bot = RunningBot.start(fake, sqlite_url, GLOSSARY_OWNERS=OWNER)
    try:
        modal = open_modal(bot, suggestion_views.SUGGEST_NEW, "canary")
        assert submit(bot, modal, form(**CANARY))["response_action"] == "update"
        bot.after_ack_done()
        set_to = bot.say("/quiz", f"review <#{REVIEW}|glossary-review>", user=OWNER)
        assert f"<#{REVIEW}>" in set_to  # the review channel is set now
        assert fake.posted(REVIEW) == []  # the earlier suggestion was never posted there

        bot.event(
            {"type": "app_home_opened", "user": OWNER, "channel": "D1", "tab": "home", "event_ts": "1.0"}
        )
        home = bot.fake.wait_calls("views.publish")[-1].body["view"]
        home = json.loads(home) if isinstance(home, str) else home
        assert "*1* suggestion waiting for review below." in shown(home["blocks"])
        approve = buttons(home["blocks"])["Approve"]
        assert approve["action_id"] == suggestion_views.REVIEW_APPROVE

        bot.click(suggestion_views.REVIEW_APPROVE, approve["value"], user=OWNER, view={"type": "home"})
        bot.after_ack_done()
        assert bot.storage.suggestions.count_pending(bot.ws) == 0
        told = fake.wait_for(lambda: fake.posted(AUTHOR))[-1]
        assert "was approved" in told["text"]
        card = shown(bot.command("/define", "canary release", user=AUTHOR).json()["blocks"])
        assert "Sending a small share of traffic" in card
    finally:
        bot.close()

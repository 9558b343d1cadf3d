"""Every request is acknowledged first, failures included: the apology for a listener that failed
goes to the `response_url` after the acknowledgement, so a slow `response_url` never holds it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import text

from bot.services.core import DB_DOWN
from tests.support.bot import FakeClock, RunningBot

CHANNEL = "C400"


def test_a_failing_click_is_acknowledged_before_the_apology_is_sent(
    start_bot: Callable[..., RunningBot],
) -> None:
    bot = start_bot(FakeClock(datetime(2026, 11, 26, 8, 30, tzinfo=UTC)))
    assert "Posted a question" in bot.say("/quiz", "now", channel=CHANNEL)
    bot.after_ack_done()
    quiz_id = bot.fake.posted(CHANNEL)[0]["metadata"]["event_payload"]["quiz_id"]
    with bot.storage.db.engine.begin() as conn:  # the answers' table is gone: storing one fails
        conn.execute(text("ALTER TABLE answers RENAME TO answers_elsewhere"))
    bot.fake.slow("response", 3.0)
    before = len(bot.fake.responses)
    started = time.monotonic()
    reply = bot.click("quiz_answer_0", f"{quiz_id}:0", user="U7", channel=CHANNEL)
    acknowledged_in = time.monotonic() - started
    assert reply.status == 200 and reply.body == ""
    assert acknowledged_in < 2.0, f"the acknowledgement waited for the response_url ({acknowledged_in:.2f} s)"
    [apology] = bot.fake.wait_responses(before + 1, timeout=10)[before:]
    assert apology.body["text"] == DB_DOWN and apology.body["response_type"] == "ephemeral"

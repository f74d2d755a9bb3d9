"""The per-reply assessment and the engine hook built on it."""

from __future__ import annotations

import pytest

from engine.records import MentionArrived, PersonalData, Reply, ReplyContext
from scoring.privacy import assess_privacy
from tests.scoring.builders import scenario

pytest.importorskip("scoring.empathy")
pytest.importorskip("scoring.tone")

from scoring.assess import assess_reply, engine_judge


def ctx(reply: str, channel: str = "public", persona: str = "angry") -> ReplyContext:
    return ReplyContext(language="en", brand_voice="friendly", persona=persona,
                        intent="delivery", mention_text="@Nimbus where is my parcel??",
                        channel=channel, reply_text=reply, customer_name="Dana Reyes")


def test_assess_reply_combines_the_three_assessors():
    c = ctx("Could you reply with your order number?")
    known = (PersonalData("order_number", "A12345678"),)
    result = assess_reply(c, known_pii=known)
    assert result.privacy == assess_privacy(c, known)
    assert 0 <= result.empathy.level <= 2 and 0 <= result.tone.score <= 100
    assert result.judges == {}


@pytest.mark.parametrize(("reply", "channel", "flag"), [
    ("Could you reply with your order number?", "public", "asks_pii_public"),
    ("Please DM us your password.", "public", "asks_password"),
    ("Your card 4012 8888 8888 1881 was refunded.", "public", "exposes_pii_public"),
    ("So sorry, Dana! Please DM us and we'll sort it.", "public", "moves_to_dm"),
    ("Thanks for messaging! What's your order number?", "dm", "asks_details_dm"),
])
def test_engine_judge_sets_the_reply_quality_flags(reply, channel, flag):
    quality = engine_judge(ctx(reply, channel))
    assert getattr(quality, flag) is True


def test_engine_judge_marks_short_replies_brief():
    assert engine_judge(ctx("lol ok", persona="troll")).brief
    assert not engine_judge(ctx("We're sorry your parcel is late, Dana. I've chased the "
                                "courier and will DM you the new delivery date today.")).brief


def test_engine_session_customer_asked_for_order_number_in_public_escalates():
    session_module = pytest.importorskip("engine.session")
    session = session_module.TrainingSession(scenario(), seed=11, judge=engine_judge)
    arrived = None
    for minute in range(1, 60):
        arrived = next((e for e in session.advance_to(minute) if isinstance(e, MentionArrived)),
                       None)
        if arrived is not None:
            break
    assert arrived is not None
    session.act(Reply(thread_id=arrived.thread_id, text="Please reply with your order number."))
    later = session.advance_to(min(session.now + 30, 60))
    reactions = [e.reaction for e in later if getattr(e, "thread_id", "") == arrived.thread_id
                 and hasattr(e, "reaction")]
    assert reactions and reactions[0] in ("escalated_pii", "complied_in_public")

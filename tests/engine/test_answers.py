"""Customers who answer back: what a reply says (a question, a promised time, a status update, a
fix) decides the customer's next turn, in both languages, deterministically."""

from __future__ import annotations

import random
import re

import pytest

from engine.answers import next_turn
from engine.records import (
    CustomerFollowedUp,
    CustomerReplied,
    MentionArrived,
    MoveToDm,
    Reply,
    ReplyContext,
    ReplyQuality,
)
from engine.replies import ReplyReading, answers_question, customer_question, read_reply
from engine.session import TrainingSession

from .conftest import make_scenario


@pytest.mark.parametrize(("reply", "asks"), [
    ("Sorry about this! Which device are you using?", "device"),
    ("Could you tell us what phone you have?", "device"),
    ("Which area are you in? We'll check the map.", "location"),
    ("When did you first notice it?", "when"),
    ("Have you tried restarting your router?", "tried"),
    ("Could you send us your order number by DM?", "order"),
    ("Can you share your email address in DM please?", "contact"),
    ("We're on it, update soon.", ""),
    ("어떤 기종 쓰고 계신가요?", "device"),
    ("어느 지역이신지 알려주실 수 있을까요?", "location"),
    ("주문번호를 DM으로 보내주시겠어요?", "order"),
    ("언제부터 그러셨나요?", "when"),
])
def test_read_reply_finds_the_question_asked(reply: str, asks: str) -> None:
    assert read_reply(reply).asks == asks


@pytest.mark.parametrize(("reply", "clock", "minutes"), [
    ("We'll update you within 30 minutes.", 600, 30.0),
    ("Expect an update in an hour.", 600, 60.0),
    ("Engineers expect a fix by 12:00.", 11 * 60, 60.0),
    ("We'll have news by 5pm.", 15 * 60, 120.0),
    ("Back to you later today.", 600, 240.0),
    ("30분 안에 다시 안내드릴게요.", 600, 30.0),
    ("12시까지 복구 예정입니다.", 11 * 60 + 30, 30.0),
    ("We're looking into it.", 600, None),
])
def test_read_reply_turns_a_promise_into_minutes(reply: str, clock: int,
                                                 minutes: float | None) -> None:
    assert read_reply(reply, clock).promise_in_minutes == minutes


@pytest.mark.parametrize(("reply", "status", "fixed"), [
    ("We're aware of an outage in the North; engineers are working on it.", True, False),
    ("That's fixed now, it should be working again.", False, True),
    ("We've refunded the duplicate payment.", False, True),
    ("현재 장애를 복구하고 있습니다.", True, False),
    ("환불 처리되었습니다.", False, True),
    ("Thanks for your patience.", False, False),
])
def test_read_reply_sees_status_news_and_fixes(reply: str, status: bool, fixed: bool) -> None:
    reading = read_reply(reply)
    assert (reading.status, reading.fixed) == (status, fixed)


def test_customer_question_is_their_last_question() -> None:
    text = "@Brand no signal since 9. Is it the mast? Will it be back tonight?"
    assert customer_question(text) == "will it be back tonight?"
    assert customer_question("@Brand no signal at all") == ""
    assert answers_question("is the pool open on sunday?", "Yes, the pool is open Sunday.")
    assert not answers_question("is the pool open on sunday?", "Sorry to hear that!")


QUALITY = ReplyQuality(1)


@pytest.mark.parametrize(("reading", "channel", "question", "turn", "reaction"), [
    (ReplyReading(asks="device"), "public", "", "answered_device", "provided_details"),
    (ReplyReading(asks="location"), "public", "", "answered_location", "provided_details"),
    (ReplyReading(asks="order"), "dm", "", "answered_order", "provided_details"),
    (ReplyReading(asks="contact"), "dm", "", "answered_contact", "provided_details"),
    (ReplyReading(), "public", "is the pool open on sunday?", "asked_again", "escalated"),
    (ReplyReading(status=True), "public", "", "status", "calmed"),
])
def test_next_turn_answers_what_the_reply_said(reading: ReplyReading, channel: str,
                                               question: str, turn: str, reaction: str) -> None:
    got = next_turn("angry", QUALITY, reading, channel, "Sorry to hear that!", question,
                    random.Random(1))
    assert got is not None and (got.turn, got.reaction) == (turn, reaction)
    if turn == "asked_again":
        assert got.extra["question"] == question


def test_next_turn_after_a_fix_mostly_thanks() -> None:
    turns = [next_turn("angry", ReplyQuality(2), ReplyReading(fixed=True), "public", "fixed",
                       "", random.Random(seed)) for seed in range(200)]
    kinds = [t.turn for t in turns if t is not None]
    assert 0.7 <= kinds.count("fixed") / len(kinds) <= 0.9
    assert set(kinds) == {"fixed", "still_broken"}


def test_next_turn_keeps_the_privacy_rules_first() -> None:
    rng = random.Random(3)
    asked = ReplyQuality(1, asks_pii_public=True)
    for persona in ("angry", "confused", "neutral"):
        turn = next_turn(persona, asked, ReplyReading(asks="order"), "public", "x", "", rng)
        assert turn is not None and turn.reaction in ("escalated_pii", "complied_in_public")
    password = next_turn("angry", ReplyQuality(2, asks_password=True),
                         ReplyReading(asks="device"), "public", "x", "", rng)
    assert password is not None and password.reaction == "escalated"


# ------------------------------------------------------------------------ in a session
class _Fixed:
    def __init__(self, quality: ReplyQuality) -> None:
        self.quality = quality

    def __call__(self, context: ReplyContext) -> ReplyQuality:
        return self.quality


def _first(session: TrainingSession, persona: str = "angry") -> MentionArrived:
    for minute in range(1, 60):
        session.advance_to(minute)
        found = [e for e in session.transcript if isinstance(e, MentionArrived)
                 and e.persona == persona and e.source == "organic"]
        if found:
            return found[0]
    raise AssertionError(f"no {persona} customer")


def _turns(session: TrainingSession, thread_id: str) -> list[CustomerReplied]:
    return [e for e in session.transcript if isinstance(e, CustomerReplied)
            and e.thread_id == thread_id]


def test_session_customer_answers_which_device_in_public_without_personal_data() -> None:
    scenario = make_scenario()
    session = TrainingSession(scenario, seed=4, judge=_Fixed(ReplyQuality(1)))
    mention = _first(session)
    session.act(Reply(mention.thread_id, "So sorry! Which device are you using?"))
    session.advance_to(session.now + 20)
    turn = _turns(session, mention.thread_id)[0]
    assert (turn.turn, turn.reaction, turn.channel, turn.exposed) == (
        "answered_device", "provided_details", "public", ())
    assert session.thread(mention.thread_id).waiting_since is not None  # waits for next step


def test_session_customer_asked_in_dm_gives_the_order_number() -> None:
    session = TrainingSession(make_scenario(), seed=5, judge=_Fixed(ReplyQuality(1)))
    mention = _first(session)
    session.act(MoveToDm(mention.thread_id, "Sorry about this, let's sort it in DM."))
    session.advance_to(session.now + 15)
    session.act(Reply(mention.thread_id, "Could you send your order number?", channel="dm"))
    session.advance_to(session.now + 15)
    turn = _turns(session, mention.thread_id)[-1]
    assert turn.turn == "answered_order" and turn.channel == "dm"
    assert [d.kind for d in turn.exposed] == ["order_number"]
    assert turn.exposed[0].value in turn.text


def test_session_customer_asks_again_when_their_question_is_ignored() -> None:
    scenario = make_scenario(injects=[
        {"at_minute": 1, "persona": "angry", "intent": "outage",
         "text": "{brand} no data since 9. will it be back before my shift at 2?"}])
    session = TrainingSession(scenario, seed=6, judge=_Fixed(ReplyQuality(1)))
    session.advance_to(2)
    mention = next(e for e in session.transcript if isinstance(e, MentionArrived)
                   and e.source == "inject")
    session.act(Reply(mention.thread_id, "Sorry to hear that, hang in there!"))
    session.advance_to(session.now + 20)
    turn = _turns(session, mention.thread_id)[0]
    assert turn.turn == "asked_again" and "shift" in turn.text.lower()


def _promise_session(seed: int) -> tuple[TrainingSession, str]:
    session = TrainingSession(make_scenario(), seed=seed, judge=_Fixed(ReplyQuality(2)))
    mention = _first(session)
    session.act(Reply(mention.thread_id, "So sorry, we're on it and will update you within "
                                         "20 minutes."))
    return session, mention.thread_id


def test_session_customer_chases_a_promised_time_that_passes() -> None:
    session, thread_id = _promise_session(7)
    session.advance_to(session.now + 60)
    chases = [e for e in session.transcript if isinstance(e, CustomerFollowedUp)
              and e.thread_id == thread_id and e.turn == "promise"]
    assert len(chases) == 1
    assert re.search(r"20 min", chases[0].text)
    assert session.thread(thread_id).waiting_since is not None


def test_session_a_reply_before_the_promised_time_cancels_the_chase() -> None:
    session, thread_id = _promise_session(7)
    session.advance_to(session.now + 10)
    session.act(Reply(thread_id, "Update: engineers found the fault, fix rolling out."))
    session.advance_to(session.now + 60)
    assert not [e for e in session.transcript if isinstance(e, CustomerFollowedUp)
                and e.thread_id == thread_id and e.turn == "promise"]


def test_session_answers_are_the_same_in_every_run() -> None:
    runs = []
    for _ in range(2):
        session, _ = _promise_session(9)
        session.advance_to(session.now + 60)
        runs.append([e.to_json() for e in session.transcript])
    assert runs[0] == runs[1]


def test_session_korean_customer_answers_the_device_question() -> None:
    from engine.scenario import resolve_scenario

    session = TrainingSession(resolve_scenario("ko-payment-app-outage"), seed=3,
                              judge=_Fixed(ReplyQuality(1)))
    mention = _first(session, "angry")
    session.act(Reply(mention.thread_id, "불편을 드려 죄송해요. 어떤 기종 쓰고 계신가요?"))
    session.advance_to(session.now + 20)
    turn = _turns(session, mention.thread_id)[0]
    assert turn.turn == "answered_device"
    assert any(device in turn.text for device in ("아이폰", "갤럭시", "애플워치"))

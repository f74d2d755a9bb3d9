"""The customer voice: the engine decides a turn and asks the voice ahead of the clock; the
voice never makes the engine wait; the event says who wrote the text; the flood is never
voiced; the LLM voice (stormdesk/voice.py) falls back to the bank on timeout, error or policy
violation, and its book makes a replay read the same texts back."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.records import (
    VOICE_BANK,
    CustomerFollowedUp,
    CustomerReplied,
    MentionArrived,
    PersonalData,
    Reply,
    ReplyContext,
    ReplyQuality,
)
from engine.session import TrainingSession
from engine.voice import BankVoice, Voiced, VoiceRequest
from llm import LlmClient, LlmSettings, reset_breakers
from stormdesk.voice import LlmVoice, VoiceBook, policy_problem, voice_for
from tests.fakes.openai_server import FakeOpenAI, wait_until

from .conftest import make_scenario


class _Fixed:
    def __init__(self, quality: ReplyQuality) -> None:
        self.quality = quality

    def __call__(self, context: ReplyContext) -> ReplyQuality:
        return self.quality


class FakeVoice:
    """Writes "voiced <turn>" and records when it was asked and when it was taken."""

    def __init__(self, session_now: list[TrainingSession]) -> None:
        self.now = session_now
        self.prepared: dict[str, float] = {}
        self.taken: dict[str, float] = {}

    def prepare(self, request: VoiceRequest) -> None:
        self.prepared[request.key] = self.now[0].now

    def take(self, request: VoiceRequest) -> Voiced:
        self.taken[request.key] = self.now[0].now
        return Voiced(f"@{request.handle} voiced {request.turn}", "llm:fake")


def _first(session: TrainingSession) -> MentionArrived:
    for minute in range(1, 60):
        session.advance_to(minute)
        for e in session.transcript:
            if isinstance(e, MentionArrived) and e.persona == "angry" and e.source == "organic":
                return e
    raise AssertionError("no angry customer")


def _voiced_session(seed: int = 3) -> tuple[TrainingSession, FakeVoice]:
    holder: list[TrainingSession] = []
    voice = FakeVoice(holder)
    session = TrainingSession(make_scenario(), seed=seed, judge=_Fixed(ReplyQuality(2)),
                              voice=voice)
    holder.append(session)
    return session, voice


def test_voice_writes_answers_to_replies_and_the_event_says_so() -> None:
    session, voice = _voiced_session()
    mention = _first(session)
    session.act(Reply(mention.thread_id, "So sorry! Which device are you on?"))
    session.advance_to(session.now + 20)
    turn = next(e for e in session.transcript if isinstance(e, CustomerReplied))
    assert turn.text == "@NimbusMobile voiced answered_device" and turn.voice == "llm:fake"
    key = next(iter(voice.taken))
    assert voice.prepared[key] < voice.taken[key]  # asked minutes before the post


def test_voice_never_writes_the_flood_or_unanswered_follow_ups() -> None:
    plain = TrainingSession(make_scenario(), seed=3)
    plain.advance_to(60)
    voiced, _ = _voiced_session()
    voiced.advance_to(60)

    def flood(session: TrainingSession) -> list[Any]:
        return [(e.type, e.mention_id, e.text) for e in session.transcript
                if isinstance(e, MentionArrived | CustomerFollowedUp)]

    assert flood(plain) == flood(voiced)
    assert all(e.voice == VOICE_BANK for e in voiced.transcript
               if isinstance(e, CustomerFollowedUp))


def test_follow_ups_in_an_answered_thread_are_voiced() -> None:
    voiced_chases = []
    for seed in range(12):
        holder: list[TrainingSession] = []
        session = TrainingSession(make_scenario(), seed=seed, judge=_Fixed(ReplyQuality(0)),
                                  voice=FakeVoice(holder))
        holder.append(session)
        mention = _first(session)
        replied_at = session.now
        session.act(Reply(mention.thread_id, "ok"))  # a thin reply: some customers chase
        session.advance_to(session.now + 120)
        voiced_chases += [e for e in session.transcript if isinstance(e, CustomerFollowedUp)
                          and e.thread_id == mention.thread_id and e.minute > replied_at]
    assert voiced_chases and all(e.voice == "llm:fake" for e in voiced_chases)


def test_bank_voice_is_the_default_and_labels_bank() -> None:
    session = TrainingSession(make_scenario(), seed=3, judge=_Fixed(ReplyQuality(2)))
    assert isinstance(session.voice, BankVoice)
    mention = _first(session)
    session.act(Reply(mention.thread_id, "So sorry! Which device are you on?"))
    session.advance_to(session.now + 20)
    assert all(e.voice == VOICE_BANK for e in session.transcript
               if isinstance(e, CustomerReplied))


# ------------------------------------------------------------------------ policy
def _request(**changes: Any) -> VoiceRequest:
    fields: dict[str, Any] = dict(
        post_id="m000001p2", language="en", brand="Nimbus", handle="NimbusMobile",
        persona="angry", intent="outage", mood=-0.5, turn="answered_order", channel="dm",
        history=(("customer", "@NimbusMobile down"),), reveal=(), fallback="bank text")
    fields.update(changes)
    return VoiceRequest(**fields)


@pytest.mark.parametrize(("text", "changes", "problem"), [
    ("it's an iPhone 13", {}, None),
    ("x" * 300, {}, "characters"),
    ("see https://example.com", {}, "a link"),
    ("제 폰은 아이폰이에요", {}, "not English"),
    ("my phone is an iphone", {"language": "ko"}, "not Korean"),
    ("the order is on its way", {"reveal": (PersonalData("order_number", "A1234567"),)},
     "left out order_number"),
    ("order A1234567, mail me at a@b.co", {"reveal": (PersonalData("order_number",
                                                                   "A1234567"),)},
     "personal data"),
    ("order A1234567", {"reveal": (PersonalData("order_number", "A1234567"),)}, None),
    ("call 07700 900123", {}, "personal data"),
])
def test_policy_refuses_what_the_engine_did_not_decide(text: str, changes: dict[str, Any],
                                                       problem: str | None) -> None:
    found = policy_problem(text, _request(**changes))
    assert (found is None) if problem is None else (found is not None and problem in found)


# ------------------------------------------------------------------------ the LLM voice
@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    reset_breakers()
    srv = FakeOpenAI().start()
    srv.slow_s = 2.5
    srv.answer = _answer
    yield srv
    srv.stop()
    reset_breakers()


def _answer(request: dict[str, Any]) -> str:
    """A model that does as told: includes exactly the values it is given."""
    user = request["messages"][1]["content"]
    include = re.search(r"Must include exactly: (.*)\.", user)
    values = [] if include is None or include.group(1) == "nothing personal" else [
        part.split(": ", 1)[1] for part in include.group(1).split("; ")]
    korean = "Language: Korean" in user
    body = "네 알겠어요 확인 부탁드려요" if korean else "right, it's my old phone honestly"
    return json.dumps({"text": " ".join([body, *values])})


def _settings(server: FakeOpenAI, mode: str = "ok") -> LlmSettings:
    return LlmSettings(server.base_url(mode), "m", timeout_s=3.0, max_retries=0,
                       drill_budget_s=60, breaker_failures=50)


def _llm_session(server: FakeOpenAI, book: VoiceBook, mode: str = "ok",
                 seed: int = 3) -> TrainingSession:
    scenario = make_scenario()
    voice = LlmVoice(LlmClient(_settings(server, mode)), book, scope=f"{scenario.id}/{seed}")
    return TrainingSession(scenario, seed=seed, judge=_Fixed(ReplyQuality(2)), voice=voice)


def _play(session: TrainingSession, wait_s: float) -> tuple[str, CustomerReplied]:
    mention = _first(session)
    session.act(Reply(mention.thread_id, "So sorry! Which device are you on?"))
    voice = session.voice
    if wait_s and isinstance(voice, LlmVoice):  # wall time passes at the desk meanwhile
        wait_until(lambda: all(f.done() for f in voice._pending.values()), wait_s)
    started = time.monotonic()
    session.advance_to(session.now + 20)
    assert time.monotonic() - started < 1.5  # never waits (a hung call has a 3 s deadline)
    turn = next(e for e in session.transcript if isinstance(e, CustomerReplied))
    return mention.thread_id, turn


def test_llm_voice_writes_the_turn_and_a_replay_reads_it_back(server: FakeOpenAI,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "book.jsonl"
    _, turn = _play(_llm_session(server, VoiceBook(path)), wait_s=10.0)
    assert turn.voice == "llm:m" and "old phone" in turn.text
    assert turn.text.startswith("@NimbusMobile ")
    calls = server.calls()
    # a rebuilt drill (recovery, grading) in a fresh process: the book on disk answers
    again = _llm_session(server, VoiceBook(path))
    _, replayed = _play(again, wait_s=0)
    assert (replayed.text, replayed.voice) == (turn.text, turn.voice)
    assert server.calls() == calls


@pytest.mark.parametrize(("mode", "label"), [
    ("garbage", "llm fallback: malformed JSON"),
    ("error500", "llm fallback: HTTP 500"),
    ("hang", "llm fallback: no answer within 3s"),
])
def test_llm_voice_failure_posts_the_bank_text_labelled(server: FakeOpenAI, tmp_path: Path,
                                                        mode: str, label: str) -> None:
    book = VoiceBook(tmp_path / "book.jsonl")
    _, turn = _play(_llm_session(server, book, mode), wait_s=10.0)
    assert turn.voice == label
    bank = _play(TrainingSession(make_scenario(), seed=3, judge=_Fixed(ReplyQuality(2))), 0)
    assert turn.text == bank[1].text


def test_llm_voice_too_slow_for_the_clock_posts_the_bank_text(server: FakeOpenAI) -> None:
    _, turn = _play(_llm_session(server, VoiceBook(None), "slow"), wait_s=0)
    assert turn.voice == "llm fallback: not written in time"


def test_llm_voice_policy_violation_falls_back(server: FakeOpenAI) -> None:
    server.answer = lambda request: json.dumps({"text": "email me at someone@example.com"})
    _, turn = _play(_llm_session(server, VoiceBook(None)), wait_s=10.0)
    assert turn.voice.startswith("llm fallback: policy: personal data")


def test_voice_for_is_off_unless_turned_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORMDESK_LLM_VOICE", raising=False)
    assert voice_for(make_scenario(), 1) is None
    monkeypatch.setenv("STORMDESK_LLM_VOICE", "1")
    monkeypatch.delenv("STORMDESK_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("STORMDESK_LLM_MODEL", raising=False)
    assert voice_for(make_scenario(), 1) is None  # on, but no endpoint configured

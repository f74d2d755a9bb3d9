"""End drill with an LLM judge that fails in every way: it finishes within the time it takes
with no endpoint plus at most one call deadline, and the scorecard says which verdicts fell back.

The real ``openai`` client talks to a local OpenAI-compatible server (tests/fakes) in each of
its failure modes; the application layer is driven as the desk drives it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.records import MentionArrived, Reply
from engine.scenario import resolve_scenario
from llm import LlmSettings, reset_breakers
from scoring.judge import LlmJudge
from store.passwords import FAST_TEST_HASHER
from stormdesk.app import StormDesk
from stormdesk.grading import JudgeFactory, no_judge
from tests.fakes.openai_server import FAILING_MODES, FakeOpenAI

DEADLINE_S = 1.0
#: Scheduling noise on a shared 2-core machine, on top of the one deadline the policy allows.
SLACK_S = 1.5
REPLY = "So sorry about the double charge, that's on us. I'm refunding it now and will confirm."


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    srv = FakeOpenAI().start()
    yield srv
    srv.stop()


def end_drill(tmp_path: Path, judge_factory: JudgeFactory) -> tuple[float, object]:
    """Start a drill, answer four customers, End: the seconds End took and the scorecard."""
    reset_breakers()
    app = StormDesk.open(f"sqlite:///{tmp_path / 'end.db'}", judge_factory=judge_factory,
                         hasher=FAST_TEST_HASHER)
    try:
        team = app.store.create_team("north")
        user = app.store.create_user("dana", "correct horse battery", "trainee", team.id)
        drill = app.drills.start(resolve_scenario("billing-double-charge"), 4, "Dana", "",
                                 "practice", 10.0, 0.0, user.viewer)
        app.drills.advance_to(drill, 25)
        threads = [e.thread_id for e in drill.session.transcript
                   if isinstance(e, MentionArrived)][:4]
        for thread_id in threads:
            app.drills.act(drill, Reply(thread_id, REPLY))
        start = time.monotonic()
        card = app.drills.end(drill)
        return time.monotonic() - start, card
    finally:
        app.store.close()


@pytest.mark.slow
@pytest.mark.parametrize("mode", FAILING_MODES)
def test_end_drill_with_a_failing_llm_finishes_within_one_deadline(tmp_path: Path,
                                                                    server: FakeOpenAI,
                                                                    mode: str) -> None:
    offline_s, _ = end_drill(tmp_path / "offline", no_judge)
    settings = LlmSettings(server.base_url(mode), "m", timeout_s=DEADLINE_S)
    took_s, card = end_drill(tmp_path / mode, lambda: LlmJudge(settings))
    assert took_s <= offline_s + DEADLINE_S + SLACK_S, (mode, took_s, offline_s)
    judges = {d.name: d.judge for d in card.dimensions}  # type: ignore[attr-defined]
    assert any("fallback" in j or "offline" in j for j in judges.values()), judges
    assert card.overall is not None  # type: ignore[attr-defined]


def test_end_drill_with_a_working_llm_uses_it(tmp_path: Path, server: FakeOpenAI) -> None:
    """The check above can fail: with a healthy endpoint the verdicts are the LLM's."""
    from tests.llm.measure_modes import answer

    server.answer = answer  # a valid verdict per dimension
    settings = LlmSettings(server.base_url("ok"), "m", timeout_s=DEADLINE_S)
    before = server.calls()
    _, card = end_drill(tmp_path, lambda: LlmJudge(settings))
    assert server.calls() > before
    judges = {d.name: d.judge for d in card.dimensions}  # type: ignore[attr-defined]
    assert judges["empathy"].startswith("llm:m") and "fallback" not in judges["tone"], judges

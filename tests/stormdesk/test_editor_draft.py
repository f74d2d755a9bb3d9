"""Drafting help in the editor: without an LLM endpoint there is none; with one, the outline it
answers becomes a draft checked by the engine like anything typed; a failing endpoint gives
no draft (never half a file)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llm import reset_breakers
from store.passwords import FAST_TEST_HASHER
from stormdesk.app import StormDesk
from stormdesk.grading import no_judge
from tests.fakes.openai_server import FakeOpenAI

OUTLINE = {"title": "Payday login outage", "brand_name": "Moa Bank", "handle": "MoaBank",
           "products": ["mobile app", "card"], "duration_minutes": 120,
           "incident_minute": 10, "peak_rate_per_minute": 12,
           "down": "app login fails with error 503", "journalist_minute": 40,
           "briefing": "Login is down on payday. Keep customers informed."}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[StormDesk]:
    desk = StormDesk.open(f"sqlite:///{tmp_path / 'app.db'}", judge_factory=no_judge,
                          hasher=FAST_TEST_HASHER)
    yield desk
    desk.store.close()


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    monkeypatch.setenv("STORMDESK_LLM_BASE_URL", server.base_url())
    monkeypatch.setenv("STORMDESK_LLM_MODEL", "fake-model")
    reset_breakers()
    try:
        yield server
    finally:
        server.stop()
        reset_breakers()


def test_editor_draft_absent_without_an_endpoint(app: StormDesk,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORMDESK_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("STORMDESK_LLM_MODEL", raising=False)
    assert not app.editor.can_draft()
    assert app.editor.draft_from_description("our app failed", "en") is None


def test_editor_draft_from_a_description_is_checked_by_the_engine(
        app: StormDesk, endpoint: FakeOpenAI) -> None:
    def answer(request: dict[str, Any]) -> str:
        return json.dumps(OUTLINE)

    endpoint.answer = answer
    assert app.editor.can_draft()
    drafted = app.editor.draft_from_description(
        "our app login failed for 2 hours on payday, a journalist called at minute 40")
    assert drafted is not None and drafted.ok, drafted and drafted.problems
    scenario = drafted.scenario
    assert scenario is not None and scenario.brand.handle == "MoaBank"
    assert [i.at_minute for i in scenario.injects] == [10, 40]
    assert scenario.phases[-1].ramp == "exponential"
    assert app.editor.check(drafted.text).ok


def test_editor_draft_with_impossible_numbers_shows_the_engines_problems(
        app: StormDesk, endpoint: FakeOpenAI) -> None:
    endpoint.answer = lambda request: json.dumps({**OUTLINE, "peak_rate_per_minute": 9000})
    drafted = app.editor.draft_from_description("a huge storm")
    assert drafted is not None and not drafted.ok
    assert any("must be <= 2,000" in line for line in drafted.problems)


def test_editor_draft_failing_endpoint_gives_no_draft(app: StormDesk,
                                                      endpoint: FakeOpenAI) -> None:
    endpoint.mode = "garbage"
    assert app.editor.draft_from_description("anything") is None

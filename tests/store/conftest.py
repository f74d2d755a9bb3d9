"""Fixtures of the store contract suite: one ``store`` per test on each back end.

SQLite always runs (a temporary file). PostgreSQL runs when ``STORMDESK_TEST_DATABASE_URL`` is
set; each test then gets a fresh schema (selected through ``search_path``), dropped afterwards.
The store grades drills through ``FakeGrader``: it derives the transcript, minutes played and
coverage from the stored actions and the end minute it is handed, and takes the dimension
scores a test says the scorer would give that drill (``grader.verdict(...)``).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from store import Drill, Store, StoredAction, User, Viewer
from store.passwords import FAST_TEST_HASHER

PG_ENV = "STORMDESK_TEST_DATABASE_URL"
PASSWORD = "correct horse battery"


@dataclass
class FakeClock:
    """The store's clock in tests: starts at a fixed instant, moves only when told."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float = 1.0) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


def pg_base_url() -> URL | None:
    raw = os.environ.get(PG_ENV)
    return make_url(raw) if raw else None


BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        pg_base_url() is None, reason=f"set {PG_ENV} to run the PostgreSQL contract")),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield URL.create("sqlite", database=str(tmp_path / "store.db"))
        return
    base = pg_base_url()
    assert base is not None
    schema = f"stormdesk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}",
                                      "application_name": schema})
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def grader() -> FakeGrader:
    return FakeGrader()


@pytest.fixture
def store(db_url: URL, clock: FakeClock, grader: FakeGrader) -> Iterator[Store]:
    opened = Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock, grader=grader)
    try:
        yield opened
    finally:
        opened.close()


@dataclass(frozen=True)
class World:
    """Two teams: team X (manager mx, trainees a and c), team Y (manager my, trainee b)."""

    admin: User
    mx: User
    my: User
    a: User
    b: User
    c: User
    team_x: int
    team_y: int

    def v(self, name: str) -> Viewer:
        user: User = getattr(self, name)
        return user.viewer


@pytest.fixture
def world(store: Store) -> World:
    x = store.create_team("Team X").id
    y = store.create_team("Team Y").id
    return World(
        admin=store.create_user("admin", PASSWORD, "admin"),
        mx=store.create_user("mx", PASSWORD, "manager", x, "Manager X"),
        my=store.create_user("my", PASSWORD, "manager", y, "Manager Y"),
        a=store.create_user("alice", PASSWORD, "trainee", x, "Alice"),
        b=store.create_user("bob", PASSWORD, "trainee", y, "Bob"),
        c=store.create_user("carol", PASSWORD, "trainee", x, "Carol"),
        team_x=x, team_y=y)


def card(scores: dict[str, float | None], overall: float | None = None,
         findings: dict[str, list[tuple[str, str]]] | None = None, version: str = "2026.11.1",
         scenario_id: str = "telecom-outage", seed: int = 7,
         weights: dict[str, float] | None = None) -> dict[str, Any]:
    """A scorecard dict shaped like ``Scorecard.to_dict()`` before completeness existed."""
    findings = findings or {}
    dims: list[dict[str, Any]] = [
        {"name": name, "score": score, "level": None, "metrics": {}, "judge": "offline",
         "error": None if score is not None else "ValueError: judge answered a web page",
         "findings": [{"dimension": name, "kind": k, "rule": r, "explanation": "",
                       "suggestion": "", "event_id": None, "thread_id": None,
                       "start": -1, "end": -1, "text": "", "severity": "minor",
                       "impact": 0.0} for k, r in findings.get(name, [])]}
        for name, score in scores.items()]
    return {"scenario_id": scenario_id, "scenario_hash": "h1", "seed": seed,
            "scorer_version": version, "dimensions": dims, "weights": weights or {},
            "overall": overall}


@dataclass
class Verdict:
    """What the (fake) scorer says about one drill."""

    scores: dict[str, float | None]
    overall: float | None = None
    findings: dict[str, list[tuple[str, str]]] | None = None
    version: str = "2026.11.1"
    weights: dict[str, float] | None = None
    #: a scorecard of the old shape: no completeness, coverage, mode or world keys
    legacy: bool = False


@dataclass
class FakeGrader:
    """The application layer's grader, reduced to what the store relies on.

    The transcript is rebuilt from the stored actions; ``minutes_played`` is the end minute,
    ``coverage`` counts the threads replied to of ``customers``; scores come from the verdict
    set for the drill (else ``default``). ``during`` runs while grading (to stage races).
    """

    default: Verdict = field(default_factory=lambda: Verdict({"speed": 50.0}, 50.0))
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    customers: int = 4
    calls: list[tuple[Drill, list[StoredAction], float]] = field(default_factory=list)
    during: Callable[[], object] | None = None
    override_card: dict[str, Any] | None = None
    override_transcript: str | None = None

    def verdict(self, drill_id: str, scores: dict[str, float | None],
                overall: float | None = None, **more: Any) -> None:
        self.verdicts[drill_id] = Verdict(scores, overall, **more)

    def grade(self, drill: Drill, actions: list[StoredAction], end_minute: float
              ) -> tuple[str, dict[str, Any]]:
        self.calls.append((drill, list(actions), end_minute))
        if self.during is not None:
            self.during()
        verdict = self.verdicts.get(drill.id, self.default)
        scorecard = card(verdict.scores, verdict.overall, verdict.findings, verdict.version,
                         drill.scenario_id, drill.seed, verdict.weights)
        if not verdict.legacy:
            replied = {a.action.get("thread_id") for a in actions if a.action["kind"] == "reply"}
            length = drill.drill_minutes
            scorecard.update(
                minutes_played=end_minute, drill_minutes=length,
                complete=length is not None and end_minute >= length, mode=drill.mode,
                world=drill.world_version,
                failed=[n for n, v in verdict.scores.items() if v is None],
                coverage={"customers": self.customers, "answered": len(replied),
                          "share": len(replied) / self.customers})
        text = transcript(drill.scenario_id, drill.seed, [a.action for a in actions])
        return (self.override_transcript if self.override_transcript is not None else text,
                self.override_card if self.override_card is not None else scorecard)


def transcript(scenario_id: str = "telecom-outage", seed: int = 7,
               actions: list[dict[str, Any]] | None = None) -> str:
    started = ('{"type":"SessionStarted","event_id":"e0","minute":0.0,'
               f'"scenario_id":"{scenario_id}","scenario_hash":"h1","seed":{seed},'
               '"language":"en","duration_minutes":30.0}')
    lines = [started]
    for number, action in enumerate(actions if actions is not None else [REPLY], start=1):
        lines.append(json.dumps({
            "type": "ReplySent", "event_id": f"e{number}", "minute": 2.0,
            "reply_id": f"r{number}", "thread_id": action.get("thread_id", "t1"),
            "channel": "public", "text": action.get("text", ""), "agent": "a",
            "moves_to_dm": False, "in_reply_to": None}))
    return "\n".join(lines) + "\n"


REPLY = {"kind": "reply", "agent": "trainee", "thread_id": "t1", "text": "<script>x</script>",
         "channel": "public"}
#: The length of the drills ``play`` starts (simulated minutes).
DRILL_MINUTES = 30.0


def play(store: Store, viewer: Viewer, scores: dict[str, float | None],
         overall: float | None = None, scenario_id: str = "telecom-outage", seed: int = 7,
         findings: dict[str, list[tuple[str, str]]] | None = None, *,
         mode: str = "assessment", end_minute: float = DRILL_MINUTES, **verdict: Any) -> str:
    """Start, act once and end a drill (a complete assessment by default); returns its id.

    The scores are what the grader will say about this drill (the store asks it at the end).
    """
    grader = store._grader
    assert isinstance(grader, FakeGrader)
    drill = store.start_drill(viewer, scenario_id, "h1", seed, speed=10.0,
                              mode=mode,  # type: ignore[arg-type]
                              world_version="w1", world={"scenario": "h1", "engine": "e1"},
                              drill_minutes=DRILL_MINUTES)
    store.append_action(viewer, drill.id, 0, 1.5, REPLY)
    grader.verdict(drill.id, scores, overall, findings=findings, **verdict)
    store.end_drill(viewer, drill.id, end_minute)
    return drill.id

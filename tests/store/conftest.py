"""Fixtures of the store contract suite: one ``store`` per test on each back end.

SQLite always runs (a temporary file). PostgreSQL runs when ``STORMDESK_TEST_DATABASE_URL`` is
set; each test then gets a fresh schema (selected through ``search_path``), dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from store import Store, User, Viewer
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
def store(db_url: URL, clock: FakeClock) -> Iterator[Store]:
    opened = Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock)
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
         scenario_id: str = "telecom-outage", seed: int = 7) -> dict[str, Any]:
    """A scorecard dict shaped like ``Scorecard.to_dict()``."""
    findings = findings or {}
    dims: list[dict[str, Any]] = [
        {"name": name, "score": score, "level": None, "metrics": {}, "judge": "offline",
         "error": None,
         "findings": [{"dimension": name, "kind": k, "rule": r, "explanation": "",
                       "suggestion": "", "event_id": None, "thread_id": None,
                       "start": -1, "end": -1, "text": "", "severity": "minor",
                       "impact": 0.0} for k, r in findings.get(name, [])]}
        for name, score in scores.items()]
    return {"scenario_id": scenario_id, "scenario_hash": "h1", "seed": seed,
            "scorer_version": version, "dimensions": dims, "weights": {}, "overall": overall}


def transcript(scenario_id: str = "telecom-outage", seed: int = 7) -> str:
    started = ('{"type":"SessionStarted","event_id":"e0","minute":0.0,'
               f'"scenario_id":"{scenario_id}","scenario_hash":"h1","seed":{seed},'
               '"language":"en","duration_minutes":30.0}')
    reply = ('{"type":"ReplySent","event_id":"e1","minute":2.0,"reply_id":"r1",'
             '"thread_id":"t1","channel":"public","text":"<script>x</script>","agent":"a",'
             '"moves_to_dm":false,"in_reply_to":null}')
    return started + "\n" + reply + "\n"


REPLY = {"kind": "reply", "agent": "trainee", "thread_id": "t1", "text": "Sorry!",
         "channel": "public"}


def play(store: Store, viewer: Viewer, scores: dict[str, float | None],
         overall: float | None = None, scenario_id: str = "telecom-outage", seed: int = 7,
         findings: dict[str, list[tuple[str, str]]] | None = None) -> str:
    """Start, act once and end a drill; returns its id."""
    drill = store.start_drill(viewer, scenario_id, "h1", seed, speed=10.0, mode="assessment")
    store.append_action(viewer, drill.id, 0, 1.5, REPLY)
    store.end_drill(viewer, drill.id, transcript(scenario_id, seed),
                    card(scores, overall, findings, scenario_id=scenario_id, seed=seed))
    return drill.id

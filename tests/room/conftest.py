"""Fixtures of the room tests: a store on SQLite (and PostgreSQL when configured), a team with a
lead and three trainees, and ``Rooms`` services on a hand-moved clock, one per simulated server.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from store import Room, RosterPick, Store, User
from store.passwords import FAST_TEST_HASHER
from stormdesk.catalogue import Catalogue, load_catalogue
from stormdesk.grading import Grader, no_judge
from stormdesk.rooms import Rooms
from tests.store.conftest import pg_base_url

PASSWORD = "correct horse battery"
SCENARIO = "telecom-outage"


@dataclass
class WallClock:
    """The servers' wall clock in tests: moves only when told (seconds)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        pg_base_url() is None, reason="set STORMDESK_TEST_DATABASE_URL for PostgreSQL")),
]


def _pg_schema() -> Iterator[URL]:
    base = pg_base_url()
    assert base is not None
    schema = f"stormdesk_room_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> URL:
    return URL.create("sqlite", database=str(tmp_path / "rooms.db"))


@pytest.fixture(params=BACKENDS)
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    if request.param == "sqlite":
        yield URL.create("sqlite", database=str(tmp_path / "rooms.db"))
    else:
        yield from _pg_schema()


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@dataclass
class Team:
    store: Store
    lead: User
    dana: User
    sam: User
    kim: User
    servers: list[Rooms]
    make_server: Callable[[], Rooms]

    def server(self, n: int = 0) -> Rooms:
        while len(self.servers) <= n:
            self.servers.append(self.make_server())
        return self.servers[n]


def make_team(url: URL, wall: WallClock, catalogue: Catalogue) -> Iterator[Team]:
    store = Store.open(url, hasher=FAST_TEST_HASHER, clock=wall)
    stores = [store]

    def server() -> Rooms:
        # Each simulated server has its own store (pools, listener), as a process would.
        own = Store.open(url, hasher=FAST_TEST_HASHER, clock=wall)
        stores.append(own)
        return Rooms(own, lambda: catalogue, Grader(no_judge), clock=wall)

    team_id = store.create_team("north").id
    users = [store.create_user(name, PASSWORD, role, team_id, display)
             for name, role, display in (("lee", "manager", "Lee Lead"),
                                         ("dana", "trainee", "Dana Reyes"),
                                         ("sam", "trainee", "Sam Okafor"),
                                         ("kim", "trainee", "Kim Jisoo"))]
    team = Team(store, *users, servers=[], make_server=server)
    try:
        yield team
    finally:
        for rooms in team.servers:
            rooms.close()
        for opened in stores:
            opened.close()


@pytest.fixture
def team(sqlite_url: URL, wall: WallClock, catalogue: Catalogue) -> Iterator[Team]:
    yield from make_team(sqlite_url, wall, catalogue)


@pytest.fixture
def any_team(any_url: URL, wall: WallClock, catalogue: Catalogue) -> Iterator[Team]:
    yield from make_team(any_url, wall, catalogue)


def open_room(team: Team, catalogue: Catalogue, *, mode: str = "practice", speed: float = 60.0,
              duties: tuple[str, str, str] = ("", "", ""), seed: int = 7) -> Room:
    roster = [RosterPick(u.id, d) for u, d in zip((team.dana, team.sam, team.kim), duties,
                                                   strict=True)]
    scenario = catalogue.get(SCENARIO)
    assert scenario is not None
    return team.server(0).open(team.lead.viewer, scenario, seed, roster,
                               mode=mode, speed=speed)  # type: ignore[arg-type]

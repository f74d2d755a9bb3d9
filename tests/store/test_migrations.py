"""Revision 0002 on a database holding 0001 data (both back ends): what existing rows become."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from store import Store
from store.database import make_engine
from store.migrate import current_revision, head_revision, upgrade
from store.passwords import FAST_TEST_HASHER

from .conftest import FakeClock, FakeGrader, transcript

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _seed_0001(engine: Engine) -> None:
    """Rows as the app wrote them under revision 0001: one ended drill with a transcript and
    a scorecard, one running drill, one login session."""
    now = T0.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T0
    with engine.begin() as c:
        c.execute(text("INSERT INTO teams (id, name, created_at) VALUES (1, 'X', :t)"), {"t": now})
        c.execute(text(
            "INSERT INTO users (id, username, display_name, role, team_id, password_hash, "
            "failed_login_count, is_active, created_at) VALUES "
            "(1, 'alice', 'Alice', 'trainee', 1, 'x', 0, :yes, :t), "
            "(2, 'mx', 'Manager', 'manager', 1, 'x', 0, :yes, :t)"), {"t": now, "yes": True})
        for drill_id, public, status, seed in ((1, "endedendeD01", "ended", 7),
                                               (2, "runningrun02", "running", 8)):
            c.execute(text(
                "INSERT INTO drills (id, public_id, trainee_id, scenario_id, scenario_hash, "
                "seed, speed, mode, status, started_at, last_minute, agent_name, initials) "
                "VALUES (:id, :p, 1, 'telecom-outage', 'oldhash', :seed, 10, 'assessment', "
                ":status, :t, 6.5, '', '')"),
                {"id": drill_id, "p": public, "status": status, "seed": seed, "t": now})
        c.execute(text("INSERT INTO drill_actions (drill_id, seq, minute, action, created_at) "
                       "VALUES (1, 0, 6.0, :a, :t)"),
                  {"a": '{"kind": "reply", "thread_id": "t1", "text": "hi"}', "t": now})
        c.execute(text("INSERT INTO transcripts (drill_id, events_jsonl, event_count, "
                       "created_at) VALUES (1, :e, 2, :t)"), {"e": transcript(), "t": now})
        c.execute(text(
            "INSERT INTO scorecards (drill_id, scorer_version, overall, card, created_at) "
            "VALUES (1, '2026.11.1', 96, :card, :t)"),
            {"card": '{"scorer_version": "2026.11.1", "dimensions": [], "overall": 96}',
             "t": now})
        c.execute(text("INSERT INTO login_sessions (token, user_id, created_at, expires_at) "
                       "VALUES ('plain-token-in-a-url', 1, :t, :t)"), {"t": now})


def test_upgrade_0001_data_gets_sensible_defaults(db_url: URL, clock: FakeClock) -> None:
    engine = make_engine(db_url)
    try:
        assert upgrade(engine, "0001") == "0001"
        _seed_0001(engine)
        assert upgrade(engine) == head_revision()
        with engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM login_sessions")).scalar_one() == 0
    finally:
        engine.dispose()
    clock.now = T0
    store = Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock, grader=FakeGrader())
    try:
        alice = store.user_by_id(1)
        manager = store.user_by_id(2)
        assert alice is not None and manager is not None
        ended = store.drill(alice.viewer, "endedendeD01")
        assert (ended.world_version, ended.world) == ("", {"scenario": "oldhash"})
        assert ended.drill_minutes == 30.0  # from the transcript's SessionStarted
        assert ended.end_minute is None
        running = store.drill(alice.viewer, "runningrun02")
        assert (running.world, running.drill_minutes) == ({"scenario": "oldhash"}, None)
        summary = store.drills_for(manager.viewer, status="ended")[0]
        assert summary.overall == 96.0 and summary.played.complete is None
        assert not summary.certifying  # completeness unknown: it never certifies
        # Re-scoring an old drill grades it up to its last known minute.
        store.rescore(manager.viewer, "endedendeD01")
        rescored = store.drill_scores(manager.viewer, "endedendeD01")
        assert rescored is not None and rescored.played.minutes_played == 6.5
        # A drill left running can still be ended (the desk resumes it).
        store.end_drill(alice.viewer, "runningrun02", 9.0)
    finally:
        store.close()


def test_downgrade_to_0001_and_up_again(db_url: URL) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        from alembic import command

        from store.migrate import alembic_config
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0001")
        assert current_revision(engine) == "0001"
        assert upgrade(engine) == head_revision()
    finally:
        engine.dispose()


@pytest.mark.parametrize("head", ["", "not json", '{"type": "ReplySent"}',
                                  '{"type": "SessionStarted", "duration_minutes": -3}'])
def test_duration_from_odd_transcripts_is_unknown(head: str) -> None:
    from importlib import import_module

    revision = import_module("store.migrations.versions.0002_trust")
    assert revision._duration(head) is None


def test_room_revision_0003_keeps_0002_drills_solo_and_downgrades(db_url: URL,
                                                                  clock: FakeClock) -> None:
    """Drills stored before rooms stay solo drills (room_id NULL, still resumable); down to
    0002 and up again works with rooms in the database."""
    engine = make_engine(db_url)
    try:
        assert upgrade(engine, "0001") == "0001"
        _seed_0001(engine)
        assert upgrade(engine, "0002") == "0002"
    finally:
        engine.dispose()
    store = Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock, grader=FakeGrader())
    try:
        alice = store.user_by_id(1)
        assert alice is not None
        running = store.running_drill_for(alice.viewer)
        assert running is not None and running.room_id is None
    finally:
        store.close()
    engine = make_engine(db_url)
    try:
        from alembic import command

        from store.migrate import alembic_config
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0002")
        assert current_revision(engine) == "0002"
        assert upgrade(engine) == head_revision()
    finally:
        engine.dispose()

"""Drills as they are played: start (with the world they are played on), clock, and the reads a
trainee's desk needs to resume after a refresh or a restart (the actions: ``action_log``;
ending and re-scoring through the grader: ``grading``)."""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.access import (
    checked_viewer,
    own_drill,
    readable_drill,
    scoped_drills,
)
from store.errors import DrillNotRunning, InvalidInput
from store.models import (
    MODES,
    DrillActionRow,
    DrillRow,
    TranscriptRow,
    UserRow,
)
from store.records import Drill, Mode, Status, Transcript, Viewer

#: numpy's SeedSequence wants a non-negative seed; the column is a signed 64-bit integer.
MAX_SEED = 2**63 - 1
#: The longest drill the store records: 7 days of simulated minutes (the scenario ceiling).
MAX_DRILL_MINUTES = 7 * 24 * 60.0
#: A world is a handful of components (scenario, banks, lexicons, engine, scorer...).
MAX_WORLD_COMPONENTS = 32


@dataclass(frozen=True, slots=True)
class NewDrill:
    """What ``start_drill`` records: enough to rebuild the world (scenario + hash + seed)."""

    scenario_id: str
    scenario_hash: str
    seed: int
    speed: float = 1.0
    mode: Mode = "practice"
    agent_name: str = ""
    initials: str = ""
    world_version: str = ""
    world: dict[str, str] | None = None
    drill_minutes: float | None = None

    def check(self) -> None:
        if not self.scenario_id or len(self.scenario_id) > 200:
            raise InvalidInput("a scenario id is 1-200 characters")
        if not self.scenario_hash or len(self.scenario_hash) > 128:
            raise InvalidInput("a scenario hash is 1-128 characters")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) \
                or not 0 <= self.seed <= MAX_SEED:
            raise InvalidInput(f"a seed is an integer in 0..{MAX_SEED}")
        if not math.isfinite(self.speed) or self.speed <= 0:
            raise InvalidInput("speed must be a positive number")
        if self.mode not in MODES:
            raise InvalidInput(f"mode is one of {', '.join(MODES)}")
        if len(self.agent_name) > 120 or len(self.initials) > 8:
            raise InvalidInput("a name is at most 120 characters and initials at most 8")
        if not isinstance(self.world_version, str) or len(self.world_version) > 64:
            raise InvalidInput("a world version is a string of at most 64 characters")
        check_world(self.world)
        if self.drill_minutes is not None and (
                isinstance(self.drill_minutes, bool)
                or not isinstance(self.drill_minutes, int | float)
                or not math.isfinite(self.drill_minutes)
                or not 0 < self.drill_minutes <= MAX_DRILL_MINUTES):
            raise InvalidInput(f"drill_minutes is a number in (0, {MAX_DRILL_MINUTES:g}]")

    def stored_world(self) -> dict[str, str]:
        """The world as recorded: what was given, else what is known (the scenario's hash)."""
        return dict(self.world) if self.world else {"scenario": self.scenario_hash}


def check_world(world: object) -> None:
    """A world is None or {component: hash}, both short strings."""
    if world is None:
        return
    if not isinstance(world, dict) or len(world) > MAX_WORLD_COMPONENTS or not all(
            isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 64 and len(v) <= 128
            for k, v in world.items()):
        raise InvalidInput(f"a world is at most {MAX_WORLD_COMPONENTS} components, each "
                           "{name: hash} of strings (names 1-64, hashes up to 128 characters)")


def to_drill(row: DrillRow, trainee: UserRow, last_action_minute: float | None = None) -> Drill:
    """The record; ``last_minute`` is where a resumed drill's clock restarts: the later of
    the last ``touch`` and the last stored action."""
    mode: Mode = row.mode  # type: ignore[assignment]  # CHECK constraints guarantee these
    status: Status = row.status  # type: ignore[assignment]
    return Drill(id=row.public_id, trainee_id=row.trainee_id, trainee_username=trainee.username,
                 team_id=trainee.team_id, scenario_id=row.scenario_id,
                 scenario_hash=row.scenario_hash, seed=row.seed, speed=row.speed, mode=mode,
                 status=status, started_at=row.started_at, ended_at=row.ended_at,
                 last_minute=max(row.last_minute, last_action_minute or 0.0),
                 agent_name=row.agent_name, initials=row.initials,
                 world_version=row.world_version, world=dict(row.world or {}),
                 drill_minutes=row.drill_minutes, end_minute=row.end_minute,
                 room_id=row.room_id)


def last_action_minutes(session: Session, drill_ids: Sequence[int]) -> dict[int, float]:
    """Drill id -> minute of its last action (minutes never go back, so the maximum)."""
    if not drill_ids:
        return {}
    rows = session.execute(select(DrillActionRow.drill_id, func.max(DrillActionRow.minute))
                           .where(DrillActionRow.drill_id.in_(drill_ids))
                           .group_by(DrillActionRow.drill_id))
    return {drill_id: minute for drill_id, minute in rows}


def with_resume_minute(session: Session, row: DrillRow, trainee: UserRow) -> Drill:
    return to_drill(row, trainee, last_action_minutes(session, [row.id]).get(row.id))


def start_drill(session: Session, viewer: Viewer, spec: NewDrill, now: datetime) -> Drill:
    """A new running drill played by the viewer."""
    trainee = checked_viewer(session, viewer)
    spec.check()
    row = DrillRow(public_id=secrets.token_urlsafe(9), trainee_id=trainee.id,
                   scenario_id=spec.scenario_id, scenario_hash=spec.scenario_hash,
                   seed=spec.seed, speed=float(spec.speed), mode=spec.mode, status="running",
                   started_at=now, ended_at=None, last_minute=0.0,
                   agent_name=spec.agent_name, initials=spec.initials,
                   world_version=spec.world_version, world=spec.stored_world(),
                   drill_minutes=None if spec.drill_minutes is None else float(
                       spec.drill_minutes), end_minute=None)
    session.add(row)
    session.flush()
    return to_drill(row, trainee)


def touch(session: Session, viewer: Viewer, drill_id: str, last_minute: float) -> Drill:
    """Record how far the drill's clock got (it never goes back)."""
    if not math.isfinite(last_minute) or not 0 <= last_minute <= MAX_DRILL_MINUTES:
        raise InvalidInput(f"last_minute is a number in [0, {MAX_DRILL_MINUTES:g}]")
    drill, trainee = own_drill(session, viewer, drill_id)
    if drill.status != "running":
        raise DrillNotRunning(f"drill {drill_id!r} has ended")
    if last_minute > drill.last_minute:
        drill.last_minute = float(last_minute)
    return with_resume_minute(session, drill, trainee)


def drill(session: Session, viewer: Viewer, drill_id: str) -> Drill:
    return with_resume_minute(session, *readable_drill(session, viewer, drill_id))


def transcript(session: Session, viewer: Viewer, drill_id: str) -> Transcript | None:
    """The ended drill's transcript (None while it runs)."""
    row, _ = readable_drill(session, viewer, drill_id)
    stored = session.scalar(select(TranscriptRow).where(TranscriptRow.drill_id == row.id))
    if stored is None:
        return None
    return Transcript(drill_id=row.public_id, events_jsonl=stored.events_jsonl,
                      event_count=stored.event_count, created_at=stored.created_at)


def running_drill_for(session: Session, viewer: Viewer) -> Drill | None:
    """The viewer's most recently started solo drill that is still running (to resume it)."""
    checked_viewer(session, viewer)
    row = session.execute(
        select(DrillRow, UserRow).join(UserRow, DrillRow.trainee_id == UserRow.id)
        .where(DrillRow.trainee_id == viewer.user_id, DrillRow.status == "running",
               DrillRow.room_id.is_(None))  # a room's seat resumes through its room
        .order_by(DrillRow.started_at.desc(), DrillRow.id.desc()).limit(1)).one_or_none()
    return None if row is None else with_resume_minute(session, row[0], row[1])


@dataclass(frozen=True, slots=True)
class DrillFilter:
    """Optional filters of ``drills_for`` (all combine with AND)."""

    trainee_id: int | None = None
    scenario_id: str | None = None
    status: Status | None = None
    mode: Mode | None = None
    limit: int = 200
    offset: int = 0


def drill_rows(session: Session, viewer: Viewer, where: DrillFilter
               ) -> list[tuple[DrillRow, UserRow]]:
    """Visible drills, newest first."""
    checked_viewer(session, viewer)
    query = scoped_drills(viewer)
    if where.trainee_id is not None:
        query = query.where(DrillRow.trainee_id == where.trainee_id)
    if where.scenario_id is not None:
        query = query.where(DrillRow.scenario_id == where.scenario_id)
    if where.status is not None:
        query = query.where(DrillRow.status == where.status)
    if where.mode is not None:
        query = query.where(DrillRow.mode == where.mode)
    query = (query.order_by(DrillRow.started_at.desc(), DrillRow.id.desc())
             .limit(max(0, min(where.limit, 10_000))).offset(max(0, where.offset)))
    return [(d, u) for d, u in session.execute(query)]


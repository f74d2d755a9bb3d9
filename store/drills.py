"""Drills as they are played: start, clock, end with transcript and scorecard, and the reads a
trainee's desk needs to resume after a refresh or a restart (the actions: ``action_log``)."""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.records import Event
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
    ScorecardRow,
    TranscriptRow,
    UserRow,
)
from store.records import Drill, Mode, ScorecardRecord, Status, Transcript, Viewer
from store.scorecards import (
    ScorecardInput,
    card_dict,
    check_card_matches,
    insert_scorecard,
    to_record,
)

#: numpy's SeedSequence wants a non-negative seed; the column is a signed 64-bit integer.
MAX_SEED = 2**63 - 1


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
                 agent_name=row.agent_name, initials=row.initials)


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
                   agent_name=spec.agent_name, initials=spec.initials)
    session.add(row)
    session.flush()
    return to_drill(row, trainee)


def touch(session: Session, viewer: Viewer, drill_id: str, last_minute: float) -> Drill:
    """Record how far the drill's clock got (it never goes back)."""
    if not math.isfinite(last_minute) or last_minute < 0:
        raise InvalidInput("last_minute is a finite number >= 0")
    drill, trainee = own_drill(session, viewer, drill_id)
    if drill.status != "running":
        raise DrillNotRunning(f"drill {drill_id!r} has ended")
    if last_minute > drill.last_minute:
        drill.last_minute = float(last_minute)
    return with_resume_minute(session, drill, trainee)


def transcript_text(transcript: str | Sequence[Event]) -> tuple[str, list[dict[str, Any]]]:
    """JSON-lines text (one event per line) and the parsed events, checked."""
    text = transcript if isinstance(transcript, str) else "\n".join(
        e.to_json() for e in transcript)
    events: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise InvalidInput(f"transcript line {number} is not JSON: {exc}") from exc
        if not isinstance(event, dict) or "type" not in event:
            raise InvalidInput(f"transcript line {number} is not an event (no 'type')")
        events.append(event)
    return text, events


def _check_transcript_matches(events: list[dict[str, Any]], drill: DrillRow) -> None:
    started = events[0] if events and events[0].get("type") == "SessionStarted" else None
    if started is None:
        return
    for key, expected in (("scenario_id", drill.scenario_id), ("seed", drill.seed),
                          ("scenario_hash", drill.scenario_hash)):
        if key in started and started[key] != expected:
            raise InvalidInput(f"the transcript's {key} {started[key]!r} is not the drill's "
                               f"{expected!r}")


def end_drill(session: Session, viewer: Viewer, drill_id: str,
              result: tuple[str | Sequence[Event], ScorecardInput], now: datetime
              ) -> ScorecardRecord:
    """End a running drill with its transcript and first scorecard (idempotent on retry)."""
    drill, _ = own_drill(session, viewer, drill_id)
    text, events = transcript_text(result[0])
    card = card_dict(result[1])
    if drill.status == "ended":
        return _repeated_end(session, drill, text)
    _check_transcript_matches(events, drill)
    check_card_matches(card, drill)
    session.add(TranscriptRow(drill_id=drill.id, events_jsonl=text, event_count=len(events),
                              created_at=now))
    row = insert_scorecard(session, drill, card, now, created_by=viewer.user_id)
    drill.status, drill.ended_at = "ended", now
    session.flush()
    return to_record(row, drill.public_id)


def _repeated_end(session: Session, drill: DrillRow, text: str) -> ScorecardRecord:
    stored = session.scalar(select(TranscriptRow.events_jsonl)
                            .where(TranscriptRow.drill_id == drill.id))
    if stored != text:
        raise DrillNotRunning(f"drill {drill.public_id!r} already ended with another transcript")
    first = session.scalars(select(ScorecardRow).where(ScorecardRow.drill_id == drill.id)
                            .order_by(ScorecardRow.id).limit(1)).one()
    return to_record(first, drill.public_id)


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
    """The viewer's most recently started drill that is still running (to resume it)."""
    checked_viewer(session, viewer)
    row = session.execute(
        select(DrillRow, UserRow).join(UserRow, DrillRow.trainee_id == UserRow.id)
        .where(DrillRow.trainee_id == viewer.user_id, DrillRow.status == "running")
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


"""Ending and re-scoring drills: the store grades what it holds, never what a caller claims.

``end_drill`` and ``rescore`` run in three steps: read the drill and its stored actions (a read
transaction), ask the injected ``DrillGrader`` to replay scenario + seed + those actions to the
end minute and score the transcript (no transaction, no write lock: grading may take seconds,
an LLM judge longer), then write the result in a write transaction that re-checks nothing moved
meanwhile (the drill still running, or still ended, and the same number of actions).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.records import Event
from store.access import own_drill, reviewable_drill
from store.action_log import actions
from store.drills import MAX_DRILL_MINUTES, with_resume_minute
from store.errors import Conflict, DrillNotRunning, InvalidInput, StoreError
from store.models import DrillActionRow, DrillRow, ScorecardRow, TranscriptRow
from store.records import Drill, ScorecardRecord, StoredAction, Viewer
from store.scorecards import (
    ScorecardInput,
    card_dict,
    check_card_matches,
    insert_scorecard,
    to_record,
)

NO_GRADER = ("no grader configured: build the store with Store(engine, grader=...) or "
             "Store.open(url, grader=...) to end or re-score drills")


class DrillGrader(Protocol):
    """Supplied by the application layer: replay ``drill`` (scenario, seed, world) with
    ``actions`` at their minutes up to ``end_minute``, and score the transcript.

    Returns the transcript (events, or JSON lines) and the scorecard (``Scorecard`` or its
    dict). Called outside any transaction; an exception leaves the drill as it was.
    """

    def grade(self, drill: Drill, actions: list[StoredAction], end_minute: float
              ) -> tuple[Sequence[Event] | str, ScorecardInput]: ...


@dataclass(frozen=True, slots=True)
class GradingJob:
    """What the read step found: the drill, its actions and the minute to grade up to."""

    drill: Drill
    actions: list[StoredAction]
    end_minute: float


def check_end_minute(end_minute: float) -> float:
    if isinstance(end_minute, bool) or not isinstance(end_minute, int | float) \
            or not math.isfinite(end_minute) or not 0 <= end_minute <= MAX_DRILL_MINUTES:
        raise InvalidInput(f"end_minute is a number in [0, {MAX_DRILL_MINUTES:g}]")
    return float(end_minute)


# ------------------------------------------------------------------------------- ending
def prepare_end(session: Session, viewer: Viewer, drill_id: str, end_minute: float
                ) -> GradingJob | ScorecardRecord:
    """The job for ending the viewer's own running drill at ``end_minute``; the first
    scorecard when it already ended at that minute (a retried end); else ``DrillNotRunning``."""
    minute = check_end_minute(end_minute)
    row, trainee = own_drill(session, viewer, drill_id, lock=False)
    if row.room_id is not None:
        raise Conflict(f"drill {drill_id!r} is a seat in room {row.room_id!r}: the room's lead "
                       "ends it for the whole team")
    if row.status == "ended":
        return _repeated_end(session, row, minute)
    stored = actions(session, viewer, drill_id)
    if stored and minute < stored[-1].minute:
        raise InvalidInput(f"end_minute {minute:g} is before the last action's minute "
                           f"{stored[-1].minute:g}")
    return GradingJob(with_resume_minute(session, row, trainee), stored, minute)


def record_end(session: Session, viewer: Viewer, job: GradingJob,
               graded: tuple[Sequence[Event] | str, ScorecardInput], now: datetime
               ) -> ScorecardRecord:
    """Store the transcript and first scorecard and end the drill, if nothing moved since."""
    row, _ = own_drill(session, viewer, job.drill.id)  # row-locked on PostgreSQL
    if row.status == "ended":  # a concurrent end won the race
        return _repeated_end(session, row, job.end_minute)
    _check_unchanged(session, row, job)
    text, events = transcript_text(graded[0])
    card = card_dict(graded[1])
    _check_transcript_matches(events, row)
    check_card_matches(card, row)
    session.add(TranscriptRow(drill_id=row.id, events_jsonl=text, event_count=len(events),
                              created_at=now))
    scored = insert_scorecard(session, row, card, now, created_by=viewer.user_id)
    row.status, row.ended_at, row.end_minute = "ended", now, job.end_minute
    row.last_minute = max(row.last_minute, job.end_minute)
    session.flush()
    return to_record(scored, row.public_id)


def _repeated_end(session: Session, row: DrillRow, minute: float) -> ScorecardRecord:
    """A retry of the end that happened (same minute) gets its scorecard; anything else is
    refused (the end minute of drills ended before revision 0002 is unknown: refused too)."""
    if row.end_minute != minute:
        ended = "" if row.end_minute is None else f" at minute {row.end_minute:g}"
        raise DrillNotRunning(f"drill {row.public_id!r} already ended{ended}")
    first = session.scalars(select(ScorecardRow).where(ScorecardRow.drill_id == row.id)
                            .order_by(ScorecardRow.id).limit(1)).one()
    return to_record(first, row.public_id)


# ----------------------------------------------------------------------------- re-scoring
def prepare_rescore(session: Session, viewer: Viewer, drill_id: str) -> GradingJob:
    """The job for re-scoring an ended drill (a manager of its team, or an admin)."""
    row, trainee = reviewable_drill(session, viewer, drill_id)
    if row.status != "ended":
        raise DrillNotRunning(f"drill {drill_id!r} is still running; score it when it ends")
    drill = with_resume_minute(session, row, trainee)
    # Drills ended before revision 0002 have no end minute: their last known minute.
    end = row.end_minute if row.end_minute is not None else drill.last_minute
    return GradingJob(drill, actions(session, viewer, drill_id), end)


def record_rescore(session: Session, viewer: Viewer, job: GradingJob,
                   graded: tuple[Sequence[Event] | str, ScorecardInput], now: datetime
                   ) -> ScorecardRecord:
    """Add the new scorecard (older ones stay; the transcript stored at the end stays)."""
    row, _ = reviewable_drill(session, viewer, job.drill.id)
    _check_unchanged(session, row, job)
    _check_transcript_matches(transcript_text(graded[0])[1], row)  # the grader's bug: refuse
    card = card_dict(graded[1])
    check_card_matches(card, row)
    return to_record(insert_scorecard(session, row, card, now, viewer.user_id), row.public_id)


def _check_unchanged(session: Session, row: DrillRow, job: GradingJob) -> None:
    if (row.status == "running") != (job.drill.status == "running"):
        raise Conflict(f"drill {row.public_id!r} changed while it was graded; try again")
    count = session.scalar(select(func.count()).select_from(DrillActionRow)
                           .where(DrillActionRow.drill_id == row.id))
    if count != len(job.actions):
        raise Conflict(f"drill {row.public_id!r} got new actions while it was graded "
                       f"({len(job.actions)} graded, {count} stored); end it again")


def require(grader: DrillGrader | None) -> DrillGrader:
    if grader is None:
        raise StoreError(NO_GRADER)
    return grader


# ----------------------------------------------------------------------------- transcripts
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
    """The replay is of this drill's scenario and seed. Its scenario hash may differ: a drill
    whose world changed since it started is still ended and re-scored (the card says so)."""
    started = events[0] if events and events[0].get("type") == "SessionStarted" else None
    if started is None:
        return
    for key, expected in (("scenario_id", drill.scenario_id), ("seed", drill.seed)):
        if key in started and started[key] != expected:
            raise InvalidInput(f"the transcript's {key} {started[key]!r} is not the drill's "
                               f"{expected!r}")

"""Ending and re-scoring rooms: the store grades the log it holds, never what a caller claims.

As for drills (``store.grading``), in three steps: read the room, its roster and its whole log
(a read transaction); ask the injected ``RoomGrader`` to replay scenario + seed + the log to the
end minute and score the team and every member who joined (no transaction, no lock: grading a
team takes seconds); then write, re-checking that nothing moved (still running, the same last
entry, the same members seated). Each seated member's own drill is ended with their transcript
and scorecard in the same transaction, so it shows in their history; the room keeps the whole
transcript and the team's result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.records import Event
from store.errors import Conflict, InvalidInput, RoomNotRunning, StoreError
from store.grading import check_end_minute, transcript_text
from store.models import (
    DrillRow,
    RoomMemberRow,
    RoomResultRow,
    RoomRow,
    RoomTranscriptRow,
    TranscriptRow,
)
from store.notify import notify_room
from store.records import ScorecardRecord, Viewer
from store.room_access import led_room, readable_room
from store.room_log import entries
from store.room_records import Room, RoomEntry, RoomMember, RoomResult, RoomTranscript
from store.rooms import member_records, to_result
from store.scorecards import ScorecardInput, card_dict, insert_scorecard, to_record

NO_ROOM_GRADER = ("no room grader configured: build the store with Store(..., room_grader=...) "
                  "or attach one (stormdesk.rooms does) to end or re-score rooms")

Graded = tuple[Sequence[Event] | str, ScorecardInput]


@dataclass(frozen=True)
class RoomGraded:
    """What a room grader returns: the team's transcript and card, and per seated member
    (by user id) their own transcript and card."""

    transcript: Sequence[Event] | str
    card: ScorecardInput
    seats: Mapping[int, Graded] = field(default_factory=dict)


class RoomGrader(Protocol):
    """Supplied by the application layer (``stormdesk.room_grading``): replay the room's log
    (its actions at their minutes) up to ``end_minute``, score the team and each seated member.
    Called outside any transaction; an exception leaves the room as it was."""

    def grade_room(self, room: Room, members: list[RoomMember], log: list[RoomEntry],
                   end_minute: float) -> RoomGraded: ...


@dataclass(frozen=True, slots=True)
class RoomJob:
    room: Room
    members: list[RoomMember]
    log: list[RoomEntry]
    end_minute: float

    @property
    def seated(self) -> list[RoomMember]:
        return [m for m in self.members if m.drill_id is not None]


def require(grader: RoomGrader | None) -> RoomGrader:
    if grader is None:
        raise StoreError(NO_ROOM_GRADER)
    return grader


# ------------------------------------------------------------------------------- ending
def prepare_end(session: Session, viewer: Viewer, room_id: str,
                end_minute: float) -> RoomJob | RoomResult:
    """The job for ending a running room at ``end_minute``; its first result when it already
    ended at that minute (a retried end); else ``RoomNotRunning``."""
    minute = check_end_minute(end_minute)
    row = led_room(session, viewer, room_id)
    if row.status == "ended":
        return _repeated_end(session, row, minute)
    if minute > row.drill_minutes + 1e-9:
        raise InvalidInput(f"end_minute {minute:g} is after the scenario's end "
                           f"({row.drill_minutes:g})")
    room, log = entries(session, viewer, room_id)
    if minute < room.last_minute:
        raise InvalidInput(f"end_minute {minute:g} is before the last entry's minute "
                           f"{room.last_minute:g}")
    return RoomJob(room, member_records(session, row), log, minute)


def record_end(session: Session, viewer: Viewer, job: RoomJob, graded: RoomGraded,
               now: datetime) -> RoomResult:
    """Store the room's transcript and team result, end every seat's drill with its own
    transcript and card, and end the room, if nothing moved since the read."""
    row = led_room(session, viewer, job.room.id, lock=True)
    if row.status == "ended":  # a concurrent end won the race
        return _repeated_end(session, row, job.end_minute)
    _check_unchanged(session, row, job)
    text, events = transcript_text(graded.transcript)
    _check_events(events, row)
    team = _team_card(graded.card, row)
    seats = _seat_cards(session, row, job, graded)
    session.add(RoomTranscriptRow(room_id=row.id, events_jsonl=text, event_count=len(events),
                                  created_at=now))
    result = RoomResultRow(room_id=row.id, scorer_version=str(team["scorer_version"])[:64],
                           overall=_overall(team), card=team, created_at=now,
                           created_by=viewer.user_id)
    session.add(result)
    for drill, (seat_text, seat_events, card) in seats:
        session.add(TranscriptRow(drill_id=drill.id, events_jsonl=seat_text,
                                  event_count=len(seat_events), created_at=now))
        insert_scorecard(session, drill, card, now, created_by=viewer.user_id)
        drill.status, drill.ended_at, drill.end_minute = "ended", now, job.end_minute
        drill.last_minute = max(drill.last_minute, job.end_minute)
    row.status, row.ended_at, row.end_minute = "ended", now, job.end_minute
    session.flush()
    notify_room(session, row.public_id, row.last_seq)
    return to_result(result, row.public_id)


def _repeated_end(session: Session, row: RoomRow, minute: float) -> RoomResult:
    if row.end_minute != minute:
        raise RoomNotRunning(f"room {row.public_id!r} already ended at minute "
                             f"{row.end_minute:g}")
    first = session.scalars(select(RoomResultRow).where(RoomResultRow.room_id == row.id)
                            .order_by(RoomResultRow.id).limit(1)).one()
    return to_result(first, row.public_id)


def _check_unchanged(session: Session, row: RoomRow, job: RoomJob) -> None:
    seated = session.scalar(select(func.count()).select_from(RoomMemberRow).where(
        RoomMemberRow.room_id == row.id, RoomMemberRow.drill_id.is_not(None)))
    if row.last_seq != job.room.last_seq or seated != len(job.seated):
        raise Conflict(f"room {row.public_id!r} moved on while it was graded; end it again")


def _check_events(events: list[dict[str, object]], room: RoomRow) -> None:
    started = events[0] if events and events[0].get("type") == "SessionStarted" else None
    if started is None:
        raise InvalidInput("a room's transcript starts with SessionStarted")
    for key, expected in (("scenario_id", room.scenario_id), ("seed", room.seed)):
        if started.get(key) != expected:
            raise InvalidInput(f"the transcript's {key} {started.get(key)!r} is not the room's "
                               f"{expected!r}")


def _team_card(card: ScorecardInput, room: RoomRow) -> dict[str, object]:
    checked = card_dict(card)
    for key, expected in (("scenario_id", room.scenario_id), ("seed", room.seed),
                          ("mode", room.mode)):
        if checked.get(key) is not None and checked[key] != expected:
            raise InvalidInput(f"the team card's {key} {checked[key]!r} is not the room's "
                               f"{expected!r}")
    return checked


def _overall(card: Mapping[str, object]) -> float | None:
    overall = card.get("overall")
    return float(overall) if isinstance(overall, int | float) else None


SeatCard = tuple[DrillRow, tuple[str, list[dict[str, object]], dict[str, object]]]


def _seat_cards(session: Session, room: RoomRow, job: RoomJob,
                graded: RoomGraded) -> list[SeatCard]:
    """Each seated member's drill with their checked transcript and card (every seat needs
    one: a grader that forgot somebody is refused)."""
    out: list[SeatCard] = []
    for member in job.seated:
        if member.user_id not in graded.seats:
            raise InvalidInput(f"the grader left out {member.agent!r}")
        seat_transcript, seat_card = graded.seats[member.user_id]
        drill = session.scalars(select(DrillRow).where(
            DrillRow.public_id == member.drill_id).with_for_update()).one()
        text, events = transcript_text(seat_transcript)
        _check_events(events, room)
        out.append((drill, (text, events, _team_card(seat_card, room))))
    return out


# ----------------------------------------------------------------------------- re-scoring
def prepare_rescore(session: Session, viewer: Viewer, room_id: str) -> RoomJob:
    row = led_room(session, viewer, room_id)
    if row.status != "ended" or row.end_minute is None:
        raise RoomNotRunning(f"room {room_id!r} is still running; score it when it ends")
    room, log = entries(session, viewer, room_id)
    return RoomJob(room, member_records(session, row), log, row.end_minute)


def record_rescore(session: Session, viewer: Viewer, job: RoomJob, graded: RoomGraded,
                   now: datetime, only_user: int | None = None
                   ) -> tuple[RoomResult | None, dict[int, ScorecardRecord]]:
    """Add a team result and a scorecard per seat (older ones stay; so do the transcripts).
    ``only_user``: re-score one member's drill only (a manager re-scoring that drill)."""
    row = led_room(session, viewer, job.room.id, lock=True)
    _check_events(transcript_text(graded.transcript)[1], row)
    seats = _seat_cards(session, row, job, graded)
    added: dict[int, ScorecardRecord] = {}
    for member, (drill, (_, _, card)) in zip(job.seated, seats, strict=True):
        if only_user is None or member.user_id == only_user:
            stored = insert_scorecard(session, drill, card, now, created_by=viewer.user_id)
            added[member.user_id] = to_record(stored, drill.public_id)
    if only_user is not None:
        return None, added
    team = _team_card(graded.card, row)
    result = RoomResultRow(room_id=row.id, scorer_version=str(team["scorer_version"])[:64],
                           overall=_overall(team), card=team, created_at=now,
                           created_by=viewer.user_id)
    session.add(result)
    session.flush()
    return to_result(result, row.public_id), added


def result(session: Session, viewer: Viewer, room_id: str) -> RoomResult | None:
    """The room's current (newest) team result; None while it runs."""
    row = readable_room(session, viewer, room_id)
    newest = session.scalars(select(RoomResultRow).where(RoomResultRow.room_id == row.id)
                             .order_by(RoomResultRow.id.desc()).limit(1)).one_or_none()
    return None if newest is None else to_result(newest, row.public_id)


def transcript(session: Session, viewer: Viewer, room_id: str) -> RoomTranscript | None:
    """The ended room's whole transcript (None while it runs)."""
    row = readable_room(session, viewer, room_id)
    stored = session.scalars(select(RoomTranscriptRow).where(
        RoomTranscriptRow.room_id == row.id)).one_or_none()
    if stored is None:
        return None
    return RoomTranscript(room_id=row.public_id, events_jsonl=stored.events_jsonl,
                          event_count=stored.event_count, created_at=stored.created_at)

"""Crisis rooms as the store keeps them: opening one (roster, how each member signs, the clock
waiting at minute 0), joining (a member's own drill, for their history), the auto-assignment
switch, presence, and the reads lists and boards need. The ordered log is ``room_log``; ending
and re-scoring through the injected grader is ``room_grading``."""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.access import checked_viewer
from store.drills import MAX_DRILL_MINUTES, MAX_SEED, check_world
from store.errors import AccessDenied, InvalidInput, RoomNotRunning
from store.models import (
    MODES,
    DrillRow,
    RoomMemberRow,
    RoomPresenceRow,
    RoomResultRow,
    RoomRow,
    UserRow,
)
from store.notify import notify_room
from store.records import Mode, Status, Viewer
from store.room_access import (
    lead_username,
    led_room,
    member_row,
    readable_room,
    room_scope,
    seat,
)
from store.room_records import (
    DUTIES,
    Presence,
    Room,
    RoomClock,
    RoomMember,
    RoomResult,
    RoomSummary,
    RosterPick,
)

#: A room's roster: a support floor's shift, not a conference.
MAX_MEMBERS = 50
#: Clock speeds a lead may set (x real time); the desk offers 1-60x.
MAX_SPEED = 600.0
#: How a member's agent code is spelled: letters and digits, at most 8 (the signature ``^DR``).
_AGENT_CHARS = re.compile(r"[^0-9A-Za-z\uac00-\ud7a3]")


@dataclass(frozen=True, slots=True)
class NewRoom:
    """What ``open_room`` records: the flood (scenario + hash + seed), its world and length,
    the mode and starting speed, and the roster."""

    title: str
    scenario_id: str
    scenario_hash: str
    seed: int
    drill_minutes: float
    roster: tuple[RosterPick, ...]
    speed: float = 10.0
    mode: Mode = "practice"
    world_version: str = ""
    world: dict[str, str] | None = None
    #: the team (admins must say; a manager's room is their own team's)
    team_id: int | None = None

    def check(self) -> None:
        if len(self.title) > 200:
            raise InvalidInput("a room's title is at most 200 characters")
        if not self.scenario_id or len(self.scenario_id) > 200:
            raise InvalidInput("a scenario id is 1-200 characters")
        if not self.scenario_hash or len(self.scenario_hash) > 128:
            raise InvalidInput("a scenario hash is 1-128 characters")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) \
                or not 0 <= self.seed <= MAX_SEED:
            raise InvalidInput(f"a seed is an integer in 0..{MAX_SEED}")
        check_speed(self.speed)
        if self.mode not in MODES:
            raise InvalidInput(f"mode is one of {', '.join(MODES)}")
        if isinstance(self.drill_minutes, bool) or not isinstance(self.drill_minutes, int | float) \
                or not math.isfinite(self.drill_minutes) \
                or not 0 < self.drill_minutes <= MAX_DRILL_MINUTES:
            raise InvalidInput(f"drill_minutes is a number in (0, {MAX_DRILL_MINUTES:g}]")
        if not isinstance(self.world_version, str) or len(self.world_version) > 64:
            raise InvalidInput("a world version is a string of at most 64 characters")
        check_world(self.world)
        if not 1 <= len(self.roster) <= MAX_MEMBERS:
            raise InvalidInput(f"a roster has 1-{MAX_MEMBERS} trainees")
        if len({p.user_id for p in self.roster}) != len(self.roster):
            raise InvalidInput("a trainee is on the roster twice")
        for pick in self.roster:
            if pick.duty not in DUTIES:
                raise InvalidInput(f"a duty is one of {', '.join(repr(d) for d in DUTIES)}")


def check_speed(speed: float) -> float:
    if isinstance(speed, bool) or not isinstance(speed, int | float) \
            or not math.isfinite(speed) or not 0 < speed <= MAX_SPEED:
        raise InvalidInput(f"speed is a number in (0, {MAX_SPEED:g}]")
    return float(speed)


def agent_code(display_name: str, username: str, taken: set[str]) -> str:
    """Initials from the display name ("Dana Reyes" -> "DR"; "김민지" -> "김민"), else from the
    username; a digit is added when the room already has them ("DR2")."""
    words = [w for w in (_AGENT_CHARS.sub("", w) for w in display_name.split()) if w]
    if len(words) >= 2:
        base = (words[0][0] + words[1][0]).upper()
    elif words:
        base = words[0][:2].upper()
    else:
        base = _AGENT_CHARS.sub("", username)[:2].upper() or "AG"
    code, n = base, 1
    while code.casefold() in taken or code.casefold() in ("auto", "lead"):
        n += 1
        code = f"{base}{n}"
    taken.add(code.casefold())
    return code


# ------------------------------------------------------------------------------- records
def to_room(row: RoomRow, lead: str) -> Room:
    mode: Mode = row.mode  # type: ignore[assignment]  # CHECK constraints guarantee these
    status: Status = row.status  # type: ignore[assignment]
    return Room(id=row.public_id, title=row.title, team_id=row.team_id, lead_id=row.lead_id,
                lead_username=lead, scenario_id=row.scenario_id,
                scenario_hash=row.scenario_hash, seed=row.seed, mode=mode, status=status,
                world_version=row.world_version, world=dict(row.world or {}),
                drill_minutes=row.drill_minutes, created_at=row.created_at,
                ended_at=row.ended_at, end_minute=row.end_minute, auto_assign=row.auto_assign,
                last_seq=row.last_seq, last_minute=row.last_minute,
                clock=RoomClock(at=row.clock_at, minute=row.clock_minute, speed=row.clock_speed,
                                paused=row.clock_paused, length=row.drill_minutes))


def room_record(session: Session, row: RoomRow) -> Room:
    return to_room(row, lead_username(session, row))


def to_member(row: RoomMemberRow, username: str, drill_public_id: str | None) -> RoomMember:
    return RoomMember(user_id=row.user_id, username=username, display_name=row.display_name,
                      agent=row.agent, duty=row.duty, joined_at=row.joined_at,
                      drill_id=drill_public_id)


def member_records(session: Session, room: RoomRow) -> list[RoomMember]:
    rows = session.execute(
        select(RoomMemberRow, UserRow.username, DrillRow.public_id)
        .join(UserRow, RoomMemberRow.user_id == UserRow.id)
        .outerjoin(DrillRow, RoomMemberRow.drill_id == DrillRow.id)
        .where(RoomMemberRow.room_id == room.id).order_by(RoomMemberRow.id))
    return [to_member(m, username, drill) for m, username, drill in rows]


def to_result(row: RoomResultRow, room_id: str) -> RoomResult:
    return RoomResult(id=row.id, room_id=room_id, scorer_version=row.scorer_version,
                      overall=row.overall, card=row.card, created_at=row.created_at)


# ------------------------------------------------------------------------------- opening
def open_room(session: Session, viewer: Viewer, spec: NewRoom, now: datetime) -> Room:
    """A new room led by the viewer (a manager for their own team, or an admin for the team
    named), waiting paused at minute 0 until its lead starts the clock."""
    lead = checked_viewer(session, viewer)
    if lead.role not in ("manager", "admin"):
        raise AccessDenied("only managers and admins open rooms")
    spec.check()
    team_id = spec.team_id if lead.role == "admin" else lead.team_id
    if team_id is None or (lead.role == "manager" and spec.team_id not in (None, team_id)):
        raise AccessDenied("a manager opens rooms for their own team")
    users = {u.id: u for u in session.scalars(
        select(UserRow).where(UserRow.id.in_([p.user_id for p in spec.roster])))}
    for pick in spec.roster:
        user = users.get(pick.user_id)
        if user is None or not user.is_active or user.role != "trainee" \
                or user.team_id != team_id:
            raise InvalidInput(f"user {pick.user_id} is not an active trainee of this team")
    row = RoomRow(public_id=secrets.token_urlsafe(9), title=spec.title.strip(), team_id=team_id,
                  lead_id=lead.id, scenario_id=spec.scenario_id,
                  scenario_hash=spec.scenario_hash, seed=spec.seed, mode=spec.mode,
                  status="running", world_version=spec.world_version,
                  world=dict(spec.world) if spec.world else {"scenario": spec.scenario_hash},
                  drill_minutes=float(spec.drill_minutes), created_at=now, ended_at=None,
                  end_minute=None, auto_assign=False, last_seq=-1, last_minute=0.0,
                  clock_at=now, clock_minute=0.0, clock_speed=float(spec.speed),
                  clock_paused=True)
    session.add(row)
    session.flush()
    taken: set[str] = set()
    for pick in spec.roster:
        user = users[pick.user_id]
        name = user.display_name or user.username
        session.add(RoomMemberRow(room_id=row.id, user_id=user.id, display_name=name,
                                  agent=agent_code(name, user.username, taken), duty=pick.duty,
                                  joined_at=None, drill_id=None))
    session.flush()
    return to_room(row, lead.username)


def join_room(session: Session, viewer: Viewer, room_id: str, now: datetime) -> RoomMember:
    """The viewer takes their seat: the first time, their own drill of this room is created
    (it holds their scorecard and shows in their history); later joins change nothing."""
    room, member = seat(session, viewer, room_id, lock=True)
    if member.drill_id is None:
        if room.status != "running":
            raise RoomNotRunning(f"room {room_id!r} has ended")
        drill = DrillRow(public_id=secrets.token_urlsafe(9), trainee_id=viewer.user_id,
                         scenario_id=room.scenario_id, scenario_hash=room.scenario_hash,
                         seed=room.seed, speed=room.clock_speed, mode=room.mode,
                         status="running", started_at=now, ended_at=None,
                         last_minute=room.last_minute, agent_name=member.display_name,
                         initials=member.agent, world_version=room.world_version,
                         world=dict(room.world), drill_minutes=room.drill_minutes,
                         end_minute=None, room_id=room.public_id)
        session.add(drill)
        session.flush()
        member.drill_id = drill.id
        member.joined_at = now
        session.flush()
    return next(m for m in member_records(session, room) if m.user_id == viewer.user_id)


def set_auto_assign(session: Session, viewer: Viewer, room_id: str, on: bool) -> Room:
    room = led_room(session, viewer, room_id, lock=True)
    if room.status != "running":
        raise RoomNotRunning(f"room {room_id!r} has ended")
    room.auto_assign = bool(on)
    session.flush()
    notify_room(session, room.public_id, room.last_seq)
    return room_record(session, room)


# ------------------------------------------------------------------------------- presence
def set_presence(session: Session, viewer: Viewer, room_id: str, thread_id: str | None,
                 typing: bool, now: datetime) -> None:
    """Where the viewer is in the room now (a thread open, or none), overwritten each time."""
    if thread_id is not None and (not isinstance(thread_id, str) or len(thread_id) > 64):
        raise InvalidInput("a thread id is a string of at most 64 characters")
    room, _ = seat(session, viewer, room_id)
    row = session.get(RoomPresenceRow, (room.id, viewer.user_id))
    if row is None:
        session.add(RoomPresenceRow(room_id=room.id, user_id=viewer.user_id, thread_id=thread_id,
                                    typing=bool(typing and thread_id), updated_at=now))
    else:
        row.thread_id, row.typing, row.updated_at = thread_id, bool(typing and thread_id), now
    session.flush()


def presence(session: Session, viewer: Viewer, room_id: str, now: datetime,
             fresh_seconds: float) -> list[Presence]:
    """Who was in the room within the last ``fresh_seconds`` (a closed tab fades out)."""
    room = readable_room(session, viewer, room_id)
    since = now - timedelta(seconds=fresh_seconds)
    rows = session.execute(
        select(RoomPresenceRow, RoomMemberRow.agent, RoomMemberRow.display_name)
        .join(RoomMemberRow, (RoomMemberRow.room_id == RoomPresenceRow.room_id)
              & (RoomMemberRow.user_id == RoomPresenceRow.user_id))
        .where(RoomPresenceRow.room_id == room.id, RoomPresenceRow.updated_at >= since)
        .order_by(RoomMemberRow.id))
    return [Presence(user_id=p.user_id, agent=agent, display_name=name, thread_id=p.thread_id,
                     typing=p.typing, updated_at=p.updated_at) for p, agent, name in rows]


# ---------------------------------------------------------------------------------- reads
def room(session: Session, viewer: Viewer, room_id: str) -> Room:
    return room_record(session, readable_room(session, viewer, room_id))


def members(session: Session, viewer: Viewer, room_id: str) -> list[RoomMember]:
    return member_records(session, readable_room(session, viewer, room_id))


def my_member(session: Session, viewer: Viewer, room_id: str) -> RoomMember | None:
    room = readable_room(session, viewer, room_id)
    row = member_row(session, room, viewer.user_id)
    if row is None:
        return None
    return next(m for m in member_records(session, room) if m.user_id == viewer.user_id)


@dataclass(frozen=True, slots=True)
class RoomFilter:
    status: Status | None = None
    scenario_id: str | None = None
    seed: int | None = None
    team_id: int | None = None
    limit: int = 100


def summaries(session: Session, viewer: Viewer, where: RoomFilter) -> list[RoomSummary]:
    """Visible rooms, newest first, with roster counts and their current team result."""
    checked_viewer(session, viewer)
    query = select(RoomRow).where(room_scope(viewer))
    if where.status is not None:
        query = query.where(RoomRow.status == where.status)
    if where.scenario_id is not None:
        query = query.where(RoomRow.scenario_id == where.scenario_id)
    if where.seed is not None:
        query = query.where(RoomRow.seed == where.seed)
    if where.team_id is not None:
        query = query.where(RoomRow.team_id == where.team_id)
    rows = list(session.scalars(query.order_by(RoomRow.created_at.desc(), RoomRow.id.desc())
                                .limit(max(0, min(where.limit, 1000)))))
    ids = [r.id for r in rows]
    counts = _member_counts(session, ids)
    results = current_results(session, ids)
    leads = dict(session.execute(select(UserRow.id, UserRow.username)
                                 .where(UserRow.id.in_({r.lead_id for r in rows}))).all())
    return [RoomSummary(room=to_room(r, leads.get(r.lead_id, "")),
                        members=counts.get(r.id, (0, 0))[0], joined=counts.get(r.id, (0, 0))[1],
                        result=None if r.id not in results else to_result(results[r.id],
                                                                           r.public_id))
            for r in rows]


def _member_counts(session: Session, room_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    if not room_ids:
        return {}
    rows = session.execute(
        select(RoomMemberRow.room_id, func.count(), func.count(RoomMemberRow.joined_at))
        .where(RoomMemberRow.room_id.in_(room_ids)).group_by(RoomMemberRow.room_id))
    return {room_id: (total, joined) for room_id, total, joined in rows}


def current_results(session: Session, room_ids: Sequence[int]) -> dict[int, RoomResultRow]:
    """Room id -> its newest result row."""
    if not room_ids:
        return {}
    newest = (select(RoomResultRow.room_id, func.max(RoomResultRow.id).label("id"))
              .where(RoomResultRow.room_id.in_(room_ids)).group_by(RoomResultRow.room_id)
              .subquery())
    rows = session.scalars(select(RoomResultRow).join(newest, newest.c.id == RoomResultRow.id))
    return {r.room_id: r for r in rows}

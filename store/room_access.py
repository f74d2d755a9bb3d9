"""Access rules of crisis rooms, in one place.

- read a room (roster, log, presence, results): admins all; managers their team's rooms;
  trainees the rooms they are on the roster of;
- open a room: admins for any team; managers for their own team, with trainees of that team;
- lead it (clock, live injects, incident facts, auto-assignment, end, re-score): admins, and
  managers of the room's team (its lead among them); trainees never;
- act in it (replies, assignments, notes...), join, presence: trainees on the roster, in their
  own seat only; managers and admins never (they run the room, they do not play it).

A room that exists but is not readable raises exactly what a made-up id raises, so ids cannot
be probed (as for drills).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, select, true
from sqlalchemy.orm import Session

from store.access import checked_viewer
from store.errors import AccessDenied
from store.models import RoomMemberRow, RoomRow, UserRow
from store.records import Viewer


def no_room(room_id: str) -> AccessDenied:
    """The one message for "missing" and "not yours" alike."""
    return AccessDenied(f"no room {room_id!r} you can open")


def may_lead(viewer: Viewer, room: RoomRow) -> bool:
    """The rule itself: an admin, or a manager of the room's team (its lead among them)."""
    if viewer.role == "admin":
        return True
    return viewer.role == "manager" and viewer.team_id == room.team_id


def room_scope(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``RoomRow`` for the rooms the viewer may read."""
    if viewer.role == "admin":
        return true()
    if viewer.role == "manager" and viewer.team_id is not None:
        return RoomRow.team_id == viewer.team_id
    if viewer.role == "trainee":
        return exists(select(RoomMemberRow.id).where(
            RoomMemberRow.room_id == RoomRow.id, RoomMemberRow.user_id == viewer.user_id))
    return false()


def _room(session: Session, room_id: str, lock: bool = False) -> RoomRow | None:
    query = select(RoomRow).where(RoomRow.public_id == room_id)
    if lock:
        query = query.with_for_update()  # PostgreSQL: the room's appends queue here
    return session.scalars(query).one_or_none()


def member_row(session: Session, room: RoomRow, user_id: int) -> RoomMemberRow | None:
    return session.scalars(select(RoomMemberRow).where(
        RoomMemberRow.room_id == room.id, RoomMemberRow.user_id == user_id)).one_or_none()


def readable_room(session: Session, viewer: Viewer, room_id: str,
                  lock: bool = False) -> RoomRow:
    """The room, or ``AccessDenied`` if it is missing or not the viewer's to read."""
    checked_viewer(session, viewer)
    room = _room(session, room_id, lock)
    if room is None:
        raise no_room(room_id)
    if may_lead(viewer, room):
        return room
    if viewer.role == "trainee" and member_row(session, room, viewer.user_id) is not None:
        return room
    raise no_room(room_id)


def led_room(session: Session, viewer: Viewer, room_id: str, lock: bool = False) -> RoomRow:
    """A room the viewer may run (its team's managers, admins); others get ``AccessDenied``
    (the generic message when they may not even read it)."""
    room = readable_room(session, viewer, room_id, lock)
    if not may_lead(viewer, room):
        raise AccessDenied("only a manager of the room's team or an admin runs a room")
    return room


def seat(session: Session, viewer: Viewer, room_id: str,
         lock: bool = False) -> tuple[RoomRow, RoomMemberRow]:
    """The room and the viewer's own place on its roster (trainees only)."""
    room = readable_room(session, viewer, room_id, lock)
    member = member_row(session, room, viewer.user_id) if viewer.role == "trainee" else None
    if member is None:
        raise AccessDenied("only trainees on the room's roster act in it")
    return room, member


def lead_username(session: Session, room: RoomRow) -> str:
    return session.scalar(select(UserRow.username).where(UserRow.id == room.lead_id)) or ""

"""Access rules, in one place: admin sees all, a manager their team's drills, a trainee their own.

Every read and drill write goes through ``checked_viewer`` (the viewer must still match an
active user) and then ``readable_drill`` / ``own_running_drill`` or ``drill_scope``. A drill
that exists but is not yours and a drill that does not exist raise the same ``AccessDenied``
with the same message, so public ids cannot be probed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session

from store.errors import AccessDenied
from store.models import DrillRow, ScorecardRow, UserRow
from store.records import Viewer

STALE_VIEWER = "your account changed or was deactivated; sign in again"


def no_drill(drill_id: str) -> AccessDenied:
    """The one message for "missing" and "not yours" alike."""
    return AccessDenied(f"no drill {drill_id!r} you can open")


def checked_viewer(session: Session, viewer: Viewer) -> UserRow:
    """The viewer's user row, if it still matches (active, same role and team)."""
    user = session.get(UserRow, viewer.user_id)
    if (user is None or not user.is_active or user.role != viewer.role
            or user.team_id != viewer.team_id):
        raise AccessDenied(STALE_VIEWER)
    return user


def require_role(session: Session, viewer: Viewer, *roles: str) -> UserRow:
    user = checked_viewer(session, viewer)
    if user.role not in roles:
        raise AccessDenied(f"only {' or '.join(roles)} accounts may do this")
    return user


def can_read(viewer: Viewer, trainee: UserRow) -> bool:
    """The rule itself, on a drill's trainee."""
    if viewer.role == "admin" or trainee.id == viewer.user_id:
        return True
    return (viewer.role == "manager" and viewer.team_id is not None
            and trainee.team_id == viewer.team_id)


def drill_scope(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``UserRow`` (joined as the drill's trainee) for the drills visible."""
    if viewer.role == "admin":
        return true()
    own = UserRow.id == viewer.user_id
    if viewer.role == "manager" and viewer.team_id is not None:
        return own | (UserRow.team_id == viewer.team_id)
    if viewer.role in ("manager", "trainee"):
        return own
    return false()


def scoped_drills(viewer: Viewer) -> Select[DrillRow, UserRow]:
    """Drills (with their trainee) the viewer may read."""
    return (select(DrillRow, UserRow).join(UserRow, DrillRow.trainee_id == UserRow.id)
            .where(drill_scope(viewer)))


def readable_drill(session: Session, viewer: Viewer, drill_id: str,
                   for_update: bool = False) -> tuple[DrillRow, UserRow]:
    """The drill and its trainee, or ``AccessDenied`` if missing or not readable."""
    checked_viewer(session, viewer)
    query = (select(DrillRow, UserRow).join(UserRow, DrillRow.trainee_id == UserRow.id)
             .where(DrillRow.public_id == drill_id))
    if for_update:
        query = query.with_for_update(of=DrillRow)
    row = session.execute(query).one_or_none()
    if row is None or not can_read(viewer, row[1]):
        raise no_drill(drill_id)
    return row[0], row[1]


def own_drill(session: Session, viewer: Viewer, drill_id: str,
              lock: bool = True) -> tuple[DrillRow, UserRow]:
    """A drill only its trainee may write to (row-locked on PostgreSQL until commit, unless
    ``lock`` is False: the read step of ending a drill)."""
    drill, trainee = readable_drill(session, viewer, drill_id, for_update=lock)
    if trainee.id != viewer.user_id:
        raise no_drill(drill_id)
    return drill, trainee


def reviewable_drill(session: Session, viewer: Viewer, drill_id: str) -> tuple[DrillRow, UserRow]:
    """A drill the viewer may review (re-score, override): a manager of its team or an admin,
    and never one's own drill (no self-review)."""
    drill, trainee = readable_drill(session, viewer, drill_id)
    if viewer.role not in ("admin", "manager") or trainee.id == viewer.user_id:
        raise AccessDenied("only a manager of the trainee's team or an admin may review a drill, "
                           "and never their own")
    return drill, trainee


def readable_scorecard(session: Session, viewer: Viewer,
                       scorecard_id: int) -> tuple[ScorecardRow, DrillRow, UserRow]:
    checked_viewer(session, viewer)
    row = session.execute(
        select(ScorecardRow, DrillRow, UserRow)
        .join(DrillRow, ScorecardRow.drill_id == DrillRow.id)
        .join(UserRow, DrillRow.trainee_id == UserRow.id)
        .where(ScorecardRow.id == scorecard_id)).one_or_none()
    if row is None or not can_read(viewer, row[2]):
        raise AccessDenied(f"no scorecard {scorecard_id} you can open")
    return row[0], row[1], row[2]

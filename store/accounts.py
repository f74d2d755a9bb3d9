"""Teams, users, password checks and login throttling (the store's account operations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.access import checked_viewer, require_role
from store.errors import AccessDenied, Conflict, InvalidInput, InvalidLogin, LoginThrottled
from store.models import ROLES, TeamRow, UserRow
from store.passwords import LoginState, normalize_username, verify
from store.records import Role, Team, User, Viewer

#: Verified against when the username is unknown, so both cases cost one argon2 verification.
_DUMMY_PASSWORD = "not-a-real-password"


@dataclass(frozen=True, slots=True)
class NewUser:
    """What ``create_user`` records (the password arrives already hashed)."""

    username: str
    role: str
    team_id: int | None = None
    display_name: str = ""


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(_DUMMY_PASSWORD)


def to_team(row: TeamRow) -> Team:
    return Team(id=row.id, name=row.name, created_at=row.created_at)


def to_user(row: UserRow) -> User:
    role: Role = row.role  # type: ignore[assignment]  # the CHECK constraint guarantees it
    return User(id=row.id, username=row.username, display_name=row.display_name, role=role,
                team_id=row.team_id, is_active=row.is_active, created_at=row.created_at)


def create_team(session: Session, name: str, now: datetime) -> Team:
    clean = " ".join(name.split())
    if not clean or len(clean) > 100:
        raise InvalidInput("a team name is 1-100 characters")
    if session.scalar(select(TeamRow.id).where(TeamRow.name == clean)) is not None:
        raise Conflict(f"a team named {clean!r} already exists")
    row = TeamRow(name=clean, created_at=now)
    session.add(row)
    session.flush()
    return to_team(row)


def has_users(session: Session) -> bool:
    return session.scalar(select(UserRow.id).limit(1)) is not None


def user_by_id(session: Session, user_id: int) -> User | None:
    row = session.get(UserRow, user_id)
    return None if row is None else to_user(row)


def user_by_username(session: Session, username: str) -> User | None:
    try:
        name = normalize_username(username)
    except InvalidInput:
        return None
    row = session.scalar(select(UserRow).where(UserRow.username == name))
    return None if row is None else to_user(row)


def team_by_name(session: Session, name: str) -> Team | None:
    row = session.scalar(select(TeamRow).where(TeamRow.name == " ".join(name.split())))
    return None if row is None else to_team(row)


def _check_role_team(session: Session, role: str, team_id: int | None) -> None:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role == "manager" and team_id is None:
        raise InvalidInput("a manager needs a team")
    if team_id is not None and session.get(TeamRow, team_id) is None:
        raise InvalidInput(f"no team with id {team_id}")


def create_user(session: Session, spec: NewUser, password_hash: str, now: datetime) -> User:
    """Insert the account; the caller hashed the password outside the transaction."""
    username = normalize_username(spec.username)
    _check_role_team(session, spec.role, spec.team_id)
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise Conflict(f"the username {username!r} is taken")
    display = " ".join((spec.display_name or username).split())[:200]
    row = UserRow(username=username, display_name=display, role=spec.role, team_id=spec.team_id,
                  password_hash=password_hash, failed_login_count=0, locked_until=None,
                  is_active=True, created_at=now)
    session.add(row)
    session.flush()
    return to_user(row)


@dataclass(frozen=True, slots=True)
class LoginCandidate:
    """What a login needs to check a password without holding a transaction open."""

    user_id: int
    password_hash: str = field(repr=False)
    state: LoginState


def login_candidate(session: Session, username: str) -> LoginCandidate | None:
    try:
        name = normalize_username(username)
    except InvalidInput:
        return None
    row = session.scalar(select(UserRow).where(UserRow.username == name))
    if row is None:
        return None
    return LoginCandidate(row.id, row.password_hash,
                          LoginState(row.failed_login_count, row.locked_until))


def dummy_verify(hasher: PasswordHasher, password: str) -> None:
    """Spend what checking a real account costs, so unknown usernames cannot be timed."""
    verify(hasher, _dummy_hash(hasher), password)


def record_login(session: Session, candidate: LoginCandidate, password_ok: bool,
                 now: datetime, new_hash: str | None) -> User | InvalidLogin | LoginThrottled:
    """Count the attempt on the fresh row; the outcome to raise or return after commit."""
    row = session.scalar(select(UserRow).where(UserRow.id == candidate.user_id)
                         .with_for_update())
    if row is None:
        return InvalidLogin("wrong username or password")
    state = LoginState(row.failed_login_count, row.locked_until)
    if state.locked_until is not None and state.locked_at(now):
        return LoginThrottled(state.locked_until)  # concurrent failures locked it meanwhile
    if not password_ok or not row.is_active or row.password_hash != candidate.password_hash:
        _save_state(row, state.after_failure(now))
        return InvalidLogin("wrong username or password")
    _save_state(row, LoginState.after_success())
    if new_hash is not None:  # argon2 parameters changed since this password was hashed
        row.password_hash = new_hash
    return to_user(row)


def _save_state(row: UserRow, state: LoginState) -> None:
    row.failed_login_count = state.failed_count
    row.locked_until = state.locked_until


def set_password(session: Session, viewer: Viewer, user_id: int, password_hash: str) -> None:
    """Admins set anyone's password; everybody may set their own. Also lifts a lockout."""
    actor = checked_viewer(session, viewer)
    if actor.role != "admin" and actor.id != user_id:
        raise AccessDenied("only an admin may set another user's password")
    row = _user_or_denied(session, user_id)
    row.password_hash = password_hash
    _save_state(row, LoginState.after_success())


def set_active(session: Session, viewer: Viewer, user_id: int, active: bool) -> User:
    actor = require_role(session, viewer, "admin")
    if actor.id == user_id and not active:
        raise InvalidInput("an admin cannot deactivate their own account")
    row = _user_or_denied(session, user_id)
    row.is_active = active
    return to_user(row)


def update_user(session: Session, viewer: Viewer, user_id: int, role: str,
                team_id: int | None) -> User:
    """An admin changes a user's role or team (their open sessions are then refused)."""
    actor = require_role(session, viewer, "admin")
    _check_role_team(session, role, team_id)
    row = _user_or_denied(session, user_id)
    if actor.id == user_id and role != "admin":
        raise InvalidInput("an admin cannot demote their own account")
    row.role, row.team_id = role, team_id
    return to_user(row)


def _user_or_denied(session: Session, user_id: int) -> UserRow:
    row = session.get(UserRow, user_id)
    if row is None:
        raise AccessDenied(f"no user {user_id} you can see")
    return row


def users(session: Session, viewer: Viewer) -> list[User]:
    """Admin: everyone; manager: their team (and themselves); trainee: themselves."""
    actor = checked_viewer(session, viewer)
    query = select(UserRow).order_by(UserRow.username)
    if actor.role == "manager":
        query = query.where((UserRow.team_id == actor.team_id) | (UserRow.id == actor.id))
    elif actor.role != "admin":
        query = query.where(UserRow.id == actor.id)
    return [to_user(r) for r in session.scalars(query)]


def teams(session: Session, viewer: Viewer) -> list[Team]:
    actor = checked_viewer(session, viewer)
    query = select(TeamRow).order_by(TeamRow.name)
    if actor.role != "admin":
        query = query.where(TeamRow.id == actor.team_id)
    return [to_team(r) for r in session.scalars(query)]

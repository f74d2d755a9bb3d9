"""Login sessions: the opaque random token a signed-in browser holds, revocable at any time.

The token is 32 random bytes (``secrets.token_urlsafe``: 43 characters, 256 bits). Only its
SHA-256 is stored, so a copy of the database (a backup, a read-only SQL account, an injection
that reads rows) yields no token a browser could present; lookups hash the presented token and
find the row by that hash. A plain hash suffices (no salt, no argon2): the token is random with
256 bits of entropy, so there is nothing to guess or precompute, unlike a password.

A login lasts ``LIFETIME`` at most, never renewed. It ends at logout (``close_login``), when the
user's password, role, team or activity changes (``close_all_logins``), when the user or an
admin logs out everywhere, and when the same browser logs in again (``replaces``: rotation, so
a token that browser held before, e.g. one planted by someone else, dies at login).
Where the browser keeps the token is the UI's side: docs/security.md.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from store.access import checked_viewer
from store.accounts import to_user
from store.errors import AccessDenied
from store.models import LoginSessionRow, UserRow
from store.records import User, Viewer

#: A login lasts one working day at most.
LIFETIME = timedelta(hours=12)
#: ``secrets.token_urlsafe(32)`` is 43 characters; anything much longer is not a token of ours.
MAX_TOKEN_CHARS = 128
#: Ended or expired rows are kept this long (for a look at recent logins), then deleted.
KEEP_ENDED = timedelta(days=7)


def token_hash(token: str) -> str:
    """What the table stores for ``token`` (hex SHA-256: 64 characters)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_login(session: Session, user_id: int, now: datetime,
               replaces: str | None = None) -> str:
    """A new token for ``user_id``; ``replaces`` (the token this browser held, if any) ends."""
    if replaces:
        close_login(session, replaces, now)
    session.execute(delete(LoginSessionRow).where(
        LoginSessionRow.user_id == user_id,
        (LoginSessionRow.expires_at <= now - KEEP_ENDED)
        | (LoginSessionRow.revoked_at <= now - KEEP_ENDED)))
    token = secrets.token_urlsafe(32)
    session.add(LoginSessionRow(token_hash=token_hash(token), user_id=user_id, created_at=now,
                                expires_at=now + LIFETIME, revoked_at=None))
    return token


def user_for_login(session: Session, token: str, now: datetime) -> User | None:
    """The active user of a live (unrevoked, unexpired) token; None otherwise."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    row = session.get(LoginSessionRow, token_hash(token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(UserRow, row.user_id)
    return to_user(user) if user is not None and user.is_active else None


def close_login(session: Session, token: str, now: datetime) -> None:
    if not token or len(token) > MAX_TOKEN_CHARS:
        return
    session.execute(update(LoginSessionRow).where(LoginSessionRow.token_hash == token_hash(token),
                                                  LoginSessionRow.revoked_at.is_(None))
                    .values(revoked_at=now))


def close_all_logins(session: Session, user_id: int, now: datetime) -> int:
    """End every live login of ``user_id``; how many were live."""
    result = session.execute(update(LoginSessionRow).where(
        LoginSessionRow.user_id == user_id, LoginSessionRow.revoked_at.is_(None),
        LoginSessionRow.expires_at > now).values(revoked_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


def log_out_everywhere(session: Session, viewer: Viewer, user_id: int, now: datetime) -> int:
    """The user themself or an admin ends all of the user's logins; how many were live."""
    actor = checked_viewer(session, viewer)
    if actor.id != user_id and actor.role != "admin":
        raise AccessDenied("only an admin may log another user out")
    if session.get(UserRow, user_id) is None:
        raise AccessDenied(f"no user {user_id} you can see")
    return close_all_logins(session, user_id, now)

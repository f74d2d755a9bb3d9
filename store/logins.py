"""Login sessions: the random token a signed-in browser carries, revocable at any time.

Streamlit cannot set cookies, so the token rides in the page URL and survives a refresh or a
server restart. It is stored here, so logging out, changing a password, deactivating an
account or changing a role ends it; it also expires after a fixed lifetime, never renewed.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.accounts import to_user
from store.models import LoginSessionRow, UserRow
from store.records import User

#: A login lasts one working day at most.
LIFETIME = timedelta(hours=12)


def open_login(session: Session, user_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(LoginSessionRow(token=token, user_id=user_id, created_at=now,
                                expires_at=now + LIFETIME, revoked_at=None))
    return token


def user_for_login(session: Session, token: str, now: datetime) -> User | None:
    """The active user of a live (unrevoked, unexpired) token; None otherwise."""
    if not token or len(token) > 64:
        return None
    row = session.scalar(select(LoginSessionRow).where(LoginSessionRow.token == token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(UserRow, row.user_id)
    return to_user(user) if user is not None and user.is_active else None


def close_login(session: Session, token: str, now: datetime) -> None:
    session.execute(update(LoginSessionRow).where(LoginSessionRow.token == token,
                                                  LoginSessionRow.revoked_at.is_(None))
                    .values(revoked_at=now))


def close_all_logins(session: Session, user_id: int, now: datetime) -> None:
    session.execute(update(LoginSessionRow).where(LoginSessionRow.user_id == user_id,
                                                  LoginSessionRow.revoked_at.is_(None))
                    .values(revoked_at=now))

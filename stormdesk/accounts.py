"""Accounts and logins as the UI sees them: who may log in, their login sessions, users, teams.

A thin, typed layer over the store's account calls, so the login page, the sidebar and the
admin page never hold the store itself (the allow-list in tests/test_architecture.py).
"""

from __future__ import annotations

from datetime import datetime

from store.records import Role, Team, User, Viewer
from store.repository import Store


class Accounts:
    """Logins, users and teams (every call is checked by the store against ``viewer``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # ---- logging in and out
    def has_users(self) -> bool:
        """False on a fresh install (the first-run page creates the administrator)."""
        return self._store.has_users()

    def authenticate(self, username: str, password: str, now: datetime) -> User:
        """The user, or ``InvalidLogin`` / ``LoginThrottled``."""
        return self._store.authenticate(username, password, now)

    def open_login(self, user_id: int, replaces: str | None = None) -> str:
        """A new login session's opaque token (after ``authenticate`` or single sign-on);
        ``replaces``: this browser's previous token, which ends now (rotation on login)."""
        return self._store.open_login(user_id, replaces)

    def log_out_everywhere(self, viewer: Viewer, user_id: int) -> int:
        """End every login session of a user (themself, or an admin for anyone): open pages
        are logged out at their next rerun. Returns how many sessions ended."""
        return self._store.log_out_everywhere(viewer, user_id)

    def user_for_login(self, token: str) -> User | None:
        """The user behind a live login token (None when unknown, revoked or expired)."""
        return self._store.user_for_login(token)

    def close_login(self, token: str) -> None:
        self._store.close_login(token)

    def user_by_username(self, username: str) -> User | None:
        """Single sign-on's lookup by verified e-mail (never expose it to a page parameter)."""
        return self._store.user_by_username(username)

    # ---- users and teams (the admin page)
    def create_first_admin(self, username: str, password: str, display_name: str) -> User:
        """Only while no account exists (the first-run page)."""
        if self._store.has_users():
            from store.errors import AccessDenied

            raise AccessDenied("the administrator account exists already")
        return self._store.create_user(username, password, "admin", display_name=display_name)

    def create_user(self, viewer: Viewer, username: str, password: str, role: Role,
                    team_id: int | None, display_name: str = "") -> User:
        self._store.require_role(viewer, "admin")
        return self._store.create_user(username, password, role, team_id, display_name)

    def create_team(self, viewer: Viewer, name: str) -> Team:
        self._store.require_role(viewer, "admin")
        return self._store.create_team(name)

    def users(self, viewer: Viewer) -> list[User]:
        return self._store.users(viewer)

    def teams(self, viewer: Viewer) -> list[Team]:
        return self._store.teams(viewer)

    def set_active(self, viewer: Viewer, user_id: int, active: bool) -> User:
        return self._store.set_active(viewer, user_id, active)

    def set_password(self, viewer: Viewer, user_id: int, password: str) -> None:
        self._store.set_password(viewer, user_id, password)

    def update_user(self, viewer: Viewer, user_id: int, role: Role, team_id: int | None) -> User:
        return self._store.update_user(viewer, user_id, role, team_id)

    def require_role(self, viewer: Viewer, *roles: Role) -> User:
        return self._store.require_role(viewer, *roles)

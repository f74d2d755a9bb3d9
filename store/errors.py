"""The store's exceptions: one base class, one class per thing a caller can act on."""

from __future__ import annotations

from datetime import datetime


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class AccessDenied(StoreError):
    """The viewer may not see or do this, or the thing does not exist (deliberately the same).

    Messages never say which of the two it was, so ids cannot be probed.
    """


class InvalidLogin(StoreError):
    """Unknown user, wrong password or a deactivated account (never says which)."""


class LoginThrottled(StoreError):
    """Too many failed logins: the account refuses logins until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many failed logins; try again after {until:%H:%M:%S} UTC")
        self.until = until


class InvalidInput(StoreError, ValueError):
    """A value the store refuses (bad username, weak password, empty reason, unknown role...)."""


class Conflict(StoreError):
    """The write contradicts what is stored (taken username, a different retry, an ended drill)."""


class ActionConflict(Conflict):
    """``append_action`` got a seq that is stored with a different payload, or skips ahead."""


class DrillNotRunning(Conflict):
    """The drill has ended: its actions and transcript are final."""


class RoomNotRunning(DrillNotRunning):
    """The room has ended (its log and results are final), or it has not let this in."""

"""Password hashing (argon2id via argon2-cffi) and the login-throttling rule, as pure functions.

The throttle never reads the clock: callers pass ``now``, so tests are deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from store.errors import InvalidInput

#: Failed logins in a row that lock an account, and for how long (OWASP-style soft lockout).
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)

#: NIST SP 800-63B: at least 8 characters; an upper bound stops hash-flooding.
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024

#: Letters, digits and ``. _ - + @`` (so single sign-on e-mail addresses work as usernames).
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,63}$")

#: argon2-cffi's defaults (RFC 9106 "low memory" profile: argon2id, t=3, m=64 MiB, p=4).
DEFAULT_HASHER = PasswordHasher()

#: A cheap hasher for tests and benchmarks only (same format, verifiable by the default one).
FAST_TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def normalize_username(username: str) -> str:
    """Usernames are case-insensitive: stored and compared in lower case."""
    name = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidInput("a username is 2-64 characters: letters, digits, '.', '_', '-', "
                           "'+' or '@', starting with a letter or digit")
    return name


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"a password has at most {MAX_PASSWORD_LENGTH} characters")


def verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class LoginState:
    """The throttle's state for one account."""

    failed_count: int
    locked_until: datetime | None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime) -> LoginState:
        """One more failure; the ``MAX_FAILED_LOGINS``-th locks the account for ``LOCKOUT``."""
        count = self.failed_count + 1
        if count >= MAX_FAILED_LOGINS:
            return LoginState(failed_count=0, locked_until=now + LOCKOUT)
        return LoginState(failed_count=count, locked_until=None)

    @staticmethod
    def after_success() -> LoginState:
        return LoginState(failed_count=0, locked_until=None)

"""Signed login tokens, so a browser refresh (a new Streamlit session) stays logged in.

Streamlit cannot set cookies, so the token rides in the page URL (``?s=...``). It is an HMAC
over the user id and an expiry with a server secret (``STORMDESK_SECRET``, else a random key
kept in the data folder), so it cannot be forged or pointed at another user; the store still
re-checks the user (active, role, team) on every call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LIFETIME_SECONDS = 12 * 3600


def _secret() -> bytes:
    configured = os.environ.get("STORMDESK_SECRET")
    if configured:
        return configured.encode()
    path = DATA_DIR / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def _sign(payload: str) -> str:
    digest = hmac.new(_secret(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def issue(user_id: int, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + LIFETIME_SECONDS)
    payload = f"{user_id}.{expires}"
    return f"{payload}.{_sign(payload)}"


def verify(token: str, now: float | None = None) -> int | None:
    """The user id a valid, unexpired token was issued for; None otherwise."""
    try:
        user, expires, signature = token.split(".")
        user_id, expiry = int(user), int(expires)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _sign(f"{user}.{expires}")):
        return None
    if expiry < (now if now is not None else time.time()):
        return None
    return user_id

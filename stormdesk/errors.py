"""The errors the application layer lets the UI see (the store's and the engine's, re-exported,
so views never import the store or the engine to catch them)."""

from __future__ import annotations

from engine.records import ActionError
from llm import LlmSettingsError
from store.errors import (
    AccessDenied,
    ActionConflict,
    Conflict,
    DrillNotRunning,
    InvalidInput,
    InvalidLogin,
    LoginThrottled,
    StoreError,
)

__all__ = [
    "AccessDenied", "ActionConflict", "ActionError", "Conflict", "DrillNotRunning",
    "InvalidInput", "InvalidLogin", "LlmSettingsError", "LoginThrottled", "StoreError",
]

"""Typed access to ``st.session_state`` (the only place the desk keeps per-browser state)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from stormdesk.drill import LiveDrill
from ui.i18n import browser_language

_DRILL = "live_drill"
_LANG = "ui_language"
LANGUAGE_CHOICES = ("auto", "en", "ko")


def drill() -> LiveDrill | None:
    value = st.session_state.get(_DRILL)
    return value if isinstance(value, LiveDrill) else None


def set_drill(value: LiveDrill | None) -> None:
    st.session_state[_DRILL] = value


def browser_locale() -> str | None:
    """The browser's language as it reported it (``st.context.locale``; None without one)."""
    try:
        locale = st.context.locale
    except Exception:  # no browser (a bare script run)
        return None
    return str(locale) if locale else None


def language() -> str:
    """The UI language: the sidebar's choice; on "auto", the browser's language; without a
    browser language (headless runs), the running drill's; else English."""
    chosen = st.session_state.get(_LANG)
    if chosen in ("en", "ko"):
        return str(chosen)
    found = browser_language(browser_locale())
    if found is not None:
        return found
    current = drill()
    return current.scenario.language if current else "en"


def flash(message: str | None = None, kind: str = "error") -> tuple[str, str] | None:
    """Set (with a message) or pop (without) a one-shot message for the next run."""
    if message is not None:
        st.session_state["_flash"] = (kind, message)
        return None
    value = st.session_state.pop("_flash", None)
    return value if isinstance(value, tuple) else None


def toast(message: str, icon: str | None = None) -> None:
    """A short confirmation in the corner (shown once, at the next run when called from a
    callback)."""
    st.toast(message, icon=icon)


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value

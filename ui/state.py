"""Typed access to ``st.session_state`` (the only place the desk keeps per-browser state)."""

from __future__ import annotations

import streamlit as st

from stormdesk.drill import LiveDrill

_DRILL = "live_drill"
_LANG = "ui_language"


def drill() -> LiveDrill | None:
    value = st.session_state.get(_DRILL)
    return value if isinstance(value, LiveDrill) else None


def set_drill(value: LiveDrill | None) -> None:
    st.session_state[_DRILL] = value


def language() -> str:
    """The UI language: the switch in the sidebar, else the running drill's language."""
    chosen = st.session_state.get(_LANG)
    if chosen in ("en", "ko"):
        return str(chosen)
    current = drill()
    return current.scenario.language if current else "en"


def flash(message: str | None = None, kind: str = "error") -> tuple[str, str] | None:
    """Set (with a message) or pop (without) a one-shot message for the next run."""
    if message is not None:
        st.session_state["_flash"] = (kind, message)
        return None
    value = st.session_state.pop("_flash", None)
    return value if isinstance(value, tuple) else None

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


#: Keyed choices that must survive a change of language. Their labels (and option names)
#: change with it, so the browser draws them as new widgets, which start from their defaults;
#: a value assigned through session state is what a new widget starts from instead.
KEPT_CHOICES = ("start_scenario", "start_trainee", "start_initials", "start_speed", "start_mode",
                "start_fixed", "start_seed", "preview_scenario", "preview_seed",
                "preview_minutes", "queue_filter", "queue_sort", "queue_search", "queue_page",
                "speed", "scorecard_pick", "dash_team", "trend_trainee", "review_drill",
                "compare_drill", "th_scenario", "th_dimension", "ov_dim", "nu_role", "nu_team")
_DRAWN_IN = "_language_drawn"


def keep_choices(lang: str) -> None:
    """On the run that switches the language, hand every choice made so far to the widgets
    that replace the old ones (once per switch: widgets keep their own state otherwise)."""
    if st.session_state.get(_DRAWN_IN) == lang:
        return
    if st.session_state.get(_DRAWN_IN) is not None:
        for key in KEPT_CHOICES:
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
    st.session_state[_DRAWN_IN] = lang


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

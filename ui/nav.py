"""The app's pages by name for this browser session, so views can link to each other.

Kept in session state, not in a module global: every browser session runs in its own thread,
and each user may see different pages.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

_PAGES = "nav_pages"


def register(pages: dict[str, Any]) -> None:
    st.session_state[_PAGES] = pages


def page(name: str) -> Any:
    return st.session_state[_PAGES][name]

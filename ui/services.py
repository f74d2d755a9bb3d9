"""Shared services for every browser session: the application, opened once per server process."""

from __future__ import annotations

import streamlit as st

from stormdesk.app import StormDesk


@st.cache_resource(show_spinner=False)
def app() -> StormDesk:
    """The application (SQLite under data/ by default, ``STORMDESK_DATABASE_URL`` for teams)."""
    return StormDesk.open()


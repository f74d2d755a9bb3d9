"""Shared services for every browser session: the store, opened once per server process."""

from __future__ import annotations

import streamlit as st

from store.repository import Store


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The store (SQLite under data/ by default, ``STORMDESK_DATABASE_URL`` for teams)."""
    return Store.open()

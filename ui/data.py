"""Cached data the pages draw from: the scenario catalogue and headless previews."""

from __future__ import annotations

import streamlit as st

from stormdesk.catalogue import Catalogue
from stormdesk.preview import Preview, preview
from ui import services


def catalogue() -> Catalogue:
    """The scenarios a drill can be started on (broken files are listed, not fatal)."""
    return services.app().catalogue()


@st.cache_data(show_spinner="Simulating the public...", max_entries=16)
def headless_run(scenario_id: str, seed: int, minutes: float) -> Preview:
    """Play a drill with no trainee replies and tabulate what happened."""
    scenario = catalogue().scenarios[scenario_id]
    return preview(scenario, seed, minutes)

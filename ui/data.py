"""Cached data the pages draw from: the scenario catalogue and headless previews."""

from __future__ import annotations

import streamlit as st

from engine.scenario import Scenario
from stormdesk.catalogue import Catalogue
from stormdesk.preview import Preview, preview
from ui import auth, services


def catalogue() -> Catalogue:
    """The scenarios the logged-in user can start: the built-ins and the drills published in
    the editor that they may play (their team's and those published to everyone); broken
    files are listed, not fatal."""
    user = auth.current_user()
    return services.app().catalogue(user.viewer if user is not None else None)


def headless_run(scenario: Scenario, seed: int, minutes: float) -> Preview:
    """Play a drill with no trainee replies and tabulate what happened (cached per version of
    the scenario: a drill republished in the editor is played again)."""
    return _headless_run(scenario.id, scenario.content_hash, seed, minutes, _scenario=scenario)


@st.cache_data(show_spinner="Simulating the public...", max_entries=16)
def _headless_run(scenario_id: str, content_hash: str, seed: int, minutes: float, *,
                  _scenario: Scenario) -> Preview:
    return preview(_scenario, seed, minutes)

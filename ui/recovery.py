"""Rebuild the user's running drill from the store after a refresh or a server restart."""

from __future__ import annotations

import time

import streamlit as st

from store.records import Drill
from ui import auth, services, state
from ui.data import catalogue
from ui.drill import LiveDrill


def running_record() -> Drill | None:
    """The user's running drill in the store, when this browser session holds none."""
    user = auth.current_user()
    if user is None or state.drill() is not None:
        return None
    return services.store().running_drill_for(user.viewer)


def resume_running() -> LiveDrill | None:
    """Replay the running drill's stored actions and hold it in this session."""
    user = auth.current_user()
    record = running_record()
    if user is None or record is None:
        return None
    scenario = catalogue().scenarios.get(record.scenario_id)
    if scenario is None:
        st.error(f"Your running drill uses scenario {record.scenario_id!r}, which is no longer "
                 "installed.")
        return None
    if scenario.content_hash != record.scenario_hash:
        st.warning("This scenario file changed since the drill started; the replay uses the "
                   "current file and may differ.")
    drill = LiveDrill.resume(record, scenario, user.display_name or user.username,
                             services.store(), user.viewer, time.monotonic())
    state.set_drill(drill)
    return drill

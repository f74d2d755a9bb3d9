"""Rebuild the user's running drill from the store after a refresh or a server restart."""

from __future__ import annotations

import time

import streamlit as st

from store.records import Drill
from stormdesk.drill import LiveDrill
from ui import auth, services, state
from ui.i18n import t


def running_record() -> Drill | None:
    """The user's running drill in the store, when this browser session holds none."""
    user = auth.current_user()
    if user is None or state.drill() is not None:
        return None
    return services.app().drills.running_record(user.viewer)


def resume_running() -> LiveDrill | None:
    """Replay the running drill's stored actions and hold it in this session."""
    user = auth.current_user()
    record = running_record()
    if user is None or record is None:
        return None
    try:
        drill = services.app().drills.resume(user.viewer, record, time.monotonic(),
                                             user.display_name or user.username)
    except LookupError:
        st.error(t("scenario_gone", state.language(), scenario=record.scenario_id))
        return None
    state.set_drill(drill)
    return drill

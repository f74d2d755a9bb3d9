"""Helpers to drive the app headless with AppTest (users, drills, the clock).

The store is a process-wide ``st.cache_resource``, so every UI test shares one temporary
SQLite database, set before anything opens it; each test makes its own users.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from pathlib import Path
from typing import Any

_DB_DIR = tempfile.mkdtemp(prefix="stormdesk-ui-")
os.environ["STORMDESK_DATABASE_URL"] = f"sqlite:///{_DB_DIR}/ui.db"

import pytest  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from store.records import Role, User  # noqa: E402
from stormdesk.drill import LiveDrill  # noqa: E402
from ui import services  # noqa: E402

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
PASSWORD = "correct horse battery"
_names = itertools.count(1)


def make_user(role: Role = "trainee", team: str | None = "north",
              display_name: str = "Dana Reyes") -> User:
    store = services.app().store
    team_id = None
    if team is not None:
        existing = store.team_by_name(team)
        team_id = (existing or store.create_team(team)).id
    return store.create_user(f"{role}{next(_names)}", PASSWORD, role, team_id, display_name)


def app_as(user: User | None) -> AppTest:
    """The app in a new browser session, logged in as ``user`` (a fresh login session in the
    store, held by this browser session as the login cookie would give it)."""
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.session_state["auth_token"] = services.app().accounts.open_login(user.id)
    return at.run()


def start_drill(scenario_id: str = "telecom-outage", mode: str = "practice",
                minutes: float = 12.0, user: User | None = None) -> AppTest:
    """Start a drill with a fixed seed and jump its clock ``minutes`` ahead."""
    at = app_as(user or make_user())
    at.text_input(key="start_trainee").set_value("Dana Reyes")
    at.text_input(key="start_initials").set_value("dr")
    at.selectbox(key="start_scenario").set_value(scenario_id)
    at.radio(key="start_mode").set_value(mode)
    at.toggle(key="start_fixed").set_value(True)
    at.number_input(key="start_seed").set_value(7)
    next(b for b in at.button if b.label == "Start drill").click().run()
    assert not at.exception, at.exception
    jump(at, minutes)
    return at


def drill(at: AppTest) -> LiveDrill:
    value = at.session_state["live_drill"]
    assert isinstance(value, LiveDrill)
    return value


def jump(at: AppTest, minutes: float) -> AppTest:
    """Move the drill clock ``minutes`` ahead (instead of waiting in real time)."""
    d = drill(at)
    d.clock = d.clock.at_minute(d.clock.minute_at(time.monotonic()) + minutes, time.monotonic())
    return at.run()


def button(at: AppTest, label: str) -> Any:
    matches = [b for b in at.button if b.label == label or b.label.endswith(" " + label)]
    assert matches, f"no button {label!r} in {[b.label for b in at.button]}"
    return matches[0]


def end_and_score(at: AppTest) -> AppTest:
    """Press End drill, then confirm in the dialog (an assessment plays out the rest)."""
    button(at, "End drill").click().run()
    assert not at.exception, at.exception
    return button(at, "End and score").click().run()


@pytest.fixture
def practice() -> AppTest:
    return start_drill()

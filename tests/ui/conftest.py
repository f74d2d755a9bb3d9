"""Helpers to drive the app headless with AppTest (start a drill, move its clock)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.drill import LiveDrill

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def start_drill(scenario_id: str = "telecom-outage", mode: str = "practice",
                minutes: float = 12.0) -> AppTest:
    """Open the app, start a drill with a fixed seed and jump its clock ``minutes`` ahead."""
    at = AppTest.from_file(APP, default_timeout=60).run()
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


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    matches = [b for b in at.button if b.label == label or b.label.endswith(" " + label)]
    assert matches, f"no button {label!r} in {[b.label for b in at.button]}"
    return matches[0]


@pytest.fixture
def practice() -> AppTest:
    return start_drill()

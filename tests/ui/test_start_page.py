"""The start page, headless through Streamlit's AppTest."""

from __future__ import annotations

from engine.scenario import builtin_paths, load_scenario
from ui.markup import inert

from .conftest import app_as, make_user


def test_start_page_lists_every_builtin_scenario_as_inert_text():
    at = app_as(make_user())
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    for path in builtin_paths():
        assert f"**{inert(load_scenario(path).title)}**" in shown


def test_start_page_headless_preview_shows_summary():
    at = app_as(make_user())
    at.number_input(key="preview_minutes").set_value(10.0)
    next(b for b in at.button if b.label == "Simulate").click().run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == ["Mentions", "Follow-ups", "Amplifications", "Reputation at end"]
    assert int(at.metric[0].value) > 0
    assert at.dataframe[-1].value.shape[0] == int(at.metric[0].value)


def test_start_page_prefills_name_and_refuses_to_start_without_one():
    at = app_as(make_user(display_name="Dana Reyes"))
    assert at.text_input(key="start_trainee").value == "Dana Reyes"
    at.text_input(key="start_trainee").set_value("  ")
    next(b for b in at.button if b.label == "Start drill").click().run()
    assert any("Enter your name" in e.value for e in at.error)
    assert "live_drill" not in at.session_state

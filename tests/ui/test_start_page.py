"""The start page, headless through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from engine.scenario import builtin_paths

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def test_start_page_lists_every_builtin_scenario():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    titles = " ".join(m.value for m in at.markdown)
    assert len(builtin_paths()) >= 1
    for path in builtin_paths():
        from engine.scenario import load_scenario
        assert load_scenario(path).title in titles


def test_start_page_headless_run_shows_summary():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.number_input[1].set_value(10.0)
    at.button[0].click().run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == ["Mentions", "Follow-ups", "Amplifications", "Reputation at end"]
    assert int(at.metric[0].value) > 0
    assert at.dataframe[-1].value.shape[0] == int(at.metric[0].value)

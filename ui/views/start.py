"""Start a drill: scenario cards, trainee, speed, seed and mode; plus a headless preview."""

from __future__ import annotations

import secrets
import time
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from stormdesk.clock import SPEEDS
from stormdesk.preview import Preview
from ui import auth, recovery, services, state
from ui.data import catalogue, headless_run
from ui.i18n import t
from ui.markup import inert
from ui.nav import page

LANGUAGE = {"en": "English", "ko": "한국어"}


def render() -> None:
    lang = state.language()
    st.title(t("start_title", lang))
    st.caption("StormDesk: rehearse the bad hour before it happens.")
    cat = catalogue()
    for problem in cat.problems:
        st.error(inert(problem), icon="⚠️")
    if not cat.scenarios:
        st.warning("No scenarios found in scenarios/.")
        return
    ids = cat.ids()
    running = state.drill()
    busy = running is not None and not running.ended
    if running is not None and not running.ended:
        st.info(t("running_here", lang, title=inert(running.scenario.title)))
        st.page_link(page("desk"), label=t("desk", lang), icon="🎧")
    elif (record := recovery.running_record()) is not None:
        busy = True
        st.info(t("running_saved", lang, scenario=record.scenario_id,
                  minute=f"{record.last_minute:.0f}"))
        if st.button(t("resume_drill", lang), type="primary", key="resume_drill"):
            recovery.resume_running()
            st.switch_page(page("desk"))

    cols = st.columns(3)
    for n, scenario_id in enumerate(ids):
        s = cat.scenarios[scenario_id]
        with cols[n % 3].container(border=True):
            st.markdown(f"**{inert(s.title)}**")
            st.caption(f"{LANGUAGE[s.language]} · {s.duration_minutes:g} min · {s.difficulty}"
                       f" · @{s.brand.handle} ({s.brand.voice})")
            with st.expander(t("briefing", lang)):
                st.markdown(inert(s.briefing))

    with st.form("start_drill"):
        scenario_id = st.selectbox(t("scenario", lang), ids, key="start_scenario",
                                   format_func=lambda i: f"{cat.scenarios[i].title} ({i})")
        a, b = st.columns(2)
        user = auth.current_user()
        trainee = a.text_input(t("trainee", lang), key="start_trainee", max_chars=60,
                               value=user.display_name if user else "")
        initials = b.text_input(t("initials", lang), key="start_initials", max_chars=4)
        c, d = st.columns(2)
        speed = c.select_slider(t("speed", lang), SPEEDS, value=10, key="start_speed",
                                format_func=lambda v: f"{v}x")
        mode = d.radio(t("mode", lang), ["practice", "assessment"], key="start_mode",
                       format_func=lambda m: t(m, lang))
        fixed = st.toggle(t("seed_fixed", lang), key="start_fixed")
        seed = st.number_input(t("seed_number", lang), min_value=0, max_value=2**31 - 1,
                               value=1, step=1, key="start_seed")
        submitted = st.form_submit_button(t("start", lang), type="primary", disabled=busy)
    if busy:
        # a second running drill would strand the first: only the newest one resumes
        st.caption(t("finish_first", lang))
    if submitted and not busy:
        if not trainee.strip():
            st.error(t("need_name", lang))
        else:
            chosen = int(seed) if fixed else secrets.randbelow(2**31)
            user = auth.current_user()
            drill = services.app().drills.start(
                cat.scenarios[scenario_id], chosen, trainee.strip(), initials.strip().upper(),
                "assessment" if mode == "assessment" else "practice", float(speed),
                time.monotonic(), user.viewer if user else None)
            state.set_drill(drill)
            st.switch_page(page("desk"))

    with st.expander("Preview a drill headless (team leads)"):
        _preview(cat, ids)


def _preview(cat: Any, ids: list[str]) -> None:
    st.caption("Plays the simulated public with nobody answering.")
    with st.form("headless"):
        scenario_id = st.selectbox("Scenario", ids, key="preview_scenario",
                                   format_func=lambda i: f"{cat.scenarios[i].title} ({i})")
        seed = st.number_input("Seed", min_value=0, max_value=2**31 - 1, value=1, step=1,
                               key="preview_seed")
        minutes = st.number_input("Simulated minutes (0 = whole drill)", min_value=0.0,
                                  value=0.0, step=5.0, key="preview_minutes")
        submitted = st.form_submit_button("Simulate")
    if submitted:
        st.session_state["headless_run"] = (scenario_id, int(seed), float(minutes))
    if "headless_run" in st.session_state:
        scenario_id, seed, minutes = st.session_state["headless_run"]
        scenario = cat.scenarios[scenario_id]
        _summary(headless_run(scenario_id, seed, minutes or scenario.duration_minutes))


def _summary(run: Preview) -> None:
    s = run.summary
    st.markdown(f"#### {s['scenario']} · seed {s['seed']} · minute {s['minute']:g}")
    a, b, c, d = st.columns(4)
    a.metric("Mentions", s["mentions"])
    b.metric("Follow-ups", s["follow_ups"])
    c.metric("Amplifications", s["amplifications"])
    d.metric("Reputation at end", f"{s['reputation']:.1f}")
    left, right = st.columns(2)
    left.dataframe(_counts(s["by_persona"], "persona"), hide_index=True,
                   width="stretch")
    right.dataframe(_counts(s["by_intent"], "intent"), hide_index=True,
                    width="stretch")
    reputation = pd.DataFrame(run.reputation)
    volume = pd.DataFrame(run.volume)
    if not reputation.empty:
        st.altair_chart(alt.Chart(reputation).mark_line().encode(
            x=alt.X("minute:Q", title="simulated minute"),
            y=alt.Y("reputation:Q", scale=alt.Scale(domain=[0, 100])),
            tooltip=["minute", "reputation", "waiting"]), width="stretch")
    if not volume.empty:
        st.altair_chart(alt.Chart(volume).mark_area().encode(
            x=alt.X("minute:Q", title="simulated minute"), y="posts:Q", color="kind:N"),
            width="stretch")
    st.dataframe(pd.DataFrame(run.mentions), hide_index=True, width="stretch", height=320)


def _counts(counts: Any, name: str) -> list[dict[str, Any]]:
    return [{name: k, "mentions": v} for k, v in counts.items()]

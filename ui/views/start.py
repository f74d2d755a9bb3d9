"""The start page: the drill catalogue and a headless run of any drill, with its summary."""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

from ui.data import Run, catalogue, headless_run

LANGUAGE = {"en": "English", "ko": "한국어"}


def render() -> None:
    st.title("StormDesk")
    st.caption("A flight simulator for social-media customer care: rehearse the bad hour "
               "before it happens.")
    cat = catalogue()
    for problem in cat.problems:
        st.error(problem, icon="⚠️")
    if not cat.scenarios:
        st.warning("No scenarios found in scenarios/.")
        return

    st.subheader("Drills")
    ids = sorted(cat.scenarios, key=lambda i: (cat.scenarios[i].language, i))
    cols = st.columns(2)
    for n, scenario_id in enumerate(ids):
        s = cat.scenarios[scenario_id]
        with cols[n % 2].container(border=True):
            st.markdown(f"**{s.title}**")
            st.caption(f"{LANGUAGE[s.language]} · {s.duration_minutes:g} simulated min · "
                       f"{s.difficulty} · @{s.brand.handle} ({s.brand.voice})")
            st.write(s.briefing)

    st.subheader("Run a drill headless")
    st.caption("Plays the simulated public with nobody answering: what a team lead sees "
               "when preparing a drill.")
    with st.form("headless"):
        scenario_id = st.selectbox("Scenario", ids,
                                   format_func=lambda i: f"{cat.scenarios[i].title} ({i})")
        seed = st.number_input("Seed", min_value=0, max_value=2**31 - 1, value=1, step=1)
        minutes = st.number_input("Simulated minutes (0 = whole drill)", min_value=0.0,
                                  value=0.0, step=5.0)
        submitted = st.form_submit_button("Simulate")
    if submitted:
        st.session_state["headless_run"] = (scenario_id, int(seed), float(minutes))
    if "headless_run" in st.session_state:
        scenario_id, seed, minutes = st.session_state["headless_run"]
        scenario = cat.scenarios[scenario_id]
        run = headless_run(scenario_id, seed, minutes or scenario.duration_minutes)
        _summary(run)


def _summary(run: Run) -> None:
    s = run.summary
    st.markdown(f"#### {s['scenario']} · seed {s['seed']} · minute {s['minute']:g}")
    a, b, c, d = st.columns(4)
    a.metric("Mentions", s["mentions"])
    b.metric("Follow-ups", s["follow_ups"])
    c.metric("Amplifications", s["amplifications"])
    d.metric("Reputation at end", f"{s['reputation']:.1f}")
    left, right = st.columns(2)
    left.markdown("**By persona**")
    left.dataframe(_counts(s["by_persona"]), hide_index=True, use_container_width=True)
    right.markdown("**By intent**")
    right.dataframe(_counts(s["by_intent"]), hide_index=True, use_container_width=True)
    if not run.reputation.empty:
        st.markdown("**Reputation index over the drill** (50 = neutral)")
        st.altair_chart(alt.Chart(run.reputation).mark_line().encode(
            x=alt.X("minute:Q", title="simulated minute"),
            y=alt.Y("reputation:Q", scale=alt.Scale(domain=[0, 100])),
            tooltip=["minute", "reputation", "waiting"]), use_container_width=True)
    if not run.volume.empty:
        st.markdown("**Posts per minute**")
        st.altair_chart(alt.Chart(run.volume).mark_area().encode(
            x=alt.X("minute:Q", title="simulated minute"), y="posts:Q", color="kind:N"),
            use_container_width=True)
    st.markdown("**Mentions**")
    st.dataframe(run.mentions, hide_index=True, use_container_width=True, height=320)


def _counts(counts: Any) -> list[dict[str, Any]]:
    return [{"name": k, "mentions": v} for k, v in counts.items()]

"""Start a drill: scenario cards, trainee, speed, seed and mode; plus a headless preview.

The choices are plain widgets, not a form: a form holds its values in the browser until it is
submitted, and anything that reruns the page before that (switching the language) redraws the
form empty. Keyed widgets keep their values across reruns and label changes.

A drill starts working at once: the quiet lead-in before the first customer writes (up to two
simulated minutes, 12 s of waiting at 10x) is played straight away, so the first mention is on
the desk as soon as it opens."""

from __future__ import annotations

import secrets
import time
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from stormdesk.clock import SPEEDS
from stormdesk.drill import LiveDrill
from stormdesk.preview import Preview
from ui import auth, recovery, services, state
from ui.data import catalogue, headless_run
from ui.i18n import label, t
from ui.markup import cells, inert
from ui.nav import page
from ui.views import room_pages

#: The lead-in is played in steps of this many simulated minutes until someone writes.
LEAD_IN_STEP = 0.05
#: ...for at most this long (a scenario that starts quiet on purpose stays quiet after it).
LEAD_IN_MAX_MINUTES = 5.0


def render() -> None:
    lang = state.language()
    st.title(t("start_title", lang))
    st.caption(t("tagline", lang))
    cat = catalogue()
    for problem in cat.problems:
        st.error(inert(problem), icon="⚠️")
    if not cat.scenarios:
        st.warning(t("no_scenarios", lang))
        return
    ids = cat.ids()
    user = auth.current_user()
    if user is not None:
        room_pages.start_notice(user, lang)  # the rooms this trainee can join now
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

    # The drills at a glance, as a table: it also loads the table component the desk's queue
    # uses while the trainee picks (the desk then opens with its queue drawn at once).
    st.dataframe(pd.DataFrame(cells([{
        t("col_scenario", lang): cat.scenarios[i].title,
        t("col_language", lang): t("language_name_" + cat.scenarios[i].language, lang),
        t("col_length", lang): t("minutes_n", lang, n=f"{cat.scenarios[i].duration_minutes:g}"),
        t("col_difficulty", lang): label("difficulty", cat.scenarios[i].difficulty, lang),
        t("col_brand", lang): f"@{cat.scenarios[i].brand.handle}"} for i in ids])),
        hide_index=True, width="stretch", height=min(400, 38 + 35 * len(ids)))
    cols = st.columns(3)
    for n, scenario_id in enumerate(ids):
        s = cat.scenarios[scenario_id]
        with cols[n % 3].container(border=True):
            st.markdown(f"**{inert(s.title)}**")
            st.caption(f"{t('language_name_' + s.language, lang)} · "
                       + t("minutes_n", lang, n=f"{s.duration_minutes:g}")
                       + f" · {label('difficulty', s.difficulty, lang)}"
                       + f" · @{s.brand.handle} ({label('voice', s.brand.voice, lang)})")
            with st.expander(t("briefing", lang)):
                st.markdown(inert(s.briefing))

    with st.container(border=True):
        scenario_id = st.selectbox(t("scenario", lang), ids, key="start_scenario",
                                   format_func=lambda i: f"{cat.scenarios[i].title} ({i})")
        a, b = st.columns(2)
        user = auth.current_user()
        if "start_trainee" not in st.session_state:
            st.session_state["start_trainee"] = user.display_name if user else ""
        trainee = a.text_input(t("trainee", lang), key="start_trainee", max_chars=60)
        initials = b.text_input(t("initials", lang), key="start_initials", max_chars=4)
        c, d = st.columns(2)
        if "start_speed" not in st.session_state:
            st.session_state["start_speed"] = 10
        speed = c.select_slider(t("speed", lang), SPEEDS, key="start_speed",
                                format_func=lambda v: f"{v}x")
        mode = d.radio(t("mode", lang), ["practice", "assessment"], key="start_mode",
                       format_func=lambda m: t(m, lang))
        fixed = st.toggle(t("seed_fixed", lang), key="start_fixed")
        if "start_seed" not in st.session_state:
            st.session_state["start_seed"] = 1
        seed = st.number_input(t("seed_number", lang), min_value=0, max_value=2**31 - 1,
                               step=1, key="start_seed")
        submitted = st.button(t("start", lang), type="primary", disabled=busy,
                              key="start_drill")
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
            lead_in(drill)
            state.set_drill(drill)
            st.switch_page(page("desk"))

    with st.expander(t("preview_title", lang)):
        _preview(cat, ids, lang)


def lead_in(drill: LiveDrill) -> float:
    """Play the quiet minutes before the first customer writes, so the desk opens on a
    mention; the clock continues from there. Returns the simulated minutes skipped."""
    drills = services.app().drills
    start = drill.session.now
    minute = start
    while not drill.inbox.threads and minute - start < LEAD_IN_MAX_MINUTES \
            and not drill.session.finished:
        minute += LEAD_IN_STEP
        drills.advance_to(drill, minute)
    drill.clock = drill.clock.at_minute(drill.session.now, time.monotonic())
    return drill.session.now - start


def _preview(cat: Any, ids: list[str], lang: str) -> None:
    st.caption(t("preview_note", lang))
    st.session_state.setdefault("preview_seed", 1)
    st.session_state.setdefault("preview_minutes", 0.0)
    with st.form("headless"):
        scenario_id = st.selectbox(t("scenario", lang), ids, key="preview_scenario",
                                   format_func=lambda i: f"{cat.scenarios[i].title} ({i})")
        seed = st.number_input(t("seed_number", lang), min_value=0, max_value=2**31 - 1,
                               step=1, key="preview_seed")
        minutes = st.number_input(t("preview_minutes", lang), min_value=0.0,
                                  step=5.0, key="preview_minutes")
        submitted = st.form_submit_button(t("simulate", lang))
    if submitted:
        st.session_state["headless_run"] = (scenario_id, int(seed), float(minutes))
    if "headless_run" in st.session_state:
        scenario_id, seed, minutes = st.session_state["headless_run"]
        scenario = cat.scenarios.get(scenario_id)
        if scenario is None:  # no longer in this user's catalogue (e.g. the team changed)
            del st.session_state["headless_run"]
            return
        _summary(headless_run(scenario, seed, minutes or scenario.duration_minutes),
                 scenario, lang)


def _summary(run: Preview, scenario: Any, lang: str) -> None:
    s = run.summary
    st.markdown(f"#### {inert(str(s['scenario']))} · {t('seed_number', lang)} {s['seed']} · "
                f"{scenario.clock_label(float(s['minute']))}")
    a, b, c, d = st.columns(4)
    a.metric(t("pv_mentions", lang), s["mentions"])
    b.metric(t("pv_follow_ups", lang), s["follow_ups"])
    c.metric(t("pv_amplifications", lang), s["amplifications"])
    d.metric(t("pv_reputation", lang), f"{s['reputation']:.1f}")
    left, right = st.columns(2)
    left.dataframe(_counts(s["by_persona"], "persona", lang), hide_index=True,
                   width="stretch")
    right.dataframe(_counts(s["by_intent"], "intent", lang), hide_index=True,
                    width="stretch")
    reputation = pd.DataFrame([{**r, "clock": scenario.clock_label(r["minute"])}
                               for r in run.reputation])
    volume = pd.DataFrame(run.volume)
    if not reputation.empty:
        st.altair_chart(alt.Chart(reputation).mark_line().encode(
            x=alt.X("minute:Q", title=t("axis_minute", lang)),
            y=alt.Y("reputation:Q", title=t("reputation", lang),
                    scale=alt.Scale(domain=[0, 100])),
            tooltip=["clock", "reputation", "waiting"]), width="stretch")
    if not volume.empty:
        volume["kind"] = [label("post_kind", k, lang) for k in volume["kind"]]
        st.altair_chart(alt.Chart(volume).mark_area().encode(
            x=alt.X("minute:Q", title=t("axis_minute", lang)),
            y=alt.Y("posts:Q", title=t("axis_posts", lang)),
            color=alt.Color("kind:N", title=t("axis_kind", lang))), width="stretch")
    rows = [{t("col_clock", lang): m["clock"], t("col_customer", lang): m["author"],
             t("col_reach", lang): m["followers"],
             t("col_persona", lang): label("persona", m["persona"], lang),
             t("col_intent", lang): label("intent", m["intent"], lang),
             t("col_priority", lang): label("priority", m["priority"], lang),
             t("col_message", lang): m["text"]} for m in run.mentions]
    st.dataframe(pd.DataFrame(cells(rows)), hide_index=True, width="stretch", height=320)


def _counts(counts: Any, name: str, lang: str) -> pd.DataFrame:
    return pd.DataFrame(cells([{t("col_" + name, lang): label(name, k, lang),
                                t("pv_mentions", lang): v} for k, v in counts.items()]))

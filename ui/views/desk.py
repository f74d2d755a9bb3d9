"""The desk: the live drill. The live parts (top-bar figures, queue, thread view) refresh as
fragments and draw data only; every control (speed, pause, end, filters, "open next", the
composer) sits outside them, so a click or text being typed is never lost to a refresh."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from engine.records import ReputationSampled, action_from_dict
from engine.session import ActionError
from ui import recovery, state
from ui.clock import SPEEDS
from ui.drill import LiveDrill
from ui.i18n import t
from ui.inbox import FILTERS, SORTS, Row, sla_state
from ui.markup import inert
from ui.nav import page
from ui.views import composer, thread

REFRESH_SECONDS = 1.5
QUEUE_WINDOW = 40
SLA_MARK = {"breached": "⛔ breached", "at risk": "⚠ at risk", "ok": "✓ ok", "-": ""}


def render() -> None:
    lang = state.language()
    # One container for one-off notices, drawn every run: a notice that comes and goes must
    # not shift the elements below it (clicks on a shifted page can land on a stale copy).
    notices = st.container()
    current = state.drill()
    pending: list[dict[str, object]] = []
    if current is not None and current.stale:
        # The stored drill moved on without this copy (another tab): reload the stored one,
        # then send again what this copy sent but could not store, so nothing is lost.
        pending = [payload for _, _, payload in current.unsaved]
        state.set_drill(None)
        notices.info(t("reloaded", lang))
    drill = state.drill() or recovery.resume_running()
    if drill is not None and pending and not drill.ended:
        for payload in pending:
            with contextlib.suppress(ActionError, ValueError):  # no longer applies
                drill.act(action_from_dict(payload))
    if drill is not None and drill.resumed:
        notices.info(t("resumed", lang, clock=drill.scenario.clock_label(drill.session.now),
                       minute=f"{drill.session.now:.0f}"))
        drill.resumed = False
    if drill is None:
        st.info(t("no_drill", lang))
        st.page_link(page("start"), label=t("start_title", lang), icon="🌩️")
        return
    if drill.ended:
        st.success(t("ended", lang))
        st.page_link(page("scorecard"), label=t("see_scorecard", lang), icon="📋")
        return
    message = state.flash()
    if message:
        getattr(notices, message[0])(message[1])
    figures, controls = st.columns([8, 3])
    with figures:
        top_bar()
    with controls:
        _controls(drill, lang)
    left, right = st.columns([5, 7], gap="medium")
    with left:
        _queue_controls(drill, lang)
        queue()
    with right:
        thread_pane()
        composer.render(drill, lang)


@st.fragment(run_every=REFRESH_SECONDS)
def top_bar() -> None:
    drill = state.drill()
    if drill is None or drill.ended:
        return
    lang = state.language()
    drill.tick(time.monotonic())
    if drill.stale:
        st.rerun(scope="app")  # the page reloads the stored drill
    if drill.unsaved:
        st.warning(t("unsaved", lang, n=len(drill.unsaved)), icon="⚠️")
    s = drill.scenario
    now = drill.session.now
    counts = drill.index.counters(now, s.sla_minutes)
    clock_col, rep_col, sla_col = st.columns([2, 3, 3])
    clock_col.metric(t("clock", lang), s.clock_label(now))
    clock_col.caption(f"{now:.0f} / {s.duration_minutes:g} min · {drill.clock.speed:g}x"
                      + (" · ⏸" if drill.clock.paused else ""))
    with rep_col:
        samples = [e for e in drill.session.transcript[-4000:]
                   if isinstance(e, ReputationSampled)][-60:]
        value = drill.session.reputation
        st.metric(t("reputation", lang), f"{value:.0f}/100")
        if samples:
            frame = pd.DataFrame({"minute": [e.minute for e in samples],
                                  "reputation": [e.reputation for e in samples]})
            st.altair_chart(alt.Chart(frame).mark_line().encode(
                x=alt.X("minute:Q", axis=None),
                y=alt.Y("reputation:Q", scale=alt.Scale(domain=[0, 100]), axis=None),
            ).properties(height=40), width="stretch")
    with sla_col:
        st.metric(t("waiting", lang), counts["waiting"])
        st.caption(f"⚠ {t('at_risk', lang)}: **{counts['at risk']}** · "
                   f"⛔ {t('breached', lang)}: **{counts['breached']}**")
    if drill.session.scenario.status_updates_expected and drill.session.pinned_status:
        st.caption(f"📌 {t('pinned', lang)}: " + inert(drill.session.pinned_status))


def _controls(drill: LiveDrill, lang: str) -> None:
    """Speed, pause/resume and end: outside the refreshing fragment, acting in callbacks."""
    st.selectbox(t("speed", lang), SPEEDS, key="speed",
                 index=SPEEDS.index(int(drill.clock.speed))
                 if int(drill.clock.speed) in SPEEDS else 0,
                 format_func=lambda v: f"{v}x", on_change=_set_speed, args=(drill,))
    a, b = st.columns(2)
    label = t("resume", lang) if drill.clock.paused else t("pause", lang)
    a.button(label, key="pause", width="stretch", disabled=drill.session.finished,
             on_click=_toggle_pause, args=(drill,))
    if b.button(t("end", lang), key="end", type="primary", width="stretch"):
        try:
            end_drill(drill)
        except Exception:  # unsaved actions, or the database is away: keep playing
            st.error(t("end_failed", lang))
        else:
            st.switch_page(page("scorecard"))


def _set_speed(drill: LiveDrill) -> None:
    drill.tick(time.monotonic())  # the minutes so far count at the old speed
    drill.clock = drill.clock.with_speed(st.session_state["speed"], time.monotonic())


def _toggle_pause(drill: LiveDrill) -> None:
    now_wall = time.monotonic()
    drill.tick(now_wall)
    drill.clock = drill.clock.resume(now_wall) if drill.clock.paused else drill.clock.pause(
        now_wall)


def end_drill(drill: LiveDrill) -> None:
    """Stop the clock and score the drill (with the LLM judge when one is configured)."""
    from scoring.judge import judge_from_env
    from scoring.scorecard import score_session

    drill.tick(time.monotonic())
    drill.clock = drill.clock.pause(time.monotonic())
    drill.finish(score_session(drill.session.transcript, drill.scenario,
                               judge=judge_from_env()))


def queue_frame(rows: list[Row], now: float, drill: LiveDrill) -> pd.DataFrame:
    """The queue's visible window as a table (text columns only: SLA state is spelled out)."""
    sla = drill.scenario.sla_minutes
    records = []
    for r in rows:
        status, waited = sla_state(r, now, sla)
        records.append({
            "•": "●" if r.unread else "",
            "SLA": f"{SLA_MARK[status]} {waited:.0f}m" if status != "-" else
            ("✓ answered" if r.answered else ("hidden" if r.hidden else "")),
            "priority": r.priority,
            "author": f"@{r.handle}" + (" ✔" if r.verified else ""),
            "followers": r.followers,
            "mood": "😡" if r.sentiment < -0.5 else ("🙁" if r.sentiment < -0.1 else
                                                     ("🙂" if r.sentiment > 0.3 else "😐")),
            "last post": r.last_text,
            "owner": r.assignee,
        })
    return pd.DataFrame.from_records(records, columns=[
        "•", "SLA", "priority", "author", "followers", "mood", "last post", "owner"])


def _style(frame: pd.DataFrame) -> Any:
    def colour(value: str) -> str:
        if value.startswith("⛔"):
            return "background-color: #fde2e1"
        if value.startswith("⚠"):
            return "background-color: #fff3cd"
        return ""

    return frame.style.map(colour, subset=["SLA"])


@st.fragment(run_every=REFRESH_SECONDS)
def queue() -> None:
    drill = state.drill()
    if drill is None or drill.ended:
        return
    lang = state.language()
    drill.tick(time.monotonic())
    filter_name = st.session_state.get("queue_filter", FILTERS[0])
    sort = st.session_state.get("queue_sort", SORTS[0])
    page_no = int(st.session_state.get("queue_page", 1))
    rows, total = drill.index.select(filter_name, sort, agent=drill.initials or drill.trainee,
                                     limit=QUEUE_WINDOW, offset=(page_no - 1) * QUEUE_WINDOW)
    pages = max(1, -(-total // QUEUE_WINDOW))
    st.caption(t("queue_count", lang, shown=len(rows), total=total)
               + (f" · {t('page', lang)} {page_no}/{pages}" if pages > 1 else ""))
    st.session_state["queue_ids"] = [r.thread_id for r in rows]
    key = f"queue-{st.session_state.get('queue_gen', 0)}"
    event = st.dataframe(
        _style(queue_frame(rows, drill.session.now, drill)), key=key, hide_index=True,
        on_select="rerun", selection_mode="single-row", width="stretch", height=520,
        column_config={
            "•": st.column_config.TextColumn("", width=20, help="unread"),
            "followers": st.column_config.NumberColumn(format="compact"),
            "last post": st.column_config.TextColumn(width="large"),
        })
    picked = event.selection.rows if event else []
    if picked:
        ids = st.session_state["queue_ids"]
        if picked[0] < len(ids):
            open_thread(drill, ids[picked[0]])
            # A new key clears the selection, so the next refresh cannot re-point it at
            # whatever row moved into that position.
            st.session_state["queue_gen"] = st.session_state.get("queue_gen", 0) + 1
            st.rerun()


def _queue_controls(drill: LiveDrill, lang: str) -> None:
    """Filters, sort, page and "open next": outside the refreshing queue fragment."""
    f_col, s_col, p_col = st.columns([4, 4, 2])
    f_col.selectbox(t("filter", lang), FILTERS, key="queue_filter", on_change=_first_page)
    s_col.selectbox(t("sort", lang), SORTS, key="queue_sort", on_change=_first_page)
    p_col.number_input(t("page", lang), min_value=1, value=1, step=1, key="queue_page")
    st.button(t("next", lang), key="next_waiting", width="stretch", on_click=_open_next,
              args=(drill,))


def _open_next(drill: LiveDrill) -> None:
    drill.tick(time.monotonic())
    waiting, _ = drill.index.select("unanswered", "highest risk", limit=1)
    if waiting:
        open_thread(drill, waiting[0].thread_id)


def _first_page() -> None:
    st.session_state["queue_page"] = 1


def open_thread(drill: LiveDrill, thread_id: str) -> None:
    drill.selected = thread_id
    drill.index.mark_seen(thread_id)


@st.fragment(run_every=REFRESH_SECONDS)
def thread_pane() -> None:
    drill = state.drill()
    if drill is None or drill.ended:
        return
    drill.tick(time.monotonic())
    thread.render(drill, state.language())

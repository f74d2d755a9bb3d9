"""The desk: the live drill. The live parts (top-bar figures, incident panel, queue, thread view)
refresh as fragments and draw data only; every control (speed, pause, end, filters, "open
next", the composer) sits outside them, so a click or text being typed is never lost to a
refresh. Everything the desk does goes through the application layer (``app().drills``)."""

from __future__ import annotations

import time
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from engine.projection import ThreadState
from stormdesk.clock import SPEEDS
from stormdesk.drill import LiveDrill, UnsavedActions
from stormdesk.inbox import FILTERS, SORTS, sla_state
from ui import recovery, services, state
from ui.i18n import t
from ui.markup import inert
from ui.nav import page
from ui.views import composer, thread

REFRESH_SECONDS = 1.5
QUEUE_WINDOW = 40
SLA_MARK = {"breached": "⛔", "at risk": "⚠", "ok": "✓", "-": ""}
#: Incident facts in the order the panel shows them (keys of IncidentUpdated.facts).
PANEL_FACTS = ("down", "since", "affected", "cause", "eta", "status_page", "compensation")
#: An incident update stays highlighted this many simulated minutes after it arrives.
FRESH_MINUTES = 5.0
#: Session-state flag: the End dialog is open.
_CONFIRMING = "confirming_end"


def render() -> None:
    lang = state.language()
    # One container for one-off notices, drawn every run: a notice that comes and goes must
    # not shift the elements below it (clicks on a shifted page can land on a stale copy).
    notices = st.container()
    current = state.drill()
    pending: list[dict[str, Any]] = []
    if current is not None and current.stale:
        # The stored drill moved on without this copy (another tab): reload the stored one,
        # then send again what this copy sent but could not store, so nothing is lost.
        pending = [payload for _, _, payload in current.unsaved]
        state.set_drill(None)
        notices.info(t("reloaded", lang))
    drill = state.drill() or recovery.resume_running()
    if drill is not None and pending and not drill.ended:
        services.app().drills.resend(drill, pending)
    if drill is not None and drill.resumed:
        notices.info(t("resumed", lang, clock=drill.scenario.clock_label(drill.session.now),
                       minute=f"{drill.session.now:.0f}"))
        drill.resumed = False
    if drill is not None and drill.world_changed:
        notices.warning(t("world_changed", lang, parts=", ".join(drill.world_changed)),
                        icon="⚠️")
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
    if drill.scenario.incident:
        incident_panel()
    left, right = st.columns([5, 7], gap="medium")
    with left:
        _queue_controls(drill, lang)
        queue()
    with right:
        thread_pane()
        composer.render(drill, lang)


def _tick(drill: LiveDrill) -> None:
    services.app().drills.tick(drill, time.monotonic())


@st.fragment(run_every=REFRESH_SECONDS)
def top_bar() -> None:
    drill = state.drill()
    if drill is None or drill.ended:
        return
    lang = state.language()
    _tick(drill)
    if drill.stale:
        st.rerun(scope="app")  # the page reloads the stored drill
    if drill.unsaved:
        st.warning(t("unsaved", lang, n=len(drill.unsaved)), icon="⚠️")
    s = drill.scenario
    now = drill.session.now
    counts = drill.inbox.counters(now, s.sla_minutes)
    clock_col, rep_col, sla_col = st.columns([2, 3, 3])
    clock_col.metric(t("clock", lang), s.clock_label(now))
    clock_col.caption(f"{s.clock_label(now)} / {s.clock_label(s.duration_minutes)} · "
                      f"{drill.clock.speed:g}x" + (" · ⏸" if drill.clock.paused else ""))
    with rep_col:
        samples = drill.inbox.projection.reputation[-60:]
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
    pinned = drill.inbox.projection.pinned_status
    if pinned is not None:
        st.caption(f"📌 {t('pinned', lang)} ({s.clock_label(pinned.minute)}): "
                   + inert(pinned.text))


@st.fragment(run_every=REFRESH_SECONDS)
def incident_panel() -> None:
    """What the team knows at this minute: the facts a status update must carry. An update
    that arrived since the trainee last looked is highlighted until the next refresh."""
    drill = state.drill()
    if drill is None or drill.ended:
        return
    lang = state.language()
    projection = drill.inbox.projection
    updates = projection.incident_updates
    with st.container(border=True):
        if not updates:
            st.markdown(f"**🚨 {t('incident_panel', lang)}** · {t('incident_none', lang)}")
            return
        latest = updates[-1]
        # Highlighted for a few simulated minutes after it arrives (a toast would do, but it
        # closes any open dropdown on the page, e.g. the speed picker, at every refresh).
        fresh = drill.session.now - latest.minute <= FRESH_MINUTES
        drill.facts_seen = len(updates)
        previous = updates[-2].facts if len(updates) > 1 else {}
        head = (f"**🚨 {t('incident_panel', lang)}** · "
                + t("incident_updated", lang, clock=drill.scenario.clock_label(latest.minute),
                    n=len(updates)))
        if fresh:
            st.markdown(f":red-background[{head}] :red-badge[{t('incident_new', lang)}]")
        else:
            st.markdown(head)
        cols = st.columns(2)
        shown = 0
        for key in PANEL_FACTS:
            value = latest.facts.get(key, "")
            label = t(f"fact_{key}", lang)
            if not value:
                value = t("fact_unknown", lang) if key in ("cause", "eta") else ""
            if not value:
                continue
            changed = previous and previous.get(key, "") != latest.facts.get(key, "")
            text = f"**{label}:** " + inert(value)
            if changed:
                text += f" :orange-badge[{t('fact_changed', lang)}]"
            cols[shown % 2].markdown(text)
            shown += 1


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
        st.session_state[_CONFIRMING] = True
    if st.session_state.get(_CONFIRMING):
        # Kept open across reruns by a flag: a click inside the dialog reruns the page, and
        # the dialog must still be there to receive it.
        st.dialog(t("end_title", lang), dismissible=False)(confirm_end)(drill)


def confirm_end(drill: LiveDrill) -> None:
    """Ask before ending: an assessment ended early plays the remaining minutes with nobody
    answering; a practice drill ended early is marked partial."""
    lang = state.language()
    _tick(drill)
    early = not drill.session.finished
    if drill.mode == "assessment" and early:
        st.warning(t("end_assessment_early", lang,
                     minutes=f"{drill.remaining_minutes:.0f}",
                     clock=drill.scenario.clock_label(drill.scenario.duration_minutes)))
    elif early:
        st.info(t("end_practice_early", lang, minutes=f"{drill.remaining_minutes:.0f}"))
    else:
        st.info(t("end_finished", lang))
    a, b = st.columns(2)
    if a.button(t("end_confirm", lang), key="end_confirm", type="primary", width="stretch"):
        st.session_state[_CONFIRMING] = False
        try:
            end_drill(drill)
        except UnsavedActions:
            state.flash(t("end_failed", lang))
            st.rerun()
        except Exception:  # the database is away: keep playing
            state.flash(t("end_failed", lang))
            st.rerun()
        st.switch_page(page("scorecard"))
    if b.button(t("end_cancel", lang), key="end_cancel", width="stretch"):
        st.session_state[_CONFIRMING] = False
        st.rerun()


def end_drill(drill: LiveDrill) -> None:
    """Stop the clock and score the drill (the trainee confirmed: the application plays the
    rest of an assessment with nobody answering)."""
    services.app().drills.end(drill, time.monotonic(), play_out=True)


def _set_speed(drill: LiveDrill) -> None:
    services.app().drills.set_speed(drill, st.session_state["speed"], time.monotonic())


def _toggle_pause(drill: LiveDrill) -> None:
    services.app().drills.toggle_pause(drill, time.monotonic())


def _mood(sentiment: float) -> str:
    if sentiment < -0.5:
        return "😡"
    if sentiment < -0.1:
        return "🙁"
    return "🙂" if sentiment > 0.3 else "😐"


def queue_frame(rows: list[ThreadState], now: float, drill: LiveDrill,
                lang: str = "en") -> pd.DataFrame:
    """The queue's visible window as a table (text columns only: SLA state is spelled out)."""
    sla = drill.scenario.sla_minutes
    records = []
    for r in rows:
        status, waited = sla_state(r, now, sla)
        if status != "-":
            sla_text = f"{SLA_MARK[status]} {t('sla_' + status.replace(' ', '_'), lang)} " \
                       f"{waited:.0f}m"
        elif r.answered:
            sla_text = "✓ " + t("answered", lang)
        else:
            sla_text = t("hidden_state", lang) if r.hidden else ""
        records.append({
            "•": "●" if drill.inbox.unread(r) else "",
            "SLA": sla_text,
            "priority": r.priority,
            "author": f"@{r.author.handle}" + (" ✔" if r.author.verified else ""),
            "followers": r.author.followers,
            "mood": _mood(r.sentiment),
            "last post": r.last_customer_text,
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
    _tick(drill)
    filter_name = st.session_state.get("queue_filter", FILTERS[0])
    sort = st.session_state.get("queue_sort", SORTS[0])
    page_no = int(st.session_state.get("queue_page", 1))
    rows, total = drill.inbox.select(filter_name, sort, agent=drill.agent,
                                     limit=QUEUE_WINDOW, offset=(page_no - 1) * QUEUE_WINDOW)
    pages = max(1, -(-total // QUEUE_WINDOW))
    st.caption(t("queue_count", lang, shown=len(rows), total=total)
               + (f" · {t('page', lang)} {page_no}/{pages}" if pages > 1 else ""))
    st.session_state["queue_ids"] = [r.thread_id for r in rows]
    key = f"queue-{st.session_state.get('queue_gen', 0)}"
    event = st.dataframe(
        _style(queue_frame(rows, drill.session.now, drill, lang)), key=key, hide_index=True,
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
    _tick(drill)
    waiting, _ = drill.inbox.select("unanswered", "highest risk", limit=1)
    if waiting:
        open_thread(drill, waiting[0].thread_id)


def _first_page() -> None:
    st.session_state["queue_page"] = 1


def open_thread(drill: LiveDrill, thread_id: str) -> None:
    drill.selected = thread_id
    drill.inbox.mark_seen(thread_id)


@st.fragment(run_every=REFRESH_SECONDS)
def thread_pane() -> None:
    drill = state.drill()
    if drill is None or drill.ended:
        return
    _tick(drill)
    thread.render(drill, state.language())

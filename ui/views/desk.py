"""The desk: the live drill. The live parts (top-bar figures, incident panel, queue table,
thread view) refresh as fragments and draw data only; every control (speed, pause, end,
search, filters, navigation, bulk actions, the thread's actions, the composer) sits outside
them, so a click or text being typed is never lost to a refresh.

The desk wires the solo drill into the shared parts: the queue, thread and composer act
through ``act`` and ``coach`` (here the application's ``Drills``; a crisis-room seat passes
its own), and assignment lists the trainee (or nobody)."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from engine.records import Action
from scoring.records import FeedbackSummary
from stormdesk.clock import SPEEDS
from stormdesk.drill import LiveDrill, UnsavedActions
from ui import auth, recovery, services, state
from ui.i18n import t
from ui.markup import inert
from ui.nav import page
from ui.views import Act, Coach, People, composer, queue, thread

REFRESH_SECONDS = queue.REFRESH_SECONDS
#: Incident facts in the order the panel shows them (keys of IncidentUpdated.facts).
PANEL_FACTS = ("down", "since", "affected", "cause", "eta", "status_page", "compensation")
#: An incident update stays highlighted this many simulated minutes after it arrives.
FRESH_MINUTES = 5.0
#: The reputation's change is shown over this many simulated minutes (a number, not a chart:
#: the desk opens faster without the chart library, and a change reads at a glance).
TREND_MINUTES = 10.0
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
    ended_here = st.query_params.get("drill")
    if drill is None and ended_here:
        ended_card(str(ended_here), lang)  # a reload after End: the same scorecard
        return
    if drill is None:
        st.info(t("no_drill", lang))
        st.page_link(page("start"), label=t("start_title", lang), icon="🌩️")
        return
    if drill.ended:
        ended_card(drill.drill_id, lang)
        return
    message = state.flash()
    if message:
        getattr(notices, message[0])(message[1])
    act, coach = solo(drill)
    figures, controls = st.columns([8, 3])
    with figures:
        top_bar()
    with controls:
        _controls(drill, lang)
    if drill.scenario.incident:
        incident_panel()
    left, right = st.columns([3, 2], gap="medium")
    with left:
        queue.render(drill, lang, act=act, tick=lambda: _tick(drill))
    with right:
        thread_pane()
        thread.actions(drill, lang, act=act, people=people(drill))
        composer.render(drill, lang, act=act, coach=coach)


def ended_card(drill_id: str, lang: str) -> None:
    """The drill just ended: its scorecard, right here (and a link to every scorecard)."""
    from ui.views import scorecard

    st.success(t("ended", lang))
    st.page_link(page("scorecard"), label=t("see_scorecard", lang), icon="📋")
    user = auth.current_user()
    stored = services.app().reviews.load(user.viewer, drill_id) if user else None
    if stored is None:
        st.error(t("no_such_drill", lang))
        return
    scorecard.show(stored, key="ended")


def solo(drill: LiveDrill) -> tuple[Act, Coach]:
    """What the solo desk acts through: the application's drills service."""
    drills = services.app().drills

    def act(action: Action) -> None:
        drills.act(drill, action)

    def coach(thread_id: str, text: str, channel: str) -> None:
        drills.coach(drill, thread_id, text, channel)

    return act, coach


def people(drill: LiveDrill) -> People:
    """Whom a solo trainee can assign to: themself (the room passes its roster)."""
    name = drill.trainee if not drill.initials else f"{drill.trainee} ({drill.initials})"
    return [(drill.agent, name)]


def _reputation_at(drill: LiveDrill, minute: float) -> float | None:
    """The reputation sampled last at or before ``minute`` (None before the first sample)."""
    found = None
    for sample in reversed(drill.inbox.projection.reputation):
        if sample.minute <= minute:
            found = sample.reputation
            break
    return found


def stray_refresh() -> None:
    """A refresh of the desk that arrives when there is no live drill to draw: the drill ended
    and the page moved on (the browser can still send a timer it had set). Drawing nothing
    into the page now on screen blanked it (the scorecard after End); run the whole page
    instead, which draws what is on screen now and sets no desk timers."""
    st.rerun(scope="app")


def _tick(drill: LiveDrill) -> None:
    services.app().drills.tick(drill, time.monotonic())


@st.fragment(run_every=REFRESH_SECONDS)
def top_bar() -> None:
    drill = state.drill()
    if drill is None or drill.ended:
        stray_refresh()
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
    clock_col, rep_col, sla_col, csat_col = st.columns([2, 3, 3, 2])
    clock_col.metric(t("clock", lang), s.clock_label(now))
    clock_col.caption(f"{s.clock_label(now)} / {s.clock_label(s.duration_minutes)} · "
                      f"{drill.clock.speed:g}x" + (" · ⏸" if drill.clock.paused else ""))
    with rep_col:
        value = drill.session.reputation
        before = _reputation_at(drill, now - TREND_MINUTES)
        delta = None if before is None else round(value - before, 1)
        st.metric(t("reputation", lang), f"{value:.0f}/100",
                  delta=None if delta is None else t("rep_delta", lang, delta=f"{delta:+.0f}",
                                                     n=f"{TREND_MINUTES:g}"),
                  delta_color="off" if not delta else "normal",
                  help=t("reputation_help", lang))
    with sla_col:
        st.metric(t("waiting", lang), counts["waiting"])
        st.caption(f"⚠ {t('at_risk', lang)}: **{counts['at risk']}** · "
                   f"⛔ {t('breached', lang)}: **{counts['breached']}**")
    with csat_col:
        feedback = FeedbackSummary.of(drill.inbox.projection.feedback)
        shown = "-" if feedback.csat_mean is None else f"{feedback.csat_mean:.1f}/5"
        st.metric(t("csat", lang), shown, help=t("csat_help", lang))
        if feedback.nps is not None:
            st.caption(t("nps_line", lang, nps=f"{feedback.nps:+.0f}",
                         n=feedback.responses))
    pinned = drill.inbox.projection.pinned_status
    if pinned is not None:
        st.caption(f"📌 {t('pinned', lang)} ({s.clock_label(pinned.minute)}): "
                   + inert(pinned.text))


@st.fragment(run_every=REFRESH_SECONDS)
def incident_panel() -> None:
    """What the team knows at this minute: the facts a status update must carry. An update
    that arrived in the last few simulated minutes is highlighted."""
    drill = state.drill()
    if drill is None or drill.ended:
        stray_refresh()
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
            name = t(f"fact_{key}", lang)
            if not value:
                value = t("fact_unknown", lang) if key in ("cause", "eta") else ""
            if not value:
                continue
            changed = previous and previous.get(key, "") != latest.facts.get(key, "")
            text = f"**{name}:** " + inert(value)
            if changed:
                text += f" :orange-badge[{t('fact_changed', lang)}]"
            cols[shown % 2].markdown(text)
            shown += 1


def _controls(drill: LiveDrill, lang: str) -> None:
    """Speed, pause/resume and end: outside the refreshing fragment, acting in callbacks."""
    if st.session_state.get("speed") not in SPEEDS:  # the drill's own speed to begin with
        st.session_state["speed"] = (int(drill.clock.speed) if int(drill.clock.speed) in SPEEDS
                                     else SPEEDS[0])
    st.selectbox(t("speed", lang), SPEEDS, key="speed", format_func=lambda v: f"{v}x",
                 on_change=_set_speed, args=(drill, lang))
    a, b = st.columns(2)
    label = t("resume", lang) if drill.clock.paused else t("pause", lang)
    a.button(label, key="pause", width="stretch", disabled=drill.session.finished,
             on_click=_toggle_pause, args=(drill, lang))
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
        # The scorecard is drawn here, on the desk, by a full run without the desk's live
        # parts. Switching pages raced the browser's refresh timers: a refresh sent for a
        # desk part just as the page changed came back empty and blanked the scorecard
        # (Streamlit skips a part it no longer has, streamlit#9080) until a reload.
        st.query_params["drill"] = drill.drill_id  # a reload shows the same scorecard
        st.rerun()
    if b.button(t("end_cancel", lang), key="end_cancel", width="stretch"):
        st.session_state[_CONFIRMING] = False
        st.rerun()


def end_drill(drill: LiveDrill) -> None:
    """Stop the clock and score the drill (the trainee confirmed: the application plays the
    rest of an assessment with nobody answering)."""
    services.app().drills.end(drill, time.monotonic(), play_out=True)


def _set_speed(drill: LiveDrill, lang: str) -> None:
    speed = st.session_state["speed"]
    services.app().drills.set_speed(drill, speed, time.monotonic())
    state.toast(t("done_speed", lang, speed=f"{speed}x"), icon="⏩")


def _toggle_pause(drill: LiveDrill, lang: str) -> None:
    services.app().drills.toggle_pause(drill, time.monotonic())
    state.toast(t("done_paused" if drill.clock.paused else "done_resumed", lang),
                icon="⏸" if drill.clock.paused else "▶")


@st.fragment(run_every=REFRESH_SECONDS)
def thread_pane() -> None:
    drill = state.drill()
    if drill is None or drill.ended:
        stray_refresh()
        return
    _tick(drill)
    thread.render(drill, state.language())

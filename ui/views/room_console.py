"""The lead's console: the room's one clock (start, pause, resume, speed), round-robin on or
off, live injects (from the scenario's list or written on the spot) and incident updates, the
board (who is on which thread, backlog, SLA breaches, reputation, per-agent counts, the latest
moves), and ending the room for everyone."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.records import INTENTS, PERSONAS, InjectMention, UpdateIncident
from store.records import Viewer
from stormdesk.clock import SPEEDS
from stormdesk.errors import AccessDenied, ActionError, StoreError
from stormdesk.room_types import EndNeedsConfirmation, Room, RoomUnavailable
from ui import auth, state
from ui.i18n import label, t
from ui.markup import cells, inert
from ui.views import room_state, room_widgets
from ui.views.room_widgets import PANEL_FACTS, REFRESH_SECONDS

_ENDING = "room_ending"
#: Height of a dataframe row in pixels (Streamlit's default row height), and timeline rows.
ROW_PX = 35
TIMELINE_ROWS = 8


def render() -> None:
    lang = state.language()
    user = auth.current_user()
    if user is None or user.role not in ("manager", "admin"):
        st.error(t("room_leads_only", lang))
        return
    room_id = st.query_params.get("room")
    service = room_state.rooms()
    try:
        room = service.room_now(user.viewer, room_id) if room_id else None
    except (AccessDenied, LookupError):
        room = None
    if room is None:
        st.info(t("room_no_room", lang))
        return
    st.subheader("🎛️ " + inert(room.title))
    st.caption(f"{inert(room.scenario_id)} · {t('room_seed', lang)} {room.seed} · "
               + t("room_mode_" + room.mode, lang) + f" · {room.id}")
    message = state.flash()
    if message:
        getattr(st, message[0])(message[1])
    if not room.running:
        st.success(t("room_ended_notice", lang))
        page = room_state.link("room_scorecard")
        if page is not None:
            st.page_link(page, label=t("room_team_scorecard", lang), icon="🏆",
                         query_params={"room": room.id})
        return
    _controls(room, lang)
    board()
    left, right = st.columns(2, gap="medium")
    with left:
        _injects(room, lang)
    with right:
        _incident_form(room, lang)
    if st.session_state.get(_ENDING):
        st.dialog(t("room_end_title", lang), dismissible=False)(_confirm_end)(room, lang)


def _controls(room: Room, lang: str) -> None:
    clock = room.clock
    a, b, c, d = st.columns([2, 2, 3, 2])
    if not clock.started:
        a.button("▶ " + t("room_start", lang), key="room_clock", type="primary",
                 width="stretch", on_click=_clock, args=(room.id, False, None, lang))
    elif clock.paused:
        a.button("▶ " + t("room_resume", lang), key="room_clock", type="primary",
                 width="stretch", on_click=_clock, args=(room.id, False, None, lang))
    else:
        a.button("⏸ " + t("room_pause", lang), key="room_clock", width="stretch",
                 on_click=_clock, args=(room.id, True, None, lang))
    speeds = list(SPEEDS)
    b.selectbox(t("room_speed", lang), speeds, key="room_console_speed",
                index=speeds.index(int(clock.speed)) if int(clock.speed) in speeds else 0,
                format_func=lambda v: f"{v}x", on_change=_speed, args=(room.id, lang))
    c.toggle(t("room_auto_assign", lang), value=room.auto_assign, key="room_auto",
             on_change=_auto, args=(room.id, lang), help=t("room_auto_assign_help", lang))
    if d.button(t("room_end", lang), key="room_end", type="primary", width="stretch"):
        st.session_state[_ENDING] = True


def _viewer() -> Viewer:
    user = auth.current_user()
    assert user is not None
    return user.viewer


def _clock(room_id: str, paused: bool, speed: float | None, lang: str) -> None:
    try:
        room_state.rooms().set_clock(_viewer(), room_id, paused=paused,
                                     speed=speed)
    except (StoreError, RoomUnavailable) as exc:
        state.flash(str(exc))


def _speed(room_id: str, lang: str) -> None:
    _clock(room_id, room_state.rooms().room_now(_viewer(), room_id).clock.paused,
           float(st.session_state["room_console_speed"]), lang)


def _auto(room_id: str, lang: str) -> None:
    try:
        room_state.rooms().set_auto_assign(_viewer(), room_id,
                                           bool(st.session_state["room_auto"]))
    except StoreError as exc:
        state.flash(str(exc))


@st.fragment(run_every=REFRESH_SECONDS)
def board() -> None:
    lang = state.language()
    user = auth.current_user()
    room_id = st.query_params.get("room")
    if user is None or not room_id:
        return
    service = room_state.rooms()
    live = service.console(user.viewer, room_id)
    if not live.figures.running:
        st.rerun(scope="app")
    room_widgets.figures(live.figures, lang)
    a, b, c = st.columns(3)
    a.metric(t("room_unowned_waiting", lang), live.unowned_waiting)
    b.metric(t("room_collisions", lang), live.collisions)
    c.metric(t("room_threads", lang), live.threads)
    rows = [{
        t("room_col_agent", lang): m.agent, t("room_col_name", lang): m.name,
        t("room_col_duty", lang): t("room_duty_" + (m.duty or "none"), lang),
        t("room_col_online", lang): ("🟢" if m.online else "⚪") + ("" if m.joined
                                                                  else " " + t("room_not_joined",
                                                                               lang)),
        t("room_col_on_thread", lang): (("✍ " if m.typing else "👀 ") + m.thread_id)
        if m.thread_id else "",
        t("room_col_replies", lang): m.replies, t("room_col_statuses", lang): m.statuses,
        t("room_col_owned", lang): m.owned, t("room_col_owned_waiting", lang): m.owned_waiting,
        t("room_col_breached", lang): m.owned_breached,
    } for m in live.members]
    # Fixed heights: the board redraws every second and must not move the forms below it.
    st.dataframe(pd.DataFrame.from_records(cells(rows)), hide_index=True, width="stretch",
                 height=ROW_PX * (len(rows) + 1) + 3)
    room_widgets.incident(live.figures, lang)
    lines = service.timeline(user.viewer, room_id, TIMELINE_ROWS)
    st.caption(t("room_latest", lang))
    columns = [t("room_col_clock", lang), t("room_col_agent", lang), t("room_col_action", lang),
               t("room_col_thread", lang), t("room_col_what", lang)]
    st.dataframe(pd.DataFrame.from_records(cells([dict(zip(columns, (
        line.clock, line.agent, line.kind, line.thread_id,
        line.summary + (" ⛔ " + line.refused if line.refused else "")), strict=True))
        for line in reversed(lines)]), columns=columns), hide_index=True, width="stretch",
        height=ROW_PX * (TIMELINE_ROWS + 1) + 3)


def _injects(room: Room, lang: str) -> None:
    st.markdown("**💥 " + t("room_inject", lang) + "**")
    scripted, custom = st.tabs([t("room_inject_scripted", lang), t("room_inject_custom", lang)])
    service = room_state.rooms()
    options = service.injects(room.id, _viewer())
    with scripted:
        if not options:
            st.caption(t("room_inject_none", lang))
        else:
            pick = st.selectbox(t("room_inject_pick", lang), range(len(options)),
                                key="room_inject_pick",
                                format_func=lambda i: label("persona", options[i].persona, lang)
                                + f" · {options[i].text[:70]}")
            st.caption(t("room_inject_scripted_help", lang))
            if st.button(t("room_inject_fire", lang), key="room_inject_fire_scripted"):
                _fire(room.id, options[int(pick)], lang)
    with custom, st.form("room_inject_form"):
        a, b = st.columns(2)
        persona = a.selectbox(t("room_persona", lang), PERSONAS, key="room_inj_persona",
                              format_func=lambda v: label("persona", v, lang))
        intent = b.selectbox(t("room_intent", lang), INTENTS, key="room_inj_intent",
                             format_func=lambda v: label("intent", v, lang))
        c, d, e = st.columns(3)
        handle = c.text_input(t("room_handle", lang), key="room_inj_handle", max_chars=30)
        name = d.text_input(t("room_display_name", lang), key="room_inj_name", max_chars=80)
        followers = e.number_input(t("room_reach", lang), min_value=0, max_value=500_000_000,
                                   value=25_000, step=1000, key="room_inj_followers")
        language = room_state.rooms().copy_of(_viewer(), room.id).scenario.language
        text = st.text_area(t("room_inject_text", lang), key="room_inj_text", max_chars=280,
                            help=t("room_inject_text_help", lang,
                                   name={"en": "English", "ko": "한국어"}.get(language, language)))
        sentiment = st.slider(t("room_sentiment", lang), -1.0, 1.0, -0.5, 0.1,
                              key="room_inj_sentiment")
        if st.form_submit_button(t("room_inject_fire", lang), type="primary"):
            _fire(room.id, InjectMention(persona, intent, text, float(sentiment),
                                         author_handle=handle.strip(),
                                         display_name=name.strip(),
                                         followers=int(followers)), lang)


def _fire(room_id: str, action: InjectMention | UpdateIncident, lang: str) -> None:
    try:
        room_state.rooms().lead_act(_viewer(), room_id, action)
    except (ActionError, StoreError, RoomUnavailable) as exc:
        st.error(inert(str(exc)))
        return
    st.toast(t("room_fired", lang), icon="💥")


def _incident_form(room: Room, lang: str) -> None:
    st.markdown("**🚨 " + t("room_incident_push", lang) + "**")
    copy = room_state.rooms().copy_of(_viewer(), room.id)
    with copy.lock:
        current = dict(copy.session.projection.facts)
    with st.form("room_incident_form"):
        values = {key: st.text_input(t("room_fact_" + key, lang), value=current.get(key, ""),
                                     key=f"room_fact_{key}", max_chars=300)
                  for key in PANEL_FACTS}
        if st.form_submit_button(t("room_incident_send", lang), type="primary"):
            _fire(room.id, UpdateIncident(
                down=values["down"], since=values["since"], affected=values["affected"],
                cause=values["cause"], eta=values["eta"], status_page=values["status_page"],
                compensation=values["compensation"]), lang)


def _confirm_end(room: Room, lang: str) -> None:
    service = room_state.rooms()
    early = room.mode == "assessment"
    st.warning(t("room_end_assessment" if early else "room_end_practice", lang))
    a, b = st.columns(2)
    if a.button(t("room_end_confirm", lang), key="room_end_confirm", type="primary",
                width="stretch"):
        st.session_state[_ENDING] = False
        try:
            with st.spinner(t("room_grading", lang)):
                service.end(_viewer(), room.id, play_out=True)
        except (StoreError, EndNeedsConfirmation, RoomUnavailable) as exc:
            state.flash(str(exc))
            st.rerun()
        page = room_state.link("room_scorecard")
        if page is not None:
            st.switch_page(page, query_params={"room": room.id})
        st.rerun()
    if b.button(t("room_end_cancel", lang), key="room_end_cancel", width="stretch"):
        st.session_state[_ENDING] = False
        st.rerun()

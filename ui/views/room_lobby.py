"""The Rooms page: trainees see the rooms they are on the roster of and join them; leads open a
room (scenario, seed, speed, mode, the roster from their team with optional duties) and reach
its console or its team scorecard."""

from __future__ import annotations

import secrets

import streamlit as st

from store.records import User
from stormdesk.clock import SPEEDS
from stormdesk.errors import AccessDenied, InvalidInput, StoreError
from stormdesk.room_types import RoomSummary, RosterPick
from ui import auth, services, state
from ui.data import catalogue
from ui.i18n import t
from ui.markup import inert
from ui.views import room_state

MODES = ("practice", "assessment")


def render() -> None:
    lang = state.language()
    user = auth.current_user()
    if user is None:
        return
    st.title("🧑‍🤝‍🧑 " + t("room_nav", lang))
    st.caption(t("room_intro", lang))
    message = state.flash()
    if message:
        getattr(st, message[0])(message[1])
    if user.role in ("manager", "admin"):
        _open_form(user, lang)
    summaries = room_state.rooms().rooms(user.viewer)
    running = [s for s in summaries if s.room.running]
    ended = [s for s in summaries if not s.room.running]
    st.subheader(t("room_running", lang))
    if not running:
        st.caption(t("room_none_running", lang))
    for summary in running:
        _running_card(user, summary, lang)
    if ended:
        st.subheader(t("room_ended", lang))
        for summary in ended[:30]:
            _ended_line(user, summary, lang)


def _state(summary: RoomSummary, lang: str) -> str:
    clock = summary.room.clock
    if not clock.started:
        return t("room_state_waiting", lang)
    if clock.paused:
        return t("room_state_paused", lang)
    return t("room_state_live", lang)


def _running_card(user: User, summary: RoomSummary, lang: str) -> None:
    room = summary.room
    with st.container(border=True):
        a, b = st.columns([4, 2])
        a.markdown(f"**{inert(room.title)}** · {inert(room.scenario_id)} · "
                   + t("room_mode_" + room.mode, lang))
        a.caption(t("room_card_line", lang, lead=inert(room.lead_username),
                    joined=summary.joined, members=summary.members, state=_state(summary, lang),
                    seed=room.seed))
        if user.role == "trainee":
            if b.button(t("room_join", lang), key=f"room-join-{room.id}", type="primary",
                        width="stretch"):
                _go("room_desk", room.id)
        elif b.button(t("room_console", lang), key=f"room-console-{room.id}", type="primary",
                      width="stretch"):
            _go("room_console", room.id)


def _ended_line(user: User, summary: RoomSummary, lang: str) -> None:
    room = summary.room
    overall = summary.result.overall if summary.result is not None else None
    a, b = st.columns([5, 2])
    a.markdown(f"{room.created_at:%Y-%m-%d %H:%M} · **{inert(room.title)}** · "
               f"{inert(room.scenario_id)} #{room.seed} · "
               + t("room_team_overall", lang, overall="-" if overall is None
                   else f"{overall:.0f}"))
    if b.button(t("room_team_scorecard", lang), key=f"room-card-{room.id}", width="stretch"):
        _go("room_scorecard", room.id)


def _go(page_name: str, room_id: str) -> None:
    page = room_state.link(page_name)
    if page is None:
        st.error(t("room_not_wired", state.language()))
        return
    st.switch_page(page, query_params={"room": room_id})


def _open_form(user: User, lang: str) -> None:
    cat = catalogue()
    ids = cat.ids()
    service = room_state.rooms()
    teams = services.app().accounts.teams(user.viewer)
    with st.expander("➕ " + t("room_open", lang), expanded=False):
        team_id = user.team_id
        if user.role == "admin":
            names = {team.id: team.name for team in teams}
            team_id = st.selectbox(t("room_team", lang), list(names), key="room_open_team",
                                   format_func=lambda i: names[i]) if names else None
        trainees = service.trainees(user.viewer, team_id) if team_id is not None else []
        labels = {u.id: f"{u.display_name or u.username} ({u.username})" for u in trainees}
        with st.form("room_open_form"):
            title = st.text_input(t("room_title", lang), max_chars=200, key="room_open_title")
            scenario_id = st.selectbox(t("room_scenario", lang), ids, key="room_open_scenario",
                                       format_func=lambda i: f"{cat.scenarios[i].title} ({i})")
            a, b, c = st.columns(3)
            # A seed drawn once per session: a default that changed at every rerun would
            # reset what the lead typed.
            st.session_state.setdefault("room_open_seed", secrets.randbelow(10_000))
            seed = a.number_input(t("room_seed", lang), min_value=0, max_value=2**31 - 1,
                                  step=1, key="room_open_seed")
            speed = b.select_slider(t("room_speed", lang), SPEEDS, value=10,
                                    key="room_open_speed", format_func=lambda v: f"{v}x")
            mode = c.radio(t("room_mode", lang), MODES, key="room_open_mode",
                           format_func=lambda m: t("room_mode_" + m, lang))
            roster = st.multiselect(t("room_roster", lang), list(labels), default=list(labels),
                                    key="room_open_roster", format_func=lambda i: labels[i])
            d, e = st.columns(2)
            status = d.multiselect(t("room_duty_status", lang), list(labels),
                                   key="room_open_status", format_func=lambda i: labels[i])
            dms = e.multiselect(t("room_duty_dms", lang), list(labels), key="room_open_dms",
                                format_func=lambda i: labels[i])
            submitted = st.form_submit_button(t("room_open_submit", lang), type="primary")
    if not submitted:
        return
    if not roster:
        st.error(t("room_need_roster", lang))
        return
    picks = [RosterPick(u, "status" if u in status else "dms" if u in dms else "")
             for u in roster]
    try:
        room = service.open(user.viewer, cat.scenarios[scenario_id], int(seed), picks,
                            mode="assessment" if mode == "assessment" else "practice",
                            speed=float(speed), title=title, team_id=team_id)
    except (AccessDenied, InvalidInput, StoreError) as exc:
        st.error(inert(str(exc)))
        return
    _go("room_console", room.id)

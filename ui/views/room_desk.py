"""The room desk: one trainee's seat in a crisis room. The figures, the incident panel, the queue
and the open thread refresh every second as fragments (data only); the controls and the composer
sit outside them, so a click or a draft is never lost to a refresh. Everything goes through the
rooms service (``ui.views.room_state.rooms()``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from stormdesk.room_types import ROOM_FILTERS, ROOM_SORTS, DeskView, QueueRow, Seat
from ui import auth, state
from ui.i18n import label, t
from ui.markup import cells, inert
from ui.views import room_composer, room_state, room_widgets
from ui.views.room_widgets import REFRESH_SECONDS

QUEUE_WINDOW = 40
SLA_MARK = {"breached": "⛔", "at risk": "⚠", "ok": "✓", "-": ""}


def render() -> None:
    lang = state.language()
    user = auth.current_user()
    if user is None:
        return
    notices = st.container()
    wanted = room_state.room_id()
    seat, joined = (None, False) if wanted is None else room_state.seat(user, wanted)
    if seat is None:
        st.info(t("room_no_seat", lang))
        _link("rooms", t("room_nav", lang), "🧑‍🤝‍🧑")
        return
    copy = room_state.rooms().copy_of(seat.viewer, seat.room_id)
    st.subheader("🧑‍🤝‍🧑 " + inert(copy.room.title))
    st.caption(t("room_you_sign", lang, agent=inert(seat.agent),
                 signature=inert(seat.drill.signature or seat.agent))
               + (" · " + t("room_duty_" + (seat.member.duty or "none"), lang)))
    if joined:
        notices.info(t("room_joined", lang, clock=copy.scenario.clock_label(seat.drill.minute)))
    message = state.flash()
    if message:
        getattr(notices, message[0])(message[1])
    room_composer.confirm_if_asked(seat, lang)
    if seat.ended:
        _ended(seat, lang)
        return
    top()
    left, right = st.columns([5, 7], gap="medium")
    with left:
        _queue_controls(lang)
        queue()
    with right:
        thread_pane()
        room_composer.render(seat, lang)


def _link(name: str, text: str, icon: str, **query: str) -> None:
    page = room_state.link(name)
    if page is not None:
        st.page_link(page, label=text, icon=icon, query_params=query or None)


def _ended(seat: Seat, lang: str) -> None:
    st.success(t("room_ended_notice", lang))
    if seat.member.drill_id:
        _link("scorecard", t("room_my_scorecard", lang), "📋", drill=seat.member.drill_id)
    _link("room_scorecard", t("room_team_scorecard", lang), "🏆", room=seat.room_id)


def _current() -> tuple[Seat, DeskView] | None:
    user = auth.current_user()
    wanted = room_state.room_id()
    if user is None or wanted is None:
        return None
    seat, _ = room_state.seat(user, wanted)
    if seat is None:
        return None
    page_no = int(st.session_state.get("room_queue_page", 1))
    view = room_state.desk_view(seat, st.session_state.get("room_filter", ROOM_FILTERS[0]),
                                st.session_state.get("room_sort", ROOM_SORTS[0]), page_no,
                                QUEUE_WINDOW)
    return seat, view


@st.fragment(run_every=REFRESH_SECONDS)
def top() -> None:
    found = _current()
    if found is None:
        return
    seat, view = found
    lang = state.language()
    if seat.ended:
        st.rerun(scope="app")  # the page shows the end and the scorecards
    room_widgets.figures(view.figures, lang, view.mine_waiting)
    online = [h for h in view.online if h.agent != seat.agent]
    if online:
        st.caption("🟢 " + t("room_online", lang) + ": "
                   + inert(", ".join(dict.fromkeys(h.name for h in online))))
    room_widgets.incident(view.figures, lang)


def queue_frame(rows: tuple[QueueRow, ...], lang: str) -> pd.DataFrame:
    """The queue's window as a table (text cells: who is on a thread is spelled out)."""
    records = []
    for r in rows:
        sla = r.sla
        if sla != "-":
            state_text = t("room_sla_" + sla.replace(" ", "_"), lang)
            sla_text = f"{SLA_MARK[sla]} {state_text} {r.waited:.0f}m"
        elif r.answered:
            sla_text = "✓ " + t("room_answered", lang)
        else:
            sla_text = t("room_hidden", lang) if r.hidden else ""
        records.append({
            "•": "●" if r.unread else "",
            t("room_col_on_it", lang): room_widgets.here_badge(r.here),
            "SLA": sla_text,
            t("room_col_priority", lang): label("priority", r.priority, lang),
            t("room_col_author", lang): f"@{r.handle}" + (" ✔" if r.verified else ""),
            t("room_col_followers", lang): r.followers,
            t("room_col_post", lang): r.text,
            t("room_col_owner", lang): r.owner,
        })
    return pd.DataFrame.from_records(cells(records))


@st.fragment(run_every=REFRESH_SECONDS)
def queue() -> None:
    found = _current()
    if found is None:
        return
    seat, view = found
    lang = state.language()
    page_no = int(st.session_state.get("room_queue_page", 1))
    pages = max(1, -(-view.total // QUEUE_WINDOW))
    st.caption(t("room_queue_count", lang, shown=len(view.rows), total=view.total)
               + (f" · {page_no}/{pages}" if pages > 1 else ""))
    ids = [r.thread_id for r in view.rows]
    key = f"room-queue-{st.session_state.get('room_queue_gen', 0)}"
    event: Any = st.dataframe(queue_frame(view.rows, lang), key=key, hide_index=True,
                              on_select="rerun", selection_mode="single-row", width="stretch",
                              height=520)
    picked = event.selection.rows if event else []
    if picked and picked[0] < len(ids):
        room_composer.open_thread(seat, ids[picked[0]])
        # A new key clears the selection: the next refresh cannot re-point it at another row.
        st.session_state["room_queue_gen"] = st.session_state.get("room_queue_gen", 0) + 1
        st.rerun()


def _queue_controls(lang: str) -> None:
    a, b, c = st.columns([4, 4, 2])
    a.selectbox(t("room_filter", lang), ROOM_FILTERS, key="room_filter",
                format_func=lambda v: label("filter", v, lang), on_change=_first_page)
    b.selectbox(t("room_sort", lang), ROOM_SORTS, key="room_sort",
                format_func=lambda v: label("sort", v, lang), on_change=_first_page)
    st.session_state.setdefault("room_queue_page", 1)
    c.number_input(t("room_page", lang), min_value=1, step=1, key="room_queue_page")
    st.button(t("room_next", lang), key="room_next", width="stretch",
              on_click=room_composer.open_next)


def _first_page() -> None:
    st.session_state["room_queue_page"] = 1
    room_state.forget_view()


@st.fragment(run_every=REFRESH_SECONDS)
def thread_pane() -> None:
    found = _current()
    if found is None:
        return
    seat, view = found
    lang = state.language()
    if view.thread is None:
        st.info(t("room_pick_thread", lang))
        return
    copy = room_state.rooms().copy_of(seat.viewer, seat.room_id)
    room_widgets.conversation(view.thread, copy.scenario, lang)

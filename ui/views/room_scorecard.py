"""The team scorecard of an ended room: the team's grade (speed, coverage, empathy, tone,
privacy), reputation, CSAT and NPS; each agent's card (their own replies; speed on the threads
they owned); collisions, hand-offs and unowned customers; the room's timeline; and the other
teams that played the same scenario and seed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from store.records import User
from stormdesk.room_types import RoomReport
from ui import auth, state
from ui.i18n import label, t
from ui.markup import cells, inert
from ui.views import room_state

DIMENSIONS = ("speed", "empathy", "tone", "privacy")


def render() -> None:
    lang = state.language()
    user = auth.current_user()
    if user is None:
        return
    room_id = room_state.room_id()
    report = room_state.rooms().report(user.viewer, room_id) if room_id else None
    if report is None:
        st.info(t("room_no_report", lang))
        return
    show(user, report, lang)


def _score(value: object) -> str:
    return "-" if not isinstance(value, int | float) else f"{value:.0f}"


def show(user: User, report: RoomReport, lang: str) -> None:
    room, card, team = report.room, report.card, report.team
    st.title("🏆 " + inert(room.title))
    played = "-" if card.minutes_played is None else report.scenario.clock_label(
        card.minutes_played)
    st.caption(f"{inert(room.scenario_id)} · {t('room_seed', lang)} {room.seed} · "
               + t("room_mode_" + room.mode, lang) + " · "
               + t("room_played_to", lang, clock=played,
                   end=report.scenario.clock_label(report.scenario.duration_minutes))
               + ("" if card.complete else " · " + t("room_partial", lang)))
    cols = st.columns(1 + len(DIMENSIONS))
    cols[0].metric(label("dim", "overall", lang), _score(card.overall))
    for col, name in zip(cols[1:], DIMENSIONS, strict=True):
        found = card.dimension(name)
        col.metric(label("dim", name, lang), _score(found.score if found else None))
    reputation = team.get("reputation") or {}
    a, b, c, d, e = st.columns(5)
    a.metric(t("room_coverage", lang), f"{card.coverage.answered}/{card.coverage.customers}")
    b.metric(t("room_reputation_final", lang), _score(reputation.get("final")),
             help=t("room_reputation_lowest", lang, n=_score(reputation.get("lowest"))))
    c.metric("CSAT", "-" if team.get("csat") is None else f"{team['csat']:.2f}/5",
             help=t("room_feedback_answers", lang, n=team.get("feedback_answers", 0)))
    d.metric("NPS", "-" if team.get("nps") is None else f"{team['nps']:+.0f}")
    e.metric(t("room_collisions", lang), team.get("collisions", 0),
             help=t("room_collisions_help", lang, minutes=team.get("collision_minutes", 5)))
    st.caption(t("room_team_line", lang, handoffs=team.get("handoffs", 0),
                 unowned=team.get("unowned", 0)))
    _agents(user, report, lang)
    tabs = st.tabs([t("room_timeline", lang), t("room_collisions", lang),
                    t("room_handoffs", lang), t("room_compare", lang)])
    with tabs[0]:
        st.dataframe(pd.DataFrame.from_records(cells([{
            t("room_col_clock", lang): line.clock, t("room_col_agent", lang): line.agent,
            t("room_col_action", lang): line.kind, t("room_col_thread", lang): line.thread_id,
            t("room_col_what", lang): line.summary + (" ⛔ " + line.refused
                                                        if line.refused else "")}
            for line in report.timeline])), hide_index=True, width="stretch", height=420)
    with tabs[1]:
        hits = team.get("collision_list") or []
        if not hits:
            st.caption(t("room_no_collisions", lang))
        for hit in hits:
            st.markdown("• " + t("room_collision_line", lang, thread=hit["thread_id"],
                                 first=inert(hit["first_agent"]),
                                 second=inert(hit["second_agent"]),
                                 clock=report.scenario.clock_label(hit["second_minute"])))
    with tabs[2]:
        for move in team.get("handoff_list") or []:
            st.markdown("• " + t("room_handoff_line", lang, thread=move["thread_id"],
                                 source=inert(move["from_agent"]), to=inert(move["to_agent"]),
                                 by=inert(move["by"]),
                                 clock=report.scenario.clock_label(move["minute"])))
        unowned = team.get("unowned_list") or []
        if unowned:
            st.caption(t("room_unowned_list", lang) + ": " + ", ".join(unowned[:40]))
    with tabs[3]:
        _compare(user, report, lang)


def _agents(user: User, report: RoomReport, lang: str) -> None:
    st.subheader(t("room_agents", lang))
    scorecard = room_state.link("scorecard")
    for member in report.members:
        seat = report.seat(member.agent)
        counts = report.counts(member.agent)
        with st.container(border=True):
            a, b = st.columns([5, 2])
            scores = seat.get("scores") or {}
            a.markdown(f"**{inert(member.display_name)}** ({inert(member.agent)})"
                       + (" · " + t("room_duty_" + member.duty, lang) if member.duty else "")
                       + f" · {label('dim', 'overall', lang)} **{_score(seat.get('overall'))}**"
                       + "".join(f" · {label('dim', d, lang)} {_score(scores.get(d))}"
                                 for d in DIMENSIONS))
            a.caption(t("room_agent_line", lang, answered=seat.get("answered", 0),
                        customers=seat.get("customers", 0), replies=counts.get("replies", 0),
                        owned=counts.get("owned", 0), statuses=counts.get("statuses", 0))
                      if member.joined else t("room_not_joined", lang))
            mine = user.id == member.user_id or user.role in ("manager", "admin")
            if scorecard is not None and member.drill_id and mine:
                b.page_link(scorecard, label=t("room_agent_card", lang), icon="📋",
                            query_params={"drill": member.drill_id})


def _compare(user: User, report: RoomReport, lang: str) -> None:
    peers = room_state.rooms().peers(user.viewer, report.room)
    rows = []
    for summary in peers:
        result = summary.result
        team = (result.card.get("team") or {}) if result is not None else {}
        coverage = (result.card.get("coverage") or {}) if result is not None else {}
        rows.append({
            t("room_col_room", lang): summary.room.title
            + (" ◀" if summary.room.id == report.room.id else ""),
            t("room_col_date", lang): f"{summary.room.created_at:%Y-%m-%d}",
            t("room_col_members", lang): summary.joined,
            label("dim", "overall", lang): None if result is None else result.overall,
            t("room_coverage", lang): f"{coverage.get('answered', 0)}/"
                                      f"{coverage.get('customers', 0)}",
            t("room_collisions", lang): team.get("collisions", 0),
            "CSAT": team.get("csat"), "NPS": team.get("nps"),
            t("room_col_world", lang): "" if summary.room.world_version
            == report.room.world_version else "⚠ " + t("room_other_world", lang)})
    if len(rows) < 2:
        st.caption(t("room_compare_alone", lang))
    st.dataframe(pd.DataFrame.from_records(cells(rows)), hide_index=True, width="stretch")

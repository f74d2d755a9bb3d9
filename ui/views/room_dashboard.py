"""The managers' dashboard tab for rooms: every room of the team (running and ended, with
links to the console and the team scorecard), and teams compared on the same scenario and seed.

``render(user, team_id)`` is what the dashboard calls in its "Rooms" tab."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import streamlit as st

from store.records import User
from stormdesk.room_types import RoomSummary
from ui import state
from ui.i18n import label, t
from ui.markup import cells, inert
from ui.views import room_state


def render(user: User, team_id: int | None) -> None:
    lang = state.language()
    summaries = room_state.rooms().rooms(user.viewer, team_id=team_id)
    if not summaries:
        st.caption(t("room_dashboard_none", lang))
        _link("rooms", t("room_open", lang), "➕", None)
        return
    st.dataframe(pd.DataFrame.from_records(cells([_row(s, lang) for s in summaries])),
                 hide_index=True, width="stretch")
    picked = st.selectbox(t("room_dashboard_pick", lang), [s.room.id for s in summaries],
                          key="room_dashboard_pick",
                          format_func=lambda i: next(f"{s.room.created_at:%Y-%m-%d %H:%M} · "
                                                     f"{s.room.title}" for s in summaries
                                                     if s.room.id == i))
    chosen = next(s for s in summaries if s.room.id == picked)
    if chosen.room.running:
        _link("room_console", t("room_console", lang), "🎛️", chosen.room.id)
    else:
        _link("room_scorecard", t("room_team_scorecard", lang), "🏆", chosen.room.id)
    _compare(summaries, lang)


def _row(summary: RoomSummary, lang: str) -> dict[str, object]:
    room, result = summary.room, summary.result
    team = (result.card.get("team") or {}) if result is not None else {}
    return {t("room_col_date", lang): f"{room.created_at:%Y-%m-%d %H:%M}",
            t("room_col_room", lang): room.title, t("room_scenario", lang): room.scenario_id,
            t("room_seed", lang): room.seed, t("room_mode", lang): t("room_mode_" + room.mode,
                                                                     lang),
            t("room_col_status", lang): t("room_state_live" if room.running
                                          else "room_state_ended", lang),
            t("room_col_members", lang): f"{summary.joined}/{summary.members}",
            label("dim", "overall", lang): None if result is None else result.overall,
            t("room_collisions", lang): team.get("collisions")}


def _compare(summaries: list[RoomSummary], lang: str) -> None:
    groups: dict[tuple[str, int], list[RoomSummary]] = defaultdict(list)
    for s in summaries:
        if s.result is not None:
            groups[(s.room.scenario_id, s.room.seed)].append(s)
    shared = {k: v for k, v in groups.items() if len(v) > 1}
    st.subheader(t("room_compare", lang))
    if not shared:
        st.caption(t("room_compare_none", lang))
        return
    for (scenario_id, seed), rooms in shared.items():
        st.markdown(f"**{inert(scenario_id)}** · {t('room_seed', lang)} {seed}")
        rows = []
        for s in rooms:
            card = s.result.card if s.result is not None else {}
            team = card.get("team") or {}
            coverage = card.get("coverage") or {}
            scores = {d["name"]: d.get("score") for d in card.get("dimensions", [])}
            rows.append({t("room_col_room", lang): s.room.title,
                         t("room_col_date", lang): f"{s.room.created_at:%Y-%m-%d}",
                         label("dim", "overall", lang): card.get("overall"),
                         **{label("dim", d, lang): scores.get(d)
                            for d in ("speed", "empathy", "tone", "privacy")},
                         t("room_coverage", lang): coverage.get("share"),
                         t("room_collisions", lang): team.get("collisions"),
                         "CSAT": team.get("csat"), "NPS": team.get("nps"),
                         t("room_col_world", lang): s.room.world_version})
        st.dataframe(pd.DataFrame.from_records(cells(rows)), hide_index=True, width="stretch")


def _link(name: str, text: str, icon: str, room_id: str | None) -> None:
    page = room_state.link(name)
    if page is not None:
        st.page_link(page, label=text, icon=icon,
                     query_params={"room": room_id} if room_id else None)

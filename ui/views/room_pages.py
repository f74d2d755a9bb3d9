"""The room pages for the router, and the start page's notice of open rooms.

``pages(user, lang)`` returns the pages to add to ``st.navigation`` (the Rooms page in the
menu; the room desk, the console and the team scorecard reached from it, hidden from the
menu). ``start_notice(user, lang)`` draws, on the start page, the rooms a trainee can join now.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from store.records import User
from ui.i18n import t
from ui.markup import inert
from ui.views import room_state

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages"


def pages(user: User, lang: str) -> dict[str, st.Page]:
    """Name -> page; register them with the others (``ui.nav.register``)."""
    found = {
        "rooms": st.Page(PAGES_DIR / "rooms.py", title=t("room_nav", lang), icon="🧑‍🤝‍🧑",
                         url_path="rooms"),
        "room_desk": st.Page(PAGES_DIR / "room_desk.py", title=t("room_desk_title", lang),
                             icon="🎧", url_path="room", visibility="hidden"),
        "room_scorecard": st.Page(PAGES_DIR / "room_scorecard.py",
                                  title=t("room_team_scorecard", lang), icon="🏆",
                                  url_path="room-scorecard", visibility="hidden"),
    }
    if user.role in ("manager", "admin"):
        found["room_console"] = st.Page(PAGES_DIR / "room_console.py",
                                        title=t("room_console", lang), icon="🎛️",
                                        url_path="room-console", visibility="hidden")
    return found


def start_notice(user: User, lang: str) -> None:
    """On the start page: the running rooms this trainee is on the roster of, to join."""
    if user.role != "trainee":
        return
    for summary in room_state.rooms().rooms(user.viewer, running=True):
        room = summary.room
        a, b = st.columns([5, 1])
        a.info(t("room_start_notice", lang, title=inert(room.title),
                 lead=inert(room.lead_username)), icon="🧑‍🤝‍🧑")
        page = room_state.link("room_desk")
        if page is not None and b.button(t("room_join", lang), key=f"room-notice-{room.id}",
                                         type="primary"):
            st.switch_page(page, query_params={"room": room.id})

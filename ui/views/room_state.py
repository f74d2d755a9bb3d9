"""Room state of one browser session: the rooms service, this session's seat (rejoined after a
refresh or a restart), the room a page is about, and links to the room pages."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from store.records import User
from stormdesk.errors import AccessDenied, StoreError
from stormdesk.room_types import DeskView, Seat
from stormdesk.rooms import Rooms, rooms_of
from ui import nav, services

_SEAT = "room_seat"
_VIEW = "room_view"
#: A desk view is computed once per refresh and shared by the page's fragments (seconds).
VIEW_REUSE_SECONDS = 0.4


def rooms() -> Rooms:
    """The rooms service of this server process (one per app)."""
    return rooms_of(services.app())


def room_id() -> str | None:
    """The room the page is about: ``?room=`` in the address, else this session's seat."""
    wanted = st.query_params.get("room")
    if wanted:
        return str(wanted)
    current = st.session_state.get(_SEAT)
    return current.room_id if isinstance(current, Seat) else None


def seat(user: User, wanted: str) -> tuple[Seat | None, bool]:
    """This session's seat in room ``wanted`` (joined now when there is none: a refresh or a
    restart rejoins at the room's minute) and whether it was just (re)joined."""
    current = st.session_state.get(_SEAT)
    if isinstance(current, Seat) and current.room_id == wanted \
            and current.viewer == user.viewer:
        return current, False
    try:
        joined = rooms().join(user.viewer, wanted)
    except (AccessDenied, LookupError):
        return None, False
    except StoreError:
        return None, False
    st.session_state[_SEAT] = joined
    st.session_state.pop(_VIEW, None)
    return joined, True


def desk_view(current: Seat, filter_name: str, sort: str, page: int, limit: int) -> DeskView:
    """Tick the room and build what the desk draws, once per refresh for all its fragments."""
    key = (current.room_id, current.token, filter_name, sort, page, limit,
           current.drill.selected)
    cached = st.session_state.get(_VIEW)
    now = time.monotonic()
    if isinstance(cached, tuple) and cached[0] == key and now - cached[1] < VIEW_REUSE_SECONDS:
        view: DeskView = cached[2]
        return view
    service = rooms()
    service.tick(current)
    view = service.desk(current, filter_name, sort, page, limit)
    st.session_state[_VIEW] = (key, now, view)
    return view


def forget_view() -> None:
    """Draw from the room again at the next fragment (after an action)."""
    st.session_state.pop(_VIEW, None)


def link(name: str) -> Any:
    """A registered page by name (None when the router has not registered it)."""
    try:
        return nav.page(name)
    except KeyError:
        return None

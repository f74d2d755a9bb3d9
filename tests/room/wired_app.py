"""``streamlit_app.py`` with the room pages wired in, as the lead wires them in the router
(``ui.views.room_pages.pages``), for the room's browser tests and benchmark until the router
does it itself: once ``streamlit_app.py`` registers them, this only runs it.

Run as the main script (``streamlit run tests/room/wired_app.py``): page paths of the router are
resolved from the repository root, as when ``streamlit_app.py`` is the main script.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import streamlit as st

from ui import auth, nav, state
from ui.views import room_pages

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"
WIRED_BY_ROUTER = "room_pages" in APP.read_text(encoding="utf-8")

if not WIRED_BY_ROUTER and not getattr(st, "_stormdesk_rooms_wired", False):
    page_class = st.Page
    register = nav.register

    def page(target: Any, **options: Any) -> Any:
        if isinstance(target, str) and not Path(target).is_absolute():
            target = ROOT / target
        return page_class(target, **options)

    def register_with_rooms(pages: dict[str, Any]) -> None:
        user = auth.current_user()
        if user is not None:
            pages.update(room_pages.pages(user, state.language()))
        register(pages)

    st.Page = page  # type: ignore[misc]
    nav.register = register_with_rooms
    st._stormdesk_rooms_wired = True  # type: ignore[attr-defined]

runpy.run_path(str(APP), run_name="__main__")

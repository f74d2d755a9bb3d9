"""StormDesk's Streamlit entry point: a router over the pages in ui/views."""

from __future__ import annotations

import streamlit as st

from ui import nav, state
from ui.i18n import t
from ui.views import desk, scorecard, start

st.set_page_config(page_title="StormDesk", page_icon="🌩️", layout="wide")
lang = state.language()
nav.PAGES.update({
    "start": st.Page(start.render, title=t("start_title", lang), icon="🌩️", url_path="start",
                     default=True),
    "desk": st.Page(desk.render, title=t("desk", lang), icon="🎧", url_path="desk"),
    "scorecard": st.Page(scorecard.render, title=t("scorecard", lang), icon="📋",
                         url_path="scorecard"),
})
with st.sidebar:
    st.selectbox(t("language", lang), ["auto", "en", "ko"], key="ui_language",
                 format_func=lambda v: {"auto": "auto", "en": "English", "ko": "한국어"}[v])
st.navigation(list(nav.PAGES.values())).run()

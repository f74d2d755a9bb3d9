"""StormDesk's Streamlit entry point: login, then a router over the pages each role may use."""

from __future__ import annotations

import streamlit as st

from store.errors import AccessDenied
from ui import auth, nav, state
from ui.i18n import t

st.set_page_config(page_title="StormDesk", page_icon="🌩️", layout="wide")
user = auth.current_user()
if user is None:
    st.navigation([st.Page(auth.login_page, title="Log in", icon="🔑")]).run()
    st.stop()

auth.keep_token()
lang = state.language()
pages = {
    "start": st.Page("ui/pages/start.py", title=t("start_title", lang), icon="🌩️",
                     url_path="start", default=True),
    "desk": st.Page("ui/pages/desk.py", title=t("desk", lang), icon="🎧", url_path="desk"),
    "scorecard": st.Page("ui/pages/scorecard.py", title=t("scorecard", lang), icon="📋",
                         url_path="scorecard"),
}
if user.role in ("manager", "admin"):
    pages["dashboard"] = st.Page("ui/pages/dashboard.py", title=t("dashboard", lang),
                                 icon="📊", url_path="dashboard")
if user.role == "admin":
    pages["admin"] = st.Page("ui/pages/admin.py", title=t("admin", lang), icon="🛠️",
                             url_path="admin")
nav.register(pages)
with st.sidebar:
    st.caption(auth.who(user))
    st.button(t("log_out", lang), on_click=auth.sign_out, key="log_out")
    st.selectbox(t("language", lang), ["auto", "en", "ko"], key="ui_language",
                 format_func=lambda v: {"auto": "auto", "en": "English", "ko": "한국어"}[v])
try:
    st.navigation(list(pages.values())).run()
except AccessDenied:
    # The account changed under this session (deactivated, new role or team): start over.
    auth.sign_out()
    st.warning("Your account changed; please log in again.")

"""StormDesk's Streamlit entry point: login, then a router over the pages each role may use."""

from __future__ import annotations

import streamlit as st

from stormdesk.errors import AccessDenied
from ui import auth, nav, services, state
from ui.i18n import t
from ui.markup import inert
from ui.views import room_pages

st.set_page_config(page_title="StormDesk", page_icon="🌩️", layout="wide")
try:
    services.app()  # opens the store and checks the configuration once per process
except ValueError as exc:  # e.g. llm.LlmSettingsError: a bad STORMDESK_LLM_* value
    st.error(t("auth_cannot_start", auth.page_language(), problem=inert(str(exc))))
    st.stop()

user = auth.current_user()
if user is None:
    auth.sync_browser()  # clears a cookie whose login ended
    st.navigation([st.Page(auth.login_page, title=t("auth_page_title", auth.page_language()),
                           icon="🔑")]).run()
    st.stop()

lang = state.language()
state.keep_choices(lang)
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
    pages["editor"] = st.Page("ui/pages/editor.py", title=t("ed_nav", lang), icon="✏️")
if user.role == "admin":
    pages["admin"] = st.Page("ui/pages/admin.py", title=t("admin", lang), icon="🛠️",
                             url_path="admin")
pages.update(room_pages.pages(user, lang))
nav.register(pages)
with st.sidebar:
    st.caption(auth.who(user, lang))
    st.button(t("log_out", lang), on_click=auth.sign_out, key="log_out")
    if auth.can_log_out_everywhere():
        st.button(t("auth_log_out_everywhere", lang), on_click=auth.sign_out_everywhere,
                  key="log_out_everywhere", help=t("auth_log_out_everywhere_help", lang),
                  type="tertiary")
    # Keyed: switching the language redraws every label, and keyed widgets keep their values.
    st.selectbox(t("language", lang), state.LANGUAGE_CHOICES, key="ui_language",
                 format_func=lambda v: {"auto": t("language_auto", lang), "en": "English",
                                        "ko": "한국어"}[v])
    auth.sync_browser()  # writes this login into the browser's cookie when it is new
try:
    st.navigation(list(pages.values())).run()
except AccessDenied:
    # The account changed under this session (deactivated, new role or team): start over.
    auth.account_changed()
    st.rerun()

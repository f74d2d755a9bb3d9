"""StormDesk's Streamlit entry point: a router over the pages in ui/views."""

from __future__ import annotations

import streamlit as st

from ui.views import start

st.set_page_config(page_title="StormDesk", page_icon="🌩️", layout="wide")
page = st.navigation([st.Page(start.render, title="Drills", icon="🌩️", url_path="drills",
                              default=True)])
page.run()

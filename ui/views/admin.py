"""Users and teams (admins only), in the interface's language."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from store.records import Role
from stormdesk.errors import StoreError
from ui import auth, services, state
from ui.i18n import label, t
from ui.markup import cells, inert

ROLES: tuple[Role, ...] = ("trainee", "manager", "admin")


def render() -> None:
    lang = state.language()
    user = auth.current_user()
    if user is None or user.role != "admin":
        st.error(t("admins_only", lang))
        return
    accounts = services.app().accounts
    message = state.flash()
    if message:
        getattr(st, message[0])(message[1])
    teams = accounts.teams(user.viewer)
    names = {tm.id: tm.name for tm in teams}
    st.subheader(t("teams", lang))
    st.caption(", ".join(inert(tm.name) for tm in teams) or t("no_teams", lang))
    with st.form("new_team", clear_on_submit=True):
        name = st.text_input(t("new_team_name", lang), key="team_name")
        if st.form_submit_button(t("create_team", lang)) and name.strip():
            try:
                accounts.create_team(user.viewer, name.strip())
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                state.flash(t("done_team", lang, name=inert(name.strip())), "success")
                st.rerun()
    st.subheader(t("users", lang))
    users = accounts.users(user.viewer)
    st.dataframe(pd.DataFrame(cells([{
        t("col_username", lang): u.username, t("col_name", lang): u.display_name,
        t("col_role", lang): label("role", u.role, lang),
        t("col_team", lang): names.get(u.team_id or -1, ""),
        t("col_active", lang): u.is_active} for u in users])),
        hide_index=True, width="stretch")
    with st.form("new_user", clear_on_submit=True):
        c1, c2 = st.columns(2)
        username = c1.text_input(t("auth_username", lang), key="nu_username")
        display = c2.text_input(t("auth_display_name", lang), key="nu_display")
        c3, c4, c5 = st.columns(3)
        role = c3.selectbox(t("col_role", lang), ROLES, key="nu_role",
                            format_func=lambda r: label("role", r, lang))
        team = c4.selectbox(t("col_team", lang), [None, *names], key="nu_team",
                            format_func=lambda i: "-" if i is None else names[i])
        password = c5.text_input(t("initial_password", lang), type="password",
                                 key="nu_password")
        if st.form_submit_button(t("create_user", lang)):
            try:
                accounts.create_user(user.viewer, username.strip(), password, role, team,
                                     display.strip())
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                # The table above was drawn before this user existed: draw it again.
                state.flash(t("done_user", lang, name=inert(username.strip())), "success")
                st.rerun()
    with st.expander(t("deactivate_title", lang)):
        others = [u for u in users if u.id != user.id]
        if others:
            target = st.selectbox(t("user", lang), others, format_func=lambda u: u.username,
                                  key="act_user")
            action = t("deactivate", lang) if target.is_active else t("reactivate", lang)
            a, b = st.columns(2)
            if a.button(action, key="act_toggle"):
                accounts.set_active(user.viewer, target.id, not target.is_active)
                state.flash(t("done_active" if not target.is_active else "done_inactive", lang,
                              name=inert(target.username)), "success")
                st.rerun()
            if b.button(t("auth_log_out_everywhere", lang), key="act_logout_all",
                        help=t("logout_user_help", lang)):
                ended = accounts.log_out_everywhere(user.viewer, target.id)
                state.flash(t("done_logout_user", lang, n=ended,
                              name=inert(target.username)), "success")
                st.rerun()

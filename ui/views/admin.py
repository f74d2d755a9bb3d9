"""Users and teams (admins only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from store.records import Role
from stormdesk.errors import StoreError
from ui import auth, services, state
from ui.markup import inert


def render() -> None:
    user = auth.current_user()
    if user is None or user.role != "admin":
        st.error("Admins only.")
        return
    accounts = services.app().accounts
    message = state.flash()
    if message:
        getattr(st, message[0])(message[1])
    teams = accounts.teams(user.viewer)
    names = {t.id: t.name for t in teams}
    st.subheader("Teams")
    st.caption(", ".join(inert(t.name) for t in teams) or "No teams yet.")
    with st.form("new_team", clear_on_submit=True):
        name = st.text_input("New team name", key="team_name")
        if st.form_submit_button("Create team") and name.strip():
            try:
                accounts.create_team(user.viewer, name.strip())
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                st.rerun()
    st.subheader("Users")
    users = accounts.users(user.viewer)
    st.dataframe(pd.DataFrame([{"username": u.username, "name": u.display_name,
                                "role": u.role, "team": names.get(u.team_id or -1, ""),
                                "active": u.is_active} for u in users]),
                 hide_index=True, width="stretch")
    with st.form("new_user", clear_on_submit=True):
        c1, c2 = st.columns(2)
        username = c1.text_input("Username", key="nu_username")
        display = c2.text_input("Display name", key="nu_display")
        c3, c4, c5 = st.columns(3)
        roles: list[Role] = ["trainee", "manager", "admin"]
        role = c3.selectbox("Role", roles, key="nu_role")
        team = c4.selectbox("Team", [None, *names], key="nu_team",
                            format_func=lambda i: "-" if i is None else names[i])
        password = c5.text_input("Initial password", type="password", key="nu_password")
        if st.form_submit_button("Create user"):
            try:
                accounts.create_user(user.viewer, username.strip(), password, role, team,
                                     display.strip())
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                # The table above was drawn before this user existed: draw it again.
                state.flash(f"Created {inert(username.strip())}.", "success")
                st.rerun()
    with st.expander("Deactivate or reactivate a user"):
        others = [u for u in users if u.id != user.id]
        if others:
            target = st.selectbox("User", others, format_func=lambda u: u.username,
                                  key="act_user")
            label = "Deactivate" if target.is_active else "Reactivate"
            a, b = st.columns(2)
            if a.button(label, key="act_toggle"):
                accounts.set_active(user.viewer, target.id, not target.is_active)
                st.rerun()
            if b.button("Log out everywhere", key="act_logout_all",
                        help="Ends every login of this user: open pages log out at their "
                             "next click."):
                ended = accounts.log_out_everywhere(user.viewer, target.id)
                state.flash(f"Ended {ended} login session(s) of {inert(target.username)}.",
                            "success")
                st.rerun()

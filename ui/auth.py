"""Who is using the app: password login (store), an optional OIDC login (Streamlit's
``st.login`` when configured), and the signed URL token that survives a refresh."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import streamlit as st

from store.errors import InvalidLogin, LoginThrottled
from store.records import User
from ui import session_token
from ui.services import store

_USER = "auth_user"
_TOKEN = "s"


def current_user() -> User | None:
    """The logged-in user, restoring it from the URL token after a refresh or restart."""
    user = st.session_state.get(_USER)
    if isinstance(user, User):
        return user
    token = st.query_params.get(_TOKEN)
    if token:
        user_id = session_token.verify(token)
        found = store().user_by_id(user_id) if user_id is not None else None
        if found is not None and found.is_active:
            st.session_state[_USER] = found
            return found
        del st.query_params[_TOKEN]
    return _sso_user()


def _sso_user() -> User | None:
    """A user signed in through OIDC (``[auth]`` in secrets.toml), matched by e-mail."""
    try:
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "")
    except Exception:  # no [auth] configured: st.user has no login state
        return None
    found = store().user_by_username(email) if email else None
    if found is not None and found.is_active:
        sign_in(found)
        return found
    return None


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def sign_in(user: User) -> None:
    st.session_state[_USER] = user
    st.query_params[_TOKEN] = session_token.issue(user.id)


def keep_token(user: User) -> None:
    """Put the token back in the URL (page switches drop query parameters)."""
    if _TOKEN not in st.query_params:
        st.query_params[_TOKEN] = session_token.issue(user.id)


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()


def login_page() -> None:
    st.title("StormDesk")
    st.caption("A flight simulator for social-media customer care.")
    if not store().has_users():
        _first_run()
        return
    with st.form("login"):
        username = st.text_input("Username", key="login_username")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        try:
            user = store().authenticate(username.strip(), password, datetime.now(UTC))
        except LoginThrottled:
            st.error("Too many failed attempts: this account is locked for a few minutes.")
            return
        except InvalidLogin:
            time.sleep(0.3)  # slow down guessing a little more than the hash already does
            st.error("Wrong username or password.")
            return
        sign_in(user)
        st.rerun()
    if sso_configured():
        st.button("Log in with single sign-on", on_click=st.login)


def _first_run() -> None:
    st.info("First run: create the administrator account. (Or run "
            "`python -m store create-admin` on the server.)")
    with st.form("first_admin"):
        username = st.text_input("Admin username", key="admin_username")
        display = st.text_input("Display name", key="admin_display")
        password = st.text_input("Password (at least 8 characters)", type="password",
                                 key="admin_password")
        submitted = st.form_submit_button("Create admin and log in", type="primary")
    if submitted:
        if len(password) < 8 or not username.strip():
            st.error("Choose a username and a password of at least 8 characters.")
            return
        user = store().create_user(username.strip(), password, "admin",
                                   display_name=display.strip() or username.strip())
        sign_in(user)
        st.rerun()

"""Who is using the app: password login (store), an optional OIDC login (Streamlit's
``st.login`` when configured), and the login token in the URL that survives a refresh.

The token is a random key to a login session kept in the store (``store.logins``): logging
out revokes it, and it expires after 12 hours whatever happens.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime

import streamlit as st

from store.errors import InvalidLogin, LoginThrottled, StoreError
from store.records import User
from ui.markup import inert
from ui.services import store

_USER = "auth_user"
_LOGIN = "auth_token"
_TOKEN = "s"


def current_user() -> User | None:
    """The logged-in user, restoring it from the URL token after a refresh or restart."""
    user = st.session_state.get(_USER)
    if isinstance(user, User):
        return user
    token = st.query_params.get(_TOKEN)
    if token:
        found = store().user_for_login(str(token))
        if found is not None:
            st.session_state[_USER] = found
            st.session_state[_LOGIN] = str(token)
            return found
        del st.query_params[_TOKEN]
    return _sso_user()


def _sso_user() -> User | None:
    """A user signed in through OIDC (``[auth]`` in secrets.toml), matched by e-mail."""
    try:
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "")
        verified = st.user.get("email_verified") is True
    except Exception:  # no [auth] configured: st.user has no login state
        return None
    if not verified:  # an unverified address could be anybody's
        return None
    found = store().user_by_username(email) if email else None
    if found is not None and found.is_active:
        sign_in(found)
        return found
    return None


def who(user: User) -> str:
    """The sidebar's "name · role", inert."""
    return f"{inert(user.display_name or user.username)} · {user.role}"


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def sign_in(user: User) -> None:
    token = store().open_login(user.id)
    st.session_state[_USER] = user
    st.session_state[_LOGIN] = token
    st.query_params[_TOKEN] = token


def keep_token() -> None:
    """Put this login's token back in the URL (page switches drop query parameters)."""
    token = st.session_state.get(_LOGIN)
    if token and st.query_params.get(_TOKEN) != token:
        st.query_params[_TOKEN] = token


def sign_out() -> None:
    """Log out: revoke the login session, forget this browser's state, end single sign-on."""
    token = st.session_state.get(_LOGIN)
    if token:
        with contextlib.suppress(StoreError):  # the token dies with its expiry anyway
            store().close_login(str(token))
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()
    try:
        if st.user.is_logged_in:
            st.logout()
    except Exception:  # no single sign-on configured
        pass


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
        password = st.text_input("Password", type="password", key="admin_password")
        submitted = st.form_submit_button("Create admin and log in", type="primary")
    if submitted:
        try:
            user = store().create_user(username.strip(), password, "admin",
                                       display_name=display.strip() or username.strip())
        except StoreError as exc:  # the store's own rules for names and passwords
            st.error(inert(str(exc)))
            return
        sign_in(user)
        st.rerun()

"""Who is using the app: password login, optional single sign-on (Streamlit's ``st.login``),
and the login kept by this browser in a cookie, never in a URL.

A login is an opaque token for a login session in the store (12 h at most). The browser keeps
it in a ``SameSite=Strict`` cookie on the app's origin (``__Host-`` prefixed and ``Secure``
over https), written by a few lines of JavaScript through ``st.html`` because Streamlit can only
*read* cookies (``st.context.cookies``, as sent when the browser session opened). Every call of
``current_user`` checks the token against the store (one indexed read), so logout, a password
or role change, expiry or "log out everywhere" end an open session at its next rerun. Old
``?s=<token>`` links are ignored and stripped from the address bar.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from store.records import User
from stormdesk.errors import InvalidLogin, LoginThrottled, StoreError
from ui.i18n import label, t
from ui.markup import inert
from ui.services import app

COOKIE = "stormdesk_login"
SECURE_COOKIE = "__Host-stormdesk_login"  # the browser enforces Secure, Path=/ and no Domain
#: The store's login lifetime (store.logins.LIFETIME); the cookie should not outlive it.
LIFETIME_S = 12 * 60 * 60
#: What a token of ours looks like (``secrets.token_urlsafe(32)``: 43 URL-safe characters); a
#: cookie value of any other shape is never sent to the store, nor written into a script.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,128}")
LEGACY_PARAMETER = "s"  # the old login-in-the-URL parameter: ignored and removed

_USER = "auth_user"
_LOGIN = "auth_token"
_DEAD = "auth_dead"  # tokens this browser session saw end: never adopted again from a cookie
_NOTICE = "auth_notice"
_SSO_WANTED = "auth_sso_wanted"


# ------------------------------------------------------------------------- who is logged in


def current_user() -> User | None:
    """The logged-in user of this browser session, checked against the store on every call.
    When the login has ended, this session's state is wiped and the page starts over (at the
    login page, with a notice)."""
    _drop_link_token()
    token = st.session_state.get(_LOGIN)
    if not isinstance(token, str) or not token:
        token = browser_token()
    if token is not None:
        user = app().accounts.user_for_login(token)
        if user is not None:
            st.session_state[_USER] = user
            st.session_state[_LOGIN] = token
            return user
        _ended(token, notice=True)
        st.rerun()  # start the page over without this login (views never see half a session)
    return _sso_user()


def browser_token() -> str | None:
    """The login token this browser sent when the session opened (if any, and not ended)."""
    cookies = _context_cookies()
    dead = _dead()
    for name in (SECURE_COOKIE, COOKIE):
        value = cookies.get(name)
        if isinstance(value, str) and TOKEN_SHAPE.fullmatch(value) and value not in dead:
            return value
    return None


def _context_cookies() -> Mapping[str, str]:
    """``st.context.cookies`` (empty where there is no browser, e.g. AppTest)."""
    try:
        return dict(st.context.cookies)
    except Exception:  # no client context: nothing sent
        return {}


def _dead() -> set[str]:
    dead = st.session_state.get(_DEAD)
    return dead if isinstance(dead, set) else set()


def _wipe(keep_dead: set[str], notice: str | None = None) -> None:
    """Forget everything this browser session held (drills, drafts, the user), remembering
    only which tokens ended (so a stale cookie is not adopted again) and a notice."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[_DEAD] = keep_dead
    if notice:
        st.session_state[_NOTICE] = notice


def _ended(token: str, notice: bool) -> None:
    was_logged_in = st.session_state.get(_LOGIN) == token
    _wipe(_dead() | {token}, "auth_session_ended" if notice and was_logged_in else None)


def _drop_link_token() -> None:
    """Old links carried the login as ``?s=``: never read it, and take it out of the URL."""
    if LEGACY_PARAMETER in st.query_params:
        del st.query_params[LEGACY_PARAMETER]


def _sso_user() -> User | None:
    """A user signed in through OIDC (``[auth]`` in secrets.toml), matched by verified e-mail.
    After a login ended in this session, only an explicit click on the SSO button counts."""
    if _dead() and not st.session_state.get(_SSO_WANTED):
        return None
    try:
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "")
        verified = st.user.get("email_verified") is True
    except Exception:  # no [auth] configured: st.user has no login state
        return None
    if not verified:  # an unverified address could be anybody's
        return None
    found = app().accounts.user_by_username(email) if email else None
    if found is not None and found.is_active:
        sign_in(found)
        return found
    return None


def who(user: User, lang: str = "en") -> str:
    """The sidebar's "name · role", inert, the role named in ``lang``."""
    return f"{inert(user.display_name or user.username)} · {label('role', user.role, lang)}"


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


# -------------------------------------------------------------------------- in and out


def sign_in(user: User) -> None:
    """Open a new login for ``user`` (ending the one this browser held: rotation)."""
    accounts = app().accounts
    previous = st.session_state.get(_LOGIN) or browser_token()
    open_login: Any = accounts.open_login  # ``replaces`` is new in the store; older: close
    if previous and "replaces" in inspect.signature(open_login).parameters:
        token = open_login(user.id, replaces=previous)
    else:
        if previous:
            with contextlib.suppress(StoreError):
                accounts.close_login(str(previous))
        token = accounts.open_login(user.id)
    st.session_state.pop(_SSO_WANTED, None)
    st.session_state.pop(_NOTICE, None)
    st.session_state[_USER] = user
    st.session_state[_LOGIN] = token
    if previous:
        st.session_state[_DEAD] = _dead() | {str(previous)}


def sign_out() -> None:
    """Log out: end the login in the store, forget this session, clear the cookie (at the next
    run), end single sign-on."""
    token = st.session_state.get(_LOGIN)
    dead = _dead()
    if isinstance(token, str) and token:
        with contextlib.suppress(StoreError):  # the token dies with its expiry anyway
            app().accounts.close_login(token)
        dead = dead | {token}
    _wipe(dead)
    try:
        if st.user.is_logged_in:
            st.logout()
    except Exception:  # no single sign-on configured
        pass


def can_log_out_everywhere() -> bool:
    return hasattr(app().accounts, "log_out_everywhere")


def sign_out_everywhere() -> None:
    """End every login of this user (all browsers), then this session."""
    user = st.session_state.get(_USER)
    everywhere = getattr(app().accounts, "log_out_everywhere", None)
    if isinstance(user, User) and everywhere is not None:
        with contextlib.suppress(StoreError):
            everywhere(user.viewer, user.id)
    sign_out()


def account_changed() -> None:
    """The store refused this user mid-page (deactivated, new role or team): start over."""
    sign_out()
    st.session_state[_NOTICE] = "auth_account_changed"


# ---------------------------------------------------------------------------- the browser


def sync_browser() -> None:
    """Bring the browser's cookie in line with this session: write the live token when the
    browser does not hold it yet, clear a cookie whose token has ended. Draws an invisible
    element only when there is something to do."""
    cookies = _context_cookies()
    held = {cookies.get(SECURE_COOKIE), cookies.get(COOKIE)} - {None}
    token = st.session_state.get(_LOGIN)
    if isinstance(token, str) and TOKEN_SHAPE.fullmatch(token):
        if token not in held:
            st.html(cookie_script(set_token=token), unsafe_allow_javascript=True,
                    width="content")
        return
    # Tokens that ended in this session, whether the browser sent them at its start or this
    # session wrote them later (the script clears the cookie only if it still holds one).
    stale = sorted(v for v in _dead() if TOKEN_SHAPE.fullmatch(v))
    if stale:
        st.html(cookie_script(clear_tokens=stale), unsafe_allow_javascript=True,
                width="content")


def cookie_script(set_token: str | None = None, clear_tokens: list[str] | None = None) -> str:
    """The JavaScript that writes (or clears) the login cookie on the app's origin.

    Only values of ``TOKEN_SHAPE`` are ever embedded (JSON-encoded), so nothing a user typed
    can reach this script."""
    for value in [set_token or "", *(clear_tokens or [])]:
        if value and not TOKEN_SHAPE.fullmatch(value):
            raise ValueError("not a login token")
    config = json.dumps({"set": set_token, "clear": clear_tokens or [], "secure": SECURE_COOKIE,
                         "plain": COOKIE, "maxAge": LIFETIME_S})
    return ("<script>(function(c){"
            "var https=location.protocol==='https:';"
            "var tail='; Path=/; SameSite=Strict'+(https?'; Secure':'');"
            "var name=https?c.secure:c.plain;"
            "if(c.set){document.cookie=name+'='+c.set+'; Max-Age='+c.maxAge+tail;"
            "if(https){document.cookie=c.plain+'=; Max-Age=0'+tail;}return;}"
            "document.cookie.split('; ').forEach(function(kv){"
            "var i=kv.indexOf('='),k=kv.slice(0,i),v=kv.slice(i+1);"
            "if((k===c.secure||k===c.plain)&&c.clear.indexOf(v)>=0){"
            "document.cookie=k+'=; Max-Age=0'+tail;}});"
            f"}})({config});</script>")


# ------------------------------------------------------------------------------ the pages


def page_language() -> str:
    """The login page's language: the browser's (Korean or English)."""
    try:
        locale = str(st.context.locale or "")
    except Exception:  # no browser
        locale = ""
    return "ko" if locale.lower().startswith("ko") else "en"


def login_page() -> None:
    lang = page_language()
    st.title("StormDesk")
    st.caption(t("auth_tagline", lang))
    notice = st.session_state.pop(_NOTICE, None)
    if isinstance(notice, str):
        st.info(t(notice, lang))
    if not app().accounts.has_users():
        _first_run(lang)
        return
    with st.form("login"):
        username = st.text_input(t("auth_username", lang), key="login_username")
        password = st.text_input(t("auth_password", lang), type="password",
                                 key="login_password")
        submitted = st.form_submit_button(t("auth_log_in", lang), type="primary")
    if submitted:
        try:
            user = app().accounts.authenticate(username.strip(), password, datetime.now(UTC))
        except LoginThrottled:
            st.error(t("auth_locked", lang))
            return
        except InvalidLogin:
            time.sleep(0.3)  # slow down guessing a little more than the hash already does
            st.error(t("auth_wrong", lang))
            return
        sign_in(user)
        st.rerun()
    if sso_configured():
        st.button(t("auth_sso", lang), on_click=_start_sso)


def _start_sso() -> None:
    st.session_state[_SSO_WANTED] = True
    st.login()


def _first_run(lang: str) -> None:
    st.info(t("auth_first_run", lang))
    with st.form("first_admin"):
        username = st.text_input(t("auth_admin_username", lang), key="admin_username")
        display = st.text_input(t("auth_display_name", lang), key="admin_display")
        password = st.text_input(t("auth_password", lang), type="password",
                                 key="admin_password")
        submitted = st.form_submit_button(t("auth_create_admin", lang), type="primary")
    if submitted:
        try:
            user = app().accounts.create_first_admin(
                username.strip(), password, display.strip() or username.strip())
        except StoreError as exc:  # the store's own rules for names and passwords
            st.error(inert(str(exc)))
            return
        sign_in(user)
        st.rerun()

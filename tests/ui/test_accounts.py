"""Log in, stay logged in across a refresh (the browser's cookie), lose the login the moment the
store ends it, never log in from a URL, resume a drill, and see only what is yours."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from engine.records import ReplySent
from ui import auth
from ui.services import app

from .conftest import APP, PASSWORD, button, drill, make_user

TOKEN = "auth_token"


def fresh() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def logged_in(user: Any) -> AppTest:
    """A browser session whose login the app already holds (after the login form)."""
    at = fresh()
    at.session_state[TOKEN] = app().accounts.open_login(user.id)
    return at.run()


@pytest.fixture
def browser_cookies(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """What the browser sends as cookies when a session opens (AppTest cannot send any)."""
    jar: dict[str, str] = {}
    monkeypatch.setattr(auth, "_context_cookies", lambda: dict(jar))
    yield jar


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def cookie_scripts(at: AppTest) -> list[str]:
    """The bodies of ``st.html`` elements that touch the login cookie."""
    bodies = []
    for node in at.get("html"):
        body = str(getattr(getattr(node, "proto", None), "body", ""))
        if "document.cookie" in body:
            bodies.append(body)
    return bodies


def test_login_page_when_not_logged_in_then_password_login_works(browser_cookies):
    user = make_user()
    at = fresh().run()
    assert labels(at) == ["Log in"]
    at.text_input(key="login_username").set_value(user.username)
    at.text_input(key="login_password").set_value("wrong password!")
    at.button[0].click().run()
    assert any("Wrong username or password" in e.value for e in at.error)
    at.text_input(key="login_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    token = at.session_state[TOKEN]
    assert app().accounts.user_for_login(token) == user
    assert any(b.label == "Start drill" for b in at.button)
    assert "s" not in at.query_params  # the login is never in the URL
    (script,) = cookie_scripts(at)  # ...but written into the browser's cookie
    assert token in script and "SameSite=Strict" in script and "Max-Age" in script


def test_login_throttled_after_repeated_failures():
    user = make_user()
    at = fresh().run()
    for _ in range(6):
        at.text_input(key="login_username").set_value(user.username)
        at.text_input(key="login_password").set_value("not the password")
        at.button[0].click().run()
    assert any("locked" in e.value for e in at.error)


def test_refresh_with_the_browser_cookie_stays_logged_in(browser_cookies):
    user = make_user()
    browser_cookies[auth.COOKIE] = app().accounts.open_login(user.id)
    at = fresh().run()
    assert not at.exception, at.exception
    assert any(b.label == "Start drill" for b in at.button)
    assert cookie_scripts(at) == []  # the browser has it already: nothing to write


def test_secure_cookie_name_is_read_first(browser_cookies):
    user, other = make_user(), make_user()
    browser_cookies[auth.SECURE_COOKIE] = app().accounts.open_login(user.id)
    browser_cookies[auth.COOKIE] = app().accounts.open_login(other.id)
    at = fresh().run()
    assert at.session_state["auth_user"] == user


@pytest.mark.parametrize("value", ["1.99999999999.AAAA", "é-not-ascii", "x" * 300,
                                   "'); alert(1); ('", "a" * 43])
def test_made_up_cookie_is_not_a_login(browser_cookies, value):
    make_user()
    browser_cookies[auth.COOKIE] = value
    at = fresh().run()
    assert not at.exception, at.exception
    assert labels(at) == ["Log in"]
    scripts = cookie_scripts(at)
    if auth.TOKEN_SHAPE.fullmatch(value):  # a token of our shape that the store does not know
        (script,) = scripts  # ...is cleared from the browser, never written
        assert '"set": null' in script and value in script
    else:  # anything else never reaches the store or a script
        assert scripts == []


def test_old_login_link_is_ignored_and_stripped():
    user = make_user()
    token = app().accounts.open_login(user.id)
    at = fresh()
    at.query_params["s"] = token  # the back button or a copied link of the old app
    at.run()
    assert labels(at) == ["Log in"]
    assert "s" not in at.query_params
    assert app().accounts.user_for_login(token) == user  # not even ended: simply not used


def test_old_login_link_while_logged_in_keeps_your_own_login():
    user, other = make_user(), make_user()
    at = fresh()
    at.session_state[TOKEN] = app().accounts.open_login(user.id)
    at.query_params["s"] = app().accounts.open_login(other.id)
    at.run()
    assert at.session_state["auth_user"] == user and "s" not in at.query_params


def test_log_out_ends_the_login_and_clears_the_cookie():
    user = make_user()
    at = logged_in(user)
    token = at.session_state[TOKEN]
    button(at, "Log out").click().run()
    assert app().accounts.user_for_login(token) is None
    assert labels(at) == ["Log in"]
    (script,) = cookie_scripts(at)
    assert token in script and "Max-Age=0" in script


def test_login_ended_elsewhere_ends_this_session_at_its_next_rerun():
    user = make_user()
    at = logged_in(user)
    token = at.session_state[TOKEN]
    at.session_state["something_of_the_user"] = "a draft"
    app().accounts.close_login(token)  # another tab logged out, or the login expired
    at.run()
    assert not at.exception, at.exception
    assert labels(at) == ["Log in"]
    assert "something_of_the_user" not in at.session_state  # nothing of the old user stays
    assert any("Your login has ended" in i.value for i in at.info)


def test_password_change_ends_an_open_session(browser_cookies):
    user = make_user()
    admin = make_user(role="admin", team=None)
    at = logged_in(user)
    app().accounts.set_password(admin.viewer, user.id, "another long password")
    at.run()
    assert labels(at) == ["Log in"]


def test_stale_cookie_is_not_adopted_after_logout(browser_cookies):
    user = make_user()
    browser_cookies[auth.COOKIE] = app().accounts.open_login(user.id)
    at = fresh().run()
    assert any(b.label == "Start drill" for b in at.button)
    button(at, "Log out").click().run()
    at.run()  # the session still sees the cookie the browser sent when it opened
    assert labels(at) == ["Log in"]


def test_login_rotates_the_token_this_browser_held(browser_cookies):
    user = make_user()
    old = app().accounts.open_login(user.id)
    browser_cookies[auth.COOKIE] = old
    at = fresh().run()
    button(at, "Log out").click().run()
    at.text_input(key="login_username").set_value(user.username)
    at.text_input(key="login_password").set_value(PASSWORD)
    at.button[0].click().run()
    new = at.session_state[TOKEN]
    assert new != old and app().accounts.user_for_login(old) is None


def test_cookie_script_embeds_only_token_shaped_values():
    script = auth.cookie_script(set_token="A" * 43)
    assert re.search(r'"set": "A{43}"', script)
    for bad in ("</script><script>alert(1)</script>", "a'b", "x" * 10):
        with pytest.raises(ValueError):
            auth.cookie_script(set_token=bad)
        with pytest.raises(ValueError):
            auth.cookie_script(clear_tokens=[bad])


def test_login_page_in_korean_for_a_korean_browser():
    at = fresh()
    at.context = {"locale": "ko-KR"}
    at.run()
    assert labels(at) == ["로그인"]


def test_refresh_mid_drill_resumes_with_every_sent_reply():
    from .conftest import start_drill

    user = make_user()
    at = start_drill(user=user)
    button(at, "Open next waiting").click().run()
    thread_id = drill(at).selected
    at.text_area(key=f"draft-{thread_id}-public").set_value(
        "So sorry, we're on it, update by 12:00")
    button(at, "Send").click().run()
    before = drill(at)
    sent = [(e.thread_id, e.text) for e in before.session.transcript
            if isinstance(e, ReplySent)]
    assert sent

    again = logged_in(user)  # a refresh: a new browser session, the same cookie
    button(again, "Resume drill").click().run()
    assert not again.exception, again.exception
    recovered = drill(again)
    assert recovered.drill_id == before.drill_id
    assert recovered.clock.paused
    assert [(e.thread_id, e.text) for e in recovered.session.transcript
            if isinstance(e, ReplySent)] == sent
    assert recovered.session.now >= before.session.now - 1
    assert any("Drill resumed" in i.value for i in again.info)


def test_trainee_cannot_load_another_trainees_drill():
    from .conftest import end_and_score, start_drill

    owner = make_user()
    at = start_drill(user=owner, mode="assessment")
    end_and_score(at)
    drill_id = drill(at).drill_id
    intruder = make_user()
    assert app().reviews.load(intruder.viewer, drill_id) is None
    assert app().reviews.load(owner.viewer, drill_id) is not None

    spy = fresh()  # and by the page parameter
    spy.session_state[TOKEN] = app().accounts.open_login(intruder.id)
    spy.query_params["drill"] = drill_id
    spy.run()
    assert not spy.exception, spy.exception

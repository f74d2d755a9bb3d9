"""Logins in a real browser: bound to the browser's cookie, never in a URL; a copied link logs
nobody in; refresh keeps the login; logout (or a password change, or "log out everywhere")
ends an open tab at its next action; old ``?s=`` links do nothing."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .conftest import PASSWORD, login, wait_idle

pytestmark = pytest.mark.browser
LOGIN_BUTTON = "Log in"
COOKIE = "stormdesk_login"


def logged_out(page: Any) -> bool:
    page.get_by_role("button", name=LOGIN_BUTTON).wait_for()
    return page.get_by_text("Start a drill", exact=True).count() == 0


def login_cookie(context: Any) -> dict[str, Any] | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE), None)


def wait_for_cookie(context: Any, present: bool = True, timeout_s: float = 10.0
                    ) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        cookie = login_cookie(context)
        if (cookie is not None) == present:
            return cookie
        time.sleep(0.1)
    raise AssertionError(f"login cookie {'never set' if present else 'still there'}")


def next_action(page: Any) -> None:
    """Something a user does that reruns the app: open the scorecard page from the sidebar."""
    page.get_by_role("link", name="Scorecard").click()
    wait_idle(page)


@pytest.fixture
def trainee(store: Any) -> Any:
    team = store.create_team("north")
    return store.create_user("dana", PASSWORD, "trainee", team.id, "Dana Reyes")


def test_login_cookie_is_strict_scoped_and_matches_the_store_lifetime(server, page, trainee):
    login(page, server.url, "dana")
    cookie = wait_for_cookie(page.context)
    assert cookie is not None
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http here; over https the __Host- cookie is Secure
    lifetime_h = (cookie["expires"] - time.time()) / 3600
    assert 11.9 < lifetime_h <= 12.0
    assert cookie["value"] not in page.url and "s=" not in page.url


def test_copied_url_in_a_fresh_browser_is_not_logged_in(server, page, browser, trainee):
    login(page, server.url, "dana")
    wait_for_cookie(page.context)
    next_action(page)
    copied = page.url
    stranger = browser.new_context()
    try:
        other = stranger.new_page()
        other.goto(copied)
        assert logged_out(other)
    finally:
        stranger.close()


def test_refresh_of_a_logged_in_tab_stays_logged_in(server, page, trainee):
    login(page, server.url, "dana")
    wait_for_cookie(page.context)
    page.reload()
    page.get_by_text("Start a drill", exact=True).first.wait_for()
    assert page.get_by_role("button", name=LOGIN_BUTTON).count() == 0


def test_logout_in_one_tab_logs_out_the_other_tab_at_its_next_action(server, page, trainee):
    login(page, server.url, "dana")
    wait_for_cookie(page.context)
    second = page.context.new_page()
    second.goto(server.url)
    second.get_by_text("Start a drill", exact=True).first.wait_for()  # the cookie logged it in
    page.get_by_role("button", name="Log out").click()
    assert logged_out(page)
    wait_for_cookie(page.context, present=False)
    second.get_by_role("link", name="Scorecard").click()
    assert logged_out(second)
    second.get_by_text("Your login has ended").wait_for()


def test_password_change_ends_an_open_session_at_its_next_action(server, page, store, trainee):
    admin = store.create_user("root", PASSWORD, "admin", None, "Root")
    login(page, server.url, "dana")
    wait_for_cookie(page.context)
    store.set_password(admin.viewer, trainee.id, "a brand new password!")
    next_action_attempt = page.get_by_role("link", name="Scorecard")
    next_action_attempt.click()
    assert logged_out(page)


def test_log_out_everywhere_ends_every_browser(server, page, browser, store, trainee):
    login(page, server.url, "dana")
    elsewhere = browser.new_context()
    try:
        other = elsewhere.new_page()
        login(other, server.url, "dana")
        button = page.get_by_role("button", name="Log out everywhere")
        if button.count() == 0:
            pytest.skip("the application layer has no Accounts.log_out_everywhere yet")
        button.click()
        assert logged_out(page)
        other.get_by_role("link", name="Scorecard").click()
        assert logged_out(other)
    finally:
        elsewhere.close()


def test_old_login_link_does_nothing_and_is_stripped(server, page, store, trainee):
    token = store.open_login(trainee.id)  # a live token, as an old ?s= link would carry
    page.goto(f"{server.url}/scorecard?s={token}")
    assert logged_out(page)
    wait_idle(page)
    assert "s=" not in page.url
    assert store.user_for_login(token) is not None  # ignored, not even looked up or ended


def test_login_after_logout_rotates_the_cookie(server, page, store, trainee):
    login(page, server.url, "dana")
    first = wait_for_cookie(page.context)
    page.get_by_role("button", name="Log out").click()
    assert logged_out(page)
    login(page, server.url, "dana")
    second = wait_for_cookie(page.context)
    assert first is not None and second is not None and first["value"] != second["value"]
    assert store.user_for_login(first["value"]) is None

"""Logins in a real browser: bound to the browser's cookie, never in a URL; a copied link logs
nobody in; refresh keeps the login; logout (or a password change, or "log out everywhere")
ends an open tab at its next action; old ``?s=`` links do nothing."""

from __future__ import annotations

import time
from pathlib import Path
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
    page.get_by_role("button", name="Log out", exact=True).click()
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
    page.get_by_role("button", name="Log out", exact=True).click()
    assert logged_out(page)
    login(page, server.url, "dana")
    second = wait_for_cookie(page.context)
    assert first is not None and second is not None and first["value"] != second["value"]
    assert store.user_for_login(first["value"]) is None


# ------------------------------------------------------------------------------ downloads

DOWNLOAD_PAGE = "tests/fixtures/downloads/page.py"


@pytest.fixture
def download_server(database: dict[str, str], store: Any) -> Any:
    """The downloads test page behind the real login, on the test's database."""
    import os
    import subprocess
    import sys
    import urllib.request

    from .conftest import ARTIFACTS, ROOT, free_port

    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / f"downloads-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", DOWNLOAD_PAGE, "--server.headless=true",
         "--server.address=127.0.0.1", f"--server.port={port}",
         "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
        cwd=ROOT, env={**os.environ, **database}, stdout=log,
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(10)
    log.close()


def page_login(page: Any, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name=LOGIN_BUTTON).click()
    page.get_by_text(f"Hello {username}").wait_for()
    wait_idle(page)


def test_download_is_built_for_the_viewer_and_has_no_server_url(download_server, page,
                                                                browser, trainee):
    media: list[str] = []
    page.on("request", lambda r: media.append(r.url) if "/media/" in r.url
            and "/static/" not in r.url else None)
    page_login(page, download_server, "dana")
    with page.expect_download() as caught:
        page.get_by_role("button", name="Transcript").click()
    saved = caught.value
    assert saved.suggested_filename == "transcript.json"
    assert saved.url.startswith("blob:")
    assert Path(saved.path()).read_text(encoding="utf-8") == (
        '{"viewer": "dana", "secret": "the transcript"}')
    assert media == []  # nothing was put on the server to fetch
    stranger = browser.new_context()
    try:  # the blob URL means nothing outside the page that made it
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do
            stranger.request.get(saved.url, timeout=5000)
    finally:
        stranger.close()


def test_second_download_click_saves_again(download_server, page, trainee):
    page_login(page, download_server, "dana")
    for _ in range(2):
        with page.expect_download() as caught:
            page.get_by_role("button", name="Transcript").click()
        assert caught.value.suggested_filename == "transcript.json"
        wait_idle(page)
    page.get_by_text("made 2").wait_for()


def test_download_after_logout_in_another_tab_builds_nothing(download_server, page, trainee):
    page_login(page, download_server, "dana")
    wait_for_cookie(page.context)
    second = page.context.new_page()
    second.goto(download_server)
    second.get_by_text("Hello dana").wait_for()
    wait_idle(second)
    page.get_by_role("button", name="Log out", exact=True).click()
    assert logged_out(page)
    downloads: list[Any] = []

    def saved(download: Any) -> None:
        downloads.append(download)

    second.on("download", saved)
    second.get_by_role("button", name="Transcript").click()
    assert logged_out(second)
    second.wait_for_timeout(1000)
    assert downloads == []


def test_download_of_five_megabytes_arrives_whole(download_server, page, trainee):
    page_login(page, download_server, "dana")
    page.goto(f"{download_server}/?mb=5")
    page.get_by_text("Hello dana").wait_for()
    wait_idle(page)
    started = time.monotonic()
    with page.expect_download(timeout=60_000) as caught:
        page.get_by_role("button", name="Big file").click()
    path = Path(caught.value.path())
    elapsed = time.monotonic() - started
    assert path.stat().st_size == 5_000_000
    assert elapsed < 20, f"5 MB took {elapsed:.1f}s"
    print(f"\n5 MB download through the WebSocket: {elapsed:.2f}s")


def test_scorecard_transcript_download_is_a_blob_for_the_viewer_only(server, page, trainee):
    media: list[str] = []
    login(page, server.url, "dana")
    page.get_by_label("Your name").fill("Dana Reyes")
    page.get_by_role("button", name="Start drill").click()
    page.get_by_text("Open next waiting").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="End drill").click()
    page.get_by_role("button", name="End and score").click()
    page.get_by_text("Overall").first.wait_for()
    wait_idle(page)
    page.get_by_role("tab", name="Downloads").click()
    page.on("request", lambda r: media.append(r.url) if "/media/" in r.url
            and "/static/" not in r.url else None)
    with page.expect_download() as caught:
        page.get_by_role("button", name="Transcript (JSON lines)").click()
    saved = caught.value
    assert saved.url.startswith("blob:") and saved.suggested_filename.endswith(".jsonl")
    lines = Path(saved.path()).read_text(encoding="utf-8").splitlines()
    assert lines and all(line.startswith("{") for line in lines)
    assert '"SessionStarted"' in lines[0]
    assert media == []
    page.get_by_role("button", name="Log out", exact=True).click()
    assert logged_out(page)
    assert page.get_by_role("button", name="Transcript (JSON lines)").count() == 0

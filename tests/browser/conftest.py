"""A real `streamlit run` server and headless Debian Chromium driven by Playwright.

Chromium comes from Debian (`/usr/bin/chromium`, installed by scripts/test.sh); Playwright's own
browser download is never used (it needs the internet).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("STORMDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`streamlit run streamlit_app.py` on 127.0.0.1 at a free port."""

    def __init__(self, env: dict[str, str] | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = ARTIFACTS / f"streamlit-{self.port}.log"

    def start(self) -> Server:
        ARTIFACTS.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.headless=true", "--server.address=127.0.0.1",
             f"--server.port={self.port}", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none"],
            cwd=ROOT, env=self.env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not start; see {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


PASSWORD = "browser test password"


@pytest.fixture
def database(tmp_path: Path) -> dict[str, str]:
    """A fresh SQLite store for one test's server (and its restarts)."""
    return {"STORMDESK_DATABASE_URL": f"sqlite:///{tmp_path}/browser.db"}


@pytest.fixture
def store(database: dict[str, str]) -> Iterator[Any]:
    from store.repository import Store

    opened = Store.open(database["STORMDESK_DATABASE_URL"])
    yield opened
    opened.close()


@pytest.fixture
def server(database: dict[str, str], store: Any) -> Iterator[Server]:
    srv = Server(env=database).start()
    yield srv
    srv.stop()


def login(page: Any, url: str, username: str) -> None:
    """Log in through the login form."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Start a drill", exact=True).first.wait_for()
    wait_idle(page)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


def wait_idle(page: Any, timeout_ms: int = 30_000) -> None:
    """Wait until Streamlit has finished running the script (its own state marker)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot (Streamlit scrolls inside stMain, so grow the viewport first)."""
    target = Path(os.environ.get("STORMDESK_SCREENSHOTS", ARTIFACTS / "screens"))
    target.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        "() => (document.querySelector('[data-testid=stMain]')?.scrollHeight || 1000) + 50")
    size = page.viewport_size or {"width": 1440, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": min(int(height), 6000)})
    page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0)")
    path = target / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path

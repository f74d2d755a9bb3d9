"""A crisis room in a real browser (Debian chromium): a lead and two trainees in three browser
contexts. Both trainees see the same new mention; one assigns it to the other; the other sees
"is replying" while the first types; the lead's live inject and incident update reach both;
the server is killed mid-room and restarted, and after reloading nothing sent is lost."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from engine.records import ReplySent
from engine.scenario import resolve_scenario
from engine.session import TrainingSession

from .conftest import ARTIFACTS, PASSWORD, ROOT, free_port, login, wait_idle

pytestmark = pytest.mark.browser

SEED = 7
#: The app's own router (it registers the room pages).
APP = "streamlit_app.py"


class RoomServer:
    """``streamlit run`` of the app with the room pages, restartable on the same port."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RoomServer:
        ARTIFACTS.mkdir(exist_ok=True)
        log = (ARTIFACTS / f"streamlit-room-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", APP, "--server.headless=true",
             "--server.address=127.0.0.1", f"--server.port={self.port}",
             "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # no goodbye: the server dies mid-room
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def room_server(database: dict[str, str], store: Any) -> Iterator[RoomServer]:
    server = RoomServer(database).start()
    yield server
    server.stop()


def _first_thread_handle(minute: float) -> tuple[str, str]:
    """The first customer of the flood (scenario + seed fix it, whatever anyone does)."""
    session = TrainingSession(resolve_scenario("telecom-outage"), seed=SEED)
    session.advance_to(minute)
    thread = next(iter(session.threads.values()))
    return thread.thread_id, thread.author.handle


def _grid_text(page: Any) -> str:
    cells = page.locator("[data-testid=stDataFrame] [role=gridcell]").all_inner_texts()
    return " | ".join(cells)


def _eventually(check: Callable[[], bool], seconds: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"never happened: {what}")


def _pick(page: Any, label: str, typed: str) -> None:
    """Choose in a selectbox by typing (the list filters to the match; Enter takes it)."""
    box = page.get_by_label(label, exact=True)
    box.click()
    box.press_sequentially(typed, delay=30)
    page.get_by_role("option", name=re.compile(re.escape(typed))).first.wait_for()
    box.press("Enter")
    expect(box).to_have_value(re.compile(re.escape(typed)))
    wait_idle(page)


def _to_rooms(page: Any) -> None:
    """The Rooms page from the menu (the same browser session: no wait for the cookie)."""
    page.get_by_role("link", name="Rooms").click()
    page.get_by_text("A crisis room is one live flood").wait_for()
    wait_idle(page)


def _opened(page: Any, thread_id: str) -> None:
    """Wait until the thread pane shows ``thread_id``."""
    page.locator("[data-testid=stMarkdownContainer]",
                 has_text=f"thread {thread_id}").first.wait_for()
    wait_idle(page)


def _context(browser: Any) -> Any:
    page = browser.new_context(viewport={"width": 1440, "height": 1100}).new_page()
    page.set_default_timeout(30_000)
    return page


def test_room_three_browsers_lead_two_trainees_restart_nothing_lost(
        browser: Any, room_server: RoomServer, store: Any, database: dict[str, str]) -> None:
    team = store.create_team("north")
    lead = store.create_user("lee", PASSWORD, "manager", team.id, "Lee Lead")
    store.create_user("dana", PASSWORD, "trainee", team.id, "Dana Reyes")
    store.create_user("sam", PASSWORD, "trainee", team.id, "Sam Okafor")
    url = room_server.url
    console, dana, sam = _context(browser), _context(browser), _context(browser)
    try:
        _play(console, dana, sam, url, store, lead, room_server, database)
    except BaseException:
        _keep_evidence(store, lead, {"lead": console, "dana": dana, "sam": sam})
        raise


def _keep_evidence(store: Any, lead: Any, pages: dict[str, Any]) -> None:
    """Screenshots, page texts and the room's log in test-artifacts/ (never masking the
    failure: a page that no longer answers is skipped)."""
    for name, page in pages.items():
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / f"room-e2e-{name}.png"), timeout=5_000)
            (ARTIFACTS / f"room-e2e-{name}.txt").write_text(
                page.locator("[data-testid=stApp]").inner_text(timeout=5_000),
                encoding="utf-8")
    with contextlib.suppress(Exception):
        for summary in store.rooms_for(lead.viewer):
            _, log = store.room_log(lead.viewer, summary.room.id)
            (ARTIFACTS / "room-e2e-log.txt").write_text(
                "\n".join(f"{e.seq} {e.minute} {e.agent} {e.kind} {e.action}" for e in log),
                encoding="utf-8")


def _play(console: Any, dana: Any, sam: Any, url: str, store: Any, lead: Any,
          server: RoomServer, database: dict[str, str]) -> None:
    # The lead opens a room on the telecom outage, seed 7, with the whole team on the roster.
    login(console, url, "lee")
    _to_rooms(console)
    console.get_by_text("Open a room").click()
    wait_idle(console)
    _pick(console, "Scenario", "telecom-outage")
    console.get_by_label("Seed").fill(str(SEED))
    console.get_by_role("button", name="Open the room").click()
    console.get_by_role("button", name="▶ Start").wait_for()
    wait_idle(console)
    (summary,) = store.rooms_for(lead.viewer)
    assert (summary.room.scenario_id, summary.room.seed) == ("telecom-outage", SEED)
    room_id = summary.room.id

    # Both trainees join from their own browsers.
    for page, name in ((dana, "dana"), (sam, "sam")):
        login(page, url, name)
        _to_rooms(page)
        page.get_by_role("button", name="Join").click()
        page.get_by_text("You are in the room").wait_for()
        wait_idle(page)

    # The lead starts the clock at 60x: one simulated minute a second.
    _pick(console, "Speed", "60x")
    console.get_by_text(re.compile(r"· 60x")).first.wait_for()
    wait_idle(console)
    console.get_by_role("button", name="▶ Start").click()
    wait_idle(console)

    # Both see the same new mention: the flood's first customer.
    thread_id, handle = _first_thread_handle(5)
    for page in (dana, sam):
        _eventually(lambda p=page: f"@{handle}" in _grid_text(p), 30, f"@{handle} on a desk")

    # Dana opens the first customer and assigns them to Sam (picked from the roster).
    dana.get_by_role("button", name="Open next free thread").click()
    _opened(dana, thread_id)
    _pick(dana, "Assign to", "Sam Okafor")
    dana.get_by_role("button", name="Assign", exact=True).click()
    wait_idle(dana)

    def assigned() -> bool:
        _, log = store.room_log(lead.viewer, room_id)
        return any(e.action.get("kind") == "assign" and e.action.get("assignee") == "SO"
                   for e in log)

    _eventually(assigned, 15, "the assignment stored")

    # Sam's next thread is the one assigned to him, which Dana has open.
    sam.get_by_role("button", name="Open next free thread").click()
    _opened(sam, thread_id)
    sam.get_by_text("Dana is replying").first.wait_for(timeout=15_000)  # open counts too

    # Dana types: Sam's desk says she is replying, in the thread and in the queue.
    composer = dana.get_by_label(re.compile(r"^Reply → @"))
    composer.fill("So sorry about this, our engineers are on it now")
    composer.press("Tab")  # the draft reaches the server when the box loses focus
    _eventually(lambda: "✍ Dana" in _grid_text(sam), 15, "✍ Dana in Sam's queue")
    expect(sam.get_by_text("Dana is replying").first).to_be_visible()

    # Dana sends; the reply is stored before anything is shown.
    dana.get_by_role("button", name="Send", exact=True).click()
    expect(composer).to_have_value("", timeout=15_000)

    def replies() -> list[str]:
        _, log = store.room_log(lead.viewer, room_id)
        return [e.action["text"] for e in log if e.action.get("kind") == "reply"]

    _eventually(lambda: len(replies()) == 1, 15, "Dana's reply stored")

    # The lead slows the room to 5x before the live moves: at 60x the scenario's own incident
    # updates, a few simulated minutes later, replaced the lead's facts on the panels before a
    # loaded machine had drawn them on both desks.
    def slowed() -> bool:
        _, log = store.room_log(lead.viewer, room_id)
        return any(e.kind == "clock" and e.action.get("speed") == 5.0 for e in log)

    _pick(console, "Speed", "5x")
    _eventually(slowed, 15, "the lead's 5x stored")
    wait_idle(console)

    # The lead throws in a journalist and pushes new incident facts: both trainees see them
    # (in the queue of high-reach customers: at 60x the flood buries a new thread fast).
    for page in (dana, sam):
        _pick(page, "Filter", "High reach")
    console.get_by_role("tab", name="Write one").click()
    _pick(console, "Persona", "journalist")
    console.get_by_label("Handle (blank: someone from the public)").fill("rita_news")
    console.get_by_label("Display name").fill("Rita Reporter")
    console.get_by_label("Text", exact=True).fill("Is the Brightwave outage nationwide? {brand}")
    console.get_by_role("button", name="Fire now").last.click()

    def lead_moves(kind: str) -> int:
        _, log = store.room_log(lead.viewer, room_id)
        return sum(e.action.get("kind") == kind for e in log)

    # A click while the page is still running the previous one can be lost (Streamlit starts
    # over with the newest): wait for each to be stored, as a lead waits for its toast.
    _eventually(lambda: lead_moves("inject_mention") == 1, 15, "the inject stored")
    wait_idle(console)
    console.get_by_label("What is down").fill("Calls and data down across the North")
    console.get_by_label("Fix expected").fill("by 11:00")
    console.get_by_role("button", name="Update every incident panel").click()
    _eventually(lambda: lead_moves("update_incident") == 1, 15, "the incident update stored")
    wait_idle(console)
    for page in (dana, sam):
        _eventually(lambda p=page: "@rita_news" in _grid_text(p)
                    or "rita_news" in p.locator("[data-testid=stMain]").inner_text(), 30,
                    "the live inject on a desk")
        page.get_by_text("Calls and data down across the North").first.wait_for()

    # Sam answers too, then the server is killed mid-room.
    sam_composer = sam.get_by_label(re.compile(r"^Reply → @"))
    sam_composer.fill("Hi, Sam here: I've got this one, updates at brightwave.example/status")
    wait_idle(sam)
    confirm = sam.get_by_role("button", name="Send anyway")
    for _attempt in range(3):
        sam.get_by_role("button", name="Send", exact=True).click()
        try:
            confirm.wait_for(timeout=10_000)  # Dana answered since he opened it
            break
        except PlaywrightTimeout:
            # A click that lands while the page reruns for a refresh can be dropped (Streamlit
            # starts over with the newest run). Never mask a send without the question: the
            # draft must still be there and nothing of Sam's stored.
            assert len(replies()) == 1, "Sam's reply went out without asking to confirm"
            expect(sam_composer).not_to_have_value("")
            wait_idle(sam)
    else:
        raise AssertionError("sending to a thread Dana answered never asked to confirm")
    confirm.click()
    expect(sam_composer).to_have_value("", timeout=15_000)
    _eventually(lambda: len(replies()) == 2, 15, "Sam's reply stored")
    sent = replies()
    server.kill()
    restarted = RoomServer(database, port=server.port).start()
    try:
        for page in (dana, sam, console):
            page.reload()
        for page in (dana, sam):
            page.get_by_text("You are in the room").wait_for()
            wait_idle(page)
        assert replies() == sent  # nothing acknowledged was lost
        dana.get_by_role("button", name="Open next free thread").click()
        wait_idle(dana)
        composer = dana.get_by_label(re.compile(r"^Reply → @"))
        composer.fill("Back after the restart: checking your line now")
        dana.get_by_role("button", name="Send", exact=True).click()
        expect(composer).to_have_value("", timeout=15_000)
        _eventually(lambda: len(replies()) == 3, 15, "a reply after the restart")
        # The lead ends the room; the team scorecard has all three replies.
        console.get_by_role("button", name="End room").click()
        console.get_by_role("button", name="End and grade").click()
        console.get_by_text("Reputation at the end").first.wait_for(timeout=60_000)
        transcript = store.room_transcript(lead.viewer, room_id)
        assert transcript is not None
        texts = [e.text for e in transcript.events() if isinstance(e, ReplySent)]
        assert [t.split(" ^")[0] for t in texts] == [s.split(" ^")[0] for s in replies()]
        assert len(texts) == 3
    finally:
        restarted.stop()

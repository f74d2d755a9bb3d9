"""End to end in a real browser: start a 60x drill, work the queue with the keyboard, type slowly
while the inbox refreshes, send, see the toast and the coach, end the drill (a confirmation
first), and read the scorecard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from .conftest import PASSWORD, login, screenshot, wait_idle

pytestmark = pytest.mark.browser

REPLY = "So sorry about this, we're on it and I'll update you within 20 minutes"
#: How many rows the queue holds, and how much new activity waits behind "N new".
ROWS_JS = ("(() => +((document.body.innerText.match(/Conversations: (\\d+)/) || [0, 0])[1]))")
NEW_JS = ("(() => +((document.body.innerText.match(/Conversations: \\d+ · (\\d+) new/)"
          " || [0, 0])[1]))")
#: The reply box's label names the handle shown at the top of the open conversation.
COMPOSER_MATCHES_THREAD_JS = """() => {
  const boxes = [...document.querySelectorAll('textarea[aria-label^="Reply → @"]')];
  const head = document.querySelector('[data-testid=stMain]')?.innerText
    .match(/@(\\w+)[^\\n]*\\s+conversation t\\d+/);
  return boxes.length === 1 && head !== null
    && boxes[0].getAttribute('aria-label') === 'Reply → @' + head[1];
}"""
OPEN_THREAD_JS = ("() => (document.querySelector('[data-testid=stMain]')?.innerText"
                  ".match(/conversation (t\\d+)/) || [null, null])[1]")


def press_until(page, key: str, done: str, arg: object) -> object:  # type: ignore[no-untyped-def]
    """Press ``key`` on the page (not in a box) until the open conversation satisfies
    ``done(open, arg)``: a key pressed while a rerun redraws its button can go unheard."""
    for _ in range(4):
        wait_idle(page)
        page.evaluate("() => document.activeElement?.blur()")  # keys go to the page
        page.keyboard.press(key)
        try:
            page.wait_for_function(f"(arg) => ({done})(({OPEN_THREAD_JS})(), arg)", arg=arg,
                                   timeout=4_000)
            return page.evaluate(OPEN_THREAD_JS)
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"pressing {key!r} did nothing")


def test_desk_drill_in_browser_typed_text_survives_refresh_and_scorecard_shows(server, page,
                                                                               store):
    store.create_user("dana", PASSWORD, "trainee", display_name="Dana Reyes")
    page.goto(server.url)
    page.get_by_label("Username").wait_for()
    screenshot(page, "login")
    login(page, server.url, "dana")
    page.get_by_label("Your name").fill("Dana Reyes")
    page.get_by_label("Initials (for signed replies)").fill("DR")
    wait_idle(page)
    screenshot(page, "start")
    page.get_by_role("button", name="Start drill").click()

    # The desk opens on the first mention (the quiet lead-in is played), then 60x.
    page.get_by_text("Open next waiting").wait_for()
    page.wait_for_function("() => /Conversations: [1-9]/.test(document.body.innerText)",
                           timeout=30_000)
    wait_idle(page)
    speed = page.get_by_label("Speed")
    speed.click()
    page.get_by_role("option", name="60x").click()
    wait_idle(page)

    # New activity collects behind "N new"; the rows on screen stay where they are.
    page.wait_for_function(f"() => {NEW_JS}() >= 3", timeout=60_000)
    for _ in range(3):
        page.get_by_role("button", name="Show new").click()
        try:
            page.wait_for_function(f"() => {ROWS_JS}() >= 3", timeout=5_000)
            break
        except PlaywrightTimeout:
            wait_idle(page)
    wait_idle(page)

    # Keyboard: J opens the next row of the queue, K goes back.
    first = press_until(page, "j", "(a) => a !== null", None)
    second = press_until(page, "j", "(a, b) => a !== null && a !== b", first)
    assert second != first
    assert press_until(page, "k", "(a, b) => a === b", first) == first

    page.get_by_role("button", name="Open next waiting").click()
    composer = page.get_by_label(re.compile(r"^Reply → @"))
    # Type only into the composer of the conversation on screen: the click's rerun may not
    # have started when the page first looks idle.
    page.wait_for_function(COMPOSER_MATCHES_THREAD_JS, timeout=15_000)
    expect(composer).to_have_count(1)
    wait_idle(page)
    page.wait_for_function(COMPOSER_MATCHES_THREAD_JS, timeout=15_000)

    # Type slowly across several refreshes (the fragments rerun every 1.5 s).
    refreshes_before = page.evaluate("() => document.body.innerText.match(/\\d\\d:\\d\\d/)?.[0]")
    composer.press_sequentially(REPLY, delay=60)  # ~4.5 s of typing
    assert composer.input_value() == REPLY
    counter = page.get_by_test_id("stormdeskCounter").first
    expect(counter).to_contain_text(f"{len(REPLY) + 4} / 280")  # live, the signature counted
    clock_after = page.evaluate("() => document.body.innerText.match(/\\d\\d:\\d\\d/)?.[0]")
    assert clock_after != refreshes_before, "the desk did not refresh while typing"
    screenshot(page, "desk")

    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text(re.compile("Replied to")).first.wait_for()  # the toast
    page.get_by_text(re.compile("Coach")).first.wait_for()
    wait_idle(page)
    assert composer.input_value() == ""
    screenshot(page, "coach")

    page.get_by_role("button", name="End drill").click()
    page.get_by_text("End drill?").wait_for()  # a confirmation first
    page.get_by_role("button", name="End and score").click()
    page.get_by_text("Overall").first.wait_for()
    wait_idle(page)
    body = page.locator("[data-testid=stMain]").inner_text()
    for dimension in ("speed", "empathy", "tone", "privacy"):
        assert dimension in body
    assert re.search(r"\b\d\d:\d\d\b", body)  # clock times, not decimal minutes
    assert not re.search(r"\b\d+\.\d{3}\b", body)
    screenshot(page, "scorecard")


def test_desk_help_popover_lists_the_shortcuts(server, page, store):
    store.create_user("sam", PASSWORD, "trainee", display_name="Sam Kim")
    login(page, server.url, "sam")
    page.get_by_role("button", name="Start drill").click()
    page.get_by_text("Open next waiting").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="⌨️").click()
    for words in ("next conversation", "previous conversation", "reply in public",
                  "reply by DM", "put the cursor in the reply box", "resolve"):
        page.get_by_text(words).first.wait_for()

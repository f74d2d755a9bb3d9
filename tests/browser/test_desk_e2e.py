"""End to end in a real browser: start a 60x drill, type slowly while the inbox refreshes,
send, end the drill, and read the scorecard."""

from __future__ import annotations

import re

import pytest

from .conftest import PASSWORD, login, screenshot, wait_idle

pytestmark = pytest.mark.browser

REPLY = "So sorry about this, we're on it and I'll update you within 20 minutes"


def test_desk_drill_in_browser_typed_text_survives_refresh_and_scorecard_shows(server, page,
                                                                               store):
    store.create_user("dana", PASSWORD, "trainee", display_name="Dana Reyes")
    page.goto(server.url)
    page.get_by_label("Username").wait_for()
    screenshot(page, "login")
    login(page, server.url, "dana")
    page.get_by_label("Your name").fill("Dana Reyes")
    page.get_by_label("Initials (for signed replies)").fill("DR")
    screenshot(page, "start")
    page.get_by_role("button", name="Start drill").click()

    # The desk: switch to 60x and wait for the queue to fill from the live refreshes.
    page.get_by_text("Open next waiting").wait_for()
    wait_idle(page)
    speed = page.get_by_label("Speed")
    speed.click()
    page.get_by_role("option", name="60x").click()
    wait_idle(page)
    page.wait_for_function(
        "() => /([1-9][0-9]*) threads/.test(document.body.innerText)", timeout=60_000)
    page.get_by_role("button", name="Open next waiting").click()
    composer = page.get_by_label(re.compile(r"^Reply → @"))
    composer.wait_for()
    wait_idle(page)

    # Type slowly across several refreshes (the fragment reruns every 1.5 s).
    refreshes_before = page.evaluate("() => document.body.innerText.match(/\\d\\d:\\d\\d/)?.[0]")
    composer.press_sequentially(REPLY, delay=60)  # ~4.5 s of typing
    assert composer.input_value() == REPLY
    clock_after = page.evaluate("() => document.body.innerText.match(/\\d\\d:\\d\\d/)?.[0]")
    assert clock_after != refreshes_before, "the desk did not refresh while typing"
    screenshot(page, "desk")

    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text(re.compile("Coach")).first.wait_for()
    wait_idle(page)
    assert composer.input_value() == ""
    screenshot(page, "coach")

    page.get_by_role("button", name="End drill").click()
    page.get_by_role("button", name="End and score").click()
    page.get_by_text("Overall").first.wait_for()
    wait_idle(page)
    body = page.locator("[data-testid=stMain]").inner_text()
    for dimension in ("speed", "empathy", "tone", "privacy"):
        assert dimension in body
    screenshot(page, "scorecard")

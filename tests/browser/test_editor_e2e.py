"""The editor in a real browser: an admin copies a built-in drill, renames it, sees a field's
error in the engine's words, previews it, saves a draft, publishes it to everyone; a trainee
then starts it from the start page and works it on the desk."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import PASSWORD, login, screenshot, wait_idle

pytestmark = pytest.mark.browser
TITLE = "Our quiet Sunday"


def choose(page: Any, label: str, option: str) -> None:
    page.get_by_label(label).first.click()
    page.get_by_role("option", name=option).first.click()
    wait_idle(page)


def press(page: Any, label: str) -> None:
    """A Streamlit button by its label (not a select box's "Open" arrow)."""
    page.locator("[data-testid=stButton] button",
                 has_text=re.compile(f"^{re.escape(label)}$")).first.click()


def view(page: Any, name: str) -> None:
    """Switch the editor's view (Form, YAML file, Preview, Save and publish, Versions)."""
    page.locator("[data-testid=stRadio] label",
                 has_text=re.compile(f"^{re.escape(name)}$")).first.click()
    wait_idle(page)


def fill(page: Any, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True).first
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


def test_editor_copy_preview_publish_then_a_trainee_plays_it(server, page, browser, store):
    store.create_user("root", PASSWORD, "admin", display_name="Ada Admin")
    store.create_user("dana", PASSWORD, "trainee", display_name="Dana Reyes")
    login(page, server.url, "root")
    page.get_by_role("link", name="Editor").click()
    page.get_by_text("Scenario editor", exact=True).wait_for()
    wait_idle(page)
    choose(page, "Start from", "A copy of onboarding-quiet-shift")
    press(page, "Open")
    page.get_by_text("This drill is valid", exact=False).wait_for()
    wait_idle(page)

    # a field's problem shows under it, in the engine's words, and blocks saving
    fill(page, "Clock at minute 0 (HH:MM)", "9am")
    page.get_by_text("must be a 24-hour clock time", exact=False).first.wait_for()
    fill(page, "Clock at minute 0 (HH:MM)", "14:00")
    fill(page, "Title", TITLE)
    page.get_by_text("This drill is valid", exact=False).wait_for()
    screenshot(page, "editor_form")

    view(page, "YAML file")
    page.get_by_text(f"title: {TITLE}", exact=False).first.wait_for()

    view(page, "Preview")
    press(page, "Run preview")
    page.get_by_text("New mentions", exact=True).first.wait_for()
    wait_idle(page)
    screenshot(page, "editor_preview")

    view(page, "Save and publish")
    fill(page, "Change note", "our Sunday shift")
    press(page, "Save draft")
    page.get_by_text("Draft saved as version", exact=False).wait_for()
    wait_idle(page)
    page.get_by_text("Everyone", exact=True).click()
    wait_idle(page)
    press(page, "Publish")
    page.get_by_text("trainees can start it now", exact=False).wait_for()

    trainee = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        other = trainee.new_page()
        other.set_default_timeout(30_000)
        login(other, server.url, "dana")
        assert other.get_by_role("link", name="Editor").count() == 0
        other.get_by_text(TITLE, exact=True).first.wait_for()
        choose(other, "Scenario", f"{TITLE} (onboarding-quiet-shift-copy)")
        other.get_by_label("Your name").fill("Dana Reyes")
        other.get_by_label("Initials (for signed replies)").fill("DR")
        wait_idle(other)
        other.get_by_role("button", name="Start drill").click()
        other.get_by_text("Open next waiting").wait_for()
        wait_idle(other)
        screenshot(other, "editor_drill_on_desk")
    finally:
        trainee.close()
    drills = store.drills_for(store.user_by_username("root").viewer)
    assert [d.drill.scenario_id for d in drills] == ["onboarding-quiet-shift-copy"]

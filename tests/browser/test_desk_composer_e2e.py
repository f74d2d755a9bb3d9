"""The composer never loses text, in a real browser: typing and pasting past 280 characters
keeps every character in the box, the counter turns red as you type, Send is disabled with a
message, the part past the limit is marked; trimming brings Send back; the reply sent is the
whole text as trimmed. A DM takes far more."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, login, wait_idle

pytestmark = pytest.mark.browser

RED = "rgb(211, 47, 47)"
SENTENCE = "We are so sorry about the double charge and we are refunding it today. "


def _open_thread(page) -> object:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Start drill").click()
    page.get_by_text("Open next waiting").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Open next waiting").click()
    composer = page.get_by_label(re.compile(r"^Reply → @"))
    expect(composer).to_have_count(1)  # not while the rerun still shows the old composer
    wait_idle(page)
    return composer


def test_composer_typing_and_pasting_past_280_loses_nothing(server, page, store):
    trainee = store.create_user("typist", PASSWORD, "trainee", display_name="Ty Pist")
    login(page, server.url, "typist")
    page.get_by_label("Initials (for signed replies)").fill("TP")
    wait_idle(page)
    composer = _open_thread(page)
    counter = page.get_by_test_id("stormdeskCounter").first
    send = page.get_by_role("button", name="Send", exact=True)

    # Typed, key by key, past the limit: nothing stops the keyboard.
    typed = SENTENCE * 4  # 288 characters, 292 with " ^TP"
    composer.press_sequentially(typed, delay=5)
    assert composer.input_value() == typed
    expect(counter).to_contain_text(f"{len(typed.strip()) + 4} / 280")
    expect(counter).to_have_css("color", RED)  # before the box commits: the browser's copy
    expect(send).to_be_disabled()
    composer.blur()  # the box commits: the server draws the same, with its message
    wait_idle(page)
    assert composer.input_value() == typed
    page.get_by_text(re.compile("over the 280 limit")).first.wait_for()
    expect(send).to_be_disabled()
    overflow = typed.strip()[280 - 4:]
    assert overflow in page.locator("[data-testid=stMain]").inner_text()  # marked below

    # Pasted (a clipboard paste into the box): all of it stays too.
    pasted = "Pasted: " + SENTENCE * 5
    composer.fill("")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("(t) => navigator.clipboard.writeText(t)", pasted)
    composer.focus()
    page.keyboard.press("ControlOrMeta+V")
    expect(composer).to_have_value(pasted)
    expect(counter).to_have_css("color", RED)
    expect(send).to_be_disabled()

    # Trim it under the limit: Send comes back and the whole trimmed text goes out.
    short = "So sorry about the double charge, I'm refunding it today."
    composer.fill(short)
    composer.blur()
    wait_idle(page)
    expect(send).to_be_enabled()
    send.click()
    expect(composer).to_have_value("", timeout=30_000)
    (record,) = [d.drill for d in store.drills_for(trainee.viewer)]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not store.actions(trainee.viewer, record.id):
        time.sleep(0.2)
    (action,) = [a for _, a in store.actions(trainee.viewer, record.id)]
    assert action["text"] == short + " ^TP"


def test_composer_dm_takes_far_more_than_280(server, page, store):
    store.create_user("dmer", PASSWORD, "trainee", display_name="De Em")
    login(page, server.url, "dmer")
    composer = _open_thread(page)
    composer.fill("Let's sort this privately.")
    page.get_by_role("button", name=re.compile("Move to DM")).click()
    wait_idle(page)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(composer).to_have_value("", timeout=30_000)
    wait_idle(page)
    page.get_by_role("button", name=re.compile("^🔒 DM")).first.click()
    wait_idle(page)
    long_dm = SENTENCE * 20  # ~1,400 characters
    box = page.locator('[class*="st-key-draft-"][class*="-dm"] textarea')
    expect(box).to_have_count(1)
    box.fill(long_dm)
    expect(box).to_have_value(long_dm)
    box.blur()
    wait_idle(page)
    counter = page.get_by_test_id("stormdeskCounter").first
    expect(counter).to_contain_text("/ 10,000")
    expect(counter).not_to_have_css("color", RED)
    assert box.input_value() == long_dm
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()

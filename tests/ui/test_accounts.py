"""Log in, stay logged in across a refresh, resume a drill, and see only what is yours."""

from __future__ import annotations

from engine.records import ReplySent
from ui.services import store
from ui.views import scorecard

from .conftest import PASSWORD, app_as, button, drill, make_user, start_drill


def test_login_page_when_not_logged_in_then_password_login_works():
    user = make_user()
    at = app_as(None)
    assert [b.label for b in at.button] == ["Log in"]
    at.text_input(key="login_username").set_value(user.username)
    at.text_input(key="login_password").set_value("wrong password!")
    at.button[0].click().run()
    assert any("Wrong username or password" in e.value for e in at.error)
    at.text_input(key="login_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert store().user_for_login(str(at.query_params["s"])) == user
    assert any(b.label == "Start drill" for b in at.button)


def test_login_throttled_after_repeated_failures():
    user = make_user()
    at = app_as(None)
    for _ in range(6):
        at.text_input(key="login_username").set_value(user.username)
        at.text_input(key="login_password").set_value("not the password")
        at.button[0].click().run()
    assert any("locked" in e.value for e in at.error)


def test_made_up_token_is_not_a_login():
    make_user()
    for token in ("1.99999999999.AAAA", "é-not-ascii", "x" * 300):
        at = app_as(None)
        at.query_params["s"] = token
        at.run()
        assert not at.exception, at.exception
        assert [b.label for b in at.button] == ["Log in"]


def test_log_out_revokes_the_token_in_the_url():
    user = make_user()
    at = app_as(user)
    token = str(at.query_params["s"])
    button(at, "Log out").click().run()
    assert store().user_for_login(token) is None
    again = app_as(None)
    again.query_params["s"] = token  # the back button or a copied link
    again.run()
    assert [b.label for b in again.button] == ["Log in"]


def test_refresh_mid_drill_resumes_with_every_sent_reply():
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

    again = app_as(user)  # a refresh: a new browser session with the same URL token
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
    owner = make_user()
    at = start_drill(user=owner, mode="assessment")
    button(at, "End drill").click().run()
    drill_id = drill(at).drill_id
    intruder = make_user()
    assert scorecard.load(intruder.viewer, drill_id) is None
    assert scorecard.load(owner.viewer, drill_id) is not None

    spy = app_as(intruder)  # and by the page parameter
    spy.query_params["drill"] = drill_id
    spy.run()
    assert not spy.exception, spy.exception

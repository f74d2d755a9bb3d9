"""``ui.downloads.download``: the file is built only on a click by a live login, and handed to
the page in a script (a ``blob:`` in the browser; tests/browser/test_login_e2e.py checks that
part), never through Streamlit's unauthenticated ``/media`` URLs."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from ui import auth, downloads
from ui.services import app

from .conftest import make_user

SCRIPT = """
import streamlit as st
from ui import auth
from ui.downloads import download

calls = st.session_state.setdefault("calls", [])
user = auth.current_user()
if user is None:
    st.write("logged out")
    st.stop()

def make():
    calls.append(1)
    return st.session_state.get("payload", '{"secret": "for ' + user.username + '"}')

download("Transcript", make, "transcript.json", "application/json", key="dl")
"""


def page(user: object | None) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    if user is not None:
        at.session_state["auth_token"] = app().accounts.open_login(user.id)  # type: ignore[attr-defined]
    return at.run()


def saved_scripts(at: AppTest) -> list[str]:
    return [str(getattr(getattr(n, "proto", None), "body", "")) for n in at.get("html")]


def test_download_builds_nothing_until_clicked():
    at = page(make_user())
    assert at.session_state["calls"] == [] and saved_scripts(at) == []


def test_download_click_builds_the_file_once_and_hands_it_over():
    user = make_user()
    at = page(user)
    at.button(key="dl").click().run()
    assert at.session_state["calls"] == [1]
    (script,) = saved_scripts(at)
    data = re.search(r'"data": "([A-Za-z0-9+/=]*)"', script)
    assert data is not None
    assert base64.b64decode(data.group(1)) == f'{{"secret": "for {user.username}"}}'.encode()
    assert '"name": "transcript.json"' in script and "/media/" not in script
    at.run()  # the next rerun: the script is gone, nothing is rebuilt
    assert saved_scripts(at) == [] and at.session_state["calls"] == [1]


def test_download_click_after_the_login_ended_builds_nothing():
    user = make_user()
    at = page(user)
    app().accounts.close_login(at.session_state["auth_token"])
    at.button(key="dl").click().run()
    assert any(m.value == "logged out" for m in at.markdown)
    assert saved_scripts(at) == []
    assert "calls" not in at.session_state or at.session_state["calls"] == []


def test_download_too_big_is_refused_with_a_message(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(downloads, "MAX_BYTES", 10)
    at = page(make_user())
    at.button(key="dl").click().run()
    assert saved_scripts(at) == [] and any("larger than" in e.value for e in at.error)


def test_download_text_is_utf8_and_markup_in_it_cannot_end_the_script():
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.session_state["auth_token"] = app().accounts.open_login(make_user().id)
    at.session_state["payload"] = "</script><script>alert(1)</script> 한국어"
    at.run()
    at.button(key="dl").click().run()
    (script,) = saved_scripts(at)
    assert script.count("</script>") == 1 and "alert(1)" not in script
    data = re.search(r'"data": "([A-Za-z0-9+/=]*)"', script)
    assert data is not None
    assert base64.b64decode(data.group(1)).decode("utf-8").endswith("한국어")


@pytest.mark.parametrize(("name", "expected"), [
    ("transcript.jsonl", "transcript.jsonl"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\card.pdf", "card.pdf"),
    ('a"b<c>.csv', "a_b_c_.csv"),
    ("성적표 2026.pdf", "성적표 2026.pdf"),
    ("", "download"),
    ("...", "download"),
])
def test_safe_file_name(name, expected):
    assert downloads.safe_file_name(name) == expected


def test_download_refuses_a_bad_mime_type():
    with pytest.raises(ValueError):
        downloads.save_script(b"x", "a.txt", "text/html\"><script>")


@given(st.binary(max_size=200), st.text(max_size=40))
def test_save_script_survives_the_html_sanitiser(payload, name):
    """DOMPurify drops an element whose text has ``<`` before a letter, ``/`` or ``!``."""
    body = downloads.save_script(payload, name, "application/octet-stream")
    inner = body.removeprefix("<script>").removesuffix("</script>")
    assert not re.search(r"<[/\w!]", inner)


def test_cookie_script_survives_the_html_sanitiser():
    for script in (auth.cookie_script(set_token="A" * 43),
                   auth.cookie_script(clear_tokens=["B" * 43, "C" * 43])):
        inner = script.removeprefix("<script>").removesuffix("</script>")
        assert not re.search(r"<[/\w!]", inner)

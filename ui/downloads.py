"""Downloads that exist only for the logged-in viewer who asked: ``download(...)`` replaces
``st.download_button``.

Why not ``st.download_button`` (measured on Streamlit 1.67, see docs/security.md): it puts the
file in Streamlit's media store at ``/media/<id>.<ext>``, a URL that answers 200 to anyone
(no cookie, no session), with static data for as long as the browser session lives (still
after the tab is closed, until the session expires) and with deferred data (a callable) until
about two reruns later. Instead, ``download`` draws a plain button; on the click's rerun it
checks the login against the store (``auth.current_user``), builds the file then, and hands the
bytes over the already open WebSocket inside a small script that saves them as a ``blob:``
object in that page. No server URL exists at all; a ``blob:`` URL is valid only inside the
document that made it, and the bytes are never built for a session whose login has ended.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Callable
from typing import Literal

import streamlit as st

from ui import auth
from ui.i18n import t

#: The bytes travel base64-encoded inside one WebSocket message (Streamlit's default limit is
#: 200 MB); transcripts and PDFs are a few MB. Past this the button says the file is too big.
MAX_BYTES = 40 * 1024 * 1024
_MIME = re.compile(r"[a-z]+/[a-z0-9.+-]+(; ?charset=[A-Za-z0-9_-]+)?")
_UNSAFE_NAME = re.compile(r"[^\w. ()-]+")
MAX_NAME_CHARS = 120


def safe_file_name(name: str) -> str:
    """A file name without paths, quotes, controls or markup (letters of any script kept)."""
    cleaned = _UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return cleaned[:MAX_NAME_CHARS] or "download"


def download(label: str, make_bytes: Callable[[], bytes | str], file_name: str, mime: str,
             key: str, *, help: str | None = None,
             type: Literal["primary", "secondary", "tertiary"] = "secondary",
             icon: str | None = None, disabled: bool = False,
             width: Literal["content", "stretch"] | int = "content") -> bool:
    """A download button. ``make_bytes`` runs only when it is clicked, and only while the
    login of this browser session is live; text is encoded as UTF-8. True on the click's run.
    ``label`` and ``help`` are markdown (pass user text through ``ui.markup.inert``)."""
    if not _MIME.fullmatch(mime):
        raise ValueError(f"not a MIME type: {mime!r}")
    clicked = st.button(label, key=key, help=help, type=type, icon=icon, disabled=disabled,
                        width=width)
    if not clicked:
        return False
    if auth.current_user() is None:  # checked against the store now (reruns to the login)
        return False
    data = make_bytes()
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(payload) > MAX_BYTES:
        st.error(t("auth_download_too_big", _language(), mb=f"{MAX_BYTES / 1e6:.0f}"))
        return False
    st.html(save_script(payload, safe_file_name(file_name), mime), unsafe_allow_javascript=True,
            width="content")
    return True


def _language() -> str:
    from ui import state

    return state.language()


def save_script(payload: bytes, file_name: str, mime: str) -> str:
    """The script that saves ``payload`` as ``file_name`` from a ``blob:`` URL, once (a nonce
    keeps a re-mounted element from saving twice), with a visible link as a fallback when the
    browser blocks an automatic download.

    The script must not contain ``<`` before a letter, ``/`` or ``!``: ``st.html``'s DOMPurify
    pass drops any element whose text looks like markup (its mXSS guard)."""
    if not _MIME.fullmatch(mime):
        raise ValueError(f"not a MIME type: {mime!r}")
    config = json.dumps({"name": safe_file_name(file_name), "mime": mime,
                         "nonce": secrets.token_hex(8),
                         "data": base64.b64encode(payload).decode("ascii")})
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _check_script("<script>(function(c){"
            "var seen=window.__stormdeskSaved=window.__stormdeskSaved||{};"
            "if(seen[c.nonce])return;seen[c.nonce]=true;"
            "var raw=atob(c.data),bytes=new Uint8Array(raw.length);"
            "for(var i=0;raw.length>i;i++)bytes[i]=raw.charCodeAt(i);"
            "var url=URL.createObjectURL(new Blob([bytes],{type:c.mime}));"
            "var a=document.createElement('a');a.href=url;a.download=c.name;"
            "a.textContent=c.name;a.setAttribute('data-testid','stormdeskSavedFile');"
            "var here=document.currentScript&&document.currentScript.parentNode;"
            "(here||document.body).appendChild(a);a.click();"
            "setTimeout(function(){URL.revokeObjectURL(url);a.remove();},60000);"
            f"}})({config});</script>")


def _check_script(script: str) -> str:
    body = script.removeprefix("<script>").removesuffix("</script>")
    if re.search(r"<[/\w!]", body):
        raise AssertionError("a script body that DOMPurify would drop")
    return script

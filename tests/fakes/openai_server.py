"""A local OpenAI-compatible chat-completions server for tests, with failure modes on demand.

Start one with the ``openai_server`` pytest fixture (``from tests.fakes.openai_server import
openai_server`` in a conftest or test module) or with ``FakeOpenAI().start()``. Pick the mode
per server (``server.mode = "hang"``), per URL (``server.base_url("trickle")`` puts the mode
in the path, so one server can serve many judges at once), or per request in order
(``server.script = ["error500", "ok"]``).

Modes (``MODES``):
``ok``           a chat completion whose content is ``server.answer(request)`` (JSON text)
``slow``         the same after ``slow_s`` seconds (0.2 by default)
``garbage``      a valid completion whose content is prose, not JSON
``malformed``    a valid completion whose content is truncated JSON
``schema``       a valid completion whose content is JSON of the wrong shape
``truncated``    a valid completion cut off by the token limit (``finish_reason: length``)
``non_json``     HTTP 200 whose body is not JSON at all (an HTML error page)
``no_choices``   HTTP 200 JSON without ``choices``
``hang``         reads the request, then never answers (until the server stops)
``trickle``      headers at once, then the body one byte every ``trickle_interval_s``
``error500``     HTTP 500 with an OpenAI-style error body
``rate_limited`` HTTP 429 with ``Retry-After: 60``
``reset``        reads the request, then resets the TCP connection
``huge``         HTTP 200 streaming ``huge_bytes`` of body (64 MiB by default), announced in
                 Content-Length unless ``huge_announced`` is False
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

MODES = ("ok", "slow", "garbage", "malformed", "schema", "truncated", "non_json", "no_choices",
         "hang", "trickle", "error500", "rate_limited", "reset", "huge")
#: The modes that are failures of the endpoint (every mode but ``ok`` and ``slow``).
FAILING_MODES = tuple(m for m in MODES if m not in ("ok", "slow"))


def default_answer(request: dict[str, Any]) -> str:
    """The ``ok`` content: ``{"ok": true}`` plus the model asked for (a generic JSON answer)."""
    return json.dumps({"ok": True, "model": request.get("model", "")})


class FakeOpenAI(ThreadingHTTPServer):
    """The server: ``requests`` records (mode, request JSON) of every call it received."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str = "ok", host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), _Handler)
        self.mode = mode
        self.answer: Callable[[dict[str, Any]], str] = default_answer
        self.slow_s = 0.2
        self.trickle_interval_s = 3.0  # the field notes' trickling server: one byte every 3 s
        self.huge_bytes = 64 * 1024 * 1024
        self.huge_announced = True  # False: no Content-Length (the client must count)
        self.retry_after = "60"
        self.requests: list[tuple[str, dict[str, Any]]] = []
        #: modes for the next requests, first come first served, before ``mode`` applies
        #: (e.g. ``["rate_limited"]``: one 429, then normal answers)
        self.script: list[str] = []
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ---- life cycle
    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(target=self.serve_forever, name="fake-openai",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # releases hanging and trickling handlers
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hang up on slow answers on purpose: not an error here

    # ---- addresses and bookkeeping
    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}"

    def base_url(self, mode: str | None = None) -> str:
        """The ``base_url`` for an OpenAI client: ``/v1`` (server's mode) or ``/m/<mode>/v1``."""
        if mode is None:
            return f"{self.url}/v1"
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; known: {', '.join(MODES)}")
        return f"{self.url}/m/{mode}/v1"

    def next_scripted(self) -> str | None:
        with self._lock:
            return self.script.pop(0) if self.script else None

    def record(self, mode: str, request: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append((mode, request))

    def calls(self, mode: str | None = None) -> int:
        with self._lock:
            return sum(1 for m, _ in self.requests if mode is None or m == mode)


def completion(request: dict[str, Any], content: str, finish_reason: str = "stop"
               ) -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
            "model": request.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": finish_reason,
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # else every call waits ~40 ms for the delayed ACK
    protocol_version = "HTTP/1.1"
    server: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _mode(self) -> str:
        parts = self.path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "m":
            return parts[1]
        return self.server.mode

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), headers=headers)

    def do_GET(self) -> None:
        self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0") or 0)
        raw = self.rfile.read(length)
        try:
            request = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            request = {}
        mode = self.server.next_scripted() or self._mode()
        self.server.record(mode, request)
        handler = getattr(self, f"_mode_{mode}", None)
        if handler is None:
            self._json(404, {"error": {"message": f"unknown fake mode {mode}"}})
            return
        handler(request)

    # ---- the modes
    def _mode_ok(self, request: dict[str, Any]) -> None:
        self._json(200, completion(request, self.server.answer(request)))

    def _mode_slow(self, request: dict[str, Any]) -> None:
        if not self.server.stopping.wait(self.server.slow_s):
            self._mode_ok(request)

    def _mode_garbage(self, request: dict[str, Any]) -> None:
        self._json(200, completion(request, "Sure! The reply looks great to me :)"))

    def _mode_malformed(self, request: dict[str, Any]) -> None:
        self._json(200, completion(request, '{"kinds": ["asks_pii_public"'))

    def _mode_schema(self, request: dict[str, Any]) -> None:
        self._json(200, completion(request, json.dumps({"level": 7, "score": "high"})))

    def _mode_truncated(self, request: dict[str, Any]) -> None:
        self._json(200, completion(request, '{"level": 2, "expl', finish_reason="length"))

    def _mode_non_json(self, request: dict[str, Any]) -> None:
        self._send(200, b"<html><body>502 Bad Gateway</body></html>",
                   content_type="application/json")

    def _mode_no_choices(self, request: dict[str, Any]) -> None:
        self._json(200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
                         "model": request.get("model", "fake")})

    def _mode_hang(self, request: dict[str, Any]) -> None:
        self.server.stopping.wait(600)

    def _mode_trickle(self, request: dict[str, Any]) -> None:
        body = json.dumps(completion(request, self.server.answer(request))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        for i in range(len(body)):
            if self.server.stopping.wait(self.server.trickle_interval_s):
                return
            try:
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
            except OSError:  # the client gave up
                return

    def _mode_error500(self, request: dict[str, Any]) -> None:
        self._json(500, {"error": {"message": "internal error", "type": "server_error"}})

    def _mode_rate_limited(self, request: dict[str, Any]) -> None:
        self._json(429, {"error": {"message": "rate limited", "type": "rate_limit_error"}},
                   headers={"Retry-After": self.server.retry_after})

    def _mode_reset(self, request: dict[str, Any]) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _mode_huge(self, request: dict[str, Any]) -> None:
        total = self.server.huge_bytes
        head = b'{"id": "chatcmpl-fake", "object": "chat.completion", "padding": "'
        tail = b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.server.huge_announced:
            self.send_header("Content-Length", str(total))
        else:  # HTTP/1.1 without a length: the body ends when the connection closes
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"a" * 65536
        try:
            self.wfile.write(head)
            left = total - len(head) - len(tail)
            while left > 0 and not self.server.stopping.is_set():
                piece = chunk[:left]
                self.wfile.write(piece)
                left -= len(piece)
            self.wfile.write(tail)
        except OSError:  # the client stopped reading: what we want it to do
            return


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on a free port of 127.0.0.1 (mode ``ok``; switchable)."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_openai_server() -> Iterator[FakeOpenAI]:
    """The same, shared by a test module (use ``base_url(mode)`` to pick modes per call)."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


def wait_until(predicate: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    """Poll ``predicate`` until it is true or ``timeout_s`` passes (for background effects)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()

"""An HTTP transport for the openai client that enforces a call's wall-clock deadline and a cap
on the answer's size while the bytes arrive (the client's own timeouts are per read, so a
server trickling one byte every few seconds would never time out, and a huge body would be
read whole into memory before anyone looks at it).

The limits of the call in progress (``llm.policy.CURRENT``) are set by ``llm.client`` in the
worker thread that makes the call; requests outside a call get no deadline, only the cap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

try:  # openai >= 3 speaks httpx2; older releases speak httpx (same API)
    import httpx2 as httpx
except ImportError:  # pragma: no cover - depends on the installed openai
    import httpx  # type: ignore[no-redef]

from llm.policy import CURRENT, CallLimits


class DeadlinePassed(httpx.ReadTimeout):
    """The call's total deadline passed while the answer was still arriving."""


class AnswerTooLarge(httpx.ReadError):
    """The answer is larger than the cap (announced or counted)."""


class AnswerEncoded(httpx.ReadError):
    """The server compressed the answer although we asked for identity (a decompression bomb
    could not be capped by counting the bytes on the wire)."""


class _GuardedStream(httpx.SyncByteStream):
    def __init__(self, inner: Any, limits: CallLimits, request: Any) -> None:
        self._inner = inner
        self._limits = limits
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._inner:
            received += len(chunk)
            if received > self._limits.max_bytes:
                raise AnswerTooLarge(f"answer over {self._limits.max_bytes} bytes",
                                     request=self._request)
            if self._limits.remaining() <= 0:
                raise DeadlinePassed("deadline passed while reading the answer",
                                     request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class GuardedTransport(httpx.BaseTransport):
    """Wraps ``httpx.HTTPTransport``: every timeout shrunk to the time left, the body counted
    and checked against the deadline chunk by chunk, compressed answers refused."""

    def __init__(self, inner: Any | None = None) -> None:
        self._inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: Any) -> Any:
        limits = CURRENT.get() or CallLimits(deadline=float("inf"))
        left = limits.remaining()
        if left <= 0:
            raise DeadlinePassed("deadline passed before the request", request=request)
        timeouts = dict(request.extensions.get("timeout") or {})
        for phase in ("connect", "read", "write", "pool"):
            current = timeouts.get(phase)
            timeouts[phase] = left if current is None else min(float(current), left)
        request.extensions["timeout"] = timeouts
        request.headers["Accept-Encoding"] = "identity"
        response = self._inner.handle_request(request)
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        announced = response.headers.get("Content-Length", "")
        problem: Exception | None = None
        if encoding not in ("", "identity"):
            problem = AnswerEncoded(f"answer compressed with {encoding}", request=request)
        elif announced.isdigit() and int(announced) > limits.max_bytes:
            problem = AnswerTooLarge(f"answer of {announced} bytes announced", request=request)
        if problem is not None:
            response.close()
            raise problem
        return httpx.Response(status_code=response.status_code, headers=response.headers,
                              stream=_GuardedStream(response.stream, limits, request),
                              extensions=response.extensions)

    def close(self) -> None:
        self._inner.close()


def http_client() -> Any:
    """An ``httpx`` client for ``openai.OpenAI(http_client=...)`` with the guarded transport
    (no redirects: an answer comes from the configured endpoint or not at all)."""
    return httpx.Client(transport=GuardedTransport(), follow_redirects=False)

"""``LlmClient``: the one way StormDesk asks an OpenAI-compatible endpoint for a JSON answer,
under a hard deadline, a per-drill budget and the endpoint's circuit breaker; every answer says
who produced it (``llm:<model>`` or ``llm fallback: <reason>``) and a failure never raises.

The call runs in a daemon worker thread and the caller waits at most the deadline, whatever
the server does (the openai client's timeouts are per read). Inside the worker the guarded
transport shrinks every timeout to the time left and stops reading a body that passes the
deadline or the size cap, so an abandoned worker ends about one read after the deadline.
Retries are ours (the client's ``max_retries`` is 0): transient errors (connection, 408, 409,
429, 5xx) are retried with a short backoff, and ``Retry-After`` is honoured only when the
wait still fits in the deadline.
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from llm.policy import CURRENT, MIN_CALL_S, CallLimits, CircuitBreaker, DrillBudget, breaker_for
from llm.settings import LlmSettings

if TYPE_CHECKING:
    from openai import OpenAI

M = TypeVar("M", bound=BaseModel)
FALLBACK = "llm fallback"
OFFLINE = "offline"
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
#: Backoff before a retry without Retry-After: 0.2 s, then 0.4 s (jittered down to 75%).
BACKOFF_S = 0.2
#: Room for the answer's own tokens: a verdict is ~50-150 tokens.
MAX_TOKENS = 400
#: Slack the caller allows the worker past the deadline to hand over a finished answer.
HANDOVER_S = 0.05


@dataclass(frozen=True, slots=True)
class Answer(Generic[M]):
    """A validated answer (``value``) or None, who produced it, and how long it took."""

    value: M | None
    source: str
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.value is not None


class CallFailed(Exception):
    """Why one call produced no usable answer (the text after ``llm fallback: ``)."""


def fallback_label(reason: str) -> str:
    return f"{FALLBACK}: {reason}"


class LlmClient:
    """JSON answers from one endpoint for one drill (its budget); thread-safe.

    ``clock`` and ``sleep`` exist for tests. Build one per drill (or per batch of work that
    should share a budget); the circuit breaker is shared by every client of the endpoint.
    """

    def __init__(self, settings: LlmSettings, *, budget: DrillBudget | None = None,
                 breaker: CircuitBreaker | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.budget = budget if budget is not None else DrillBudget.for_settings(settings)
        self.breaker = breaker if breaker is not None else breaker_for(settings)
        self.calls = 0  # calls that went out to the endpoint
        self._sleep = sleep
        self._client: OpenAI | None = None
        self._client_lock = threading.Lock()

    @property
    def label(self) -> str:
        return self.settings.label

    def openai(self) -> OpenAI:
        """The openai client: our transport, our retries, an explicit timeout."""
        with self._client_lock:
            if self._client is None:
                from openai import OpenAI  # imported on first use: keeps imports light

                from llm.transport import http_client

                self._client = OpenAI(base_url=self.settings.base_url,
                                      api_key=self.settings.api_key,
                                      timeout=self.settings.timeout_s, max_retries=0,
                                      http_client=http_client())
            return self._client

    # ------------------------------------------------------------------------------ asking
    def ask(self, system: str, user: str, schema: type[M]) -> Answer[M]:
        """``schema``'s answer to a system and a user message, or a labelled fallback."""
        allowance = self.budget.allowance(self.settings.timeout_s)
        if isinstance(allowance, str):
            return Answer(None, fallback_label(allowance))
        refused = self.breaker.admit()
        if refused is not None:
            return Answer(None, fallback_label(refused))
        self.openai()  # the first call imports openai (~0.3-2 s): not the endpoint's time
        started = time.monotonic()
        limits = CallLimits(deadline=started + allowance)
        self.calls += 1
        try:
            value = self._within_deadline(limits, allowance, lambda: self._attempts(
                limits, system, user, schema))
        except CallFailed as exc:
            reason = str(exc)
            seconds = time.monotonic() - started
            self.budget.record(seconds, reason)
            self.breaker.failed(reason)
            return Answer(None, fallback_label(reason), seconds)
        seconds = time.monotonic() - started
        self.budget.record(seconds, None)
        self.breaker.succeeded()
        return Answer(value, self.label, seconds)

    def _within_deadline(self, limits: CallLimits, allowance: float,
                         work: Callable[[], M]) -> M:
        """``work()`` in a daemon thread; CallFailed when the deadline passes first."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            CURRENT.set(limits)
            try:
                box["value"] = work()
            except BaseException as exc:  # handed to the caller below, never lost
                box["error"] = exc
            finally:
                done.set()

        worker = threading.Thread(target=run, name="llm-call", daemon=True)
        worker.start()
        if not done.wait(max(0.0, limits.remaining()) + HANDOVER_S):
            raise CallFailed(f"no answer within {allowance:.3g}s")
        if "error" in box:
            error = box["error"]
            if isinstance(error, CallFailed):
                raise error
            raise CallFailed(f"unexpected {type(error).__name__}") from error
        value: M = box["value"]
        return value

    def _attempts(self, limits: CallLimits, system: str, user: str, schema: type[M]) -> M:
        """The first attempt and up to ``max_retries`` more, all inside ``limits``."""
        import openai

        from llm.transport import AnswerEncoded, AnswerTooLarge

        last = "no attempt"
        for attempt in range(self.settings.max_retries + 1):
            left = limits.remaining()
            if left < MIN_CALL_S:
                raise CallFailed(last if attempt else f"no answer within "
                                 f"{self.settings.timeout_s:g}s")
            try:
                response = self.openai().chat.completions.create(
                    model=self.settings.model, temperature=0, max_tokens=MAX_TOKENS,
                    response_format={"type": "json_object"}, timeout=left,
                    messages=[{"role": "system", "content": system},
                              {"role": "user", "content": user}])
            except openai.APIStatusError as exc:
                last = f"HTTP {exc.status_code}"
                if exc.status_code not in RETRY_STATUSES:
                    raise CallFailed(last) from None
                wait = _retry_after(exc.response.headers)
                if wait is not None and wait > limits.remaining() - MIN_CALL_S:
                    raise CallFailed(f"{last} with Retry-After {wait:g}s, past the "
                                     f"{self.settings.timeout_s:g}s deadline") from None
                self._pause(attempt, wait, limits)
                continue
            except openai.APITimeoutError as exc:
                raise CallFailed(_timeout_reason(exc, self.settings.timeout_s)) from None
            except openai.APIConnectionError as exc:
                cause = exc.__cause__
                if isinstance(cause, AnswerTooLarge | AnswerEncoded):
                    raise CallFailed(str(cause)) from None
                last = "connection reset" if _is_reset(cause) else "cannot connect"
                self._pause(attempt, None, limits)
                continue
            except json.JSONDecodeError:  # the openai client parses the HTTP body itself
                raise CallFailed("the HTTP body is not JSON") from None
            except (openai.OpenAIError, ValidationError, ValueError) as exc:
                raise CallFailed(_short(exc)) from None
            return _parse(response, schema)
        raise CallFailed(last)

    def _pause(self, attempt: int, wait: float | None, limits: CallLimits) -> None:
        if attempt >= self.settings.max_retries:
            return
        if wait is None:
            wait = BACKOFF_S * (2 ** attempt) * (1 - 0.25 * random.random())
        self._sleep(max(0.0, min(wait, limits.remaining() - MIN_CALL_S)))


# -------------------------------------------------------------------------------- parsing


def _parse(response: Any, schema: type[M]) -> M:
    """The validated answer from a chat completion, or CallFailed naming what is wrong."""
    choices = getattr(response, "choices", None)
    if isinstance(response, str) or not choices:
        raise CallFailed("no choices in the answer")
    choice = choices[0]
    if getattr(choice, "finish_reason", None) == "length":
        raise CallFailed(f"answer cut off at {MAX_TOKENS} tokens")
    content = getattr(getattr(choice, "message", None), "content", None) or ""
    if not content.strip():
        raise CallFailed("empty answer")
    try:
        data = json.loads(content)
    except (json.JSONDecodeError, RecursionError):
        raise CallFailed("malformed JSON") from None
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise CallFailed(f"schema mismatch at {where}: {first['msg']}") from None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw) / divisor
        except ValueError:
            parsed = email.utils.parsedate_tz(raw)
            if parsed is None:
                continue
            value = float(email.utils.mktime_tz(parsed)) - time.time()
        if value != value or value < 0:  # NaN or in the past
            return 0.0
        return value
    return None


def _timeout_reason(exc: Exception, deadline_s: float) -> str:
    from llm.transport import DeadlinePassed

    if isinstance(exc.__cause__, DeadlinePassed):
        return f"answer still arriving after {deadline_s:g}s"
    return f"no answer within {deadline_s:g}s"


def _is_reset(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, ConnectionResetError) or "reset" in str(exc).lower() \
                or "disconnected" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:80]}" if text else type(exc).__name__

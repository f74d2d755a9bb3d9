"""When the LLM may be asked at all: a circuit breaker per endpoint (shared by the process) and
a budget per drill (owned by whoever scores that drill).

The breaker opens after ``breaker_failures`` consecutive failed calls and stays open for
``breaker_cooldown_s``; then one probe call may go through (half-open) and its outcome closes
or re-opens it. The drill budget caps the LLM time one drill may spend (``drill_budget_s``)
and the time it may lose to failures (one call deadline): after a hanging endpoint has cost
one deadline, the offline path answers for the rest of the drill.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from llm.settings import LlmSettings

Clock = Callable[[], float]
#: A call with less time than this left is not worth starting (TCP connect + a short answer
#: from a local server takes ~5-50 ms; a model needs far more).
MIN_CALL_S = 0.25
#: A verdict is a few hundred bytes; 256 KiB leaves room for servers that add logprobs or
#: echo the prompt, and is nothing to hold in memory.
MAX_RESPONSE_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class CallLimits:
    """The deadline (``time.monotonic()`` seconds) and size cap of one call."""

    deadline: float
    max_bytes: int = MAX_RESPONSE_BYTES

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


#: The limits of the call the current thread is making (set by the client's worker thread,
#: read by the transport).
CURRENT: contextvars.ContextVar[CallLimits | None] = contextvars.ContextVar(
    "llm_call_limits", default=None)


class CircuitBreaker:
    """Closed -> open after ``failures`` consecutive failures -> half-open after ``cooldown_s``
    (one probe) -> closed on success, open again on failure. Thread-safe."""

    def __init__(self, failures: int, cooldown_s: float, clock: Clock = time.monotonic) -> None:
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._probing = False
        self._reason = ""

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown_s:
            return "half-open"
        return "open"

    def admit(self) -> str | None:
        """None when a call may go out now, else why not (for the answer's label)."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return None
            if state == "half-open" and not self._probing:
                self._probing = True  # this caller is the probe; others wait for its outcome
                return None
            return (f"circuit open after {self.failures} failed calls "
                    f"(last: {self._reason}); retried after {self.cooldown_s:g}s")

    def succeeded(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._probing = False

    def failed(self, reason: str) -> None:
        with self._lock:
            self._reason = reason
            if self._probing:  # the probe failed: open for another cool-down
                self._probing = False
                self._opened_at = self._clock()
                return
            self._consecutive += 1
            if self._consecutive >= self.failures:
                self._opened_at = self._clock()

    def released(self) -> None:
        """A call admitted as the probe did not happen after all (e.g. the drill's budget)."""
        with self._lock:
            self._probing = False


_BREAKERS: dict[tuple[str, str], CircuitBreaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(settings: LlmSettings) -> CircuitBreaker:
    """The process-wide breaker of this endpoint and model (every drill shares it)."""
    key = (settings.endpoint, settings.model)
    with _BREAKERS_LOCK:
        breaker = _BREAKERS.get(key)
        if breaker is None or (breaker.failures, breaker.cooldown_s) != (
                settings.breaker_failures, settings.breaker_cooldown_s):
            breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_s)
            _BREAKERS[key] = breaker
        return breaker


def reset_breakers() -> None:
    """Forget every breaker (tests; a process that changed its endpoint)."""
    with _BREAKERS_LOCK:
        _BREAKERS.clear()


@dataclass(slots=True)
class DrillBudget:
    """The LLM time one drill may spend in total and lose to failures (thread-safe)."""

    total_s: float
    failure_s: float
    spent_s: float = 0.0
    failed_s: float = 0.0
    first_failure: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def for_settings(cls, settings: LlmSettings) -> DrillBudget:
        return cls(total_s=settings.drill_budget_s, failure_s=settings.timeout_s)

    def allowance(self, deadline_s: float) -> float | str:
        """Seconds the next call may take (its deadline), or why it may not go out."""
        with self._lock:
            left_total = self.total_s - self.spent_s
            left_failing = self.failure_s - self.failed_s
            if left_failing < MIN_CALL_S and self.failed_s > 0:
                return (f"the endpoint failed for {self.failed_s:.1f}s in this drill "
                        f"(first: {self.first_failure}); offline for the rest of it")
            if left_total < MIN_CALL_S:
                return f"this drill's LLM budget of {self.total_s:g}s is spent"
            return min(deadline_s, left_total, left_failing)

    def record(self, seconds: float, failure: str | None) -> None:
        with self._lock:
            self.spent_s += seconds
            if failure is not None:
                self.failed_s += seconds
                self.first_failure = self.first_failure or failure

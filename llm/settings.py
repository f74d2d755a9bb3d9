"""The LLM endpoint's settings, read from the environment and validated once, with one clear
error that names every bad variable (never a silent default for a value someone typed).

Variables (nothing set = no LLM; the offline paths answer):

=================================  ========  ================================================
variable                           default   meaning
=================================  ========  ================================================
``STORMDESK_LLM_BASE_URL``         (none)    an OpenAI-compatible ``base_url`` (http/https)
``STORMDESK_LLM_MODEL``            (none)    the model name sent with every call
``STORMDESK_LLM_API_KEY``          not-needed  sent as the bearer key (local servers ignore it)
``STORMDESK_LLM_TIMEOUT``          5         seconds per call, retries and waits included
``STORMDESK_LLM_MAX_RETRIES``      1         extra attempts inside that deadline (0-5)
``STORMDESK_LLM_DRILL_BUDGET``     30        seconds of LLM time per drill, then offline
``STORMDESK_LLM_BREAKER_FAILURES`` 3         consecutive failures that open the circuit
``STORMDESK_LLM_BREAKER_COOLDOWN`` 30        seconds the circuit stays open before a probe
=================================  ========  ================================================
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ENV_BASE_URL = "STORMDESK_LLM_BASE_URL"
ENV_MODEL = "STORMDESK_LLM_MODEL"
ENV_API_KEY = "STORMDESK_LLM_API_KEY"
ENV_TIMEOUT = "STORMDESK_LLM_TIMEOUT"
ENV_MAX_RETRIES = "STORMDESK_LLM_MAX_RETRIES"
ENV_DRILL_BUDGET = "STORMDESK_LLM_DRILL_BUDGET"
ENV_BREAKER_FAILURES = "STORMDESK_LLM_BREAKER_FAILURES"
ENV_BREAKER_COOLDOWN = "STORMDESK_LLM_BREAKER_COOLDOWN"

#: A judge verdict from a local 7-8B model takes 0.5-2 s; 5 s covers a slow answer plus one
#: quick retry, and is what an End-drill click can afford to lose to a dead endpoint.
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_MAX_RETRIES = 1
#: About 20-60 verdicts at ~0.5-1.5 s: the longest wait for End drill we accept by default.
DEFAULT_DRILL_BUDGET_S = 30.0
DEFAULT_BREAKER_FAILURES = 3
DEFAULT_BREAKER_COOLDOWN_S = 30.0
NO_KEY = "not-needed"  # the openai client refuses an empty key; local servers ignore it

# Accepted ranges: outside them a value is a typo (or a hang in disguise), not a choice.
TIMEOUT_RANGE_S = (0.1, 120.0)
RETRIES_RANGE = (0, 5)
DRILL_BUDGET_RANGE_S = (0.1, 3600.0)
BREAKER_FAILURES_RANGE = (1, 100)
BREAKER_COOLDOWN_RANGE_S = (1.0, 3600.0)
MAX_MODEL_CHARS = 200


class LlmSettingsError(ValueError):
    """The environment configures the LLM wrongly; ``problems`` has one line per variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid LLM settings: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class LlmSettings:
    """A validated endpoint and its call policy (build with ``from_env`` or directly)."""

    base_url: str
    model: str
    api_key: str = field(default=NO_KEY, repr=False)  # never in logs or error messages
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_retries: int = DEFAULT_MAX_RETRIES
    drill_budget_s: float = DEFAULT_DRILL_BUDGET_S
    breaker_failures: int = DEFAULT_BREAKER_FAILURES
    breaker_cooldown_s: float = DEFAULT_BREAKER_COOLDOWN_S

    def __post_init__(self) -> None:
        problems = [p for p in (
            _url_problem("base_url", self.base_url),
            _text_problem("model", self.model, MAX_MODEL_CHARS),
            _key_problem("api_key", self.api_key),
            _number_problem("timeout_s", self.timeout_s, TIMEOUT_RANGE_S),
            _int_problem("max_retries", self.max_retries, RETRIES_RANGE),
            _number_problem("drill_budget_s", self.drill_budget_s, DRILL_BUDGET_RANGE_S),
            _int_problem("breaker_failures", self.breaker_failures, BREAKER_FAILURES_RANGE),
            _number_problem("breaker_cooldown_s", self.breaker_cooldown_s,
                            BREAKER_COOLDOWN_RANGE_S),
        ) if p]
        if problems:
            raise LlmSettingsError(problems)

    @property
    def label(self) -> str:
        """Who answers when the LLM does: ``llm:<model>``."""
        return f"llm:{self.model}"

    @property
    def endpoint(self) -> str:
        """The base URL without credentials (for messages and the circuit breaker's key)."""
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LlmSettings | None:
        """The configured endpoint, None when neither URL nor model is set, or
        ``LlmSettingsError`` naming every variable that is wrong."""
        env = os.environ if environ is None else environ
        base_url = env.get(ENV_BASE_URL, "").strip()
        model = env.get(ENV_MODEL, "").strip()
        problems: list[str] = []
        timeout = _read_number(env, ENV_TIMEOUT, DEFAULT_TIMEOUT_S, TIMEOUT_RANGE_S, problems)
        retries = _read_int(env, ENV_MAX_RETRIES, DEFAULT_MAX_RETRIES, RETRIES_RANGE, problems)
        budget = _read_number(env, ENV_DRILL_BUDGET, DEFAULT_DRILL_BUDGET_S,
                              DRILL_BUDGET_RANGE_S, problems)
        failures = _read_int(env, ENV_BREAKER_FAILURES, DEFAULT_BREAKER_FAILURES,
                             BREAKER_FAILURES_RANGE, problems)
        cooldown = _read_number(env, ENV_BREAKER_COOLDOWN, DEFAULT_BREAKER_COOLDOWN_S,
                                BREAKER_COOLDOWN_RANGE_S, problems)
        api_key = env.get(ENV_API_KEY, "").strip() or NO_KEY
        if base_url or model:
            if not base_url:
                problems.append(f"{ENV_BASE_URL} is not set but {ENV_MODEL} is: set both, "
                                "or neither for offline scoring")
            elif (p := _url_problem(ENV_BASE_URL, base_url)) is not None:
                problems.append(p)
            if not model:
                problems.append(f"{ENV_MODEL} is not set but {ENV_BASE_URL} is: set both, "
                                "or neither for offline scoring")
            elif (p := _text_problem(ENV_MODEL, model, MAX_MODEL_CHARS)) is not None:
                problems.append(p)
            if (p := _key_problem(ENV_API_KEY, api_key)) is not None:
                problems.append(p)
        if problems:
            raise LlmSettingsError(problems)
        if not base_url:
            return None
        return cls(base_url, model, api_key, timeout, retries, budget, failures, cooldown)


def settings_from_env(environ: Mapping[str, str] | None = None) -> LlmSettings | None:
    """``LlmSettings.from_env``: call it at start-up so a bad value stops the app with its
    message instead of surfacing at the first End drill."""
    return LlmSettings.from_env(environ)


# ------------------------------------------------------------------------------ validation


def _url_problem(name: str, value: str) -> str | None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"{name}={value!r}: not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{name}={value!r}: must be an http:// or https:// URL with a host"
    if any(c.isspace() for c in value):
        return f"{name}={value!r}: contains spaces"
    return None


def _text_problem(name: str, value: str, max_chars: int) -> str | None:
    if not value or len(value) > max_chars or not value.isprintable():
        return f"{name}={value!r}: must be 1-{max_chars} printable characters"
    return None


def _key_problem(name: str, value: str) -> str | None:
    if not value or len(value) > 4096 or not value.isprintable() or not value.isascii():
        return f"{name}: must be 1-4096 printable ASCII characters (value not shown)"
    return None


def _number_problem(name: str, value: float, bounds: tuple[float, float]) -> str | None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or not low <= value <= high:
        return f"{name}={value!r}: must be a number of seconds from {low:g} to {high:g}"
    return None


def _int_problem(name: str, value: int, bounds: tuple[int, int]) -> str | None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{name}={value!r}: must be a whole number from {low} to {high}"
    return None


def _read_number(env: Mapping[str, str], name: str, default: float,
                 bounds: tuple[float, float], problems: list[str]) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    problem = _number_problem(name, value, bounds)
    if problem is not None:
        problems.append(problem.replace(repr(value), repr(raw)))
        return default
    return value


def _read_int(env: Mapping[str, str], name: str, default: int, bounds: tuple[int, int],
              problems: list[str]) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name}={raw!r}: must be a whole number from {bounds[0]} to "
                        f"{bounds[1]}")
        return default
    problem = _int_problem(name, value, bounds)
    if problem is not None:
        problems.append(problem.replace(repr(value), repr(raw)))
        return default
    return value

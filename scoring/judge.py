"""The optional LLM judge: a rubric prompt per dimension sent through the official ``openai``
client to any OpenAI-compatible server, JSON answers validated by pydantic, and the offline
result whenever anything goes wrong.

Configured by environment (nothing set = offline only):
``STORMDESK_LLM_BASE_URL`` (e.g. ``http://localhost:8000/v1``), ``STORMDESK_LLM_MODEL``,
``STORMDESK_LLM_API_KEY`` (default ``not-needed``), ``STORMDESK_LLM_TIMEOUT`` (seconds,
default 8). Every call has an explicit timeout and one retry (the client's defaults, 600 s and
two retries, could hang a drill), and verdicts are cached by a hash of dimension, model and
inputs. Each result says which judge produced it: ``llm:<model>``, or
``offline (llm failed: <reason>)``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.records import ReplyContext
from engine.scenario import Brand
from scoring.records import (
    EmpathyAssessment,
    Finding,
    PrivacyAssessment,
    Severity,
    ToneAssessment,
)

if TYPE_CHECKING:
    from openai import OpenAI

T = TypeVar("T")
ENV_BASE_URL = "STORMDESK_LLM_BASE_URL"
ENV_MODEL = "STORMDESK_LLM_MODEL"
ENV_API_KEY = "STORMDESK_LLM_API_KEY"
ENV_TIMEOUT = "STORMDESK_LLM_TIMEOUT"
DEFAULT_TIMEOUT_S = 8.0
MAX_RETRIES = 1
OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Judged(Generic[T]):
    """A judged value and the judge that produced it."""

    value: T
    judge: str


class Judge(Protocol):
    """What the scorer calls to (re)judge one reply; `LlmJudge` is the implementation."""

    label: str

    def judge_empathy(self, ctx: ReplyContext, offline: EmpathyAssessment
                      ) -> Judged[EmpathyAssessment]: ...

    def judge_tone(self, ctx: ReplyContext, offline: ToneAssessment,
                   brand: Brand | None = None) -> Judged[ToneAssessment]: ...

    def judge_privacy(self, ctx: ReplyContext, offline: PrivacyAssessment
                      ) -> Judged[PrivacyAssessment]: ...


@dataclass(frozen=True, slots=True)
class JudgeConfig:
    base_url: str
    model: str
    api_key: str = "not-needed"
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_retries: int = MAX_RETRIES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> JudgeConfig | None:
        """The configured judge, or None when base URL or model is not set."""
        env = os.environ if environ is None else environ
        base_url, model = env.get(ENV_BASE_URL, "").strip(), env.get(ENV_MODEL, "").strip()
        if not base_url or not model:
            return None
        try:
            timeout = float(env.get(ENV_TIMEOUT, "") or DEFAULT_TIMEOUT_S)
        except ValueError:
            timeout = DEFAULT_TIMEOUT_S
        return cls(base_url, model, env.get(ENV_API_KEY, "") or "not-needed", timeout)


# ------------------------------------------------------------------------------------ schemas

ToneKind = Literal["rude", "sarcastic", "too_informal", "too_stiff", "shouting",
                   "argues_with_troll", "blames_customer", "over_promise"]
PrivacyKind = Literal["asks_pii_public", "exposes_pii_public", "asks_password"]


class _Verdict(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    explanation: str = ""


class EmpathyVerdict(_Verdict):
    level: Literal[0, 1, 2]
    score: float = Field(ge=0, le=100)


class ToneVerdict(_Verdict):
    on_brand: bool
    score: float = Field(ge=0, le=100)
    issues: list[ToneKind]


class PrivacyVerdict(_Verdict):
    kinds: list[PrivacyKind]
    moves_to_dm: bool


SCHEMAS: dict[str, type[_Verdict]] = {"empathy": EmpathyVerdict, "tone": ToneVerdict,
                                      "privacy": PrivacyVerdict}

_COMMON = ("You grade one reply a social-media customer-care agent wrote to a customer. "
           "The user message is JSON: language, brand voice, customer persona and intent, "
           "channel (public thread or private DM), the customer's post and the reply. "
           "Answer with one JSON object only, no prose, exactly in this shape: ")
RUBRICS = {
    "empathy": _COMMON + '{"level": 0|1|2, "score": 0-100, "explanation": "one sentence"}. '
    "Level 0: no empathy, or dismissive or blaming (\"calm down\", \"as I said\", \"per our "
    "policy\", \"sorry you feel that way\", 진정하세요, 규정상 어렵습니다 used as a wall). "
    "Level 1: a generic apology or acknowledgement, or a next step, but not both. "
    "Level 2: names the customer's specific problem or feeling, takes ownership and gives a "
    "concrete next step or timeline. Thanking praise warmly and not apologising robotically "
    "to a troll count as good.",
    "tone": _COMMON + '{"on_brand": true|false, "score": 0-100, "issues": [...], '
    '"explanation": "one sentence"} where issues are any of rude, sarcastic, too_informal, '
    "too_stiff, shouting, argues_with_troll, blames_customer, over_promise. Judge against the "
    "brand voice (friendly, formal or playful; in Korean, 존댓말 is expected unless playful). "
    "over_promise: an exact fix time or compensation the facts do not support.",
    "privacy": _COMMON + '{"kinds": [...], "moves_to_dm": true|false, "explanation": "one '
    'sentence"} where kinds are any of asks_pii_public (a PUBLIC reply asks the customer to post '
    "email, phone, address, order/booking/account number, payment details, date of birth, "
    "username...), exposes_pii_public (a PUBLIC reply shows personal data), asks_password "
    "(asks for a password, PIN, one-time code, full card number or CVV in ANY channel). Asking "
    "for an order number in a DM or inviting the customer to DM is fine; replies that merely "
    "mention these words (\"we will never ask for your password\", \"please don't post your "
    "card number, DM us\") are correct and have no kinds.",
}


class JudgeError(Exception):
    """Why an LLM verdict could not be used (becomes ``offline (llm failed: <reason>)``)."""


def cache_key(dimension: str, model: str, payload: Mapping[str, Any]) -> str:
    blob = json.dumps({"dimension": dimension, "model": model, "inputs": payload},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _payload(ctx: ReplyContext, brand: Brand | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "language": ctx.language, "brand_voice": ctx.brand_voice, "persona": ctx.persona,
        "intent": ctx.intent, "channel": ctx.channel, "customer_post": ctx.mention_text,
        "customer_name": ctx.customer_name, "reply": ctx.reply_text}
    if brand is not None:
        data["brand"] = {"name": brand.name, "voice": brand.voice, "emoji": brand.emoji,
                         "sign_with_initials": brand.sign_with_initials,
                         "banned_phrases": list(brand.banned_phrases)}
    return data


class LlmJudge:
    """Judges replies with an LLM; falls back to the offline assessment on any failure."""

    def __init__(self, config: JudgeConfig, cache: dict[str, Any] | None = None) -> None:
        self.config = config
        self.cache: dict[str, Any] = {} if cache is None else cache
        self.calls = 0
        self._client: OpenAI | None = None

    @property
    def label(self) -> str:
        return f"llm:{self.config.model}"

    def client(self) -> OpenAI:
        if self._client is None:
            from openai import OpenAI  # imported on first use: package import stays light

            self._client = OpenAI(base_url=self.config.base_url, api_key=self.config.api_key,
                                  timeout=self.config.timeout_s,
                                  max_retries=self.config.max_retries)
        return self._client

    def verdict(self, dimension: str, payload: Mapping[str, Any]) -> _Verdict:
        """A validated verdict (cached by content); raises JudgeError with a short reason."""
        import openai

        key = cache_key(dimension, self.config.model, payload)
        if key in self.cache:
            cached: _Verdict = self.cache[key]
            return cached
        schema = SCHEMAS[dimension]
        self.calls += 1
        try:
            response = self.client().chat.completions.create(
                model=self.config.model, temperature=0,
                response_format={"type": "json_object"},
                messages=[{"role": "system", "content": RUBRICS[dimension]},
                          {"role": "user", "content": json.dumps(
                              {"dimension": dimension, **payload}, ensure_ascii=False)}])
        except openai.APITimeoutError:
            raise JudgeError(f"timeout after {self.config.timeout_s:g}s") from None
        except openai.APIStatusError as exc:
            raise JudgeError(f"HTTP {exc.status_code}") from None
        except openai.APIConnectionError:
            raise JudgeError("cannot connect") from None
        except openai.OpenAIError as exc:
            raise JudgeError(type(exc).__name__) from None
        content = (response.choices[0].message.content or "") if response.choices else ""
        try:
            data = json.loads(content)
        except json.JSONDecodeError:
            raise JudgeError("malformed JSON") from None
        try:
            verdict = schema.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise JudgeError(f"schema mismatch at {where}: {first['msg']}") from None
        self.cache[key] = verdict
        return verdict

    def _judge(self, dimension: str, payload: Mapping[str, Any]) -> _Verdict | str:
        try:
            return self.verdict(dimension, payload)
        except JudgeError as exc:
            return f"{OFFLINE} (llm failed: {exc})"

    def judge_empathy(self, ctx: ReplyContext, offline: EmpathyAssessment
                      ) -> Judged[EmpathyAssessment]:
        v = self._judge("empathy", _payload(ctx))
        if isinstance(v, str):
            return Judged(offline, v)
        assert isinstance(v, EmpathyVerdict)
        extra = _note("empathy", v.explanation)
        return Judged(replace(offline, level=v.level, score=v.score,
                              findings=offline.findings + extra,
                              dismissive=offline.dismissive and v.level == 0), self.label)

    def judge_tone(self, ctx: ReplyContext, offline: ToneAssessment,
                   brand: Brand | None = None) -> Judged[ToneAssessment]:
        v = self._judge("tone", _payload(ctx, brand))
        if isinstance(v, str):
            return Judged(offline, v)
        assert isinstance(v, ToneVerdict)
        findings = _agree("tone", offline.findings, v.issues, v.explanation, "minor")
        return Judged(replace(offline, on_brand=v.on_brand, score=v.score, findings=findings),
                      self.label)

    def judge_privacy(self, ctx: ReplyContext, offline: PrivacyAssessment
                      ) -> Judged[PrivacyAssessment]:
        from scoring.privacy import reply_score

        v = self._judge("privacy", _payload(ctx))
        if isinstance(v, str):
            return Judged(offline, v)
        assert isinstance(v, PrivacyVerdict)
        kinds = [k for k in v.kinds if k != "asks_pii_public" or ctx.channel != "dm"]
        findings = _agree("privacy", offline.findings, kinds, v.explanation, "major")
        return Judged(replace(offline, ok=not findings, score=reply_score(findings),
                              moves_to_dm=v.moves_to_dm and ctx.channel != "dm",
                              findings=findings), self.label)


def _note(dimension: str, explanation: str) -> tuple[Finding, ...]:
    if not explanation:
        return ()
    return (Finding(dimension=dimension, kind="llm_verdict", rule="llm_judge",
                    explanation=explanation, suggestion="", severity="info"),)


def _agree(dimension: str, offline: tuple[Finding, ...], kinds: Sequence[str], explanation: str,
           severity: Severity) -> tuple[Finding, ...]:
    """Offline findings the LLM confirms (they carry the spans), plus whole-reply findings for
    kinds only the LLM saw."""
    wanted = set(kinds)
    kept = [f for f in offline if f.kind in wanted or f.kind not in _JUDGED_KINDS[dimension]]
    seen = {f.kind for f in kept}
    for kind in kinds:
        if kind not in seen:
            seen.add(kind)
            kept.append(Finding(dimension=dimension, kind=kind, rule="llm_judge",
                                explanation=explanation or f"The LLM judge found {kind}.",
                                suggestion="", severity="critical" if kind == "asks_password"
                                else severity))
    return tuple(kept)


_JUDGED_KINDS = {"tone": frozenset(ToneKind.__args__),  # type: ignore[attr-defined]
                 "privacy": frozenset(PrivacyKind.__args__)}  # type: ignore[attr-defined]


def judge_from_env(environ: Mapping[str, str] | None = None) -> LlmJudge | None:
    """The LLM judge if the environment configures one, else None (offline scoring)."""
    config = JudgeConfig.from_env(environ)
    return LlmJudge(config) if config is not None else None

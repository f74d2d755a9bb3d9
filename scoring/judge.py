"""The optional LLM judge: a rubric prompt per dimension sent through StormDesk's LLM policy
(``llm.LlmClient``: a hard deadline per call, a budget per drill, a circuit breaker, a cap on
the answer's size) to any OpenAI-compatible server; JSON answers validated by pydantic, and the
offline result whenever anything goes wrong.

Configured by environment (see ``llm.settings``; nothing set = offline only): at least
``STORMDESK_LLM_BASE_URL`` and ``STORMDESK_LLM_MODEL``. Build one judge per drill
(``judge_from_env()``): its budget is that drill's. Verdicts are cached by a hash of dimension,
model and inputs. Each result says which judge produced it: ``llm:<model>``, or
``llm fallback: <reason>`` (the offline verdict, because the LLM failed or was not asked), and
``fallbacks`` lists which verdicts fell back and why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from engine.records import ReplyContext
from engine.scenario import Brand
from llm import FALLBACK, OFFLINE, LlmClient, LlmSettings
from scoring.records import (
    EmpathyAssessment,
    Finding,
    PrivacyAssessment,
    Severity,
    ToneAssessment,
)

T = TypeVar("T")
#: Texts longer than this are cut before they go to the LLM (a reply or post is a few hundred
#: characters; a pasted novel must not become a slow, expensive prompt).
MAX_TEXT_CHARS = 4000
__all__ = ["FALLBACK", "OFFLINE", "Fallback", "Judge", "Judged", "LlmJudge", "judge_from_env"]


@dataclass(frozen=True, slots=True)
class Judged(Generic[T]):
    """A judged value and the judge that produced it."""

    value: T
    judge: str


@dataclass(frozen=True, slots=True)
class Fallback:
    """One verdict the offline scorer gave because the LLM did not."""

    dimension: str
    reply: str
    reason: str


class Judge(Protocol):
    """What the scorer calls to (re)judge one reply; `LlmJudge` is the implementation."""

    label: str

    def judge_empathy(self, ctx: ReplyContext, offline: EmpathyAssessment
                      ) -> Judged[EmpathyAssessment]: ...

    def judge_tone(self, ctx: ReplyContext, offline: ToneAssessment,
                   brand: Brand | None = None) -> Judged[ToneAssessment]: ...

    def judge_privacy(self, ctx: ReplyContext, offline: PrivacyAssessment
                      ) -> Judged[PrivacyAssessment]: ...


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


def cache_key(dimension: str, model: str, payload: Mapping[str, Any]) -> str:
    blob = json.dumps({"dimension": dimension, "model": model, "inputs": payload},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + " [...]"


def _payload(ctx: ReplyContext, brand: Brand | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "language": ctx.language, "brand_voice": ctx.brand_voice, "persona": ctx.persona,
        "intent": ctx.intent, "channel": ctx.channel, "customer_post": _cut(ctx.mention_text),
        "customer_name": ctx.customer_name, "reply": _cut(ctx.reply_text)}
    if brand is not None:
        data["brand"] = {"name": brand.name, "voice": brand.voice, "emoji": brand.emoji,
                         "sign_with_initials": brand.sign_with_initials,
                         "banned_phrases": list(brand.banned_phrases)}
    return data


class LlmJudge:
    """Judges replies with an LLM; falls back to the offline assessment on any failure.

    One judge per drill: its ``LlmClient`` carries that drill's budget, so once the endpoint
    has failed for one deadline (or the budget is spent) the rest of the drill is offline.
    """

    def __init__(self, settings: LlmSettings, cache: dict[str, Any] | None = None,
                 client: LlmClient | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else LlmClient(settings)
        self.cache: dict[str, Any] = {} if cache is None else cache
        self.fallbacks: list[Fallback] = []
        self.answered = 0

    @property
    def label(self) -> str:
        return self.settings.label

    @property
    def calls(self) -> int:
        """Calls that went out to the endpoint (cache hits and skipped calls excluded)."""
        return self.client.calls

    def verdict(self, dimension: str, payload: Mapping[str, Any]) -> _Verdict | str:
        """A validated verdict (cached by content), or the fallback label saying why not."""
        key = cache_key(dimension, self.settings.model, payload)
        if key in self.cache:
            cached: _Verdict = self.cache[key]
            return cached
        user = json.dumps({"dimension": dimension, **payload}, ensure_ascii=False)
        answer = self.client.ask(RUBRICS[dimension], _encodable(user), SCHEMAS[dimension])
        if answer.value is None:
            self.fallbacks.append(Fallback(dimension, str(payload.get("reply", ""))[:80],
                                           answer.source.removeprefix(f"{FALLBACK}: ")))
            return answer.source
        self.answered += 1
        self.cache[key] = answer.value
        return answer.value

    def _judge(self, dimension: str, payload: Mapping[str, Any]) -> _Verdict | str:
        return self.verdict(dimension, payload)

    def report(self) -> str:
        """One line per fallen-back verdict after a summary line (for CLIs and logs)."""
        total = self.answered + len(self.fallbacks)
        lines = [f"{self.label}: {self.answered} of {total} verdicts from the LLM, "
                 f"{len(self.fallbacks)} offline"]
        lines += [f"  {f.dimension}: {f.reply!r} -> {f.reason}" for f in self.fallbacks]
        return "\n".join(lines)

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


def _encodable(text: str) -> str:
    """Lone surrogates (from broken input) cannot go out as UTF-8: replace them."""
    return text.encode("utf-8", "replace").decode("utf-8")


def judge_from_env(environ: Mapping[str, str] | None = None) -> LlmJudge | None:
    """A fresh LLM judge (one drill's budget) if the environment configures one, else None
    (offline scoring). Raises ``llm.LlmSettingsError`` naming every bad variable."""
    settings = LlmSettings.from_env(environ)
    return LlmJudge(settings) if settings is not None else None

"""Scorecard record types shared by the scorer, the store and the UI.

Contract between the scoring modules (see docs/scoring.md):
- per-reply assessors, pure and cheap (thousands per second):
    ``scoring.empathy.assess_empathy(ctx: ReplyContext) -> EmpathyAssessment``
    ``scoring.tone.assess_tone(ctx: ReplyContext, brand: Brand | None = None) -> ToneAssessment``
    ``scoring.privacy.assess_privacy(ctx: ReplyContext, known_pii: Sequence[PersonalData] = ())
        -> PrivacyAssessment``
  combined by ``scoring.assess.assess_reply(ctx, brand=None, known_pii=()) -> ReplyAssessment``;
- session dimensions: classes with a ``name`` and a pure
  ``score(transcript: Sequence[Event], scenario: Scenario) -> DimensionResult``, registered in
  ``scoring.registry``; ``scoring.scorecard.score_session(transcript, scenario) -> Scorecard``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.records import ReplyQuality

Severity = Literal["info", "minor", "major", "critical"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence: which reply, which words, which rule, and how to do better.

    ``start``/``end`` are character offsets into the reply text (``end`` exclusive); both are
    -1 for findings about the whole reply or the whole drill (e.g. a missed SLA).
    """

    dimension: str
    kind: str
    rule: str
    explanation: str
    suggestion: str
    event_id: str | None = None
    thread_id: str | None = None
    start: int = -1
    end: int = -1
    text: str = ""
    severity: Severity = "minor"
    #: points this finding took off (or, negative, added) in its dimension, when defined
    impact: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class EmpathyAssessment:
    level: int  # 0, 1 or 2
    score: float  # 0-100
    findings: tuple[Finding, ...] = ()
    dismissive: bool = False


@dataclass(frozen=True, slots=True)
class ToneAssessment:
    on_brand: bool
    score: float  # 0-100
    findings: tuple[Finding, ...] = ()
    #: tone features of the reply (formality, emoji count, caps ratio, ...) for drift analysis
    features: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PrivacyAssessment:
    ok: bool
    score: float  # 0-100
    moves_to_dm: bool
    findings: tuple[Finding, ...] = ()
    asks_details_dm: bool = False


@dataclass(frozen=True, slots=True)
class ReplyAssessment:
    empathy: EmpathyAssessment
    tone: ToneAssessment
    privacy: PrivacyAssessment
    #: which judge produced each part ("llm:<model>", "offline (llm failed: ...)"); empty = all
    #: offline
    judges: dict[str, str] = field(default_factory=dict)

    def to_quality(self) -> ReplyQuality:
        """What the simulated customer perceives (the engine's reaction hook)."""
        kinds = {f.kind for f in self.tone.findings}
        pkinds = {f.kind for f in self.privacy.findings}
        return ReplyQuality(
            empathy_level=self.empathy.level,
            dismissive=self.empathy.dismissive or "blames_customer" in kinds,
            asks_pii_public="asks_pii_public" in pkinds,
            asks_password="asks_password" in pkinds,
            exposes_pii_public="exposes_pii_public" in pkinds,
            argues="argues_with_troll" in kinds,
            rude="rude" in kinds or "sarcastic" in kinds,
            moves_to_dm=self.privacy.moves_to_dm,
            asks_details_dm=self.privacy.asks_details_dm,
            brief=False,
        )


def judge_label(labels: Sequence[str]) -> str:
    """One label for many per-reply judge labels ("llm:m", "offline (llm failed: ...)")."""
    if not labels:
        return "offline"
    distinct = list(dict.fromkeys(labels))
    if len(distinct) == 1:
        return distinct[0]
    llm = [x for x in labels if x.startswith("llm:")]
    failed = len(labels) - len(llm)
    head = llm[0] if llm else "offline"
    return f"{head} ({failed} of {len(labels)} replies offline)"


@dataclass(frozen=True, slots=True)
class DimensionResult:
    """A dimension's verdict on a whole drill. ``score`` is None when the dimension failed."""

    name: str
    score: float | None
    level: float | None = None
    findings: tuple[Finding, ...] = ()
    metrics: dict[str, Any] = field(default_factory=dict)
    judge: str = "offline"
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "level": self.level,
                "findings": [f.to_dict() for f in self.findings], "metrics": self.metrics,
                "judge": self.judge, "error": self.error}


@dataclass(frozen=True, slots=True)
class Scorecard:
    scenario_id: str
    scenario_hash: str
    seed: int
    scorer_version: str
    dimensions: tuple[DimensionResult, ...]
    weights: dict[str, float]
    overall: float | None

    def dimension(self, name: str) -> DimensionResult | None:
        return next((d for d in self.dimensions if d.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"scenario_id": self.scenario_id, "scenario_hash": self.scenario_hash,
                "seed": self.seed, "scorer_version": self.scorer_version,
                "dimensions": [d.to_dict() for d in self.dimensions], "weights": self.weights,
                "overall": self.overall}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scorecard:
        """The inverse of ``to_dict`` (stored scorecards come back through it)."""
        dimensions = tuple(
            DimensionResult(
                name=d["name"], score=d.get("score"), level=d.get("level"),
                findings=tuple(Finding(**f) for f in d.get("findings", [])),
                metrics=d.get("metrics") or {}, judge=d.get("judge", "offline"),
                error=d.get("error"))
            for d in data.get("dimensions", []))
        return cls(data["scenario_id"], data["scenario_hash"], int(data["seed"]),
                   data["scorer_version"], dimensions, dict(data.get("weights") or {}),
                   data.get("overall"))

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
  ``scoring.registry``; ``scoring.scorecard.score_session(transcript, scenario, dimensions=None,
  judge=None, mode=None, world=None) -> Scorecard`` (how results become a grade:
  docs/grading.md).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.records import FeedbackSubmitted, ReplyQuality

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
    """A dimension's verdict on a whole drill. ``score`` is None when the dimension failed
    (``error`` says why; it counts 0 in the overall) or had nothing to grade."""

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


#: A drill played to within this many simulated minutes of its length counts as complete (the
#: store's ``COMPLETE_SLACK_MINUTES``; the engine's clock steps in fractions of a minute).
COMPLETE_SLACK_MINUTES = 0.01


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of the customers who wrote were answered (see docs/grading.md for who counts)."""

    customers: int = 0
    answered: int = 0

    @property
    def share(self) -> float | None:
        """answered / customers (None when nobody needed an answer)."""
        return round(self.answered / self.customers, 4) if self.customers else None

    @property
    def unanswered(self) -> int:
        return self.customers - self.answered

    def to_dict(self) -> dict[str, Any]:
        return {"customers": self.customers, "answered": self.answered, "share": self.share}

    @classmethod
    def from_dict(cls, data: Any) -> Coverage:
        if not isinstance(data, dict):
            return cls()
        return cls(int(data.get("customers") or 0), int(data.get("answered") or 0))


#: NPS bands (the standard ones): 9-10 promoters, 7-8 passives, 0-6 detractors.
PROMOTER_MIN = 9
PASSIVE_MIN = 7
#: CSAT answers of 4 or 5 (of 5) count as satisfied.
SATISFIED_MIN = 4


@dataclass(frozen=True, slots=True)
class FeedbackAnswer:
    """One customer's feedback card: CSAT (1-5) and NPS (0-10), when and on which thread."""

    thread_id: str
    minute: float
    csat: int
    nps: int
    reasons: tuple[str, ...] = ()
    event_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"thread_id": self.thread_id, "minute": self.minute, "csat": self.csat,
                "nps": self.nps, "reasons": list(self.reasons), "event_id": self.event_id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedbackAnswer:
        return cls(str(data.get("thread_id", "")), float(data.get("minute") or 0.0),
                   int(data["csat"]), int(data["nps"]),
                   tuple(str(r) for r in data.get("reasons") or ()),
                   str(data.get("event_id") or ""))


@dataclass(frozen=True, slots=True)
class FeedbackSummary:
    """What the customers who answered their feedback card said: CSAT and NPS with their
    distributions and the conversations that earned them. Not a score dimension: it is
    reported beside the grade (the simulated customers answer from what they lived through,
    so it is a consequence of the drill, not a second opinion on it)."""

    answers: tuple[FeedbackAnswer, ...] = ()

    @classmethod
    def of(cls, events: Any) -> FeedbackSummary:
        """The summary of a transcript's ``FeedbackSubmitted`` events."""
        return cls(tuple(FeedbackAnswer(e.thread_id, e.minute, e.csat, e.nps, tuple(e.reasons),
                                        e.event_id)
                         for e in events if isinstance(e, FeedbackSubmitted)))

    @property
    def responses(self) -> int:
        return len(self.answers)

    @property
    def csat_mean(self) -> float | None:
        """Mean CSAT (1-5), None without answers."""
        if not self.answers:
            return None
        return round(sum(a.csat for a in self.answers) / len(self.answers), 2)

    @property
    def csat_satisfied(self) -> float | None:
        """Share of answers of 4 or 5 (the usual "CSAT %"), None without answers."""
        if not self.answers:
            return None
        return round(sum(a.csat >= SATISFIED_MIN for a in self.answers) / len(self.answers), 4)

    @property
    def nps(self) -> float | None:
        """Net promoter score: % promoters minus % detractors (-100..100)."""
        if not self.answers:
            return None
        n = len(self.answers)
        promoters = sum(a.nps >= PROMOTER_MIN for a in self.answers)
        detractors = sum(a.nps < PASSIVE_MIN for a in self.answers)
        return round(100.0 * (promoters - detractors) / n, 1)

    def csat_distribution(self) -> dict[int, int]:
        """Answers per CSAT value, 1 to 5 (zeros included)."""
        counts = dict.fromkeys(range(1, 6), 0)
        for a in self.answers:
            counts[a.csat] = counts.get(a.csat, 0) + 1
        return counts

    def nps_distribution(self) -> dict[int, int]:
        """Answers per NPS value, 0 to 10 (zeros included)."""
        counts = dict.fromkeys(range(11), 0)
        for a in self.answers:
            counts[a.nps] = counts.get(a.nps, 0) + 1
        return counts

    def nps_bands(self) -> dict[str, int]:
        """Promoters, passives and detractors."""
        return {"promoters": sum(a.nps >= PROMOTER_MIN for a in self.answers),
                "passives": sum(PASSIVE_MIN <= a.nps < PROMOTER_MIN for a in self.answers),
                "detractors": sum(a.nps < PASSIVE_MIN for a in self.answers)}

    def to_dict(self) -> dict[str, Any]:
        return {"responses": self.responses, "csat_mean": self.csat_mean,
                "csat_satisfied": self.csat_satisfied, "nps": self.nps,
                "answers": [a.to_dict() for a in self.answers]}

    @classmethod
    def from_dict(cls, data: Any) -> FeedbackSummary | None:
        """The inverse of ``to_dict``; None for anything else (a card from before feedback
        was recorded: the caller may rebuild it from the transcript with ``of``)."""
        if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
            return None
        return cls(tuple(FeedbackAnswer.from_dict(a) for a in data["answers"]))


def _minutes(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class Scorecard:
    """A drill's grade: every dimension's result, the weights used, the overall score, and the
    facts a manager needs to trust it (how long it ran, whom it reached, what failed).

    Fields after ``overall`` have defaults so scorecards stored before them still load.
    """

    scenario_id: str
    scenario_hash: str
    seed: int
    scorer_version: str
    dimensions: tuple[DimensionResult, ...]
    weights: dict[str, float]
    overall: float | None
    #: the transcript's last minute, and the scenario's length (None: not recorded)
    minutes_played: float | None = None
    drill_minutes: float | None = None
    coverage: Coverage = field(default_factory=Coverage)
    #: dimensions that failed to score (each counts 0 at its full weight; ``error`` says why)
    failed: tuple[str, ...] = ()
    #: "assessment" or "practice" ("" unless set)
    mode: str = ""
    #: the world version the drill was played on ("" unless the application layer set it)
    world: str = ""
    #: the customers' CSAT and NPS answers (None: a card scored before they were recorded)
    feedback: FeedbackSummary | None = None

    @property
    def complete(self) -> bool | None:
        """Played to the scenario's end (None when the minutes were not recorded)."""
        if self.minutes_played is None or self.drill_minutes is None:
            return None
        return self.minutes_played >= self.drill_minutes - COMPLETE_SLACK_MINUTES

    def dimension(self, name: str) -> DimensionResult | None:
        return next((d for d in self.dimensions if d.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"scenario_id": self.scenario_id, "scenario_hash": self.scenario_hash,
                "seed": self.seed, "scorer_version": self.scorer_version,
                "dimensions": [d.to_dict() for d in self.dimensions], "weights": self.weights,
                "overall": self.overall, "minutes_played": self.minutes_played,
                "drill_minutes": self.drill_minutes, "complete": self.complete,
                "coverage": self.coverage.to_dict(), "failed": list(self.failed),
                "mode": self.mode, "world": self.world,
                "feedback": None if self.feedback is None else self.feedback.to_dict()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scorecard:
        """The inverse of ``to_dict`` (stored scorecards come back through it, old ones too:
        missing keys take their defaults; ``complete`` is derived, never read)."""
        dimensions = tuple(
            DimensionResult(
                name=d["name"], score=d.get("score"), level=d.get("level"),
                findings=tuple(Finding(**f) for f in d.get("findings", [])),
                metrics=d.get("metrics") or {}, judge=d.get("judge", "offline"),
                error=d.get("error"))
            for d in data.get("dimensions", []))
        failed = data.get("failed")
        if failed is None:  # older cards: a dimension with an error failed
            failed = [d.name for d in dimensions if d.error]
        return cls(data["scenario_id"], data["scenario_hash"], int(data["seed"]),
                   data["scorer_version"], dimensions, dict(data.get("weights") or {}),
                   data.get("overall"),
                   minutes_played=_minutes(data.get("minutes_played")),
                   drill_minutes=_minutes(data.get("drill_minutes")),
                   coverage=Coverage.from_dict(data.get("coverage")),
                   failed=tuple(str(n) for n in failed), mode=str(data.get("mode") or ""),
                   world=str(data.get("world") or ""),
                   feedback=FeedbackSummary.from_dict(data.get("feedback")))

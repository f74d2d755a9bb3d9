"""Session scorecards: every dimension over one transcript, settled so that neither failing,
nor writing nothing, nor writing little while customers went unanswered can raise a grade, then
combined with the scenario's weights into the overall score (rules: docs/grading.md).

The settling rules, applied per dimension before the weights:

1. **Failed** (``error`` set): counts 0 at its full weight; its score stays None so every view
   shows it failed, and the scorecard lists it in ``failed``.
2. **Nothing to grade** (score None, no error): a reply-quality dimension (``REPLY_DIMENSIONS``)
   scores 0 when customers waited for an answer; otherwise (nobody needed one) it is left out
   and the weights are renormalised over the rest.
3. **Thin evidence**: a reply-quality score above ``NEUTRAL_PRIOR`` is pulled toward it:
   ``score = prior + trust x (raw - prior)``, ``trust = 1 - unanswered share x K / (answered
   + K)`` with ``K = EVIDENCE_PSEUDO_COUNT``. A score at or below the prior is kept: this rule
   only ever lowers a score. The raw score and the rule are kept in the dimension's metrics and
   explained in a finding.
"""

from __future__ import annotations

import dataclasses
import math
import traceback
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engine.records import Event, SessionStarted
from engine.scenario import Scenario
from scoring import SCORER_VERSION
from scoring import speed_text as words
from scoring.records import Coverage, DimensionResult, FeedbackSummary, Finding, Scorecard
from scoring.registry import (
    BUILTIN,
    DIMENSIONS,
    Dimension,
    get_dimension,
    grades_replies,
    known_dimensions,
)

DimensionSpec = str | Dimension

#: Where thin evidence pulls a reply-quality score: the middle of the scale, "not shown either
#: way" (a generic, correct reply scores about 50 on empathy).
NEUTRAL_PRIOR = 50.0
#: How many answered customers the prior is worth. With 10, one answered customer out of
#: hundreds keeps 1/11 of the distance from the prior; 30 keep 3/4; answering (nearly)
#: everyone keeps (nearly) all of it, however few customers there were.
EVIDENCE_PSEUDO_COUNT = 10.0


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" (at {last.filename.rsplit('/', 1)[-1]}:{last.lineno})"


def run_dimension(spec: DimensionSpec, transcript: Sequence[Event], scenario: Scenario,
                  judge: Any = None) -> DimensionResult:
    """One dimension's result; any exception becomes a result with ``score=None`` and an
    ``error`` that names the exception and where it was raised."""
    name = spec if isinstance(spec, str) else str(getattr(spec, "name", type(spec).__name__))
    try:
        dimension = get_dimension(spec) if isinstance(spec, str) else spec
        if judge is not None and getattr(dimension, "supports_judge", False):
            result = dimension.score(transcript, scenario, judge=judge)  # type: ignore[call-arg]
        else:
            result = dimension.score(transcript, scenario)
    except Exception as exc:  # one failing dimension must not sink the scorecard
        return DimensionResult(name=name, score=None,
                               error=f"{type(exc).__name__}: {exc}{_where(exc)}")
    if not isinstance(result, DimensionResult):
        return DimensionResult(name=name, score=None,
                               error=f"returned {type(result).__name__}, not a DimensionResult")
    if result.score is not None and not (math.isfinite(result.score)
                                         and 0.0 <= result.score <= 100.0):
        return DimensionResult(name=name, score=None, findings=result.findings,
                               metrics=result.metrics, judge=result.judge,
                               error=f"score {result.score!r} is outside 0-100")
    return result


def counts(result: DimensionResult) -> bool:
    """Whether a (settled) result takes part in the overall: scored, or failed (as 0)."""
    return result.score is not None or result.error is not None


def combine(results: Iterable[DimensionResult], weights: Mapping[str, float]
            ) -> tuple[dict[str, float], float | None]:
    """Weights normalised over the dimensions that count, and the weighted overall score.

    A failed dimension (``error``) counts 0 at its full weight: failing never moves weight onto
    the others. A dimension with score None and no error was left out (nothing to grade) and
    gets weight 0. A dimension without a weight in the scenario counts 0; if every counting
    dimension weighs 0, they count equally. None when no dimension counts.
    """
    results = list(results)
    counting = [r for r in results if counts(r)]
    raw = {r.name: max(0.0, float(weights.get(r.name, 0.0))) for r in counting}
    total = sum(raw.values())
    if counting and total <= 0:
        raw = {r.name: 1.0 for r in counting}
        total = float(len(counting))
    normalised = {r.name: (raw[r.name] / total if r.name in raw else 0.0) for r in results}
    if not counting:
        return normalised, None
    overall = sum(normalised[r.name] * float(r.score or 0.0) for r in counting)
    return {k: round(v, 4) for k, v in normalised.items()}, round(overall, 1)


def trust(coverage: Coverage | None) -> float:
    """How far a reply-quality score is trusted away from the prior (0-1): 1 when nobody was
    left unanswered; low when few were answered and many were not. Unknown coverage: 0."""
    if coverage is None:
        return 0.0
    if not coverage.customers:
        return 1.0
    unanswered_share = coverage.unanswered / coverage.customers
    return 1.0 - unanswered_share * EVIDENCE_PSEUDO_COUNT / (coverage.answered
                                                              + EVIDENCE_PSEUDO_COUNT)


def settle(result: DimensionResult, coverage: Coverage | None, *, reply_quality: bool,
           language: str = "en", weight: float = 0.0) -> DimensionResult:
    """The result as it counts in the overall (module docstring, rules 1-3). Never raises a
    score; ``coverage`` None means it could not be computed (treated as customers waiting,
    nothing answered)."""
    if result.error is not None:
        explanation, suggestion = words.grading(language, "failed", error=result.error,
                                                weight=f"{weight:.0%}")
        return _with(result, result.score, Finding(
            dimension=result.name, kind="dimension_failed", rule="grading/failed",
            explanation=explanation, suggestion=suggestion, severity="critical",
            impact=round(100 * weight, 2)), {"counted_as": 0.0})
    if not reply_quality:
        return result
    known = coverage or Coverage()
    if result.score is None:
        if coverage is not None and not coverage.customers:
            return result  # nobody needed an answer: nothing was asked of this dimension
        explanation, suggestion = words.grading(language, "no_replies",
                                                customers=known.customers)
        return _with(result, 0.0, Finding(
            dimension=result.name, kind="nothing_to_grade", rule="grading/no_replies",
            explanation=explanation, suggestion=suggestion, severity="critical",
            impact=round(100 * weight, 2)), {"raw_score": None, "rule": "no_replies"})
    kept = trust(coverage)
    if result.score <= NEUTRAL_PRIOR or kept >= 1.0:
        return result
    score = round(NEUTRAL_PRIOR + kept * (result.score - NEUTRAL_PRIOR), 1)
    if score >= result.score:
        return result
    explanation, suggestion = words.grading(
        language, "thin_evidence", answered=known.answered, customers=known.customers,
        unanswered=known.unanswered, raw=f"{result.score:g}", score=f"{score:g}",
        prior=f"{NEUTRAL_PRIOR:g}", shrink=f"{result.score - score:.1f}")
    return _with(result, score, Finding(
        dimension=result.name, kind="thin_evidence", rule="grading/thin_evidence",
        explanation=explanation, suggestion=suggestion,
        severity="major" if result.score - score >= 10 else "minor",
        impact=round(result.score - score, 1)),
        {"raw_score": result.score, "rule": "thin_evidence", "prior": NEUTRAL_PRIOR,
         "trust": round(kept, 4), "pseudo_count": EVIDENCE_PSEUDO_COUNT})


def _with(result: DimensionResult, score: float | None, finding: Finding,
          grading: dict[str, Any]) -> DimensionResult:
    return dataclasses.replace(result, score=score, findings=(finding, *result.findings),
                               metrics={**result.metrics, "grading": grading})


def _coverage(events: Sequence[Event], scenario: Scenario,
              results: Sequence[DimensionResult]) -> Coverage | None:
    """The drill's coverage: speed's own count when speed scored (the same numbers, counted
    once), else counted here."""
    from scoring.speed import SpeedDimension, coverage_of

    speed = next((r for r in results if r.name == SpeedDimension.name and r.error is None), None)
    if speed is not None:
        customers, answered = speed.metrics.get("customers"), speed.metrics.get("answered")
        if isinstance(customers, int) and isinstance(answered, int):
            return Coverage(customers, answered)
    try:
        return coverage_of(events, scenario)
    except Exception:  # a malformed transcript: speed records the error itself
        return None


def score_session(transcript: Iterable[Event], scenario: Scenario,
                  dimensions: Sequence[DimensionSpec] | None = None,
                  judge: Any = None, mode: str | None = None,
                  world: str | None = None) -> Scorecard:
    """Score a drill. ``dimensions``: names (see ``scoring.registry``) or dimension objects,
    default ``DIMENSIONS``; ``judge``: an LLM judge for the dimensions that support one;
    ``mode`` ("assessment"/"practice") and ``world`` (the world version) are recorded as given.
    """
    events = list(transcript)
    specs = list(DIMENSIONS if dimensions is None else dimensions)
    unknown = [s for s in specs if isinstance(s, str) and s not in known_dimensions()
               and s not in BUILTIN]
    if unknown:
        get_dimension(unknown[0])  # raises UnknownDimensionError listing the known names
    raw = [run_dimension(spec, events, scenario, judge) for spec in specs]
    coverage = _coverage(events, scenario, raw)
    scenario_weights = scenario.scoring_weights.model_dump()
    provisional, _ = combine([dataclasses.replace(r, score=r.score if r.score is not None
                                                  else 0.0) for r in raw], scenario_weights)
    results = [settle(r, coverage, reply_quality=grades_replies(r.name, spec),
                      language=scenario.language, weight=provisional.get(r.name, 0.0))
               for r, spec in zip(raw, specs, strict=True)]
    weights, overall = combine(results, scenario_weights)
    started = next((e for e in events if isinstance(e, SessionStarted)), None)
    return Scorecard(
        scenario_id=scenario.id,
        scenario_hash=started.scenario_hash if started else scenario.content_hash,
        seed=started.seed if started else 0, scorer_version=SCORER_VERSION,
        dimensions=tuple(results), weights=weights, overall=overall,
        minutes_played=max((e.minute for e in events), default=0.0),
        drill_minutes=float(scenario.duration_minutes),
        coverage=coverage or Coverage(),
        failed=tuple(r.name for r in results if r.error is not None),
        mode=mode or "", world=world or "", feedback=FeedbackSummary.of(events))

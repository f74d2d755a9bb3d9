"""Session scorecards: every dimension over one transcript, failures recorded, scenario weights
renormalised over the dimensions that produced a score, and the overall score."""

from __future__ import annotations

import math
import traceback
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engine.records import Event, SessionStarted
from engine.scenario import Scenario
from scoring import SCORER_VERSION
from scoring.records import DimensionResult, Scorecard
from scoring.registry import BUILTIN, DIMENSIONS, Dimension, get_dimension, known_dimensions

DimensionSpec = str | Dimension


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


def combine(results: Iterable[DimensionResult], weights: Mapping[str, float]
            ) -> tuple[dict[str, float], float | None]:
    """Weights renormalised over the scored dimensions, and the weighted overall score.

    A dimension without a weight in the scenario counts 0; if every scored dimension weighs 0,
    they count equally.
    """
    results = list(results)
    scored = [r for r in results if r.score is not None]
    raw = {r.name: max(0.0, float(weights.get(r.name, 0.0))) for r in scored}
    total = sum(raw.values())
    if scored and total <= 0:
        raw = {r.name: 1.0 for r in scored}
        total = float(len(scored))
    normalised = {r.name: (raw[r.name] / total if r.name in raw else 0.0) for r in results}
    if not scored:
        return normalised, None
    overall = sum(normalised[r.name] * float(r.score or 0.0) for r in scored)
    return {k: round(v, 4) for k, v in normalised.items()}, round(overall, 1)


def score_session(transcript: Iterable[Event], scenario: Scenario,
                  dimensions: Sequence[DimensionSpec] | None = None,
                  judge: Any = None) -> Scorecard:
    """Score a drill. ``dimensions``: names (see ``scoring.registry``) or dimension objects,
    default ``DIMENSIONS``; ``judge``: an LLM judge for the dimensions that support one."""
    events = list(transcript)
    specs = list(DIMENSIONS if dimensions is None else dimensions)
    unknown = [s for s in specs if isinstance(s, str) and s not in known_dimensions()
               and s not in BUILTIN]
    if unknown:
        get_dimension(unknown[0])  # raises UnknownDimensionError listing the known names
    results = [run_dimension(spec, events, scenario, judge) for spec in specs]
    weights, overall = combine(results, scenario.scoring_weights.model_dump())
    started = next((e for e in events if isinstance(e, SessionStarted)), None)
    return Scorecard(
        scenario_id=scenario.id,
        scenario_hash=started.scenario_hash if started else scenario.content_hash,
        seed=started.seed if started else 0, scorer_version=SCORER_VERSION,
        dimensions=tuple(results), weights=weights, overall=overall)

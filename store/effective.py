"""Effective scores: what a manager's overrides make of a scorecard's automatic scores.

A dimension's effective score is its newest override, else its auto-score. The effective
overall is the newest override of ``overall`` if there is one; else, when any dimension was
overridden, it is recomputed from the effective dimension scores with the card's weights (a
failed dimension, score None, counts 0 with its weight: a failure never raises a score); else
it is the scorer's own overall. Pure functions, plus one query that applies them in bulk.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from store.models import OVERALL, ScorecardRow
from store.scorecards import auto_scores, latest_overrides


@dataclass(frozen=True, slots=True)
class Effective:
    """One scorecard's scores: effective and automatic (both with ``overall``), and which of
    them an override decides (``overall`` too whenever any override exists)."""

    scores: dict[str, float | None]
    auto: dict[str, float | None]
    overridden: frozenset[str]


def weighted_overall(dimensions: Mapping[str, float | None],
                     weights: Mapping[str, Any]) -> float | None:
    """The weighted mean of ``dimensions`` (None counts 0), rounded like the scorer (0.1).

    A dimension without a usable weight weighs 0; if all weigh 0, they count equally (the
    scorer's rule). None when there is no dimension at all.
    """
    if not dimensions:
        return None
    raw = {name: _weight(weights.get(name)) for name in dimensions}
    total = sum(raw.values())
    if total <= 0:
        raw = dict.fromkeys(dimensions, 1.0)
        total = float(len(raw))
    return round(sum(raw[n] * (score or 0.0) for n, score in dimensions.items()) / total, 1)


def _weight(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return max(0.0, float(value))


def combine(auto: Mapping[str, float | None], manual: Mapping[str, float],
            weights: Mapping[str, Any]) -> Effective:
    """Apply the newest overrides ``manual`` (dimension or "overall" -> score) to ``auto``."""
    scores = {**auto, **manual}
    if OVERALL not in manual and set(manual) - {OVERALL}:
        dimensions = {name: scores.get(name) for name in auto if name != OVERALL}
        scores[OVERALL] = weighted_overall(dimensions, weights)
    # Any override decides the overall too (directly, or through the recomputation).
    changed = set(manual) | ({OVERALL} if manual else set())
    return Effective(scores=scores, auto=dict(auto), overridden=frozenset(changed))


def effective_scores(session: Session, scorecard_ids: Iterable[int] | Select[Any]
                     ) -> dict[int, Effective]:
    """scorecard id -> its effective scores (ids may be a subquery: no bind-parameter limit)."""
    ids = scorecard_ids if isinstance(scorecard_ids, Select) else list(scorecard_ids)
    autos = auto_scores(session, ids)
    manual: dict[int, dict[str, float]] = defaultdict(dict)
    for (sc_id, dim), score in latest_overrides(session, ids).items():
        manual[sc_id][dim] = score
    # Only cards with an overridden dimension (and no overridden overall) need their weights:
    # overrides are rare, so this reads a few JSON documents, not the team's history.
    recompute = [sc for sc, m in manual.items() if OVERALL not in m and set(m) - {OVERALL}]
    weights: dict[int, Mapping[str, Any]] = {}
    if recompute:
        for sc_id, card in session.execute(select(ScorecardRow.id, ScorecardRow.card)
                                           .where(ScorecardRow.id.in_(recompute))):
            found = card.get("weights") if isinstance(card, dict) else None
            weights[sc_id] = found if isinstance(found, Mapping) else {}
    return {sc_id: combine(auto, manual.get(sc_id, {}), weights.get(sc_id, {}))
            for sc_id, auto in autos.items()}

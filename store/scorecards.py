"""Scorecards: validation, insertion with their derived score, finding and completeness columns,
and lookups of a drill's current (newest) scorecard and the latest override per dimension."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from store.database import json_dumps
from store.errors import InvalidInput
from store.models import (
    OVERALL,
    DrillRow,
    ScorecardFindingRow,
    ScorecardRow,
    ScorecardScoreRow,
    ScoreOverrideRow,
)
from store.records import Played, ScorecardRecord

#: A drill played to within this many simulated minutes of its length counts as played in full
#: (cards without a ``complete`` key; the engine's clock steps in fractions of a minute).
COMPLETE_SLACK_MINUTES = 0.01


class HasToDict(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


ScorecardInput = Mapping[str, Any] | HasToDict


def card_dict(scorecard: ScorecardInput) -> dict[str, Any]:
    """``Scorecard.to_dict()`` (or an equivalent dict), checked and made JSON-plain."""
    raw = dict(scorecard) if isinstance(scorecard, Mapping) else scorecard.to_dict()
    try:
        card: dict[str, Any] = json.loads(json_dumps(raw))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"the scorecard is not plain JSON: {exc}") from exc
    version = card.get("scorer_version")
    if not isinstance(version, str) or not version.strip():
        raise InvalidInput("the scorecard has no scorer_version")
    dims = card.get("dimensions")
    if not isinstance(dims, list) or not all(isinstance(d, dict) and "name" in d for d in dims):
        raise InvalidInput("the scorecard's dimensions must be a list of {name, score, ...}")
    overall = card.get("overall")
    if overall is not None and not isinstance(overall, int | float):
        raise InvalidInput("the scorecard's overall must be a number or null")
    card_played(card)  # refuses malformed completeness and coverage
    return card


def _number(card: Mapping[str, Any], key: str, positive: bool = False) -> float | None:
    value = card.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise InvalidInput(f"the scorecard's {key} must be a {kind} number")
    return float(value)


def _count(coverage: Mapping[str, Any], key: str) -> int | None:
    value = coverage.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"the scorecard's coverage.{key} must be an integer >= 0")
    return value


def card_played(card: Mapping[str, Any]) -> Played:
    """Completeness and coverage as the card states them (``minutes_played``, ``drill_minutes``,
    ``complete``, ``coverage.customers``/``answered``); absent keys give None. ``complete``
    missing is derived from the minutes when both are there. Contradictions are refused."""
    minutes = _number(card, "minutes_played")
    length = _number(card, "drill_minutes", positive=True)
    complete = card.get("complete")
    if complete is not None and not isinstance(complete, bool):
        raise InvalidInput("the scorecard's complete must be true, false or null")
    if minutes is not None and length is not None:
        in_full = minutes >= length - COMPLETE_SLACK_MINUTES
        if complete is None:
            complete = in_full
        elif complete and not in_full:
            raise InvalidInput(f"the scorecard says complete but played {minutes:g} of "
                               f"{length:g} minutes")
    coverage = card.get("coverage")
    if coverage is None:
        coverage = {}
    if not isinstance(coverage, Mapping):
        raise InvalidInput("the scorecard's coverage must be {customers, answered, share}")
    customers, answered = _count(coverage, "customers"), _count(coverage, "answered")
    if customers is not None and answered is not None and answered > customers:
        raise InvalidInput(f"the scorecard's coverage answers {answered} of {customers} "
                           "customers")
    return Played(minutes_played=minutes, drill_minutes=length, complete=complete,
                  customers=customers, answered=answered)


def row_played(row: ScorecardRow) -> Played:
    return Played(minutes_played=row.minutes_played, drill_minutes=row.drill_minutes,
                  complete=row.complete, customers=row.customers, answered=row.answered)


def check_card_matches(card: Mapping[str, Any], drill: DrillRow) -> None:
    """The card is of this drill's scenario, seed and mode (its scenario hash may differ: a
    drill re-scored after its scenario changed; the card's ``world`` records that)."""
    for key, expected in (("scenario_id", drill.scenario_id), ("seed", drill.seed),
                          ("mode", drill.mode)):
        if card.get(key) is not None and card[key] != expected:
            raise InvalidInput(f"the scorecard's {key} {card[key]!r} is not the drill's "
                               f"{expected!r}")


def insert_scorecard(session: Session, drill: DrillRow, card: dict[str, Any], now: datetime,
                     created_by: int | None) -> ScorecardRow:
    """Store ``card`` and its derived per-dimension scores, finding counts and completeness."""
    overall = card.get("overall")
    played = card_played(card)
    row = ScorecardRow(drill_id=drill.id, scorer_version=str(card["scorer_version"])[:64],
                       overall=None if overall is None else float(overall), card=card,
                       created_at=now, created_by=created_by,
                       minutes_played=played.minutes_played, drill_minutes=played.drill_minutes,
                       complete=played.complete, customers=played.customers,
                       answered=played.answered)
    session.add(row)
    session.flush()
    for name, score in dimension_scores(card).items():
        session.add(ScorecardScoreRow(scorecard_id=row.id, dimension=name, score=score))
    for (dim, kind, rule), count in finding_counts(card).items():
        session.add(ScorecardFindingRow(scorecard_id=row.id, dimension=dim, kind=kind,
                                        rule=rule, count=count))
    session.flush()
    return row


def dimension_scores(card: Mapping[str, Any]) -> dict[str, float | None]:
    scores: dict[str, float | None] = {}
    for dim in card.get("dimensions", []):
        score = dim.get("score")
        scores[str(dim["name"])[:64]] = None if score is None else float(score)
    return scores


def finding_counts(card: Mapping[str, Any]) -> Counter[tuple[str, str, str]]:
    """(dimension, kind, rule) -> occurrences, from ``dimensions[].findings[]``."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for dim in card.get("dimensions", []):
        for finding in dim.get("findings", []) or []:
            kind = str(finding.get("kind", ""))[:100]
            rule = str(finding.get("rule", ""))[:255]
            counts[(str(dim["name"])[:64], kind, rule)] += 1
    return counts


def to_record(row: ScorecardRow, drill_public_id: str) -> ScorecardRecord:
    return ScorecardRecord(id=row.id, drill_id=drill_public_id, scorer_version=row.scorer_version,
                           overall=row.overall, card=row.card, created_at=row.created_at,
                           played=row_played(row))


def current_ids() -> Select[int, int]:
    """(drill id, newest scorecard id) for every scored drill: re-scoring supersedes."""
    return (select(ScorecardRow.drill_id, func.max(ScorecardRow.id).label("scorecard_id"))
            .group_by(ScorecardRow.drill_id))


def latest_overrides(session: Session, scorecard_ids: Iterable[int] | Select[Any]
                     ) -> dict[tuple[int, str], float]:
    """(scorecard id, dimension) -> the newest manual score."""
    ids = scorecard_ids if isinstance(scorecard_ids, Select) else list(scorecard_ids)
    rows = session.execute(
        select(ScoreOverrideRow.scorecard_id, ScoreOverrideRow.dimension, ScoreOverrideRow.score)
        .where(ScoreOverrideRow.scorecard_id.in_(ids)).order_by(ScoreOverrideRow.id))
    return {(sc_id, dim): score for sc_id, dim, score in rows}


def auto_scores(session: Session, scorecard_ids: Iterable[int] | Select[Any]
                ) -> dict[int, dict[str, float | None]]:
    """scorecard id -> {dimension: auto score, "overall": auto overall}."""
    ids = scorecard_ids if isinstance(scorecard_ids, Select) else list(scorecard_ids)
    result: dict[int, dict[str, float | None]] = {}
    for sc_id, overall in session.execute(
            select(ScorecardRow.id, ScorecardRow.overall).where(ScorecardRow.id.in_(ids))):
        result[sc_id] = {OVERALL: overall}
    for sc_id, dim, score in session.execute(
            select(ScorecardScoreRow.scorecard_id, ScorecardScoreRow.dimension,
                   ScorecardScoreRow.score).where(ScorecardScoreRow.scorecard_id.in_(ids))):
        result.setdefault(sc_id, {})[dim] = score
    return result

"""Scorecards: validation, insertion with their derived score and finding rows, and lookups of a
drill's current (newest) scorecard and the latest override per dimension."""

from __future__ import annotations

import json
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
from store.records import ScorecardRecord


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
    return card


def check_card_matches(card: Mapping[str, Any], drill: DrillRow) -> None:
    for key, expected in (("scenario_id", drill.scenario_id), ("seed", drill.seed),
                          ("scenario_hash", drill.scenario_hash)):
        if key in card and card[key] != expected:
            raise InvalidInput(f"the scorecard's {key} {card[key]!r} is not the drill's "
                               f"{expected!r}")


def insert_scorecard(session: Session, drill: DrillRow, card: dict[str, Any], now: datetime,
                     created_by: int | None) -> ScorecardRow:
    """Store ``card`` and its derived per-dimension scores and finding counts."""
    overall = card.get("overall")
    row = ScorecardRow(drill_id=drill.id, scorer_version=str(card["scorer_version"])[:64],
                       overall=None if overall is None else float(overall), card=card,
                       created_at=now, created_by=created_by)
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
                           overall=row.overall, card=row.card, created_at=row.created_at)


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

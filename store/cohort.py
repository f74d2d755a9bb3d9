"""What a manager reads across drills: summaries, score history, the cohort table with pass/fail,
recurring findings, override agreement and drills to compare (same scenario and seed).

Scores here are *effective* (``store.effective``): a drill's current (newest) scorecard, the
newest override of a dimension replacing its auto-score and the overall recomputed from them.
Pass/fail and best scores count complete assessment drills only; practice and incomplete drills
are listed, labelled by their mode and ``Played``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from store.access import checked_viewer, drill_scope, readable_drill
from store.drills import DrillFilter, drill_rows, last_action_minutes, to_drill
from store.effective import Effective, effective_scores
from store.errors import AccessDenied
from store.models import (
    OVERALL,
    DrillRow,
    ScorecardFindingRow,
    ScorecardRow,
    ThresholdRow,
    UserRow,
)
from store.records import (
    Agreement,
    CohortRow,
    DrillScores,
    DrillSummary,
    Mode,
    Played,
    RecurringFinding,
    Viewer,
)
from store.scorecards import auto_scores, current_ids, latest_overrides

#: The share of overrides within this many points of the auto-score counts as agreement.
AGREEMENT_POINTS = 10.0


@dataclass(frozen=True, slots=True)
class CohortFilter:
    """Which ended drills the cohort queries look at (all combine with AND)."""

    team_id: int | None = None
    trainee_id: int | None = None
    scenario_id: str | None = None
    mode: Mode | None = None


def summaries(session: Session, viewer: Viewer, where: DrillFilter) -> list[DrillSummary]:
    """Visible drills, newest first, with their current scorecard's effective overall."""
    return summarize(session, drill_rows(session, viewer, where))


def facts(session: Session, scorecard_ids: Sequence[int] | Select[Any]
          ) -> dict[int, tuple[str, Played]]:
    """scorecard id -> (scorer version, completeness and coverage), without loading cards."""
    query = select(ScorecardRow.id, ScorecardRow.scorer_version, ScorecardRow.minutes_played,
                   ScorecardRow.drill_minutes, ScorecardRow.complete, ScorecardRow.customers,
                   ScorecardRow.answered).where(ScorecardRow.id.in_(scorecard_ids))
    return {sc_id: (version, Played(minutes, length, complete, customers, answered))
            for sc_id, version, minutes, length, complete, customers, answered
            in session.execute(query)}


def summarize(session: Session, rows: Sequence[tuple[DrillRow, UserRow]]) -> list[DrillSummary]:
    current = dict(session.execute(
        current_ids().where(ScorecardRow.drill_id.in_([d.id for d, _ in rows]))).all())
    ids = list(current.values())
    scores = effective_scores(session, ids)
    played = facts(session, ids)
    running = last_action_minutes(session, [d.id for d, _ in rows if d.status == "running"])
    result = []
    for drill, trainee in rows:
        sc_id = current.get(drill.id)
        eff = None if sc_id is None else scores.get(sc_id)
        result.append(DrillSummary(
            drill=to_drill(drill, trainee, running.get(drill.id)), scorecard_id=sc_id,
            overall=None if eff is None else eff.scores.get(OVERALL),
            auto_overall=None if eff is None else eff.auto.get(OVERALL),
            overridden=frozenset() if eff is None else eff.overridden,
            played=played[sc_id][1] if sc_id in played else Played()))
    return result


def _scored_drills(viewer: Viewer, where: CohortFilter) -> Select[DrillRow, UserRow, int]:
    """Ended, visible drills with their current scorecard id."""
    current = current_ids().subquery()
    query = (select(DrillRow, UserRow, current.c.scorecard_id)
             .join(UserRow, DrillRow.trainee_id == UserRow.id)
             .join(current, current.c.drill_id == DrillRow.id)
             .where(drill_scope(viewer), DrillRow.status == "ended"))
    if where.team_id is not None:
        query = query.where(UserRow.team_id == where.team_id)
    if where.trainee_id is not None:
        query = query.where(DrillRow.trainee_id == where.trainee_id)
    if where.scenario_id is not None:
        query = query.where(DrillRow.scenario_id == where.scenario_id)
    if where.mode is not None:
        query = query.where(DrillRow.mode == where.mode)
    return query.order_by(DrillRow.started_at, DrillRow.id)


def _drill_scores(drill: Any, sc_id: int, eff: Effective | None,
                  fact: tuple[str, Played]) -> DrillScores:
    return DrillScores(drill=drill, scorecard_id=sc_id, scorer_version=fact[0],
                       scores=dict(eff.scores) if eff else {},
                       overridden=eff.overridden if eff else frozenset(),
                       auto_scores=dict(eff.auto) if eff else {}, played=fact[1])


def history(session: Session, viewer: Viewer, where: CohortFilter) -> list[DrillScores]:
    """Effective scores of every visible ended drill, oldest first (trend charts); practice and
    incomplete drills included, labelled (``drill.mode``, ``played``)."""
    checked_viewer(session, viewer)
    query = _scored_drills(viewer, where)
    rows = session.execute(query).all()
    # a subquery, not a list: a team's history can pass PostgreSQL's 65,535 bind parameters
    ids = select(query.order_by(None).subquery().c.scorecard_id)
    scores = effective_scores(session, ids)
    found = facts(session, ids)
    return [_drill_scores(to_drill(drill, trainee), sc_id, scores.get(sc_id), found[sc_id])
            for drill, trainee, sc_id in rows]


def drill_scores(session: Session, viewer: Viewer, drill_id: str,
                 scorecard_id: int | None = None) -> DrillScores | None:
    """Effective scores of one drill's current scorecard (or of ``scorecard_id``, one of its
    scorecards); None while it has none."""
    drill, trainee = readable_drill(session, viewer, drill_id)
    if scorecard_id is None:
        sc_id = session.scalar(select(func.max(ScorecardRow.id))
                               .where(ScorecardRow.drill_id == drill.id))
        if sc_id is None:
            return None
    else:
        owner = session.scalar(select(ScorecardRow.drill_id)
                               .where(ScorecardRow.id == scorecard_id))
        if owner != drill.id:
            raise AccessDenied(f"no scorecard {scorecard_id} you can open")
        sc_id = scorecard_id
    scores = effective_scores(session, [sc_id])
    return _drill_scores(to_drill(drill, trainee), sc_id, scores.get(sc_id),
                         facts(session, [sc_id])[sc_id])


def cohort(session: Session, viewer: Viewer, where: CohortFilter) -> list[CohortRow]:
    """Trainee x scenario: latest and best effective scores, pass/fail on the newest complete
    assessment drill."""
    points = history(session, viewer, where)
    groups: dict[tuple[int, str], list[DrillScores]] = defaultdict(list)
    for point in points:
        groups[(point.drill.trainee_id, point.drill.scenario_id)].append(point)
    marks = _thresholds(session, {p.drill.team_id for p in points if p.drill.team_id})
    names = dict(session.execute(select(UserRow.id, UserRow.display_name).where(
        UserRow.id.in_({t for t, _ in groups}))).all())
    rows = [_cohort_row(group, names, marks) for group in groups.values()]
    return sorted(rows, key=lambda r: (r.username, r.scenario_id))


def best_scores(points: Sequence[DrillScores]) -> dict[str, float | None]:
    """Per dimension (and overall), the highest effective score among ``points``."""
    best: dict[str, float | None] = {}
    for point in points:
        for dim, score in point.scores.items():
            old = best.get(dim)
            best[dim] = score if old is None else old if score is None else max(old, score)
    return best


def _cohort_row(group: list[DrillScores], names: dict[int, str],
                marks: dict[tuple[int, str], dict[str, float]]) -> CohortRow:
    latest = group[-1]  # history is oldest first
    certified = [p for p in group if p.certifying]
    assessed = certified[-1] if certified else None
    team_marks = marks.get((latest.drill.team_id or 0, latest.drill.scenario_id), {})
    failed: tuple[str, ...] = ()
    if assessed is not None:
        failed = tuple(sorted(dim for dim, minimum in team_marks.items()
                              if _below(assessed.scores.get(dim), minimum)))
    passed = None if not team_marks else (assessed is not None and not failed)
    return CohortRow(trainee_id=latest.drill.trainee_id, username=latest.drill.trainee_username,
                     display_name=names.get(latest.drill.trainee_id, ""),
                     scenario_id=latest.drill.scenario_id, drills=len(group),
                     latest_drill_id=latest.drill.id, latest_at=latest.drill.started_at,
                     latest=dict(latest.scores), best=best_scores(certified),
                     passed=passed, failed_dimensions=failed,
                     latest_auto=dict(latest.auto_scores),
                     latest_overridden=latest.overridden, latest_mode=latest.drill.mode,
                     latest_played=latest.played, assessments=len(certified),
                     assessed_drill_id=None if assessed is None else assessed.drill.id,
                     assessed={} if assessed is None else dict(assessed.scores),
                     assessed_played=Played() if assessed is None else assessed.played)


def _below(score: float | None, minimum: float) -> bool:
    """A missing score (a failed dimension) never passes."""
    return score is None or score < minimum


def _thresholds(session: Session, team_ids: set[int]) -> dict[tuple[int, str], dict[str, float]]:
    marks: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    for row in session.scalars(select(ThresholdRow).where(ThresholdRow.team_id.in_(team_ids))):
        marks[(row.team_id, row.scenario_id)][row.dimension] = row.minimum
    return marks


def recurring_findings(session: Session, viewer: Viewer, where: CohortFilter,
                       min_occurrences: int = 1) -> list[RecurringFinding]:
    """Per trainee, how often each finding occurred on current scorecards, most frequent first."""
    checked_viewer(session, viewer)
    scored = _scored_drills(viewer, where).order_by(None).subquery()
    occurrences = func.sum(ScorecardFindingRow.count)
    query = (select(scored.c.trainee_id, UserRow.username, ScorecardFindingRow.dimension,
                    ScorecardFindingRow.kind, ScorecardFindingRow.rule, occurrences,
                    func.count(distinct(scored.c.id)))
             .join(scored, ScorecardFindingRow.scorecard_id == scored.c.scorecard_id)
             .join(UserRow, UserRow.id == scored.c.trainee_id)
             .group_by(scored.c.trainee_id, UserRow.username, ScorecardFindingRow.dimension,
                       ScorecardFindingRow.kind, ScorecardFindingRow.rule)
             .having(occurrences >= min_occurrences))
    rows = [RecurringFinding(trainee_id=t, username=u, dimension=d, kind=k, rule=r,
                             occurrences=int(n), drills=int(m))
            for t, u, d, k, r, n, m in session.execute(query)]
    return sorted(rows, key=lambda f: (-f.occurrences, -f.drills, f.username, f.kind, f.rule))


def agreement(session: Session, viewer: Viewer, where: CohortFilter) -> list[Agreement]:
    """Per dimension: how far managers' (latest) overrides are from the auto-scores."""
    checked_viewer(session, viewer)
    visible = (select(ScorecardRow.id).join(DrillRow, ScorecardRow.drill_id == DrillRow.id)
               .join(UserRow, DrillRow.trainee_id == UserRow.id).where(drill_scope(viewer)))
    if where.team_id is not None:
        visible = visible.where(UserRow.team_id == where.team_id)
    if where.scenario_id is not None:
        visible = visible.where(DrillRow.scenario_id == where.scenario_id)
    manual = latest_overrides(session, visible)
    autos = auto_scores(session, list({sc for sc, _ in manual}))
    diffs: dict[str, list[float]] = defaultdict(list)
    for (sc_id, dim), score in manual.items():
        auto = autos.get(sc_id, {}).get(dim)
        if auto is not None:
            diffs[dim].append(score - auto)
    return [Agreement(dimension=dim, overrides=len(ds),
                      mean_abs_diff=fmean(abs(d) for d in ds),
                      within_10_share=sum(abs(d) <= AGREEMENT_POINTS for d in ds) / len(ds),
                      mean_diff=fmean(ds))
            for dim, ds in sorted(diffs.items())]


def peers(session: Session, viewer: Viewer, drill_id: str) -> list[DrillSummary]:
    """Visible ended drills of the same scenario id and seed, oldest first, whatever world they
    were played on: each summary carries ``world_version`` and ``scenario_hash`` so a pair
    played on different worlds can be marked."""
    drill, _ = readable_drill(session, viewer, drill_id)
    query = (select(DrillRow, UserRow).join(UserRow, DrillRow.trainee_id == UserRow.id)
             .where(drill_scope(viewer), DrillRow.status == "ended",
                    DrillRow.scenario_id == drill.scenario_id, DrillRow.seed == drill.seed)
             .order_by(DrillRow.started_at, DrillRow.id))
    return summarize(session, session.execute(query).all())

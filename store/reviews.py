"""A manager's review of a drill: scorecards, comments, score overrides (the audit of manual
scores) and the pass marks a team sets per scenario (re-scoring: ``grading``)."""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.access import (
    checked_viewer,
    readable_drill,
    readable_scorecard,
    require_role,
    reviewable_drill,
)
from store.errors import AccessDenied, InvalidInput
from store.models import (
    CommentRow,
    DrillRow,
    ScorecardRow,
    ScoreOverrideRow,
    TeamRow,
    ThresholdRow,
    UserRow,
)
from store.records import Comment, Override, ScorecardRecord, Threshold, Viewer
from store.scorecards import auto_scores, to_record

MAX_COMMENT_CHARS = 5000
MAX_REASON_CHARS = 2000


def scorecards(session: Session, viewer: Viewer, drill_id: str) -> list[ScorecardRecord]:
    """Every scorecard of the drill, newest first (the first is the current one)."""
    drill, _ = readable_drill(session, viewer, drill_id)
    rows = session.scalars(select(ScorecardRow).where(ScorecardRow.drill_id == drill.id)
                           .order_by(ScorecardRow.id.desc()))
    return [to_record(r, drill.public_id) for r in rows]


def scorecard(session: Session, viewer: Viewer, scorecard_id: int) -> ScorecardRecord:
    row, drill, _ = readable_scorecard(session, viewer, scorecard_id)
    return to_record(row, drill.public_id)


def _clean_text(text: str, limit: int, what: str) -> str:
    clean = text.strip()
    if not clean:
        raise InvalidInput(f"{what} cannot be empty")
    if len(clean) > limit:
        raise InvalidInput(f"{what} has at most {limit} characters")
    return clean


def comment(session: Session, viewer: Viewer, drill_id: str, text: str,
            now: datetime) -> Comment:
    """Anyone who can read a drill may comment on it (the trainee can answer their manager)."""
    drill, _ = readable_drill(session, viewer, drill_id)
    author = checked_viewer(session, viewer)
    row = CommentRow(drill_id=drill.id, author_id=author.id,
                     text=_clean_text(text, MAX_COMMENT_CHARS, "a comment"), created_at=now)
    session.add(row)
    session.flush()
    return Comment(id=row.id, drill_id=drill.public_id, author_id=author.id,
                   author_username=author.username, text=row.text, created_at=row.created_at)


def comments(session: Session, viewer: Viewer, drill_id: str) -> list[Comment]:
    drill, _ = readable_drill(session, viewer, drill_id)
    rows = session.execute(
        select(CommentRow, UserRow.username).join(UserRow, CommentRow.author_id == UserRow.id)
        .where(CommentRow.drill_id == drill.id).order_by(CommentRow.id))
    return [Comment(id=c.id, drill_id=drill.public_id, author_id=c.author_id,
                    author_username=name, text=c.text, created_at=c.created_at)
            for c, name in rows]


def override(session: Session, viewer: Viewer, scorecard_id: int, change: tuple[str, float, str],
             now: datetime) -> Override:
    """Set ``(dimension, score, reason)`` by hand on a scorecard; its auto-score stays."""
    dimension, score, reason = change
    card, drill, _ = readable_scorecard(session, viewer, scorecard_id)
    reviewable_drill(session, viewer, drill.public_id)
    autos = auto_scores(session, [card.id])[card.id]
    if dimension not in autos:
        raise InvalidInput(f"the scorecard has no dimension {dimension!r}; one of "
                           f"{', '.join(sorted(autos))}")
    if not isinstance(score, int | float) or not math.isfinite(score) or not 0 <= score <= 100:
        raise InvalidInput("an override score is a number from 0 to 100")
    author = checked_viewer(session, viewer)
    row = ScoreOverrideRow(scorecard_id=card.id, dimension=dimension, score=float(score),
                           reason=_clean_text(reason, MAX_REASON_CHARS, "the reason"),
                           author_id=author.id, created_at=now)
    session.add(row)
    session.flush()
    return _to_override(row, drill, author.username, autos[dimension])


def _to_override(row: ScoreOverrideRow, drill: DrillRow, author: str,
                 auto: float | None) -> Override:
    return Override(id=row.id, scorecard_id=row.scorecard_id, drill_id=drill.public_id,
                    dimension=row.dimension, auto_score=auto, score=row.score, reason=row.reason,
                    author_id=row.author_id, author_username=author, created_at=row.created_at)


def overrides(session: Session, viewer: Viewer, drill_id: str) -> list[Override]:
    """The audit trail of every override on any of the drill's scorecards, oldest first."""
    drill, _ = readable_drill(session, viewer, drill_id)
    ids = select(ScorecardRow.id).where(ScorecardRow.drill_id == drill.id)
    autos = auto_scores(session, ids)
    rows = session.execute(
        select(ScoreOverrideRow, UserRow.username)
        .join(UserRow, ScoreOverrideRow.author_id == UserRow.id)
        .where(ScoreOverrideRow.scorecard_id.in_(ids)).order_by(ScoreOverrideRow.id))
    return [_to_override(o, drill, name, autos.get(o.scorecard_id, {}).get(o.dimension))
            for o, name in rows]


def _managed_team(session: Session, viewer: Viewer, team_id: int) -> None:
    actor = require_role(session, viewer, "admin", "manager")
    if actor.role == "manager" and actor.team_id != team_id:
        raise AccessDenied("a manager sets thresholds for their own team only")
    if session.get(TeamRow, team_id) is None:
        raise AccessDenied(f"no team {team_id} you can manage")


def set_threshold(session: Session, viewer: Viewer, key: tuple[int, str, str],
                  minimum: float | None, now: datetime) -> Threshold | None:
    """Set (or, with ``minimum=None``, remove) the pass mark for (team, scenario, dimension)."""
    team_id, scenario_id, dimension = key
    _managed_team(session, viewer, team_id)
    if not scenario_id or not dimension or len(dimension) > 64:
        raise InvalidInput("a threshold needs a scenario id and a dimension (or 'overall')")
    row = session.scalar(select(ThresholdRow).where(
        ThresholdRow.team_id == team_id, ThresholdRow.scenario_id == scenario_id,
        ThresholdRow.dimension == dimension))
    if minimum is None:
        if row is not None:
            session.delete(row)
        return None
    if not math.isfinite(minimum) or not 0 <= minimum <= 100:
        raise InvalidInput("a minimum score is a number from 0 to 100")
    if row is None:
        row = ThresholdRow(team_id=team_id, scenario_id=scenario_id, dimension=dimension,
                           minimum=float(minimum), set_by=viewer.user_id, updated_at=now)
        session.add(row)
    else:
        row.minimum, row.set_by, row.updated_at = float(minimum), viewer.user_id, now
    session.flush()
    return _to_threshold(row)


def _to_threshold(row: ThresholdRow) -> Threshold:
    return Threshold(team_id=row.team_id, scenario_id=row.scenario_id, dimension=row.dimension,
                     minimum=row.minimum, set_by=row.set_by, updated_at=row.updated_at)


def thresholds(session: Session, viewer: Viewer, team_id: int | None = None,
               scenario_id: str | None = None) -> list[Threshold]:
    """Pass marks: an admin's of any team, everyone else's of their own team."""
    actor = checked_viewer(session, viewer)
    query = select(ThresholdRow).order_by(ThresholdRow.scenario_id, ThresholdRow.dimension)
    if actor.role != "admin":
        if team_id is not None and team_id != actor.team_id:
            raise AccessDenied(f"no team {team_id} you can see")
        team_id = actor.team_id
        if team_id is None:
            return []
    if team_id is not None:
        query = query.where(ThresholdRow.team_id == team_id)
    if scenario_id is not None:
        query = query.where(ThresholdRow.scenario_id == scenario_id)
    return [_to_threshold(r) for r in session.scalars(query)]


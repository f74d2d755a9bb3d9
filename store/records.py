"""Frozen records the store returns (never ORM rows): who is looking, and what they see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from engine.records import Action, Event, action_from_dict, event_from_dict

Role = Literal["admin", "manager", "trainee"]
Mode = Literal["practice", "assessment"]
Status = Literal["running", "ended"]


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking. Every read and every drill write takes one; build it with ``User.viewer``.

    The store re-checks it against the users table on each call, so a deactivated account or a
    changed role or team is refused (``AccessDenied``) instead of acting with stale rights.
    """

    user_id: int
    role: Role
    team_id: int | None


@dataclass(frozen=True, slots=True)
class Team:
    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    team_id: int | None
    is_active: bool
    created_at: datetime

    @property
    def viewer(self) -> Viewer:
        return Viewer(user_id=self.id, role=self.role, team_id=self.team_id)


@dataclass(frozen=True, slots=True)
class Drill:
    """One played (or playing) scenario. ``id`` is the public, unguessable id."""

    id: str
    trainee_id: int
    trainee_username: str
    team_id: int | None
    scenario_id: str
    scenario_hash: str
    seed: int
    speed: float
    mode: Mode
    status: Status
    started_at: datetime
    ended_at: datetime | None
    last_minute: float
    #: how the trainee signs replies in this drill
    agent_name: str = ""
    initials: str = ""


@dataclass(frozen=True, slots=True)
class DrillSummary:
    """A drill with its current (newest) scorecard's overall score, override applied."""

    drill: Drill
    scorecard_id: int | None
    overall: float | None


@dataclass(frozen=True, slots=True)
class StoredAction:
    seq: int
    minute: float
    action: dict[str, Any]

    def to_action(self) -> Action:
        return action_from_dict(self.action)


@dataclass(frozen=True, slots=True)
class Transcript:
    drill_id: str
    events_jsonl: str
    event_count: int
    created_at: datetime

    def dicts(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.events_jsonl.splitlines() if line.strip()]

    def events(self) -> list[Event]:
        return [event_from_dict(d) for d in self.dicts()]


@dataclass(frozen=True, slots=True)
class ScorecardRecord:
    """A stored scorecard. ``card`` is ``Scorecard.to_dict()``; the auto-scores never change."""

    id: int
    drill_id: str
    scorer_version: str
    overall: float | None
    card: dict[str, Any]
    created_at: datetime

    def dimension_scores(self) -> dict[str, float | None]:
        return {d["name"]: d.get("score") for d in self.card.get("dimensions", [])}


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    drill_id: str
    author_id: int
    author_username: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Override:
    """A manual score for one dimension (or ``overall``) of one scorecard: who, when, why."""

    id: int
    scorecard_id: int
    drill_id: str
    dimension: str
    auto_score: float | None
    score: float
    reason: str
    author_id: int
    author_username: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Threshold:
    team_id: int
    scenario_id: str
    dimension: str
    minimum: float
    set_by: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DrillScores:
    """Effective scores of a drill's current scorecard (latest override wins over the auto)."""

    drill: Drill
    scorecard_id: int
    scorer_version: str
    scores: dict[str, float | None]
    overridden: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CohortRow:
    """One trainee on one scenario: latest and best effective scores, pass/fail."""

    trainee_id: int
    username: str
    display_name: str
    scenario_id: str
    drills: int
    latest_drill_id: str
    latest_at: datetime
    latest: dict[str, float | None]
    best: dict[str, float | None]
    #: None when the team set no threshold for this scenario
    passed: bool | None = None
    failed_dimensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecurringFinding:
    """A finding a trainee keeps making: ``occurrences`` times in ``drills`` drills."""

    trainee_id: int
    username: str
    dimension: str
    kind: str
    rule: str
    occurrences: int
    drills: int

    def describe(self) -> str:
        times = "time" if self.occurrences == 1 else "times"
        drills = "drill" if self.drills == 1 else "drills"
        return f"{self.kind}: {self.occurrences} {times} in {self.drills} {drills}"


@dataclass(frozen=True, slots=True)
class Agreement:
    """How close managers' overrides are to the auto-scores on one dimension."""

    dimension: str
    overrides: int
    mean_abs_diff: float
    within_10_share: float
    #: signed mean of (override - auto): positive means managers score higher than the tool
    mean_diff: float = 0.0

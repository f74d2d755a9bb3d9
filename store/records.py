"""Frozen records the store returns (never ORM rows): who is looking, and what they see."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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
    #: a short hash over ``world`` ("" for drills recorded before world versions)
    world_version: str = ""
    #: component -> content hash (scenario, banks, lexicons, engine, scorer...)
    world: dict[str, str] = field(default_factory=dict)
    #: the scenario's length in simulated minutes (None: not recorded)
    drill_minutes: float | None = None
    #: the simulated minute ``end_drill`` ended it at (None while running, or ended before 0002)
    end_minute: float | None = None
    #: the room this drill was one member's seat in (None: a solo drill)
    room_id: str | None = None


@dataclass(frozen=True, slots=True)
class Played:
    """How much of its drill a scorecard covers: simulated minutes played of the drill's length,
    and customers answered of those who wrote. ``None`` where the scorer did not say (scorecards
    stored before completeness existed): such a drill never counts as complete."""

    minutes_played: float | None = None
    drill_minutes: float | None = None
    complete: bool | None = None
    customers: int | None = None
    answered: int | None = None

    @property
    def coverage_share(self) -> float | None:
        """answered / customers (1.0 when nobody wrote); None when unknown."""
        if self.customers is None or self.answered is None:
            return None
        return 1.0 if self.customers == 0 else self.answered / self.customers

    def describe(self) -> str:
        """"64 of 60 min · 12/41 answered" (a dash for what is unknown)."""
        played = "-" if self.minutes_played is None else f"{self.minutes_played:g}"
        length = "-" if self.drill_minutes is None else f"{self.drill_minutes:g}"
        answered = ("-" if self.customers is None or self.answered is None
                    else f"{self.answered}/{self.customers}")
        return f"{played} of {length} min · {answered} answered"


def certifies(mode: str, played: Played, room_id: str | None = None) -> bool:
    """Only a complete assessment drill played solo can pass a threshold or set a best score
    (a seat in a crisis room is graded on a team's shared flood: it shows in history, labelled,
    and the room's team scorecard is where it counts)."""
    return mode == "assessment" and played.complete is True and room_id is None


@dataclass(frozen=True, slots=True)
class DrillSummary:
    """A drill with its current (newest) scorecard: ``overall`` is the effective score (an
    override, or recomputed from overridden dimensions), ``auto_overall`` the scorer's."""

    drill: Drill
    scorecard_id: int | None
    overall: float | None
    auto_overall: float | None = None
    #: dimensions (or "overall") whose effective score is a manager's override
    overridden: frozenset[str] = frozenset()
    played: Played = Played()

    @property
    def world_version(self) -> str:
        return self.drill.world_version

    @property
    def scenario_hash(self) -> str:
        return self.drill.scenario_hash

    @property
    def complete(self) -> bool:
        return self.played.complete is True

    @property
    def certifying(self) -> bool:
        """A complete assessment drill: the only kind that passes or sets a best."""
        return certifies(self.drill.mode, self.played, self.drill.room_id)


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
    """A stored scorecard, as the scorer made it. ``card`` is ``Scorecard.to_dict()``; the
    auto-scores never change (effective scores: ``Store.drill_scores``)."""

    id: int
    drill_id: str
    scorer_version: str
    overall: float | None
    card: dict[str, Any]
    created_at: datetime
    played: Played = Played()

    def dimension_scores(self) -> dict[str, float | None]:
        return {d["name"]: d.get("score") for d in self.card.get("dimensions", [])}

    @property
    def failed(self) -> list[str]:
        """Dimensions that failed to score (the card's ``failed``, else those scored None)."""
        named = self.card.get("failed")
        if isinstance(named, list):
            return [str(n) for n in named]
        return [name for name, score in self.dimension_scores().items() if score is None]

    @property
    def world(self) -> Any:
        """The world version the scorecard was graded on (None on older cards)."""
        return self.card.get("world")

    @property
    def mode(self) -> str | None:
        mode = self.card.get("mode")
        return mode if isinstance(mode, str) else None


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
    """Effective scores of a drill's scorecard: the newest override of a dimension replaces its
    auto-score, and ``overall`` is recomputed from the effective dimensions with the card's
    weights unless it was overridden itself. ``auto_scores`` are the scorer's own."""

    drill: Drill
    scorecard_id: int
    scorer_version: str
    scores: dict[str, float | None]
    overridden: frozenset[str] = frozenset()
    auto_scores: dict[str, float | None] = field(default_factory=dict)
    played: Played = Played()

    @property
    def complete(self) -> bool:
        return self.played.complete is True

    @property
    def certifying(self) -> bool:
        """A complete assessment drill: the only kind that passes or sets a best."""
        return certifies(self.drill.mode, self.played, self.drill.room_id)


@dataclass(frozen=True, slots=True)
class CohortRow:
    """One trainee on one scenario. ``latest`` is the newest ended drill of any kind (labelled
    by ``latest_mode`` and ``latest_played``); ``best`` and pass/fail count complete assessment
    drills only: pass/fail is judged on the newest of them (``assessed_drill_id``), and is False
    when thresholds are set but there is none. All scores are effective."""

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
    latest_auto: dict[str, float | None] = field(default_factory=dict)
    latest_overridden: frozenset[str] = frozenset()
    latest_mode: Mode = "practice"
    latest_played: Played = Played()
    #: complete assessment drills among ``drills``
    assessments: int = 0
    #: the newest complete assessment drill (pass/fail is judged on it) and its scores
    assessed_drill_id: str | None = None
    assessed: dict[str, float | None] = field(default_factory=dict)
    assessed_played: Played = Played()


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

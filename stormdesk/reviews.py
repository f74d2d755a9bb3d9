"""What trainees and managers read after drills: scorecards, transcripts, comments, overrides,
the cohort, trends, recurring findings and same-seed comparisons.

A typed layer over the store's reads and review writes (every call is checked by the store
against the viewer), plus re-scoring through the grader, so review pages never hold the store
or the scorer themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.records import Event
from engine.scenario import Scenario
from scoring.records import Scorecard
from store.errors import AccessDenied, InvalidInput
from store.records import (
    Agreement,
    CohortRow,
    Comment,
    Drill,
    DrillScores,
    DrillSummary,
    Mode,
    Override,
    RecurringFinding,
    ScorecardRecord,
    Status,
    Team,
    Threshold,
    Viewer,
)
from store.repository import Store
from stormdesk.catalogue import Catalogue
from stormdesk.grading import Grader
from stormdesk.world import world_of


@dataclass(frozen=True)
class StoredDrill:
    """An ended drill as a review page shows it: record, current scorecard, transcript,
    scenario, and the world components that changed since it was played."""

    record: Drill
    scorecard_record: ScorecardRecord
    scorecard: Scorecard
    transcript: list[Event]
    scenario: Scenario
    world_changed: list[str]
    #: effective scores (overrides applied) beside the automatic ones, with completeness
    scores: DrillScores | None = None

    def effective(self, name: str) -> float | None:
        """The score a manager certifies on: the override where there is one, else the
        scorer's (``name`` is a dimension or "overall")."""
        if self.scores is not None and name in self.scores.scores:
            return self.scores.scores[name]
        if name == "overall":
            return self.scorecard.overall
        found = self.scorecard.dimension(name)
        return None if found is None else found.score

    def overridden(self, name: str) -> bool:
        return self.scores is not None and name in self.scores.overridden


class Reviews:
    """Reads and review writes for one app."""

    def __init__(self, store: Store, catalogue: Callable[[], Catalogue], grader: Grader) -> None:
        self._store = store
        self._catalogue = catalogue
        self._grader = grader

    # ---- drills and scorecards
    def drills_for(self, viewer: Viewer, *, trainee_id: int | None = None,
                   scenario_id: str | None = None, status: Status | None = None,
                   mode: Mode | None = None, limit: int = 200) -> list[DrillSummary]:
        return self._store.drills_for(viewer, trainee_id=trainee_id, scenario_id=scenario_id,
                                      status=status, mode=mode, limit=limit)

    def load(self, viewer: Viewer, drill_id: str) -> StoredDrill | None:
        """An ended drill with its newest scorecard and transcript, if ``viewer`` may see it."""
        try:
            record = self._store.drill(viewer, drill_id)
            cards = self._store.scorecards(viewer, drill_id)
            stored = self._store.transcript(viewer, drill_id)
        except (AccessDenied, InvalidInput):
            return None
        scenario = self._catalogue().get(record.scenario_id)
        if not cards or stored is None or scenario is None:
            return None
        card = Scorecard.from_dict(cards[0].card)
        changed = world_of(scenario).differs_from(record.world)
        if not record.world and scenario.content_hash != record.scenario_hash:
            changed = ["scenario"]  # a drill from before world versions
        scores = self._store.drill_scores(viewer, drill_id)
        return StoredDrill(record, cards[0], card, stored.events(), scenario, changed, scores)

    def scorecards(self, viewer: Viewer, drill_id: str) -> list[ScorecardRecord]:
        return self._store.scorecards(viewer, drill_id)

    def rescore(self, viewer: Viewer, drill_id: str) -> ScorecardRecord:
        """Score an ended drill again with today's scorer (managers of its team, admins): the
        store replays its stored actions through the app's grader; older scorecards stay."""
        return self._store.rescore(viewer, drill_id)

    def scores(self, viewer: Viewer, drill_id: str) -> DrillScores | None:
        """Effective and automatic scores of the drill's current scorecard (overrides
        applied), with minutes played and coverage: the scorecard's headline."""
        return self._store.drill_scores(viewer, drill_id)

    # ---- comments and overrides
    def comments(self, viewer: Viewer, drill_id: str) -> list[Comment]:
        return self._store.comments(viewer, drill_id)

    def comment(self, viewer: Viewer, drill_id: str, text: str) -> Comment:
        return self._store.comment(viewer, drill_id, text)

    def overrides(self, viewer: Viewer, drill_id: str) -> list[Override]:
        return self._store.overrides(viewer, drill_id)

    def override(self, viewer: Viewer, scorecard_id: int, dimension: str, score: float,
                 reason: str) -> Override:
        return self._store.override(viewer, scorecard_id, dimension, score, reason)

    # ---- the cohort
    def teams(self, viewer: Viewer) -> list[Team]:
        return self._store.teams(viewer)

    def cohort(self, viewer: Viewer, team_id: int | None = None) -> list[CohortRow]:
        return self._store.cohort(viewer, team_id=team_id)

    def history(self, viewer: Viewer, *, team_id: int | None = None,
                trainee_id: int | None = None) -> list[DrillScores]:
        return self._store.history(viewer, team_id=team_id, trainee_id=trainee_id)

    def recurring_findings(self, viewer: Viewer, *, team_id: int | None = None,
                           trainee_id: int | None = None,
                           min_occurrences: int = 1) -> list[RecurringFinding]:
        return self._store.recurring_findings(viewer, team_id=team_id, trainee_id=trainee_id,
                                              min_occurrences=min_occurrences)

    def agreement(self, viewer: Viewer, team_id: int | None = None) -> list[Agreement]:
        return self._store.agreement(viewer, team_id=team_id)

    def peers(self, viewer: Viewer, drill_id: str) -> list[DrillSummary]:
        return self._store.peers(viewer, drill_id)

    def thresholds(self, viewer: Viewer, team_id: int) -> list[Threshold]:
        return self._store.thresholds(viewer, team_id)

    def set_threshold(self, viewer: Viewer, team_id: int, scenario_id: str, dimension: str,
                      minimum: float | None) -> Threshold | None:
        return self._store.set_threshold(viewer, team_id, scenario_id, dimension, minimum)

    def describe(self, record: Any) -> str:
        """A drill's one-line label for pickers."""
        drill = record.drill if hasattr(record, "drill") else record
        return f"{drill.started_at:%Y-%m-%d %H:%M} · {drill.scenario_id}"

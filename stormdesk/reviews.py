"""What trainees and managers read after drills: scorecards, transcripts, comments, overrides,
the cohort, trends, recurring findings and same-seed comparisons.

A typed layer over the store's reads and review writes (every call is checked by the store
against the viewer), plus re-scoring through the grader, so review pages never hold the store
or the scorer themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.records import Event
from engine.scenario import Scenario
from scoring.records import FeedbackSummary, Scorecard
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


@dataclass(frozen=True)
class CohortFeedback:
    """A cohort row with the customers' CSAT and NPS: of its latest drill, and pooled over
    every drill of this trainee on this scenario (the store's rows carry scores only; these
    come from the scorecards)."""

    row: CohortRow
    latest: FeedbackSummary
    pooled: FeedbackSummary


@dataclass(frozen=True)
class DrillFeedback:
    """A drill's scores (effective) with its customers' CSAT and NPS, for trends."""

    scores: DrillScores
    feedback: FeedbackSummary


@dataclass(frozen=True)
class FindingGroup:
    """A finding kind the team keeps making, listed once: how often, in how many drills, and
    who made it (trainee name -> occurrences, most first)."""

    dimension: str
    kind: str
    rules: tuple[str, ...]
    occurrences: int
    drills: int
    trainees: tuple[tuple[str, int], ...] = field(default_factory=tuple)


def group_findings(rows: Iterable[RecurringFinding], min_occurrences: int = 1
                   ) -> list[FindingGroup]:
    """The store's per-trainee, per-rule rows merged per (dimension, kind). A trainee's drills
    for a kind are the most of its rules' (rules of one kind mostly fire in the same drills,
    so this is a lower bound, never a double count)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        entry = merged.setdefault((r.dimension, r.kind), {"rules": [], "by": {}})
        if r.rule not in entry["rules"]:
            entry["rules"].append(r.rule)
        mine = entry["by"].setdefault(r.username, [0, 0])
        mine[0] += r.occurrences
        mine[1] = max(mine[1], r.drills)
    groups = []
    for (dimension, kind), entry in merged.items():
        by = sorted(entry["by"].items(), key=lambda kv: (-kv[1][0], kv[0]))
        occurrences = sum(v[0] for _, v in by)
        if occurrences < min_occurrences:
            continue
        groups.append(FindingGroup(dimension, kind, tuple(entry["rules"]), occurrences,
                                   sum(v[1] for _, v in by),
                                   tuple((name, v[0]) for name, v in by)))
    return sorted(groups, key=lambda g: (-g.occurrences, -g.drills, g.dimension, g.kind))


class Reviews:
    """Reads and review writes for one app."""

    def __init__(self, store: Store, catalogue: Callable[[], Catalogue], grader: Grader,
                 versions: Callable[[str, str], Scenario | None] | None = None) -> None:
        self._store = store
        self._catalogue = catalogue
        self._grader = grader
        self._versions = versions

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
        scenario = None
        if self._versions is not None:  # a drill written in the editor: its exact version
            scenario = self._versions(record.scenario_id, record.scenario_hash)
        scenario = scenario or self._catalogue().get(record.scenario_id)
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

    def recurring_by_kind(self, viewer: Viewer, *, team_id: int | None = None,
                          trainee_id: int | None = None,
                          min_occurrences: int = 2) -> list[FindingGroup]:
        """Recurring findings listed once per kind, with the trainees who made them."""
        rows = self._store.recurring_findings(viewer, team_id=team_id, trainee_id=trainee_id,
                                              min_occurrences=1)
        return group_findings(rows, min_occurrences)

    # ---- customers' feedback (CSAT and NPS), read from the scorecards
    def feedback(self, viewer: Viewer, drill_id: str) -> FeedbackSummary:
        """The CSAT and NPS of a drill's newest scorecard (rebuilt from the transcript for a
        card scored before they were recorded; empty when neither can be read)."""
        try:
            cards = self._store.scorecards(viewer, drill_id)
        except (AccessDenied, InvalidInput):
            return FeedbackSummary()
        if cards:
            found = FeedbackSummary.from_dict(cards[0].card.get("feedback"))
            if found is not None:
                return found
        try:
            stored = self._store.transcript(viewer, drill_id)
        except (AccessDenied, InvalidInput):
            return FeedbackSummary()
        return FeedbackSummary() if stored is None else FeedbackSummary.of(stored.events())

    def cohort_feedback(self, viewer: Viewer, team_id: int | None = None
                        ) -> list[CohortFeedback]:
        """The cohort with each row's CSAT and NPS (latest drill, and all its drills)."""
        rows = self.cohort(viewer, team_id=team_id)
        out = []
        cache: dict[str, FeedbackSummary] = {}

        def of(drill_id: str) -> FeedbackSummary:
            if drill_id not in cache:
                cache[drill_id] = self.feedback(viewer, drill_id)
            return cache[drill_id]

        for row in rows:
            drills = self._store.drills_for(viewer, trainee_id=row.trainee_id,
                                            scenario_id=row.scenario_id, status="ended",
                                            limit=200)
            pooled = tuple(a for d in drills for a in of(d.drill.id).answers)
            out.append(CohortFeedback(row, of(row.latest_drill_id), FeedbackSummary(pooled)))
        return out

    def history_feedback(self, viewer: Viewer, *, team_id: int | None = None,
                         trainee_id: int | None = None) -> list[DrillFeedback]:
        """Trends: every drill's scores with its customers' CSAT and NPS."""
        return [DrillFeedback(h, self.feedback(viewer, h.drill.id))
                for h in self.history(viewer, team_id=team_id, trainee_id=trainee_id)]

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

"""A live drill as the application holds it: the session, its clock, the inbox and the action log.

Plain state with a few pure helpers (signing, what a draft may hold); what happens to it (ticks,
actions, saving, ending, coaching) is decided by ``stormdesk.drills.Drills``, which the desk,
the headless player, tests and benchmarks all go through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from engine.records import DM_LIMIT, PUBLIC_LIMIT
from engine.scenario import Scenario
from engine.session import TrainingSession
from store.records import Viewer
from stormdesk.clock import DrillClock
from stormdesk.inbox import InboxIndex
from stormdesk.world import World

Mode = Literal["practice", "assessment"]
MODES: tuple[Mode, ...] = ("practice", "assessment")


class UnsavedActions(RuntimeError):
    """The drill cannot end while sent actions are still waiting to be stored."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} sent action(s) are not saved yet")
        self.count = count


class EndNeedsConfirmation(RuntimeError):
    """Ending an assessment early plays the remaining minutes with nobody answering: the
    trainee must confirm first (``Drills.end(..., play_out=True)``)."""

    def __init__(self, remaining_minutes: float) -> None:
        super().__init__(f"{remaining_minutes:.0f} simulated minutes remain: ending now plays "
                         "them with nobody answering, and they count")
        self.remaining_minutes = remaining_minutes


@dataclass
class Coaching:
    """What the coach card shows after a reply in practice mode."""

    thread_id: str
    reply_text: str
    assessment: Any  # scoring.records.ReplyAssessment
    better: str


@dataclass
class LiveDrill:
    scenario: Scenario
    seed: int
    trainee: str
    initials: str
    mode: Mode
    session: TrainingSession
    clock: DrillClock
    drill_id: str
    world: World
    viewer: Viewer | None = None
    inbox: InboxIndex = field(default_factory=InboxIndex)
    #: (minute, action JSON) of every action applied, in order (replayable)
    actions: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    #: actions applied but not yet in the store: (seq, minute, action JSON)
    unsaved: list[tuple[int, float, dict[str, Any]]] = field(default_factory=list)
    selected: str | None = None
    coaching: Coaching | None = None
    #: draft text per thread, kept outside widget state (Streamlit drops the state of a
    #: widget that is not drawn, e.g. the composer of another thread)
    drafts: dict[str, str] = field(default_factory=dict)
    ended: bool = False
    resumed: bool = False
    #: the stored drill moved on without this copy (another tab, or it ended): reload it
    stale: bool = False
    scorecard: Any = None  # scoring.records.Scorecard once ended
    touched_minute: float = 0.0
    #: world components that changed since the drill started (recovered on a changed world)
    world_changed: list[str] = field(default_factory=list)
    #: incident updates the trainee has seen on the panel (newer ones are highlighted)
    facts_seen: int = 0
    #: the drill ended early in assessment and the rest was played with nobody answering
    played_out: bool = False

    @property
    def agent(self) -> str:
        return self.initials or self.trainee

    @property
    def minute(self) -> float:
        return self.session.now

    @property
    def remaining_minutes(self) -> float:
        return max(0.0, self.scenario.duration_minutes - self.session.now)

    @property
    def signature(self) -> str:
        """``^AB`` when the brand signs replies and the trainee gave initials, else ""."""
        if not self.scenario.brand.sign_with_initials or not self.initials:
            return ""
        return f"^{self.initials}"

    def sign(self, text: str) -> str:
        """Append the trainee's initials when the brand signs replies (``^AB``)."""
        tag = self.signature
        if not tag or text.rstrip().endswith(tag):
            return text
        return f"{text.rstrip()} {tag}"

    def limit(self, channel: str) -> int:
        """Characters the trainee may type in ``channel`` (the signature takes its share)."""
        limit = PUBLIC_LIMIT if channel == "public" else DM_LIMIT
        tag = self.signature
        return limit - (len(tag) + 1 if tag else 0)

"""A live drill as the desk holds it: the session, its clock, the inbox index and the action log.

No streamlit here. Every action is written to the store as it happens (idempotent by sequence
number, retried if a write fails), so a refresh or a server restart can rebuild the drill from
scenario + seed + the stored actions: the engine is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from engine.records import Action, Event, action_from_dict
from engine.scenario import Scenario
from engine.session import TrainingSession
from store.errors import Conflict, DrillNotRunning, StoreError
from store.records import Drill, Viewer
from store.repository import Store
from stormdesk.drills import new_session
from ui.clock import DrillClock
from ui.inbox import InboxIndex

Mode = Literal["practice", "assessment"]
#: Record the drill's simulated minute in the store at most this often (simulated minutes).
TOUCH_EVERY_MINUTES = 1.0


class UnsavedActions(RuntimeError):
    """The drill cannot end while sent actions are still waiting to be stored."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} sent action(s) are not saved yet")
        self.count = count


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
    store: Store | None = None
    viewer: Viewer | None = None
    index: InboxIndex = field(default_factory=InboxIndex)
    actions: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
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

    @classmethod
    def start(cls, scenario: Scenario, seed: int, trainee: str, initials: str, mode: Mode,
              speed: float, wall_seconds: float, store: Store | None = None,
              viewer: Viewer | None = None) -> LiveDrill:
        drill_id = "local"
        if store is not None and viewer is not None:
            drill_id = store.start_drill(viewer, scenario.id, scenario.content_hash, seed,
                                         speed, mode, agent_name=trainee,
                                         initials=initials).id
        session = new_session(scenario, seed, agent=initials or trainee)
        return cls(scenario, seed, trainee, initials, mode, session,
                   DrillClock(speed=speed, anchor_wall=wall_seconds), drill_id, store, viewer)

    @classmethod
    def resume(cls, record: Drill, scenario: Scenario, trainee: str, store: Store,
               viewer: Viewer, wall_seconds: float) -> LiveDrill:
        """Rebuild a running drill: replay its stored actions, then continue (paused) at the
        simulated minute it had reached (``last_minute`` already covers the last action)."""
        stored = store.actions(viewer, record.id)
        trainee = record.agent_name or trainee
        initials = record.initials
        session = new_session(scenario, record.seed, agent=initials or trainee)
        session.replay((minute, action_from_dict(a)) for minute, a in stored)
        session.advance_to(record.last_minute)
        clock = DrillClock(speed=record.speed, anchor_wall=wall_seconds,
                           anchor_minute=session.now, paused=True)
        drill = cls(scenario, record.seed, trainee, initials, record.mode, session, clock,
                    record.id, store, viewer, actions=list(stored), resumed=True,
                    touched_minute=session.now)
        drill.index.update(session.transcript)
        return drill

    @property
    def agent(self) -> str:
        return self.initials or self.trainee

    def tick(self, wall_seconds: float) -> list[Event]:
        """Advance the world to the clock's minute and index what happened."""
        if self.ended:
            return []
        new = self.session.advance_to(self.clock.minute_at(wall_seconds))
        self.index.update(self.session.transcript)
        if self.session.finished and not self.clock.paused:
            self.clock = self.clock.at_minute(self.session.now, wall_seconds).pause(wall_seconds)
        self.save()
        if self.store is not None and self.viewer is not None and not self.stale and \
                self.session.now - self.touched_minute >= TOUCH_EVERY_MINUTES:
            try:
                self.store.touch(self.viewer, self.drill_id, self.session.now)
            except DrillNotRunning:
                self.stale = True  # ended elsewhere (another tab)
            except StoreError:
                raise
            except Exception:  # the database is away: the minute is only a resume hint
                return new
            self.touched_minute = self.session.now
        return new

    def act(self, action: Action) -> list[Event]:
        """Apply a trainee action now (ActionError propagates), then record it."""
        events = self.session.act(action)
        payload = action.to_dict()
        self.unsaved.append((len(self.actions), self.session.now, payload))
        self.actions.append((self.session.now, payload))
        self.index.update(self.session.transcript)
        self.save()
        return events

    def save(self) -> None:
        """Write recorded actions not yet in the store; on failure they wait for the next try
        (appends are idempotent by sequence number, so a retry never duplicates)."""
        if self.store is None or self.viewer is None:
            self.unsaved.clear()
            return
        while self.unsaved and not self.stale:
            seq, minute, payload = self.unsaved[0]
            try:
                self.store.append_action(self.viewer, self.drill_id, seq, minute, payload)
            except (Conflict, DrillNotRunning):
                # Another tab moved this drill on (or ended it): this copy is out of date.
                self.stale = True
                return
            except StoreError:
                raise  # a refusal is a bug to surface, not to retry
            except Exception:  # the database is away: keep the action, retry next refresh
                return
            self.unsaved.pop(0)

    def finish(self, scorecard: Any) -> None:
        """End the drill with its scorecard, stored with the transcript. Nothing is marked
        ended unless the store has it: a failure raises and the drill keeps running."""
        self.save()
        if self.unsaved:
            raise UnsavedActions(len(self.unsaved))
        if self.store is not None and self.viewer is not None:
            self.store.end_drill(self.viewer, self.drill_id, self.session.transcript, scorecard)
        self.ended = True
        self.scorecard = scorecard

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

"""A live drill as the desk holds it: the session, its clock, the inbox index and the action log.

Pure Python (no streamlit): the desk page keeps one ``LiveDrill`` in its session state; the
store (issue 5) will persist the action log so a refresh or restart can replay it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.records import Action, Event
from engine.scenario import Scenario
from engine.session import TrainingSession
from stormdesk.drills import new_session
from ui.clock import DrillClock
from ui.inbox import InboxIndex

Mode = Literal["practice", "assessment"]


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
    drill_id: str = field(default_factory=lambda: secrets.token_hex(6))
    index: InboxIndex = field(default_factory=InboxIndex)
    actions: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    selected: str | None = None
    coaching: Coaching | None = None
    ended: bool = False
    scorecard: Any = None  # scoring.records.Scorecard once ended

    @classmethod
    def start(cls, scenario: Scenario, seed: int, trainee: str, initials: str, mode: Mode,
              speed: float, wall_seconds: float) -> LiveDrill:
        session = new_session(scenario, seed, agent=initials or trainee)
        return cls(scenario, seed, trainee, initials, mode, session,
                   DrillClock(speed=speed, anchor_wall=wall_seconds))

    def tick(self, wall_seconds: float) -> list[Event]:
        """Advance the world to the clock's minute and index what happened."""
        if self.ended:
            return []
        new = self.session.advance_to(self.clock.minute_at(wall_seconds))
        self.index.update(self.session.transcript)
        if self.session.finished and not self.clock.paused:
            self.clock = self.clock.at_minute(self.session.now, wall_seconds).pause(wall_seconds)
        return new

    def act(self, action: Action) -> list[Event]:
        """Apply a trainee action now (ActionError propagates) and log it for replay."""
        events = self.session.act(action)
        self.actions.append((self.session.now, action.to_dict()))
        self.index.update(self.session.transcript)
        return events

    @property
    def agent(self) -> str:
        return self.initials or self.trainee

    def sign(self, text: str) -> str:
        """Append the trainee's initials when the brand signs replies (``^AB``)."""
        if not self.scenario.brand.sign_with_initials or not self.initials:
            return text
        tag = f"^{self.initials}"
        return text if text.rstrip().endswith(tag) else f"{text.rstrip()} {tag}"

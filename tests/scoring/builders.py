"""Hand-built scenarios and transcripts for the scorer's tests (no engine run, no shipped files).

Events are plain frozen dataclasses, so a test writes exactly the drill it needs.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.records import (
    Author,
    CustomerFollowedUp,
    CustomerReplied,
    Event,
    IncidentUpdated,
    MentionArrived,
    MentionHidden,
    MentionLiked,
    PersonalData,
    ReplySent,
    ReputationSampled,
    SessionStarted,
    StatusPosted,
)
from engine.scenario import Scenario, parse_scenario

BASE_SCENARIO: dict[str, Any] = {
    "id": "test-drill",
    "title": "Test drill",
    "briefing": "A small drill for the scorer's tests.",
    "language": "en",
    "brand": {"name": "Nimbus", "handle": "NimbusCares", "voice": "friendly",
              "products": ["app"]},
    "duration_minutes": 60,
    "sla_minutes": {"urgent": 5, "high": 15, "normal": 30, "low": 60},
    "phases": [{"name": "all", "start_minute": 0, "end_minute": 60, "rate_per_minute": 0.1,
                "personas": {"neutral": 1}, "intents": {"billing": 1}}],
}


def scenario(**overrides: Any) -> Scenario:
    data = copy.deepcopy(BASE_SCENARIO)
    data.update(overrides)
    return parse_scenario(data, "test-drill.yaml")


class Drill:
    """Appends events in the order a test writes them (which must be chronological)."""

    def __init__(self, scn: Scenario | None = None, seed: int = 7) -> None:
        self.scenario = scn or scenario()
        self.events: list[Event] = [SessionStarted(
            "e0", 0.0, self.scenario.id, self.scenario.content_hash, seed,
            self.scenario.language, self.scenario.duration_minutes)]
        self._n = 0

    def _id(self) -> str:
        self._n += 1
        return f"e{self._n}"

    def _add(self, event: Event) -> Any:
        self.events.append(event)
        return event

    def mention(self, thread: str, minute: float, *, persona: str = "neutral",
                intent: str = "billing", priority: str = "normal", followers: int = 120,
                text: str = "@NimbusCares I was charged twice this month",
                exposed: tuple[PersonalData, ...] = (), handle: str = "") -> MentionArrived:
        author = Author(handle or f"user_{thread}", f"User {thread}", followers, False, "")
        return self._add(MentionArrived(
            self._id(), minute, f"m_{thread}", thread, author, persona, intent, -0.5, priority,
            text, exposed))

    def reply(self, thread: str, minute: float, text: str = "Sorry about that, we're on it!",
              channel: str = "public", moves_to_dm: bool = False) -> ReplySent:
        rid = self._id()
        return self._add(ReplySent(rid, minute, f"r_{rid}", thread, channel, text, "trainee",
                                   moves_to_dm))

    def follow_up(self, thread: str, minute: float, attempt: int = 1,
                  text: str = "hello? still waiting",
                  exposed: tuple[PersonalData, ...] = ()) -> CustomerFollowedUp:
        return self._add(CustomerFollowedUp(self._id(), minute, f"m_{thread}", thread, attempt,
                                            -0.7, text, exposed))

    def customer_reply(self, thread: str, minute: float, text: str, channel: str = "public",
                       exposed: tuple[PersonalData, ...] = (),
                       reaction: str = "provided_details") -> CustomerReplied:
        return self._add(CustomerReplied(self._id(), minute, f"m_{thread}", thread, channel,
                                         reaction, 0.0, text, "x", exposed))  # type: ignore[arg-type]

    def hide(self, thread: str, minute: float) -> MentionHidden:
        return self._add(MentionHidden(self._id(), minute, f"m_{thread}", thread, "trainee"))

    def like(self, thread: str, minute: float) -> MentionLiked:
        return self._add(MentionLiked(self._id(), minute, f"m_{thread}", thread, "trainee"))

    def status(self, minute: float, text: str) -> StatusPosted:
        return self._add(StatusPosted(self._id(), minute, f"s{self._n}", text, "trainee"))

    def incident(self, minute: float, **facts: str) -> IncidentUpdated:
        return self._add(IncidentUpdated(self._id(), minute, facts))

    def sample(self, minute: float, waiting: int = 0) -> ReputationSampled:
        return self._add(ReputationSampled(self._id(), minute, 50.0, waiting, waiting))

"""Mutable per-thread state the session keeps while the public lives (not part of the output)."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.records import Author, PersonalData


@dataclass(slots=True)
class Thread:
    thread_id: str
    author: Author
    persona: str
    intent: str
    priority: str
    opened_minute: float
    sentiment: float
    last_mention_id: str
    last_customer_text: str
    #: minute since which the customer has been waiting for an answer (None: not waiting)
    waiting_since: float | None
    weight: float
    exposed: list[PersonalData] = field(default_factory=list)
    channel: str = "public"
    first_reply_minute: float | None = None
    replies: int = 0
    follow_ups: int = 0
    resolved: bool = False
    hidden: bool = False
    liked: bool = False
    escalated: bool = False
    amplified: bool = False
    assignee: str = ""
    tags: list[str] = field(default_factory=list)
    best_empathy: int = -1
    asked_pii_public: bool = False
    asked_password: bool = False
    dismissed: bool = False
    moved_to_dm: bool = False
    faded: bool = False
    #: bumped on every answer so a follow-up timer scheduled earlier knows it is stale
    generation: int = 0

    @property
    def open(self) -> bool:
        return not (self.resolved or self.hidden or self.faded)

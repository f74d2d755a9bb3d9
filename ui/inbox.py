"""The inbox index: one row per thread, kept up to date from the transcript incrementally.

The desk refreshes every 1-2 s; rebuilding 10,000 rows each time would make the refresh grow
with the flood, so the index consumes only the events since its cursor and the view draws a
window of rows (field notes: what costs is elements drawn, not mentions held).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.records import (
    CustomerFollowedUp,
    CustomerReplied,
    Event,
    MentionAmplified,
    MentionArrived,
    MentionHidden,
    MentionLiked,
    ReplySent,
    ThreadAssigned,
    ThreadEscalated,
    ThreadResolved,
    ThreadTagged,
)
from engine.scenario import SlaMinutes

FILTERS = ("all", "unanswered", "mine", "negative", "high reach", "needs DM", "hidden")
SORTS = ("newest activity", "oldest waiting", "highest risk")
HIGH_REACH = 20_000
PRIORITY_RANK = {"urgent": 3, "high": 2, "normal": 1, "low": 0}
#: Share of the SLA after which a waiting thread shows as "at risk".
AT_RISK_SHARE = 0.7


@dataclass(slots=True)
class Row:
    """What the queue shows for a thread."""

    thread_id: str
    first_mention_id: str
    handle: str
    display_name: str
    followers: int
    verified: bool
    persona: str
    intent: str
    priority: str
    opened: float
    last_activity: float
    last_text: str
    sentiment: float
    waiting_since: float | None
    answered: bool = False
    resolved: bool = False
    hidden: bool = False
    liked: bool = False
    escalated: bool = False
    channel: str = "public"
    assignee: str = ""
    tags: list[str] = field(default_factory=list)
    posts: int = 1
    amplified: int = 0
    exposes_pii: bool = False
    seen_posts: int = 0

    @property
    def unread(self) -> bool:
        return self.posts > self.seen_posts

    def risk(self) -> float:
        """Triage order: priority, then reach, mood and spread."""
        reach = min(self.followers, 1_000_000) / 1_000_000
        return (PRIORITY_RANK[self.priority] * 10 + reach * 5 + max(0.0, -self.sentiment) * 3
                + min(self.amplified, 10) * 0.5 + (2 if self.exposes_pii else 0))


def sla_state(row: Row, now: float, sla: SlaMinutes) -> tuple[str, float]:
    """("ok" | "at risk" | "breached" | "-", minutes waited) for a thread."""
    if row.waiting_since is None or row.resolved or row.hidden:
        return "-", 0.0
    waited = now - row.waiting_since
    target = sla.for_priority(row.priority)
    if waited > target:
        return "breached", waited
    if waited >= AT_RISK_SHARE * target:
        return "at risk", waited
    return "ok", waited


class InboxIndex:
    """Threads by id, updated from new transcript events (``update`` is O(new events))."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.cursor = 0
        self.order: list[str] = []  # thread ids by opening
        self.events: dict[str, list[Event]] = {}  # thread id -> its events, in order
        self.by_author: dict[str, list[str]] = {}  # handle -> thread ids

    def update(self, transcript: Sequence[Event]) -> int:
        """Consume events after the cursor; returns how many were consumed."""
        new = transcript[self.cursor:]
        for event in new:
            self._apply(event)
        self.cursor = len(transcript)
        return len(new)

    def _apply(self, e: Event) -> None:
        if isinstance(e, MentionArrived):
            row = Row(e.thread_id, e.mention_id, e.author.handle, e.author.display_name,
                      e.author.followers, e.author.verified, e.persona, e.intent, e.priority,
                      e.minute, e.minute, e.text, e.sentiment,
                      None if e.persona == "praise" else e.minute,
                      exposes_pii=bool(e.exposed))
            self.rows[e.thread_id] = row
            self.order.append(e.thread_id)
            self.events[e.thread_id] = [e]
            self.by_author.setdefault(e.author.handle, []).append(e.thread_id)
            return
        found = self.rows.get(getattr(e, "thread_id", ""))
        if found is None:
            return
        row = found
        self.events[row.thread_id].append(e)
        if isinstance(e, CustomerFollowedUp | CustomerReplied):
            row.posts += 1
            row.last_activity = e.minute
            row.last_text = e.text
            row.sentiment = e.sentiment
            row.exposes_pii |= bool(e.exposed)
            if isinstance(e, CustomerReplied):
                row.channel = e.channel if e.channel == "dm" else row.channel
                waits = e.reaction not in ("thanked", "calmed", "faded") or e.channel == "dm"
                if e.reaction == "faded":
                    row.resolved = True
                if waits and row.waiting_since is None:
                    row.waiting_since = e.minute
            elif row.waiting_since is None:
                row.waiting_since = e.minute
        elif isinstance(e, ReplySent):
            row.answered = True
            row.waiting_since = None
            row.last_activity = e.minute
            row.seen_posts = row.posts
        elif isinstance(e, ThreadResolved):
            row.resolved = True
            row.waiting_since = None
        elif isinstance(e, MentionHidden):
            row.hidden = True
            row.waiting_since = None
        elif isinstance(e, MentionLiked):
            row.liked = True
            if row.persona == "praise":
                row.waiting_since = None
        elif isinstance(e, ThreadAssigned):
            row.assignee = e.assignee
        elif isinstance(e, ThreadTagged):
            if e.tag not in row.tags:
                row.tags.append(e.tag)
        elif isinstance(e, ThreadEscalated):
            row.escalated = True
        elif isinstance(e, MentionAmplified):
            row.amplified += 1

    def mark_seen(self, thread_id: str) -> None:
        row = self.rows.get(thread_id)
        if row is not None:
            row.seen_posts = row.posts

    def select(self, filter_name: str, sort: str, agent: str = "",
               limit: int = 50, offset: int = 0) -> tuple[list[Row], int]:
        """The window of rows to draw and how many rows match in all."""
        rows = [r for r in self.rows.values() if _matches(r, filter_name, agent)]
        key: Callable[[Row], Any]
        if sort == "oldest waiting":
            def key(r: Row) -> Any:
                return (r.waiting_since is None, r.waiting_since or 0.0, r.opened)
        elif sort == "highest risk":
            def key(r: Row) -> Any:
                return (-(r.waiting_since is not None), -r.risk(), r.opened)
        else:
            def key(r: Row) -> Any:
                return (-r.last_activity, r.opened)
        # Only the window is drawn, so only the first offset + limit rows need ordering.
        window = heapq.nsmallest(offset + limit, rows, key=key)
        return window[offset:], len(rows)

    def counters(self, now: float, sla: SlaMinutes) -> dict[str, int]:
        """Threads waiting, at risk and breached (for the top bar)."""
        counts = {"waiting": 0, "at risk": 0, "breached": 0, "unread": 0}
        for row in self.rows.values():
            if row.unread and not row.hidden:
                counts["unread"] += 1
            state, _ = sla_state(row, now, sla)
            if state == "-":
                continue
            counts["waiting"] += 1
            if state in counts:
                counts[state] += 1
        return counts


def _matches(row: Row, name: str, agent: str) -> bool:
    if name == "hidden":
        return row.hidden
    if row.hidden:
        return False
    if name == "unanswered":
        return not row.answered and not row.resolved
    if name == "mine":
        return bool(agent) and row.assignee == agent
    if name == "negative":
        return row.sentiment < -0.2
    if name == "high reach":
        return row.followers >= HIGH_REACH
    if name == "needs DM":
        needs_private = row.exposes_pii or row.intent in ("account_access", "billing", "refund")
        return needs_private and row.channel != "dm" and not row.resolved
    return True

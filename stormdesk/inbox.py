"""The inbox index: the queue's view of the drill, folded from the transcript incrementally.

Thread state comes from the one projection (``engine.projection``); the inbox adds only what a
desk needs on top: what this trainee has seen (unread), filters, sorts and SLA states. The desk
refreshes every 1-2 s, so ``update`` consumes only the events since its cursor and ``select``
orders only the window drawn (field notes: what costs is elements drawn, not mentions held).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import Any

from engine.projection import Projection, ThreadState
from engine.records import HIGH_REACH_FOLLOWERS, Event, ReplySent
from engine.scenario import SlaMinutes

FILTERS = ("all", "unanswered", "mine", "negative", "high reach", "needs DM", "hidden")
SORTS = ("newest activity", "oldest waiting", "highest risk")
PRIORITY_RANK = {"urgent": 3, "high": 2, "normal": 1, "low": 0}
#: Share of the SLA after which a waiting thread shows as "at risk".
AT_RISK_SHARE = 0.7
#: Intents whose details belong in DM (the "needs DM" filter).
PRIVATE_INTENTS = frozenset({"account_access", "billing", "refund"})


def risk(thread: ThreadState) -> float:
    """Triage order: priority, then reach, mood, spread and exposed personal data."""
    reach = min(thread.author.followers, 1_000_000) / 1_000_000
    return (PRIORITY_RANK.get(thread.priority, 1) * 10 + reach * 5
            + max(0.0, -thread.sentiment) * 3 + min(thread.amplifications, 10) * 0.5
            + (2 if thread.exposed else 0))


def sla_state(thread: ThreadState, now: float, sla: SlaMinutes) -> tuple[str, float]:
    """("ok" | "at risk" | "breached" | "-", minutes waited) for a thread."""
    if thread.waiting_since is None or not thread.open:
        return "-", 0.0
    waited = now - thread.waiting_since
    target = sla.for_priority(thread.priority)
    if waited > target:
        return "breached", waited
    if waited >= AT_RISK_SHARE * target:
        return "at risk", waited
    return "ok", waited


class InboxIndex:
    """The queue over a projection, plus what the trainee has seen (``update`` is O(new))."""

    def __init__(self, projection: Projection | None = None) -> None:
        #: the drill's projection; the inbox folds into it unless the session already does
        self.projection = projection if projection is not None else Projection()
        self._owns_projection = projection is None
        self.seen: dict[str, int] = {}
        self.cursor = 0

    @property
    def threads(self) -> dict[str, ThreadState]:
        return self.projection.threads

    def update(self, transcript: Sequence[Event]) -> int:
        """Consume events after the cursor; returns how many were consumed."""
        new = transcript[self.cursor:]
        for event in new:
            if self._owns_projection:
                self.projection.apply(event)
            if isinstance(event, ReplySent):  # answering a thread reads it
                thread = self.projection.threads.get(event.thread_id)
                if thread is not None:
                    self.seen[thread.thread_id] = thread.posts
        self.cursor = len(transcript)
        return len(new)

    def unread(self, thread: ThreadState) -> bool:
        return thread.posts > self.seen.get(thread.thread_id, 0)

    def mark_seen(self, thread_id: str) -> None:
        thread = self.projection.threads.get(thread_id)
        if thread is not None:
            self.seen[thread_id] = thread.posts

    def select(self, filter_name: str, sort: str, agent: str = "",
               limit: int = 50, offset: int = 0) -> tuple[list[ThreadState], int]:
        """The window of threads to draw and how many match in all."""
        rows = [r for r in self.projection.threads.values() if matches(r, filter_name, agent)]
        key: Callable[[ThreadState], Any]
        if sort == "oldest waiting":
            def key(r: ThreadState) -> Any:
                return (r.waiting_since is None, r.waiting_since or 0.0, r.opened_minute)
        elif sort == "highest risk":
            def key(r: ThreadState) -> Any:
                return (-(r.waiting_since is not None), -risk(r), r.opened_minute)
        else:
            def key(r: ThreadState) -> Any:
                return (-r.last_activity, r.opened_minute)
        # Only the window is drawn, so only the first offset + limit rows need ordering.
        window = heapq.nsmallest(offset + limit, rows, key=key)
        return window[offset:], len(rows)

    def counters(self, now: float, sla: SlaMinutes) -> dict[str, int]:
        """Threads waiting, at risk and breached, and unread ones (for the top bar)."""
        counts = {"waiting": 0, "at risk": 0, "breached": 0, "unread": 0}
        for thread in self.projection.threads.values():
            if not thread.hidden and self.unread(thread):
                counts["unread"] += 1
            state, _ = sla_state(thread, now, sla)
            if state == "-":
                continue
            counts["waiting"] += 1
            if state in counts:
                counts[state] += 1
        return counts


def matches(thread: ThreadState, name: str, agent: str) -> bool:
    """Whether a thread shows under the queue filter ``name`` for ``agent``."""
    if name == "hidden":
        return thread.hidden
    if thread.hidden:
        return False
    if name == "unanswered":
        return not thread.answered and not thread.resolved
    if name == "mine":
        return bool(agent) and thread.assignee == agent
    if name == "negative":
        return thread.sentiment < -0.2
    if name == "high reach":
        return thread.author.followers >= HIGH_REACH_FOLLOWERS
    if name == "needs DM":
        private = bool(thread.exposed) or thread.intent in PRIVATE_INTENTS
        return private and thread.channel != "dm" and not thread.resolved
    return True

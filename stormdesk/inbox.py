"""The inbox index: the queue's view of the drill, folded from the transcript incrementally.

Thread state comes from the one projection (``engine.projection``); the inbox adds only what a
desk needs on top: what this trainee has seen (unread), search, filters, sorts, SLA states and
a *queue view*: an order taken when the trainee asks for it (a filter, a sort, a search, "show
new") that holds while they work, so a click always opens the row clicked. Activity after the
view was taken collects behind a count ("N new") instead of moving rows.

The desk refreshes every 1-2 s with up to 10,000 threads, so nothing a refresh calls is
O(threads): ``update`` consumes only the events since its cursor, keeps the waiting threads
per priority sorted by when they started waiting (SLA counters by bisection) and the unread
ones in a set; ``pending`` looks only at threads touched since the view was taken; a view is
ordered only when it is taken (field notes: what costs is elements drawn, not mentions held).
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.projection import Projection, ThreadState
from engine.records import (
    HIGH_REACH_FOLLOWERS,
    CustomerFollowedUp,
    CustomerReplied,
    Event,
    MentionArrived,
    ReplySent,
    ThreadAssigned,
)
from engine.scenario import SlaMinutes

FILTERS = ("all", "unanswered", "mine", "unassigned", "negative", "high reach", "needs DM",
           "hidden")
SORTS = ("newest activity", "oldest waiting", "highest risk")
PRIORITY_RANK = {"urgent": 3, "high": 2, "normal": 1, "low": 0}
#: Share of the SLA after which a waiting thread shows as "at risk".
AT_RISK_SHARE = 0.7
#: Intents whose details belong in DM (the "needs DM" filter).
PRIVATE_INTENTS = frozenset({"account_access", "billing", "refund"})
#: Search queries shorter than this (after dropping punctuation) do not match ids loosely.
LOOSE_ID_CHARS = 3
#: Events after which a thread may enter a view it was not in (new posts, a new owner).
_ACTIVITY = (MentionArrived, CustomerFollowedUp, CustomerReplied, ThreadAssigned)
_NOT_ALNUM = re.compile(r"[\W_]+")


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


def sla_left(thread: ThreadState, now: float, sla: SlaMinutes) -> float | None:
    """Simulated minutes left before the first-response target (negative: overdue by that
    much); None when the customer is not waiting."""
    if thread.waiting_since is None or not thread.open:
        return None
    return thread.waiting_since + sla.for_priority(thread.priority) - now


def _loose(text: str) -> str:
    """Letters and digits only, folded: "#A-10293" and "a10293" meet here."""
    return _NOT_ALNUM.sub("", text.casefold())


def haystack(thread: ThreadState) -> tuple[str, str]:
    """What a search looks through in a thread: the author's handle and name, every customer
    post, and the personal data they posted (order and booking numbers...), folded; and the
    same with punctuation dropped, for ids typed without their dashes."""
    author = thread.author
    parts = [author.handle, "@" + author.handle, author.display_name]
    for event in thread.events:
        if isinstance(event, MentionArrived | CustomerFollowedUp | CustomerReplied):
            parts.append(event.text)
    parts.extend(item.value for item in thread.exposed)
    text = "\n".join(parts).casefold()
    return text, _loose(text)


@dataclass
class QueueView:
    """The queue as the trainee last asked for it: the filter, sort and search it was taken
    with, and the threads it showed in that order. Rows keep their place while the trainee
    works; ``mark`` is where the inbox's activity log stood when the view was taken."""

    filter: str
    sort: str
    query: str
    agent: str
    order: list[str]
    mark: int
    #: the view's thread ids as a set (what is already on screen)
    members: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.members:
            self.members = set(self.order)

    @property
    def total(self) -> int:
        return len(self.order)

    def page(self, offset: int, limit: int) -> list[str]:
        return self.order[offset:offset + limit]

    def same_request(self, filter_name: str, sort: str, query: str, agent: str) -> bool:
        return (self.filter, self.sort, self.query, self.agent) == (filter_name, sort,
                                                                   query.strip(), agent)


class InboxIndex:
    """The queue over a projection, plus what the trainee has seen (``update`` is O(new))."""

    def __init__(self, projection: Projection | None = None) -> None:
        #: the drill's projection; the inbox folds into it unless the session already does
        self.projection = projection if projection is not None else Projection()
        self._owns_projection = projection is None
        self.seen: dict[str, int] = {}
        self.cursor = 0
        #: thread ids in the order they had activity that can bring them into a view
        self.activity: list[str] = []
        #: priority -> [(waiting since, thread id)] sorted, for the SLA counters
        self._waiting: dict[str, list[tuple[float, str]]] = {}
        self._waiting_key: dict[str, tuple[str, float]] = {}
        self._unread: set[str] = set()
        self._haystacks: dict[str, tuple[int, str, str]] = {}

    @property
    def threads(self) -> dict[str, ThreadState]:
        return self.projection.threads

    # ------------------------------------------------------------------ folding
    def update(self, transcript: Sequence[Event]) -> int:
        """Consume events after the cursor; returns how many were consumed."""
        new = transcript[self.cursor:]
        touched: set[str] = set()
        threads = self.projection.threads
        for event in new:
            if self._owns_projection:
                self.projection.apply(event)
            thread_id = getattr(event, "thread_id", None)
            if thread_id is None:
                continue
            touched.add(thread_id)
            if isinstance(event, _ACTIVITY):
                self.activity.append(thread_id)
            if isinstance(event, ReplySent):  # answering a thread reads it
                thread = threads.get(thread_id)
                if thread is not None:
                    self.seen[thread_id] = thread.posts
        for thread_id in touched:
            thread = threads.get(thread_id)
            if thread is not None:
                self._resync(thread)
        self.cursor = len(transcript)
        return len(new)

    def _resync(self, thread: ThreadState) -> None:
        """Bring the waiting lists and the unread set in line with one thread's state."""
        thread_id = thread.thread_id
        old = self._waiting_key.pop(thread_id, None)
        if old is not None:
            entries = self._waiting[old[0]]
            at = bisect.bisect_left(entries, (old[1], thread_id))
            if at < len(entries) and entries[at] == (old[1], thread_id):
                del entries[at]
        if thread.waiting_since is not None and thread.open:
            key = (thread.priority, thread.waiting_since)
            bisect.insort(self._waiting.setdefault(thread.priority, []),
                          (thread.waiting_since, thread_id))
            self._waiting_key[thread_id] = key
        if self.unread(thread):
            self._unread.add(thread_id)
        else:
            self._unread.discard(thread_id)

    def unread(self, thread: ThreadState) -> bool:
        return thread.posts > self.seen.get(thread.thread_id, 0)

    def mark_seen(self, thread_id: str) -> None:
        thread = self.projection.threads.get(thread_id)
        if thread is not None:
            self.seen[thread_id] = thread.posts
            self._unread.discard(thread_id)

    # ------------------------------------------------------------------ search
    def matches_query(self, thread: ThreadState, query: str) -> bool:
        """Whether ``query`` occurs in the thread's text, handle, name or posted details
        (case-insensitive; ids also match without their punctuation)."""
        folded = query.strip().casefold()
        if not folded:
            return True
        cached = self._haystacks.get(thread.thread_id)
        if cached is None or cached[0] != thread.posts:
            text, loose = haystack(thread)
            cached = (thread.posts, text, loose)
            self._haystacks[thread.thread_id] = cached
        if folded.lstrip("@") in cached[1] or folded in cached[1]:
            return True
        loose_query = _loose(folded)
        return len(loose_query) >= LOOSE_ID_CHARS and loose_query in cached[2]

    # ------------------------------------------------------------------ views
    def view(self, filter_name: str, sort: str, query: str = "", agent: str = "",
             limit: int | None = None) -> QueueView:
        """Take a queue view: every matching thread in ``sort`` order (O(n log n), once per
        request, never per refresh)."""
        query = query.strip()
        rows = [r for r in self.projection.threads.values()
                if matches(r, filter_name, agent) and self.matches_query(r, query)]
        key = sort_key(sort)
        ordered = heapq.nsmallest(limit, rows, key=key) if limit else sorted(rows, key=key)
        return QueueView(filter_name, sort, query, agent, [r.thread_id for r in ordered],
                         len(self.activity))

    def pending(self, view: QueueView) -> list[str]:
        """Threads that would join ``view`` if it were taken now: activity since the view
        was taken on threads it does not show yet (O(activity since then))."""
        found: list[str] = []
        threads = self.projection.threads
        for thread_id in dict.fromkeys(self.activity[view.mark:]):
            if thread_id in view.members:
                continue
            thread = threads.get(thread_id)
            if thread is not None and matches(thread, view.filter, view.agent) \
                    and self.matches_query(thread, view.query):
                found.append(thread_id)
        return found

    def neighbour(self, view: QueueView, thread_id: str | None, step: int) -> str | None:
        """The thread ``step`` rows after (negative: before) ``thread_id`` in the view; the
        first row when ``thread_id`` is not in it; None past either end."""
        if not view.order:
            return None
        if thread_id is None or thread_id not in view.members:
            return view.order[0] if step > 0 else view.order[-1]
        at = view.order.index(thread_id) + step
        return view.order[at] if 0 <= at < len(view.order) else None

    def select(self, filter_name: str, sort: str, agent: str = "",
               limit: int = 50, offset: int = 0, query: str = "") -> tuple[list[ThreadState], int]:
        """The window of threads to draw now and how many match in all (no held order: the
        scripted trainee and "open next waiting" ask for the current best)."""
        rows = [r for r in self.projection.threads.values()
                if matches(r, filter_name, agent) and self.matches_query(r, query)]
        # Only the window is drawn, so only the first offset + limit rows need ordering.
        window = heapq.nsmallest(offset + limit, rows, key=sort_key(sort))
        return window[offset:], len(rows)

    # ------------------------------------------------------------------ counters
    def counters(self, now: float, sla: SlaMinutes) -> dict[str, int]:
        """Threads waiting, at risk and breached, and unread ones (for the top bar), by
        bisection over the waiting lists: O(priorities x log n) plus the unread set."""
        counts = {"waiting": 0, "at risk": 0, "breached": 0, "unread": 0}
        for priority, entries in self._waiting.items():
            target = sla.for_priority(priority)
            counts["waiting"] += len(entries)
            # breached: waited > target, i.e. waiting since < now - target
            breached = bisect.bisect_left(entries, (now - target, ""))
            # at risk: waited >= share x target and not breached
            at_risk = bisect.bisect_right(entries, (now - AT_RISK_SHARE * target, "\uffff"))
            counts["breached"] += breached
            counts["at risk"] += max(0, at_risk - breached)
        threads = self.projection.threads
        counts["unread"] = sum(1 for t in self._unread if not threads[t].hidden)
        return counts


def sort_key(sort: str) -> Callable[[ThreadState], Any]:
    """The ordering of a queue sort (unknown names sort by newest activity)."""
    if sort == "oldest waiting":
        def key(r: ThreadState) -> Any:
            return (r.waiting_since is None, r.waiting_since or 0.0, r.opened_minute)
    elif sort == "highest risk":
        def key(r: ThreadState) -> Any:
            return (-(r.waiting_since is not None), -risk(r), r.opened_minute)
    else:
        def key(r: ThreadState) -> Any:
            return (-r.last_activity, r.opened_minute)
    return key


def matches(thread: ThreadState, name: str, agent: str) -> bool:
    """Whether a thread shows under the queue filter ``name`` for ``agent`` (the person
    whose queue it is: "mine" is what is assigned to them)."""
    if name == "hidden":
        return thread.hidden
    if thread.hidden:
        return False
    if name == "unanswered":
        return not thread.answered and not thread.resolved
    if name == "mine":
        return bool(agent) and thread.assignee == agent
    if name == "unassigned":
        return not thread.assignee and not thread.resolved
    if name == "negative":
        return thread.sentiment < -0.2
    if name == "high reach":
        return thread.author.followers >= HIGH_REACH_FOLLOWERS
    if name == "needs DM":
        private = bool(thread.exposed) or thread.intent in PRIVATE_INTENTS
        return private and thread.channel != "dm" and not thread.resolved
    return True

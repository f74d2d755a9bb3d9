"""What a room's pages draw, as plain data: a seat's queue and open thread (with who else is on
each thread), and the lead's board. Built under the room copy's lock by ``Rooms`` and drawn
after it is released, so a view never reads the shared world while another thread moves it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.projection import ThreadState
from engine.records import (
    HIGH_REACH_FOLLOWERS,
    Author,
    CustomerFollowedUp,
    CustomerReplied,
    Event,
    MentionArrived,
    NoteAdded,
    ReplySent,
    StatusPosted,
)
from engine.scenario import Scenario
from store.room_records import Presence, RoomMember
from stormdesk.inbox import risk, sla_state
from stormdesk.room_scoring import collisions, owners, unowned

ROOM_FILTERS = ("all", "unanswered", "mine", "unassigned", "negative", "high reach",
                "needs DM", "hidden")
ROOM_SORTS = ("oldest waiting", "highest risk", "newest activity")
#: Posts drawn in a thread (the newest matter).
THREAD_WINDOW = 30
_PRIVATE_INTENTS = frozenset({"account_access", "billing", "refund", "security"})


def room_matches(thread: ThreadState, name: str, agent: str) -> bool:
    """Whether a thread shows under the room queue's filter ``name`` for ``agent``."""
    if name == "hidden":
        return thread.hidden
    if thread.hidden:
        return False
    checks: dict[str, Callable[[ThreadState], bool]] = {
        "unanswered": lambda t: not t.answered and not t.resolved,
        "mine": lambda t: bool(agent) and t.assignee == agent,
        "unassigned": lambda t: not t.assignee and t.open,
        "negative": lambda t: t.sentiment < -0.2,
        "high reach": lambda t: t.author.followers >= HIGH_REACH_FOLLOWERS,
        "needs DM": lambda t: (bool(t.exposed) or t.intent in _PRIVATE_INTENTS)
        and t.channel != "dm" and not t.resolved,
    }
    check = checks.get(name)
    return True if check is None else check(thread)


def _sort_key(sort: str) -> Callable[[ThreadState], Any]:
    if sort == "highest risk":
        return lambda r: (r.waiting_since is None, -risk(r), r.opened_minute)
    if sort == "newest activity":
        return lambda r: (-r.last_activity, r.opened_minute)
    return lambda r: (r.waiting_since is None, r.waiting_since or 0.0, r.opened_minute)


@dataclass(frozen=True, slots=True)
class Here:
    """A teammate on a thread: has it open, or is typing in it."""

    agent: str
    name: str
    typing: bool


@dataclass(frozen=True, slots=True)
class QueueRow:
    thread_id: str
    handle: str
    verified: bool
    followers: int
    priority: str
    sentiment: float
    sla: str
    waited: float
    answered: bool
    hidden: bool
    text: str
    owner: str
    unread: bool
    here: tuple[Here, ...] = ()


@dataclass(frozen=True, slots=True)
class ThreadView:
    thread_id: str
    author: Author
    priority: str
    intent: str
    amplifications: int
    first_mention_id: str
    posts: tuple[Event, ...]
    notes: tuple[NoteAdded, ...]
    earlier: tuple[str, ...]
    owner: str
    dm_open: bool
    liked: bool
    hidden: bool
    escalated: bool
    resolved: bool
    here: tuple[Here, ...]
    #: teammates' replies since this seat opened the thread (collision control)
    unseen: tuple[ReplySent, ...]


@dataclass(frozen=True, slots=True)
class Figures:
    """The top bar: the clock and the room's state (the world's minute, not the wall's)."""

    minute: float
    clock: str
    end_clock: str
    speed: float
    paused: bool
    started: bool
    running: bool
    finished: bool
    reputation: float
    waiting: int
    at_risk: int
    breached: int
    pinned: str | None
    pinned_minute: float | None
    facts: dict[str, str]
    facts_minute: float | None
    facts_count: int
    previous_facts: dict[str, str] = field(default_factory=dict)
    facts_clock: str = ""


@dataclass(frozen=True, slots=True)
class DeskView:
    figures: Figures
    rows: tuple[QueueRow, ...]
    total: int
    unread: int
    mine_waiting: int
    thread: ThreadView | None
    online: tuple[Here, ...]
    roster: tuple[RoomMember, ...]


def here_by_thread(presence: Sequence[Presence], except_user: int | None) -> dict[str, list[Here]]:
    out: dict[str, list[Here]] = {}
    for p in presence:
        if p.thread_id and p.user_id != except_user:
            out.setdefault(p.thread_id, []).append(Here(p.agent, p.display_name, p.typing))
    return out


def _sampled_reputation(projection: Any) -> float:
    """The reputation as last sampled (every simulated minute). Never ``session.reputation``:
    reading it decays the engine's state lazily, so a read between events would change the
    next samples in this server's copy only, and the copies would drift apart."""
    samples = projection.reputation
    return samples[-1].reputation if samples else 50.0


def figures(scenario: Scenario, session: Any, clock: Any, status: str) -> Figures:
    """The top bar of a seat or the console (``session``: the room's ``TrainingSession``)."""
    projection = session.projection
    now = session.now
    counts = {"waiting": 0, "at risk": 0, "breached": 0}
    for thread in projection.threads.values():
        state, _ = sla_state(thread, now, scenario.sla_minutes)
        if state != "-":
            counts["waiting"] += 1
            if state in counts:
                counts[state] += 1
    updates = projection.incident_updates
    pinned = projection.pinned_status
    return Figures(
        minute=now, clock=scenario.clock_label(now),
        end_clock=scenario.clock_label(scenario.duration_minutes), speed=clock.speed,
        paused=clock.paused, started=clock.started, running=status == "running",
        finished=session.finished, reputation=_sampled_reputation(projection),
        waiting=counts["waiting"], at_risk=counts["at risk"], breached=counts["breached"],
        pinned=None if pinned is None else pinned.text,
        pinned_minute=None if pinned is None else pinned.minute,
        facts=dict(updates[-1].facts) if updates else {},
        facts_minute=updates[-1].minute if updates else None, facts_count=len(updates),
        previous_facts=dict(updates[-2].facts) if len(updates) > 1 else {},
        facts_clock=scenario.clock_label(updates[-1].minute) if updates else "")


def queue_rows(session: Any, inbox: Any, scenario: Scenario, here: dict[str, list[Here]],
               filter_name: str, sort: str, agent: str, limit: int, offset: int
               ) -> tuple[list[QueueRow], int]:
    threads = [t for t in session.projection.threads.values()
               if room_matches(t, filter_name, agent)]
    window = heapq.nsmallest(offset + limit, threads, key=_sort_key(sort))[offset:]
    rows = []
    for t in window:
        state, waited = sla_state(t, session.now, scenario.sla_minutes)
        rows.append(QueueRow(
            thread_id=t.thread_id, handle=t.author.handle, verified=t.author.verified,
            followers=t.author.followers, priority=t.priority, sentiment=t.sentiment,
            sla=state, waited=waited, answered=t.answered, hidden=t.hidden,
            text=t.last_customer_text, owner=t.assignee, unread=inbox.unread(t),
            here=tuple(here.get(t.thread_id, ()))))
    return rows, len(threads)


def thread_view(session: Any, thread: ThreadState, here: dict[str, list[Here]],
                unseen: Sequence[ReplySent]) -> ThreadView:
    posts = [e for e in thread.events
             if isinstance(e, MentionArrived | CustomerFollowedUp | CustomerReplied | ReplySent)]
    projection = session.projection
    earlier = [tid for tid in projection.by_author.get(thread.author.handle, [])
               if projection.threads[tid].opened_minute < thread.opened_minute]
    return ThreadView(
        thread_id=thread.thread_id, author=thread.author, priority=thread.priority,
        intent=thread.intent, amplifications=thread.amplifications,
        first_mention_id=thread.first_mention_id, posts=tuple(posts[-THREAD_WINDOW:]),
        notes=tuple(projection.notes.get(thread.author.handle, [])[-5:]),
        earlier=tuple(earlier[-5:]), owner=thread.assignee,
        dm_open=thread.channel == "dm" or thread.moved_to_dm, liked=thread.liked,
        hidden=thread.hidden, escalated=thread.escalated, resolved=thread.resolved,
        here=tuple(here.get(thread.thread_id, ())), unseen=tuple(unseen))


# ------------------------------------------------------------------------------ the board
@dataclass(frozen=True, slots=True)
class MemberLine:
    """One roster member on the lead's board."""

    agent: str
    name: str
    duty: str
    joined: bool
    online: bool
    thread_id: str | None
    typing: bool
    replies: int
    statuses: int
    owned: int
    owned_waiting: int
    owned_breached: int


@dataclass(frozen=True, slots=True)
class Board:
    figures: Figures
    members: tuple[MemberLine, ...]
    threads: int
    unowned_waiting: int
    collisions: int
    auto_assign: bool
    rebuilds: int


def board(scenario: Scenario, session: Any, clock: Any, status: str,
          members: Sequence[RoomMember], presence: Sequence[Presence],
          auto_assign: bool, rebuilds: int) -> Board:
    """Who is on which thread, backlog, SLA breaches, reputation and per-agent counts."""
    transcript = session.transcript
    projection = session.projection
    roster = {m.agent for m in members}
    owner = owners(transcript, roster)
    online = {p.user_id: p for p in presence}
    replies: dict[str, int] = {}
    statuses: dict[str, int] = {}
    for event in transcript:
        agent = getattr(event, "agent", None)
        if agent is None:
            continue
        if isinstance(event, ReplySent):
            replies[agent] = replies.get(agent, 0) + 1
        elif isinstance(event, StatusPosted):
            statuses[agent] = statuses.get(agent, 0) + 1
    owned: dict[str, list[ThreadState]] = {}
    for thread_id, who in owner.items():
        if who is not None and thread_id in projection.threads:
            owned.setdefault(who, []).append(projection.threads[thread_id])
    lines = []
    for m in members:
        mine = owned.get(m.agent, [])
        seen = online.get(m.user_id)
        lines.append(MemberLine(
            agent=m.agent, name=m.display_name, duty=m.duty, joined=m.joined,
            online=seen is not None, thread_id=seen.thread_id if seen else None,
            typing=bool(seen and seen.typing), replies=replies.get(m.agent, 0),
            statuses=statuses.get(m.agent, 0), owned=len(mine),
            owned_waiting=sum(t.waiting_since is not None for t in mine),
            owned_breached=sum(sla_state(t, session.now, scenario.sla_minutes)[0] == "breached"
                               for t in mine)))
    nobody = [t for t in unowned(projection, owner)
              if projection.threads[t].waiting_since is not None]
    return Board(figures=figures(scenario, session, clock, status), members=tuple(lines),
                 threads=len(projection.threads), unowned_waiting=len(nobody),
                 collisions=len(collisions(transcript)), auto_assign=auto_assign,
                 rebuilds=rebuilds)

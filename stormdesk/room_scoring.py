"""What a room's transcript says about the team: who owned which customer, each agent's slice of
the flood (what their own scorecard grades), collisions, hand-offs, unowned customers, and the
team's reputation, CSAT and NPS. Pure functions of events (and the roster), so the live board,
the team scorecard and the tests compute them alike.

**Ownership.** A thread belongs to its last assignee (a roster agent), else to the agent who
replied to it first, else to nobody (unowned).

**An agent's slice** (their own scorecard): every thread they own or replied to, with only their
own replies in it (a teammate's words are graded on the teammate's card; a customer of theirs
whom only a teammate answered counts as unanswered by them, and shows as a hand-off), plus
what the whole team saw: the incident panel, the reputation samples and every status update
(keeping the public informed is the team's job, whoever posts).

**A collision**: two public replies to one thread by different agents within
``COLLISION_MINUTES`` simulated minutes: the customer heard from the brand twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from statistics import fmean
from typing import Any

from engine.projection import Projection
from engine.records import (
    Event,
    FeedbackSubmitted,
    IncidentUpdated,
    MentionHidden,
    MentionLiked,
    NoteAdded,
    ReplySent,
    ReputationSampled,
    SessionStarted,
    StatusPosted,
    ThreadAssigned,
    ThreadResolved,
)

#: Two public replies to one customer by different agents this close (simulated minutes) are a
#: collision: long enough to cover two people typing at once, short of a planned follow-up.
COLLISION_MINUTES = 5.0
#: Lists kept in a team card (the counts are always complete).
LIST_LIMIT = 100
#: NPS bands: 9-10 promoters, 0-6 detractors.
PROMOTER_MIN, DETRACTOR_MAX = 9, 6

_TEAM_WIDE = (SessionStarted, IncidentUpdated, ReputationSampled, StatusPosted)


@dataclass(frozen=True, slots=True)
class Collision:
    thread_id: str
    first_agent: str
    second_agent: str
    first_minute: float
    second_minute: float


@dataclass(frozen=True, slots=True)
class Handoff:
    thread_id: str
    from_agent: str
    to_agent: str
    minute: float
    by: str


def owners(events: Iterable[Event], roster: Collection[str]) -> dict[str, str | None]:
    """Thread id -> its owner (see the module), for every thread of the transcript."""
    assignee: dict[str, str] = {}
    first_replier: dict[str, str] = {}
    threads: dict[str, None] = {}  # in order of first appearance
    for event in events:
        thread_id = getattr(event, "thread_id", None)
        if thread_id is None:
            continue
        threads.setdefault(thread_id, None)
        if isinstance(event, ThreadAssigned) and event.assignee in roster:
            assignee[thread_id] = event.assignee
        elif isinstance(event, ReplySent):
            first_replier.setdefault(thread_id, event.agent)
    return {t: assignee.get(t) or first_replier.get(t) for t in threads}


def agent_slice(events: Sequence[Event], agent: str, owner: dict[str, str | None]) -> list[Event]:
    """The transcript an agent's own scorecard grades (see the module)."""
    replied = {e.thread_id for e in events if isinstance(e, ReplySent) and e.agent == agent}
    mine = {t for t, who in owner.items() if who == agent} | replied
    out: list[Event] = []
    for event in events:
        if isinstance(event, _TEAM_WIDE):
            out.append(event)
        elif isinstance(event, NoteAdded):
            if event.agent == agent:
                out.append(event)
        elif getattr(event, "thread_id", None) in mine:
            if isinstance(event, ReplySent) and event.agent != agent:
                continue
            out.append(event)
    return out


def collisions(events: Iterable[Event],
               window: float = COLLISION_MINUTES) -> list[Collision]:
    """Consecutive public replies to one thread by different agents within ``window``."""
    last: dict[str, ReplySent] = {}
    found: list[Collision] = []
    for event in events:
        if not isinstance(event, ReplySent) or event.channel != "public":
            continue
        before = last.get(event.thread_id)
        if before is not None and before.agent != event.agent \
                and event.minute - before.minute <= window:
            found.append(Collision(event.thread_id, before.agent, event.agent, before.minute,
                                   event.minute))
        last[event.thread_id] = event
    return found


def handoffs(events: Iterable[Event], roster: Collection[str]) -> list[Handoff]:
    """Threads re-assigned from one roster agent to another."""
    current: dict[str, str] = {}
    found: list[Handoff] = []
    for event in events:
        if not isinstance(event, ThreadAssigned) or event.assignee not in roster:
            continue
        before = current.get(event.thread_id)
        if before is not None and before != event.assignee:
            found.append(Handoff(event.thread_id, before, event.assignee, event.minute,
                                 event.agent))
        current[event.thread_id] = event.assignee
    return found


def unowned(projection: Projection, owner: dict[str, str | None]) -> list[str]:
    """Customers nobody took: never assigned to anyone on the roster and never answered."""
    return [t.thread_id for t in projection.customers()
            if owner.get(t.thread_id) is None and not t.answered]


def nps(scores: Sequence[int]) -> float | None:
    if not scores:
        return None
    promoters = sum(s >= PROMOTER_MIN for s in scores)
    detractors = sum(s <= DETRACTOR_MAX for s in scores)
    return round(100.0 * (promoters - detractors) / len(scores), 1)


def agent_counts(events: Iterable[Event], owner: dict[str, str | None],
                 projection: Projection) -> dict[str, dict[str, int]]:
    """Per agent: replies (public, DM), statuses, notes, assignments made, resolves, likes,
    hides; threads owned, answered and still waiting."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        agent = getattr(event, "agent", None)
        if agent is None:
            continue
        if isinstance(event, ReplySent):
            counts[agent]["replies"] += 1
            counts[agent]["dm_replies" if event.channel == "dm" else "public_replies"] += 1
        elif isinstance(event, StatusPosted):
            counts[agent]["statuses"] += 1
        elif isinstance(event, NoteAdded):
            counts[agent]["notes"] += 1
        elif isinstance(event, ThreadAssigned):
            counts[agent]["assigns"] += 1
        elif isinstance(event, ThreadResolved):
            counts[agent]["resolved"] += 1
        elif isinstance(event, MentionLiked):
            counts[agent]["likes"] += 1
        elif isinstance(event, MentionHidden):
            counts[agent]["hides"] += 1
    for thread_id, who in owner.items():
        thread = projection.threads.get(thread_id)
        if who is None or thread is None:
            continue
        counts[who]["owned"] += 1
        counts[who]["owned_answered"] += thread.answered
        counts[who]["owned_waiting"] += thread.waiting_since is not None
    return {agent: dict(c) for agent, c in sorted(counts.items())}


def team_facts(events: Sequence[Event], roster: Collection[str]) -> dict[str, Any]:
    """The team card's own section: reputation, CSAT and NPS, collisions, hand-offs, unowned
    customers and per-agent counts (lists capped at ``LIST_LIMIT``; counts complete)."""
    projection = Projection.of(events)
    owner = owners(events, roster)
    reputation = [e.reputation for e in events if isinstance(e, ReputationSampled)]
    feedback = [e for e in events if isinstance(e, FeedbackSubmitted)]
    hits = collisions(events)
    moves = handoffs(events, roster)
    nobody = unowned(projection, owner)
    return {
        "reputation": {"final": reputation[-1] if reputation else None,
                       "lowest": min(reputation) if reputation else None,
                       "mean": round(fmean(reputation), 2) if reputation else None},
        "csat": round(fmean(f.csat for f in feedback), 2) if feedback else None,
        "nps": nps([f.nps for f in feedback]),
        "feedback_answers": len(feedback),
        "collisions": len(hits),
        "collision_list": [asdict(c) for c in hits[:LIST_LIMIT]],
        "handoffs": len(moves),
        "handoff_list": [asdict(h) for h in moves[:LIST_LIMIT]],
        "unowned": len(nobody),
        "unowned_list": nobody[:LIST_LIMIT],
        "agents": agent_counts(events, owner, projection),
        "collision_minutes": COLLISION_MINUTES,
    }

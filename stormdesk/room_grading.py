"""Grading a room: replay its ordered log to the end minute, score the team on the whole
transcript and each seated member on their own slice (``stormdesk.room_scoring``).

The store calls ``RoomStoreGrader.grade_room`` when a lead ends a room or a manager re-scores
it: the store never takes a score from its caller, for rooms either. The team card is the
scorer's ``Scorecard`` of the whole transcript plus a ``team`` section (reputation, CSAT, NPS,
collisions, hand-offs, unowned customers, per-agent counts and each seat's headline); each seat's
card is the scorer's ``Scorecard`` of that member's slice plus a ``room`` section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine.records import Event
from engine.scenario import Scenario
from scoring.records import Scorecard
from store.room_grading import RoomGraded
from store.room_records import Room, RoomEntry, RoomMember
from stormdesk.grading import Grader
from stormdesk.room_scoring import agent_slice, collisions, handoffs, owners, team_facts
from stormdesk.room_world import replay_room


def _headline(card: Scorecard) -> dict[str, Any]:
    return {"overall": card.overall,
            "scores": {d.name: d.score for d in card.dimensions},
            "customers": card.coverage.customers, "answered": card.coverage.answered}


class RoomStoreGrader:
    """The store's room grader (``Store(room_grader=...)``): scenarios by id, and the app's
    ``Grader`` (its judge factory: offline, or the configured LLM judge)."""

    def __init__(self, scenarios: Callable[[str, str], Scenario | None], grader: Grader) -> None:
        self._scenarios = scenarios
        self._grader = grader

    def grade_room(self, room: Room, members: list[RoomMember], log: list[RoomEntry],
                   end_minute: float) -> RoomGraded:
        scenario = self._scenarios(room.scenario_id, room.scenario_hash)
        if scenario is None:
            raise LookupError(f"scenario {room.scenario_id!r} is no longer installed")
        session, refused = replay_room(scenario, room.seed, log, end_minute)
        events = list(session.transcript)
        return grade_transcript(self._grader, scenario, room, members, events, len(refused))


def grade_transcript(grader: Grader, scenario: Scenario, room: Room,
                     members: Sequence[RoomMember], events: list[Event],
                     refused: int = 0) -> RoomGraded:
    """The team card and every seated member's (their slice and card) of a room transcript."""
    roster = {m.agent for m in members}
    owner = owners(events, roster)
    hits = collisions(events)
    moves = handoffs(events, roster)
    seats: dict[int, tuple[Sequence[Event] | str, Any]] = {}
    headlines: dict[str, Any] = {}
    for member in members:
        if member.drill_id is None:
            continue
        mine = agent_slice(events, member.agent, owner)
        card = grader.score(mine, scenario, room.mode)
        headlines[member.agent] = _headline(card)
        seat = card.to_dict()
        seat["room"] = {
            "room_id": room.id, "agent": member.agent,
            "owned": sum(1 for who in owner.values() if who == member.agent),
            "collisions": sum(member.agent in (c.first_agent, c.second_agent) for c in hits),
            "handoffs_out": sum(h.from_agent == member.agent for h in moves),
            "handoffs_in": sum(h.to_agent == member.agent for h in moves)}
        seats[member.user_id] = (mine, seat)
    team = grader.score(events, scenario, room.mode).to_dict()
    team["team"] = {**team_facts(events, roster), "seats": headlines, "refused": refused,
                    "members": [{"agent": m.agent, "name": m.display_name, "duty": m.duty,
                                 "joined": m.joined} for m in members]}
    return RoomGraded(events, team, seats)

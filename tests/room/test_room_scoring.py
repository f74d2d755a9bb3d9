"""The team's view of a room transcript: ownership, each agent's slice, collisions, hand-offs,
unowned customers, and the cards the room grader builds from them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.projection import Projection
from engine.records import Assign, Event, Hide, PostStatus, Reply, ReplySent, StatusPosted
from engine.scenario import Scenario, resolve_scenario
from engine.session import TrainingSession
from store import Room, RoomClock, RoomMember
from stormdesk.grading import Grader, no_judge
from stormdesk.room_grading import grade_transcript
from stormdesk.room_scoring import (
    COLLISION_MINUTES,
    agent_slice,
    collisions,
    handoffs,
    owners,
    team_facts,
    unowned,
)

ROSTER = {"DR", "SO", "KJ"}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return resolve_scenario("telecom-outage")


def _played(scenario: Scenario) -> list[Event]:
    """t1: assigned to DR, answered by DR then SO 2 min later (a collision); t2: assigned to
    SO, re-assigned to KJ (a hand-off), answered by KJ; t3: answered by SO only (SO owns it);
    t4 onwards: nobody. A status by KJ."""
    session = TrainingSession(scenario, seed=7)
    session.advance_to(8)
    t1, t2, t3 = list(session.threads)[:3]
    session.act(Assign(t1, "DR", agent="DR"))
    session.act(Reply(t1, "Sorry about this, we're on it", agent="DR"))
    session.act(Assign(t2, "SO", agent="DR"))
    session.advance_to(10)
    session.act(Reply(t1, "Hi, our engineers are working on it", agent="SO"))
    session.act(Assign(t2, "KJ", agent="SO"))
    session.act(Reply(t2, "Thanks for flagging, on it", agent="KJ"))
    session.act(Reply(t3, "Sorry for the trouble", agent="SO"))
    session.act(Reply(t3, "Update: still on it", agent="SO"))  # same agent: no collision
    session.act(PostStatus("Calls are down in the North since 08:45.", agent="KJ"))
    session.advance_to(20)
    return list(session.transcript)


def test_room_owners_assignee_else_first_replier_else_nobody(scenario: Scenario) -> None:
    events = _played(scenario)
    owner = owners(events, ROSTER)
    t1, t2, t3, t4 = list(owner)[:4]
    assert (owner[t1], owner[t2], owner[t3], owner[t4]) == ("DR", "KJ", "SO", None)
    assert owners(events, {"DR"})[t2] == "KJ"  # not on the roster: first replier decides


def test_room_collisions_and_handoffs_counted(scenario: Scenario) -> None:
    events = _played(scenario)
    (hit,) = collisions(events)
    assert (hit.first_agent, hit.second_agent) == ("DR", "SO")
    assert hit.second_minute - hit.first_minute == pytest.approx(2.0)
    assert COLLISION_MINUTES >= 2.0
    assert collisions(events, window=1.0) == []
    (move,) = handoffs(events, ROSTER)
    assert (move.from_agent, move.to_agent, move.by) == ("SO", "KJ", "SO")


def test_room_agent_slice_keeps_own_replies_and_team_wide_events(scenario: Scenario) -> None:
    events = _played(scenario)
    owner = owners(events, ROSTER)
    t1, _, t3 = list(owner)[:3]
    so = agent_slice(events, "SO", owner)
    replies = [(e.thread_id, e.agent) for e in so if isinstance(e, ReplySent)]
    assert replies == [(t1, "SO"), (t3, "SO"), (t3, "SO")]  # never DR's words
    assert {getattr(e, "thread_id", None) for e in so} - {None} == {t1, t3}
    assert any(isinstance(e, StatusPosted) for e in so)  # the team's status updates
    dr = Projection.of(agent_slice(events, "DR", owner))
    assert set(dr.threads) == {t1}
    nobody = agent_slice(events, "XX", owner)
    assert not Projection.of(nobody).threads


def test_room_unowned_customers_never_assigned_nor_answered(scenario: Scenario) -> None:
    events = _played(scenario)
    projection = Projection.of(events)
    owner = owners(events, ROSTER)
    left = unowned(projection, owner)
    assert left and all(owner[t] is None and not projection.threads[t].answered for t in left)
    session = TrainingSession(resolve_scenario("telecom-outage"), seed=7)
    session.advance_to(8)
    hidden = list(session.threads)[-1]
    session.act(Hide(session.threads[hidden].first_mention_id, agent="DR"))
    # hiding a complaint does not answer it: still unowned
    assert hidden in unowned(session.projection, owners(session.transcript, ROSTER))


def test_room_team_facts_and_cards_per_seat(scenario: Scenario) -> None:
    events = _played(scenario)
    facts = team_facts(events, ROSTER)
    assert (facts["collisions"], facts["handoffs"]) == (1, 1)
    assert facts["agents"]["SO"]["public_replies"] == 3 and facts["agents"]["KJ"]["statuses"] == 1
    assert facts["reputation"]["final"] is not None
    members = [RoomMember(i, n.lower(), n, n, joined_at=datetime(2026, 1, 1, tzinfo=UTC),
                          drill_id=f"d{n}") for i, n in ((1, "DR"), (2, "SO"))]
    members.append(RoomMember(9, "kj", "KJ", "KJ"))  # never joined: no card
    room = Room(id="r1", title="", team_id=1, lead_id=1, lead_username="lee",
                scenario_id=scenario.id, scenario_hash=scenario.content_hash, seed=7,
                mode="practice", status="running", world_version="", world={},
                drill_minutes=scenario.duration_minutes,
                created_at=datetime(2026, 1, 1, tzinfo=UTC), ended_at=None, end_minute=None,
                auto_assign=False, last_seq=0, last_minute=0.0,
                clock=RoomClock(datetime(2026, 1, 1, tzinfo=UTC), 0.0, 60.0, True, 180.0))
    graded = grade_transcript(Grader(no_judge), scenario, room, members, events)
    team = dict(graded.card)  # type: ignore[call-overload]
    assert set(team["team"]["seats"]) == {"DR", "SO"} and set(graded.seats) == {1, 2}
    so_events, so_card = graded.seats[2]
    assert so_card["room"] == {"room_id": "r1", "agent": "SO", "owned": 1, "collisions": 1,
                               "handoffs_out": 1, "handoffs_in": 0}
    assert so_card["coverage"]["answered"] == 2  # t1 and t3 (t1 owned by DR, answered by SO)
    assert team["coverage"]["answered"] == 3
    assert not any(isinstance(e, ReplySent) and e.agent != "SO" for e in so_events)

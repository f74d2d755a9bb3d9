"""``Rooms``: one world and one clock for the team, on one server and on several (each with
its own copy in lockstep), lead controls, collision control, presence and round-robin."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from engine.records import (
    Assign,
    InjectMention,
    MentionArrived,
    PostStatus,
    Reply,
    Resolve,
    UpdateIncident,
)
from engine.session import ActionError
from store import AccessDenied, RoomNotRunning
from stormdesk.catalogue import Catalogue
from stormdesk.drill import EndNeedsConfirmation
from stormdesk.room_seat import AnsweredMeanwhile, RoomUnavailable
from stormdesk.room_world import replay_room
from stormdesk.rooms import Rooms

from .conftest import SCENARIO, Team, WallClock, open_room


def _json(rooms: Rooms, viewer: Any, room_id: str, minute: float) -> list[str]:
    copy = rooms.copy_of(viewer, room_id)
    with copy.lock:
        copy.session.advance_to(minute)
        return [e.to_json() for e in copy.session.transcript]


def _waiting(rooms: Rooms, seat: Any, n: int = 0) -> str:
    view = rooms.desk(seat, "unanswered", "oldest waiting")
    return view.rows[n].thread_id


def test_room_two_servers_interleave_one_order_same_world(any_team: Team, wall: WallClock,
                                                          catalogue: Catalogue) -> None:
    """Two servers, a trainee on each: their actions interleave in one order in the log, both
    copies hold the same transcript byte for byte, and it is what a fresh replay of the log
    gives (what the grader will see)."""
    room = open_room(any_team, catalogue)
    one, two = any_team.server(0), any_team.server(1)
    dana = one.join(any_team.dana.viewer, room.id)
    sam = two.join(any_team.sam.viewer, room.id)
    one.set_clock(any_team.lead.viewer, room.id, paused=False)
    wall.advance(10.0)
    for step in range(6):
        wall.advance(2.0)  # 2 simulated minutes at 60x
        one.tick(dana)
        two.tick(sam)
        one.act(dana, Reply(_waiting(one, dana), dana.drill.sign(f"Sorry, on it ({step})")))
        two.act(sam, Reply(_waiting(two, sam, 1), sam.drill.sign(f"Thanks for flagging {step}")))
    wall.advance(3.0)
    one.tick(dana)
    two.tick(sam)
    _, log = any_team.store.room_log(any_team.lead.viewer, room.id)
    assert [e.agent for e in log if e.kind == "action"] == ["DR", "SO"] * 6
    minute = log[-1].minute + 2
    assert _json(one, dana.viewer, room.id, minute) == _json(two, sam.viewer, room.id, minute)
    scenario = catalogue.get(SCENARIO)
    assert scenario is not None
    fresh, refused = replay_room(scenario, room.seed, log, minute)
    assert refused == {}
    assert [e.to_json() for e in fresh.transcript] == _json(one, dana.viewer, room.id, minute)


def test_room_action_written_before_applied_nothing_applied_when_store_away(
        team: Team, catalogue: Catalogue, wall: WallClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    room = open_room(team, catalogue)
    rooms = team.server(0)
    seat = rooms.join(team.dana.viewer, room.id)
    rooms.set_clock(team.lead.viewer, room.id, paused=False)
    wall.advance(5)
    rooms.tick(seat)
    thread = _waiting(rooms, seat)
    real = rooms.store.append_room
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # stored, but the answer never came back
            real(*args, **kwargs)
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(rooms.store, "append_room", flaky)
    monkeypatch.setattr("stormdesk.room_copies.APPEND_RETRY_SECONDS", 0.0)
    action = Reply(thread, seat.drill.sign("So sorry, we're on it"))
    with pytest.raises(RoomUnavailable):
        rooms.act(seat, action)
    copy = rooms.copy_of(seat.viewer, room.id)
    assert copy.applied == 0  # the clock's start only: nothing applied that was not stored
    monkeypatch.setattr(rooms.store, "append_room", real)
    rooms.act(seat, action)  # the trainee sends again: the same key, no second reply
    _, log = team.store.room_log(team.lead.viewer, room.id)
    assert [e.action.get("text") for e in log if e.kind == "action"] == [action.text]
    assert copy.session.threads[thread].replies == 1


def test_room_reply_after_teammate_answered_needs_confirmation(team: Team, wall: WallClock,
                                                               catalogue: Catalogue) -> None:
    room = open_room(team, catalogue)
    rooms = team.server(0)
    dana = rooms.join(team.dana.viewer, room.id)
    sam = rooms.join(team.sam.viewer, room.id)
    rooms.set_clock(team.lead.viewer, room.id, paused=False)
    wall.advance(5)
    rooms.tick(dana)
    thread = _waiting(rooms, dana)
    rooms.open_thread(dana, thread)
    rooms.open_thread(sam, thread)
    rooms.act(dana, Reply(thread, dana.drill.sign("So sorry about this, we're on it")))
    rooms.tick(sam)
    view = rooms.desk(sam)
    assert view.thread is not None and [e.agent for e in view.thread.unseen] == ["DR"]
    with pytest.raises(AnsweredMeanwhile) as asked:
        rooms.act(sam, Reply(thread, "Hi, checking this now"))
    assert asked.value.agents == ["DR"] and "we're on it" in asked.value.texts[0]
    rooms.act(sam, Reply(thread, "Hi, checking this now"), confirm=True)
    assert rooms.desk(sam).thread.unseen == ()  # type: ignore[union-attr]
    # Dana sees Sam's reply now: her next reply asks too.
    rooms.tick(dana)
    with pytest.raises(AnsweredMeanwhile):
        rooms.act(dana, Reply(thread, "Following up"))
    result = rooms.end(team.lead.viewer, room.id)
    team_card = result.card["team"]
    assert team_card["collisions"] == 1
    assert team_card["collision_list"][0]["thread_id"] == thread


def test_room_presence_shows_who_is_on_which_thread(any_team: Team, wall: WallClock,
                                                    catalogue: Catalogue) -> None:
    room = open_room(any_team, catalogue)
    one, two = any_team.server(0), any_team.server(1)
    dana = one.join(any_team.dana.viewer, room.id)
    sam = two.join(any_team.sam.viewer, room.id)
    one.set_clock(any_team.lead.viewer, room.id, paused=False)
    wall.advance(5)
    one.tick(dana)
    two.tick(sam)
    thread = _waiting(one, dana)
    one.open_thread(dana, thread)
    one.set_typing(dana, True)
    wall.advance(1)
    two.tick(sam)
    (row,) = [r for r in two.desk(sam, "all").rows if r.thread_id == thread]
    assert [(h.agent, h.name, h.typing) for h in row.here] == [("DR", "Dana Reyes", True)]
    two.open_thread(sam, thread)
    assert [h.agent for h in two.desk(sam).thread.here] == ["DR"]  # type: ignore[union-attr]
    assert all(h.agent != "SO" for r in two.desk(sam).rows for h in r.here)  # not myself
    board = one.console(any_team.lead.viewer, room.id)
    on = {m.agent: (m.online, m.thread_id, m.typing) for m in board.members}
    assert on == {"DR": (True, thread, True), "SO": (True, thread, False),
                  "KJ": (False, None, False)}
    wall.advance(30)  # tabs closed: presence fades
    one.console(any_team.lead.viewer, room.id)
    wall.advance(1)
    assert not any(m.online for m in one.console(any_team.lead.viewer, room.id).members)


def test_room_lead_clock_pauses_and_speeds_the_whole_room(any_team: Team, wall: WallClock,
                                                          catalogue: Catalogue) -> None:
    room = open_room(any_team, catalogue, speed=60.0)
    one, two = any_team.server(0), any_team.server(1)
    dana = one.join(any_team.dana.viewer, room.id)
    sam = two.join(any_team.sam.viewer, room.id)
    with pytest.raises(AccessDenied):
        two.set_clock(any_team.sam.viewer, room.id, paused=False)
    wall.advance(30)
    one.tick(dana)
    assert dana.drill.minute == 0.0  # waiting for the lead
    one.set_clock(any_team.lead.viewer, room.id, paused=False)
    wall.advance(10)
    one.set_clock(any_team.lead.viewer, room.id, paused=True)  # at minute 10
    wall.advance(60)
    for rooms, seat in ((one, dana), (two, sam)):
        rooms.sync(rooms.copy_of(seat.viewer, room.id), seat.viewer, force=True)
        rooms.tick(seat)
        assert seat.drill.minute == pytest.approx(10.0)
        assert seat.drill.clock.paused
    one.set_clock(any_team.lead.viewer, room.id, paused=False, speed=30.0)
    wall.advance(20)  # 10 simulated minutes at 30x, minus the lag of 0.5
    two.sync(two.copy_of(sam.viewer, room.id), sam.viewer, force=True)
    two.tick(sam)
    assert sam.drill.minute == pytest.approx(19.5)
    assert sam.drill.clock.speed == 30.0


def test_room_lead_inject_and_incident_update_reach_every_server(any_team: Team, wall: WallClock,
                                                                  catalogue: Catalogue) -> None:
    room = open_room(any_team, catalogue)
    one, two = any_team.server(0), any_team.server(1)
    dana = one.join(any_team.dana.viewer, room.id)
    sam = two.join(any_team.sam.viewer, room.id)
    one.set_clock(any_team.lead.viewer, room.id, paused=False)
    wall.advance(3)
    journalist = InjectMention("journalist", "outage", "Is the outage nationwide? {brand}",
                               author_handle="rita_news", display_name="Rita Reporter",
                               followers=250_000)
    events = one.lead_act(any_team.lead.viewer, room.id, journalist)
    (arrived,) = [e for e in events if isinstance(e, MentionArrived)]
    assert arrived.thread_id == "tL001" and arrived.author.handle == "rita_news"
    one.lead_act(any_team.lead.viewer, room.id,
                 UpdateIncident(down="Calls and data", since="08:45", affected="North",
                                eta="11:00"))
    with pytest.raises(ActionError, match="persona"):
        one.lead_act(any_team.lead.viewer, room.id,
                     InjectMention("alien", "outage", "Hello {brand}"))
    with pytest.raises(ActionError, match="lead"):
        two.act(sam, InjectMention("journalist", "outage", "Hi {brand}"))
    with pytest.raises(AccessDenied):
        two.lead_act(any_team.sam.viewer, room.id, journalist)
    wall.advance(2)
    two.sync(two.copy_of(sam.viewer, room.id), sam.viewer, force=True)
    for rooms, seat in ((one, dana), (two, sam)):
        rooms.tick(seat)
        view = rooms.desk(seat, "all", "newest activity", limit=200)
        assert "tL001" in {r.thread_id for r in view.rows}
        assert view.figures.facts["eta"] == "11:00"


def test_room_round_robin_deals_each_customer_once_across_servers(
        any_team: Team, wall: WallClock, catalogue: Catalogue) -> None:
    """Round-robin on: every new customer gets one owner (the status member skipped, DM
    matters to the DM desk), however many servers tick at once."""
    room = open_room(any_team, catalogue, duties=("", "status", "dms"))
    one, two = any_team.server(0), any_team.server(1)
    dana = one.join(any_team.dana.viewer, room.id)
    sam = two.join(any_team.sam.viewer, room.id)
    kim = two.join(any_team.kim.viewer, room.id)
    one.set_clock(any_team.lead.viewer, room.id, paused=False)
    one.set_auto_assign(any_team.lead.viewer, room.id, True)
    for _ in range(8):
        wall.advance(2)
        one.tick(dana)
        two.tick(sam)
        two.tick(kim)
    _, log = any_team.store.room_log(any_team.lead.viewer, room.id)
    assigns = [e for e in log if e.kind == "action" and e.action["kind"] == "assign"]
    threads = [e.action["thread_id"] for e in assigns]
    assert assigns and len(threads) == len(set(threads))  # one owner each
    assert {e.agent for e in assigns} == {"auto"}
    assert {e.action["assignee"] for e in assigns} <= {"DR", "KJ"}  # SO is on status updates
    copy = one.copy_of(dana.viewer, room.id)
    with copy.lock:
        for e in assigns:
            thread = copy.session.threads[e.action["thread_id"]]
            if e.action["assignee"] == "DR":
                assert not (thread.exposed or thread.intent in ("account_access", "billing",
                                                                 "refund", "security"))
    mine = one.desk(dana, "mine").total
    assert mine == sum(e.action["assignee"] == "DR" for e in assigns)
    one.set_auto_assign(any_team.lead.viewer, room.id, False)
    wall.advance(4)
    two.sync(two.copy_of(sam.viewer, room.id), sam.viewer, force=True)
    one.tick(dana)
    two.tick(sam)
    assert len([e for e in any_team.store.room_log(any_team.lead.viewer, room.id)[1]
                if e.agent == "auto"]) == len(assigns)


def test_room_assign_only_to_the_roster(team: Team, wall: WallClock,
                                        catalogue: Catalogue) -> None:
    room = open_room(team, catalogue)
    rooms = team.server(0)
    dana = rooms.join(team.dana.viewer, room.id)
    rooms.set_clock(team.lead.viewer, room.id, paused=False)
    wall.advance(5)
    rooms.tick(dana)
    thread = _waiting(rooms, dana)
    with pytest.raises(ActionError, match="roster"):
        rooms.act(dana, Assign(thread, "Somebody Else"))
    rooms.act(dana, Assign(thread, "SO"))
    assert rooms.desk(dana, "unassigned", limit=500).total < rooms.desk(dana, "all",
                                                                           limit=500).total


def test_room_world_ahead_of_a_late_entry_rebuilds_identically(
        any_team: Team, wall: WallClock, catalogue: Catalogue) -> None:
    """A server that ran past an entry's minute (stalled longer than the lag, here: no lag and
    another server's clock behind) rebuilds from the log: slower, never different."""
    room = open_room(any_team, catalogue)
    eager = any_team.server(0)
    eager.lag_seconds = 0.0
    other = any_team.server(1)
    dana = eager.join(any_team.dana.viewer, room.id)
    sam = other.join(any_team.sam.viewer, room.id)
    eager.set_clock(any_team.lead.viewer, room.id, paused=False)
    wall.advance(20)
    eager.tick(dana)
    assert dana.drill.minute == pytest.approx(20.0)
    wall.advance(-6)  # the other server's clock is behind: its action lands at minute 14
    other.sync(other.copy_of(sam.viewer, room.id), sam.viewer, force=True)
    other.tick(sam)
    other.act(sam, Reply(_waiting(other, sam), sam.drill.sign("Sorry, we're on it")))
    wall.advance(8)
    copy = eager.copy_of(dana.viewer, room.id)
    eager.sync(copy, dana.viewer, force=True)
    eager.tick(dana)
    assert copy.rebuilds == 1
    _, log = any_team.store.room_log(any_team.lead.viewer, room.id)
    assert log[-1].minute == pytest.approx(14.0)
    scenario = catalogue.get(SCENARIO)
    assert scenario is not None
    fresh, _ = replay_room(scenario, room.seed, log, copy.session.now)
    assert [e.to_json() for e in fresh.transcript] == [e.to_json() for e in copy.session.transcript]
    assert dana.drill.session is copy.session  # the seat follows the rebuilt world


def test_room_restart_rejoins_at_the_room_minute_nothing_lost(team: Team, wall: WallClock,
                                                              catalogue: Catalogue) -> None:
    room = open_room(team, catalogue)
    rooms = team.server(0)
    dana = rooms.join(team.dana.viewer, room.id)
    rooms.set_clock(team.lead.viewer, room.id, paused=False)
    wall.advance(12)
    rooms.tick(dana)
    sent = []
    for n in range(3):
        thread = _waiting(rooms, dana)
        rooms.act(dana, Reply(thread, dana.drill.sign(f"Sorry about this #{n}")))
        sent.append(thread)
    before = _json(rooms, dana.viewer, room.id, 12.5)
    restarted = team.server(1)  # a new process: nothing in memory
    wall.advance(4)
    again = restarted.join(team.dana.viewer, room.id)
    assert again.drill.minute == pytest.approx(15.0)  # minute 16 of the room, minus the lag
    assert again.member.drill_id == dana.member.drill_id
    assert _json(restarted, again.viewer, room.id, 12.5)[:len(before)] == before
    copy = restarted.copy_of(again.viewer, room.id)
    assert all(copy.session.threads[t].answered for t in sent)


def test_room_end_assessment_early_needs_confirmation_plays_out(team: Team, wall: WallClock,
                                                                catalogue: Catalogue) -> None:
    room = open_room(team, catalogue, mode="assessment")
    rooms = team.server(0)
    dana = rooms.join(team.dana.viewer, room.id)
    rooms.set_clock(team.lead.viewer, room.id, paused=False)
    wall.advance(10)
    rooms.tick(dana)
    rooms.act(dana, PostStatus(dana.drill.sign("Calls and data are down in the North. "
                                                "Next update at 09:00.")))
    with pytest.raises(EndNeedsConfirmation) as early:
        rooms.end(team.lead.viewer, room.id)
    assert early.value.remaining_minutes == pytest.approx(170.0)
    result = rooms.end(team.lead.viewer, room.id, play_out=True)
    assert result.card["complete"] is True and result.card["minutes_played"] == 180.0
    rooms.tick(dana)
    assert dana.ended and dana.drill.minute == 180.0
    with pytest.raises(RoomNotRunning):
        rooms.act(dana, Resolve("t000001"))
    (summary,) = team.store.drills_for(team.dana.viewer, trainee_id=team.dana.id)
    assert summary.drill.room_id == room.id and summary.played.complete
    assert rooms.end(team.lead.viewer, room.id) == result  # ending again changes nothing

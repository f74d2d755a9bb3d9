"""Ending and re-scoring rooms (both back ends): the store grades the log it holds through the
room grader, ends every seat's drill with its own card, and refuses what moved meanwhile."""

from __future__ import annotations

import pytest

from store import AccessDenied, Conflict, InvalidInput, RoomNotRunning, Store, StoreError

from .conftest import World
from .room_helpers import ROOM_MINUTES, FakeRoomGrader, entry, new_room, reply


@pytest.fixture
def room_grader(store: Store) -> FakeRoomGrader:
    grader = FakeRoomGrader()
    store.attach_room_grader(grader)
    return grader


def _played_room(store: Store, world: World) -> str:
    room = new_room(store, world, mode="assessment")
    store.join_room(world.v("a"), room.id)
    store.join_room(world.v("c"), room.id)
    store.append_room(world.v("a"), room.id, [entry("a1", reply("t1")), entry("a2", reply("t2"))])
    store.append_room(world.v("c"), room.id, [entry("c1", reply("t3"))])
    return room.id


def test_room_end_grades_stored_log_ends_every_seat(store: Store, world: World,
                                                    room_grader: FakeRoomGrader) -> None:
    room_id = _played_room(store, world)
    result = store.end_room(world.v("mx"), room_id, ROOM_MINUTES)
    (call,) = room_grader.calls
    assert [e.client_key for e in call[2]] == ["a1", "a2", "c1"] and call[3] == ROOM_MINUTES
    assert result.overall == 70.0 and result.card["team"]["agents"] == ["AL", "CA"]
    assert store.room(world.v("a"), room_id).status == "ended"
    assert store.room_result(world.v("c"), room_id) == result
    transcript = store.room_transcript(world.v("mx"), room_id)
    assert transcript is not None and transcript.event_count == 4
    for who, overall, answered in (("a", 62.0, 2), ("c", 61.0, 1)):
        (summary,) = store.drills_for(world.v(who), trainee_id=getattr(world, who).id)
        assert summary.drill.room_id == room_id and summary.drill.status == "ended"
        assert summary.overall == overall and summary.played.answered == answered
        assert summary.played.complete and not summary.certifying  # a team result
        history = store.history(world.v(who))
        assert [h.drill.room_id for h in history] == [room_id]
    (row,) = [r for r in store.cohort(world.v("mx")) if r.trainee_id == world.a.id]
    assert row.assessments == 0 and row.best == {}


def test_room_end_again_same_minute_returns_first_result(store: Store, world: World,
                                                         room_grader: FakeRoomGrader) -> None:
    room_id = _played_room(store, world)
    first = store.end_room(world.v("mx"), room_id, 12.0)
    assert store.end_room(world.v("mx"), room_id, 12.0) == first
    assert len(room_grader.calls) == 1
    with pytest.raises(RoomNotRunning):
        store.end_room(world.v("mx"), room_id, 13.0)


def test_room_end_refused_when_log_moved_while_grading(store: Store, world: World,
                                                       room_grader: FakeRoomGrader) -> None:
    room_id = _played_room(store, world)
    room_grader.during = lambda: store.append_room(world.v("c"), room_id, [entry("late")])
    with pytest.raises(Conflict, match="end it again"):
        store.end_room(world.v("mx"), room_id, 20.0)
    assert store.room(world.v("mx"), room_id).status == "running"
    room_grader.during = None
    store.end_room(world.v("mx"), room_id, 20.0)
    assert len(room_grader.calls[-1][2]) == 4  # the late entry was graded the second time


def test_room_end_refused_when_grader_leaves_a_seat_out(store: Store, world: World,
                                                        room_grader: FakeRoomGrader) -> None:
    room_id = _played_room(store, world)
    room_grader.skip_user = world.c.id
    with pytest.raises(InvalidInput, match="left out"):
        store.end_room(world.v("mx"), room_id, 20.0)
    assert store.room(world.v("mx"), room_id).status == "running"
    (summary,) = store.drills_for(world.v("c"), trainee_id=world.c.id)
    assert summary.drill.status == "running"


@pytest.mark.parametrize("who, minute, error", [
    ("a", 20.0, AccessDenied),        # a trainee never ends the room
    ("my", 20.0, AccessDenied),       # another team's manager cannot even see it
    ("mx", ROOM_MINUTES + 1, InvalidInput),
    ("mx", float("nan"), InvalidInput),
])
def test_room_end_refused_for_wrong_viewer_or_minute(store: Store, world: World,
                                                     room_grader: FakeRoomGrader, who: str,
                                                     minute: float,
                                                     error: type[Exception]) -> None:
    room_id = _played_room(store, world)
    with pytest.raises(error):
        store.end_room(world.v(who), room_id, minute)
    assert room_grader.calls == []


def test_room_end_without_room_grader_refused(store: Store, world: World) -> None:
    room_id = _played_room(store, world)
    with pytest.raises(StoreError, match="no room grader"):
        store.end_room(world.v("mx"), room_id, 20.0)


def test_room_rescore_adds_results_seat_rescore_adds_one_card(
        store: Store, world: World, room_grader: FakeRoomGrader) -> None:
    room_id = _played_room(store, world)
    with pytest.raises(RoomNotRunning):
        store.rescore_room(world.v("mx"), room_id)
    first = store.end_room(world.v("mx"), room_id, ROOM_MINUTES)
    second = store.rescore_room(world.v("admin"), room_id)
    assert second.id != first.id and store.room_result(world.v("a"), room_id) == second
    (summary,) = store.drills_for(world.v("a"), trainee_id=world.a.id)
    drill_id = summary.drill.id
    assert len(store.scorecards(world.v("a"), drill_id)) == 2
    store.rescore(world.v("mx"), drill_id)  # the dashboard's re-score of one seat
    assert len(store.scorecards(world.v("a"), drill_id)) == 3
    (carol,) = store.drills_for(world.v("c"), trainee_id=world.c.id)
    assert len(store.scorecards(world.v("c"), carol.drill.id)) == 2
    with pytest.raises(AccessDenied):
        store.rescore_room(world.v("a"), room_id)

"""The room contract (SQLite always, PostgreSQL when configured): opening and joining rooms, the
ordered, idempotent log and its stored clock, stamping, access by every kind of viewer,
presence, and concurrent writers from several stores (servers) at once."""

from __future__ import annotations

import itertools
import random
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import URL

from store import (
    AccessDenied,
    ActionConflict,
    Conflict,
    InvalidInput,
    NewEntry,
    NewRoom,
    RoomNotRunning,
    RosterPick,
    Store,
)
from store.passwords import FAST_TEST_HASHER

from .conftest import PASSWORD, REPLY, FakeClock, World
from .room_helpers import ROOM_MINUTES, entry, new_room, reply, start_clock

# ----------------------------------------------------------------------------- opening


def test_room_open_by_manager_roster_gets_unique_agent_codes(store: Store, world: World) -> None:
    dan = store.create_user("dan", PASSWORD, "trainee", world.team_x, "Dan Rogers")
    dana = store.create_user("dana", PASSWORD, "trainee", world.team_x, "Dana Reyes")
    spec = NewRoom(title="", scenario_id="telecom-outage", scenario_hash="h1", seed=1,
                   drill_minutes=60.0, roster=(RosterPick(dan.id), RosterPick(dana.id, "dms")))
    room = store.open_room(world.v("mx"), spec)
    assert room.team_id == world.team_x and room.lead_username == "mx"
    assert room.clock.paused and room.clock.minute == 0.0 and not room.clock.started
    members = store.room_members(world.v("mx"), room.id)
    assert [(m.agent, m.duty, m.joined) for m in members] == [("DR", "", False),
                                                              ("DR2", "dms", False)]


@pytest.mark.parametrize("who, roster, error", [
    ("a", ("a",), AccessDenied),          # trainees never open rooms
    ("mx", ("b",), InvalidInput),         # a trainee of another team
    ("mx", ("my",), InvalidInput),        # a manager is not a trainee
    ("my", ("a",), InvalidInput),         # manager Y with team X's trainee
    ("admin", ("a",), AccessDenied),      # an admin must name the team
])
def test_room_open_refused_for_wrong_viewer_or_roster(store: Store, world: World, who: str,
                                                      roster: tuple[str, ...],
                                                      error: type[Exception]) -> None:
    picks = tuple(RosterPick(getattr(world, name).id) for name in roster)
    spec = NewRoom(title="x", scenario_id="s", scenario_hash="h", seed=1, drill_minutes=30.0,
                   roster=picks)
    with pytest.raises(error):
        store.open_room(world.v(who), spec)


@pytest.mark.parametrize("field, value", [("seed", -1), ("speed", 0.0), ("drill_minutes", 0.0),
                                          ("mode", "exam"), ("roster", ())])
def test_room_open_invalid_spec_refused(store: Store, world: World, field: str,
                                        value: Any) -> None:
    values: dict[str, Any] = dict(title="x", scenario_id="s", scenario_hash="h", seed=1,
                                  drill_minutes=30.0, roster=(RosterPick(world.a.id),))
    values[field] = value
    with pytest.raises(InvalidInput):
        store.open_room(world.v("mx"), NewRoom(**values))


def test_room_join_creates_own_drill_once_never_resumed_solo(store: Store, world: World) -> None:
    room = new_room(store, world)
    first = store.join_room(world.v("a"), room.id)
    again = store.join_room(world.v("a"), room.id)
    assert first.drill_id is not None and again.drill_id == first.drill_id
    drill = store.drill(world.v("a"), first.drill_id)
    assert (drill.room_id, drill.initials, drill.agent_name) == (room.id, "AL", "Alice")
    assert store.running_drill_for(world.v("a")) is None  # the solo desk never resumes it
    with pytest.raises(Conflict, match="seat in room"):
        store.append_action(world.v("a"), drill.id, 0, 1.0, REPLY)
    with pytest.raises(Conflict, match="seat in room"):
        store.end_drill(world.v("a"), drill.id, 5.0)


@pytest.mark.parametrize("who", ["b", "my", "mx", "admin"])
def test_room_join_only_roster_trainees(store: Store, world: World, who: str) -> None:
    room = new_room(store, world)
    with pytest.raises(AccessDenied):
        store.join_room(world.v(who), room.id)


# ---------------------------------------------------------------------------------- access


@pytest.mark.parametrize("who, readable", [("a", True), ("c", True), ("mx", True),
                                           ("admin", True), ("b", False), ("my", False)])
def test_room_read_access_by_viewer(store: Store, world: World, who: str, readable: bool) -> None:
    room = new_room(store, world)
    calls = [lambda: store.room(world.v(who), room.id),
             lambda: store.room_log(world.v(who), room.id),
             lambda: store.room_members(world.v(who), room.id),
             lambda: store.room_presence(world.v(who), room.id)]
    for call in calls:
        if readable:
            call()
            continue
        with pytest.raises(AccessDenied) as missing:
            store.room(world.v(who), "made-up-room")
        with pytest.raises(AccessDenied) as hidden:
            call()
        assert str(hidden.value) == str(missing.value).replace("made-up-room", room.id)
    listed = {s.room.id for s in store.rooms_for(world.v(who))}
    assert (room.id in listed) is readable


def test_room_deactivated_member_refused_at_once(store: Store, world: World) -> None:
    room = new_room(store, world)
    store.join_room(world.v("a"), room.id)
    store.set_active(world.v("admin"), world.a.id, False)
    with pytest.raises(AccessDenied, match="sign in again"):
        store.append_room(world.v("a"), room.id, [entry("k")])


# ------------------------------------------------------------------------------- the log


def test_room_log_orders_stamps_and_times_entries_from_stored_clock(
        store: Store, world: World, clock: FakeClock) -> None:
    room = new_room(store, world, speed=60.0)
    store.join_room(world.v("a"), room.id)
    store.join_room(world.v("c"), room.id)
    before = store.append_room(world.v("a"), room.id, [entry("a0")])[0]
    assert (before.seq, before.minute, before.agent) == (0, 0.0, "AL")  # paused at 0
    start_clock(store, world, room)
    clock.advance(minutes=5 / 60)  # 5 s of wall time at 60x: minute 5
    (one,) = store.append_room(world.v("c"), room.id, [entry("c0", reply("t2"))])
    assert (one.seq, one.minute, one.agent, one.action["agent"]) == (2, 5.0, "CA", "CA")
    (paused,) = store.append_room(world.v("mx"), room.id,
                                  [entry("pause", {"paused": True, "speed": 30.0}, "clock")])
    clock.advance(minutes=10)
    (later,) = store.append_room(world.v("a"), room.id, [entry("a1")])
    assert paused.minute == later.minute == 5.0  # the clock stood still while paused
    log_room, log = store.room_log(world.v("a"), room.id)
    assert [e.seq for e in log] == [0, 1, 2, 3, 4]
    assert [e.kind for e in log] == ["action", "clock", "action", "clock", "action"]
    assert log_room.clock.paused and log_room.clock.speed == 30.0 and log_room.last_seq == 4
    assert store.room_log(world.v("a"), room.id, after_seq=2)[1] == log[3:]


def test_room_log_minutes_never_go_back_and_stop_at_the_end(store: Store, world: World,
                                                            clock: FakeClock) -> None:
    room = new_room(store, world, speed=60.0)
    store.join_room(world.v("a"), room.id)
    start_clock(store, world, room)
    clock.advance(minutes=0.2)  # minute 12
    (first,) = store.append_room(world.v("a"), room.id, [entry("k1")])
    clock.now -= timedelta(minutes=0.1)  # another server's clock, a little behind
    (second,) = store.append_room(world.v("a"), room.id, [entry("k2")])
    assert first.minute == second.minute == 12.0
    clock.advance(minutes=5)
    (last,) = store.append_room(world.v("a"), room.id, [entry("k3")])
    assert last.minute == ROOM_MINUTES


def test_room_log_retry_same_key_is_noop_different_action_conflicts(store: Store,
                                                                    world: World) -> None:
    room = new_room(store, world)
    store.join_room(world.v("a"), room.id)
    (stored,) = store.append_room(world.v("a"), room.id, [entry("k", reply(text="one"))])
    (again,) = store.append_room(world.v("a"), room.id, [entry("k", reply(text="one"))])
    assert again == stored
    with pytest.raises(ActionConflict):
        store.append_room(world.v("a"), room.id, [entry("k", reply(text="two"))])
    with pytest.raises(InvalidInput):
        store.append_room(world.v("a"), room.id, [entry("x"), entry("x")])
    assert [e.seq for e in store.room_log(world.v("a"), room.id)[1]] == [0]


@pytest.mark.parametrize("who, item, error", [
    ("a", entry("k", {"paused": False, "speed": 10.0}, "clock"), AccessDenied),
    ("a", entry("k", {"kind": "update_incident", "down": "Calls"}), AccessDenied),
    ("mx", entry("k"), AccessDenied),                        # the lead does not play
    ("mx", entry("k", {"paused": "no", "speed": 10.0}, "clock"), InvalidInput),
    ("mx", entry("k", {"paused": False, "speed": -1.0}, "clock"), InvalidInput),
    ("a", entry("k", {"kind": "teleport"}), InvalidInput),   # not a replayable action
    ("c", entry("k"), AccessDenied),                         # on the roster, not joined
])
def test_room_log_refuses_what_the_viewer_may_not_add(store: Store, world: World, who: str,
                                                      item: NewEntry,
                                                      error: type[Exception]) -> None:
    room = new_room(store, world)
    store.join_room(world.v("a"), room.id)
    with pytest.raises(error):
        store.append_room(world.v(who), room.id, [item])
    assert store.room_log(world.v("mx"), room.id)[1] == []


def test_room_log_lead_changes_stamped_lead(store: Store, world: World) -> None:
    room = new_room(store, world)
    (fact,) = store.append_room(world.v("mx"), room.id, [entry(
        "f", {"kind": "update_incident", "agent": "AL", "down": "Calls and data"})])
    assert (fact.agent, fact.action["agent"]) == ("lead", "lead")


def test_room_log_auto_assignments_only_when_switched_on(store: Store, world: World) -> None:
    room = new_room(store, world)
    store.join_room(world.v("a"), room.id)
    assign = {"kind": "assign", "thread_id": "t000001", "assignee": "CA"}
    with pytest.raises(AccessDenied, match="off"):
        store.append_room(world.v("a"), room.id, [entry("auto:t000001", assign)], auto=True)
    assert store.set_room_auto_assign(world.v("mx"), room.id, True).auto_assign
    with pytest.raises(InvalidInput):
        store.append_room(world.v("a"), room.id, [entry("auto:t1", reply())], auto=True)
    (auto,) = store.append_room(world.v("a"), room.id, [entry("auto:t000001", assign)],
                                auto=True)
    assert auto.agent == "auto"
    with pytest.raises(AccessDenied):
        store.set_room_auto_assign(world.v("a"), room.id, False)


# -------------------------------------------------------------------------------- presence


def test_room_presence_fresh_only_and_own_seat(store: Store, world: World,
                                               clock: FakeClock) -> None:
    room = new_room(store, world)
    store.join_room(world.v("a"), room.id)
    store.join_room(world.v("c"), room.id)
    store.set_room_presence(world.v("a"), room.id, "t000001", typing=True)
    clock.advance(minutes=1)
    store.set_room_presence(world.v("c"), room.id, "t000002")
    now = {p.agent: (p.thread_id, p.typing) for p in store.room_presence(world.v("mx"), room.id)}
    assert now == {"CA": ("t000002", False)}  # alice's is a minute old: her tab closed
    store.set_room_presence(world.v("a"), room.id, None, typing=True)
    got = {p.agent: (p.thread_id, p.typing) for p in store.room_presence(world.v("c"), room.id)}
    assert got["AL"] == (None, False)
    with pytest.raises(AccessDenied):
        store.set_room_presence(world.v("mx"), room.id, "t000001")


# ------------------------------------------------------------------------ concurrent writers


def test_room_log_concurrent_writers_on_several_stores_one_strict_order(
        store: Store, world: World, db_url: URL, clock: FakeClock) -> None:
    """Six writers on three stores (as three servers would hold them) append at once, with
    retries of their own earlier entries: one gap-free order, each key stored once, every
    writer's entries in the order it had them acknowledged, minutes never going back."""
    room = new_room(store, world)
    store.join_room(world.v("a"), room.id)
    store.join_room(world.v("c"), room.id)
    start_clock(store, world, room)
    servers = [store] + [Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock)
                         for _ in range(2)]
    writers = [("a", 0), ("c", 1), ("a", 2), ("c", 0), ("a", 1), ("c", 2)]
    per_writer = 15
    acked: dict[int, list[int]] = {i: [] for i in range(len(writers))}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(writers))

    def run(i: int, who: str, server: int) -> None:
        rng = random.Random(i)
        try:
            barrier.wait()
            for n in range(per_writer):
                item = entry(f"w{i}-{n}", reply(f"t{i}", f"writer {i} #{n}"))
                (got,) = servers[server].append_room(world.v(who), room.id, [item])
                acked[i].append(got.seq)
                if rng.random() < 0.3:  # a retry (a lost answer): the same entry comes back
                    (retry,) = servers[(server + 1) % 3].append_room(world.v(who), room.id,
                                                                     [item])
                    assert retry.seq == got.seq
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(i, who, server))
               for i, (who, server) in enumerate(writers)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        for extra in servers[1:]:
            extra.close()
    assert errors == []
    _, log = store.room_log(world.v("mx"), room.id)
    assert [e.seq for e in log] == list(range(len(writers) * per_writer + 1))
    assert len({e.client_key for e in log}) == len(log)
    assert all(a.minute <= b.minute for a, b in itertools.pairwise(log))
    for i, seqs in acked.items():
        assert seqs == sorted(seqs) and len(seqs) == per_writer
        texts = [log[s].action["text"] for s in seqs]
        assert texts == [f"writer {i} #{n}" for n in range(per_writer)]


def test_room_log_two_writers_racing_one_key_store_one_entry(store: Store,
                                                             world: World) -> None:
    room = new_room(store, world)
    store.join_room(world.v("a"), room.id)
    got: list[int] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        got.append(store.append_room(world.v("a"), room.id, [entry("same")])[0].seq)

    workers = [threading.Thread(target=send) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert got == [0, 0]
    assert len(store.room_log(world.v("a"), room.id)[1]) == 1


def test_room_log_refuses_appends_after_the_end_but_answers_retries(
        store: Store, world: World) -> None:
    from .room_helpers import FakeRoomGrader

    store.attach_room_grader(FakeRoomGrader())
    room = new_room(store, world)
    store.join_room(world.v("a"), room.id)
    (stored,) = store.append_room(world.v("a"), room.id, [entry("k")])
    store.end_room(world.v("mx"), room.id, 1.0)
    assert store.append_room(world.v("a"), room.id, [entry("k")]) == [stored]
    with pytest.raises(RoomNotRunning):
        store.append_room(world.v("a"), room.id, [entry("k2")])


# ---------------------------------------------------------------------------- notification


def test_room_listener_wakes_on_commit_postgresql_only(store: Store, world: World,
                                                       db_url: URL) -> None:
    """PostgreSQL: every append (and the auto-assignment switch) notifies every listening
    server with the room and its last seq, after commit; SQLite has no listener."""
    heard: list[tuple[str, int]] = []
    woke = threading.Event()

    def callback(room_id: str, seq: int) -> None:
        heard.append((room_id, seq))
        woke.set()

    other = Store.open(db_url, hasher=FAST_TEST_HASHER)
    try:
        listener = other.listen_rooms(callback)
        if db_url.get_backend_name() == "sqlite":
            assert listener is None
            return
        assert listener is not None and listener.connected.wait(10)
        room = new_room(store, world)
        store.join_room(world.v("a"), room.id)
        store.append_room(world.v("a"), room.id, [entry("k0"), entry("k1")])
        assert woke.wait(10)
        woke.clear()
        store.set_room_auto_assign(world.v("mx"), room.id, True)
        assert woke.wait(10)
        assert [h for h in heard if h[0] == room.id] == [(room.id, 1), (room.id, 1)]
        with pytest.raises(AccessDenied):  # a refused append notifies nobody
            store.append_room(world.v("c"), room.id, [entry("c0")])
    finally:
        other.close()
    assert not listener.connected.is_set()  # closing the store stops its listener

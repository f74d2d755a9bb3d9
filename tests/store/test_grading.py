"""Ending and re-scoring through the grader: the store scores what it holds, never what a caller
claims (issue 10 item 7), grades outside its transactions and refuses a result that went stale
while it was graded (both back ends)."""

from __future__ import annotations

import inspect
import threading
from typing import Any

import pytest
from sqlalchemy.engine import URL

from store import Conflict, DrillNotRunning, InvalidInput, Store, StoreError
from store.passwords import FAST_TEST_HASHER

from .conftest import REPLY, FakeClock, FakeGrader, World, play


def test_trainee_cannot_hand_in_a_score_the_store_grades_its_actions(
        store: Store, world: World, grader: FakeGrader) -> None:
    """The attack of issue 10: 25 stored actions, and a trainee who would like a 100."""
    viewer = world.v("a")
    drill = store.start_drill(viewer, "telecom-outage", "h1", 7, mode="assessment",
                              drill_minutes=60.0)
    for seq in range(25):
        store.append_action(viewer, drill.id, seq, 1.0 + seq, {**REPLY, "thread_id": f"t{seq}"})
    grader.customers = 40
    grader.verdict(drill.id, {"speed": 41.0}, 41.0)
    claimed = {"scorer_version": "x", "overall": 100.0, "dimensions": []}
    old_end: Any = store.end_drill  # called the old way on purpose
    with pytest.raises(TypeError):  # no parameter takes a transcript or a scorecard any more
        old_end(viewer, drill.id, "{}", claimed)
    assert not hasattr(store, "add_scorecard")
    assert list(inspect.signature(store.end_drill).parameters) == [
        "viewer", "drill_id", "end_minute"]
    scored = store.end_drill(viewer, drill.id, 60.0)
    graded_drill, actions, end = grader.calls[-1]
    assert graded_drill.id == drill.id and end == 60.0
    assert [a.seq for a in actions] == list(range(25))
    assert actions[3].action == {**REPLY, "thread_id": "t3"}
    assert scored.overall == 41.0
    assert (scored.played.customers, scored.played.answered) == (40, 25)
    stored = store.transcript(viewer, drill.id)
    assert stored is not None and stored.event_count == 26  # rebuilt from the 25 actions


def test_no_grader_refuses_to_end_or_rescore(db_url: URL, clock: FakeClock,
                                             world: World) -> None:
    bare = Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock)
    try:
        drill = bare.start_drill(world.v("a"), "telecom-outage", "h1", 7)
        with pytest.raises(StoreError, match="no grader configured"):
            bare.end_drill(world.v("a"), drill.id, 5.0)
        with pytest.raises(StoreError, match="no grader configured"):
            bare.rescore(world.v("mx"), drill.id)
        assert bare.drill(world.v("a"), drill.id).status == "running"
    finally:
        bare.close()


def test_grader_runs_outside_every_transaction_and_the_write_lock(
        store: Store, world: World, grader: FakeGrader) -> None:
    """While grading, no pooled connection is checked out and another writer gets through
    (on SQLite a held write gate would block it: the thread would not finish)."""
    viewer = world.v("a")
    other = store.start_drill(world.v("c"), "telecom-outage", "h1", 1)
    drill = store.start_drill(viewer, "telecom-outage", "h1", 7)
    seen: dict[str, object] = {}

    def during() -> None:
        seen["checked_out"] = store.engine.pool.checkedout()  # type: ignore[attr-defined]
        writer = threading.Thread(
            target=lambda: store.touch(world.v("c"), other.id, 3.0), daemon=True)
        writer.start()
        writer.join(timeout=10)
        seen["writer_done"] = not writer.is_alive()

    grader.during = during
    store.end_drill(viewer, drill.id, 4.0)
    assert seen == {"checked_out": 0, "writer_done": True}
    assert store.drill(world.v("c"), other.id).last_minute == 3.0


def test_action_stored_while_grading_refuses_the_end(store: Store, world: World,
                                                     grader: FakeGrader) -> None:
    """Another tab stores an action while the end is being graded: the grade is stale."""
    viewer = world.v("a")
    drill = store.start_drill(viewer, "telecom-outage", "h1", 7)
    store.append_action(viewer, drill.id, 0, 1.0, REPLY)
    grader.during = lambda: store.append_action(viewer, drill.id, 1, 2.0, REPLY)
    with pytest.raises(Conflict, match="new actions while it was graded"):
        store.end_drill(viewer, drill.id, 3.0)
    assert store.drill(viewer, drill.id).status == "running"
    grader.during = None
    store.end_drill(viewer, drill.id, 3.0)  # ending again grades both actions
    assert [a.seq for a in grader.calls[-1][1]] == [0, 1]


def test_concurrent_end_at_the_same_minute_stores_one_scorecard(
        store: Store, world: World, grader: FakeGrader) -> None:
    """Two tabs press End together: both grade, one writes, the other gets its scorecard."""
    viewer = world.v("a")
    drill = store.start_drill(viewer, "telecom-outage", "h1", 7)
    barrier = threading.Barrier(2)
    grader.during = lambda: barrier.wait(timeout=10)
    results = []

    def end() -> None:
        results.append(store.end_drill(viewer, drill.id, 8.0))

    tabs = [threading.Thread(target=end) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(timeout=30)
    assert len(results) == 2 and results[0] == results[1]
    assert len(grader.calls) == 2
    assert len(store.scorecards(viewer, drill.id)) == 1


def test_grader_failure_leaves_the_drill_running(store: Store, world: World,
                                                 grader: FakeGrader) -> None:
    viewer = world.v("a")
    drill = store.start_drill(viewer, "telecom-outage", "h1", 7)

    def fail() -> None:
        raise LookupError("scenario 'telecom-outage' is no longer installed")

    grader.during = fail
    with pytest.raises(LookupError):
        store.end_drill(viewer, drill.id, 3.0)
    assert store.drill(viewer, drill.id).status == "running"
    assert store.append_action(viewer, drill.id, 0, 3.5, REPLY) is True


@pytest.mark.parametrize("minute", [-1.0, float("nan"), float("inf"), 10_081.0, 0.5])
def test_end_minute_out_of_range_or_before_last_action_refused(
        store: Store, world: World, grader: FakeGrader, minute: float) -> None:
    viewer = world.v("a")
    drill = store.start_drill(viewer, "telecom-outage", "h1", 7)
    store.append_action(viewer, drill.id, 0, 1.0, REPLY)
    with pytest.raises(InvalidInput):
        store.end_drill(viewer, drill.id, minute)
    assert grader.calls == [] and store.drill(viewer, drill.id).status == "running"


def test_rescore_after_its_scenario_changed_is_recorded_with_the_new_world(
        store: Store, world: World, grader: FakeGrader) -> None:
    """A re-score replays on today's world: a different scenario hash is not refused."""
    drill_id = play(store, world.v("a"), {"speed": 60.0}, 60.0)
    grader.override_card = {**grader.grade(store.drill(world.v("a"), drill_id), [], 30.0)[1],
                            "scenario_hash": "edited-since", "world": "w2"}
    record = store.rescore(world.v("admin"), drill_id)
    assert record.world == "w2" and store.drill(world.v("a"), drill_id).world_version == "w1"


def test_ended_drill_refuses_another_end_but_returns_its_own(store: Store, world: World) -> None:
    drill_id = play(store, world.v("a"), {"speed": 60.0}, 60.0, end_minute=30.0)
    assert store.end_drill(world.v("a"), drill_id, 30.0).overall == 60.0
    with pytest.raises(DrillNotRunning, match="already ended at minute 30"):
        store.end_drill(world.v("a"), drill_id, 29.0)

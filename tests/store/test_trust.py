"""Issue 8 in the store: the world a drill was played on, how much of it was played, overrides
that count everywhere, and pass/fail from complete assessment drills only (both back ends)."""

from __future__ import annotations

from typing import Any

import pytest

from store import InvalidInput, Played, Store

from .conftest import DRILL_MINUTES, FakeClock, FakeGrader, World, play

# ------------------------------------------------------------------------------- the world


def test_start_drill_records_world_and_length(store: Store, world: World) -> None:
    components = {"scenario": "h1", "banks": "b1", "lexicons": "l1", "engine": "e1",
                  "scorer": "s1"}
    drill = store.start_drill(world.v("a"), "telecom-outage", "h1", 7, mode="assessment",
                              world_version="abc123def456", world=components,
                              drill_minutes=60.0)
    again = store.drill(world.v("mx"), drill.id)
    assert (again.world_version, again.world, again.drill_minutes) == (
        "abc123def456", components, 60.0)
    assert again.end_minute is None


def test_start_drill_old_callers_get_the_scenario_as_world(store: Store, world: World) -> None:
    drill = store.start_drill(world.v("a"), "telecom-outage", "h1", 7, 10.0, "practice")
    assert (drill.world_version, drill.world, drill.drill_minutes) == ("", {"scenario": "h1"},
                                                                       None)


@pytest.mark.parametrize("extra", [
    {"world_version": "x" * 65},
    {"world": {"scenario": 5}},
    {"world": {"": "h"}},
    {"world": {f"c{i}": "h" for i in range(33)}},
    {"world": ["scenario", "h1"]},
    {"drill_minutes": 0.0},
    {"drill_minutes": -5.0},
    {"drill_minutes": float("nan")},
    {"drill_minutes": 10_081.0},
    {"drill_minutes": True},
])
def test_start_drill_bad_world_or_length_refused(store: Store, world: World,
                                                 extra: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        store.start_drill(world.v("a"), "telecom-outage", "h1", 7, **extra)


# ------------------------------------------------------------------- completeness, coverage


def test_scorecard_records_minutes_played_and_coverage(store: Store, world: World,
                                                        grader: FakeGrader) -> None:
    grader.customers = 9
    drill_id = play(store, world.v("a"), {"speed": 70.0}, 70.0, mode="practice", end_minute=7.0)
    played = Played(minutes_played=7.0, drill_minutes=DRILL_MINUTES, complete=False,
                    customers=9, answered=1)
    assert store.scorecards(world.v("a"), drill_id)[0].played == played
    summary = store.drills_for(world.v("mx"))[0]
    assert summary.played == played and not summary.complete and not summary.certifying
    assert summary.played.describe() == "7 of 30 min · 1/9 answered"
    assert summary.played.coverage_share == pytest.approx(1 / 9)
    point = store.history(world.v("mx"))[0]
    assert point.played == played and point.drill.mode == "practice"


def test_scorecard_without_completeness_keys_is_kept_unknown(store: Store, world: World) -> None:
    """Cards of the scorer before completeness existed are stored; they never certify."""
    drill_id = play(store, world.v("a"), {"speed": 90.0}, 90.0, legacy=True)
    record = store.scorecards(world.v("a"), drill_id)[0]
    assert record.played == Played() and record.mode is None and record.world is None
    assert record.played.describe() == "- of - min · - answered"
    assert store.drills_for(world.v("a"))[0].certifying is False


def test_card_without_complete_key_derives_it_from_minutes(store: Store, world: World,
                                                           grader: FakeGrader) -> None:
    drill = store.start_drill(world.v("a"), "telecom-outage", "h1", 7, mode="assessment",
                              drill_minutes=30.0)
    base = grader.grade(store.drill(world.v("a"), drill.id), [], 30.0)[1]
    grader.override_card = {k: v for k, v in base.items() if k != "complete"}
    assert store.end_drill(world.v("a"), drill.id, 30.0).played.complete is True


def test_failed_dimensions_listed_from_card_or_scores(store: Store, world: World) -> None:
    drill_id = play(store, world.v("a"), {"speed": 80.0, "empathy": None}, 40.0)
    assert store.scorecards(world.v("a"), drill_id)[0].failed == ["empathy"]
    old = play(store, world.v("a"), {"tone": None}, None, legacy=True)
    assert store.scorecards(world.v("a"), old)[0].failed == ["tone"]


# ------------------------------------------------------------------------ overrides count

WEIGHTS = {"speed": 0.5, "empathy": 0.25, "privacy": 0.25}


def test_dimension_override_recomputes_overall_everywhere(store: Store, world: World,
                                                          clock: FakeClock) -> None:
    mx = world.v("mx")
    drill_id = play(store, world.v("a"), {"speed": 80.0, "empathy": 40.0, "privacy": 60.0},
                    65.0, weights=WEIGHTS)
    sc = store.scorecards(mx, drill_id)[0]
    store.set_threshold(mx, world.team_x, "telecom-outage", "overall", 70.0)
    assert store.cohort(mx)[0].passed is False
    store.override(mx, sc.id, "empathy", 80.0, "Owned the outage; the lexicon missed it")
    effective = 0.5 * 80 + 0.25 * 80 + 0.25 * 60  # 75.0
    summary = store.drills_for(mx)[0]
    assert (summary.overall, summary.auto_overall) == (effective, 65.0)
    assert summary.overridden == {"empathy", "overall"}
    scores = store.drill_scores(mx, drill_id)
    assert scores is not None
    assert scores.scores == {"overall": effective, "speed": 80.0, "empathy": 80.0,
                             "privacy": 60.0}
    assert scores.auto_scores == {"overall": 65.0, "speed": 80.0, "empathy": 40.0,
                                  "privacy": 60.0}
    assert store.history(mx)[0].scores["overall"] == effective
    row = store.cohort(mx)[0]
    assert (row.latest["overall"], row.latest_auto["overall"], row.best["overall"]) == (
        effective, 65.0, effective)
    assert row.passed is True and row.latest_overridden == {"empathy", "overall"}
    assert [p.overall for p in store.peers(mx, drill_id)] == [effective]
    clock.advance()
    store.override(mx, sc.id, "overall", 71.0, "Holistic call at review")  # the overall wins
    assert store.drills_for(mx)[0].overall == 71.0
    assert store.scorecard(mx, sc.id).overall == 65.0  # the automatic score never changes


def test_overriding_a_failed_dimension_counts_with_its_weight(store: Store, world: World) -> None:
    """A failed dimension (None) counts 0 with its weight; the manager's score replaces it."""
    mx = world.v("mx")
    drill_id = play(store, world.v("a"), {"speed": 80.0, "empathy": None, "privacy": 60.0},
                    55.0, weights=WEIGHTS)
    sc = store.scorecards(mx, drill_id)[0]
    store.override(mx, sc.id, "privacy", 100.0, "The DM move was right")
    assert store.drills_for(mx)[0].overall == 0.5 * 80 + 0.25 * 0 + 0.25 * 100
    store.override(mx, sc.id, "empathy", 40.0, "Read the replies: some empathy")
    assert store.drills_for(mx)[0].overall == 0.5 * 80 + 0.25 * 40 + 0.25 * 100


def test_failed_dimension_never_passes_its_threshold(store: Store, world: World) -> None:
    mx = world.v("mx")
    play(store, world.v("a"), {"speed": 95.0, "empathy": None}, 95.0)
    store.set_threshold(mx, world.team_x, "telecom-outage", "empathy", 10.0)
    row = store.cohort(mx)[0]
    assert (row.passed, row.failed_dimensions) == (False, ("empathy",))


# ---------------------------------------------------- pass/fail and best: complete assessments


def test_early_end_and_practice_never_pass_or_set_best(store: Store, world: World,
                                                       clock: FakeClock) -> None:
    """Issue 8's case: 1 reply and End at minute 7 scored 96; the full drill scored 66."""
    mx, a = world.v("mx"), world.v("a")
    store.set_threshold(mx, world.team_x, "telecom-outage", "overall", 60.0)
    full = play(store, a, {"speed": 66.0}, 66.0)
    clock.advance()
    play(store, a, {"speed": 96.0}, 96.0, end_minute=7.0)  # an assessment ended early
    clock.advance()
    practice = play(store, a, {"speed": 99.0}, 99.0, mode="practice")
    row = store.cohort(mx)[0]
    assert row.drills == 3 and row.assessments == 1
    assert (row.latest_drill_id, row.latest_mode, row.latest["overall"]) == (
        practice, "practice", 99.0)
    assert row.latest_played.complete is True  # played in full, but only practice
    assert row.best == {"overall": 66.0, "speed": 66.0}
    assert (row.assessed_drill_id, row.assessed["overall"], row.passed) == (full, 66.0, True)
    assert row.assessed_played.complete is True and row.assessed_played.answered == 1
    labels = [(p.drill.mode, p.complete, p.certifying) for p in store.history(mx)]
    assert labels == [("assessment", True, True), ("assessment", False, False),
                      ("practice", True, False)]


def test_thresholds_without_a_complete_assessment_fail(store: Store, world: World) -> None:
    mx = world.v("mx")
    play(store, world.v("a"), {"speed": 99.0}, 99.0, mode="practice")
    play(store, world.v("c"), {"speed": 99.0}, 99.0)
    rows = {r.username: r for r in store.cohort(mx)}
    assert rows["alice"].passed is None and rows["alice"].best == {}  # no threshold yet
    store.set_threshold(mx, world.team_x, "telecom-outage", "overall", 50.0)
    rows = {r.username: r for r in store.cohort(mx)}
    assert (rows["alice"].passed, rows["alice"].assessed_drill_id) == (False, None)
    assert rows["carol"].passed is True


# ------------------------------------------------------------------------------- compare


def test_peers_same_scenario_and_seed_across_worlds(store: Store, world: World,
                                                    clock: FakeClock) -> None:
    a, c, mx = world.v("a"), world.v("c"), world.v("mx")
    first = play(store, a, {"speed": 50.0}, 50.0, seed=11)
    clock.advance()
    edited = store.start_drill(c, "telecom-outage", "h2-edited", 11, mode="assessment",
                               world_version="w2", drill_minutes=30.0)
    store.end_drill(c, edited.id, 30.0)
    peers = store.peers(mx, first)
    assert [p.drill.id for p in peers] == [first, edited.id]
    assert [(p.world_version, p.scenario_hash) for p in peers] == [("w1", "h1"),
                                                                  ("w2", "h2-edited")]

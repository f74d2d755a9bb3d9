"""The store's contract: every back end (SQLite always, PostgreSQL when configured) must pass it.

Covers migrations, accounts and throttling, append-only idempotent actions, ending and
re-scoring drills, the override audit, access control by every method, the cohort queries,
recovery of a real engine session from stored actions, and concurrent writers.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text

from engine.records import PostStatus, Reply
from engine.scenario import resolve_scenario
from engine.session import TrainingSession
from store import (
    AccessDenied,
    ActionConflict,
    Conflict,
    DrillNotRunning,
    InvalidInput,
    InvalidLogin,
    LoginThrottled,
    Store,
)
from store.migrate import current_revision, head_revision
from store.models import Base, DrillActionRow
from store.passwords import FAST_TEST_HASHER
from tests.store.conftest import (
    PASSWORD,
    REPLY,
    FakeClock,
    FakeGrader,
    World,
    card,
    play,
    transcript,
)

# ---------------------------------------------------------------------------------- migrations


def test_open_empty_database_migrates_to_head(store: Store) -> None:
    assert current_revision(store.engine) == head_revision() is not None
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_models_match_migrations_no_autogenerate_diff(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_reopen_existing_database_keeps_data(store: Store, db_url: Any, clock: FakeClock) -> None:
    store.create_team("Kept")
    again = Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock)
    try:
        assert again.team_by_name("Kept") is not None
        assert current_revision(again.engine) == head_revision()
    finally:
        again.close()


# ------------------------------------------------------------------------------------ accounts


def test_create_user_password_is_argon2_hashed_never_plain(store: Store, world: World) -> None:
    with store.engine.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert len(hashes) == 6
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert len(set(hashes)) == 6  # salted


def test_create_user_username_normalised_and_unique(store: Store, world: World) -> None:
    assert world.a.username == "alice"
    with pytest.raises(Conflict):
        store.create_user("  ALICE ", PASSWORD, "trainee", world.team_x)


@pytest.mark.parametrize(("username", "password", "role", "team"), [
    ("x", PASSWORD, "trainee", None),  # too short a username
    ("has space", PASSWORD, "trainee", None),
    ("dana", "short", "trainee", None),  # weak password
    ("dana", PASSWORD, "superuser", None),  # unknown role
    ("dana", PASSWORD, "manager", None),  # a manager needs a team
    ("dana", PASSWORD, "trainee", 999),  # unknown team
])
def test_create_user_bad_input_refused(store: Store, username: str, password: str, role: Any,
                                       team: int | None) -> None:
    with pytest.raises(InvalidInput):
        store.create_user(username, password, role, team)


def test_authenticate_right_password_returns_user(store: Store, world: World,
                                                   clock: FakeClock) -> None:
    user = store.authenticate("Alice", PASSWORD, clock.now)
    assert user == world.a and user.viewer.role == "trainee"


def test_authenticate_wrong_or_unknown_same_error(store: Store, world: World,
                                                  clock: FakeClock) -> None:
    with pytest.raises(InvalidLogin) as wrong:
        store.authenticate("alice", "nope-nope-nope", clock.now)
    with pytest.raises(InvalidLogin) as unknown:
        store.authenticate("nobody", "nope-nope-nope", clock.now)
    assert str(wrong.value) == str(unknown.value)


def test_authenticate_five_failures_throttle_for_five_minutes(store: Store, world: World,
                                                              clock: FakeClock) -> None:
    now = clock.now
    for attempt in range(5):
        with pytest.raises(InvalidLogin):
            store.authenticate("alice", "wrong-password", now + timedelta(seconds=attempt))
    with pytest.raises(LoginThrottled) as throttled:  # even the right password is refused
        store.authenticate("alice", PASSWORD, now + timedelta(minutes=1))
    assert throttled.value.until == now + timedelta(seconds=4, minutes=5)
    with pytest.raises(LoginThrottled):
        store.authenticate("alice", PASSWORD, now + timedelta(minutes=5, seconds=3))
    assert store.authenticate("alice", PASSWORD, now + timedelta(minutes=5, seconds=4)) == world.a


def test_authenticate_success_resets_failure_count(store: Store, world: World,
                                                   clock: FakeClock) -> None:
    for _ in range(4):
        with pytest.raises(InvalidLogin):
            store.authenticate("alice", "wrong-password", clock.now)
    store.authenticate("alice", PASSWORD, clock.now)
    for _ in range(4):
        with pytest.raises(InvalidLogin):
            store.authenticate("alice", "wrong-password", clock.now)
    assert store.authenticate("alice", PASSWORD, clock.now) == world.a


def test_deactivated_user_cannot_log_in_and_old_viewer_refused(store: Store, world: World,
                                                               clock: FakeClock) -> None:
    store.set_active(world.v("admin"), world.a.id, False)
    with pytest.raises(InvalidLogin):
        store.authenticate("alice", PASSWORD, clock.now)
    with pytest.raises(AccessDenied):
        store.drills_for(world.v("a"))


def test_changed_role_makes_old_viewer_stale(store: Store, world: World) -> None:
    store.update_user(world.v("admin"), world.c.id, "manager", world.team_x)
    with pytest.raises(AccessDenied):
        store.running_drill_for(world.v("c"))
    assert store.require_role(world.v("admin"), "admin") == world.admin


def test_set_password_own_or_admin_only(store: Store, world: World, clock: FakeClock) -> None:
    store.set_password(world.v("a"), world.a.id, "a brand new one")
    assert store.authenticate("alice", "a brand new one", clock.now) == world.a
    with pytest.raises(AccessDenied):
        store.set_password(world.v("mx"), world.a.id, "managers cannot")
    store.set_password(world.v("admin"), world.a.id, "admin resets it")
    assert store.authenticate("alice", "admin resets it", clock.now) == world.a


def test_login_layer_lookups(store: Store, world: World) -> None:
    assert store.has_users()
    assert store.user_by_id(world.a.id) == world.a
    assert store.user_by_username("ALICE") == world.a
    assert store.user_by_username("nobody") is None and store.user_by_id(10**6) is None
    assert store.user_by_username("no spaces allowed") is None
    sso = store.create_user("dana.reyes+sd@example.com", PASSWORD, "trainee", world.team_x)
    assert store.user_by_username("Dana.Reyes+SD@example.com") == sso


def test_has_users_false_on_a_fresh_database(store: Store) -> None:
    assert not store.has_users()


def test_users_and_teams_scoped_by_role(store: Store, world: World) -> None:
    assert len(store.users(world.v("admin"))) == 6
    assert {u.username for u in store.users(world.v("mx"))} == {"mx", "alice", "carol"}
    assert [u.username for u in store.users(world.v("b"))] == ["bob"]
    assert [t.name for t in store.teams(world.v("my"))] == ["Team Y"]
    with pytest.raises(AccessDenied):
        store.require_role(world.v("mx"), "admin")


# -------------------------------------------------------------------------------------- drills


def test_start_drill_records_what_rebuilds_it(store: Store, world: World) -> None:
    drill = store.start_drill(world.v("a"), "telecom-outage", "h1", 42, speed=30.0,
                              mode="assessment")
    assert len(drill.id) == 12 and drill.status == "running" and drill.last_minute == 0
    assert (drill.scenario_id, drill.scenario_hash, drill.seed, drill.speed, drill.mode) == (
        "telecom-outage", "h1", 42, 30.0, "assessment")
    assert store.running_drill_for(world.v("a")) == drill
    assert store.running_drill_for(world.v("c")) is None


@pytest.mark.parametrize(("seed", "speed", "mode"), [
    (-1, 1.0, "practice"), (7, 0.0, "practice"), (7, float("nan"), "practice"), (7, 1.0, "exam")])
def test_start_drill_bad_input_refused(store: Store, world: World, seed: int, speed: float,
                                       mode: Any) -> None:
    with pytest.raises(InvalidInput):
        store.start_drill(world.v("a"), "telecom-outage", "h1", seed, speed, mode)


def test_running_drill_for_is_the_newest_running(store: Store, world: World,
                                                 clock: FakeClock) -> None:
    store.start_drill(world.v("a"), "s", "h", 1)
    clock.advance()
    newer = store.start_drill(world.v("a"), "s", "h", 2)
    assert store.running_drill_for(world.v("a")) == newer


def test_append_action_kept_in_seq_order(store: Store, world: World) -> None:
    viewer = world.v("a")
    drill = store.start_drill(viewer, "s", "h", 1)
    sent = [Reply(thread_id=f"t{i}", text=f"reply {i}") for i in range(5)]
    for seq, action in enumerate(sent):
        assert store.append_action(viewer, drill.id, seq, 1.0 + seq / 2, action) is True
    assert store.actions(viewer, drill.id) == [(1.0 + i / 2, a.to_dict())
                                               for i, a in enumerate(sent)]
    assert [a for _, a in store.replay_actions(viewer, drill.id)] == sent
    assert store.drill(viewer, drill.id).last_minute == 3.0


def test_append_action_retry_same_payload_is_noop(store: Store, world: World) -> None:
    viewer = world.v("a")
    drill = store.start_drill(viewer, "s", "h", 1)
    store.append_action(viewer, drill.id, 0, 1.0, REPLY)
    store.append_action(viewer, drill.id, 1, 2.0, PostStatus(text="We are on it"))
    assert store.append_action(viewer, drill.id, 0, 1.0, dict(reversed(REPLY.items()))) is False
    assert store.append_action(viewer, drill.id, 1, 2.0, PostStatus(text="We are on it")) is False
    assert len(store.actions(viewer, drill.id)) == 2


@pytest.mark.parametrize(("seq", "minute", "action"), [
    (0, 1.0, {**REPLY, "text": "something else"}),  # a stored seq with another payload
    (0, 1.5, REPLY),  # a stored seq at another minute
    (2, 5.0, REPLY),  # skips seq 1
    (1, 0.5, REPLY),  # goes back in time
])
def test_append_action_conflicts_refused(store: Store, world: World, seq: int, minute: float,
                                         action: dict[str, Any]) -> None:
    viewer = world.v("a")
    drill = store.start_drill(viewer, "s", "h", 1)
    store.append_action(viewer, drill.id, 0, 1.0, REPLY)
    with pytest.raises(ActionConflict):
        store.append_action(viewer, drill.id, seq, minute, action)
    assert store.actions(viewer, drill.id) == [(1.0, REPLY)]


@pytest.mark.parametrize(("seq", "minute", "action"), [
    (-1, 1.0, REPLY), (0, -1.0, REPLY), (0, float("inf"), REPLY), (0, 10_081.0, REPLY),
    (0, 1.0, {"kind": "dance"}), (0, 1.0, {"kind": "reply", "bogus": 1}),
])
def test_append_action_invalid_refused(store: Store, world: World, seq: int, minute: float,
                                       action: dict[str, Any]) -> None:
    drill = store.start_drill(world.v("a"), "s", "h", 1)
    with pytest.raises(InvalidInput):
        store.append_action(world.v("a"), drill.id, seq, minute, action)


def test_touch_moves_clock_forward_only(store: Store, world: World) -> None:
    viewer = world.v("a")
    drill = store.start_drill(viewer, "s", "h", 1)
    assert store.touch(viewer, drill.id, 4.5).last_minute == 4.5
    assert store.touch(viewer, drill.id, 3.0).last_minute == 4.5
    for bad in (-1.0, float("nan"), 10_081.0):  # a clock beyond 7 days is refused
        with pytest.raises(InvalidInput):
            store.touch(viewer, drill.id, bad)


def test_end_drill_stores_transcript_and_scorecard(store: Store, world: World,
                                                   clock: FakeClock, grader: FakeGrader) -> None:
    viewer = world.v("a")
    drill = store.start_drill(viewer, "telecom-outage", "h1", 7, drill_minutes=30.0)
    store.append_action(viewer, drill.id, 0, 1.0, REPLY)
    grader.verdict(drill.id, {"speed": 80.0}, 80.0)
    clock.advance(30)
    scored = store.end_drill(viewer, drill.id, 30.0)
    ended = store.drill(viewer, drill.id)
    assert ended.status == "ended" and ended.ended_at == clock.now
    assert (ended.end_minute, ended.last_minute) == (30.0, 30.0)
    assert (scored.scorer_version, scored.overall) == ("2026.11.1", 80.0)
    stored = store.transcript(viewer, drill.id)
    assert stored is not None and stored.event_count == 2
    assert stored.events()[1].text == "<script>x</script>"  # type: ignore[attr-defined]
    assert store.scorecards(viewer, drill.id) == [scored]


def test_end_drill_closes_actions_but_retries_stay_noops(store: Store, world: World) -> None:
    viewer = world.v("a")
    drill_id = play(store, viewer, {"speed": 80.0}, 80.0)
    with pytest.raises(DrillNotRunning):
        store.append_action(viewer, drill_id, 1, 9.0, REPLY)
    with pytest.raises(DrillNotRunning):
        store.touch(viewer, drill_id, 9.0)
    assert store.append_action(viewer, drill_id, 0, 1.5, REPLY) is False


def test_end_drill_retry_same_minute_is_idempotent_other_refused(
        store: Store, world: World, grader: FakeGrader) -> None:
    """Changed by issue 10: the retry is recognised by its end minute (no transcript to
    compare any more), and it never grades twice."""
    viewer = world.v("a")
    drill = store.start_drill(viewer, "telecom-outage", "h1", 7)
    first = store.end_drill(viewer, drill.id, 12.0)
    assert store.end_drill(viewer, drill.id, 12.0) == first
    assert len(grader.calls) == 1
    with pytest.raises(DrillNotRunning):
        store.end_drill(viewer, drill.id, 13.0)
    assert len(store.scorecards(viewer, drill.id)) == 1


@pytest.mark.parametrize(("events", "scorecard"), [
    (transcript(seed=8), None),  # the replay is of another seed
    ("not json\n", None),
    (None, card({"speed": 1.0}, seed=8)),  # the scorecard is of another seed
    (None, {"dimensions": []}),  # no scorer version
    (None, card({"speed": float("nan")})),  # not plain JSON
    (None, {**card({"speed": 1.0}), "mode": "practice"}),  # the drill is an assessment
    (None, {**card({"speed": 1.0}), "complete": True, "minutes_played": 7.0,
            "drill_minutes": 30.0}),  # "complete" after 7 of 30 minutes
    (None, {**card({"speed": 1.0}), "coverage": {"customers": 2, "answered": 3}}),
    (None, {**card({"speed": 1.0}), "minutes_played": -1.0}),
    (None, {**card({"speed": 1.0}), "complete": "yes"}),
])
def test_end_drill_malformed_grade_refused_drill_keeps_running(
        store: Store, world: World, grader: FakeGrader, events: str | None,
        scorecard: dict[str, Any] | None) -> None:
    """A grader that returns nonsense (a bug in the application layer) stores nothing."""
    grader.override_transcript, grader.override_card = events, scorecard
    drill = store.start_drill(world.v("a"), "telecom-outage", "h1", 7, mode="assessment")
    with pytest.raises(InvalidInput):
        store.end_drill(world.v("a"), drill.id, 30.0)
    assert store.drill(world.v("a"), drill.id).status == "running"
    assert store.scorecards(world.v("a"), drill.id) == []


def test_rescore_adds_scorecard_and_keeps_old(store: Store, world: World, clock: FakeClock,
                                             grader: FakeGrader) -> None:
    drill_id = play(store, world.v("a"), {"empathy": 40.0}, 40.0)
    old = store.scorecards(world.v("a"), drill_id)[0]
    clock.advance()
    grader.verdict(drill_id, {"empathy": 55.0}, 55.0, version="2027.1.1")
    new = store.rescore(world.v("mx"), drill_id)
    cards = store.scorecards(world.v("a"), drill_id)
    assert cards == [new, old] and old.card["overall"] == 40.0
    assert new.scorer_version == "2027.1.1"
    assert store.drills_for(world.v("mx"), trainee_id=world.a.id)[0].overall == 55.0
    drill, actions, end = grader.calls[-1]  # graded from what the store holds
    assert (drill.id, [a.seq for a in actions], end) == (drill_id, [0], 30.0)
    for who in ("a", "c", "my"):  # the trainee, a team mate, another team's manager
        with pytest.raises(AccessDenied):
            store.rescore(world.v(who), drill_id)
    running = store.start_drill(world.v("a"), "telecom-outage", "h1", 7)
    with pytest.raises(DrillNotRunning):
        store.rescore(world.v("mx"), running.id)
    assert len(store.scorecards(world.v("a"), drill_id)) == 2


# ------------------------------------------------------------------------------------- reviews


def test_override_is_audited_and_auto_score_stays(store: Store, world: World,
                                                  clock: FakeClock) -> None:
    drill_id = play(store, world.v("a"), {"empathy": 30.0, "privacy": 70.0}, 50.0)
    sc = store.scorecards(world.v("mx"), drill_id)[0]
    clock.advance()
    first = store.override(world.v("mx"), sc.id, "empathy", 60.0, "Named the outage and owned it")
    clock.advance()
    second = store.override(world.v("admin"), sc.id, "empathy", 55.0, "Calibrated at review")
    store.override(world.v("mx"), sc.id, "overall", 58.0, "Follows the empathy change")
    audit = store.overrides(world.v("a"), drill_id)
    assert audit[:2] == [first, second]
    assert [(o.author_username, o.auto_score, o.score) for o in audit] == [
        ("mx", 30.0, 60.0), ("admin", 30.0, 55.0), ("mx", 50.0, 58.0)]
    assert store.scorecard(world.v("a"), sc.id) == sc  # the auto-scores never change
    assert store.drills_for(world.v("a"))[0].overall == 58.0
    latest = store.history(world.v("mx"))[0]
    assert latest.scores["empathy"] == 55.0 and latest.overridden == {"empathy", "overall"}


@pytest.mark.parametrize(("who", "dimension", "score", "reason", "error"), [
    ("mx", "empathy", 60.0, "   ", InvalidInput),  # a reason is required
    ("mx", "empathy", 101.0, "too high", InvalidInput),
    ("mx", "humour", 50.0, "no such dimension", InvalidInput),
    ("a", "empathy", 100.0, "self-promotion", AccessDenied),  # the trainee
    ("c", "empathy", 100.0, "a team mate", AccessDenied),
    ("my", "empathy", 100.0, "other team's manager", AccessDenied),
])
def test_override_refused(store: Store, world: World, who: str, dimension: str, score: float,
                          reason: str, error: type[Exception]) -> None:
    drill_id = play(store, world.v("a"), {"empathy": 30.0}, 30.0)
    sc = store.scorecards(world.v("a"), drill_id)[0]
    with pytest.raises(error):
        store.override(world.v(who), sc.id, dimension, score, reason)
    assert store.overrides(world.v("admin"), drill_id) == []


def test_manager_cannot_override_own_drill(store: Store, world: World) -> None:
    drill_id = play(store, world.v("mx"), {"empathy": 30.0}, 30.0)
    sc = store.scorecards(world.v("mx"), drill_id)[0]
    with pytest.raises(AccessDenied):
        store.override(world.v("mx"), sc.id, "empathy", 90.0, "I was great")


def test_comments_in_order_text_kept_verbatim(store: Store, world: World,
                                              clock: FakeClock) -> None:
    drill_id = play(store, world.v("a"), {"empathy": 30.0})
    store.comment(world.v("mx"), drill_id, "Ask for the order number in DM <b>only</b>")
    clock.advance()
    store.comment(world.v("a"), drill_id, "<script>alert(1)</script> understood")
    got = store.comments(world.v("admin"), drill_id)
    assert [(c.author_username, c.text) for c in got] == [
        ("mx", "Ask for the order number in DM <b>only</b>"),
        ("alice", "<script>alert(1)</script> understood")]
    with pytest.raises(InvalidInput):
        store.comment(world.v("mx"), drill_id, "  ")


def test_thresholds_set_replace_remove_by_own_manager(store: Store, world: World) -> None:
    mx = world.v("mx")
    store.set_threshold(mx, world.team_x, "telecom-outage", "overall", 70.0)
    store.set_threshold(mx, world.team_x, "telecom-outage", "overall", 75.0)
    store.set_threshold(mx, world.team_x, "telecom-outage", "privacy", 80.0)
    got = store.thresholds(world.v("a"))
    assert [(t.dimension, t.minimum) for t in got] == [("overall", 75.0), ("privacy", 80.0)]
    store.set_threshold(mx, world.team_x, "telecom-outage", "privacy", None)
    assert [t.dimension for t in store.thresholds(mx)] == ["overall"]
    assert store.thresholds(world.v("my")) == []
    assert len(store.thresholds(world.v("admin"))) == 1
    for who in ("my", "a"):
        with pytest.raises(AccessDenied):
            store.set_threshold(world.v(who), world.team_x, "telecom-outage", "overall", 1.0)
    with pytest.raises(AccessDenied):
        store.thresholds(world.v("my"), team_id=world.team_x)
    with pytest.raises(InvalidInput):
        store.set_threshold(mx, world.team_x, "telecom-outage", "overall", 120.0)


# ------------------------------------------------------------------------------ access control

#: Every way to read or touch someone's drill: (name, call(store, viewer, drill_id, sc_id)).
DRILL_PATHS: list[tuple[str, Any]] = [
    ("drill", lambda s, v, d, c: s.drill(v, d)),
    ("actions", lambda s, v, d, c: s.actions(v, d)),
    ("stored_actions", lambda s, v, d, c: s.stored_actions(v, d)),
    ("replay_actions", lambda s, v, d, c: s.replay_actions(v, d)),
    ("transcript", lambda s, v, d, c: s.transcript(v, d)),
    ("scorecards", lambda s, v, d, c: s.scorecards(v, d)),
    ("scorecard", lambda s, v, d, c: s.scorecard(v, c)),
    ("comments", lambda s, v, d, c: s.comments(v, d)),
    ("overrides", lambda s, v, d, c: s.overrides(v, d)),
    ("peers", lambda s, v, d, c: s.peers(v, d)),
    ("comment", lambda s, v, d, c: s.comment(v, d, "hello")),
    ("rescore", lambda s, v, d, c: s.rescore(v, d)),
    ("drill_scores", lambda s, v, d, c: s.drill_scores(v, d)),
    ("override", lambda s, v, d, c: s.override(v, c, "speed", 1.0, "why")),
    ("append_action", lambda s, v, d, c: s.append_action(v, d, 1, 5.0, REPLY)),
    ("touch", lambda s, v, d, c: s.touch(v, d, 5.0)),
    ("end_drill", lambda s, v, d, c: s.end_drill(v, d, 5.0)),
]


@pytest.mark.parametrize("who", ["b", "my", "c"])
@pytest.mark.parametrize(("path", "call"), DRILL_PATHS, ids=[p for p, _ in DRILL_PATHS])
def test_foreign_drill_refused_like_a_missing_one(store: Store, world: World, who: str,
                                                  path: str, call: Any) -> None:
    """Trainee b (other team), manager my (other team), trainee c (same team): all refused,
    with the message a made-up id gets."""
    if path in ("append_action", "touch", "end_drill"):  # writes need a running drill
        drill_id = store.start_drill(world.v("a"), "telecom-outage", "h1", 7).id
        store.append_action(world.v("a"), drill_id, 0, 1.0, REPLY)
        sc_id = 0
    else:
        drill_id = play(store, world.v("a"), {"speed": 50.0}, 50.0)
        sc_id = store.scorecards(world.v("a"), drill_id)[0].id
    with pytest.raises(AccessDenied) as foreign:
        call(store, world.v(who), drill_id, sc_id)
    with pytest.raises(AccessDenied) as missing:
        call(store, world.v(who), "nonexistent0", 10**9)
    if path not in ("scorecard", "override"):
        assert str(foreign.value) == str(missing.value).replace("nonexistent0", drill_id)
    else:
        assert str(foreign.value) == str(missing.value).replace(str(10**9), str(sc_id))


@pytest.mark.parametrize("who", ["a", "mx", "admin"])
def test_owner_own_manager_and_admin_can_read(store: Store, world: World, who: str) -> None:
    drill_id = play(store, world.v("a"), {"speed": 50.0}, 50.0)
    viewer = world.v(who)
    assert store.drill(viewer, drill_id).trainee_id == world.a.id
    assert store.actions(viewer, drill_id) == [(1.5, REPLY)]
    assert store.transcript(viewer, drill_id) is not None
    assert len(store.scorecards(viewer, drill_id)) == 1


def test_others_cannot_write_to_a_drill_even_its_manager(store: Store, world: World) -> None:
    drill = store.start_drill(world.v("a"), "s", "h", 1)
    for who in ("mx", "admin"):
        with pytest.raises(AccessDenied):
            store.append_action(world.v(who), drill.id, 0, 1.0, REPLY)
    assert store.actions(world.v("a"), drill.id) == []


def test_lists_and_cohort_scoped_to_viewer(store: Store, world: World) -> None:
    a = play(store, world.v("a"), {"privacy": 50.0}, 50.0,
             findings={"privacy": [("asks_pii_public", "r1")]})
    b = play(store, world.v("b"), {"privacy": 60.0}, 60.0,
             findings={"privacy": [("asks_pii_public", "r1")]})
    ids = {name: {s.drill.id for s in store.drills_for(world.v(name))}
           for name in ("a", "b", "c", "mx", "my", "admin")}
    assert ids == {"a": {a}, "b": {b}, "c": set(), "mx": {a}, "my": {b}, "admin": {a, b}}
    assert [r.username for r in store.cohort(world.v("mx"))] == ["alice"]
    assert [r.username for r in store.cohort(world.v("b"))] == ["bob"]
    assert [p.drill.id for p in store.history(world.v("c"))] == []
    assert [f.username for f in store.recurring_findings(world.v("my"))] == ["bob"]
    assert {f.username for f in store.recurring_findings(world.v("admin"))} == {"alice", "bob"}
    assert [s.drill.id for s in store.drills_for(world.v("mx"), trainee_id=world.b.id)] == []


def test_stale_or_forged_viewer_refused(store: Store, world: World) -> None:
    drill_id = play(store, world.v("a"), {"speed": 50.0}, 50.0)
    from store import Viewer

    forged = [Viewer(world.b.id, "admin", None), Viewer(world.b.id, "manager", world.team_x),
              Viewer(999, "admin", None)]
    for viewer in forged:
        with pytest.raises(AccessDenied):
            store.drill(viewer, drill_id)


# -------------------------------------------------------------------------------------- cohort


def test_cohort_latest_best_and_pass_fail(store: Store, world: World, clock: FakeClock) -> None:
    a, mx = world.v("a"), world.v("mx")
    play(store, a, {"empathy": 40.0, "privacy": 90.0}, 60.0)
    clock.advance(60)
    play(store, a, {"empathy": 70.0, "privacy": 60.0}, 66.0)
    clock.advance(60)
    play(store, world.v("c"), {"empathy": 80.0, "privacy": 85.0}, 82.0)
    play(store, a, {"empathy": 10.0}, 10.0, scenario_id="viral-praise")
    store.set_threshold(mx, world.team_x, "telecom-outage", "overall", 65.0)
    store.set_threshold(mx, world.team_x, "telecom-outage", "privacy", 70.0)
    rows = {(r.username, r.scenario_id): r for r in store.cohort(mx)}
    alice = rows[("alice", "telecom-outage")]
    assert alice.drills == 2
    assert alice.latest == {"overall": 66.0, "empathy": 70.0, "privacy": 60.0}
    assert alice.best == {"overall": 66.0, "empathy": 70.0, "privacy": 90.0}
    assert (alice.passed, alice.failed_dimensions) == (False, ("privacy",))
    assert rows[("carol", "telecom-outage")].passed is True
    assert rows[("alice", "viral-praise")].passed is None  # no thresholds set
    assert len(store.cohort(mx, scenario_id="viral-praise")) == 1


def test_cohort_uses_override_and_newest_scorecard(store: Store, world: World,
                                                   clock: FakeClock, grader: FakeGrader) -> None:
    mx = world.v("mx")
    drill_id = play(store, world.v("a"), {"privacy": 50.0}, 50.0)
    store.set_threshold(mx, world.team_x, "telecom-outage", "privacy", 70.0)
    assert store.cohort(mx)[0].passed is False
    sc = store.scorecards(mx, drill_id)[0]
    store.override(mx, sc.id, "privacy", 75.0, "The DM move was right; rule misfired")
    assert store.cohort(mx)[0].passed is True
    clock.advance()
    grader.verdict(drill_id, {"privacy": 65.0}, 65.0, version="2027.1.1")
    store.rescore(mx, drill_id)
    assert store.cohort(mx)[0].latest["privacy"] == 65.0  # overrides stay on their scorecard


def test_recurring_findings_counted_per_trainee_on_current_cards(
        store: Store, world: World, clock: FakeClock, grader: FakeGrader) -> None:
    pii = ("asks_pii_public", "asks_pii_public/imperative")
    for n in (2, 2, 3):
        clock.advance()
        play(store, world.v("a"), {"privacy": 50.0, "empathy": 40.0}, 50.0,
             findings={"privacy": [pii] * n, "empathy": [("no_empathy", "empathy.no")]})
    old = play(store, world.v("a"), {"privacy": 50.0}, findings={"privacy": [pii] * 5})
    grader.verdict(old, {"privacy": 90.0})
    store.rescore(world.v("mx"), old)  # re-scored: clean now
    play(store, world.v("c"), {"privacy": 50.0}, findings={"privacy": [pii]})
    found = store.recurring_findings(world.v("mx"), trainee_id=world.a.id)
    assert [(f.kind, f.occurrences, f.drills) for f in found] == [
        ("asks_pii_public", 7, 3), ("no_empathy", 3, 3)]
    assert found[0].describe() == "asks_pii_public: 7 times in 3 drills"
    frequent = store.recurring_findings(world.v("mx"), min_occurrences=4)
    assert [(f.username, f.kind) for f in frequent] == [("alice", "asks_pii_public")]


def test_agreement_between_overrides_and_auto_scores(store: Store, world: World) -> None:
    mx = world.v("mx")
    for auto, manual in ((30.0, 35.0), (50.0, 80.0)):
        drill_id = play(store, world.v("a"), {"empathy": auto, "privacy": 90.0}, auto)
        sc = store.scorecards(mx, drill_id)[0]
        store.override(mx, sc.id, "empathy", manual, "calibration")
    drill_id = play(store, world.v("c"), {"empathy": 20.0, "privacy": 90.0}, 20.0)
    sc = store.scorecards(mx, drill_id)[0]
    store.override(mx, sc.id, "privacy", 50.0, "first try")
    store.override(mx, sc.id, "privacy", 88.0, "second look: only the latest counts")
    got = {g.dimension: g for g in store.agreement(mx)}
    assert got["empathy"].overrides == 2
    assert got["empathy"].mean_abs_diff == pytest.approx(17.5)
    assert got["empathy"].within_10_share == pytest.approx(0.5)
    assert got["empathy"].mean_diff == pytest.approx(17.5)
    assert (got["privacy"].overrides, got["privacy"].mean_abs_diff) == (1, pytest.approx(2.0))
    assert store.agreement(world.v("my")) == []


def test_peers_same_scenario_and_seed_side_by_side(store: Store, world: World,
                                                   clock: FakeClock) -> None:
    first = play(store, world.v("a"), {"speed": 50.0}, 50.0, seed=11)
    clock.advance()
    second = play(store, world.v("c"), {"speed": 70.0}, 70.0, seed=11)
    play(store, world.v("c"), {"speed": 70.0}, 70.0, seed=12)
    play(store, world.v("b"), {"speed": 90.0}, 90.0, seed=11)  # other team
    assert [p.drill.id for p in store.peers(world.v("mx"), first)] == [first, second]
    assert [p.overall for p in store.peers(world.v("mx"), first)] == [50.0, 70.0]
    assert [p.drill.id for p in store.peers(world.v("a"), first)] == [first]
    assert len(store.peers(world.v("admin"), first)) == 3


def test_history_oldest_first_for_trends(store: Store, world: World, clock: FakeClock) -> None:
    for score in (40.0, 55.0, 70.0):
        clock.advance(60 * 24)
        play(store, world.v("a"), {"empathy": score}, score)
    points = store.history(world.v("a"))
    assert [p.scores["empathy"] for p in points] == [40.0, 55.0, 70.0]
    assert points[0].drill.started_at < points[-1].drill.started_at


# -------------------------------------------------------------------------- recovery (engine)


def test_restart_mid_drill_rebuilds_identical_session(store: Store, world: World, db_url: Any,
                                                      clock: FakeClock) -> None:
    """Play, store each action as it happens, 'restart' (a new Store), replay, continue."""
    scenario = resolve_scenario("telecom-outage")
    viewer = world.v("a")
    live = TrainingSession(scenario, seed=7)
    drill = store.start_drill(viewer, scenario.id, scenario.content_hash, 7, speed=20.0)
    seq = 0
    for minute in (2.0, 4.0, 6.0):
        live.advance_to(minute)
        for thread_id in list(live.threads)[-2:]:
            action = Reply(thread_id=thread_id, text="Sorry about this - we're on it.")
            live.act(action)
            store.append_action(viewer, drill.id, seq, live.now, action)
            seq += 1
    store.touch(viewer, drill.id, live.now)

    restarted = Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock)
    try:
        resumed = restarted.running_drill_for(viewer)
        assert resumed is not None and resumed.id == drill.id
        rebuilt = TrainingSession(scenario, seed=resumed.seed)
        rebuilt.replay(restarted.replay_actions(viewer, drill.id))
        rebuilt.advance_to(resumed.last_minute)
    finally:
        restarted.close()
    assert [e.to_dict() for e in rebuilt.transcript] == [e.to_dict() for e in live.transcript]
    live.advance_to(10.0)
    rebuilt.advance_to(10.0)
    assert [e.to_dict() for e in rebuilt.transcript] == [e.to_dict() for e in live.transcript]


def test_append_survives_connections_dropped_by_the_server(store: Store, world: World,
                                                          db_url: Any) -> None:
    """A PostgreSQL restart kills pooled connections: the next append still lands, once."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("server-side disconnects are a PostgreSQL matter")
    viewer = world.v("a")
    drill = store.start_drill(viewer, "s", "h", 1)
    store.append_action(viewer, drill.id, 0, 1.0, REPLY)
    with store.engine.connect() as connection:
        killed = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = :app AND pid <> pg_backend_pid()"),
            {"app": db_url.query["application_name"]}).scalar_one()
    assert killed >= 1
    assert store.append_action(viewer, drill.id, 1, 2.0, REPLY) is True
    assert store.append_action(viewer, drill.id, 2, 3.0, REPLY) is True
    assert [m for m, _ in store.actions(viewer, drill.id)] == [1.0, 2.0, 3.0]


# --------------------------------------------------------------------------------- concurrency


def test_eight_threads_append_concurrently_nothing_lost(store: Store, world: World) -> None:
    per_thread, threads = 60, 8
    trainees = [store.create_user(f"t{i}", PASSWORD, "trainee", world.team_x).viewer
                for i in range(threads)]
    drills = [store.start_drill(v, "s", "h", i) for i, v in enumerate(trainees)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def run(i: int) -> None:
        try:
            barrier.wait()
            for seq in range(per_thread):
                store.append_action(trainees[i], drills[i].id, seq, seq * 0.1,
                                    {**REPLY, "text": f"t{i} #{seq}"})
                if seq % 10 == 0:  # a retried write (e.g. after a timeout) changes nothing
                    store.append_action(trainees[i], drills[i].id, seq, seq * 0.1,
                                        {**REPLY, "text": f"t{i} #{seq}"})
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    for i, (viewer, drill) in enumerate(zip(trainees, drills, strict=True)):
        got = store.actions(viewer, drill.id)
        assert [a["text"] for _, a in got] == [f"t{i} #{s}" for s in range(per_thread)]
    with store.engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(DrillActionRow)).scalar()
    assert total == threads * per_thread


def test_two_threads_racing_same_seq_store_one_row(store: Store, world: World) -> None:
    viewer = world.v("a")
    drill = store.start_drill(viewer, "s", "h", 1)
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        results.append(store.append_action(viewer, drill.id, 0, 1.0, REPLY))

    workers = [threading.Thread(target=send) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(results) == [False, True]
    assert store.actions(viewer, drill.id) == [(1.0, REPLY)]


def test_append_fast_path_stores_what_the_careful_path_stores(
        store: Store, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Appends in order never need the careful path, and the row the DBAPI-level statement
    writes is the row the SQLAlchemy path writes (same JSON text, same time)."""
    from store import action_log
    from store.records import StoredAction

    careful = action_log.append_action
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        return careful(*args, **kwargs)

    monkeypatch.setattr(action_log, "append_action", counted)
    viewer = world.v("a")
    fast, slow = (store.start_drill(viewer, "s", "h", seed).id for seed in (1, 2))
    payload = {**REPLY, "text": "Désolé 🙏 — \"quoted\" <b>"}
    for seq in range(3):
        assert store.append_action(viewer, fast, seq, 1.0 + seq, payload) is True
    assert calls == []
    for seq in range(3):  # the ORM-level path, as a retry or refusal would run it
        with store._write_connection() as connection:
            assert careful(connection, viewer, slow, StoredAction(seq, 1.0 + seq, payload),
                           store._clock())
    query = text("SELECT seq, minute, CAST(action AS TEXT), created_at FROM drill_actions "
                 "WHERE drill_id = (SELECT id FROM drills WHERE public_id = :p) ORDER BY seq")
    with store.engine.connect() as connection:
        rows = [connection.execute(query, {"p": p}).all() for p in (fast, slow)]
    assert rows[0] == rows[1] and len(rows[0]) == 3
    assert store.actions(viewer, fast) == store.actions(viewer, slow)


def test_append_fast_path_parameters_are_all_named() -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    from store.fast_append import PARAMETERS, CompiledAppend

    for dialect in (sqlite.dialect(), postgresql.dialect()):
        compiled = CompiledAppend.for_dialect(dialect)
        assert set(compiled.processors) == PARAMETERS

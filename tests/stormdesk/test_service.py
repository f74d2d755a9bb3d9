"""The drill service: the one lifecycle the desk, the headless player and tests go through."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from engine.records import MentionArrived, Reply
from engine.scenario import resolve_scenario
from store.passwords import FAST_TEST_HASHER
from store.records import User
from stormdesk.app import StormDesk
from stormdesk.drill import EndNeedsConfirmation
from stormdesk.grading import no_judge
from stormdesk.world import World, world_of

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[StormDesk]:
    desk = StormDesk.open(f"sqlite:///{tmp_path / 'app.db'}", judge_factory=no_judge,
                          hasher=FAST_TEST_HASHER)
    yield desk
    desk.store.close()


def trainee(app: StormDesk) -> User:
    team = app.store.create_team("north")
    return app.store.create_user("dana", PASSWORD, "trainee", team.id, "Dana Reyes")


def first_thread(drill: object) -> str:
    session = drill.session  # type: ignore[attr-defined]
    return next(e.thread_id for e in session.transcript if isinstance(e, MentionArrived))


def test_start_act_resume_replays_the_stored_actions(app: StormDesk) -> None:
    user = trainee(app)
    scenario = resolve_scenario("telecom-outage")
    drill = app.drills.start(scenario, 7, "Dana", "DR", "practice", 10.0, 0.0, user.viewer)
    app.drills.advance_to(drill, 20)
    thread_id = first_thread(drill)
    app.drills.act(drill, Reply(thread_id, "So sorry, we're on it. ^DR", agent="DR"))
    app.drills.advance_to(drill, 25)
    app.store.touch(user.viewer, drill.drill_id, 25)
    record = app.drills.running_record(user.viewer)
    assert record is not None and record.id == drill.drill_id
    again = app.drills.resume(user.viewer, record, 100.0)
    assert again.session.now == pytest.approx(25)
    assert [e.to_json() for e in again.session.transcript] == \
        [e.to_json() for e in drill.session.transcript]
    assert again.clock.paused and again.world_changed == []


def test_assessment_end_before_the_end_needs_confirmation_then_plays_out(
        app: StormDesk) -> None:
    user = trainee(app)
    scenario = resolve_scenario("onboarding-quiet-shift")
    drill = app.drills.start(scenario, 3, "Dana", "", "assessment", 10.0, 0.0, user.viewer)
    app.drills.advance_to(drill, 7)
    with pytest.raises(EndNeedsConfirmation) as caught:
        app.drills.end(drill)
    assert caught.value.remaining_minutes == pytest.approx(scenario.duration_minutes - 7)
    assert not drill.ended
    card = app.drills.end(drill, play_out=True)
    assert drill.ended and drill.played_out
    assert drill.session.now == pytest.approx(scenario.duration_minutes)
    assert card.world == world_of(scenario).version
    assert card.complete and card.mode == "assessment"
    stored = app.reviews.load(user.viewer, drill.drill_id)
    assert stored is not None
    assert stored.transcript[-1].minute == pytest.approx(drill.session.transcript[-1].minute)


def test_practice_end_early_is_not_played_out(app: StormDesk) -> None:
    user = trainee(app)
    scenario = resolve_scenario("onboarding-quiet-shift")
    drill = app.drills.start(scenario, 3, "Dana", "", "practice", 10.0, 0.0, user.viewer)
    app.drills.advance_to(drill, 7)
    app.drills.end(drill)
    assert drill.ended and not drill.played_out
    assert drill.session.now == pytest.approx(7)


def test_acting_on_an_ended_drill_is_refused(app: StormDesk) -> None:
    from stormdesk.errors import DrillNotRunning

    scenario = resolve_scenario("onboarding-quiet-shift")
    drill = app.drills.start(scenario, 3, "Dana", "", "practice")
    app.drills.advance_to(drill, 30)
    app.drills.end(drill)
    with pytest.raises(DrillNotRunning):
        app.drills.act(drill, Reply(first_thread(drill), "late"))


def test_world_version_changes_with_any_component() -> None:
    scenario = resolve_scenario("telecom-outage")
    world = world_of(scenario)
    assert world == world_of(scenario)
    assert set(world.components) >= {"scenario", "banks", "lexicons", "engine", "scorer",
                                     "scorer_version"}
    other = World("x", {**world.components, "banks": "different"})
    assert world.differs_from(other) == ["banks"]
    assert world.differs_from({}) == []
    assert world_of(resolve_scenario("viral-praise")).version != world.version


def test_resume_on_a_changed_world_says_what_changed(app: StormDesk) -> None:
    user = trainee(app)
    scenario = resolve_scenario("onboarding-quiet-shift")
    drill = app.drills.start(scenario, 3, "Dana", "", "practice", 10.0, 0.0, user.viewer)
    app.drills.advance_to(drill, 5)
    record = app.drills.running_record(user.viewer)
    assert record is not None
    assert record.world == world_of(scenario).components
    changed = world_of(scenario).components | {"banks": "an older bank"}
    again = app.drills.resume(user.viewer, replace(record, world=changed), 0.0)
    assert again.world_changed == ["banks"]


def test_a_trainee_cannot_take_the_leads_actions(app: StormDesk) -> None:
    from engine.records import InjectMention
    from stormdesk.errors import ActionError

    user = trainee(app)
    drill = app.drills.start(resolve_scenario("telecom-outage"), 7, "Dana", "DR", "practice",
                             10.0, 0.0, user.viewer)
    with pytest.raises(ActionError, match="lead"):
        app.drills.act(drill, InjectMention("angry", "outage", "boo"))
    assert drill.actions == []

"""The lead's live changes: a mention thrown in and new incident facts, as replayable actions."""

from __future__ import annotations

import pytest

from engine.records import (
    IncidentUpdated,
    InjectMention,
    MentionArrived,
    UpdateIncident,
    action_from_dict,
)
from engine.scenario import resolve_scenario
from engine.session import ActionError, TrainingSession

JOURNALIST = InjectMention("journalist", "outage", "@BrightwaveCares how many customers are "
                           "affected, and since when? Deadline in 20 minutes.", sentiment=0.0,
                           author_handle="press_sam", display_name="Sam Ortiz",
                           followers=52000, verified=True, agent="lead")


def organic(session: TrainingSession) -> list[tuple[str, str, str]]:
    return [(e.thread_id, e.author.handle, e.text) for e in session.transcript
            if isinstance(e, MentionArrived) and e.source == "organic"]


def test_inject_mention_opens_a_thread_of_its_own_and_never_shifts_the_flood() -> None:
    scenario = resolve_scenario("telecom-outage")
    quiet = TrainingSession(scenario, 7)
    quiet.advance_to(60)
    live = TrainingSession(scenario, 7)
    live.advance_to(30)
    events = live.act(JOURNALIST)
    live.advance_to(60)
    (opened,) = [e for e in events if isinstance(e, MentionArrived)]
    assert opened.thread_id == "tL001" and opened.mention_id == "mL001"
    assert opened.author.handle == "press_sam" and opened.priority == "urgent"
    assert opened.minute == 30 and opened.source == "inject"
    assert organic(live) == organic(quiet)
    assert live.thread("tL001").persona == "journalist"


def test_inject_mention_without_author_picks_a_member_of_the_public() -> None:
    session = TrainingSession(resolve_scenario("telecom-outage"), 7)
    session.advance_to(10)
    events = session.act(InjectMention("angry", "outage", "{brand} down again?!", agent="lead"))
    (opened,) = [e for e in events if isinstance(e, MentionArrived)]
    assert opened.author.handle and "@BrightwaveCares" in opened.text


@pytest.mark.parametrize(("action", "field"), [
    (InjectMention("wizard", "outage", "hi"), "persona"),
    (InjectMention("angry", "weather", "hi"), "intent"),
    (InjectMention("angry", "outage", ""), "text"),
    (InjectMention("angry", "outage", "x" * 281), "text"),
    (InjectMention("angry", "outage", "hi", sentiment=3.0), "sentiment"),
    (InjectMention("angry", "outage", "hi", author_handle="not a handle"), "author_handle"),
    (UpdateIncident(), "down"),
])
def test_live_change_the_schema_refuses_names_the_field(action: object, field: str) -> None:
    session = TrainingSession(resolve_scenario("telecom-outage"), 7)
    with pytest.raises(ActionError, match=field):
        session.act(action)  # type: ignore[arg-type]


def test_update_incident_reaches_the_panel_at_this_minute_and_replays() -> None:
    scenario = resolve_scenario("telecom-outage")
    session = TrainingSession(scenario, 7)
    session.advance_to(25)
    update = UpdateIncident(down="Calls and data in the North", since="08:45",
                            affected="North region customers", cause="a fibre cut",
                            eta="11:00", status_page="status.example", agent="lead")
    (event,) = session.act(update)
    assert isinstance(event, IncidentUpdated) and event.minute == 25
    assert session.projection.facts["cause"] == "a fibre cut"
    assert session.projection.facts["eta"] == "11:00"
    again = TrainingSession(scenario, 7)
    again.replay([(25.0, action_from_dict(update.to_dict())), (30.0, JOURNALIST)])
    session.advance_to(30)
    session.act(JOURNALIST)
    assert [e.to_json() for e in again.transcript] == [e.to_json() for e in session.transcript]

"""The session keeps its thread state on the shared projection: what the engine believes about a
thread is exactly what the events say, and its public surface reads from there."""

from __future__ import annotations

import pytest

from engine.projection import Projection, reaction_waits
from engine.reactions import Reaction
from engine.records import (
    AddNote,
    Assign,
    CustomerReplied,
    Hide,
    IncidentUpdated,
    MentionArrived,
    MoveToDm,
    PostStatus,
    Reply,
    ReplyContext,
    ReplyQuality,
    ReplySent,
    Resolve,
    Tag,
)
from engine.session import ActionError, TrainingSession
from engine.text import REACTIONS

from .conftest import make_scenario


def _busy(session: TrainingSession) -> None:
    """A trainee who does a bit of everything, well and badly."""
    texts = ["So sorry the app is down, we're fixing it now; update in 20 min. ^TR",
             "Please reply with your order number and email",
             "calm down, as I said it's per our policy"]
    for minute in range(3, 60, 4):
        session.advance_to(minute)
        waiting = [t for t in session.threads.values() if t.waiting_since is not None]
        for n, thread in enumerate(waiting[:3]):
            session.act(Reply(thread.thread_id, texts[(minute + n) % 3]))
        if waiting:
            session.act(MoveToDm(waiting[-1].thread_id, "Let's sort this in DM"))
            session.act(Tag(waiting[-1].thread_id, "outage"))
            session.act(Assign(waiting[-1].thread_id, "Jin"))
        if minute % 12 == 3:
            session.act(PostStatus("Mobile data is down since 09:05; next update in 20 min."))
        resolvable = [t for t in session.threads.values() if t.answered and not t.resolved]
        if resolvable:
            session.act(Resolve(resolvable[0].thread_id))
        trolls = [t for t in session.threads.values() if t.persona == "troll" and t.open]
        if trolls:
            session.act(Hide(trolls[0].first_mention_id))
    session.advance_to(60)


def test_session_projection_equals_the_projection_of_its_transcript(scenario):
    session = TrainingSession(scenario, seed=17)
    _busy(session)
    rebuilt = Projection.of(session.transcript)
    assert session.projection.threads == rebuilt.threads
    assert (session.projection.waiting, session.projection.open_threads) == (
        rebuilt.waiting, rebuilt.open_threads)
    assert session.projection.cursor == len(session.transcript)
    assert rebuilt.statuses and any(t.resolved for t in rebuilt.threads.values())


def test_session_threads_is_the_projection_and_thread_raises_for_unknown_ids(scenario):
    session = TrainingSession(scenario, seed=3)
    session.advance_to(10)
    assert session.threads is session.projection.threads
    first = next(iter(session.threads))
    assert session.thread(first) is session.projection.threads[first]
    with pytest.raises(ActionError, match="no thread 't999999'"):
        session.thread("t999999")


def test_session_pinned_status_and_notes_come_from_the_events(scenario):
    session = TrainingSession(scenario, seed=3)
    session.advance_to(5)
    assert session.pinned_status is None
    session.act(PostStatus("First update"))
    session.act(PostStatus("Second update"))
    session.act(AddNote("someone", "  prefers DM "))
    assert session.pinned_status == "Second update"
    assert session.notes == {"someone": ["prefers DM"]}


class _Judge:
    def __init__(self, quality: ReplyQuality) -> None:
        self.quality = quality

    def __call__(self, context: ReplyContext) -> ReplyQuality:
        return self.quality


def test_reply_sent_records_the_move_to_dm_the_judge_saw(scenario):
    """A plain reply that invites the customer to DM moves the thread, and the event says so."""
    session = TrainingSession(scenario, seed=3, judge=_Judge(ReplyQuality(1, moves_to_dm=True)))
    session.advance_to(5)
    thread_id = next(iter(session.threads))
    (reply,) = session.act(Reply(thread_id, "Drop us a DM and we'll check your line"))
    assert isinstance(reply, ReplySent) and reply.moves_to_dm
    assert session.thread(thread_id).moved_to_dm
    assert Projection.of(session.transcript).threads[thread_id].moved_to_dm
    (dm,) = session.act(Reply(thread_id, "Which town are you in?", channel="dm"))
    assert isinstance(dm, ReplySent) and dm.channel == "dm"


def test_reply_without_a_move_stays_public_only(scenario):
    session = TrainingSession(scenario, seed=3, judge=_Judge(ReplyQuality(2)))
    session.advance_to(5)
    thread_id = next(iter(session.threads))
    (reply,) = session.act(Reply(thread_id, "So sorry, fixing it now"))
    assert isinstance(reply, ReplySent) and not reply.moves_to_dm
    with pytest.raises(ActionError, match="move the conversation to DM first"):
        session.act(Reply(thread_id, "details?", channel="dm"))


@pytest.mark.parametrize("kind", REACTIONS)
@pytest.mark.parametrize("channel", ["public", "dm"])
def test_reaction_waits_by_the_projections_rule(kind, channel):
    assert Reaction(kind, 0.0, channel).waits == reaction_waits(kind, channel)


def test_troll_who_trolled_back_does_not_wait_for_an_answer(scenario):
    session = TrainingSession(scenario, seed=31, judge=_Judge(ReplyQuality(0, argues=True)))
    for minute in range(1, 61):
        session.advance_to(minute)
        troll = next((t for t in session.threads.values() if t.persona == "troll"), None)
        if troll is not None:
            break
    assert troll is not None
    session.act(Reply(troll.thread_id, "actually you're wrong"))
    session.advance_to(session.now + 20)
    reactions = [e.reaction for e in session.transcript
                 if isinstance(e, CustomerReplied) and e.thread_id == troll.thread_id]
    assert reactions[:1] == ["trolled_back"]
    assert session.thread(troll.thread_id).waiting_since is None


def test_incident_updated_carries_affected_and_cause():
    scenario = make_scenario(incident=[
        {"from_minute": 0, "down": "Mobile data", "since": "09:05", "affected": "The North",
         "status_page": "status.example"},
        {"from_minute": 10, "down": "Mobile data", "since": "09:05", "affected": "The North",
         "cause": "A bad update", "status_page": "status.example", "eta": "10:30"}])
    session = TrainingSession(scenario, seed=1)
    session.advance_to(12)
    updates = [e for e in session.transcript if isinstance(e, IncidentUpdated)]
    assert [(u.minute, u.facts["affected"], u.facts["cause"]) for u in updates] == [
        (0, "The North", ""), (10, "The North", "A bad update")]
    assert session.projection.facts_at(9)["cause"] == ""
    assert session.projection.facts_at(10)["eta"] == "10:30"


def test_customers_quote_the_facts_in_force_at_their_minute():
    """``{since}`` reads the facts of the minute, also when an update is due that same minute."""
    scenario = make_scenario(
        incident=[{"from_minute": 0, "down": "Mobile data", "since": "09:05",
                   "affected": "The North", "status_page": "s"},
                  {"from_minute": 20, "down": "Mobile data", "since": "08:50",
                   "affected": "The North", "status_page": "s"}],
        injects=[{"at_minute": 10, "persona": "angry", "intent": "outage",
                  "text": "{brand} down since {since}"},
                 {"at_minute": 20, "persona": "angry", "intent": "outage",
                  "text": "{brand} no, it went at {since}"}])
    session = TrainingSession(scenario, seed=1)
    session.advance_to(21)
    injected = [e.text for e in session.transcript
                if isinstance(e, MentionArrived) and e.source == "inject"]
    assert injected == ["@NimbusMobile down since 09:05", "@NimbusMobile no, it went at 08:50"]

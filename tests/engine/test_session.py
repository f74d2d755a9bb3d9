"""TrainingSession: determinism, the public's reactions and the trainee's actions."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.records import (
    AddNote,
    Assign,
    CustomerFollowedUp,
    CustomerReplied,
    Escalate,
    FeedbackSubmitted,
    Hide,
    IncidentUpdated,
    Like,
    MentionArrived,
    MentionHidden,
    MoveToDm,
    PostStatus,
    Reply,
    ReplyContext,
    ReplyQuality,
    ReplySent,
    ReputationSampled,
    Resolve,
    SessionStarted,
    StatusPosted,
    Tag,
    ThreadResolved,
    event_from_dict,
)
from engine.session import ActionError, TrainingSession

from .conftest import make_scenario


def _jsonl(session: TrainingSession) -> str:
    return "\n".join(e.to_json() for e in session.transcript)


def _script(session: TrainingSession) -> None:
    """A fixed trainee: answers the first few threads, moves one to DM, resolves, posts."""
    session.advance_to(6)
    threads = [e for e in session.transcript if isinstance(e, MentionArrived)]
    session.act(Reply(threads[0].thread_id, "So sorry the app is down, we're on it. ^TR"))
    session.act(MoveToDm(threads[1].thread_id, "Let's sort this in DM, no details here please"))
    session.act(PostStatus("Mobile data is down since 09:05. We are investigating. ^TR"))
    session.advance_to(15)
    session.act(Resolve(threads[0].thread_id))
    session.advance_to(60)


def test_session_same_seed_and_actions_byte_identical_transcript(scenario):
    first, second = TrainingSession(scenario, seed=11), TrainingSession(scenario, seed=11)
    _script(first)
    _script(second)
    assert _jsonl(first) == _jsonl(second)
    assert len(first.transcript) > 100


def test_session_different_seed_different_flood(scenario):
    a, b = TrainingSession(scenario, seed=1), TrainingSession(scenario, seed=2)
    a.advance_to(30)
    b.advance_to(30)
    assert _jsonl(a) != _jsonl(b)


def test_session_advance_in_steps_equals_one_jump(scenario):
    stepped, jumped = TrainingSession(scenario, seed=5), TrainingSession(scenario, seed=5)
    for minute in range(1, 61):
        stepped.advance_to(minute * 0.97)
    stepped.advance_to(60)
    jumped.advance_to(60)
    assert _jsonl(stepped) == _jsonl(jumped)


def test_session_does_not_touch_global_random(scenario):
    import random

    import numpy as np

    random.seed(123)
    np.random.seed(123)
    expected = (random.random(), np.random.random())
    random.seed(123)
    np.random.seed(123)
    TrainingSession(scenario, seed=3).advance_to(30)
    assert (random.random(), np.random.random()) == expected


def test_session_transcript_round_trips_through_json(scenario):
    session = TrainingSession(scenario, seed=4)
    _script(session)
    for event in session.transcript:
        assert event_from_dict(__import__("json").loads(event.to_json())) == event


def test_session_starts_with_session_started_and_incident(scenario):
    session = TrainingSession(scenario, seed=4)
    session.advance_to(31)
    first = session.transcript[0]
    assert isinstance(first, SessionStarted)
    assert (first.scenario_id, first.seed) == ("test-outage", 4)
    assert first.scenario_hash == scenario.content_hash
    updates = [e for e in session.transcript if isinstance(e, IncidentUpdated)]
    assert [u.facts["status_page"] for u in updates] == ["Investigating", "Fix rolling out"]


def test_session_inject_arrives_at_its_minute_with_scripted_author(scenario):
    session = TrainingSession(scenario, seed=4)
    session.advance_to(3)
    injected = [e for e in session.transcript
                if isinstance(e, MentionArrived) and e.source == "inject"]
    assert len(injected) == 1
    assert injected[0].minute == 2
    assert injected[0].author.handle == "ledger_kim"
    assert injected[0].priority == "urgent"
    assert injected[0].text.startswith("@NimbusMobile Reporter")


def test_session_reputation_sampled_every_minute(scenario):
    session = TrainingSession(scenario, seed=4)
    session.advance_to(60)
    samples = [e for e in session.transcript if isinstance(e, ReputationSampled)]
    assert [s.minute for s in samples] == list(range(1, 61))
    assert all(0 <= s.reputation <= 100 for s in samples)


def test_session_ramp_raises_arrival_rate(scenario):
    session = TrainingSession(scenario, seed=8)
    session.advance_to(60)
    organic = [e.minute for e in session.transcript
               if isinstance(e, MentionArrived) and e.source == "organic"]
    early = sum(20 <= m < 30 for m in organic)
    late = sum(50 <= m < 60 for m in organic)
    assert late > early * 1.5


def test_session_advance_clamps_at_drill_end(scenario):
    session = TrainingSession(scenario, seed=4)
    session.advance_to(500)
    assert session.now == 60
    assert session.finished


def test_session_ignored_customers_follow_up_angrier(scenario):
    session = TrainingSession(scenario, seed=21)
    session.advance_to(60)
    follow_ups = [e for e in session.transcript if isinstance(e, CustomerFollowedUp)]
    assert follow_ups
    arrived = {e.thread_id: e for e in session.transcript if isinstance(e, MentionArrived)}
    for f in follow_ups:
        assert f.sentiment < arrived[f.thread_id].sentiment or f.sentiment == -1.0
        assert f.minute > arrived[f.thread_id].minute


def test_session_answered_thread_gets_no_silence_follow_up(scenario):
    session = TrainingSession(scenario, seed=21)
    session.advance_to(1)
    for e in list(session.transcript):
        if isinstance(e, MentionArrived):
            session.act(Reply(e.thread_id, "We hear you, the app is down and we're fixing it "
                                           "now, next update in 20 min. ^TR"))
    answered = {e.thread_id for e in session.transcript if isinstance(e, ReplySent)}
    session.advance_to(60)
    assert not [e for e in session.transcript
                if isinstance(e, CustomerFollowedUp) and e.thread_id in answered]


class _Fixed:
    """A judge returning a fixed quality (the scorer plugs in the same way)."""

    def __init__(self, quality: ReplyQuality) -> None:
        self.quality = quality
        self.seen: list[ReplyContext] = []

    def __call__(self, context: ReplyContext) -> ReplyQuality:
        self.seen.append(context)
        return self.quality


def _first_thread(session: TrainingSession, persona: str) -> MentionArrived:
    for minute in range(1, 61):
        session.advance_to(minute)
        for e in session.transcript:
            if isinstance(e, MentionArrived) and e.persona == persona:
                return e
    raise AssertionError(f"no {persona} in the flood")


def _reactions(session: TrainingSession, thread_id: str) -> list[str]:
    return [e.reaction for e in session.transcript
            if isinstance(e, CustomerReplied) and e.thread_id == thread_id]


@pytest.mark.parametrize(("quality", "persona", "expected"), [
    (ReplyQuality(2), "angry", {"thanked"}),
    (ReplyQuality(0, dismissive=True), "angry", {"escalated"}),
    (ReplyQuality(1, asks_pii_public=True), "angry", {"escalated_pii"}),
    (ReplyQuality(1, asks_password=True), "confused", {"escalated"}),
    (ReplyQuality(1, moves_to_dm=True), "angry", {"calmed"}),
    (ReplyQuality(0, argues=True), "troll", {"trolled_back"}),
])
def test_session_customer_reacts_to_reply_quality(scenario, quality, persona, expected):
    judge = _Fixed(quality)
    session = TrainingSession(scenario, seed=31, judge=judge)
    mention = _first_thread(session, persona)
    # "yes": the reply takes up any question the customer asked (else they would ask again,
    # tests/engine/test_answers.py), so only the judge's reading decides the reaction
    session.act(Reply(mention.thread_id, "yes, any text: the judge decides"))
    session.advance_to(session.now + 30)
    got = _reactions(session, mention.thread_id)
    assert got and got[0] in expected
    assert judge.seen[0].persona == persona
    assert judge.seen[0].mention_text == mention.text


def test_session_asked_in_dm_customer_provides_details(scenario):
    session = TrainingSession(scenario, seed=31,
                              judge=_Fixed(ReplyQuality(1, asks_details_dm=True,
                                                        moves_to_dm=True)))
    mention = _first_thread(session, "angry")
    session.act(MoveToDm(mention.thread_id, "Sorry! Please DM us so we can check privately"))
    session.advance_to(session.now + 20)
    session.act(Reply(mention.thread_id, "Could you share your order number here?",
                      channel="dm"))
    session.advance_to(session.now + 20)
    replies = [e for e in session.transcript
               if isinstance(e, CustomerReplied) and e.thread_id == mention.thread_id]
    assert replies[-1].reaction == "provided_details"
    assert replies[-1].channel == "dm"


def test_session_troll_fades_when_answered_briefly(scenario):
    faded = 0
    for seed in range(20):
        session = TrainingSession(scenario, seed=seed, judge=_Fixed(ReplyQuality(1, brief=True)))
        mention = _first_thread(session, "troll")
        session.act(Reply(mention.thread_id, "Thanks for the feedback."))
        session.advance_to(session.now + 30)
        faded += _reactions(session, mention.thread_id)[:1] == ["faded"]
    assert faded >= 12  # trolls fade 80% of the time when answered briefly


def test_session_default_judge_customer_asked_for_order_number_in_public_escalates(scenario):
    outcomes = Counter()
    for seed in range(6):
        session = TrainingSession(scenario, seed=seed)
        mention = _first_thread(session, "angry")
        session.act(Reply(mention.thread_id, "Please reply with your order number and email"))
        session.advance_to(session.now + 30)
        outcomes.update(_reactions(session, mention.thread_id)[:1])
    assert outcomes["escalated_pii"] >= 4


def test_session_high_reach_ignored_complaint_amplifies():
    scenario = make_scenario(injects=[
        {"at_minute": 1, "persona": "vip", "intent": "outage", "sentiment": -0.9,
         "text": "{brand} 3 hours without data. 2M people follow me. Fix it.",
         "author": {"handle": "bigvoice", "display_name": "Big Voice", "followers": 2000000,
                    "verified": True}}])
    ignored = TrainingSession(scenario, seed=2)
    ignored.advance_to(60)
    spread = [e for e in ignored.transcript if e.type == "MentionAmplified"]
    assert spread
    quotes = [e for e in ignored.transcript
              if isinstance(e, MentionArrived) and e.source == "amplification"]
    assert all(q.quoted_thread_id for q in quotes)

    answered = TrainingSession(scenario, seed=2)
    answered.advance_to(1.5)
    vip = next(e for e in answered.transcript
               if isinstance(e, MentionArrived) and e.author.handle == "bigvoice")
    answered.act(Reply(vip.thread_id, "That's far too long without data, I'm sorry. Our "
                                      "engineers are restoring it now; I'll update you by 10:30."))
    answered.advance_to(60)
    assert not [e for e in answered.transcript
                if e.type == "MentionAmplified" and e.thread_id == vip.thread_id]


def test_session_resolved_threads_may_answer_feedback_card(scenario):
    cards = []
    for seed in range(4):
        session = TrainingSession(scenario, seed=seed)
        session.advance_to(10)
        for e in list(session.transcript):
            if isinstance(e, MentionArrived) and e.persona != "troll":
                session.act(Reply(e.thread_id, "Sorry about this, we're fixing the app now "
                                               "and will update you within 30 min. ^TR"))
                session.act(Resolve(e.thread_id))
        session.advance_to(40)
        cards += [e for e in session.transcript if isinstance(e, FeedbackSubmitted)]
    assert cards
    assert all(1 <= c.csat <= 5 and 0 <= c.nps <= 10 for c in cards)


def test_session_feedback_worse_when_asked_for_password(scenario):
    def mean_csat(text: str) -> float:
        values = []
        for seed in range(12):
            session = TrainingSession(scenario, seed=seed)
            session.advance_to(10)
            for e in list(session.transcript):
                if isinstance(e, MentionArrived) and e.persona not in ("troll", "praise"):
                    session.act(Reply(e.thread_id, text))
                    session.act(Resolve(e.thread_id))
            session.advance_to(30)
            values += [e.csat for e in session.transcript if isinstance(e, FeedbackSubmitted)]
        return sum(values) / len(values)

    good = mean_csat("So sorry the app is down, we're fixing it now and will update you "
                     "within 30 minutes.")
    bad = mean_csat("Send us your password and we will look.")
    assert good > bad + 1


def test_session_all_actions_produce_their_events(scenario):
    session = TrainingSession(scenario, seed=9)
    session.advance_to(10)
    mention = next(e for e in session.transcript if isinstance(e, MentionArrived))
    t = mention.thread_id
    produced = [
        session.act(Like(mention.mention_id)),
        session.act(Tag(t, "outage")),
        session.act(Assign(t, "Jin")),
        session.act(AddNote(mention.author.handle, "Regular; prefers DM")),
        session.act(Escalate(t, "billing tier 2")),
        session.act(StatusPosted and PostStatus("We're investigating mobile data issues.")),
        session.act(Resolve(t)),
        session.act(Hide(mention.mention_id)),
    ]
    kinds = [events[0].type for events in produced]
    assert kinds == ["MentionLiked", "ThreadTagged", "ThreadAssigned", "NoteAdded",
                     "ThreadEscalated", "StatusPosted", "ThreadResolved", "MentionHidden"]
    assert session.pinned_status == "We're investigating mobile data issues."
    assert session.notes[mention.author.handle] == ["Regular; prefers DM"]
    assert isinstance(produced[6][0], ThreadResolved)
    assert isinstance(produced[7][0], MentionHidden)


@pytest.mark.parametrize(("action", "message"), [
    (Reply("t999999", "hello"), "no thread 't999999'"),
    (Reply("t000001", "x" * 281), "limited to 280 characters (this one has 281)"),
    (Reply("t000001", "   "), "needs some text"),
    (Reply("t000001", "hi", channel="dm"), "move the conversation to DM first"),
    (MoveToDm("t000001", "x" * 270), "limited to 280 characters"),
    (Like("m999999"), "no mention 'm999999'"),
    (PostStatus(""), "1-280 characters"),
])
def test_session_bad_action_clear_error_nothing_recorded(scenario, action, message):
    session = TrainingSession(scenario, seed=9)
    session.advance_to(5)
    before = len(session.transcript)
    with pytest.raises(ActionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        session.act(action)
    assert len(session.transcript) == before


def test_session_move_to_dm_appends_dm_link(scenario):
    session = TrainingSession(scenario, seed=9)
    session.advance_to(5)
    mention = next(e for e in session.transcript if isinstance(e, MentionArrived))
    (reply,) = session.act(MoveToDm(mention.thread_id, "Let's take this to DM"))
    assert isinstance(reply, ReplySent)
    assert reply.moves_to_dm and reply.channel == "public"
    assert reply.text.endswith(scenario.brand.dm_link)


def test_session_replay_rebuilds_same_transcript(scenario):
    live = TrainingSession(scenario, seed=13)
    log = []
    live.advance_to(4)
    mention = next(e for e in live.transcript if isinstance(e, MentionArrived))
    for action in (Reply(mention.thread_id, "Sorry! We're on it, update in 15 min."),
                   PostStatus("Mobile data down since 09:05, investigating.")):
        log.append((live.now, action))
        live.act(action)
    live.advance_to(9.5)
    log.append((live.now, Resolve(mention.thread_id)))
    live.act(Resolve(mention.thread_id))
    live.advance_to(20)

    rebuilt = TrainingSession(scenario, seed=13)
    rebuilt.replay(log)
    rebuilt.advance_to(20)
    assert _jsonl(rebuilt) == _jsonl(live)


def test_session_summary_counts_the_flood(scenario):
    session = TrainingSession(scenario, seed=4)
    session.advance_to(60)
    summary = session.summary()
    arrived = [e for e in session.transcript if isinstance(e, MentionArrived)]
    assert summary["mentions"] == len(arrived)
    assert sum(summary["by_persona"].values()) == len(arrived)
    assert summary["follow_ups"] == sum(isinstance(e, CustomerFollowedUp)
                                        for e in session.transcript)


def test_session_praise_persona_always_praise_intent(scenario):
    session = TrainingSession(scenario, seed=4)
    session.advance_to(60)
    for e in session.transcript:
        if isinstance(e, MentionArrived) and e.source == "organic":
            assert (e.persona == "praise") == (e.intent == "praise")


def test_session_status_update_recorded(scenario):
    session = TrainingSession(scenario, seed=4)
    session.advance_to(3)
    (event,) = session.act(PostStatus("Mobile data is down since 09:05; we're on it."))
    assert isinstance(event, StatusPosted)
    assert event.minute == 3

"""Property tests (hypothesis): the transcript's invariants hold for any seed and any trainee."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.records import CUSTOMER_POSTS, MentionAmplified, MentionArrived, Reply, Resolve
from engine.session import ActionError, TrainingSession

from .conftest import make_scenario

SCENARIO = make_scenario(duration_minutes=40, phases=[
    {"name": "storm", "start_minute": 0, "end_minute": 40, "rate_per_minute": 2,
     "rate_end_per_minute": 5,
     "personas": {"angry": 3, "troll": 1, "privacy_oversharer": 1, "vip": 0.5, "praise": 1},
     "intents": {"outage": 3, "billing": 1, "praise": 1}}])

REPLIES = st.sampled_from([
    "So sorry, we're fixing it now; update in 20 min.",
    "Please post your order number and email here.",
    "calm down, as I said it's per our policy",
    "DM us and we'll sort it privately.",
    "actually you're wrong",
])
STEPS = st.lists(st.tuples(st.floats(0.1, 6), st.integers(0, 50), REPLIES,
                           st.booleans()), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), steps=STEPS)
def test_transcript_invariants_any_seed_any_trainee(seed, steps):
    session = TrainingSession(SCENARIO, seed=seed)
    for advance, pick, text, resolve in steps:
        session.advance_to(session.now + advance)
        threads = [e.thread_id for e in session.transcript if isinstance(e, MentionArrived)]
        if not threads:
            continue
        thread_id = threads[pick % len(threads)]
        with contextlib.suppress(ActionError):  # e.g. resolving twice: refused, not recorded
            session.act(Resolve(thread_id) if resolve else Reply(thread_id, text))
    session.advance_to(40)
    events = session.transcript

    minutes = [e.minute for e in events]
    assert minutes == sorted(minutes), "minutes never decrease"
    ids = [e.event_id for e in events]
    assert len(ids) == len(set(ids)), "event ids are unique"
    mention_ids = [e.mention_id for e in events if isinstance(e, CUSTOMER_POSTS)]
    assert len(mention_ids) == len(set(mention_ids)), "mention ids are unique"

    opened: set[str] = set()
    for e in events:
        if isinstance(e, MentionArrived):
            assert e.thread_id not in opened
            opened.add(e.thread_id)
            if e.quoted_thread_id:
                assert e.quoted_thread_id in opened
        elif hasattr(e, "thread_id") or isinstance(e, MentionAmplified):
            assert e.thread_id in opened, f"{e.type} {e.event_id} belongs to no earlier thread"
    assert all(len(e.text) <= 280 for e in events if isinstance(e, MentionArrived))

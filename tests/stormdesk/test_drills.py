"""Sessions assembled with the scorer: customers react to what the scorer sees in a reply."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.records import CustomerReplied, MentionArrived, MoveToDm, Reply
from engine.scenario import resolve_scenario
from stormdesk.drills import new_session


def first_reaction(scenario_id: str, seed: int, text: str, persona: str = "angry",
                   move_first: bool = False) -> str | None:
    session = new_session(resolve_scenario(scenario_id), seed)
    for minute in range(1, 60):
        session.advance_to(minute)
        mention = next((e for e in session.transcript if isinstance(e, MentionArrived)
                        and e.persona == persona and e.source == "organic"), None)
        if mention:
            break
    assert mention is not None
    if move_first:
        session.act(MoveToDm(mention.thread_id, "Sorry about this! Let's sort it in DM."))
        session.advance_to(session.now + 20)
        session.act(Reply(mention.thread_id, text, channel="dm"))
    else:
        session.act(Reply(mention.thread_id, text))
    session.advance_to(session.now + 20)
    reactions = [e.reaction for e in session.transcript
                 if isinstance(e, CustomerReplied) and e.thread_id == mention.thread_id]
    return reactions[-1] if reactions else None


@pytest.mark.parametrize(("scenario_id", "ask"), [
    ("billing-double-charge", "Could you reply here with your order number and email?"),
    ("ko-bakery-delivery-delay", "주문번호랑 연락처 여기 댓글로 남겨주세요"),
])
def test_customer_asked_for_order_number_in_public_reacts_badly(scenario_id, ask):
    outcomes = Counter(first_reaction(scenario_id, seed, ask) for seed in range(6))
    assert outcomes["escalated_pii"] >= 4, outcomes


def test_customer_asked_in_dm_gives_details():
    outcomes = Counter(first_reaction("billing-double-charge", seed,
                                      "Thanks! Could you share your order number here?",
                                      move_first=True) for seed in range(4))
    assert outcomes["provided_details"] >= 3, outcomes


def test_good_public_reply_is_thanked_and_a_move_to_dm_continues_in_dm():
    fixed = ("I'm so sorry you were charged twice, that's on us. I'm refunding the duplicate "
             "now; you'll see it within 3 days.")
    outcomes = Counter(first_reaction("billing-double-charge", seed, fixed) for seed in range(6))
    assert outcomes["thanked"] >= 4, outcomes
    moved = Counter(first_reaction("billing-double-charge", seed, fixed + " DM us if anything "
                                   "else looks wrong.") for seed in range(6))
    assert moved["calmed"] >= 4, moved

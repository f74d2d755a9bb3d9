"""Leaving early never pays: on every shipped scenario, a trainee who answers one customer and
ends at minute 7 never scores above a trainee who works the whole drill with decent replies.

In assessment mode an early end plays the remaining minutes with nobody answering, so it is
exactly "answer one, then play on without replies"; both are checked.
"""

from __future__ import annotations

import pytest

from engine.records import MentionArrived, Reply
from engine.scenario import builtin_scenarios
from stormdesk.bots import Decent
from stormdesk.player import ScriptedAction, play

SCENARIOS = sorted(builtin_scenarios())
SEED = 11
EARLY_MINUTE = 7.0


def one_reply(scenario_id: str) -> tuple[list[ScriptedAction], float]:
    """A decent reply to the first customer as soon as they post, and the minute to quit."""
    scenario = builtin_scenarios()[scenario_id]
    probe = play(scenario, SEED, end_at=scenario.duration_minutes, mode="practice")
    first = next(e for e in probe.transcript if isinstance(e, MentionArrived)
                 and e.persona != "praise")
    text = ("많이 불편하셨죠, 정말 죄송합니다. 지금 바로 확인하고 한 시간 안에 다시 안내해 "
            "드리겠습니다." if scenario.language == "ko" else
            "I'm so sorry about this, that's really frustrating. I'm checking it now and will "
            "update you here within the hour.")
    minute = max(first.minute, 1.0)
    return [ScriptedAction(1, minute, Reply(first.thread_id, text))], max(EARLY_MINUTE, minute)


@pytest.mark.slow
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_early_end_never_beats_playing_on(scenario_id: str) -> None:
    scenario = builtin_scenarios()[scenario_id]
    actions, quit_at = one_reply(scenario_id)
    early = play(scenario, SEED, actions, end_at=quit_at, mode="assessment")
    play_on = play(scenario, SEED, actions, mode="assessment")
    decent = play(scenario, SEED, policy=Decent(), mode="assessment")
    assert early.played_out and early.scorecard.complete
    assert early.scorecard.overall == play_on.scorecard.overall
    assert early.scorecard.overall is not None and decent.scorecard.overall is not None
    assert early.scorecard.overall < decent.scorecard.overall, (
        f"{scenario_id}: quitting at minute {quit_at:g} scored {early.scorecard.overall}, "
        f"working the drill scored {decent.scorecard.overall}")

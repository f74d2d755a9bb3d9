"""Assemble drills: an engine session whose simulated customers react through the scorer.

This is the one place that knows both the engine and the scorer (the engine never imports
scoring): it plugs the scorer's cheap per-reply assessment into the session's reaction hook, so
a customer asked for their order number in public reacts to exactly what the scorer sees.
"""

from __future__ import annotations

from engine.records import ReplyContext, ReplyQuality
from engine.scenario import Scenario
from engine.session import TrainingSession


def scorer_judge(context: ReplyContext) -> ReplyQuality:
    """The scorer's per-reply assessment, as the simulated customer perceives it."""
    from scoring.assess import engine_judge  # imported lazily: keeps app start-up light

    return engine_judge(context)


def new_session(scenario: Scenario, seed: int, agent: str = "trainee") -> TrainingSession:
    """A drill session whose customers react through the scorer's assessment."""
    return TrainingSession(scenario, seed=seed, judge=scorer_judge, agent=agent)

"""A headless preview: the drill played with nobody answering, tabulated for a team lead."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from engine.records import (
    CustomerFollowedUp,
    MentionAmplified,
    MentionArrived,
    ReputationSampled,
)
from engine.scenario import Scenario
from engine.session import TrainingSession


@dataclass(frozen=True)
class Preview:
    """What the flood looks like: the session summary, reputation per minute, volume per minute
    and kind, and every new mention."""

    summary: dict[str, Any]
    reputation: list[dict[str, float]]
    volume: list[dict[str, Any]]
    mentions: list[dict[str, Any]]


def preview(scenario: Scenario, seed: int, minutes: float | None = None) -> Preview:
    """Play ``scenario`` with ``seed`` for ``minutes`` (default: all of it), nobody answering."""
    session = TrainingSession(scenario, seed=seed)
    session.advance_to(minutes if minutes else scenario.duration_minutes)
    events = session.transcript
    reputation = [{"minute": e.minute, "reputation": e.reputation,
                   "waiting": float(e.waiting_threads)}
                  for e in events if isinstance(e, ReputationSampled)]
    kinds = {MentionArrived: "new mention", CustomerFollowedUp: "follow-up",
             MentionAmplified: "quote/retweet"}
    counts = Counter((int(e.minute), kinds[type(e)]) for e in events if type(e) in kinds)
    volume = [{"minute": m, "kind": k, "posts": n} for (m, k), n in sorted(counts.items())]
    mentions = [{"minute": e.minute, "clock": scenario.clock_label(e.minute),
                 "author": "@" + e.author.handle, "followers": e.author.followers,
                 "persona": e.persona, "intent": e.intent, "priority": e.priority,
                 "text": e.text}
                for e in events if isinstance(e, MentionArrived)]
    return Preview(session.summary(), reputation, volume, mentions)

"""Arrival times of organic mentions: a non-homogeneous Poisson process drawn by thinning.

Each phase is drawn in one vectorised numpy step (a homogeneous process at the phase's peak
rate, then kept with probability rate(t) / peak), which is what keeps a 100k-mention flood cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.scenario import Phase


@dataclass(frozen=True, slots=True)
class PhaseArrivals:
    """The organic arrivals of one phase: minutes (sorted) and who/what each one is."""

    minutes: list[float]
    personas: list[str]
    intents: list[str]
    sentiments: list[float]


#: Typical mood of a first post per persona (-1 furious .. 1 delighted); noise sd 0.15.
BASE_SENTIMENT = {"angry": -0.7, "troll": -0.8, "praise": 0.8, "confused": -0.2, "vip": -0.5,
                  "journalist": -0.2, "privacy_oversharer": -0.4, "neutral": -0.1}
SENTIMENT_NOISE = 0.15


def draw_phase(phase: Phase, rng: np.random.Generator, end_minute: float) -> PhaseArrivals:
    """Arrivals in ``[phase.start_minute, min(phase.end_minute, end_minute))``."""
    start = phase.start_minute
    end = min(phase.end_minute, end_minute)
    peak = phase.peak_rate
    if end <= start or peak <= 0:
        return PhaseArrivals([], [], [], [])
    count = int(rng.poisson(peak * (end - start)))
    minutes = np.sort(rng.uniform(start, end, size=count))
    if phase.rate_end_per_minute is not None:  # thinning against the linear ramp
        share = (minutes - phase.start_minute) / (phase.end_minute - phase.start_minute)
        rate = phase.rate_per_minute + share * (phase.rate_end_per_minute - phase.rate_per_minute)
        minutes = minutes[rng.uniform(0, peak, size=minutes.size) < rate]
    personas = _mix(phase.personas, minutes.size, rng)
    intents = _mix(phase.intents, minutes.size, rng)
    # Praise comes from the praise persona and only from it: fans praise, others complain.
    others = {k: v for k, v in phase.intents.items() if k != "praise"}
    spare = _mix(others, minutes.size, rng) if sum(others.values()) > 0 else intents
    intents = [
        "praise" if persona == "praise" else (spare[i] if intent == "praise" else intent)
        for i, (persona, intent) in enumerate(zip(personas, intents, strict=True))
    ]
    base = np.array([BASE_SENTIMENT[p] for p in personas], dtype=float)
    noisy = base + rng.normal(0.0, SENTIMENT_NOISE, size=base.size)
    sentiments = np.round(np.clip(noisy, -1.0, 1.0), 3).tolist()
    return PhaseArrivals(np.round(minutes, 3).tolist(), personas, intents, sentiments)


def _mix(shares: dict[str, float], size: int, rng: np.random.Generator) -> list[str]:
    names = sorted(shares)  # sorted: the draw must not depend on the YAML key order
    weights = np.array([shares[n] for n in names], dtype=float)
    picks = rng.choice(len(names), size=size, p=weights / weights.sum())
    return [names[i] for i in picks.tolist()]

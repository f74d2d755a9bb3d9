"""Arrivals follow their phase's ramp (step, linear, exponential), the outage drills spike and
decay like real outages, and who posts what stays coherent (abuse from trolls or angry
customers, praise from fans)."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.arrivals import draw_phase, phase_rates
from engine.scenario import Phase, resolve_scenario

MIX = {"personas": {"angry": 1, "troll": 1, "confused": 1, "praise": 1},
       "intents": {"outage": 2, "abuse": 1, "praise": 1}}


def _phase(**fields: object) -> Phase:
    return Phase.model_validate({"name": "p", "start_minute": 10, "end_minute": 70,
                                 "rate_per_minute": 1, **MIX, **fields})


@settings(max_examples=60, deadline=None)
@given(start=st.floats(0, 50), end=st.floats(0, 50), tau=st.floats(0.5, 60),
       ramp=st.sampled_from(["linear", "exponential"]))
def test_phase_rates_equal_the_schemas_rate_at(start: float, end: float, tau: float,
                                               ramp: str) -> None:
    phase = _phase(rate_per_minute=start, rate_end_per_minute=end, ramp=ramp,
                   **({"ramp_minutes": tau} if ramp == "exponential" else {}))
    minutes = np.linspace(10, 69.9, 25)
    assert np.allclose(phase_rates(phase, minutes), [phase.rate_at(m) for m in minutes])


@pytest.mark.parametrize("fields", [
    {"rate_per_minute": 2},
    {"rate_per_minute": 1, "rate_end_per_minute": 8},
    {"rate_per_minute": 0.5, "rate_end_per_minute": 10, "ramp": "exponential",
     "ramp_minutes": 6},
    {"rate_per_minute": 10, "rate_end_per_minute": 1, "ramp": "exponential",
     "ramp_minutes": 20},
])
def test_thinning_follows_the_ramp(fields: dict[str, object]) -> None:
    """Counts per 10-minute bin, averaged over many draws, match the integral of rate(t)."""
    phase = _phase(**fields)
    rng = np.random.default_rng(5)
    bins = np.zeros(6)
    runs = 300
    for _ in range(runs):
        minutes = np.array(draw_phase(phase, rng, 100).minutes)
        bins += np.histogram(minutes, bins=6, range=(10, 70))[0]
    grid = np.linspace(10, 70, 601)
    rates = phase_rates(phase, grid)
    expected = [np.trapezoid(rates[i * 100:(i + 1) * 100 + 1], grid[i * 100:(i + 1) * 100 + 1])
                for i in range(6)]
    assert np.allclose(bins / runs, expected, rtol=0.08, atol=0.3)


@pytest.mark.parametrize(("scenario_id", "onset"), [("telecom-outage", 15),
                                                    ("ko-payment-app-outage", 10)])
def test_outage_drills_spike_within_15_minutes_and_decay_with_a_tail(scenario_id: str,
                                                                      onset: float) -> None:
    scenario = resolve_scenario(scenario_id)

    def rate(minute: float) -> float:
        phase = scenario.phase_at(minute)
        return phase.rate_at(minute) if phase else 0.0

    peak = max(rate(m / 2) for m in range(int(scenario.duration_minutes * 2)))
    assert rate(onset + 15) >= 0.9 * peak
    assert rate(onset + 5) >= 0.5 * peak  # a spike, not a 35-minute ramp
    late = [rate(m) for m in range(int(scenario.duration_minutes) - 30,
                                   int(scenario.duration_minutes))]
    assert all(a >= b for a, b in itertools.pairwise(late))  # still falling
    assert 0.05 * peak <= late[-1] <= 0.35 * peak  # a tail, not a cliff


def test_abuse_comes_from_trolls_or_angry_customers_and_praise_from_fans() -> None:
    phase = _phase(rate_per_minute=40)
    arrivals = draw_phase(phase, np.random.default_rng(1), 100)
    pairs = Counter(zip(arrivals.personas, arrivals.intents, strict=True))
    assert {p for p, i in pairs if i == "abuse"} <= {"troll", "angry"}
    assert {i for p, i in pairs if p == "troll"} == {"abuse"}
    assert {i for p, i in pairs if p == "praise"} == {"praise"}
    assert {p for p, i in pairs if i == "praise"} == {"praise"}

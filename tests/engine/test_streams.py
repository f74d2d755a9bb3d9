"""Streams derived per thread: deterministic per key, independent across keys, and uniform."""

from __future__ import annotations

import math
import statistics

import pytest

from engine.reactions import patience, patience_from
from engine.threads import HashStream, ThreadStreams, poisson


def _draws(stream: HashStream, n: int) -> list[float]:
    return [stream.random() for _ in range(n)]


def test_thread_streams_same_seed_and_key_same_stream():
    assert _draws(ThreadStreams(7).rng("t000001/follow_up/1"), 50) == _draws(
        ThreadStreams(7).rng("t000001/follow_up/1"), 50)


@pytest.mark.parametrize(("seed", "key"), [(8, "t000001/follow_up/1"),
                                           (7, "t000001/follow_up/2"),
                                           (7, "t000002/follow_up/1"),
                                           (7, "t000001q1/follow_up/1")])
def test_thread_streams_other_seed_or_key_other_stream(seed, key):
    base = _draws(ThreadStreams(7).rng("t000001/follow_up/1"), 20)
    assert _draws(ThreadStreams(seed).rng(key), 20) != base


def test_thread_streams_pair_is_deterministic_and_in_unit_interval():
    streams = ThreadStreams(3)
    pairs = [streams.pair(f"t{n:06d}/patience/0/1") for n in range(2000)]
    assert pairs == [ThreadStreams(3).pair(f"t{n:06d}/patience/0/1") for n in range(2000)]
    flat = [u for pair in pairs for u in pair]
    assert all(0.0 <= u < 1.0 for u in flat)
    assert abs(statistics.fmean(flat) - 0.5) < 0.02


def test_hash_stream_draws_look_uniform():
    """Mean, spread and bucket counts of 40,000 draws across many keys (blake2b output)."""
    streams = ThreadStreams(11)
    values = [u for n in range(2000) for u in _draws(streams.rng(f"t{n:06d}/x"), 20)]
    assert abs(statistics.fmean(values) - 0.5) < 0.01
    assert abs(statistics.pstdev(values) - math.sqrt(1 / 12)) < 0.01
    buckets = [0] * 10
    for u in values:
        buckets[int(u * 10)] += 1
    assert max(buckets) < 1.1 * len(values) / 10 and min(buckets) > 0.9 * len(values) / 10


def test_hash_stream_methods_stay_in_range_and_match_their_distributions():
    stream = ThreadStreams(5).rng("t000009/methods")
    ints = [stream.randint(3, 6) for _ in range(4000)]
    assert set(ints) == {3, 4, 5, 6}
    assert {stream.choice("abc") for _ in range(300)} == {"a", "b", "c"}
    assert len(stream.choices("xyz", k=10)) == 10
    assert all(2.0 <= stream.uniform(2.0, 5.0) < 5.0 for _ in range(500))
    gauss = [stream.gauss(1.0, 2.0) for _ in range(8000)]
    assert abs(statistics.fmean(gauss) - 1.0) < 0.1 and abs(statistics.pstdev(gauss) - 2) < 0.1
    expo = [stream.expovariate(0.25) for _ in range(8000)]
    assert abs(statistics.fmean(expo) - 4.0) < 0.2
    assert min(stream.paretovariate(1.1) for _ in range(500)) >= 1.0


def test_poisson_mean_matches():
    stream = ThreadStreams(1).rng("t000001/spread")
    draws = [poisson(stream, 4.5) for _ in range(6000)]
    assert abs(statistics.fmean(draws) - 4.5) < 0.15


@pytest.mark.parametrize(("persona", "attempt", "expected"), [
    ("praise", 1, None),   # fans never chase
    ("angry", 4, None),    # nobody chases a fourth time
])
def test_patience_never_for_fans_or_a_fourth_time(persona, attempt, expected):
    assert patience_from(persona, attempt, 0.0, 0.5) is expected


def test_patience_from_chance_and_mean():
    assert patience_from("angry", 1, 0.9, 0.5) is None  # above the 55% chance: gives up
    delays = [patience_from("angry", 1, 0.0, (n + 0.5) / 4000) for n in range(4000)]
    assert abs(statistics.fmean(d for d in delays if d is not None) - (0.5 + 8.0)) < 0.1
    stream = ThreadStreams(2).rng("t000001/patience")
    assert patience("angry", 1, stream) == patience("angry", 1,
                                                    ThreadStreams(2).rng("t000001/patience"))

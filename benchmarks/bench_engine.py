"""Engine throughput and memory: a 24-simulated-hour flood of the outage drill, headless.

Prints mentions per second, the bare-SimPy floor measured in the same run (one process looping
``env.timeout`` as many times as the flood has events), their ratio, and peak memory.
Targets (issue 2): ratio >= 0.10 and < 300 MB for 100k mentions. Also prints what the streams
derived per thread cost (issue 8), against seeding a ``random.Random`` per stream.

    python benchmarks/bench_engine.py [--scenario telecom-outage] [--mentions 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import timeit
import tracemalloc
from collections.abc import Generator
from pathlib import Path

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.records import CUSTOMER_POSTS, MentionArrived
from engine.scenario import Phase, Scenario, resolve_scenario
from engine.session import TrainingSession
from engine.threads import ThreadStreams

DAY_MINUTES = 1440.0
RATIO_TARGET = 0.10
MEMORY_TARGET_MB = 300.0


def stretched(scenario: Scenario, mentions: int) -> Scenario:
    """The drill's phases stretched over 24 hours, rates scaled to about ``mentions``
    (exponential ramps keep their shape: their time constant stretches too)."""
    factor = DAY_MINUTES / scenario.duration_minutes
    expected = sum(_phase_mentions(p) for p in scenario.phases) * factor
    scale = 1.03 * mentions / expected
    phases = []
    for p in scenario.phases:
        update: dict[str, object] = {
            "start_minute": p.start_minute * factor, "end_minute": p.end_minute * factor,
            "rate_per_minute": p.rate_per_minute * scale,
            "rate_end_per_minute": None if p.rate_end_per_minute is None
            else p.rate_end_per_minute * scale}
        if p.ramp_minutes is not None:
            update["ramp_minutes"] = p.ramp_minutes * factor
        phases.append(p.model_copy(update=update))
    return scenario.model_copy(update={
        "duration_minutes": DAY_MINUTES, "phases": tuple(phases),
        "injects": tuple(i.model_copy(update={"at_minute": i.at_minute * factor})
                         for i in scenario.injects),
        "incident": tuple(f.model_copy(update={"from_minute": f.from_minute * factor})
                          for f in scenario.incident)})


def _phase_mentions(phase: Phase) -> float:
    """The mentions a phase expects: its rate integrated over its window (any ramp)."""
    steps = 200
    width = (phase.end_minute - phase.start_minute) / steps
    return sum(phase.rate_at(phase.start_minute + (i + 0.5) * width) for i in range(steps)) * width


def simpy_floor(events: int) -> float:
    """Events per second of a bare SimPy process looping ``env.timeout``."""
    env = simpy.Environment()

    def loop() -> Generator[simpy.Event, None, None]:
        for _ in range(events):
            yield env.timeout(0.01)

    env.process(loop())
    start = time.perf_counter()
    env.run()
    return events / (time.perf_counter() - start)


def stream_costs(calls: int = 20_000) -> dict[str, float]:
    """Microseconds per call: a thread's patience pair, a thread stream built and drawn ten
    times (a follow-up's text needs about ten draws), and the same with a seeded
    ``random.Random`` (the alternative the engine does not use)."""
    streams = ThreadStreams(1)
    keys = [f"t{n:06d}/follow_up/1" for n in range(calls)]

    def pair() -> None:
        for key in keys:
            streams.pair(key)

    def hashed() -> None:
        for key in keys:
            draw = streams.rng(key).random
            for _ in range(10):
                draw()

    def seeded() -> None:
        for n in range(calls):
            draw = random.Random(n << 64 | n).random
            for _ in range(10):
                draw()

    return {name: min(timeit.repeat(fn, number=1, repeat=3)) / calls * 1e6
            for name, fn in (("pair", pair), ("hash stream + 10 draws", hashed),
                             ("random.Random + 10 draws", seeded))}


def run_flood(scenario: Scenario, seed: int) -> tuple[TrainingSession, float]:
    session = TrainingSession(scenario, seed=seed)
    gc.collect()
    start = time.perf_counter()
    session.advance_to(DAY_MINUTES)
    return session, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="telecom-outage")
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    scenario = stretched(resolve_scenario(args.scenario), args.mentions)
    session, seconds = run_flood(scenario, args.seed)
    events = len(session.transcript)
    mentions = sum(isinstance(e, MentionArrived) for e in session.transcript)
    posts = sum(isinstance(e, CUSTOMER_POSTS) for e in session.transcript)
    floor = min(simpy_floor(events) for _ in range(3))
    rate = mentions / seconds
    del session
    gc.collect()

    tracemalloc.start()
    traced, _ = run_flood(scenario, args.seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    peak_mb = peak / 2**20

    ratio = rate / floor
    print(f"flood: {args.scenario} stretched to 24 h, seed {args.seed}")
    print(f"  mentions (new threads)   {mentions:>10,}")
    print(f"  customer posts (+follow-ups, replies) {posts:,}; events {events:,}")
    print(f"  engine                   {seconds:>10.2f} s   {rate:>10,.0f} mentions/s   "
          f"({posts / seconds:,.0f} customer posts/s, {events / seconds:,.0f} events/s)")
    print(f"  bare SimPy floor         {floor:>10,.0f} timeouts/s ({events:,} timeouts)")
    print(f"  ratio mentions/s : floor {ratio:>10.3f}   target >= {RATIO_TARGET}  "
          f"{'PASS' if ratio >= RATIO_TARGET else 'FAIL'}")
    per_100k = peak_mb * 100_000 / max(mentions, 1)
    print(f"  peak memory (tracemalloc) {peak_mb:>9.1f} MB ({per_100k:.1f} MB per 100k mentions)"
          f"   target < {MEMORY_TARGET_MB:g}  {'PASS' if per_100k < MEMORY_TARGET_MB else 'FAIL'}")
    print("  streams per thread (us per call): " + ", ".join(
        f"{name} {us:.2f}" for name, us in stream_costs().items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Store write latency under load: concurrent simulated trainees appending their actions.

Each trainee is a thread with its own drill, appending ``--actions`` actions as fast as it can
(worst case: real trainees pause seconds between actions), all starting at once. Prints the
p50/p95/max latency of one ``Store.append_action`` call, then checks that nothing was lost or
duplicated (exact row count, exact seq set per drill, and retried writes being no-ops).
Target (issue 5): p95 <= 20 ms with 50 trainees x 200 actions, on SQLite and PostgreSQL.

    python benchmarks/bench_store.py [--trainees 50] [--actions 200] [--pg URL]

PostgreSQL runs when ``--pg`` or ``$STORMDESK_TEST_DATABASE_URL`` is given (in a scratch
schema, dropped afterwards); SQLite always runs (a temporary file).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import URL, make_url

from engine.records import Reply
from store import Store, Viewer
from store.models import DrillActionRow
from store.passwords import FAST_TEST_HASHER

P95_TARGET_MS = 20.0
#: A trainee's mean pause between actions. A person needs seconds to read and type a reply;
#: 50 ms is about 100 times faster, so 50 trainees offer ~1,000 appends a second.
DEFAULT_THINK_MS = 50.0
#: Seqs each trainee re-sends afterwards, as a client would after a timeout.
RETRIES_PER_TRAINEE = 5
#: A realistic reply: about 200 characters, like a trainee's public answer.
REPLY_TEXT = ("Hi {name}, I'm so sorry about the outage this morning. Our engineers are on it and "
              "we expect service back within the hour; I'll update this thread as soon as it is. "
              "#{seq}")


@dataclass(frozen=True, slots=True)
class Result:
    backend: str
    latencies_ms: list[float]
    wall_s: float
    rows: int
    expected_rows: int
    exact_seqs: bool
    retries_noop: bool
    errors: list[str]

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def passed(self) -> bool:
        return (not self.errors and self.rows == self.expected_rows and self.exact_seqs
                and self.retries_noop and self.percentile(0.95) <= P95_TARGET_MS)


@contextmanager
def sqlite_url() -> Iterator[URL]:
    with tempfile.TemporaryDirectory(prefix="bench_store_") as folder:
        yield URL.create("sqlite", database=str(Path(folder) / "bench.db"))


@contextmanager
def postgres_url(base: str) -> Iterator[URL]:
    """A scratch schema on the server at ``base``, dropped afterwards."""
    url = make_url(base)
    schema = f"bench_store_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def setup(store: Store, trainees: int) -> list[tuple[Viewer, str]]:
    team = store.create_team("Bench")
    pairs = []
    for i in range(trainees):
        user = store.create_user(f"trainee{i:03d}", "bench-password", "trainee", team.id)
        drill = store.start_drill(user.viewer, "telecom-outage", "bench", seed=i, speed=60.0)
        pairs.append((user.viewer, drill.id))
    return pairs


@dataclass(frozen=True, slots=True)
class Load:
    trainees: int
    actions: int
    #: mean pause between one trainee's actions (exponential); 0 = back to back (saturation)
    think_ms: float


def trainee(store: Store, viewer: Viewer, drill_id: str, load: Load, barrier: threading.Barrier,
            out: list[float], errors: list[str]) -> None:
    pause = random.Random(viewer.user_id)  # seeded: the same pauses every run
    barrier.wait()
    for seq in range(load.actions):
        if load.think_ms > 0:
            time.sleep(pause.expovariate(1000.0 / load.think_ms))
        action = Reply(thread_id=f"t{seq % 17}",
                       text=REPLY_TEXT.format(name=viewer.user_id, seq=seq))
        start = time.perf_counter()
        try:
            store.append_action(viewer, drill_id, seq, seq * 0.25, action)
        except Exception as exc:  # reported, and the run fails
            errors.append(f"{drill_id} seq {seq}: {exc!r}")
            return
        out.append((time.perf_counter() - start) * 1000.0)


def check(store: Store, pairs: list[tuple[Viewer, str]], actions: int) -> tuple[bool, bool, int]:
    """(every drill has exactly seqs 0..n-1, retries were no-ops, total rows)."""
    exact = all([a.seq for a in store.stored_actions(v, d)] == list(range(actions))
                for v, d in pairs)
    retries_noop = True
    for viewer, drill_id in pairs:
        for seq in range(0, actions, max(1, actions // RETRIES_PER_TRAINEE)):
            action = Reply(thread_id=f"t{seq % 17}",
                           text=REPLY_TEXT.format(name=viewer.user_id, seq=seq))
            retries_noop &= store.append_action(viewer, drill_id, seq, seq * 0.25, action) is False
    with store.engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(DrillActionRow)).scalar_one()
    return exact, retries_noop, rows


def run(backend: str, url: URL, load: Load) -> Result:
    store = Store.open(url, hasher=FAST_TEST_HASHER)
    try:
        pairs = setup(store, load.trainees)
        barrier = threading.Barrier(load.trainees)
        latencies: list[list[float]] = [[] for _ in pairs]
        errors: list[str] = []
        threads = [threading.Thread(target=trainee,
                                    args=(store, v, d, load, barrier, latencies[i], errors))
                   for i, (v, d) in enumerate(pairs)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start
        exact, retries_noop, rows = check(store, pairs, load.actions)
    finally:
        store.close()
    return Result(backend=backend, latencies_ms=[x for per in latencies for x in per],
                  wall_s=wall, rows=rows, expected_rows=load.trainees * load.actions,
                  exact_seqs=exact,
                  retries_noop=retries_noop, errors=errors)


def report(result: Result) -> None:
    lat = result.latencies_ms
    print(f"== {result.backend}")
    if lat:
        print(f"   append latency ms: p50 {statistics.median(lat):.2f}  "
              f"p95 {result.percentile(0.95):.2f}  p99 {result.percentile(0.99):.2f}  "
              f"max {max(lat):.2f}  (target p95 <= {P95_TARGET_MS:.0f})")
    print(f"   {len(lat)} appends in {result.wall_s:.2f} s = {len(lat) / result.wall_s:,.0f}/s")
    print(f"   rows {result.rows} (expected {result.expected_rows}), exact seq sets: "
          f"{result.exact_seqs}, retries no-ops: {result.retries_noop}")
    for error in result.errors[:5]:
        print(f"   error: {error}")
    print(f"   {'PASS' if result.passed else 'FAIL'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--think-ms", type=float, default=DEFAULT_THINK_MS,
                        help="mean pause between a trainee's actions (0: back to back)")
    parser.add_argument("--pg", default=os.environ.get("STORMDESK_TEST_DATABASE_URL"),
                        help="PostgreSQL URL (default: $STORMDESK_TEST_DATABASE_URL)")
    args = parser.parse_args(argv)
    load = Load(args.trainees, args.actions, args.think_ms)
    pace = (f"a pause of {load.think_ms:g} ms on average between actions" if load.think_ms
            else "no pause between actions (saturation)")
    print(f"{load.trainees} trainees x {load.actions} actions, one thread each, all at once, "
          f"{pace}")
    results = []
    with sqlite_url() as url:
        results.append(run("SQLite (WAL, temp file)", url, load))
    report(results[-1])
    if args.pg:
        with postgres_url(args.pg) as url:
            results.append(run("PostgreSQL", url, load))
        report(results[-1])
    else:
        print("== PostgreSQL: skipped (pass --pg URL or set STORMDESK_TEST_DATABASE_URL)")
    ok = all(r.passed for r in results)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

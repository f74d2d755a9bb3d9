"""Store write latency under load: concurrent simulated trainees appending their actions.

Each trainee is a thread with its own drill, appending ``--actions`` actions, all starting at
once: first with a short pause between actions (``--think-ms``, 50 ms: about 100 times faster
than a person), then at full speed (no pause at all). Prints the p50/p95/max latency of one
``Store.append_action`` call and the client CPU it took, then checks that nothing was lost or
duplicated (exact row count, exact seq set per drill, and retried writes being no-ops).
Target (issues 5 and 10): p95 <= 20 ms with 50 trainees x 200 actions, on SQLite and
PostgreSQL, at both paces.

Each full-speed run is set against a floor measured in the same run: the same threads writing a
bare single-row INSERT (same table shape and JSON, autocommit, same gate and pool size, on the
DBAPI connection) with no checks. It shows what this machine gives any durable write from one
Python process at this concurrency; the gap above it is what the store's checks cost.

    python benchmarks/bench_store.py [--trainees 50] [--actions 200] [--think-ms 50,0] [--pg URL]

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
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import URL, make_url

from engine.records import Reply
from store import Store, Viewer, database
from store.database import FairGate, json_dumps, make_autocommit_engine, make_engine
from store.models import DrillActionRow
from store.passwords import FAST_TEST_HASHER

P95_TARGET_MS = 20.0
#: A trainee's mean pause between actions. A person needs seconds to read and type a reply;
#: 50 ms is about 100 times faster, so 50 trainees offer ~1,000 appends a second. Then 0: full
#: speed, every thread appending back to back (saturation).
DEFAULT_THINK_MS = "50,0"
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
    #: this process's CPU seconds during the timed part (all threads)
    cpu_s: float = 0.0
    #: CPU seconds of the local PostgreSQL server's processes meanwhile (None: not local)
    server_cpu_s: float | None = None
    #: the machine's 1-minute load average when the timed part ended (others' work included)
    load: float = 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def passed(self) -> bool:
        return (not self.errors and self.rows == self.expected_rows and self.exact_seqs
                and self.retries_noop and self.percentile(0.95) <= P95_TARGET_MS)


def server_cpu() -> float | None:
    """CPU seconds used so far by local ``postgres`` processes (Linux /proc), else None."""
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().split()
        except OSError:
            continue
        if fields[1].startswith("(postgres"):
            total += (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
            found = True
    return total if found else None


@contextmanager
def timed() -> Iterator[dict[str, float | None]]:
    """Wall, client CPU and server CPU of the block (filled in when it ends)."""
    out: dict[str, float | None] = {}
    wall, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
    yield out
    out["wall"], out["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    after = server_cpu()
    out["server"] = None if server is None or after is None else after - server
    out["load"] = os.getloadavg()[0]


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
        with timed() as spent:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        exact, retries_noop, rows = check(store, pairs, load.actions)
    finally:
        store.close()
    return Result(backend=backend, latencies_ms=[x for per in latencies for x in per],
                  wall_s=spent["wall"] or 0.0, rows=rows,
                  expected_rows=load.trainees * load.actions, exact_seqs=exact,
                  retries_noop=retries_noop, errors=errors, cpu_s=spent["cpu"] or 0.0,
                  server_cpu_s=spent["server"], load=spent["load"] or 0.0)


FLOOR_TABLE = ("CREATE TABLE bench_floor (id {key}, drill_id INTEGER NOT NULL, "
               "seq INTEGER NOT NULL, minute DOUBLE PRECISION NOT NULL, action {json} NOT NULL, "
               "created_at {time} NOT NULL, UNIQUE (drill_id, seq))")


def floor(backend: str, url: URL, load: Load) -> Result:
    """The same threads writing a bare INSERT per action: autocommit, on the DBAPI connection,
    behind the gate the store uses (PostgreSQL: its append pool and slots; SQLite: one writer)."""
    sqlite = url.get_backend_name() == "sqlite"
    engine: Engine = make_engine(url) if sqlite else make_autocommit_engine(url)
    ddl = FLOOR_TABLE.format(
        key="INTEGER PRIMARY KEY" if sqlite else "BIGSERIAL PRIMARY KEY",
        json="TEXT" if sqlite else "JSONB", time="TEXT" if sqlite else "TIMESTAMPTZ")
    insert = ("INSERT INTO bench_floor (drill_id, seq, minute, action, created_at) VALUES "
              + ("(?, ?, ?, ?, ?)" if sqlite else "(%s, %s, %s, %s::jsonb, %s)"))
    gate = FairGate(1 if sqlite else database.PG_APPEND_SLOTS)
    latencies: list[list[float]] = [[] for _ in range(load.trainees)]
    errors: list[str] = []
    barrier = threading.Barrier(load.trainees)

    def writer(i: int) -> None:
        barrier.wait()
        for seq in range(load.actions):
            if load.think_ms > 0:
                time.sleep(random.Random(i * 1000 + seq).expovariate(1000.0 / load.think_ms))
            action = Reply(thread_id=f"t{seq % 17}", text=REPLY_TEXT.format(name=i, seq=seq))
            begin = time.perf_counter()
            payload = json_dumps(action.to_dict())
            stamp = datetime.now(UTC)
            try:
                with gate:
                    raw = engine.raw_connection()
                    try:
                        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
                        cursor.execute(insert, (i, seq, seq * 0.25, payload,
                                                stamp.isoformat() if sqlite else stamp))
                        cursor.close()
                    finally:
                        raw.close()
            except Exception as exc:  # reported, and the run fails
                errors.append(f"floor {i} seq {seq}: {exc!r}")
                return
            latencies[i].append((time.perf_counter() - begin) * 1000.0)

    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(ddl)
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(load.trainees)]
        with timed() as spent:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT count(*) FROM bench_floor").scalar_one()
    finally:
        engine.dispose()
    return Result(backend=f"{backend}: floor (bare INSERT)",
                  latencies_ms=[x for per in latencies for x in per],
                  wall_s=spent["wall"] or 0.0, rows=rows,
                  expected_rows=load.trainees * load.actions, exact_seqs=True,
                  retries_noop=True, errors=errors, cpu_s=spent["cpu"] or 0.0,
                  server_cpu_s=spent["server"], load=spent["load"] or 0.0)


def report(result: Result, verdict: bool = True) -> None:
    lat = result.latencies_ms
    print(f"== {result.backend}")
    if lat:
        print(f"   latency ms: p50 {statistics.median(lat):.2f}  "
              f"p95 {result.percentile(0.95):.2f}  p99 {result.percentile(0.99):.2f}  "
              f"max {max(lat):.2f}  (target p95 <= {P95_TARGET_MS:.0f})")
        server = ("" if result.server_cpu_s is None or "SQLite" in result.backend
                  else f", server {1e6 * result.server_cpu_s / len(lat):.0f} us")
        print(f"   {len(lat)} writes in {result.wall_s:.2f} s = {len(lat) / result.wall_s:,.0f}/s;"
              f" CPU per write: client {1e6 * result.cpu_s / len(lat):.0f} us{server};"
              f" load average {result.load:.1f} on {os.cpu_count()} cores")
    print(f"   rows {result.rows} (expected {result.expected_rows}), exact seq sets: "
          f"{result.exact_seqs}, retries no-ops: {result.retries_noop}")
    for error in result.errors[:5]:
        print(f"   error: {error}")
    if verdict:
        print(f"   {'PASS' if result.passed else 'FAIL'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--think-ms", default=DEFAULT_THINK_MS,
                        help="mean pauses between a trainee's actions, comma-separated, one run "
                             "each (0: back to back, full speed); default %(default)s")
    parser.add_argument("--pg", default=os.environ.get("STORMDESK_TEST_DATABASE_URL"),
                        help="PostgreSQL URL (default: $STORMDESK_TEST_DATABASE_URL)")
    parser.add_argument("--pg-slots", type=int, default=database.PG_APPEND_SLOTS,
                        help="PostgreSQL append connections (and gate slots) to try; default "
                             "the store's %(default)s")
    args = parser.parse_args(argv)
    database.PG_APPEND_SLOTS = args.pg_slots  # read when a Store (or the floor) is built
    paces = [float(x) for x in str(args.think_ms).split(",") if x.strip()]
    results = []
    for think_ms in paces:
        load = Load(args.trainees, args.actions, think_ms)
        pace = (f"a pause of {think_ms:g} ms on average between actions" if think_ms
                else "no pause between actions (full speed)")
        print(f"\n{load.trainees} trainees x {load.actions} actions, one thread each, all at "
              f"once, {pace}")
        backends: list[tuple[str, Callable[[], AbstractContextManager[URL]]]] = [
            ("SQLite (WAL, temp file)", sqlite_url)]
        if args.pg:
            backends.append(("PostgreSQL", lambda: postgres_url(args.pg)))
        for name, make_url_for in backends:
            if think_ms == 0:
                with make_url_for() as url:
                    report(floor(name, url, load), verdict=False)
            with make_url_for() as url:
                results.append(run(name, url, load))
            report(results[-1])
        if not args.pg:
            print("== PostgreSQL: skipped (pass --pg URL or set STORMDESK_TEST_DATABASE_URL)")
    ok = all(r.passed for r in results)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

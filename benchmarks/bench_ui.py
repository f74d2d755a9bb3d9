"""Desk refresh cost with 100 and with 10,000 mentions in the session (Streamlit AppTest).

"Fragment refresh" runs exactly what a ``run_every`` tick runs (the desk's three live
fragments: top bar, queue, thread view); "full rerun" runs the whole app on the Desk page.
The drill clock runs at 60x, so each refresh also advances the engine.
Target (issue 4): at 10,000 mentions a refresh within 2x of the 100-mention time and < 50 ms.

    python benchmarks/bench_ui.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest

from benchmarks.bench_engine import stretched
from engine.records import MentionArrived
from engine.scenario import resolve_scenario
from stormdesk.catalogue import Catalogue
from stormdesk.clock import DrillClock
from stormdesk.drill import LiveDrill
from stormdesk.drills import Drills

RATIO_TARGET = 2.0
REFRESH_TARGET_MS = 50.0


def fragments_only() -> None:
    """The body of one live refresh: the desk's fragments, nothing else."""
    from ui.views import desk

    desk.top_bar()
    desk.incident_panel()
    desk.queue()
    desk.thread_pane()


def drill_with(mentions: int) -> LiveDrill:
    scenario = stretched(resolve_scenario("telecom-outage"), max(mentions, 100) * 2)
    drills = Drills(None, lambda: Catalogue({scenario.id: scenario}))
    drill = drills.start(scenario, seed=3, trainee="Bench", initials="BN",
                         mode="assessment", speed=60, wall_seconds=time.monotonic())
    minute = 0.0
    while sum(isinstance(e, MentionArrived) for e in drill.session.transcript) < mentions:
        minute += 5
        drills.advance_to(drill, minute)
    drill.clock = DrillClock(speed=60, anchor_wall=time.monotonic(), anchor_minute=minute)
    waiting, _ = drill.inbox.select("unanswered", "highest risk", limit=1)
    drill.selected = waiting[0].thread_id if waiting else None
    return drill


def timed(at: AppTest, repeat: int) -> float:
    at.run()  # warm-up (imports, caches)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return statistics.median(samples) * 1000


def measure(mentions: int, repeat: int) -> tuple[int, float, float]:
    drill = drill_with(mentions)
    count = sum(isinstance(e, MentionArrived) for e in drill.session.transcript)
    fragment = AppTest.from_function(fragments_only, default_timeout=60)
    fragment.session_state["live_drill"] = drill
    refresh = timed(fragment, repeat)
    return count, refresh, _full_desk(drill, repeat)


def desk_page() -> None:
    """The whole Desk page as the router runs it (set-up, sidebar, page body)."""
    import streamlit as st

    from ui import nav
    from ui.views import desk, scorecard, start

    st.set_page_config(layout="wide")
    pages = {"start": st.Page(start.render, url_path="start"),
             "desk": st.Page(desk.render, url_path="desk", default=True),
             "scorecard": st.Page(scorecard.render, url_path="scorecard")}
    nav.register(pages)
    st.navigation(list(pages.values())).run()


def _full_desk(drill: LiveDrill, repeat: int) -> float:
    at = AppTest.from_function(desk_page, default_timeout=60)
    at.session_state["live_drill"] = drill
    return timed(at, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    small = measure(100, args.repeat)
    large = measure(10_000, args.repeat)
    print("desk refresh, median of", args.repeat, "runs (AppTest, ms)")
    print(f"  {'mentions':>10} {'fragment refresh':>17} {'full rerun':>11}")
    for count, refresh, full in (small, large):
        print(f"  {count:>10,} {refresh:>17.1f} {full:>11.1f}")
    ratio = large[1] / small[1]
    print(f"  refresh ratio 10k : 100 = {ratio:.2f}   target <= {RATIO_TARGET}  "
          f"{'PASS' if ratio <= RATIO_TARGET else 'FAIL'}")
    print(f"  refresh at 10k = {large[1]:.1f} ms   target < {REFRESH_TARGET_MS:g} ms  "
          f"{'PASS' if large[1] < REFRESH_TARGET_MS else 'FAIL'}")
    print(f"  full rerun ratio 10k : 100 = {large[2] / small[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

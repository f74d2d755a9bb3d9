"""The editor's preview of a 3-hour drill: check the YAML, play it headless with nobody
answering, tabulate (ten samples per phase, mix, follow-ups, spread, reputation). Target
(issue 14): under 3 s.

Prints, per drill and volume, the median of ``--repeat`` runs of: the engine's own advance over
the whole drill (the floor, measured in the same run: ``TrainingSession.advance_to``), the
check of the YAML text (the engine's loader and schema), and the whole preview (check + run +
tables), with its ratio to the floor and PASS/FAIL against the target. ``--scale`` multiplies
every phase's rates (a busier drill a lead might write); the first, cold preview in the
process (imports, text banks, warm-up) is printed separately.

    python benchmarks/bench_editor.py [--scenario telecom-outage] [--scale 1 5 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.scenario import Scenario, builtin_scenario
from engine.session import TrainingSession
from stormdesk.editor_preview import preview_draft
from stormdesk.editor_yaml import check_text, data_of, to_yaml

TARGET_S = 3.0


def scaled(scenario: Scenario, factor: float) -> Scenario:
    phases = tuple(p.model_copy(update={
        "rate_per_minute": p.rate_per_minute * factor,
        "rate_end_per_minute": None if p.rate_end_per_minute is None
        else p.rate_end_per_minute * factor}) for p in scenario.phases)
    return scenario.model_copy(update={"phases": phases})


def yaml_of(scenario: Scenario) -> str:
    data = scenario.model_dump(mode="json", exclude_none=True)
    text = to_yaml(data)
    assert data_of(text) is not None
    return text


def timed(work: object) -> float:
    started = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="telecom-outage")
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0, 5.0, 20.0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    base = builtin_scenario(args.scenario)
    cold = timed(lambda: preview_draft(base, args.seed))
    print(f"{args.scenario}: {base.duration_minutes:g} simulated minutes; first (cold) preview "
          f"in this process {cold:.2f} s (imports, banks, warm-up)")
    print(f"{'scale':>5} {'mentions':>8} {'floor s':>8} {'check s':>8} {'preview s':>9} "
          f"{'ratio':>6}  verdict (target {TARGET_S:g} s)")
    failed = False
    for factor in args.scale:
        scenario = scaled(base, factor)
        text = yaml_of(scenario)
        checked = check_text(text)
        if checked.scenario is None:
            print(f"{factor:>5g} refused by the engine: {checked.problems[0]}")
            continue
        draft = checked.scenario
        floors, checks, previews = [], [], []
        mentions = 0
        for _ in range(args.repeat):
            session = TrainingSession(draft, seed=args.seed)
            floors.append(timed(lambda s=session, m=draft.duration_minutes: s.advance_to(m)))
            checks.append(timed(lambda t=text: check_text(t)))
            started = time.perf_counter()
            shown = preview_draft(check_text(text).scenario or draft, args.seed)
            previews.append(time.perf_counter() - started)
            mentions = shown.new_mentions
        floor, check, whole = (statistics.median(x) for x in (floors, checks, previews))
        verdict = "PASS" if whole < TARGET_S else "FAIL"
        failed |= whole >= TARGET_S
        print(f"{factor:>5g} {mentions:>8,} {floor:>8.3f} {check:>8.3f} {whole:>9.3f} "
              f"{whole / floor:>6.2f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m engine`: list, validate and simulate drills from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.scenario import ScenarioError, builtin_paths, load_scenario, resolve_scenario
from engine.session import TrainingSession

EXIT_OK, EXIT_INVALID = 0, 2


def _list(_args: argparse.Namespace) -> int:
    problems: list[str] = []
    for path in builtin_paths():
        try:
            s = load_scenario(path)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        print(f"{s.id:<28} {s.language}  {s.duration_minutes:>5g} min  {s.difficulty:<6}  "
              f"{s.title}")
    for line in problems:
        print(line, file=sys.stderr)
    return EXIT_INVALID if problems else EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    failed = False
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            failed = True
            for line in exc.problems:
                print(line, file=sys.stderr)
        else:
            print(f"{Path(name).name}: ok ({scenario.id}, {scenario.language}, "
                  f"{len(scenario.phases)} phases, {len(scenario.injects)} injects)")
    return EXIT_INVALID if failed else EXIT_OK


def _simulate(args: argparse.Namespace) -> int:
    try:
        scenario = resolve_scenario(args.scenario)
    except ScenarioError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    session = TrainingSession(scenario, seed=args.seed)
    minutes = scenario.duration_minutes if args.minutes is None else args.minutes
    session.advance_to(minutes)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for event in session.transcript:
                fh.write(event.to_json())
                fh.write("\n")
    print(format_summary(session.summary()))
    if args.out:
        print(f"transcript: {len(session.transcript)} events -> {args.out}")
    return EXIT_OK


def format_summary(summary: dict[str, object]) -> str:
    """A short, readable summary of a headless run."""
    lines = [f"{summary['scenario']} (seed {summary['seed']}) at minute {summary['minute']:g}",
             f"  mentions          {summary['mentions']}"]
    for key in ("by_persona", "by_intent", "by_source"):
        counts = summary[key]
        assert isinstance(counts, dict)
        lines.append(f"  {key.replace('_', ' '):<17} " + ", ".join(
            f"{k} {v}" for k, v in counts.items()))
    for key in ("follow_ups", "amplifications", "customer_replies", "replies_sent",
                "waiting_threads", "reputation", "csat_mean", "nps"):
        lines.append(f"  {key.replace('_', ' '):<17} {summary[key]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine",
                                     description="StormDesk's simulated public.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="print the built-in scenarios").set_defaults(func=_list)
    p = sub.add_parser("validate", help="validate scenario files")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_validate)
    p = sub.add_parser("simulate", help="run a drill with no trainee replies")
    p.add_argument("scenario", help="built-in scenario id or a scenario file")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--minutes", type=float, default=None, help="stop early (simulated minutes)")
    p.add_argument("--out", help="write the transcript as JSON lines")
    p.set_defaults(func=_simulate)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())

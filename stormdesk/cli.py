"""`python -m stormdesk play`: a drill played headless with scripted actions, written to a folder.

Exit codes: 0 played and written; 2 a bad scenario, actions file, argument or output folder (one
line per problem, naming the file, line and field; nothing is written); 3 played, but a scoring
dimension failed (the scorecard says which, and it counts 0); 130 interrupted. Output cut
short by a closed pipe (``| head``) ends quietly with 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from engine.cli import minutes_argument, seed_argument
from engine.scenario import ScenarioError, resolve_scenario
from stormdesk.player import (
    ActionsFileError,
    PlayResult,
    play,
    read_actions,
    scorecard_summary,
)

EXIT_OK, EXIT_INVALID, EXIT_DIMENSION_FAILED, EXIT_INTERRUPTED = 0, 2, 3, 130


def _write(out: Path, result: PlayResult, summary: dict[str, object]) -> None:
    """transcript.jsonl and scorecard.json in ``out`` (created if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "transcript.jsonl").open("w", encoding="utf-8") as fh:
        for event in result.transcript:
            fh.write(event.to_json())
            fh.write("\n")
    (out / "scorecard.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=False) + "\n",
        encoding="utf-8")


def _play(args: argparse.Namespace) -> int:
    try:
        scenario = resolve_scenario(args.scenario)
    except ScenarioError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    try:
        actions = read_actions(args.actions) if args.actions else []
        result = play(scenario, args.seed, actions, end_at=args.end_at, mode=args.mode,
                      name=Path(args.actions).name if args.actions else "<actions>")
    except ActionsFileError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    out = Path(args.out)
    summary = scorecard_summary(result, scenario)
    try:
        _write(out, result, summary)
    except OSError as exc:
        print(f"{out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    for note in result.problems:
        print(note, file=sys.stderr)
    overall = "-" if summary["overall"] is None else f"{summary['overall']:.1f}"
    dims = ", ".join(f"{k} {'-' if v is None else f'{v:.0f}'}"
                     for k, v in summary["dimensions"].items())
    print(f"{scenario.id} seed {args.seed} ({args.mode}): overall {overall} ({dims}); "
          f"wrote {out / 'transcript.jsonl'} and {out / 'scorecard.json'}")
    if summary["failed"]:
        for d in result.scorecard.dimensions:
            if d.error:
                print(f"dimension {d.name} failed: {d.error}", file=sys.stderr)
        return EXIT_DIMENSION_FAILED
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stormdesk", description=__doc__.split("\n\n")[0],
        epilog="Exit codes: 0 ok; 2 bad input (file, line and field named; nothing written); "
               "3 a scoring dimension failed; 130 interrupted. A closed output pipe (| head) "
               "ends quietly with 0.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("play", help="play a drill headless with scripted actions")
    p.add_argument("scenario", help="a built-in scenario id or a scenario file")
    p.add_argument("--seed", type=seed_argument, required=True)
    p.add_argument("--actions", help="JSON lines: minute + the action's JSON form")
    p.add_argument("--end-at", type=minutes_argument, dest="end_at",
                   help="simulated minute at which the trainee ends the drill (an assessment "
                        "then plays the rest with nobody answering)")
    p.add_argument("--mode", choices=("assessment", "practice"), default="assessment")
    p.add_argument("--out", required=True, help="folder for transcript.jsonl and "
                                                "scorecard.json")
    p.set_defaults(func=_play)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # piped into head: not an error of ours
        # the rest goes nowhere, so the interpreter's last flush cannot fail again
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code

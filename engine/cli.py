"""`python -m engine`: list, validate and simulate drills, and grow a text bank (with an LLM),
from the command line. Every subcommand ends quietly when its reader goes away (``| head``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from engine.scenario import ScenarioError, builtin_paths, load_scenario, resolve_scenario
from engine.session import TrainingSession

EXIT_OK, EXIT_INVALID, EXIT_INTERRUPTED = 0, 2, 130
#: Seeds are 64-bit, as for ``python -m stormdesk play``.
MAX_SEED = 2**63 - 1


def seed_argument(text: str) -> int:
    """argparse type of a seed: a whole number from 0 to 2**63-1 (also for stormdesk play)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be from 0 to 2**63-1 (got {text[:40]})")
    return value


def minutes_argument(text: str) -> float:
    """argparse type of a simulated minute: a finite number >= 0 (nan refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text[:40]!r}") from None
    if not (value >= 0 and value != float("inf")):  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0 (got {text[:40]})")
    return value


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
    out = Path(args.out) if args.out else None
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        print(f"--out: {args.out}: " + ("is a folder; name a file" if out.is_dir()
                                        else "its folder does not exist"), file=sys.stderr)
        return EXIT_INVALID
    session = TrainingSession(scenario, seed=args.seed)
    minutes = scenario.duration_minutes if args.minutes is None else \
        min(args.minutes, scenario.duration_minutes)
    session.advance_to(minutes)
    if out is not None:
        try:
            with out.open("w", encoding="utf-8") as fh:
                for event in session.transcript:
                    fh.write(event.to_json())
                    fh.write("\n")
        except OSError as exc:
            print(f"--out: {args.out}: cannot write ({exc.strerror or exc})", file=sys.stderr)
            return EXIT_INVALID
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


#: Where the realism benchmark's real tweets live (read in place, never copied).
REAL_TWEETS = Path(__file__).resolve().parents[2] / "shared" / "eval" / \
    "twcs_customer_support" / "twcs_head5000.csv"


def _grow_bank(args: argparse.Namespace) -> int:
    from engine.bank import load_bank
    from engine.grow import Candidates, Cell, grow, read_real, write_review
    from engine.records import INTENTS, PERSONAS
    from llm import LlmClient, LlmSettingsError, settings_from_env

    problems = []
    if args.persona not in PERSONAS:
        problems.append(f"--persona: unknown persona {args.persona!r} (known: "
                        f"{', '.join(PERSONAS)})")
    if args.intent not in INTENTS:
        problems.append(f"--intent: unknown intent {args.intent!r} (known: "
                        f"{', '.join(INTENTS)})")
    bank = load_bank(args.language)
    if args.domain != "general" and args.domain not in bank.domains:
        problems.append(f"--domain: unknown domain {args.domain!r} (known: general, "
                        f"{', '.join(sorted(bank.domains))})")
    try:
        settings = settings_from_env()
    except LlmSettingsError as exc:
        problems.extend(exc.problems)
        settings = None
    else:
        if settings is None:
            problems.append("grow-bank asks an LLM: set STORMDESK_LLM_BASE_URL and "
                            "STORMDESK_LLM_MODEL (any OpenAI-compatible server)")
    if problems or settings is None:
        for line in problems:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    client = LlmClient(settings)
    sources: list[str] = []

    def ask(system: str, user: str) -> Candidates | None:
        answer = client.ask(system, user, Candidates)
        sources.append(answer.source)
        return answer.value

    real = read_real(args.real) if args.real else (
        read_real(REAL_TWEETS) if args.language == "en" else [])
    cell = Cell(args.language, args.persona, args.intent, args.domain)
    report = grow(cell, args.n, ask, bank=bank, real_texts=real)
    report.sources = sources
    out = args.out or Path(f"grow-{cell.language}-{cell.persona}-{cell.intent}.yaml")
    write_review(report, out)
    print(f"{cell.where}: {len(report.kept)} to review, {len(report.dropped)} dropped "
          f"({report.calls} calls; classifier: {report.classifier}) -> {out}")
    print("nothing was added to the bank: review the file and merge by hand")
    return EXIT_OK


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
    p.add_argument("--seed", type=seed_argument, required=True, help="0 to 2**63-1")
    p.add_argument("--minutes", type=minutes_argument, default=None,
                   help="stop early (simulated minutes; at most the drill's length)")
    p.add_argument("--out", help="write the transcript as JSON lines")
    p.set_defaults(func=_simulate)
    p = sub.add_parser("grow-bank", help="ask the configured LLM for candidate templates of "
                                         "one bank cell and write a review file")
    p.add_argument("--language", choices=("en", "ko"), required=True)
    p.add_argument("--persona", required=True)
    p.add_argument("--intent", required=True)
    p.add_argument("--domain", default="general", help="a domain of the bank, or general")
    p.add_argument("--n", type=int, default=50, help="candidates to ask for")
    p.add_argument("--out", type=Path, help="the review file (YAML)")
    p.add_argument("--real", type=Path, help="real customer tweets (TWCS CSV) for the "
                                             "realism classifier (English default: "
                                             "../shared/eval)")
    p.set_defaults(func=_grow_bank)
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (| head): stop writing, quietly (Python's own advice: point
        # stdout at devnull so the interpreter's final flush does not fail again)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:  # Ctrl-C: no traceback, the shell's usual code
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code


if __name__ == "__main__":
    raise SystemExit(main())

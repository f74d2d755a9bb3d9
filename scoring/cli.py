"""`python -m scoring`: rate single replies from JSON lines, score a drill transcript into a
readable scorecard, or run the evaluation against the shared labelled sets.

Input is data, never trusted: every bad line is reported with its number (``name:line:``) and
the field, the good lines are kept; files are read line by line within bounds; a scenario id
read from a transcript is looked up among the built-in scenarios only (never opened as a
path); text printed to a terminal has its control characters escaped.

Exit codes: 0 done; 1 ``rate``: some lines failed (the others were scored and written);
2 bad input or usage (nothing scored); 3 ``session``: the scorecard was printed but a
dimension failed to score; 130 interrupted. Output cut short by a closed pipe (``| head``) is
not an error: the command ends quietly with 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from engine.records import (
    Event,
    PersonalData,
    ReplyContext,
    SessionStarted,
)
from scoring.inputs import (
    InputError,
    json_line,
    loads,
    open_input,
    printable,
    read_lines,
    read_transcript,
    unfit_value,
)
from scoring.records import Finding, ReplyAssessment, Scorecard

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
#: ``session``: the scorecard was printed, but at least one dimension failed to score
EXIT_DIMENSION_FAILED = 3
EXIT_INTERRUPTED = 130
#: Allowed values of the rate input fields (others are errors naming the line).
CHOICES = {"language": ("en", "ko"), "channel": ("public", "dm"),
           "brand_voice": ("friendly", "formal", "playful")}
#: Tone finding kinds the rate output promises (issue 3); other tone checks still count in the
#: score but are not listed there.
RATE_TONE_KINDS = frozenset({"rude", "sarcastic", "too_informal", "too_stiff", "shouting",
                             "argues_with_troll", "blames_customer", "over_promise"})
SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2, "info": 3}


class CliError(InputError):
    """A problem to report in one line (never a traceback)."""


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _judge(offline: bool) -> Any:
    if offline:
        return None
    from llm import LlmSettingsError
    from scoring.judge import judge_from_env

    try:
        return judge_from_env()
    except LlmSettingsError as exc:
        raise CliError(f"{exc} (fix the STORMDESK_LLM_* variables, or pass --offline)") \
            from None


def _report_fallbacks(judge: Any) -> None:
    """Say which verdicts fell back to the offline scorer, when an LLM judge was used."""
    if judge is not None and getattr(judge, "fallbacks", None):
        _err(judge.report())


# ---------------------------------------------------------------------------------------- rate


def _finding_json(f: Finding) -> dict[str, Any]:
    return {"kind": f.kind, "start": f.start, "end": f.end, "text": f.text,
            "explanation": f.explanation, "suggestion": f.suggestion, "rule": f.rule,
            "severity": f.severity}


def judge_kind(label: str | None) -> str:
    """Which judge produced a verdict: "offline" (no LLM configured), "llm" (the LLM's verdict)
    or "llm fallback" (an LLM was configured but the offline verdict stands: failure, timeout,
    budget spent)."""
    if not label or label == "offline":
        return "offline"
    if label.startswith("llm:"):
        return "llm"
    return "llm fallback"


def assessment_json(a: ReplyAssessment) -> dict[str, Any]:
    """The three blocks ``rate`` adds to a case, each naming the judge that produced it
    (``judge``: offline / llm / llm fallback; ``judge_detail``: the model or the reason)."""

    def judged(dimension: str) -> dict[str, str]:
        label = a.judges.get(dimension) or "offline"
        return {"judge": judge_kind(label), "judge_detail": label}

    return {
        "empathy": {"level": a.empathy.level, "score": round(a.empathy.score, 1),
                    "dismissive": a.empathy.dismissive, **judged("empathy"),
                    "findings": [_finding_json(f) for f in a.empathy.findings]},
        "tone": {"on_brand": a.tone.on_brand, "score": round(a.tone.score, 1),
                 **judged("tone"),
                 "findings": [_finding_json(f) for f in a.tone.findings
                              if f.kind in RATE_TONE_KINDS]},
        "privacy": {"ok": a.privacy.ok, "score": round(a.privacy.score, 1),
                    "moves_to_dm": a.privacy.moves_to_dm, **judged("privacy"),
                    "findings": [_finding_json(f) for f in a.privacy.findings]},
    }


def case_context(case: Any) -> tuple[ReplyContext, tuple[PersonalData, ...]]:
    """The reply context of one input case; raises CliError saying what is wrong."""
    if not isinstance(case, dict):
        raise CliError("a case must be a JSON object")
    reply = case.get("reply")
    if not isinstance(reply, str) or not reply.strip():
        raise CliError('"reply" is required and must be non-empty text')
    values = {"language": case.get("language", "en"), "channel": case.get("channel", "public"),
              "brand_voice": case.get("brand_voice", "friendly")}
    for key, value in values.items():
        if value not in CHOICES[key]:
            raise CliError(f'"{key}" must be one of {", ".join(CHOICES[key])} (got {value!r})')
    for key in ("mention", "persona", "intent", "customer_name"):
        if not isinstance(case.get(key, ""), str):
            raise CliError(f'"{key}" must be text')
    try:
        known = tuple(PersonalData(str(p["kind"]), str(p["value"]))
                      for p in case.get("known_pii") or ())
    except (TypeError, KeyError):
        raise CliError('"known_pii" must be a list of {"kind", "value"} objects') from None
    ctx = ReplyContext(language=values["language"], brand_voice=values["brand_voice"],
                       persona=case.get("persona") or "neutral", intent=case.get("intent", ""),
                       mention_text=case.get("mention", ""), channel=values["channel"],
                       reply_text=reply, customer_name=case.get("customer_name", ""))
    return ctx, known


def rate_lines(stream: IO[bytes], out: IO[str], name: str, judge: Any = None) -> int:
    """Rate every case of a JSON-lines byte stream (read line by line, within bounds);
    returns how many lines failed, each reported on stderr with its number. Good lines are
    written (and flushed) as they are scored, so no bad line can lose them."""
    from scoring.assess import assess_reply

    failed = 0
    for lineno, raw, problem in read_lines(stream):
        if raw is not None and not raw.strip():
            continue
        try:
            if problem is not None:
                raise CliError(problem)
            case = loads(raw or "")
            bad = unfit_value(case)
            if bad:
                raise CliError(bad)
            ctx, known = case_context(case)
            result = assess_reply(ctx, known_pii=known, judge=judge)
            row = json_line({**case, **assessment_json(result)})
        except InputError as exc:
            _err(f"{name}:{lineno}: {exc}")
            failed += 1
            continue
        except Exception as exc:  # a scorer bug on one case must not stop the batch
            _err(f"{name}:{lineno}: scoring failed: {type(exc).__name__}: {printable(str(exc))}")
            failed += 1
            continue
        out.write(row + "\n")
        out.flush()
    return failed


def _rate(args: argparse.Namespace) -> int:
    try:
        from scoring.assess import _assessors

        _assessors()
    except ImportError as exc:
        raise CliError(f"the reply assessors are not available: {exc}") from None
    judge = _judge(args.offline)
    name = "<stdin>" if args.in_path == "-" else Path(args.in_path).name
    with contextlib.ExitStack() as files:  # closes what we opened, never stdin or stdout
        fin = open_input(args.in_path)
        if fin is not sys.stdin.buffer:
            files.enter_context(fin)
        fout = sys.stdout
        if args.out != "-":
            try:
                fout = files.enter_context(open(args.out, "w", encoding="utf-8"))
            except OSError as exc:
                raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        if judge is not None:
            _err(f"judging with {judge.label} (offline result when a call fails)")
        failed = rate_lines(fin, fout, name, judge)
    _report_fallbacks(judge)
    if failed:
        _err(f"{failed} line{'s' if failed > 1 else ''} failed; the others were scored")
    return EXIT_SOME_FAILED if failed else EXIT_OK


# ------------------------------------------------------------------------------------- session


def _mark(text: str, start: int, end: int) -> str:
    if 0 <= start < end <= len(text):
        return f"{text[:start]}>>{text[start:end]}<<{text[end:]}"
    return text


def format_scorecard(card: Scorecard, events: Sequence[Event], title: str = "",
                     top: int = 10) -> str:
    """A readable scorecard: overall, each dimension, the worst findings with evidence."""
    lines = [f"Scorecard: {title or card.scenario_id} ({card.scenario_id}, seed {card.seed}, "
             f"scorer {card.scorer_version})",
             "Overall: " + ("-" if card.overall is None else f"{card.overall:.1f} / 100"), "",
             f"  {'dimension':<10} {'score':>6} {'weight':>7}  judge"]
    for d in card.dimensions:
        score = "failed" if d.error else ("n/a" if d.score is None else f"{d.score:.1f}")
        lines.append(f"  {d.name:<10} {score:>6} {card.weights.get(d.name, 0.0):>7.0%}  {d.judge}")
        if d.error:
            lines.append(f"  {'':<10} error: {d.error}")
    by_id = {e.event_id: e for e in events}
    findings = [f for d in card.dimensions for f in d.findings if f.severity != "info"]
    findings.sort(key=lambda f: (SEVERITY_RANK.get(f.severity, 9), -f.impact))
    if findings:
        lines += ["", f"Top findings ({min(top, len(findings))} of {len(findings)}):"]
    for i, f in enumerate(findings[:top], start=1):
        event = by_id.get(f.event_id or "")
        where = " · ".join(x for x in (f.dimension, f.kind, f.thread_id and f"thread {f.thread_id}",
                                       event and f"minute {event.minute:g}") if x)
        lines.append(f"{i:>3}. [{f.severity}] {where}")
        text = getattr(event, "text", None)
        if isinstance(text, str):
            label = {"ReplySent": "reply", "StatusPosted": "status"}.get(event.type, "post") \
                if event is not None else "text"
            lines.append(f"     {label}: {_mark(text, f.start, f.end)}")
        elif f.text:
            lines.append(f"     words: {f.text}")
        lines.append(f"     why: {f.explanation}")
        if f.suggestion:
            lines.append(f"     better: {f.suggestion}")
    return "\n".join(lines)


def _session(args: argparse.Namespace) -> int:
    from engine.scenario import ScenarioError, builtin_scenario, resolve_scenario
    from scoring.scorecard import score_session

    numbers: list[int] = []
    events = read_transcript(args.transcript, numbers)
    started = next((e for e in events if isinstance(e, SessionStarted)), None)
    if not args.scenario and started is None:
        raise CliError(f"{args.transcript}: no SessionStarted event names the scenario; "
                       "pass --scenario ID_OR_FILE")
    try:
        # an id inside the transcript is data: looked up among the built-ins, never opened
        scenario = resolve_scenario(args.scenario) if args.scenario else \
            builtin_scenario(started.scenario_id if started else "")
    except ScenarioError as exc:
        if args.scenario:
            raise CliError(printable("\n".join(exc.problems))) from None
        line = numbers[events.index(started)] if started is not None else 0
        raise CliError(f"{Path(args.transcript).name}:{line}: SessionStarted: scenario_id: "
                       + printable("; ".join(exc.problems)[:300])
                       + "; pass --scenario FILE to score against a scenario file") from None
    if started is not None and started.scenario_hash != scenario.content_hash:
        _err(f"warning: the transcript was played on scenario version "
             f"{printable(started.scenario_hash[:40])}; scoring against {scenario.content_hash}")
    judge = _judge(args.offline)
    try:
        card = score_session(events, scenario, judge=judge)
    except Exception as exc:  # events that fit the schema but not each other
        raise CliError(f"{args.transcript}: could not be scored: {type(exc).__name__}: "
                       f"{printable(str(exc))[:300]}") from None
    _report_fallbacks(judge)
    print(printable(format_scorecard(card, events, scenario.title, args.top)))
    if args.out:
        try:
            Path(args.out).write_text(json.dumps(card.to_dict(), ensure_ascii=False, indent=2),
                                      encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(f"\nscorecard JSON -> {args.out}")
    failed = [d for d in card.dimensions if d.error]
    for d in failed:
        _err(f"error: dimension {d.name!r} failed to score (counted as 0): {d.error}")
    return EXIT_DIMENSION_FAILED if failed else EXIT_OK


# ------------------------------------------------------------------------------------ evaluate


def _evaluate(argv: list[str]) -> int:
    try:
        from scoring.evaluate import main as evaluate_main
    except ImportError as exc:
        _err(f"error: the evaluation is not available ({exc})")
        return EXIT_USAGE
    return int(evaluate_main(argv) or 0)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"must be 0-10000 (got {value})")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scoring", description="StormDesk's scorer.",
        epilog="Exit status: 0 done; 1 rate: some lines failed (the others were written); 2 bad "
               "input or usage; 3 session: a dimension failed to score; 130 interrupted. Output "
               "cut short by a closed pipe (| head) ends quietly with 0.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "rate", help="assess one reply per JSON line (id, language, brand_voice, persona, intent, "
                     "mention, channel, reply, customer_name, known_pii)",
        epilog='known_pii: the personal data the customer posted, a list of {"kind", "value"} '
               '(e.g. [{"kind": "order_number", "value": "4471-2290-18"}]); a reply repeating it '
               "in public is an exposure. Each result block names its judge (offline, llm or "
               "llm fallback). Exit status: 0 every line scored; 1 some lines failed (each "
               "named by its number and field on stderr, the others scored and written); 2 bad "
               "usage, unreadable input or bad LLM settings; 130 interrupted.")
    p.add_argument("--in", dest="in_path", required=True, help="cases (JSON lines; - = stdin)")
    p.add_argument("--out", default="-", help="results (JSON lines; default stdout)")
    p.add_argument("--offline", action="store_true", help="never use the LLM judge")
    p.set_defaults(func=_rate)
    p = sub.add_parser(
        "session", help="score a drill transcript (engine events, JSON lines)",
        epilog="exit status: 0 scored; 2 bad input or usage (every bad line is named by its "
               "number and field; a scenario named inside the transcript must be a built-in "
               "one, else pass --scenario FILE); 3 the scorecard was printed but a dimension "
               "failed to score (its name and error go to stderr; it counts as 0); 130 "
               "interrupted")
    p.add_argument("transcript", help="engine events, JSON lines (- = stdin)")
    p.add_argument("--scenario", help="scenario id or file (default: the one named inside)")
    p.add_argument("--out", help="write the scorecard as JSON")
    p.add_argument("--top", type=_count, default=10, help="findings to print (default 10)")
    p.add_argument("--offline", action="store_true", help="never use the LLM judge")
    p.set_defaults(func=_session)
    sub.add_parser("evaluate", add_help=False,
                   help="measure the scorer on the shared labelled sets (see its --help)")
    return parser


def _quiet_stdout() -> None:
    """After the reader of our stdout went away (``| head``): send the rest to /dev/null, so
    the interpreter's final flush does not raise again."""
    with contextlib.suppress(OSError, ValueError):  # stdout replaced (tests) or closed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a non-UTF-8 terminal gets escapes, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        if args_list and args_list[0] == "evaluate":
            return _evaluate(args_list[1:])
        args = build_parser().parse_args(args_list)
        return int(args.func(args))
    except InputError as exc:
        _err(f"error: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:  # piped into head: the reader has what it wanted
        _quiet_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED

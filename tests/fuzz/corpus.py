"""The hostile-input corpus: every hand-made broken file through the code that reads it.

Scenario files (``tests/fixtures/scenarios/corpus``, one defect each, named in their header)
go through ``load_scenario`` and the catalogue; transcripts, ``rate`` inputs and actions
files (``tests/fuzz/corpus``, described in ``manifest.json``) through ``python -m scoring
session``, ``python -m scoring rate`` and ``python -m stormdesk play`` (their ``main``, as the
command line calls it). Cases that cannot live in git (a link to /dev/zero, a named pipe, a
directory, files over the size limits) are made in a temporary folder at run time.

Each case runs in its own forked process with a deadline (``DEADLINE_SECONDS``) and a memory
ceiling, so a hang or a memory bomb is a counted result, not a stuck suite. Outcomes:
``refused`` (the right answer for a broken input), ``accepted`` (a broken input passed
silently), ``traceback`` (an exception escaped, or a traceback was printed) and ``hang``.

``python -m tests.fuzz.corpus`` prints the counts (``--json`` for the test suite).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_CORPUS = ROOT / "tests" / "fixtures" / "scenarios" / "corpus"
LINE_CORPUS = Path(__file__).resolve().parent / "corpus"
#: No case may take longer (issue 10: "0 hangs past 5 s").
DEADLINE_SECONDS = 5.0
#: Memory a case may add to the runner's own (a bomb fails with MemoryError instead).
MEMORY_HEADROOM_BYTES = 2 * 1024**3
#: The drill the actions files are played on (the smallest shipped one).
PLAY_ARGS = ("onboarding-quiet-shift", "--seed", "1", "--end-at", "12", "--mode", "practice")

_LINE = re.compile(r"\bline \d+|:\d+:")
_FIELD = re.compile(r"(?:^|: )[A-Za-z_]\w*(?:\[\d+\]|\.\w+)*(?: \(as a key\))?: ")
#: Problems about a whole file, where no line or field applies.
_WHOLE_FILE = ("is empty", "must be a mapping of fields", "not a file", "larger than",
               "no events", "no SessionStarted", "cannot read", "no such scenario",
               "not a built-in scenario id", "passes 256 MB", "took longer than")


@dataclass(frozen=True)
class Case:
    """One hostile input: what reads it, the file, what is wrong, what the error must say."""

    kind: str  # scenario | catalogue | transcript | rate | actions
    path: str
    defect: str
    expect: tuple[str, ...] = ()
    bad_lines: tuple[int, ...] = ()
    generated: bool = False

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass
class Outcome:
    case: Case
    status: str  # refused | accepted | traceback | hang
    seconds: float
    problems: list[str] = field(default_factory=list)
    detail: str = ""


# ------------------------------------------------------------------------------------ the cases

def _header(path: Path) -> tuple[str, list[str]]:
    sidecar = path.with_name(path.name + ".expect")
    text = sidecar.read_text(encoding="utf-8") if sidecar.exists() else \
        path.read_bytes()[:4096].decode("utf-8", "replace")
    defect = next((line[10:] for line in text.splitlines() if line.startswith("# defect: ")), "")
    expect = [line[10:] for line in text.splitlines() if line.startswith("# expect: ")]
    return defect, expect


def corpus_cases() -> list[Case]:
    """The committed corpus: scenario files, then the manifest's line-oriented files."""
    cases = []
    for path in sorted(SCENARIO_CORPUS.glob("*.yaml")):
        defect, expect = _header(path)
        cases.append(Case("scenario", str(path), defect, tuple(expect)))
    manifest = json.loads((LINE_CORPUS / "manifest.json").read_text(encoding="utf-8"))
    kinds = {"transcripts": "transcript", "rate": "rate", "actions": "actions"}
    for rel, entry in sorted(manifest.items()):
        cases.append(Case(kinds[rel.split("/")[0]], str(LINE_CORPUS / rel), entry["defect"],
                          tuple(entry["expect"]), tuple(entry["bad_lines"])))
    return cases


def generated_cases(folder: Path) -> list[Case]:
    """Inputs that cannot be committed: devices, pipes, folders, files past the limits."""
    base = (ROOT / "tests" / "fixtures" / "scenarios" / "corpus_base.yaml").read_text(
        encoding="utf-8")
    transcript = (LINE_CORPUS / "base-transcript.jsonl").read_text(encoding="utf-8")
    good_case = json.dumps({"id": "c1", "reply": "So sorry, we're on it."})
    made: list[Case] = []

    def put(kind: str, name: str, defect: str, expect: tuple[str, ...], data: bytes | None,
            bad_lines: tuple[int, ...] = ()) -> None:
        path = folder / name
        if data is not None:
            path.write_bytes(data)
        made.append(Case(kind, str(path), defect, expect, bad_lines, generated=True))

    for kind, suffix in (("scenario", "yaml"), ("transcript", "jsonl"), ("rate", "jsonl"),
                         ("actions", "jsonl")):
        zero = folder / f"{kind}-zero.{suffix}"
        zero.symlink_to("/dev/zero")
        put(kind, zero.name, "a link to /dev/zero (must never be read)", ("/dev/zero"
            if kind in ("scenario", "actions") else "not a file",), None)
        (folder / f"{kind}-dir.{suffix}").mkdir()
        put(kind, f"{kind}-dir.{suffix}", "a directory", ("directory",), None)
        os.mkfifo(folder / f"{kind}-pipe.{suffix}")
        if kind != "rate" and kind != "transcript":  # a pipe is a valid input for those
            put(kind, f"{kind}-pipe.{suffix}", "a named pipe nobody writes to",
                ("named pipe",), None)
    put("scenario", "two-megabytes.yaml", "a 2 MB file (a 50 MB briefing took 38 s and 1.2 GB)",
        ("larger than 1,048,576 bytes",),
        base.replace("briefing: ", "briefing: " + "x" * 2_000_000 + " ").encode())
    put("scenario", "briefing-1mb.yaml", "a 1,040,000-character briefing under the size limit",
        ("briefing", "at most 5,000 characters"),
        base.replace("briefing: ", "briefing: " + "x" * 1_040_000 + " ").encode())
    put("scenario", "many-values.yaml", "60,000 values in a list", ("more than 50,000 values",),
        base.replace("briefing: ", "extra: [" + ",".join(["1"] * 60_000) + "]\nbriefing: ")
        .encode())
    put("scenario", "nesting-100k.yaml", "100,000 nested brackets", ("not valid YAML",),
        ("a: " + "[" * 100_000 + "]" * 100_000 + "\n").encode())
    put("scenario", "keys-60k.yaml", "60,000 top-level keys", ("more than 50,000 values",),
        "".join(f"k{i}: {i}\n" for i in range(60_000)).encode())
    lines = transcript.splitlines()
    put("transcript", "transcript-long-line.jsonl", "a 200,000-character line",
        (":5: longer than 100,000 characters",),
        "\n".join([*lines[:4], lines[4].replace("So sorry", "x" * 200_000), *lines[5:], ""])
        .encode(), (5,))
    put("rate", "rate-long-line.jsonl", "a 200,000-character reply",
        (":2: longer than 100,000 characters",),
        "\n".join([good_case, json.dumps({"reply": "x" * 200_000}), good_case, ""]).encode(),
        (2,))
    put("rate", "no-newline-2mb.jsonl", "2 MB without a newline",
        (":1: longer than 100,000 characters",), b"x" * 2_000_000, (1,))
    return made


# ------------------------------------------------------------------------------- running a case

def _capture(call: Callable[[], int]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = call()
    return code, out.getvalue(), err.getvalue()


def _problem_lines(stderr: str) -> list[str]:
    """The error lines of a CLI's stderr (summaries and notes left out)."""
    skip = ("judging with", "warning:", "(the transcript names")
    out = []
    for line in stderr.splitlines():
        line = line.removeprefix("error: ")
        if line.strip() and not line.startswith(skip) and not re.fullmatch(
                r"\d+ lines? failed; the others were scored|\.\.\. and \d+ more bad lines", line):
            out.append(line)
    return out


def _run(case: Case, scratch: Path) -> tuple[str, list[str], str]:
    """(status, problems, detail) of one case, run in this process."""
    if case.kind == "scenario":
        from engine.scenario import ScenarioError, load_scenario

        try:
            load_scenario(case.path)
        except ScenarioError as exc:
            return "refused", exc.problems, ""
        return "accepted", [], "loaded without an error"
    if case.kind == "catalogue":
        from stormdesk.catalogue import load_catalogue

        cat = load_catalogue(sorted(Path(case.path).iterdir()))
        return ("refused" if cat.problems else "accepted"), cat.problems, \
            f"{len(cat.scenarios)} scenarios loaded"
    if case.kind == "transcript":
        from scoring.cli import main as scoring_main

        code, _, err = _capture(lambda: scoring_main(["session", case.path, "--offline"]))
        status = "refused" if code == 2 and err.strip() else "accepted"
        return status, _problem_lines(err), f"exit {code}"
    if case.kind == "rate":
        from scoring.cli import main as scoring_main

        out = scratch / "rated.jsonl"
        code, _, err = _capture(lambda: scoring_main(
            ["rate", "--in", case.path, "--out", str(out), "--offline"]))
        written = len(out.read_text(encoding="utf-8").splitlines()) if out.exists() else 0
        good = _good_lines(case)
        detail = f"exit {code}, {written} of {good} good lines written"
        if code in (1, 2) and err.strip():
            kept = good is None or written == good
            return ("refused" if kept else "accepted"), _problem_lines(err), detail
        return "accepted", _problem_lines(err), detail
    if case.kind == "actions":
        from stormdesk.cli import main as play_main

        out = scratch / "played"
        code, _, err = _capture(lambda: play_main(
            ["play", *PLAY_ARGS, "--actions", case.path, "--out", str(out)]))
        status = "refused" if code == 2 and err.strip() and not out.exists() else "accepted"
        return status, _problem_lines(err), f"exit {code}"
    raise ValueError(case.kind)


def _good_lines(case: Case) -> int | None:
    path = Path(case.path)
    if not path.is_file():
        return None
    total = sum(1 for line in path.read_bytes().split(b"\n") if line.strip())
    return total - len(case.bad_lines)


def _child(case: Case, send: Any) -> None:
    os.setsid()  # its own process group: a hang is killed with everything it started
    with contextlib.suppress(ValueError, OSError):
        soft = _vm_bytes() + MEMORY_HEADROOM_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (soft, soft))
    with tempfile.TemporaryDirectory() as scratch:
        try:
            status, problems, detail = _run(case, Path(scratch))
        except BaseException as exc:  # anything escaping is what we count
            status, problems = "traceback", []
            detail = "".join(traceback.format_exception(exc))[-3000:]
    if any("Traceback (most recent call last)" in p for p in problems):
        status = "traceback"
    send.send((status, problems, detail))
    send.close()


def _vm_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def run_case(case: Case) -> Outcome:
    """One case in a forked process with the deadline; a hang is killed and counted."""
    context = get_context("fork")
    receive, send = context.Pipe(duplex=False)
    started = time.perf_counter()
    process = context.Process(target=_child, args=(case, send), daemon=True)
    process.start()
    send.close()
    ready = receive.poll(DEADLINE_SECONDS)
    seconds = time.perf_counter() - started
    if not ready:
        if process.pid:  # the child made its own group (setsid): never ours
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.join(5)
        return Outcome(case, "hang", seconds, detail=f"no answer within {DEADLINE_SECONDS:g} s")
    try:
        status, problems, detail = receive.recv()
    except EOFError:  # died without answering (killed by the memory ceiling, a crash)
        process.join(5)
        return Outcome(case, "traceback", seconds, detail=f"exit code {process.exitcode}")
    process.join(5)
    return Outcome(case, status, seconds, problems, detail)


# ------------------------------------------------------------------------------------ judging

def names_line(problem: str) -> bool:
    return bool(_LINE.search(problem))


def names_field(problem: str) -> bool:
    return bool(_FIELD.search(problem.split(": ", 1)[1] if ": " in problem else problem))


def whole_file(problem: str) -> bool:
    return any(words in problem for words in _WHOLE_FILE)


def line_points_at_field(problem: str, path: str) -> bool | None:
    """For a scenario problem naming a line and a field: does that line hold the field's key?
    (None when it cannot be checked: no line, no field, a missing field, a whole list.)"""
    match = re.search(r": line (\d+): ([A-Za-z_][\w.\[\]]*): ", problem)
    if match is None or "is required" in problem:
        return None
    key = re.split(r"[.\[]", match.group(2).rstrip("]"))[-1]
    if not key or key.isdigit():
        return None
    if not Path(path).is_file():
        return None
    lines = Path(path).read_bytes().decode("utf-8", "replace").splitlines()
    number = int(match.group(1))
    return 0 < number <= len(lines) and key in lines[number - 1]


def judge(outcome: Outcome) -> list[str]:
    """What is wrong with an outcome (empty: the case passed)."""
    case = outcome.case
    if outcome.status != "refused":
        return [f"{outcome.status}: {outcome.detail}"]
    wrong = []
    text = "\n".join(outcome.problems)
    wrong += [f"error does not say {e!r}" for e in case.expect if e not in text]
    if case.kind == "catalogue" and outcome.detail != "3 scenarios loaded":
        wrong.append(f"the good files were not all loaded: {outcome.detail}")
    for problem in outcome.problems:
        if case.name not in problem and case.kind != "catalogue":
            wrong.append(f"error does not name the file: {problem[:120]}")
        if not (names_line(problem) or names_field(problem) or whole_file(problem)):
            wrong.append(f"error names neither a line nor a field: {problem[:120]}")
        if case.kind == "scenario" and line_points_at_field(problem, case.path) is False:
            wrong.append(f"line does not hold the field: {problem[:120]}")
    for number in case.bad_lines[:20]:
        if not any(f":{number}:" in p or f"line {number}:" in p for p in outcome.problems):
            wrong.append(f"bad line {number} not reported")
    return wrong


@dataclass
class Summary:
    cases: int = 0
    committed_files: int = 0
    generated: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    errors_naming_file: int = 0
    errors_naming_line: int = 0
    errors_naming_field: int = 0
    errors_whole_file: int = 0
    errors_naming_neither: int = 0
    slowest_seconds: float = 0.0
    failures: dict[str, list[str]] = field(default_factory=dict)


def summarise(outcomes: list[Outcome]) -> Summary:
    summary = Summary(cases=len(outcomes))
    summary.generated = sum(o.case.generated for o in outcomes)
    summary.committed_files = summary.cases - summary.generated
    summary.by_kind = dict(Counter(o.case.kind for o in outcomes))
    summary.statuses = dict(Counter(o.status for o in outcomes))
    summary.slowest_seconds = round(max((o.seconds for o in outcomes), default=0.0), 2)
    for o in outcomes:
        for problem in o.problems:
            summary.errors += 1
            summary.errors_naming_file += o.case.name in problem or o.case.kind == "catalogue"
            summary.errors_naming_line += names_line(problem)
            summary.errors_naming_field += names_field(problem)
            summary.errors_whole_file += whole_file(problem)
            summary.errors_naming_neither += not (names_line(problem) or names_field(problem)
                                                  or whole_file(problem))
        wrong = judge(o)
        if wrong:
            summary.failures[f"{o.case.kind}:{o.case.name}"] = wrong
    return summary


def run_all(progress: bool = False) -> tuple[list[Outcome], Summary]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [*corpus_cases(), *generated_cases(folder)]
        catalogue = folder / "catalogue"
        catalogue.mkdir()
        for case in cases:
            if case.kind == "scenario":
                (catalogue / case.name).symlink_to(case.path)
        for good in sorted((ROOT / "scenarios").glob("*.yaml"))[:3]:
            (catalogue / good.name).symlink_to(good)
        cases.append(Case("catalogue", str(catalogue), "every broken scenario and three good "
                                                       "ones in one catalogue", generated=True))
        outcomes = []
        for case in cases:
            outcome = run_case(case)
            if progress:
                print(f"{outcome.status:<9} {outcome.seconds:5.2f}s {case.kind:<10} "
                      f"{case.name}", file=sys.stderr)
            outcomes.append(outcome)
        return outcomes, summarise(outcomes)


def _warm() -> None:
    """Import and load once in the runner, so every forked case starts warm."""
    from engine.scenario import builtin_scenarios, known_slots
    from scoring.assess import _assessors
    from stormdesk import cli  # noqa: F401

    known_slots()
    builtin_scenarios()
    _assessors()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.corpus", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--progress", action="store_true", help="one line per case on stderr")
    args = parser.parse_args(argv)
    _warm()
    _, summary = run_all(progress=args.progress)
    if args.json:
        print(json.dumps(asdict(summary), indent=1))
    else:
        print(report(summary))
    return 0 if not summary.failures else 1


def report(summary: Summary) -> str:
    lines = [f"corpus: {summary.cases} cases ({summary.committed_files} committed files, "
             f"{summary.generated} made at run time): "
             + ", ".join(f"{k} {v}" for k, v in sorted(summary.by_kind.items())),
             "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items())),
             f"errors: {summary.errors} lines; naming the file {summary.errors_naming_file}, "
             f"a line {summary.errors_naming_line}, a field {summary.errors_naming_field}, "
             f"about the whole file {summary.errors_whole_file}, neither line nor field "
             f"{summary.errors_naming_neither}",
             f"slowest case: {summary.slowest_seconds} s (deadline {DEADLINE_SECONDS:g} s)",
             f"failed checks: {len(summary.failures)}"]
    lines += [f"  {name}: {'; '.join(wrong)[:300]}" for name, wrong in
              sorted(summary.failures.items())]
    return "\n".join(lines)


def iter_failures(summary: Summary) -> Iterator[str]:
    for name, wrong in sorted(summary.failures.items()):
        yield f"{name}: {'; '.join(wrong)}"


if __name__ == "__main__":
    raise SystemExit(main())

"""The hostile-input corpus: 0 tracebacks, 0 hangs, 0 silently accepted broken files, and
every error names the file and a line or a field (``tests/fuzz/corpus.py`` runs it)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fuzz import corpus
from tests.fuzz.corpus import Case, Outcome, judge, run_case

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    """The whole corpus, run once as the command line runs it (a clean process that forks)."""
    result = subprocess.run([sys.executable, "-m", "tests.fuzz.corpus", "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=900, check=False)
    assert result.stdout, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    print("\n" + corpus.report(corpus.Summary(**data)))  # the counts, in the test log
    return data


def test_corpus_has_at_least_100_hand_made_broken_files(summary: dict[str, Any]) -> None:
    assert summary["committed_files"] >= 100
    assert summary["by_kind"]["scenario"] >= 100
    assert {"transcript", "rate", "actions", "catalogue"} <= set(summary["by_kind"])


def test_corpus_no_traceback_hang_or_silent_acceptance(summary: dict[str, Any]) -> None:
    assert summary["statuses"] == {"refused": summary["cases"]}
    assert summary["slowest_seconds"] < corpus.DEADLINE_SECONDS


def test_corpus_every_error_names_file_and_line_or_field(summary: dict[str, Any]) -> None:
    assert summary["errors"] >= summary["cases"]
    assert summary["errors_naming_file"] == summary["errors"]
    assert summary["errors_naming_neither"] == 0
    assert summary["failures"] == {}


def test_corpus_scenario_headers_name_the_defect_and_the_expected_error() -> None:
    for case in corpus.corpus_cases():
        assert case.defect and case.expect, case.name


def test_corpus_base_files_are_valid() -> None:
    """Each broken file is a valid base with one defect: the bases themselves must pass."""
    from engine.scenario import load_scenario
    from scoring.inputs import read_transcript

    assert load_scenario(ROOT / "tests/fixtures/scenarios/corpus_base.yaml").id == "corpus-base"
    assert len(read_transcript(str(corpus.LINE_CORPUS / "base-transcript.jsonl"))) == 15


# --- the runner itself can fail ----------------------------------------------------------------

def _case(tmp_path: Path, text: str = "id: x\n") -> Case:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return Case("scenario", str(path), "a test case", ("must be a mapping",))


def test_run_case_counts_a_hang_and_kills_it(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "DEADLINE_SECONDS", 0.5)
    monkeypatch.setattr(corpus, "_run", lambda case, scratch: time.sleep(30))
    started = time.perf_counter()
    outcome = run_case(_case(tmp_path))
    assert outcome.status == "hang"
    assert time.perf_counter() - started < 5


def test_run_case_counts_an_escaping_exception_as_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(case: Case, scratch: Path) -> None:
        raise RecursionError("deep")

    monkeypatch.setattr(corpus, "_run", boom)
    outcome = run_case(_case(tmp_path))
    assert outcome.status == "traceback" and "RecursionError" in outcome.detail


def test_run_case_memory_bomb_hits_the_ceiling_not_the_machine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def bomb(case: Case, scratch: Path) -> tuple[str, list[str], str]:
        blob = bytearray(corpus.MEMORY_HEADROOM_BYTES + 1024**3)  # fine without the ceiling
        return "refused", [], str(len(blob))

    outcome = run_case(_case(tmp_path))
    assert outcome.status == "refused"  # the case itself is fine
    monkeypatch.setattr(corpus, "_run", bomb)
    outcome = run_case(_case(tmp_path))
    assert outcome.status == "traceback" and "MemoryError" in outcome.detail


def test_judge_valid_file_among_broken_ones_is_silently_accepted(tmp_path: Path) -> None:
    good = ROOT / "tests/fixtures/scenarios/minimal.yaml"
    outcome = run_case(Case("scenario", str(good), "not broken at all"))
    assert outcome.status == "accepted"
    assert judge(outcome) == ["accepted: loaded without an error"]


def test_judge_error_without_file_line_or_field_is_a_failure() -> None:
    case = Case("scenario", "/x/a.yaml", "d", ("bad",))
    assert judge(Outcome(case, "refused", 0.1, ["a.yaml: line 3: rate: bad"])) == []
    wrong = judge(Outcome(case, "refused", 0.1, ["something is bad"]))
    assert "error does not name the file: something is bad" in wrong
    assert "error names neither a line nor a field: something is bad" in wrong


def test_line_points_at_field_catches_a_wrong_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("id: x\nphases:\n  - rate_per_minute: -1\n", encoding="utf-8")
    good = "s.yaml: line 3: phases[0].rate_per_minute: must be >= 0"
    assert corpus.line_points_at_field(good, str(path)) is True
    assert corpus.line_points_at_field(good.replace("line 3", "line 1"), str(path)) is False

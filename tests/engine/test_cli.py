"""`python -m engine`: list, validate and simulate, run as real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import DRILL

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=120, check=False)


def test_cli_validate_good_file_exit_zero(tmp_path):
    path = tmp_path / "drill.yaml"
    path.write_text(yaml.safe_dump(DRILL), encoding="utf-8")
    result = run("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert "drill.yaml: ok (test-outage" in result.stdout


def test_cli_validate_broken_file_names_file_and_field_exit_two(tmp_path):
    data = json.loads(json.dumps(DRILL))
    data["phases"][1]["rate_per_minute"] = -3
    del data["title"]
    path = tmp_path / "outage.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run("validate", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "outage.yaml: title: is required" in lines
    rate_line = next(i for i, text in enumerate(path.read_text().splitlines(), start=1)
                     if "rate_per_minute: -3" in text)
    assert f"outage.yaml: line {rate_line}: phases[1].rate_per_minute: must be >= 0" in lines
    assert "Traceback" not in result.stderr


def test_cli_validate_not_yaml_exit_two_no_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    result = run("validate", str(path), str(tmp_path / "missing.yaml"))
    assert result.returncode == 2
    assert "bad.yaml: line 2, column 1: not valid YAML" in result.stderr
    assert "missing.yaml: cannot read file" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_simulate_writes_transcript_and_summary(tmp_path):
    path = tmp_path / "drill.yaml"
    path.write_text(yaml.safe_dump(DRILL), encoding="utf-8")
    out = tmp_path / "t.jsonl"
    result = run("simulate", str(path), "--seed", "3", "--minutes", "30", "--out", str(out))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert events[0]["type"] == "SessionStarted" and events[0]["seed"] == 3
    arrived = sum(e["type"] == "MentionArrived" for e in events)
    assert f"mentions          {arrived}" in result.stdout
    assert "by persona" in result.stdout and "reputation" in result.stdout
    again = tmp_path / "again.jsonl"
    run("simulate", str(path), "--seed", "3", "--minutes", "30", "--out", str(again))
    assert again.read_bytes() == out.read_bytes()


def test_cli_simulate_unknown_scenario_exit_two():
    result = run("simulate", "no-such-drill", "--seed", "1")
    assert result.returncode == 2
    assert "no-such-drill: no such scenario" in result.stderr


def test_cli_list_prints_every_builtin_scenario():
    result = run("list")
    assert result.returncode == 0, result.stderr
    shipped = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(result.stdout.strip().splitlines()) == len(shipped)


def test_cli_validate_hostile_files_refused_fast_by_name(tmp_path):
    """Issue 10: a link to /dev/zero gave a traceback, an alias bomb took 60 s and 5.7 GB."""
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                    + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
                              for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
                    encoding="utf-8")
    twice = tmp_path / "twice.yaml"
    twice.write_text(yaml.safe_dump(DRILL) + "title: Again\n", encoding="utf-8")
    result = run("validate", str(zero), str(bomb), str(twice), str(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "zero.yaml: is a character device (a link to /dev/zero), not a file; it was not " \
           "read" in lines
    assert "bomb.yaml: line 1: anchors (&a) are not allowed: write the value out in full" in lines
    assert any(line.startswith("twice.yaml: line ") and "the key 'title' appears twice" in line
               for line in lines)
    assert f"{tmp_path.name}: is a directory, not a file; it was not read" in lines
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ pipes and grow-bank
def _piped(*args: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m engine ARGS | head -n 1``: the reader goes away after one line."""
    engine = subprocess.Popen([sys.executable, "-m", "engine", *args], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert engine.stdout is not None
    engine.stdout.readline()
    engine.stdout.close()  # what head does after its line
    _, err = engine.communicate(timeout=120)
    return subprocess.CompletedProcess(args, engine.returncode, b"", err)


def test_cli_survives_a_broken_pipe_on_every_subcommand(tmp_path):
    path = tmp_path / "drill.yaml"
    path.write_text(yaml.safe_dump(DRILL), encoding="utf-8")
    for args in (["list"], ["validate", str(path), str(path), str(path)],
                 ["simulate", "telecom-outage", "--seed", "1", "--minutes", "30"]):
        result = _piped(*args)
        assert b"Traceback" not in result.stderr and b"BrokenPipe" not in result.stderr, args
        assert result.returncode in (0, -13), (args, result.returncode)


def test_cli_grow_bank_without_an_llm_says_what_to_set(monkeypatch):
    env = {k: v for k, v in __import__("os").environ.items()
           if not k.startswith("STORMDESK_LLM")}
    result = subprocess.run([sys.executable, "-m", "engine", "grow-bank", "--language", "en",
                             "--persona", "angry", "--intent", "billing", "--n", "5"],
                            cwd=ROOT, text=True, capture_output=True, timeout=120, env=env,
                            check=False)
    assert result.returncode == 2
    assert "STORMDESK_LLM_BASE_URL" in result.stderr


def test_cli_grow_bank_refuses_an_unknown_persona():
    result = run("grow-bank", "--language", "en", "--persona", "pirate", "--intent", "billing")
    assert result.returncode == 2 and "--persona: unknown persona 'pirate'" in result.stderr


def test_cli_simulate_bad_seed_minutes_and_out_are_named_errors_not_tracebacks(tmp_path):
    cases = {
        ("--seed", "-1"): "--seed: must be from 0 to 2**63-1",
        ("--seed", "7x"): "--seed: not a whole number",
        ("--seed", "1", "--minutes", "nan"): "--minutes: must be a finite number",
        ("--seed", "1", "--minutes", "inf"): "--minutes: must be a finite number",
        ("--seed", "1", "--minutes", "-5"): "--minutes: must be a finite number",
        ("--seed", "1", "--out", str(tmp_path / "missing" / "t.jsonl")):
            "its folder does not exist",
        ("--seed", "1", "--out", str(tmp_path)): "is a folder",
    }
    for args, message in cases.items():
        result = run("simulate", "telecom-outage", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_cli_simulate_minutes_past_the_end_stop_at_the_drill_length():
    result = run("simulate", "telecom-outage", "--seed", "1", "--minutes", "99999")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("telecom-outage (seed 1) at minute 180")

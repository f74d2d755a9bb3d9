"""`python -m scoring`: rate with a bad line, session on a hand-built transcript, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

from scoring.cli import main
from tests.scoring.builders import BASE_SCENARIO, Drill, scenario

ROOT = Path(__file__).resolve().parents[2]
ADDED = {"empathy", "tone", "privacy"}


@pytest.fixture
def assessors():
    pytest.importorskip("scoring.empathy")
    pytest.importorskip("scoring.tone")


def case(i: int, **kw: str) -> dict[str, str]:
    base = {"id": f"c{i}", "language": "en", "brand_voice": "friendly", "persona": "angry",
            "mention": "@Nimbus charged twice!!", "channel": "public",
            "reply": "So sorry about the double charge, Dana. Please DM us your order number."}
    base.update(kw)
    return base


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_rate_bad_lines_reported_by_number_and_the_rest_scored(tmp_path, capsys, assessors):
    cases = write_lines(tmp_path / "cases.jsonl", [
        json.dumps(case(1)),
        '{"id": "c2", "reply": ',
        json.dumps(case(3, language="ko", reply="주문번호를 댓글로 남겨주세요.")),
        json.dumps({"id": "c4", "language": "en"}),
        json.dumps(case(5, language="fr")),
        "[1, 2]",
    ])
    out = tmp_path / "results.jsonl"
    code = main(["rate", "--in", str(cases), "--out", str(out), "--offline"])
    err = capsys.readouterr().err
    assert code == 1
    assert "cases.jsonl:2: not valid JSON" in err
    assert 'cases.jsonl:4: "reply" is required' in err
    assert 'cases.jsonl:5: "language" must be one of en, ko' in err
    assert "cases.jsonl:6: a case must be a JSON object" in err
    assert "Traceback" not in err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["c1", "c3"]
    assert set(rows[0]) - set(case(1)) == ADDED
    privacy = rows[1]["privacy"]
    assert privacy["ok"] is False and privacy["findings"][0]["kind"] == "asks_pii_public"
    finding = privacy["findings"][0]
    assert rows[1]["reply"][finding["start"]:finding["end"]] == finding["text"]
    assert {"kind", "start", "end", "text", "explanation"} <= set(finding)
    # issue 9: each block names its judge; empathy also says whether it was dismissive
    judged = {"judge", "judge_detail"}
    assert set(rows[0]["empathy"]) == {"level", "score", "findings", "dismissive"} | judged
    assert set(rows[0]["tone"]) == {"on_brand", "score", "findings"} | judged
    assert set(rows[0]["privacy"]) == {"ok", "score", "moves_to_dm", "findings"} | judged
    assert {rows[0][d]["judge"] for d in ("empathy", "tone", "privacy")} == {"offline"}
    assert rows[0]["privacy"]["moves_to_dm"] is True


def test_cli_rate_all_good_lines_exit_zero(tmp_path, assessors):
    cases = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(1)), "",
                                                  json.dumps(case(2, channel="dm"))])
    out = tmp_path / "out.jsonl"
    assert main(["rate", "--in", str(cases), "--out", str(out), "--offline"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_cli_rate_missing_input_file_is_a_clear_error(tmp_path, capsys):
    code = main(["rate", "--in", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "cannot read" in err and "nope.jsonl" in err


def test_cli_module_entry_point_rates_from_a_subprocess(tmp_path, assessors):
    cases = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(1)), "not json"])
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "scoring", "rate", "--in", str(cases),
                           "--out", str(out), "--offline"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert "cases.jsonl:2: not valid JSON" in proc.stderr and "Traceback" not in proc.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


# ------------------------------------------------------------------------------------- session


def drill_files(tmp_path: Path) -> tuple[Path, Path, Drill]:
    scenario_path = tmp_path / "test-drill.yaml"
    scenario_path.write_text(yaml.safe_dump(BASE_SCENARIO), encoding="utf-8")
    d = Drill(scenario())
    d.mention("t1", 0, intent="delivery", handle="dana")
    d.reply("t1", 3, "Sorry! Could you reply with your order number and email address?")
    d.mention("t2", 1, persona="journalist", priority="urgent", followers=90_000)
    d.sample(60)
    transcript = write_lines(tmp_path / "drill.jsonl", [e.to_json() for e in d.events])
    return transcript, scenario_path, d


def test_cli_session_prints_readable_scorecard_and_writes_json(tmp_path, capsys):
    transcript, scenario_path, _ = drill_files(tmp_path)
    out = tmp_path / "card.json"
    code = main(["session", str(transcript), "--scenario", str(scenario_path), "--out", str(out),
                 "--offline"])
    text = capsys.readouterr().out
    assert code == 0
    assert "Overall:" in text and "speed" in text and "privacy" in text
    assert ">>reply with your order number and email address<<" in text
    assert "why:" in text and "better:" in text
    assert "@user_t2 (urgent, journalist, 90,000 followers)" in text
    card = json.loads(out.read_text(encoding="utf-8"))
    assert card["scenario_id"] == "test-drill" and card["scorer_version"]
    assert {d["name"] for d in card["dimensions"]} == {"speed", "empathy", "tone", "privacy"}


def test_cli_session_unknown_scenario_in_transcript_is_a_clear_error(tmp_path, capsys):
    transcript, _, _ = drill_files(tmp_path)
    code = main(["session", str(transcript), "--offline"])
    err = capsys.readouterr().err
    assert code == 2 and "test-drill: no such scenario" in err and "Traceback" not in err


def test_cli_session_bad_transcript_lines_are_named(tmp_path, capsys):
    transcript, scenario_path, _ = drill_files(tmp_path)
    lines = transcript.read_text(encoding="utf-8").splitlines()
    lines[2] = "{oops"
    lines.insert(3, json.dumps({"type": "Teleported", "event_id": "x", "minute": 1}))
    write_lines(transcript, lines)
    code = main(["session", str(transcript), "--scenario", str(scenario_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "drill.jsonl:3: not valid JSON" in err
    assert "drill.jsonl:4: not an engine event (unknown event type 'Teleported')" in err


def test_cli_session_missing_transcript_is_a_clear_error(tmp_path, capsys):
    assert main(["session", str(tmp_path / "none.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_cli_evaluate_delegates_to_evaluate_main(monkeypatch):
    seen: list[list[str]] = []
    fake = types.ModuleType("scoring.evaluate")
    fake.main = lambda argv: seen.append(list(argv)) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "scoring.evaluate", fake)
    assert main(["evaluate", "--data", "../shared/eval"]) == 0
    assert seen == [["--data", "../shared/eval"]]


def test_cli_evaluate_unavailable_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "scoring.evaluate", None)
    assert main(["evaluate"]) == 2
    assert "evaluation is not available" in capsys.readouterr().err


@pytest.mark.parametrize(("label", "kind"), [
    (None, "offline"), ("offline", "offline"), ("llm:qwen2.5-7b", "llm"),
    ("llm fallback: timeout after 8 s", "llm fallback"),
    ("offline (llm failed: HTTP 500)", "llm fallback"),
])
def test_judge_kind_table_names_the_judge(label, kind):
    from scoring.cli import judge_kind

    assert judge_kind(label) == kind


def test_assessment_json_names_the_judge_per_dimension(assessors):
    from dataclasses import replace

    from engine.records import ReplyContext
    from scoring.assess import assess_reply
    from scoring.cli import assessment_json

    ctx = ReplyContext("en", "friendly", "angry", "delay", "late again", "public", "Sorry!")
    result = replace(assess_reply(ctx), judges={"empathy": "llm:m1",
                                                "tone": "llm fallback: budget spent"})
    blocks = assessment_json(result)
    assert [blocks[d]["judge"] for d in ("empathy", "tone", "privacy")] == [
        "llm", "llm fallback", "offline"]
    assert blocks["tone"]["judge_detail"] == "llm fallback: budget spent"


def test_cli_rate_known_pii_repeated_in_public_is_an_exposure(tmp_path, assessors):
    line = case(1, reply="Sorry Megan, order 4471-2290-18 is on its way today.",
                mention="@Parcelo where is my parcel")
    line["known_pii"] = [{"kind": "order_number", "value": "4471 2290 18"}]
    cases = write_lines(tmp_path / "cases.jsonl", [json.dumps(line)])
    out = tmp_path / "out.jsonl"
    assert main(["rate", "--in", str(cases), "--out", str(out), "--offline"]) == 0
    (row,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [f["kind"] for f in row["privacy"]["findings"]] == ["exposes_pii_public"]


class _BrokenDimension:
    name = "tone"

    def score(self, transcript, scenario):
        raise RuntimeError("lexicon file unreadable")


def test_cli_session_failed_dimension_exits_3_and_names_it(tmp_path, capsys, monkeypatch):
    from scoring import registry

    monkeypatch.setitem(registry._REGISTERED, "tone", lambda **kw: _BrokenDimension())
    transcript, scenario_path, _ = drill_files(tmp_path)
    code = main(["session", str(transcript), "--scenario", str(scenario_path), "--offline"])
    captured = capsys.readouterr()
    assert code == 3
    assert "Overall:" in captured.out
    assert "dimension 'tone' failed" in captured.err and "lexicon file unreadable" in captured.err


def test_cli_session_help_documents_exit_status_3(capsys):
    with pytest.raises(SystemExit):
        main(["session", "--help"])
    assert "3 the scorecard was printed but a dimension failed" in " ".join(
        capsys.readouterr().out.split())


# --- issue 10: hostile input, pipes, LLM settings ----------------------------------------------


def test_cli_rate_lone_surrogate_line_refused_and_the_good_lines_kept(tmp_path, capsys,
                                                                      assessors):
    """Issue 10: one lone surrogate aborted the batch (1 of 3 lines written)."""
    cases = write_lines(tmp_path / "cases.jsonl", [
        json.dumps(case(1)), json.dumps(case(2, reply="Sorry \ud800 about that")),
        json.dumps(case(3))])
    out = tmp_path / "out.jsonl"
    assert main(["rate", "--in", str(cases), "--out", str(out), "--offline"]) == 1
    err = capsys.readouterr().err
    assert "cases.jsonl:2: reply: contains a lone surrogate at character 7" in err
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == [
        "c1", "c3"]


@pytest.mark.parametrize(("bad", "message"), [
    ('{"id": "c2", "reply": "ok", "score": NaN}', "score: nan is not a finite number"),
    ("[" * 5000 + "]" * 5000, "not valid JSON (nested too deeply)"),
    ('{"reply": "ok", "n": 1' + "0" * 5000 + "}", "not valid JSON"),
])
def test_cli_rate_unwritable_values_named_by_line(tmp_path, capsys, assessors, bad, message):
    cases = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(1)), bad])
    out = tmp_path / "out.jsonl"
    assert main(["rate", "--in", str(cases), "--out", str(out), "--offline"]) == 1
    assert f"cases.jsonl:2: {message}" in capsys.readouterr().err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_cli_rate_non_utf8_line_named_and_the_rest_scored(tmp_path, capsys, assessors):
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(json.dumps(case(1)).encode() + b'\n{"reply": "caf\xe9"}\n'
                      + json.dumps(case(3)).encode() + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["rate", "--in", str(cases), "--out", str(out), "--offline"]) == 1
    assert "cases.jsonl:2: not UTF-8 text (byte 0xe9 at column 15)" in capsys.readouterr().err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


@pytest.mark.parametrize("command", ["rate", "session"])
def test_cli_device_path_refused_by_kind_without_reading(tmp_path, capsys, command):
    link = tmp_path / "zero.jsonl"
    link.symlink_to("/dev/zero")
    args = ["rate", "--in", str(link), "--offline"] if command == "rate" else \
        ["session", str(link), "--offline"]
    assert main(args) == 2
    assert "zero.jsonl: is a device or socket, not a file; it was not read" in \
        capsys.readouterr().err


def _transcript_with(tmp_path: Path, index: int, **changes: object) -> Path:
    transcript, _, _ = drill_files(tmp_path)
    lines = transcript.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[index])
    event.update(changes)
    lines[index] = json.dumps(event)
    return write_lines(transcript, lines)


def test_cli_session_scenario_id_of_a_device_is_never_opened(tmp_path, capsys, monkeypatch):
    """Issue 10: ``"scenario_id": "/dev/zero"`` in a transcript read the device."""
    import engine.scenario as scenario_module

    opened: list[str] = []
    real = scenario_module.load_scenario

    def spy(path):
        opened.append(str(path))
        return real(path)

    monkeypatch.setattr(scenario_module, "load_scenario", spy)
    transcript = _transcript_with(tmp_path, 0, type="SessionStarted", scenario_id="/dev/zero",
                                  scenario_hash="x", seed=1, language="en",
                                  duration_minutes=60.0)
    assert main(["session", str(transcript), "--offline"]) == 2
    err = capsys.readouterr().err
    assert "drill.jsonl:1: SessionStarted: scenario_id: '/dev/zero': not a built-in " in err
    assert "pass --scenario FILE" in err
    assert "/dev/zero" not in " ".join(opened)


def test_cli_session_minute_soon_named_by_line_and_field(tmp_path, capsys):
    transcript = _transcript_with(tmp_path, 1, minute="soon")
    scenario_path = tmp_path / "test-drill.yaml"
    assert main(["session", str(transcript), "--scenario", str(scenario_path)]) == 2
    assert "drill.jsonl:2: " in capsys.readouterr().err


def test_cli_session_terminal_escapes_in_texts_are_printed_escaped(tmp_path, capsys):
    transcript, scenario_path, _ = drill_files(tmp_path)
    text = transcript.read_text(encoding="utf-8").replace(
        "Sorry! Could you", "Sorry! \\u001b[2J\\u001b]0;owned\\u0007Could you")
    transcript.write_text(text, encoding="utf-8")
    assert main(["session", str(transcript), "--scenario", str(scenario_path),
                 "--offline"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in out


def test_cli_printable_escapes_controls_bidi_and_surrogates_only():
    from scoring.inputs import printable

    assert printable("ok\tfine\nnext 한국어 🍕") == "ok\tfine\nnext 한국어 🍕"
    assert printable("\x1b[31m\u202e\ud800") == "\\x1b[31m\\u202e\\ud800"


def test_cli_bad_llm_settings_are_a_clean_error(tmp_path, capsys, monkeypatch, assessors):
    monkeypatch.setenv("STORMDESK_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("STORMDESK_LLM_MODEL", "m")
    monkeypatch.setenv("STORMDESK_LLM_TIMEOUT", "nan")
    cases = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(1))])
    assert main(["rate", "--in", str(cases), "--out", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "error: invalid LLM settings: STORMDESK_LLM_TIMEOUT" in err
    assert "pass --offline" in err and "Traceback" not in err


def test_cli_rate_with_a_failing_llm_says_which_verdicts_fell_back(tmp_path, capsys,
                                                                   monkeypatch, assessors):
    import llm

    llm.reset_breakers()
    monkeypatch.setenv("STORMDESK_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens
    monkeypatch.setenv("STORMDESK_LLM_MODEL", "m")
    monkeypatch.setenv("STORMDESK_LLM_TIMEOUT", "2")
    cases = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(1))])
    out = tmp_path / "o.jsonl"
    assert main(["rate", "--in", str(cases), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "llm:m: 0 of 3 verdicts from the LLM, 3 offline" in err
    assert "  empathy: 'So sorry about the double charge" in err
    assert json.loads(out.read_text(encoding="utf-8"))["empathy"]["judge"] == "llm fallback"
    llm.reset_breakers()


def _rows(tmp_path: Path, count: int) -> Path:
    return write_lines(tmp_path / "many.jsonl", [json.dumps(case(i)) for i in range(count)])


@pytest.mark.parametrize("command", ["rate", "session"])
def test_cli_piped_into_head_ends_quietly(tmp_path, command, assessors):
    """Issue 10: piping into head gave a BrokenPipeError traceback."""
    if command == "rate":
        args = ["rate", "--in", str(_rows(tmp_path, 200)), "--offline"]
    else:
        transcript, scenario_path, _ = drill_files(tmp_path)
        args = ["session", str(transcript), "--scenario", str(scenario_path), "--offline",
                "--top", "50"]
    proc = subprocess.Popen([sys.executable, "-m", "scoring", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # what head does after its line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_cli_help_documents_every_exit_code(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("0 done", "1 rate: some lines failed", "2 bad input or usage",
                  "3 session: a dimension failed", "130 interrupted", "closed pipe"):
        assert words in text
    with pytest.raises(SystemExit):
        main(["rate", "--help"])
    assert "1 some lines failed" in " ".join(capsys.readouterr().out.split())


def test_cli_session_top_must_be_a_small_whole_number(tmp_path, capsys):
    transcript, _, _ = drill_files(tmp_path)
    with pytest.raises(SystemExit) as caught:
        main(["session", str(transcript), "--top", "-1"])
    assert caught.value.code == 2
    assert "must be 0-10000" in capsys.readouterr().err


def test_cli_rate_output_escapes_what_a_terminal_would_act_on(tmp_path, capsys, assessors):
    cases = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(
        1, reply="Sorry \u009b2J\u202e about \u2028 that", customer_name="Dana\u007f"))])
    assert main(["rate", "--in", str(cases), "--offline"]) == 0
    out = capsys.readouterr().out
    assert not any(ch in out for ch in "\u009b\u202e\u2028\u007f")
    assert "\\u009b2J\\u202e" in out
    assert json.loads(out)["reply"] == "Sorry \u009b2J\u202e about \u2028 that"


def test_cli_session_reads_a_transcript_from_stdin(tmp_path):
    transcript, scenario_path, _ = drill_files(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "scoring", "session", "-", "--scenario",
                           str(scenario_path), "--offline"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, input=transcript.read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stderr
    assert "Overall:" in proc.stdout

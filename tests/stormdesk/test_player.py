"""The headless player: actions files, their errors (line and field), and the CLI."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.records import MentionArrived, Reply
from engine.scenario import resolve_scenario
from stormdesk.cli import main
from stormdesk.player import ActionsFileError, ScriptedAction, parse_actions, play, read_actions


def lines(*objects: object) -> list[str]:
    return [o if isinstance(o, str) else json.dumps(o) for o in objects]


def test_parse_actions_good_file_gives_actions_in_order() -> None:
    parsed = parse_actions(lines(
        "# a comment", "",
        {"minute": 4, "kind": "reply", "thread_id": "t000001", "text": "hi",
         "channel": "public"},
        {"minute": 5.5, "kind": "like", "mention_id": "m000002"},
        {"minute": 6, "kind": "post_status", "text": "We know", "agent": "AB"}))
    assert [(a.line, a.minute, a.action.kind) for a in parsed] == [
        (3, 4.0, "reply"), (4, 5.5, "like"), (5, 6.0, "post_status")]
    assert parsed[2].action.agent == "AB"


@pytest.mark.parametrize(("line", "message"), [
    ('{"kind": "reply", "thread_id": "t1", "text": "x"}', "line 1: minute: is required"),
    ('{"minute": "soon", "kind": "like", "mention_id": "m1"}', "line 1: minute: must be a number"),
    ('{"minute": -1, "kind": "like", "mention_id": "m1"}', "line 1: minute: must be a number"),
    ('{"minute": NaN, "kind": "like", "mention_id": "m1"}', "line 1: minute: must be a number"),
    ('{"minute": 1, "kind": "dance"}', "line 1: kind: unknown action 'dance'"),
    ('{"minute": 1}', "line 1: kind: is required"),
    ('{"minute": 1, "kind": "reply", "text": "x"}', "line 1: thread_id: is required"),
    ('{"minute": 1, "kind": "reply", "thread_id": "t1", "text": "x", "channel": "fax"}',
     "line 1: channel: must be one of public, dm"),
    ('{"minute": 1, "kind": "reply", "thread_id": 7, "text": "x"}',
     "line 1: thread_id: must be text"),
    ('{"minute": 1, "kind": "like", "mention_id": "m1", "colour": "red"}',
     "line 1: colour: is not a field of a like action"),
    ("[1, 2]", "line 1: must be a JSON object"),
    ("{not json", "line 1: not valid JSON"),
    ('{"minute": Infinity, "kind": "like", "mention_id": "m1"}', "line 1: minute: must be a num"),
    ('{"minute": 1, "kind": "like", "mention_id": "m1", "agent": 5}',
     "line 1: agent: must be text (got 5)"),
    ('{"minute": 1, "kind": "post_status", "text": "a\\ud800"}',
     "line 1: text: contains a lone surrogate at character 2"),
    ('{"minute": 1, "kind": "inject_mention", "persona": "angry", "intent": "outage", '
     '"text": "hi", "followers": "lots"}', "line 1: followers: must be a whole number"),
    ('{"minute": 1, "kind": "update_incident", "down": "app", "keywords": "app"}',
     "line 1: keywords: must be a list"),
    ('{"minute": 1, "kind": "update_incident", "down": "app", "keywords": [1]}',
     "line 1: keywords[0]: must be text"),
    ("[" * 5000 + "]" * 5000, "line 1: not valid JSON (nested too deeply)"),
])
def test_parse_actions_bad_line_names_line_and_field(line: str, message: str) -> None:
    with pytest.raises(ActionsFileError) as caught:
        parse_actions([line], "acts.jsonl")
    assert any(p.startswith("acts.jsonl: " + message) for p in caught.value.problems), \
        caught.value.problems


def test_parse_actions_reports_every_bad_line_not_only_the_first() -> None:
    with pytest.raises(ActionsFileError) as caught:
        parse_actions(lines({"minute": 1}, {"minute": 2, "kind": "x"},
                            {"minute": 3, "kind": "like", "mention_id": "m1"},
                            {"minute": 2, "kind": "like", "mention_id": "m2"}))
    problems = caught.value.problems
    assert [p.split(":")[1].strip() for p in problems] == ["line 1", "line 2", "line 4"]
    assert "time order" in problems[-1]


def test_parse_actions_lists_become_tuples_like_a_replay() -> None:
    (scripted,) = parse_actions(lines(
        {"minute": 1, "kind": "update_incident", "down": "app", "keywords": ["app", "down"]}))
    assert scripted.action.to_dict()["keywords"] == ["app", "down"]
    assert scripted.action.keywords == ("app", "down")  # type: ignore[attr-defined]


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.symlink_to("/dev/zero"), "is a character device (a link to /dev/zero)"),
    (lambda p: os.mkfifo(p), "is a named pipe"),
    (lambda p: p.write_bytes(b"x" * (20 * 1024 * 1024 + 1)), "larger than 20,971,520 bytes"),
])
def test_read_actions_refuses_devices_pipes_and_big_files_without_reading(
        tmp_path: Path, make: Callable[[Path], object], message: str) -> None:
    path = tmp_path / "acts.jsonl"
    make(path)
    with pytest.raises(ActionsFileError, match=re.escape(message)):
        read_actions(path)


def test_read_actions_refuses_non_utf8_and_non_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"minute": 1, "kind": "like", "mention_id": "\xff"}\n')
    with pytest.raises(ActionsFileError, match="not UTF-8"):
        read_actions(bad)
    with pytest.raises(ActionsFileError, match="is a directory, not a file"):
        read_actions(tmp_path)


def test_play_refused_action_names_its_line() -> None:
    scenario = resolve_scenario("onboarding-quiet-shift")
    bad = [ScriptedAction(7, 3.0, Reply("t999999", "hello"))]
    with pytest.raises(ActionsFileError, match=r"<actions>: line 7: .*t999999"):
        play(scenario, 1, bad)


def test_play_assessment_without_end_at_plays_to_the_scenario_end() -> None:
    scenario = resolve_scenario("onboarding-quiet-shift")
    result = play(scenario, 2)
    assert result.transcript[-1].minute == pytest.approx(scenario.duration_minutes, abs=1.0)
    assert result.ended_at_minute == pytest.approx(scenario.duration_minutes)


def test_play_practice_end_at_stops_early_and_assessment_plays_out() -> None:
    scenario = resolve_scenario("onboarding-quiet-shift")
    practice = play(scenario, 2, end_at=10, mode="practice")
    assessment = play(scenario, 2, end_at=10, mode="assessment")
    assert practice.transcript[-1].minute <= 10
    assert not practice.played_out
    assert assessment.played_out and assessment.ended_at_minute == 10
    assert assessment.transcript[-1].minute > 10


def test_cli_play_writes_transcript_and_scorecard(tmp_path: Path) -> None:
    scenario = resolve_scenario("onboarding-quiet-shift")
    probe = play(scenario, 5, end_at=20, mode="practice")
    first = next(e for e in probe.transcript if isinstance(e, MentionArrived))
    actions = tmp_path / "acts.jsonl"
    actions.write_text(json.dumps({
        "minute": first.minute + 1, "kind": "reply", "thread_id": first.thread_id,
        "text": "So sorry about this! I'm checking it now and will update you within the "
                "hour.", "channel": "public"}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["play", scenario.id, "--seed", "5", "--actions", str(actions), "--out",
                 str(out)])
    assert code == 0
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    for key in ("overall", "dimensions", "minutes_played", "drill_minutes", "coverage",
                "world"):
        assert key in card
    assert set(card["dimensions"]) == {"speed", "empathy", "tone", "privacy"}
    events = [json.loads(x) for x in (out / "transcript.jsonl").read_text().splitlines()]
    assert events[0]["type"] == "SessionStarted"
    assert any(e["type"] == "ReplySent" for e in events)


def test_cli_bad_actions_file_exits_2_and_names_the_line(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    actions = tmp_path / "acts.jsonl"
    actions.write_text('{"minute": 1, "kind": "reply"}\n', encoding="utf-8")
    code = main(["play", "onboarding-quiet-shift", "--seed", "1", "--actions", str(actions),
                 "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "acts.jsonl: line 1: thread_id: is required" in err
    assert not (tmp_path / "o").exists()


def test_cli_unknown_scenario_exits_2(tmp_path: Path) -> None:
    assert main(["play", "no-such-drill", "--seed", "1", "--out", str(tmp_path)]) == 2


def test_cli_live_inject_with_a_hostile_template_is_refused_by_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    actions = tmp_path / "acts.jsonl"
    actions.write_text(json.dumps({"minute": 2, "kind": "inject_mention", "persona": "angry",
                                   "intent": "outage", "text": "{brand.__class__.__mro__}"})
                       + "\n", encoding="utf-8")
    code = main(["play", "onboarding-quiet-shift", "--seed", "1", "--actions", str(actions),
                 "--end-at", "5", "--mode", "practice", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "acts.jsonl: line 1: this inject cannot be used: text: character 1: " in err
    assert "attribute and index access are not allowed" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("seed", ["-1", "x", str(2**63)])
def test_cli_seed_out_of_range_is_a_usage_error(tmp_path: Path, seed: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["play", "onboarding-quiet-shift", "--seed", seed, "--out", str(tmp_path)])
    assert caught.value.code == 2
    assert "--seed" in capsys.readouterr().err


def test_cli_output_folder_that_is_a_file_exits_2(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine", encoding="utf-8")
    code = main(["play", "onboarding-quiet-shift", "--seed", "1", "--end-at", "2", "--mode",
                 "practice", "--out", str(taken)])
    assert code == 2
    assert "taken: cannot write" in capsys.readouterr().err
    assert taken.read_text(encoding="utf-8") == "mine"


def test_cli_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("0 ok", "2 bad input", "3 a scoring dimension failed", "130 interrupted",
                  "closed output pipe"):
        assert words in text

"""The LLM judge through the real openai client and StormDesk's LLM policy against the local
OpenAI-compatible test server: verdicts used when good, the offline verdict with a labelled
reason otherwise, and a whole drill never waiting more than one deadline on a broken endpoint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.records import ReplyContext
from llm import LlmSettings, LlmSettingsError, reset_breakers
from scoring.judge import LlmJudge, cache_key, judge_from_env
from scoring.privacy import assess_privacy
from scoring.records import EmpathyAssessment
from scoring.scorecard import score_session
from tests.fakes.openai_server import FAILING_MODES, MODES, FakeOpenAI
from tests.scoring.builders import BASE_SCENARIO, Drill, scenario

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 1.0
SLACK_S = 0.5  # thread hand-over and a loaded 2-core machine
VERDICTS: dict[str, dict[str, Any]] = {
    "privacy": {"kinds": ["asks_pii_public"], "moves_to_dm": False,
                "explanation": "Asks for the order number in public."},
    "empathy": {"level": 2, "score": 88, "explanation": "Specific and owns it."},
    "tone": {"on_brand": True, "score": 90, "issues": []},
}
#: What each failing mode is called in the fallback label.
REASONS = {
    "garbage": "malformed JSON", "malformed": "malformed JSON",
    "schema": "schema mismatch at ", "truncated": "answer cut off",
    "non_json": "the HTTP body is not JSON", "no_choices": "no choices in the answer",
    "hang": f"no answer within {DEADLINE_S:g}s", "trickle": f"no answer within {DEADLINE_S:g}s",
    "error500": "HTTP 500", "rate_limited": "HTTP 429 with Retry-After 60s",
    "reset": "connection reset", "huge": "answer of",
}
assert set(REASONS) == set(FAILING_MODES)


def verdict_for(request: dict[str, Any]) -> str:
    dimension = json.loads(request["messages"][-1]["content"])["dimension"]
    return json.dumps(VERDICTS[dimension])


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    srv = FakeOpenAI().start()
    srv.answer = verdict_for
    srv.trickle_interval_s = 0.3  # every read arrives in time, the whole answer never does
    srv.huge_bytes = 8 * 1024 * 1024
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


def settings(server: FakeOpenAI, mode: str, **overrides: Any) -> LlmSettings:
    return LlmSettings(base_url=server.base_url(mode), model="test-model",
                       timeout_s=overrides.pop("timeout_s", DEADLINE_S), **overrides)


def judge_for(server: FakeOpenAI, mode: str, **overrides: Any) -> LlmJudge:
    return LlmJudge(settings(server, mode, **overrides))


def ctx(reply: str = "Could you reply with your order number?",
        channel: str = "public") -> ReplyContext:
    return ReplyContext(language="en", brand_voice="friendly", persona="angry",
                        intent="delivery", mention_text="@Nimbus where is my parcel",
                        channel=channel, reply_text=reply)


# ------------------------------------------------------------------------- good verdicts


def test_judge_privacy_good_json_confirms_offline_finding_and_says_llm(server):
    offline = assess_privacy(ctx())
    judged = judge_for(server, "ok").judge_privacy(ctx(), offline)
    assert judged.judge == "llm:test-model"
    (finding,) = judged.value.findings
    assert finding.kind == "asks_pii_public" and finding.start >= 0  # offline span kept
    assert not judged.value.ok


def test_judge_privacy_llm_only_kind_becomes_whole_reply_finding(server):
    reply = "Hmm, reply to this with where you live."
    offline = assess_privacy(ctx(reply))
    assert offline.ok
    judged = judge_for(server, "ok").judge_privacy(ctx(reply), offline)
    (finding,) = judged.value.findings
    assert (finding.kind, finding.start, finding.rule) == ("asks_pii_public", -1, "llm_judge")
    assert "order number" in finding.explanation and judged.value.score < 100


def test_judge_request_uses_rubric_json_mode_model_and_token_cap(server):
    before = len(server.requests)
    judge_for(server, "ok").judge_empathy(ctx("So sorry! We'll fix it today."),
                                          EmpathyAssessment(level=1, score=50))
    _mode, request = server.requests[before]
    assert request["model"] == "test-model" and request["temperature"] == 0
    assert request["response_format"] == {"type": "json_object"}
    assert 0 < request["max_tokens"] <= 1000
    assert "Level 2" in request["messages"][0]["content"]
    assert json.loads(request["messages"][1]["content"])["reply"] == "So sorry! We'll fix it today."


def test_judge_long_texts_are_cut_before_they_go_out(server):
    before = len(server.requests)
    judge_for(server, "ok").judge_empathy(ctx("sorry " * 5000), EmpathyAssessment(1, 50))
    sent = json.loads(server.requests[before][1]["messages"][1]["content"])
    assert len(sent["reply"]) < 4100 and sent["reply"].endswith("[...]")


def test_judge_lone_surrogate_in_reply_still_goes_out(server):
    judged = judge_for(server, "ok").judge_empathy(ctx("sorry \ud800 really"),
                                                   EmpathyAssessment(1, 50))
    assert judged.judge == "llm:test-model"


def test_judge_empathy_good_json_replaces_level_and_score(server):
    judged = judge_for(server, "ok").judge_empathy(ctx("We're on it!"),
                                                   EmpathyAssessment(level=1, score=55))
    assert (judged.value.level, judged.value.score) == (2, 88)
    assert judged.judge == "llm:test-model"


def test_judge_cache_is_keyed_by_content(server):
    judge = judge_for(server, "ok")
    before = server.calls("ok")
    for _ in range(3):
        judge.judge_privacy(ctx("Please post your email."), assess_privacy(ctx()))
    judge.judge_privacy(ctx("Please post your phone number."), assess_privacy(ctx()))
    assert server.calls("ok") - before == 2 and judge.calls == 2
    assert cache_key("privacy", "m", {"a": 1}) != cache_key("privacy", "m2", {"a": 1})


# ---------------------------------------------------------------- every failure, one call


@pytest.mark.parametrize("mode", FAILING_MODES)
def test_judge_failing_mode_answers_offline_within_deadline_and_says_why(server, mode):
    offline = assess_privacy(ctx())
    started = time.monotonic()
    judged = judge_for(server, mode).judge_privacy(ctx(), offline)
    elapsed = time.monotonic() - started
    assert judged.value is offline
    assert judged.judge.startswith("llm fallback: ") and REASONS[mode] in judged.judge
    assert elapsed < DEADLINE_S + SLACK_S, f"{mode} took {elapsed:.2f}s"


def test_judge_failures_are_not_cached(server):
    judge = judge_for(server, "malformed")
    before = server.calls("malformed")
    judge.judge_privacy(ctx(), assess_privacy(ctx()))
    judge.judge_privacy(ctx(), assess_privacy(ctx()))
    assert server.calls("malformed") - before == 2
    assert [f.dimension for f in judge.fallbacks] == ["privacy", "privacy"]


def test_judge_unreachable_server_falls_back():
    judge = LlmJudge(LlmSettings(base_url="http://127.0.0.1:9/v1", model="m", timeout_s=0.5,
                                 max_retries=0))
    judged = judge.judge_privacy(ctx(), assess_privacy(ctx()))
    assert judged.judge == "llm fallback: cannot connect"


def test_judge_report_lists_each_fallen_back_verdict(server):
    judge = judge_for(server, "error500")
    judge.judge_privacy(ctx("first reply"), assess_privacy(ctx()))
    judge.judge_empathy(ctx("second reply"), EmpathyAssessment(1, 50))
    report = judge.report()
    assert report.startswith("llm:test-model: 0 of 2 verdicts from the LLM, 2 offline")
    assert "privacy: 'first reply' -> HTTP 500" in report
    assert "empathy: 'second reply' -> HTTP 500" in report


# ---------------------------------------------------------------- a whole drill, every mode


def drill(replies: int) -> Drill:
    d = Drill()
    for i in range(replies):
        d.mention(f"t{i}", i, intent="delivery")
        d.reply(f"t{i}", i + 1, f"Sorry about the parcel #{i}! Could you DM us your order "
                                f"number so we can check?")
    return d


JUDGED = ["empathy", "tone", "privacy"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_score_session_every_mode_costs_at_most_one_deadline_and_labels_fallbacks(server, mode):
    d = drill(8)
    started = time.monotonic()
    offline_card = score_session(d.events, d.scenario)
    offline_s = time.monotonic() - started
    # a slow but working endpoint is bounded by the drill's budget, a failing one by one deadline
    budget_s = 1.0 if mode == "slow" else 30.0
    judge = judge_for(server, mode, drill_budget_s=budget_s)
    started = time.monotonic()
    card = score_session(d.events, d.scenario, judge=judge)
    elapsed = time.monotonic() - started
    bound = budget_s if mode == "slow" else DEADLINE_S
    assert elapsed < offline_s + bound + SLACK_S, f"{mode}: {elapsed:.2f}s"
    labels = {name: card.dimension(name).judge for name in JUDGED}  # type: ignore[union-attr]
    if mode in ("ok", "slow"):  # slow: 24 answers x 0.2 s, then the drill's budget
        assert labels["empathy"].startswith("llm:test-model")
        assert not judge.fallbacks or "budget" in judge.fallbacks[0].reason
        return
    assert all(label.startswith(("llm fallback: ", "offline (")) for label in labels.values())
    assert len(judge.fallbacks) == 8 * len(JUDGED)  # every verdict is listed as fallen back
    assert REASONS[mode] in judge.fallbacks[0].reason
    assert [r.score for r in card.dimensions] == [r.score for r in offline_card.dimensions]


def test_score_session_fast_failures_stop_at_the_breaker(server):
    judge = judge_for(server, "error500", breaker_failures=3)
    before = server.calls("error500")
    score_session(drill(6).events, drill(6).scenario, dimensions=JUDGED, judge=judge)
    assert server.calls("error500") - before == 3 * 2  # three calls, each retried once
    assert "circuit open after 3 failed calls (last: HTTP 500)" in judge.fallbacks[-1].reason


def test_score_session_drill_budget_ends_llm_use_then_offline(server):
    judge = judge_for(server, "slow", drill_budget_s=0.5)  # 0.2 s per answer
    card = score_session(drill(20).events, drill(20).scenario, dimensions=JUDGED, judge=judge)
    assert 1 <= judge.answered <= 3 and judge.fallbacks
    assert "LLM budget of 0.5s is spent" in judge.fallbacks[-1].reason
    assert "replies offline" in card.dimensions[0].judge  # the first answers, then offline
    assert all("replies offline" in r.judge or r.judge.startswith("llm fallback: ")
               for r in card.dimensions)


def test_score_session_with_judge_labels_every_reply_dimension(server):
    d = Drill()
    d.mention("t1", 0, intent="delivery")
    d.reply("t1", 2, "Could you reply with your order number?")
    card = score_session(d.events, d.scenario, dimensions=["speed", *JUDGED],
                         judge=judge_for(server, "ok"))
    for name in JUDGED:
        assert card.dimension(name).judge == "llm:test-model"  # type: ignore[union-attr]
    assert card.dimension("speed").judge == "offline"  # type: ignore[union-attr]
    failed = score_session(d.events, d.scenario, dimensions=JUDGED,
                           judge=judge_for(server, "malformed"))
    assert [r.judge for r in failed.dimensions] == ["llm fallback: malformed JSON"] * 3
    assert [r.score for r in failed.dimensions] == [
        r.score for r in score_session(d.events, d.scenario, dimensions=JUDGED).dimensions]


def test_assess_reply_with_judge_names_each_judge(server):
    from scoring.assess import assess_reply

    result = assess_reply(ctx(), judge=judge_for(server, "ok"))
    assert result.judges == {"empathy": "llm:test-model", "tone": "llm:test-model",
                             "privacy": "llm:test-model"}
    assert assess_reply(ctx()).judges == {}


# ------------------------------------------------------------------------ the CLI, end to end


def cli_session(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str],
                                                              float]:
    scenario_path = tmp_path / "test-drill.yaml"
    scenario_path.write_text(yaml.safe_dump(BASE_SCENARIO), encoding="utf-8")
    d = drill(5)
    d.scenario = scenario()
    transcript = tmp_path / "drill.jsonl"
    transcript.write_text("".join(e.to_json() + "\n" for e in d.events), encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STORMDESK_LLM_")}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "scoring", "session", str(transcript),
                             "--scenario", str(scenario_path)], cwd=ROOT, text=True,
                            capture_output=True, env={**clean, **env}, timeout=120,
                            check=False)
    return result, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["hang", "trickle", "rate_limited", "error500"])
def test_cli_session_with_broken_endpoint_finishes_within_one_deadline_labelled(
        server, tmp_path, mode):
    offline, offline_s = cli_session(tmp_path, {})
    assert offline.returncode == 0, offline.stderr
    result, elapsed = cli_session(tmp_path, {"STORMDESK_LLM_BASE_URL": server.base_url(mode),
                                             "STORMDESK_LLM_MODEL": "test-model",
                                             "STORMDESK_LLM_TIMEOUT": str(DEADLINE_S)})
    assert result.returncode == 0, result.stderr
    # the openai import is the only other cost of a configured judge (~0.5-1 s here)
    assert elapsed < offline_s + DEADLINE_S + 1.5, f"{mode}: {elapsed:.2f}s vs {offline_s:.2f}s"
    assert "of 5 replies offline" in result.stdout or "llm fallback" in result.stdout


# ----------------------------------------------------------------------------- settings


def test_judge_from_env_needs_url_and_model_together():
    assert judge_from_env({}) is None
    with pytest.raises(LlmSettingsError, match="STORMDESK_LLM_MODEL is not set"):
        judge_from_env({"STORMDESK_LLM_BASE_URL": "http://x/v1"})
    judge = judge_from_env({"STORMDESK_LLM_BASE_URL": "http://x/v1",
                            "STORMDESK_LLM_MODEL": "qwen", "STORMDESK_LLM_TIMEOUT": "2.5"})
    assert judge is not None and judge.settings.timeout_s == 2.5 and judge.label == "llm:qwen"


@pytest.mark.parametrize("bad", ["-1", "0", "nan", "inf", "-inf", "1e309", "soon", "121"])
def test_judge_from_env_refuses_bad_timeouts(bad):
    with pytest.raises(LlmSettingsError, match="STORMDESK_LLM_TIMEOUT"):
        judge_from_env({"STORMDESK_LLM_BASE_URL": "http://x/v1", "STORMDESK_LLM_MODEL": "m",
                        "STORMDESK_LLM_TIMEOUT": bad})


def test_each_judge_from_env_has_its_own_drill_budget():
    env = {"STORMDESK_LLM_BASE_URL": "http://x/v1", "STORMDESK_LLM_MODEL": "m"}
    first, second = judge_from_env(env), judge_from_env(env)
    assert first is not None and second is not None
    assert first.client.budget is not second.client.budget
    assert first.client.breaker is second.client.breaker  # one breaker per endpoint

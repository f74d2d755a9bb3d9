"""The LLM judge through the real openai client against a small OpenAI-compatible server started
on 127.0.0.1 by the tests: good JSON, malformed JSON, wrong schema, slow answers and HTTP 500."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from engine.records import ReplyContext
from scoring.judge import JudgeConfig, LlmJudge, cache_key, judge_from_env
from scoring.privacy import assess_privacy
from scoring.records import EmpathyAssessment
from scoring.scorecard import score_session
from tests.scoring.builders import Drill

TIMEOUT_S = 0.4
SLOW_S = 1.5


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.verdicts: dict[str, dict[str, Any]] = {
            "privacy": {"kinds": ["asks_pii_public"], "moves_to_dm": False,
                        "explanation": "Asks for the order number in public."},
            "empathy": {"level": 2, "score": 88, "explanation": "Specific and owns it."},
            "tone": {"on_brand": True, "score": 90, "issues": []},
        }

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client hung up on a slow answer: expected


class Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # else every call waits ~40 ms for the delayed ACK
    protocol_version = "HTTP/1.1"
    server: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length))
        mode = self.path.strip("/").split("/")[0]
        self.server.requests.append((mode, request))
        if mode == "error500":
            self._send(500, {"error": {"message": "internal error", "type": "server_error"}})
            return
        if mode == "slow":
            time.sleep(SLOW_S)
        dimension = json.loads(request["messages"][-1]["content"])["dimension"]
        content = json.dumps(self.server.verdicts[dimension])
        if mode == "malformed":
            content = '{"kinds": ["asks_pii_public"'
        elif mode == "schema":
            content = json.dumps({"level": 7, "score": "high"})
        self._send(200, {
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0,
            "model": request["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    srv = FakeOpenAI()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def judge_for(server: FakeOpenAI, mode: str) -> LlmJudge:
    host, port = server.server_address[:2]
    return LlmJudge(JudgeConfig(base_url=f"http://{host}:{port}/{mode}/v1", model="test-model",
                                timeout_s=TIMEOUT_S))


def ctx(reply: str = "Could you reply with your order number?",
        channel: str = "public") -> ReplyContext:
    return ReplyContext(language="en", brand_voice="friendly", persona="angry",
                        intent="delivery", mention_text="@Nimbus where is my parcel",
                        channel=channel, reply_text=reply)


def calls(server: FakeOpenAI, mode: str) -> int:
    return sum(m == mode for m, _ in server.requests)


def test_judge_privacy_good_json_confirms_offline_finding_and_says_llm(server):
    offline = assess_privacy(ctx())
    judged = judge_for(server, "good").judge_privacy(ctx(), offline)
    assert judged.judge == "llm:test-model"
    (finding,) = judged.value.findings
    assert finding.kind == "asks_pii_public" and finding.start >= 0  # offline span kept
    assert not judged.value.ok


def test_judge_privacy_llm_only_kind_becomes_whole_reply_finding(server):
    reply = "Hmm, reply to this with where you live."
    offline = assess_privacy(ctx(reply))
    assert offline.ok
    judged = judge_for(server, "good").judge_privacy(ctx(reply), offline)
    (finding,) = judged.value.findings
    assert (finding.kind, finding.start, finding.rule) == ("asks_pii_public", -1, "llm_judge")
    assert "order number" in finding.explanation and judged.value.score < 100


def test_judge_request_uses_rubric_json_mode_and_model(server):
    before = len(server.requests)
    judge_for(server, "good").judge_empathy(ctx("So sorry! We'll fix it today."),
                                            EmpathyAssessment(level=1, score=50))
    _mode, request = server.requests[before]
    assert request["model"] == "test-model"
    assert request["response_format"] == {"type": "json_object"}
    assert "Level 2" in request["messages"][0]["content"]
    assert json.loads(request["messages"][1]["content"])["reply"] == "So sorry! We'll fix it today."


def test_judge_empathy_good_json_replaces_level_and_score(server):
    judged = judge_for(server, "good").judge_empathy(ctx("We're on it!"),
                                                     EmpathyAssessment(level=1, score=55))
    assert (judged.value.level, judged.value.score) == (2, 88)
    assert judged.judge == "llm:test-model"


@pytest.mark.parametrize(("mode", "reason"), [
    ("malformed", "malformed JSON"),
    ("schema", "schema mismatch at kinds"),
    ("error500", "HTTP 500"),
])
def test_judge_failures_fall_back_to_offline_and_say_why(server, mode, reason):
    offline = assess_privacy(ctx())
    judged = judge_for(server, mode).judge_privacy(ctx(), offline)
    assert judged.value is offline
    assert judged.judge.startswith("offline (llm failed: ") and reason in judged.judge


def test_judge_http_500_is_retried_exactly_once(server):
    before = calls(server, "error500")
    judge_for(server, "error500").judge_privacy(ctx("Where do you live? Reply here."),
                                                assess_privacy(ctx()))
    assert calls(server, "error500") - before == 2


def test_judge_slow_server_times_out_and_falls_back(server):
    offline = assess_privacy(ctx())
    started = time.monotonic()
    judged = judge_for(server, "slow").judge_privacy(ctx(), offline)
    elapsed = time.monotonic() - started
    assert judged.value is offline
    assert judged.judge == f"offline (llm failed: timeout after {TIMEOUT_S:g}s)"
    assert elapsed < SLOW_S * 2 + 1.5  # one retry at most, never the client's 600 s default


def test_judge_unreachable_server_falls_back():
    judge = LlmJudge(JudgeConfig(base_url="http://127.0.0.1:9/v1", model="m", timeout_s=0.5,
                                 max_retries=0))
    judged = judge.judge_privacy(ctx(), assess_privacy(ctx()))
    assert judged.judge == "offline (llm failed: cannot connect)"


def test_judge_cache_is_keyed_by_content(server):
    judge = judge_for(server, "good")
    before = calls(server, "good")
    for _ in range(3):
        judge.judge_privacy(ctx("Please post your email."), assess_privacy(ctx()))
    judge.judge_privacy(ctx("Please post your phone number."), assess_privacy(ctx()))
    assert calls(server, "good") - before == 2 and judge.calls == 2
    assert cache_key("privacy", "m", {"a": 1}) != cache_key("privacy", "m2", {"a": 1})


def test_judge_failures_are_not_cached(server):
    judge = judge_for(server, "malformed")
    before = calls(server, "malformed")
    judge.judge_privacy(ctx(), assess_privacy(ctx()))
    judge.judge_privacy(ctx(), assess_privacy(ctx()))
    assert calls(server, "malformed") - before == 2


def test_judge_config_from_env_needs_url_and_model():
    assert JudgeConfig.from_env({}) is None
    assert JudgeConfig.from_env({"STORMDESK_LLM_BASE_URL": "http://x/v1"}) is None
    config = JudgeConfig.from_env({"STORMDESK_LLM_BASE_URL": "http://x/v1",
                                   "STORMDESK_LLM_MODEL": "qwen"})
    assert config == JudgeConfig("http://x/v1", "qwen", "not-needed", 8.0, 1)
    config = JudgeConfig.from_env({"STORMDESK_LLM_BASE_URL": "http://x/v1",
                                   "STORMDESK_LLM_MODEL": "qwen", "STORMDESK_LLM_API_KEY": "k",
                                   "STORMDESK_LLM_TIMEOUT": "2.5"})
    assert config is not None and (config.api_key, config.timeout_s) == ("k", 2.5)
    assert judge_from_env({}) is None


def test_score_session_with_judge_labels_every_reply_dimension(server):
    d = Drill()
    d.mention("t1", 0, intent="delivery")
    d.reply("t1", 2, "Could you reply with your order number?")
    judged = ["empathy", "tone", "privacy"]
    card = score_session(d.events, d.scenario, dimensions=["speed", *judged],
                         judge=judge_for(server, "good"))
    for name in judged:
        assert card.dimension(name).judge == "llm:test-model"  # type: ignore[union-attr]
    assert card.dimension("speed").judge == "offline"  # type: ignore[union-attr]
    failed = score_session(d.events, d.scenario, dimensions=judged,
                           judge=judge_for(server, "malformed"))
    assert [r.judge for r in failed.dimensions] == [
        "offline (llm failed: malformed JSON)"] * 3
    assert [r.score for r in failed.dimensions] == [
        r.score for r in score_session(d.events, d.scenario, dimensions=judged).dimensions]


def test_assess_reply_with_judge_names_each_judge(server):
    pytest.importorskip("scoring.empathy")
    pytest.importorskip("scoring.tone")
    from scoring.assess import assess_reply

    result = assess_reply(ctx(), judge=judge_for(server, "good"))
    assert result.judges == {"empathy": "llm:test-model", "tone": "llm:test-model",
                             "privacy": "llm:test-model"}
    assert assess_reply(ctx()).judges == {}

"""``LlmClient`` with the real openai client against the local fake server, every mode: one call
returns within its deadline with the right label, retries stay inside the deadline, a huge body
is never held in memory, and abandoned calls do not leave threads behind."""

from __future__ import annotations

import threading
import time
import tracemalloc
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from llm import LlmClient, LlmSettings, reset_breakers
from tests.fakes.openai_server import FAILING_MODES, FakeOpenAI, wait_until

DEADLINE_S = 1.0
SLACK_S = 0.4


class Verdict(BaseModel):
    ok: bool


#: mode -> (the label's text, longest a call may take)
EXPECTED = {
    "garbage": ("llm fallback: malformed JSON", 0.5),
    "malformed": ("llm fallback: malformed JSON", 0.5),
    "schema": ("llm fallback: schema mismatch at ok", 0.5),
    "truncated": ("llm fallback: answer cut off at 400 tokens", 0.5),
    "non_json": ("llm fallback: the HTTP body is not JSON", 0.5),
    "no_choices": ("llm fallback: no choices in the answer", 0.5),
    "hang": ("llm fallback: no answer within 1s", DEADLINE_S + SLACK_S),
    "trickle": ("llm fallback: no answer within 1s", DEADLINE_S + SLACK_S),
    "error500": ("llm fallback: HTTP 500", 0.9),
    "rate_limited": ("llm fallback: HTTP 429 with Retry-After 60s, past the 1s deadline", 0.5),
    "reset": ("llm fallback: connection reset", 0.9),
    "huge": ("llm fallback: answer of 8388608 bytes announced", 0.5),
}
assert set(EXPECTED) == set(FAILING_MODES)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    srv = FakeOpenAI().start()
    srv.answer = lambda request: '{"ok": true}'
    srv.trickle_interval_s = 0.3
    srv.huge_bytes = 8 * 1024 * 1024
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


def client(server: FakeOpenAI, mode: str | None, **overrides: float) -> LlmClient:
    return LlmClient(LlmSettings(server.base_url(mode), "m", timeout_s=DEADLINE_S,
                                 **overrides))  # type: ignore[arg-type]


def timed(c: LlmClient) -> tuple[str, float, bool]:
    c.openai()  # building the client (import, TLS context) is not the call's time
    started = time.monotonic()
    answer = c.ask("system", "user", Verdict)
    return answer.source, time.monotonic() - started, answer.ok


@pytest.mark.parametrize("mode", ["ok", "slow"])
def test_client_good_answer_has_the_model_label(server, mode):
    label, _, ok = timed(client(server, mode))
    assert (label, ok) == ("llm:m", True)


@pytest.mark.parametrize("mode", FAILING_MODES)
def test_client_failing_mode_returns_labelled_within_its_time(server, mode):
    label, elapsed, ok = timed(client(server, mode))
    expected, within = EXPECTED[mode]
    assert not ok and label.startswith(expected), label
    assert elapsed < within, f"{mode}: {elapsed:.2f}s"


def test_client_unannounced_huge_body_is_cut_at_the_cap_without_holding_it(server):
    server.huge_announced = False
    try:
        tracemalloc.start()
        label, elapsed, _ = timed(client(server, "huge"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        server.huge_announced = True
    assert label == "llm fallback: answer over 262144 bytes"
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while reading an 8 MB answer"
    assert elapsed < DEADLINE_S


def test_client_retry_after_within_the_deadline_is_honoured(server):
    server.retry_after = "0.3"
    server.script = ["rate_limited"]
    try:
        label, elapsed, ok = timed(client(server, None))
    finally:
        server.retry_after = "60"
    assert (label, ok) == ("llm:m", True)
    assert 0.3 <= elapsed < DEADLINE_S


def test_client_retry_after_past_the_deadline_is_not_waited_for(server):
    before = server.calls("rate_limited")
    label, elapsed, _ = timed(client(server, "rate_limited"))
    assert server.calls("rate_limited") - before == 1 and elapsed < 0.5
    assert "Retry-After 60s" in label


def test_client_transient_500_is_retried_once_inside_the_deadline(server):
    server.script = ["error500"]
    label, _, ok = timed(client(server, None))
    assert (label, ok) == ("llm:m", True)
    before = server.calls("error500")
    timed(client(server, "error500", max_retries=1))
    assert server.calls("error500") - before == 2


def test_client_no_retries_when_configured_off(server):
    before = server.calls("error500")
    timed(client(server, "error500", max_retries=0))
    assert server.calls("error500") - before == 1


@pytest.mark.parametrize("mode", ["hang", "trickle"])
def test_client_abandoned_call_thread_ends_soon_after_the_deadline(server, mode):
    timed(client(server, mode))
    # the transport's timeouts were shrunk to the deadline; a trickle is noticed at its next
    # byte (0.3 s apart here)
    assert wait_until(lambda: not any(t.name == "llm-call" for t in threading.enumerate()),
                      timeout_s=2.0)


def test_client_budget_and_breaker_answer_without_calling(server):
    c = client(server, "hang", drill_budget_s=30)
    first, elapsed, _ = timed(c)
    assert elapsed >= DEADLINE_S * 0.95 and "no answer within 1s" in first
    before = server.calls("hang")
    second, elapsed, _ = timed(c)
    assert server.calls("hang") == before and elapsed < 0.05
    assert "offline for the rest of it" in second and "no answer within 1s" in second


def test_client_breaker_is_shared_by_clients_of_one_endpoint(server):
    for _ in range(3):
        timed(client(server, "error500", breaker_failures=3))
    before = server.calls("error500")
    label, elapsed, _ = timed(client(server, "error500", breaker_failures=3))
    assert server.calls("error500") == before and "circuit open" in label and elapsed < 0.05


def test_client_concurrent_calls_each_respect_their_deadline(server):
    results: list[float] = []

    def one() -> None:
        results.append(timed(client(server, "hang", breaker_failures=100))[1])

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == 6 and max(results) < DEADLINE_S + SLACK_S


def test_client_connection_refused_is_cannot_connect():
    c = LlmClient(LlmSettings("http://127.0.0.1:9/v1", "m", timeout_s=DEADLINE_S))
    label, elapsed, _ = timed(c)
    assert label == "llm fallback: cannot connect" and elapsed < DEADLINE_S

"""The circuit breaker (per endpoint) and the drill budget, on a fake clock."""

from __future__ import annotations

import pytest

from llm import CircuitBreaker, DrillBudget, LlmSettings, breaker_for, reset_breakers


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_breaker_opens_after_consecutive_failures(clock):
    breaker = CircuitBreaker(failures=3, cooldown_s=30, clock=clock)
    for _ in range(2):
        assert breaker.admit() is None
        breaker.failed("HTTP 500")
    assert breaker.state == "closed"
    breaker.failed("HTTP 500")
    refused = breaker.admit()
    assert breaker.state == "open" and refused is not None
    assert "circuit open after 3 failed calls (last: HTTP 500)" in refused


def test_breaker_success_resets_the_count(clock):
    breaker = CircuitBreaker(failures=2, cooldown_s=30, clock=clock)
    breaker.failed("x")
    breaker.succeeded()
    breaker.failed("x")
    assert breaker.state == "closed"


def test_breaker_half_open_lets_exactly_one_probe_through(clock):
    breaker = CircuitBreaker(failures=1, cooldown_s=30, clock=clock)
    breaker.failed("timeout")
    clock.now += 29.9
    assert breaker.admit() is not None
    clock.now += 0.2
    assert breaker.state == "half-open"
    assert breaker.admit() is None  # the probe
    assert breaker.admit() is not None  # everyone else waits for its outcome
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.admit() is None


def test_breaker_failed_probe_opens_for_another_cooldown(clock):
    breaker = CircuitBreaker(failures=1, cooldown_s=30, clock=clock)
    breaker.failed("timeout")
    clock.now += 31
    assert breaker.admit() is None
    breaker.failed("timeout again")
    assert breaker.state == "open"
    clock.now += 31
    assert breaker.admit() is None


def test_breaker_is_shared_per_endpoint_and_model():
    reset_breakers()
    a = LlmSettings("http://h:1/v1", "m")
    assert breaker_for(a) is breaker_for(LlmSettings("http://h:1/v1", "m", timeout_s=2))
    assert breaker_for(a) is not breaker_for(LlmSettings("http://h:1/v1", "other"))
    assert breaker_for(a) is not breaker_for(LlmSettings("http://h:2/v1", "m"))
    reset_breakers()


def test_budget_allowance_is_the_deadline_while_there_is_room():
    budget = DrillBudget(total_s=30, failure_s=5)
    assert budget.allowance(5) == 5


def test_budget_failures_shrink_the_next_deadline_then_stop_the_llm():
    budget = DrillBudget(total_s=30, failure_s=5)
    budget.record(3.0, "HTTP 500")
    assert budget.allowance(5) == pytest.approx(2.0)
    budget.record(2.0, "no answer within 2s")
    reason = budget.allowance(5)
    assert isinstance(reason, str) and "first: HTTP 500" in reason
    assert "offline for the rest of it" in reason


def test_budget_total_spent_stops_the_llm():
    budget = DrillBudget(total_s=10, failure_s=5)
    for _ in range(10):
        budget.record(1.0, None)
    reason = budget.allowance(5)
    assert isinstance(reason, str) and "budget of 10s is spent" in reason


def test_budget_successes_do_not_count_as_failures():
    budget = DrillBudget(total_s=100, failure_s=5)
    for _ in range(20):
        budget.record(1.0, None)
    assert budget.allowance(5) == 5

"""Speed: whom the trainee answered, how fast and in what order, against the drill's SLA.

Thread state comes from the one projection of the transcript (``engine.projection``). Score
design (0-100; every number below is a constant of this module or comes from the scenario, the
scorecard's metrics show each component, docs/grading.md gives worked examples):

- **sla** (weight 0.30): per customer, credit 1 for a first response within the SLA of its
  priority (``scenario.sla_minutes``); a late reply's credit falls linearly to 0 at
  ``LATE_ZERO_AT`` x the SLA; a customer still unanswered past their SLA at the end gets 0.
  Weighted by priority (``PRIORITY_WEIGHT``: an urgent miss costs 8x a low one). A customer
  still within their SLA when the drill ends costs no SLA credit (the clock had not run out).
- **coverage** (0.25): answered / customers. Every customer who wrote counts and everyone
  unanswered when the drill ends is a miss (complete or partial), except who wrote in the last
  ``COVERAGE_GRACE_MINUTES`` (nobody could have seen them yet).
- **triage** (0.10): of the pairs of a high-risk and a low-risk customer where one was answered
  while the other had been waiting for at least ``TRIAGE_GRACE_MINUTES``, the share where the
  high-risk one was answered first. High risk: journalist, VIP, privacy oversharer,
  >= ``HIGH_REACH_FOLLOWERS`` followers, safety/legal words, or urgent/high priority.
- **silence** (0.10): 1 - follow-ups posted while still unanswered / customers.
- **status** (0.25, incident drills only, see `scoring.speed_status`): first status in time,
  cadence, facts right, and the claims of replies against the panel.

Components without data (no pairs for triage, no incident) drop out and the rest are
renormalised. Customers are the threads that needed an answer: hidden abuse and praise that was
only liked are handled without one; hiding anyone else is no answer (they stay customers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from engine.projection import Projection, ThreadState
from engine.records import HIGH_REACH_FOLLOWERS, Event
from engine.scenario import Scenario, SlaMinutes
from scoring import speed_text as words
from scoring.records import COMPLETE_SLACK_MINUTES, Coverage, DimensionResult, Finding, Severity
from scoring.speed_status import CLAIM_DEDUCTION, assess_status_updates
from scoring.speed_triage import LowRiskTimes, triage, triage_counts

__all__ = ["COMPONENT_WEIGHTS", "Customer", "LowRiskTimes", "Reach", "SpeedDimension",
           "coverage_of", "late_credit", "percentile", "reach", "triage_counts"]

#: Relative cost of a missed SLA per priority (a team lead's escalation ladder).
PRIORITY_WEIGHT = {"urgent": 4.0, "high": 2.0, "normal": 1.0, "low": 0.5}
#: A first reply at this multiple of the SLA earns no credit.
LATE_ZERO_AT = 3.0
#: Coverage weighs as much as the status component: a drill is about everyone who wrote.
COMPONENT_WEIGHTS = {"sla": 0.30, "coverage": 0.25, "triage": 0.10, "silence": 0.10,
                     "status": 0.25}
HIGH_RISK_PERSONAS = frozenset({"journalist", "vip", "privacy_oversharer"})
#: Hiding is an answer only for abuse: a hidden troll is handled, a hidden complaint is not.
HIDE_OK_PERSONAS = frozenset({"troll"})
HIDE_OK_INTENTS = frozenset({"abuse"})
#: Safety and legal words (the engine's escalation list, engine/priority.py).
RISK_WORDS = re.compile(
    r"\b(lawyer|attorney|sue|suing|lawsuit|legal action|injur\w*|hospital|fire|smoke|burn\w*|"
    r"unsafe|danger\w*|police|regulator|ombudsman|discriminat\w*)\b"
    r"|소송|변호사|고소|신고할|다쳤|다쳐|병원|화재|불이 났|위험|경찰|소비자원|공정위",
    re.IGNORECASE)
#: A customer who wrote this close to the end of a complete drill could not have been seen:
#: unanswered, they are left out of coverage (answered, they count).
COVERAGE_GRACE_MINUTES = 1.0
#: Backlog samples kept in the metrics (the series is thinned to at most this many points).
BACKLOG_POINTS = 240


@dataclass(frozen=True, slots=True)
class Customer:
    """A thread from speed's point of view: its projected state, priority and risk reasons."""

    state: ThreadState
    priority: str
    risk_reasons: tuple[str, ...]
    #: copied from the state once: the triage and backlog loops read them thousands of times
    opened: float
    first_reply: float | None

    @property
    def thread_id(self) -> str:
        return self.state.thread_id

    @property
    def event_id(self) -> str:
        return self.state.opening.event_id

    @property
    def handle(self) -> str:
        return self.state.author.handle

    @property
    def reply_event(self) -> str | None:
        return self.state.first_reply_event_id

    @property
    def silence_follow_ups(self) -> list[str]:
        return self.state.silence_follow_ups

    @property
    def high_risk(self) -> bool:
        return bool(self.risk_reasons)


def risk_reasons(state: ThreadState, language: str = "en") -> tuple[str, ...]:
    """Why a thread is high-risk, in the drill's language (empty when it is not)."""
    reasons = []
    if state.persona in HIGH_RISK_PERSONAS:
        reasons.append(words.reason(language, state.persona))
    followers = state.author.followers
    if followers >= HIGH_REACH_FOLLOWERS:
        reasons.append(words.reason(language, "followers", count=f"{followers:,}"))
    word = RISK_WORDS.search(state.opening.text)
    if word:
        reasons.append(words.reason(language, "says", word=word.group(0)))
    if state.priority in ("urgent", "high") and not reasons:
        reasons.append(words.reason(language, "priority",
                                    priority=words.priority(language, state.priority)))
    return tuple(reasons)


def handled_without_reply(state: ThreadState) -> bool:
    """Dealt with without an answer: liked praise, or hidden abuse. Stricter than
    ``ThreadState.handled_without_reply``, which counts any hidden post: hiding a complaint
    must not take a customer out of coverage."""
    if state.replies:
        return False
    if state.liked and "praise" in (state.persona, state.intent):
        return True
    return state.hidden and (state.persona in HIDE_OK_PERSONAS or state.intent in HIDE_OK_INTENTS)


@dataclass(frozen=True)
class Reach:
    """Who needed an answer in a drill and who is counted for coverage."""

    customers: list[Customer]
    #: unanswered customers who wrote in the drill's last minute: left out of coverage
    pending: list[Customer]
    #: customers hidden without a reply (not abuse): they count, and get a finding
    hidden: list[Customer]
    handled: int
    end: float
    complete: bool

    @property
    def counted(self) -> list[Customer]:
        waiting = {c.thread_id for c in self.pending}
        return [c for c in self.customers if c.thread_id not in waiting]

    @property
    def coverage(self) -> Coverage:
        counted = self.counted
        return Coverage(len(counted), sum(c.first_reply is not None for c in counted))


def drill_complete(end: float, scenario: Scenario) -> bool:
    """Whether a transcript ending at minute ``end`` covers the scenario's whole length."""
    return end >= scenario.duration_minutes - COMPLETE_SLACK_MINUTES


def reach(projection: Projection, scenario: Scenario) -> Reach:
    """The drill's customers, from the projection, with coverage's rules applied."""
    end = projection.last_minute
    complete = drill_complete(end, scenario)
    customers, pending, hidden = [], [], []
    handled = 0
    for thread_id in projection.order:
        state = projection.threads[thread_id]
        if handled_without_reply(state):
            handled += 1
            continue
        priority = state.priority if state.priority in PRIORITY_WEIGHT else "normal"
        customer = Customer(state, priority, risk_reasons(state, scenario.language),
                            state.opened_minute, state.first_reply_minute)
        customers.append(customer)
        if state.hidden and not state.replies:
            hidden.append(customer)
        if customer.first_reply is None and end - customer.opened < COVERAGE_GRACE_MINUTES:
            pending.append(customer)
    return Reach(customers, pending, hidden, handled, end, complete)


def coverage_of(transcript: Sequence[Event], scenario: Scenario) -> Coverage:
    """Customers and answered customers of a drill, as speed's coverage counts them."""
    return reach(Projection.of(transcript), scenario).coverage


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0-100), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def late_credit(minutes: float, sla: float) -> float:
    if minutes <= sla:
        return 1.0
    return max(0.0, 1.0 - (minutes - sla) / ((LATE_ZERO_AT - 1.0) * sla))


class SpeedDimension:
    """Coverage, time to first response, backlog, silence, triage and incident communication."""

    name = "speed"
    supports_judge: ClassVar[bool] = False

    def score(self, transcript: Sequence[Event], scenario: Scenario) -> DimensionResult:
        language = scenario.language
        projection = Projection.of(transcript)
        who = reach(projection, scenario)
        end, sla = who.end, scenario.sla_minutes
        customers = who.customers
        answered = [c for c in customers if c.first_reply is not None]
        missed = [c for c in customers if c.first_reply is None
                  and end - c.opened > sla.for_priority(c.priority)]
        graded = answered + missed
        coverage = who.coverage
        components: dict[str, float | None] = {
            "sla": _sla_credit(graded, sla, end),
            "coverage": (coverage.answered / coverage.customers if coverage.customers
                         else None),
        }
        triage_share, pairs, findings = triage(customers, end, language,
                                               COMPONENT_WEIGHTS["triage"])
        components["triage"] = triage_share
        silence = sum(len(c.silence_follow_ups) for c in customers)
        components["silence"] = (max(0.0, 1.0 - silence / len(customers)) if customers
                                 else None)
        findings.extend(_silence_finding(c, language) for c in customers if c.silence_follow_ups)
        status_metrics: dict[str, Any] = {}
        if scenario.status_updates_expected:
            status = assess_status_updates(projection, scenario, end)
            components["status"] = status.score
            findings.extend(status.findings)
            status_metrics = status.metrics
        present = {k: v for k, v in components.items() if v is not None}
        total_weight = sum(COMPONENT_WEIGHTS[k] for k in present)
        share = {k: COMPONENT_WEIGHTS[k] / total_weight for k in present}
        score = (100.0 * sum(share[k] * v for k, v in present.items()) if present else None)
        findings.extend(_sla_findings(graded, sla, end, 100 * share.get("sla", 0.0), language))
        findings.extend(_coverage_findings(who, sla, 100 * share.get("coverage", 0.0), language))
        findings = [replace(f, impact=round(CLAIM_DEDUCTION * 100 * share.get("status", 0.0), 2))
                    if f.rule.startswith("claims/") else f for f in findings]
        times = [c.first_reply - c.opened for c in answered if c.first_reply is not None]
        waits = times + [end - c.opened for c in missed]
        high = [c for c in graded if c.high_risk]
        low = [c for c in graded if not c.high_risk]
        metrics: dict[str, Any] = {
            "threads": len(projection.threads), "customers": coverage.customers,
            "answered": coverage.answered, "unanswered": coverage.unanswered,
            "coverage": coverage.share, "missed": len(missed),
            "pending_within_sla": sum(c.first_reply is None and end - c.opened
                                      <= sla.for_priority(c.priority) for c in customers),
            "left_out_of_coverage": len(who.pending), "complete": who.complete,
            "end_minute": end, "handled_without_reply": who.handled,
            "hidden_customers": len(who.hidden),
            "within_sla_share": _round(_within_share(graded, sla)),
            "first_response_p50": _round(percentile(times, 50)),
            "first_response_p90": _round(percentile(times, 90)),
            "wait_p90_including_unanswered": _round(percentile(waits, 90)),
            "by_priority": _by_priority(graded, sla),
            "high_risk_within_sla_share": _round(_within_share(high, sla)),
            "low_risk_within_sla_share": _round(_within_share(low, sla)),
            "triage_pairs": pairs, "silence_follow_ups": silence,
            "components": {k: _round(v) for k, v in components.items()},
            "component_weights": {k: round(v, 3) for k, v in share.items()},
            "note": "" if present else "nothing to time: no customer wrote",
            **_backlog(projection, customers, end),
        }
        if status_metrics:
            metrics["status"] = status_metrics
        findings.sort(key=lambda f: -f.impact)
        return DimensionResult(name=self.name, score=None if score is None else round(score, 1),
                               findings=tuple(findings), metrics=metrics)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _waited(c: Customer, end: float) -> float:
    return (c.first_reply if c.first_reply is not None else end) - c.opened


def _sla_credit(graded: Sequence[Customer], sla: SlaMinutes, end: float) -> float | None:
    weight_sum = sum(PRIORITY_WEIGHT[c.priority] for c in graded)
    if not weight_sum:
        return None
    return sum(PRIORITY_WEIGHT[c.priority] * _credit(c, sla, end) for c in graded) / weight_sum


def _credit(c: Customer, sla: SlaMinutes, end: float) -> float:
    if c.first_reply is None:
        return 0.0
    return late_credit(_waited(c, end), sla.for_priority(c.priority))


def _within_share(customers: Sequence[Customer], sla: SlaMinutes) -> float | None:
    if not customers:
        return None
    ok = sum(c.first_reply is not None
             and c.first_reply - c.opened <= sla.for_priority(c.priority) for c in customers)
    return ok / len(customers)


def _by_priority(graded: Sequence[Customer], sla: SlaMinutes) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for priority in ("urgent", "high", "normal", "low"):
        group = [c for c in graded if c.priority == priority]
        if not group:
            continue
        times = [c.first_reply - c.opened for c in group if c.first_reply is not None]
        out[priority] = {"threads": len(group), "answered": len(times),
                         "sla_minutes": sla.for_priority(priority),
                         "within_sla_share": _round(_within_share(group, sla)),
                         "first_response_p50": _round(percentile(times, 50))}
    return out


def _sla_findings(graded: Sequence[Customer], sla: SlaMinutes, end: float, points: float,
                  language: str) -> list[Finding]:
    """One finding per customer who lost SLA credit; ``points``: the component's share x 100."""
    weight_sum = sum(PRIORITY_WEIGHT[c.priority] for c in graded)
    out = []
    for c in graded:
        credit = _credit(c, sla, end)
        if credit < 1.0:
            impact = points * PRIORITY_WEIGHT[c.priority] * (1 - credit) / weight_sum
            out.append(_sla_finding(c, _waited(c, end), sla.for_priority(c.priority), impact,
                                    language))
    return out


def _sla_finding(c: Customer, waited: float, target: float, impact: float,
                 language: str = "en") -> Finding:
    risky = c.priority in ("urgent", "high")
    priority_reason = words.reason(language, "priority",
                                   priority=words.priority(language, c.priority))
    extra = [r for r in c.risk_reasons if r != priority_reason]
    who = f"@{c.handle} ({', '.join([words.priority(language, c.priority), *extra])})"
    values = {"who": who, "waited": f"{waited:.0f}", "target": f"{target:g}"}
    if c.first_reply is None:
        severity: Severity = "critical" if c.priority == "urgent" else (
            "major" if risky else "minor")
        explanation, suggestion = words.message(language, "unanswered", **values)
        return Finding(
            dimension="speed", kind="unanswered", rule="speed/unanswered_past_sla",
            explanation=explanation, suggestion=suggestion,
            event_id=c.event_id, thread_id=c.thread_id, severity=severity,
            impact=round(impact, 2))
    explanation, suggestion = words.message(language, "sla_missed", **values)
    return Finding(
        dimension="speed", kind="sla_missed", rule="speed/first_response_after_sla",
        explanation=explanation, suggestion=suggestion,
        event_id=c.reply_event, thread_id=c.thread_id, severity="major" if risky else "minor",
        impact=round(impact, 2))


def _coverage_findings(who: Reach, sla: SlaMinutes, points: float, language: str
                       ) -> list[Finding]:
    """The drill-wide coverage finding, the customers still within their SLA when the drill
    ended (coverage misses, not SLA misses), and every customer hidden instead of answered."""
    out = []
    coverage = who.coverage
    if coverage.customers and coverage.unanswered:
        share = coverage.share or 0.0
        explanation, suggestion = words.message(
            language, "coverage", answered=coverage.answered, customers=coverage.customers,
            share=words.percent(share), unanswered=coverage.unanswered)
        out.append(Finding(
            dimension="speed", kind="coverage", rule="speed/coverage",
            explanation=explanation, suggestion=suggestion,
            severity="major" if share < 0.5 else "minor", impact=round(points * (1 - share), 2)))
    late = [c for c in who.counted if c.first_reply is None
            and who.end - c.opened <= sla.for_priority(c.priority)]
    if late:
        explanation, suggestion = words.message(
            language, "unanswered_at_end", count=len(late),
            customers=words.plural(language, "customer", len(late)))
        out.append(Finding(
            dimension="speed", kind="unanswered_at_end", rule="speed/unanswered_at_end",
            explanation=explanation, suggestion=suggestion, event_id=late[0].event_id,
            thread_id=late[0].thread_id, severity="minor",
            impact=round(points * len(late) / max(1, coverage.customers), 2)))
    for c in who.hidden:
        explanation, suggestion = words.message(language, "hidden_customer", handle=c.handle,
                                                persona=c.state.persona)
        out.append(Finding(
            dimension="speed", kind="hidden_customer", rule="speed/hidden_not_answered",
            explanation=explanation, suggestion=suggestion, event_id=c.event_id,
            thread_id=c.thread_id, severity="minor"))
    return out


def _silence_finding(c: Customer, language: str = "en") -> Finding:
    n = len(c.silence_follow_ups)
    explanation, suggestion = words.message(
        language, "follow_up_after_silence", handle=c.handle, count=n,
        times=words.plural(language, "time", n))
    return Finding(
        dimension="speed", kind="follow_up_after_silence", rule="speed/silence_follow_up",
        explanation=explanation, suggestion=suggestion,
        event_id=c.silence_follow_ups[0], thread_id=c.thread_id, severity="minor")


def _backlog(projection: Projection, customers: Sequence[Customer], end: float
             ) -> dict[str, Any]:
    """Waiting customers per minute: the engine's samples, or rebuilt from the customers."""
    samples = [(r.minute, r.waiting_threads) for r in projection.reputation]
    if not samples:
        for minute in range(int(end) + 1):
            waiting = sum(c.opened <= minute and (c.first_reply is None or c.first_reply > minute)
                          for c in customers)
            samples.append((float(minute), waiting))
    if not samples:
        return {"backlog_peak": 0, "backlog_mean": 0.0, "backlog": []}
    values = [w for _, w in samples]
    step = max(1, math.ceil(len(samples) / BACKLOG_POINTS))
    return {"backlog_peak": max(values), "backlog_mean": round(sum(values) / len(values), 2),
            "backlog_peak_minute": samples[values.index(max(values))][0],
            "backlog": [[m, w] for m, w in samples[::step]]}

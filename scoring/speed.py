"""Speed: how fast and in what order the trainee answered, against the drill's SLA.

Score design (0-100; every number below is a constant of this module or comes from the
scenario, and the scorecard's metrics show each component):

- **sla** (weight 0.40): per thread, credit 1 for a first response within the SLA of its
  priority (``scenario.sla_minutes``); a late reply's credit falls linearly to 0 at
  ``LATE_ZERO_AT`` x the SLA; a thread still unanswered past its SLA at the end gets 0.
  Threads are weighted by priority (``PRIORITY_WEIGHT``: an urgent miss costs 8x a low one).
- **response_rate** (0.20): answered / (answered + unanswered past SLA).
- **triage** (0.15): of the pairs of a high-risk and a low-risk mention where one was answered
  while the other had been waiting for at least ``TRIAGE_GRACE_MINUTES``, the share where the
  high-risk one was answered first. High risk: journalist, VIP, privacy oversharer,
  >= ``HIGH_REACH_FOLLOWERS`` followers, safety/legal words, or urgent/high priority.
- **silence** (0.10): 1 - follow-ups posted while still unanswered / threads.
- **status** (0.25, incident drills only, see `scoring.speed_status`): first status in time,
  cadence, facts right.
Components without data (no pairs for triage, no incident) drop out and the rest are
renormalised. Hidden mentions and praise that was only liked are handled, not missed; threads
still within their SLA at the end are neither answered nor missed.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine.records import (
    CustomerFollowedUp,
    Event,
    MentionArrived,
    MentionHidden,
    MentionLiked,
    ReplySent,
    ReputationSampled,
)
from engine.scenario import Scenario
from scoring import speed_text as words
from scoring.records import DimensionResult, Finding, Severity
from scoring.speed_status import assess_status_updates

#: Relative cost of a missed SLA per priority (a team lead's escalation ladder).
PRIORITY_WEIGHT = {"urgent": 4.0, "high": 2.0, "normal": 1.0, "low": 0.5}
#: A first reply at this multiple of the SLA earns no credit.
LATE_ZERO_AT = 3.0
COMPONENT_WEIGHTS = {"sla": 0.40, "response_rate": 0.20, "triage": 0.15, "silence": 0.10,
                     "status": 0.25}
#: Same threshold as the engine's ``engine.people.HIGH_REACH_FOLLOWERS`` (not imported: the
#: scorer may only import the engine's records and scenario schema).
HIGH_REACH_FOLLOWERS = 20_000
HIGH_RISK_PERSONAS = frozenset({"journalist", "vip", "privacy_oversharer"})
#: Safety and legal words (the engine's escalation list, engine/priority.py).
RISK_WORDS = re.compile(
    r"\b(lawyer|attorney|sue|suing|lawsuit|legal action|injur\w*|hospital|fire|smoke|burn\w*|"
    r"unsafe|danger\w*|police|regulator|ombudsman|discriminat\w*)\b"
    r"|소송|변호사|고소|신고할|다쳤|다쳐|병원|화재|불이 났|위험|경찰|소비자원|공정위",
    re.IGNORECASE)
#: A mention that arrived this recently may not have been seen yet: no triage blame.
TRIAGE_GRACE_MINUTES = 2.0
#: Backlog samples kept in the metrics (the series is thinned to at most this many points).
BACKLOG_POINTS = 240


@dataclass
class ThreadTimes:
    """What speed needs to know about one thread."""

    thread_id: str
    event_id: str
    opened: float
    priority: str
    persona: str
    intent: str
    handle: str
    risk_reasons: tuple[str, ...]
    first_reply: float | None = None
    reply_event: str | None = None
    hidden: bool = False
    liked: bool = False
    silence_follow_ups: list[str] = field(default_factory=list)

    @property
    def high_risk(self) -> bool:
        return bool(self.risk_reasons)

    @property
    def excluded(self) -> bool:
        """Handled without a reply: hidden (trolls) or praise that was liked."""
        if self.first_reply is not None:
            return False
        return self.hidden or (self.liked and "praise" in (self.persona, self.intent))


def risk_reasons(event: MentionArrived, language: str = "en") -> tuple[str, ...]:
    """Why a mention is high-risk, in the drill's language (empty when it is not)."""
    reasons = []
    if event.persona in HIGH_RISK_PERSONAS:
        reasons.append(words.reason(language, event.persona))
    if event.author.followers >= HIGH_REACH_FOLLOWERS:
        reasons.append(words.reason(language, "followers", count=f"{event.author.followers:,}"))
    word = RISK_WORDS.search(event.text)
    if word:
        reasons.append(words.reason(language, "says", word=word.group(0)))
    if event.priority in ("urgent", "high") and not reasons:
        reasons.append(words.reason(language, "priority",
                                    priority=words.priority(language, event.priority)))
    return tuple(reasons)


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


def collect_threads(transcript: Sequence[Event], language: str = "en"
                    ) -> tuple[dict[str, ThreadTimes], float]:
    """Threads with their first-reply times, and the drill's last minute."""
    threads: dict[str, ThreadTimes] = {}
    end = 0.0
    for e in transcript:
        end = max(end, e.minute)
        if isinstance(e, MentionArrived) and e.thread_id not in threads:
            priority = e.priority if e.priority in PRIORITY_WEIGHT else "normal"
            threads[e.thread_id] = ThreadTimes(
                e.thread_id, e.event_id, e.minute, priority, e.persona, e.intent,
                e.author.handle, risk_reasons(e, language))
            continue
        thread = threads.get(getattr(e, "thread_id", ""))
        if thread is None:
            continue
        if isinstance(e, ReplySent) and thread.first_reply is None:
            thread.first_reply, thread.reply_event = e.minute, e.event_id
        elif isinstance(e, MentionHidden):
            thread.hidden = True
        elif isinstance(e, MentionLiked):
            thread.liked = True
        elif isinstance(e, CustomerFollowedUp) and thread.first_reply is None:
            thread.silence_follow_ups.append(e.event_id)
    return threads, end


class SpeedDimension:
    """Time to first response, response rate, backlog, silence, triage and status updates."""

    name = "speed"
    supports_judge: ClassVar[bool] = False

    def score(self, transcript: Sequence[Event], scenario: Scenario) -> DimensionResult:
        language = scenario.language
        threads, end = collect_threads(transcript, language)
        sla = scenario.sla_minutes
        findings: list[Finding] = []
        counted = [t for t in threads.values() if not t.excluded]
        answered = [t for t in counted if t.first_reply is not None]
        missed = [t for t in counted if t.first_reply is None
                  and end - t.opened > sla.for_priority(t.priority)]
        graded = answered + missed
        weight_sum = sum(PRIORITY_WEIGHT.get(t.priority, 1.0) for t in graded)
        credit_sum = 0.0
        for t in graded:
            target = sla.for_priority(t.priority)
            weight = PRIORITY_WEIGHT.get(t.priority, 1.0)
            waited = (t.first_reply if t.first_reply is not None else end) - t.opened
            credit = late_credit(waited, target) if t.first_reply is not None else 0.0
            credit_sum += weight * credit
            if credit < 1.0:
                impact = COMPONENT_WEIGHTS["sla"] * 100 * weight * (1 - credit) / weight_sum
                findings.append(_sla_finding(t, waited, target, impact, language))
        components: dict[str, float | None] = {
            "sla": credit_sum / weight_sum if weight_sum else None,
            "response_rate": len(answered) / len(graded) if graded else None,
        }
        triage, pairs, triage_findings = _triage(counted, end, language)
        findings.extend(triage_findings)
        components["triage"] = triage
        silence = sum(len(t.silence_follow_ups) for t in counted)
        components["silence"] = (max(0.0, 1.0 - silence / len(counted)) if counted else None)
        findings.extend(_silence_finding(t, language) for t in counted if t.silence_follow_ups)
        status_metrics: dict[str, Any] = {}
        if scenario.status_updates_expected:
            status = assess_status_updates(transcript, scenario, threads.values(), end)
            components["status"] = status.score
            findings.extend(status.findings)
            status_metrics = status.metrics
        present = {k: v for k, v in components.items() if v is not None}
        total_weight = sum(COMPONENT_WEIGHTS[k] for k in present)
        score = (100.0 * sum(COMPONENT_WEIGHTS[k] * v for k, v in present.items()) / total_weight
                 if present else None)
        times = [t.first_reply - t.opened for t in answered if t.first_reply is not None]
        waits = times + [end - t.opened for t in missed]
        high = [t for t in graded if t.high_risk]
        low = [t for t in graded if not t.high_risk]
        metrics: dict[str, Any] = {
            "threads": len(threads), "answered": len(answered), "missed": len(missed),
            "pending_within_sla": len(counted) - len(graded),
            "handled_without_reply": len(threads) - len(counted),
            "response_rate": _round(components["response_rate"]),
            "within_sla_share": _round(_within_share(graded, sla)),
            "first_response_p50": _round(percentile(times, 50)),
            "first_response_p90": _round(percentile(times, 90)),
            "wait_p90_including_unanswered": _round(percentile(waits, 90)),
            "by_priority": _by_priority(graded, sla),
            "high_risk_within_sla_share": _round(_within_share(high, sla)),
            "low_risk_within_sla_share": _round(_within_share(low, sla)),
            "triage_pairs": pairs, "silence_follow_ups": silence,
            "components": {k: _round(v) for k, v in components.items()},
            "component_weights": {k: round(COMPONENT_WEIGHTS[k] / total_weight, 3)
                                  for k in present},
            "note": "" if present else "nothing to time: no thread was answered or missed",
            **_backlog(transcript, threads, end),
        }
        if status_metrics:
            metrics["status"] = status_metrics
        findings.sort(key=lambda f: -f.impact)
        return DimensionResult(name=self.name, score=None if score is None else round(score, 1),
                               findings=tuple(findings), metrics=metrics)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _within_share(threads: Sequence[ThreadTimes], sla: Any) -> float | None:
    if not threads:
        return None
    ok = sum(t.first_reply is not None and t.first_reply - t.opened <= sla.for_priority(t.priority)
             for t in threads)
    return ok / len(threads)


def _by_priority(graded: Sequence[ThreadTimes], sla: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for priority in ("urgent", "high", "normal", "low"):
        group = [t for t in graded if t.priority == priority]
        if not group:
            continue
        times = [t.first_reply - t.opened for t in group if t.first_reply is not None]
        out[priority] = {"threads": len(group), "answered": len(times),
                         "sla_minutes": sla.for_priority(priority),
                         "within_sla_share": _round(_within_share(group, sla)),
                         "first_response_p50": _round(percentile(times, 50))}
    return out


def _sla_finding(t: ThreadTimes, waited: float, target: float, impact: float,
                 language: str = "en") -> Finding:
    risky = t.priority in ("urgent", "high")
    priority_reason = words.reason(language, "priority",
                                   priority=words.priority(language, t.priority))
    extra = [r for r in t.risk_reasons if r != priority_reason]
    who = f"@{t.handle} ({', '.join([words.priority(language, t.priority), *extra])})"
    values = {"who": who, "waited": f"{waited:.0f}", "target": f"{target:g}"}
    if t.first_reply is None:
        severity: Severity = "critical" if t.priority == "urgent" else (
            "major" if risky else "minor")
        explanation, suggestion = words.message(language, "unanswered", **values)
        return Finding(
            dimension="speed", kind="unanswered", rule="speed/unanswered_past_sla",
            explanation=explanation, suggestion=suggestion,
            event_id=t.event_id, thread_id=t.thread_id, severity=severity,
            impact=round(impact, 2))
    explanation, suggestion = words.message(language, "sla_missed", **values)
    return Finding(
        dimension="speed", kind="sla_missed", rule="speed/first_response_after_sla",
        explanation=explanation, suggestion=suggestion,
        event_id=t.reply_event, thread_id=t.thread_id, severity="major" if risky else "minor",
        impact=round(impact, 2))


def _silence_finding(t: ThreadTimes, language: str = "en") -> Finding:
    n = len(t.silence_follow_ups)
    explanation, suggestion = words.message(
        language, "follow_up_after_silence", handle=t.handle, count=n,
        times=words.plural(language, "time", n))
    return Finding(
        dimension="speed", kind="follow_up_after_silence", rule="speed/silence_follow_up",
        explanation=explanation, suggestion=suggestion,
        event_id=t.silence_follow_ups[0], thread_id=t.thread_id, severity="minor")


@dataclass(frozen=True)
class LowRiskTimes:
    """The low-risk threads' open and first-reply minutes, sorted for binary search."""

    opened: list[float]
    #: first-reply minutes of the answered ones, sorted, and their open minutes alongside
    answered: list[float]
    answered_opened: list[float]

    @classmethod
    def of(cls, threads: Sequence[ThreadTimes]) -> LowRiskTimes:
        pairs = sorted((t.first_reply, t.opened) for t in threads if t.first_reply is not None)
        return cls(sorted(t.opened for t in threads), [a for a, _ in pairs],
                   [o for _, o in pairs])


def triage_counts(h_opened: float, h_answered: float, low: LowRiskTimes) -> tuple[int, int]:
    """(concordant, inverted) pairs of one high-risk thread with the low-risk threads.

    A pair counts when one of the two was answered while the other had waited at least
    ``TRIAGE_GRACE_MINUTES``; it is concordant when the high-risk one came first (ties count
    as concordant); an unanswered thread counts as answered at infinity. Binary searches
    instead of a scan over all pairs (a 24-hour drill has thousands of threads).
    """
    g = TRIAGE_GRACE_MINUTES
    answered = low.answered
    # inverted: a low-risk reply while h had waited >= g and before h was answered
    inverted = bisect_left(answered, h_answered) - bisect_left(answered, h_opened + g)
    if h_answered == math.inf:
        return 0, max(0, inverted)
    x = h_answered - g
    # concordant: low threads open by x and not answered before h =
    #   open by x - answered before x (all open by then) - answered in [x, h) while open by x
    lo, hi = bisect_left(answered, x), bisect_left(answered, h_answered)
    in_window = sum(1 for o in low.answered_opened[lo:hi] if o <= x)
    concordant = bisect_right(low.opened, x) - lo - in_window
    return max(0, concordant), max(0, inverted)


def _triage(counted: Sequence[ThreadTimes], end: float, language: str = "en"
            ) -> tuple[float | None, int, list[Finding]]:
    """Concordance of answer order for (high-risk, low-risk) pairs that waited together."""
    high = [t for t in counted if t.high_risk]
    low_threads = [t for t in counted if not t.high_risk]
    low = LowRiskTimes.of(low_threads)
    pairs = good = 0
    findings = []
    for h in high:
        a_h = h.first_reply if h.first_reply is not None else math.inf
        concordant, inversions = triage_counts(h.opened, a_h, low)
        pairs += concordant + inversions
        good += concordant
        if inversions:
            waited = (a_h if a_h != math.inf else end) - h.opened
            explanation, suggestion = words.message(
                language, "triage_inversion", handle=h.handle, reasons=", ".join(h.risk_reasons),
                waited=f"{waited:.0f}", count=inversions,
                threads=words.plural(language, "thread", inversions))
            findings.append(Finding(
                dimension="speed", kind="triage_inversion", rule="speed/triage_order",
                explanation=explanation, suggestion=suggestion,
                event_id=h.event_id, thread_id=h.thread_id,
                severity="major" if a_h == math.inf or inversions >= 3 else "minor",
                impact=round(COMPONENT_WEIGHTS["triage"] * 100 * inversions
                             / max(1, len(low_threads)) / max(1, len(high)), 2)))
    return (good / pairs if pairs else None), pairs, findings


def _backlog(transcript: Sequence[Event], threads: dict[str, ThreadTimes], end: float
             ) -> dict[str, Any]:
    """Waiting threads per minute: the engine's samples, or rebuilt from the threads."""
    samples = [(e.minute, e.waiting_threads) for e in transcript
               if isinstance(e, ReputationSampled)]
    if not samples:
        samples = []
        for minute in range(int(end) + 1):
            waiting = sum(t.opened <= minute and (t.first_reply is None or t.first_reply > minute)
                          and not t.excluded for t in threads.values())
            samples.append((float(minute), waiting))
    if not samples:
        return {"backlog_peak": 0, "backlog_mean": 0.0, "backlog": []}
    values = [w for _, w in samples]
    step = max(1, math.ceil(len(samples) / BACKLOG_POINTS))
    return {"backlog_peak": max(values), "backlog_mean": round(sum(values) / len(values), 2),
            "backlog_peak_minute": samples[values.index(max(values))][0],
            "backlog": [[m, w] for m, w in samples[::step]]}



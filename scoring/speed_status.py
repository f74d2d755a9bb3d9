"""Incident communication in incident drills: how soon the first status update came, the cadence
after it, whether each status says what the incident panel showed at its minute, and whether the
replies claim anything the panel did not show (an invented cause, an ETA never announced,
compensation not approved; see `scoring.speed_claims`).

The panel at a minute is the transcript's IncidentUpdated events up to that minute
(``Projection.facts_at``); a transcript without any (hand-built, or recorded before the engine
emitted them) falls back to ``scenario.facts_at``.

Status score (0-1, the ``status`` component of speed):
``0.40 * first`` (1 within ``min(status_cadence_minutes, sla_minutes.high)`` of the incident's
start, falling to 0 at 3x that) ``+ 0.35 * cadence`` (mean over gaps between updates, and the
final one if overdue: 1 up to ``CADENCE_GRACE`` x the cadence, 0 at twice that)
``+ 0.25 * content`` (per status: -0.5 for missing what is affected or a known ETA, -1 for a
cause, an ETA or compensation the panel does not support), then ``- CLAIM_DEDUCTION`` for every
reply claim the panel did not support (floored at 0).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from engine.projection import Projection
from engine.records import ReplySent, StatusPosted
from engine.scenario import Scenario
from scoring import speed_text as words
from scoring.records import Finding, Severity
from scoring.speed_claims import check_claims, clocks, panel_facts

PART_WEIGHTS = {"first": 0.40, "cadence": 0.35, "content": 0.25}
#: Gaps up to this multiple of the cadence count as on time (a minute or two of slack).
CADENCE_GRACE = 1.1
#: What one unsupported reply claim takes off the status score (0-1). A reply reaches one
#: customer and their audience where a status reaches everyone: one false claim in a reply costs
#: about what one false status costs in a drill of five statuses (0.25 content x 1/5).
CLAIM_DEDUCTION = 0.05
#: Evidence entries (claim + panel) kept in the metrics; the findings carry all of them.
CLAIM_EVIDENCE = 50


@dataclass
class StatusResult:
    score: float | None
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)


def _credit(value: float, target: float, zero_at: float) -> float:
    if value <= target:
        return 1.0
    return max(0.0, 1.0 - (value - target) / (zero_at - target))


class Panels:
    """The panel at any minute of a drill: the transcript's incident updates, normalised once
    (``panel_facts``), looked up by minute; the scenario's table when the transcript has none."""

    def __init__(self, projection: Projection, scenario: Scenario) -> None:
        self._scenario = scenario
        updates = projection.incident_updates
        self._minutes = [u.minute for u in updates]
        self._facts = [panel_facts(u.facts) for u in updates]

    def at(self, minute: float) -> dict[str, str]:
        """The incident facts the desk showed at ``minute`` (empty before the first update)."""
        if not self._minutes:
            scripted = self._scenario.facts_at(minute)
            return panel_facts(scripted.as_facts() if scripted is not None else None)
        index = bisect_right(self._minutes, minute) - 1
        return dict(self._facts[index]) if index >= 0 else panel_facts(None)


def panel_at(projection: Projection, scenario: Scenario, minute: float) -> dict[str, str]:
    """The incident facts the desk showed at ``minute`` (``Projection.facts_at``; the scenario's
    table for transcripts without incident updates)."""
    return Panels(projection, scenario).at(minute)


def _claim_findings(text: str, facts: dict[str, str], *, reply: bool, event_id: str,
                    thread_id: str | None, clock: str, language: str) -> list[Finding]:
    out = []
    problems = check_claims(text, facts, reply=reply)
    panel = words.panel(language, facts, clock) if problems else ""
    for problem in problems:
        kind = f"{'reply' if reply else 'status'}_{problem.problem}"
        explanation, suggestion = words.message(
            language, kind, promised=problem.claim.text, panel=panel,
            eta=facts.get("eta", ""), cause=words.cause_label(language, facts))
        out.append(Finding(
            dimension="speed", kind=kind, rule=f"{'claims' if reply else 'status'}/{kind}",
            explanation=explanation, suggestion=suggestion, event_id=event_id,
            thread_id=thread_id, start=problem.claim.start, end=problem.claim.end, text=text,
            severity="major"))
    return out


def check_status(status: StatusPosted, facts: dict[str, str] | None, language: str = "en",
                 clock: str = "") -> list[Finding]:
    """Content findings for one status update against the panel at its minute."""
    facts = panel_facts(facts)
    text = status.text
    lowered = text.lower()
    keywords = [k.strip() for k in facts.get("keywords", "").split(",") if k.strip()]
    eta = facts.get("eta", "").strip()
    missing = []
    if keywords and not any(k.lower() in lowered for k in keywords):
        missing.append(words.missing(language, "affected", keywords=", ".join(keywords[:3])))
    eta_clocks = clocks(eta)
    if eta and eta_clocks and not (eta_clocks & clocks(text)):
        missing.append(words.missing(language, "eta", eta=eta))
    out: list[Finding] = []
    if missing:
        explanation, suggestion = words.message(language, "status_missing_facts",
                                                missing=words.joiner(language).join(missing))
        out.append(Finding(dimension="speed", kind="status_missing_facts",
                           rule="status/status_missing_facts", explanation=explanation,
                           suggestion=suggestion, event_id=status.event_id, text=text,
                           severity="minor"))
    out.extend(_claim_findings(text, facts, reply=False, event_id=status.event_id,
                               thread_id=None, clock=clock, language=language))
    return out


def check_reply(reply: ReplySent, facts: dict[str, str] | None, language: str = "en",
                clock: str = "") -> list[Finding]:
    """Claims of one reply (public or DM) the panel at its minute did not support."""
    return _claim_findings(reply.text, panel_facts(facts), reply=True, event_id=reply.event_id,
                           thread_id=reply.thread_id, clock=clock, language=language)


def incident_start(projection: Projection, scenario: Scenario) -> float | None:
    """The first incident update, or the first outage report, whichever came first."""
    starts = [u.minute for u in projection.incident_updates[:1]]
    outage = [projection.threads[t].opened_minute for t in projection.order
              if projection.threads[t].intent == "outage"][:1]
    starts += outage
    if scenario.incident:
        starts.append(scenario.incident[0].from_minute)
    return min(starts) if starts else None


def _replies(projection: Projection) -> list[ReplySent]:
    replies = [e for t in projection.threads.values() for e in t.events
               if isinstance(e, ReplySent)]
    return sorted(replies, key=lambda e: e.minute)


def _first_and_cadence(statuses: list[StatusPosted], start: float, end: float, target: float,
                       cadence: float, language: str
                       ) -> tuple[float, float, float, list[Finding]]:
    """(first credit, cadence credit, longest gap, findings)."""
    findings: list[Finding] = []
    delay = statuses[0].minute - start
    first = _credit(delay, target, 3 * target)
    if first < 1.0:
        explanation, suggestion = words.message(language, "status_late", delay=f"{delay:.0f}",
                                                target=f"{target:g}")
        findings.append(Finding(
            dimension="speed", kind="status_late", rule="status/first_late",
            explanation=explanation, suggestion=suggestion,
            event_id=statuses[0].event_id, severity="major"))
    gaps = [(b.minute - a.minute, a) for a, b in pairwise(statuses)]
    if end - statuses[-1].minute > cadence * CADENCE_GRACE:
        gaps.append((end - statuses[-1].minute, statuses[-1]))
    credits = []
    for gap, before in gaps:
        credit = _credit(gap, cadence * CADENCE_GRACE, cadence * CADENCE_GRACE * 2)
        credits.append(credit)
        if credit < 1.0:
            explanation, suggestion = words.message(language, "status_gap", gap=f"{gap:.0f}",
                                                    cadence=f"{cadence:g}")
            findings.append(Finding(
                dimension="speed", kind="status_gap", rule="status/cadence",
                explanation=explanation, suggestion=suggestion,
                event_id=before.event_id, severity="minor"))
    longest = max((g for g, _ in gaps), default=0.0)
    return first, (sum(credits) / len(credits) if credits else 1.0), longest, findings


def assess_status_updates(projection: Projection, scenario: Scenario, end: float
                          ) -> StatusResult:
    """The status component of speed, its findings and metrics (None: no incident yet)."""
    start = incident_start(projection, scenario)
    if start is None or start > end:
        return StatusResult(None, metrics={"note": "no incident started"})
    language = scenario.language
    statuses = [s for s in projection.statuses if s.minute >= start]
    target = min(scenario.status_cadence_minutes, scenario.sla_minutes.high)
    cadence = scenario.status_cadence_minutes
    metrics: dict[str, Any] = {"incident_start_minute": start, "first_status_target": target,
                               "cadence_minutes": cadence, "statuses": len(statuses)}
    findings: list[Finding] = []
    evidence: list[dict[str, Any]] = []
    replies = _replies(projection)
    panels = Panels(projection, scenario)
    for reply in replies:
        facts = panels.at(reply.minute)
        problems = check_reply(reply, facts, language, scenario.clock_label(reply.minute))
        findings.extend(problems)
        evidence.extend({"event_id": reply.event_id, "minute": reply.minute, "kind": p.kind,
                         "claim": reply.text[p.start:p.end], "panel": facts} for p in problems)
    unsupported = len(evidence)
    deduction = CLAIM_DEDUCTION * unsupported
    metrics |= {"replies_checked": len(replies), "reply_claims_unsupported": unsupported,
                "claims_deduction": round(deduction, 3)}
    if not statuses:
        waited = end - start
        explanation, suggestion = words.message(language, "no_status_update",
                                                waited=f"{waited:.0f}")
        severity: Severity = "critical" if waited > target else "major"
        findings.insert(0, Finding(
            dimension="speed", kind="no_status_update", rule="status/none",
            explanation=explanation, suggestion=suggestion, severity=severity))
        first = 0.0 if waited > target else 1.0
        score = max(0.0, PART_WEIGHTS["first"] * first - deduction)
        return StatusResult(score, findings, metrics | {"first_status_minutes": None,
                                                        "claims": evidence[:CLAIM_EVIDENCE]})
    first, cadence_credit, longest, timing = _first_and_cadence(
        statuses, start, end, target, cadence, language)
    findings.extend(timing)
    content_credits = []
    for status in statuses:
        facts = panels.at(status.minute)
        problems = check_status(status, facts, language, scenario.clock_label(status.minute))
        findings.extend(problems)
        evidence.extend({"event_id": status.event_id, "minute": status.minute,
                         "kind": p.kind, "claim": status.text[p.start:p.end], "panel": facts}
                        for p in problems if p.start >= 0)
        lost = sum(0.5 if p.severity == "minor" else 1.0 for p in problems)
        content_credits.append(max(0.0, 1.0 - lost))
    content = sum(content_credits) / len(content_credits)
    score = (PART_WEIGHTS["first"] * first + PART_WEIGHTS["cadence"] * cadence_credit
             + PART_WEIGHTS["content"] * content)
    metrics |= {"first_status_minutes": round(statuses[0].minute - start, 2),
                "first_credit": round(first, 3), "cadence_credit": round(cadence_credit, 3),
                "content_credit": round(content, 3), "max_gap_minutes": round(longest, 2),
                "claims": evidence[:CLAIM_EVIDENCE]}
    return StatusResult(max(0.0, score - deduction), findings, metrics)


"""Status updates in incident drills: how soon the first one came, the cadence after it, and
whether each one says what is true at that minute (facts from the transcript's IncidentUpdated
events, else ``scenario.facts_at``).

Status score (0-1, the ``status`` component of speed):
``0.40 * first`` (1 within ``min(status_cadence_minutes, sla_minutes.high)`` of the incident's
start, falling to 0 at 3x that) ``+ 0.35 * cadence`` (mean over gaps between updates, and the
final one if overdue: 1 up to ``CADENCE_GRACE`` x the cadence, 0 at twice that)
``+ 0.25 * content`` (per status: -0.5 for missing what is affected or a known ETA, -1 for an
ETA or compensation the facts do not support, or an ETA that contradicts them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from engine.records import Event, IncidentUpdated, MentionArrived, StatusPosted
from engine.scenario import Scenario
from scoring import speed_text as words
from scoring.records import Finding

if TYPE_CHECKING:
    from scoring.speed import ThreadTimes

PART_WEIGHTS = {"first": 0.40, "cadence": 0.35, "content": 0.25}
#: Gaps up to this multiple of the cadence count as on time (a minute or two of slack).
CADENCE_GRACE = 1.1
_I = re.IGNORECASE
#: A promised time or duration ("back by 11:30", "within 2 hours", "30분 내 복구").
ETA_PROMISE = re.compile(
    r"\b(?:by|before|until|around|expected\s+(?:at|by|around)|back\s+(?:at|by|around))\s+"
    r"(?:about\s+)?(?:\d{1,2}:\d{2}(?:\s*(?:am|pm))?|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.|o'clock)"
    r"|noon|midnight|tonight|tomorrow|(?:the\s+)?end\s+of\s+(?:the\s+)?day|eod)\b"
    r"|\bwithin\s+(?:the\s+next\s+)?(?:\d+|an?|one|two|three|few)\s+(?:min(?:ute)?s?|hours?|hrs?)"
    r"|\bin\s+(?:about\s+)?(?:\d+|an?|one|two|three)\s+(?:min(?:ute)?s?|hours?|hrs?)\b"
    r"|\b(?:eta|estimated\s+(?:fix|time|restoration))\b"
    r"|\b(?:fixed|restored|resolved|back\s+(?:up|online|to\s+normal))\s+(?:by|within|shortly|soon)"
    r"|\d{1,2}\s*시(?:\s*\d{1,2}\s*분)?\s*(?:까지|경|전|이전|내)"
    r"|\d+\s*(?:분|시간)\s*(?:내|안에|이내|뒤|후)"
    r"|(?:복구|해결|정상화)(?:가|는|될)?\s*예정", _I)
COMPENSATION = re.compile(r"\b(?:refund\w*|credit(?:s|ed)?|compensat\w*|vouchers?|discount\w*|"
                          r"free\s+month|reimburs\w*|make\s+(?:it|this)\s+up)\b|보상|환불|쿠폰|"
                          r"크레딧|할인|적립|포인트\s*지급", _I)
#: Words that make a time or compensation mention a non-promise ("no ETA yet", "미정").
HEDGES = re.compile(r"\b(?:no|not|don't|do\s+not|can't|cannot|without|once|if|when|yet|unknown|"
                    r"tbd|unclear|as\s+soon\s+as|will\s+share|update\s+you|(?:next|another|"
                    r"further)\s+update|update\s+again|check\s+back)\b|미정|아직|확인\s*중|검토|"
                    r"결정되|추후|안내\s*드리겠|다음\s*(?:안내|업데이트|공지)", _I)
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b|\d{1,2}\s*시(?:\s*\d{1,2}\s*분)?")
_SENTENCE = re.compile(r"[^.!?\n]+")


@dataclass
class StatusResult:
    score: float | None
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)


def _credit(value: float, target: float, zero_at: float) -> float:
    if value <= target:
        return 1.0
    return max(0.0, 1.0 - (value - target) / (zero_at - target))


def _promises(pattern: re.Pattern[str], text: str) -> list[str]:
    """Un-hedged mentions of ``pattern`` (sentence by sentence)."""
    found = []
    for sentence in _SENTENCE.finditer(text):
        s = sentence.group(0)
        m = pattern.search(s)
        if m and not HEDGES.search(s):
            found.append(m.group(0).strip())
    return found


def _clock_values(text: str) -> set[str]:
    out = set()
    for m in CLOCK.finditer(text):
        digits = re.findall(r"\d+", m.group(0))
        out.add(f"{int(digits[0])}:{int(digits[1]) if len(digits) > 1 else 0:02d}")
    return out


def _facts_timeline(transcript: Sequence[Event]) -> list[tuple[float, dict[str, str]]]:
    return [(e.minute, e.facts) for e in transcript if isinstance(e, IncidentUpdated)]


def facts_for(minute: float, timeline: Sequence[tuple[float, dict[str, str]]],
              scenario: Scenario) -> dict[str, str] | None:
    """The incident facts in force at ``minute``: the transcript's, else the scenario's."""
    current = None
    for at, facts in timeline:
        if at <= minute:
            current = facts
    if current is None:
        scripted = scenario.facts_at(minute)
        current = scripted.as_facts() if scripted is not None else None
    return current


def check_status(status: StatusPosted, facts: dict[str, str] | None,
                 language: str = "en") -> list[Finding]:
    """Content findings for one status update against the facts at its minute."""
    out: list[Finding] = []
    facts = facts or {}
    text = status.text
    lowered = text.lower()
    keywords = [k.strip() for k in facts.get("keywords", "").split(",") if k.strip()]
    eta = facts.get("eta", "")
    missing = []
    if keywords and not any(k.lower() in lowered for k in keywords):
        missing.append(words.missing(language, "affected", keywords=", ".join(keywords[:3])))
    eta_clocks = _clock_values(eta)
    if eta and eta_clocks and not (eta_clocks & _clock_values(text)):
        missing.append(words.missing(language, "eta", eta=eta))

    def finding(kind: str, severity: Any, **values: Any) -> Finding:
        explanation, suggestion = words.message(language, kind, **values)
        return Finding(dimension="speed", kind=kind, rule=f"status/{kind}",
                       explanation=explanation, suggestion=suggestion,
                       event_id=status.event_id, text=text, severity=severity)

    if missing:
        out.append(finding("status_missing_facts", "minor",
                           missing=words.joiner(language).join(missing)))
    promised = _promises(ETA_PROMISE, text)
    if promised and not eta:
        out.append(finding("status_unsupported_eta", "major", promised=promised[0]))
    elif promised and eta_clocks and _clock_values(text) - eta_clocks:
        out.append(finding("status_wrong_eta", "major", eta=eta))
    comp = _promises(COMPENSATION, text)
    if comp and not facts.get("compensation"):
        out.append(finding("status_unsupported_compensation", "major", promised=comp[0]))
    return out


def incident_start(transcript: Sequence[Event], scenario: Scenario) -> float | None:
    """The first incident fact, or the first outage report, whichever came first."""
    starts = [e.minute for e in transcript if isinstance(e, IncidentUpdated)][:1]
    starts += [e.minute for e in transcript
               if isinstance(e, MentionArrived) and e.intent == "outage"][:1]
    if scenario.incident:
        starts.append(scenario.incident[0].from_minute)
    return min(starts) if starts else None


def assess_status_updates(transcript: Sequence[Event], scenario: Scenario,
                          threads: Iterable[ThreadTimes], end: float) -> StatusResult:
    del threads  # reserved: per-thread links to the pinned status
    start = incident_start(transcript, scenario)
    if start is None or start > end:
        return StatusResult(None, metrics={"note": "no incident started"})
    statuses = [e for e in transcript if isinstance(e, StatusPosted) and e.minute >= start]
    target = min(scenario.status_cadence_minutes, scenario.sla_minutes.high)
    cadence = scenario.status_cadence_minutes
    metrics: dict[str, Any] = {"incident_start_minute": start, "first_status_target": target,
                               "cadence_minutes": cadence, "statuses": len(statuses)}
    language = scenario.language
    if not statuses:
        waited = end - start
        explanation, suggestion = words.message(language, "no_status_update",
                                                waited=f"{waited:.0f}")
        finding = Finding(
            dimension="speed", kind="no_status_update", rule="status/none",
            explanation=explanation, suggestion=suggestion,
            severity="critical" if waited > target else "major")
        first = 0.0 if waited > target else 1.0
        score = PART_WEIGHTS["first"] * first
        return StatusResult(score, [finding], metrics | {"first_status_minutes": None})
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
    cadence_credit = sum(credits) / len(credits) if credits else 1.0
    timeline = _facts_timeline(transcript)
    content_credits = []
    for status in statuses:
        problems = check_status(status, facts_for(status.minute, timeline, scenario), language)
        findings.extend(problems)
        lost = sum(0.5 if p.severity == "minor" else 1.0 for p in problems)
        content_credits.append(max(0.0, 1.0 - lost))
    content = sum(content_credits) / len(content_credits)
    score = (PART_WEIGHTS["first"] * first + PART_WEIGHTS["cadence"] * cadence_credit
             + PART_WEIGHTS["content"] * content)
    metrics |= {"first_status_minutes": round(delay, 2), "first_credit": round(first, 3),
                "cadence_credit": round(cadence_credit, 3), "content_credit": round(content, 3),
                "max_gap_minutes": round(max((g for g, _ in gaps), default=0.0), 2)}
    return StatusResult(score, findings, metrics)

"""Privacy handling: the per-reply `assess_privacy` and the session `PrivacyDimension`.

Three kinds of findings (rules in `scoring.privacy_rules`, phrases in
``lexicons/<language>/privacy.yaml``):
- ``asks_pii_public``: a public reply asks for an email, phone, address, order/booking/account
  number, payment details, date of birth, username... in the public thread;
- ``asks_password``: a password, PIN, one-time code, full card number or CVV asked for in any
  channel, DM included;
- ``exposes_pii_public``: a public reply shows personal data, the customer's own (from the
  transcript) or anything a detector in `scoring.pii` recognises.

Per-reply score: 100 minus the points below (floor 0). A team lead's scale: a credential request
or an exposed ID/card number is a breach that fails the reply, a public request for contact data
is a process error that costs a third of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

from engine.projection import Projection, ThreadState
from engine.records import Event, PersonalData, ReplyContext, ReplySent
from engine.scenario import Scenario
from scoring.pii import PERSONAL_MIN_SCORE, PiiMatch, detect_pii
from scoring.privacy_rules import PrivacyLexicon, dm_cues, find_requests, load_lexicon, lowered
from scoring.records import DimensionResult, Finding, PrivacyAssessment, Severity, judge_label

if TYPE_CHECKING:
    from scoring.judge import Judge

#: Detector kinds that can be a person's data (links and business numbers never are).
PERSONAL_KINDS = frozenset({"email", "phone", "card_number", "ip_address", "rrn", "frn",
                            "passport", "driver_licence", "order_number", "booking_reference",
                            "account_number", "address", "date_of_birth"})
#: Kinds whose known values are compared on letters and digits only ("010 1234 5678").
_NUMERIC_KINDS = frozenset({"phone", "card_number", "order_number", "booking_reference",
                            "account_number", "date_of_birth", "rrn", "frn", "passport"})
#: Points one reply loses per finding.
REPLY_PENALTY = {"asks_password": 60.0, "asks_pii_public": 35.0}
EXPOSURE_PENALTY: dict[str, float] = {"critical": 60.0, "major": 40.0, "minor": 20.0}
#: How bad it is to show each kind of data in public (an order number alone identifies little;
#: an ID or card number enables fraud).
EXPOSURE_SEVERITY: dict[str, Severity] = {
    "card_number": "critical", "rrn": "critical", "frn": "critical", "passport": "critical",
    "driver_licence": "critical", "date_of_birth": "major", "email": "major", "phone": "major",
    "address": "major", "ip_address": "major", "account_number": "major",
    "order_number": "minor", "booking_reference": "minor",
}
#: Points the session loses per finding; the score is ``100 * exp(-points / 100)``, so the first
#: findings cost about their points (one public request: -10, one password request: -22) and a
#: long drill full of them tends to 0 without going negative.
SESSION_PENALTY = {"asks_password": 25.0, "asks_pii_public": 10.0}
SESSION_EXPOSURE_PENALTY: dict[str, float] = {"critical": 25.0, "major": 15.0, "minor": 5.0}
#: Share of the session score that rewards moving sensitive threads to DM (when there are any).
DM_CREDIT_SHARE = 0.15
#: Intents whose details belong in DM (account matters), besides oversharers.
DM_INTENTS = frozenset({"account_access", "security"})


def _finding(lex: PrivacyLexicon, kind: str, message: str, what: str, start: int, end: int,
             text: str, rule: str, severity: Severity) -> Finding:
    return Finding(
        dimension="privacy", kind=kind, rule=rule,
        explanation=lex.message(message, "explanation", what),
        suggestion=lex.message(message, "suggestion", what),
        start=start, end=end, text=text[start:end], severity=severity)


def _labels(lex: PrivacyLexicon, kinds: Sequence[str]) -> str:
    names = list(dict.fromkeys(lex.label(k) for k in kinds))
    if lex.language == "ko" or len(names) == 1:
        return ", ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _reply_points(f: Finding) -> float:
    if f.kind == "exposes_pii_public":
        return EXPOSURE_PENALTY.get(f.severity, 40.0)
    return REPLY_PENALTY.get(f.kind, 0.0)


def _session_points(f: Finding) -> float:
    if f.kind == "exposes_pii_public":
        return SESSION_EXPOSURE_PENALTY.get(f.severity, 15.0)
    return SESSION_PENALTY.get(f.kind, 0.0)


def reply_score(findings: Sequence[Finding]) -> float:
    """0-100 for one reply from its privacy findings."""
    return max(0.0, 100.0 - sum(_reply_points(f) for f in findings))


def assess_privacy(ctx: ReplyContext, known_pii: Sequence[PersonalData] = ()) -> PrivacyAssessment:
    """How one reply handles personal data (pure, cheap: regexes compiled once per language)."""
    lex = load_lexicon(ctx.language)
    text = ctx.reply_text
    public = ctx.channel != "dm"
    cues = dm_cues(text, lex)
    findings: list[Finding] = []
    asks_details_dm = False
    for req in find_requests(text, lex, ctx.channel, cues):
        what = _labels(lex, req.kinds)
        if req.credential:
            findings.append(_finding(lex, "asks_password", "asks_password", what, req.start,
                                     req.end, text, f"asks_password/{req.form}", "critical"))
        elif public and not req.private:
            findings.append(_finding(lex, "asks_pii_public", "asks_pii_public", what, req.start,
                                     req.end, text, f"asks_pii_public/{req.form}", "major"))
        else:
            asks_details_dm = True
    if public:
        known = tuple(known_pii) + posted_pii(ctx.mention_text)
        for exp in find_exposures(text, known, ctx.language):
            message = "exposes_known_pii_public" if exp.known else "exposes_pii_public"
            rule = "exposes_pii_public/" + ("known_pii" if exp.known else exp.detector)
            findings.append(_finding(lex, "exposes_pii_public", message, lex.label(exp.kind),
                                     exp.start, exp.end, text, rule,
                                     EXPOSURE_SEVERITY.get(exp.kind, "major")))
    findings = sorted((replace(f, impact=_reply_points(f)) for f in findings),
                      key=lambda f: f.start)
    return PrivacyAssessment(ok=not findings, score=reply_score(findings),
                             moves_to_dm=public and cues.moves, findings=tuple(findings),
                             asks_details_dm=asks_details_dm)


# ------------------------------------------------------------------------------------ exposure


@dataclass(frozen=True, slots=True)
class Exposure:
    """Personal data shown in a reply: the customer's own (``known``) or recognised by a
    detector."""

    start: int
    end: int
    kind: str
    known: bool
    detector: str


@lru_cache(maxsize=4096)
def posted_pii(mention: str) -> tuple[PersonalData, ...]:
    """Personal data the customer's own post shows (an order number, a phone...): a reply that
    repeats it in public spreads it, whether or not the caller passed it as known PII."""
    if not mention:
        return ()
    return tuple(PersonalData(m.kind, m.text) for m in _personal_matches(mention, "en")
                 if m.personal)


def _normalised(text: str) -> tuple[str, list[int]]:
    chars, index = [], []
    for i, c in enumerate(text):
        if c.isalnum():
            chars.append(c.upper())
            index.append(i)
    return "".join(chars), index


def find_known(text: str, item: PersonalData) -> tuple[int, int] | None:
    """Where a reply repeats one piece of the customer's own data (formatting ignored)."""
    value = item.value.strip()
    if len(value) < 4:
        return None
    if item.kind in _NUMERIC_KINDS:
        target, _ = _normalised(value)
        if len(target) < 5:
            return None
        flat, index = _normalised(text)
        at = flat.find(target)
        if at < 0:
            # "20261205-118" repeats "DB-20261205-118": the letters of a prefix identify little,
            # the digits are the reference
            core = target.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            if core != target and len(core) >= 6 and sum(c.isdigit() for c in core) >= 5:
                target, at = core, flat.find(core)
        return (index[at], index[at + len(target) - 1] + 1) if at >= 0 else None
    low = text.lower()
    candidates = [value]
    if item.kind == "address":
        first = value.split(",")[0].strip()
        tokens = value.replace(",", " ").split()
        candidates += [first] if len(first) >= 8 else []
        candidates += [" ".join(tokens[i:]) for i in range(1, len(tokens) - 1)
                       if any(c.isdigit() for c in tokens[-1])]
    for candidate in candidates:
        at = low.find(candidate.lower())
        if at >= 0 and len(candidate) >= 6:
            return at, at + len(candidate)
    return None


@lru_cache(maxsize=8192)
def _personal_matches(text: str, language: str) -> tuple[PiiMatch, ...]:
    """Detector matches of the personal kinds (cached: drills repeat replies and macros)."""
    return tuple(detect_pii(text, language, kinds=PERSONAL_KINDS, min_score=PERSONAL_MIN_SCORE))


def find_exposures(text: str, known_pii: tuple[PersonalData, ...] | list[PersonalData],
                   language: str) -> list[Exposure]:
    """Personal data a reply shows: the customer's own values first, then detector matches."""
    found: list[Exposure] = []
    for item in known_pii:
        span = find_known(text, item)
        if span is not None and all(span[1] <= e.start or span[0] >= e.end for e in found):
            found.append(Exposure(span[0], span[1], item.kind, True, "known_pii"))
    lex = load_lexicon(language)
    for m in _personal_matches(text, language):
        if not m.personal:
            continue
        before = lowered(text[max(0, m.start - 60):m.start])
        if lex.brand_contact is not None and m.kind in ("phone", "email", "address") and \
                lex.brand_contact.search(before) and not (
                    lex.customer_route is not None and lex.customer_route.search(before)):
            continue  # "call our Lagos office on ...": the brand's own number
        if all(m.end <= e.start or m.start >= e.end for e in found):
            found.append(Exposure(m.start, m.end, m.kind, False, m.detector))
    found.sort(key=lambda e: e.start)
    return found


# ------------------------------------------------------------------------------------ session


def _context(scenario: Scenario, thread: ThreadState | None, reply: ReplySent) -> ReplyContext:
    return ReplyContext(language=scenario.language, brand_voice=scenario.brand.voice,
                        persona=thread.persona if thread else "",
                        intent=thread.intent if thread else "",
                        mention_text=thread.last_customer_text if thread else "",
                        channel=reply.channel, reply_text=reply.text,
                        customer_name=thread.author.display_name if thread else "")


class PrivacyDimension:
    """Privacy over a whole drill: every reply assessed with the customer's exposed data as
    known PII, credit for moving oversharers and account matters to DM.

    Score: ``100 * exp(-points / 100)`` over ``SESSION_PENALTY`` points per finding; when the
    drill had threads that belonged in DM (oversharers, account access or security),
    ``DM_CREDIT_SHARE`` of the score is the share of those (answered) threads moved to DM.
    """

    name = "privacy"
    supports_judge: ClassVar[bool] = True

    def score(self, transcript: Sequence[Event], scenario: Scenario,
              judge: Judge | None = None) -> DimensionResult:
        lex = load_lexicon(scenario.language)
        projection = Projection()
        findings: list[Finding] = []
        judges: list[str] = []
        #: threads the trainee replied to / moved to DM, and each one's last public reply
        replied: set[str] = set()
        moved: set[str] = set()
        last_public: dict[str, str] = {}
        replies = public = asks_dm = 0
        for event in transcript:
            thread = projection.apply(event)
            if not isinstance(event, ReplySent):
                continue
            ctx = _context(scenario, thread, event)
            result = assess_privacy(ctx, thread.exposed if thread else ())
            if judge is not None:
                judged = judge.judge_privacy(ctx, result)
                result = judged.value
                judges.append(judged.judge)
            replies += 1
            public += event.channel == "public"
            asks_dm += result.asks_details_dm
            replied.add(event.thread_id)
            if event.moves_to_dm or result.moves_to_dm or event.channel == "dm":
                moved.add(event.thread_id)
            if event.channel == "public":
                last_public[event.thread_id] = event.event_id
            findings.extend(replace(f, event_id=event.event_id, thread_id=event.thread_id,
                                    impact=_session_points(f)) for f in result.findings)
        if replies == 0:
            return DimensionResult(name=self.name, score=None,
                                   metrics={"replies": 0, "note": "no replies to grade"})
        needed = {tid: t for tid, t in projection.threads.items() if tid in replied and (
            t.persona == "privacy_oversharer" or t.public_exposed or t.intent in DM_INTENTS)}
        moved_needed = sum(tid in moved for tid in needed)
        for tid, t in needed.items():
            if tid not in moved and t.public_exposed:
                what = lex.label(t.public_exposed[0].kind)
                findings.append(Finding(
                    dimension="privacy", kind="dm_not_offered", rule="dm_not_offered/overshare",
                    explanation=lex.message("dm_not_offered", "explanation", what),
                    suggestion=lex.message("dm_not_offered", "suggestion", what),
                    event_id=last_public.get(tid), thread_id=tid, severity="minor"))
        lost = sum(_session_points(f) for f in findings)
        base = 100.0 * math.exp(-lost / 100.0)
        dm_share = moved_needed / len(needed) if needed else None
        score = base if dm_share is None else (
            (1 - DM_CREDIT_SHARE) * base + DM_CREDIT_SHARE * 100.0 * dm_share)
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.kind] = counts.get(f.kind, 0) + 1
        return DimensionResult(
            name=self.name, score=round(score, 1), findings=tuple(findings),
            metrics={"replies": replies, "public_replies": public, "findings_by_kind": counts,
                     "dm_needed_threads": len(needed), "dm_moved_threads": moved_needed,
                     "dm_share": None if dm_share is None else round(dm_share, 3),
                     "asks_details_dm": asks_dm, "points_lost": lost},
            judge=judge_label(judges))

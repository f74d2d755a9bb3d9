"""The coach: the scorer's findings on a reply just sent, and a better version of it; and the
better replies a finished drill's scorecard shows under each reply's findings.

The better reply is the trainee's own reply edited where a finding flags it
(``scoring.rewrite``). Suggestions come from the scorer's lexicons, written for every brand;
one can quote a phrase this brand bans (the Korean privacy suggestion opens with "불편을 드려
죄송합니다"), so the coach drops banned phrases from what it shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from engine.records import Event, ReplySent
from engine.scenario import Scenario
from scoring.records import Finding
from stormdesk.drill import Coaching, LiveDrill


def _clean(findings: Sequence[Finding], banned: Sequence[str], language: str) -> tuple[
        Finding, ...]:
    from scoring.rewrite import scrub_banned

    out = []
    for f in findings:
        suggestion = scrub_banned(f.suggestion, banned, language) if f.suggestion else ""
        out.append(f if suggestion == f.suggestion else dataclasses.replace(
            f, suggestion=suggestion))
    return tuple(out)


def _without_banned(assessment: Any, banned: Sequence[str], language: str) -> Any:
    """The assessment with banned phrases taken out of its findings' suggestions."""
    if not banned:
        return assessment
    return dataclasses.replace(
        assessment,
        empathy=dataclasses.replace(assessment.empathy, findings=_clean(
            assessment.empathy.findings, banned, language)),
        tone=dataclasses.replace(assessment.tone, findings=_clean(
            assessment.tone.findings, banned, language)),
        privacy=dataclasses.replace(assessment.privacy, findings=_clean(
            assessment.privacy.findings, banned, language)))


def coach_reply(drill: LiveDrill, thread_id: str, text: str, channel: str) -> Coaching:
    """Assess ``text`` as a reply in ``thread_id`` (with what the customer exposed there) and
    suggest a better one: the same reply, edited where a finding flags it."""
    from scoring.assess import assess_reply
    from scoring.rewrite import better_reply

    thread = drill.inbox.threads.get(thread_id)
    context = drill.session.reply_context(thread_id, text, channel)
    known = list(thread.exposed) if thread is not None else []
    brand = drill.scenario.brand
    assessment = assess_reply(context, brand=brand, known_pii=known)
    better = better_reply(context, assessment, brand, drill.initials,
                          facts=drill.inbox.projection.facts)
    shown = _without_banned(assessment, brand.banned_phrases, drill.scenario.language)
    return Coaching(thread_id, text, shown, better)


def suggestion(finding: Finding, scenario: Scenario) -> str:
    """A finding's suggestion as the scorecard shows it (no phrase the brand bans)."""
    from scoring.rewrite import scrub_banned

    if not finding.suggestion:
        return ""
    return scrub_banned(finding.suggestion, scenario.brand.banned_phrases, scenario.language)


def better_replies(transcript: Sequence[Event], scenario: Scenario,
                   findings: Sequence[Finding], initials: str = "",
                   only: set[str] | None = None) -> dict[str, str]:
    """Reply event id -> the better version of that reply, for every reply a problem finding
    is about (``only``: just these event ids). Each reply is edited in the context it was
    written in: the thread as it stood and the incident facts shown at that minute."""
    from engine.projection import Projection
    from scoring.reply_contexts import reply_contexts
    from scoring.rewrite import edit_reply, problems

    by_event: dict[str, list[Finding]] = {}
    for f in problems(findings):
        if f.event_id and (only is None or f.event_id in only):
            by_event.setdefault(f.event_id, []).append(f)
    if not by_event:
        return {}
    facts = Projection.of(transcript)
    out: dict[str, str] = {}
    for item in reply_contexts(transcript, scenario):
        event: ReplySent = item.event
        found = by_event.get(event.event_id)
        if found:
            out[event.event_id] = edit_reply(item.context, found, scenario.brand,
                                             initials or _initials(event.agent),
                                             facts.facts_at(event.minute))
    return out


def _initials(agent: str) -> str:
    """The agent's sign-off when it looks like initials (the desk stamps actions with them)."""
    return agent if agent.isalpha() and agent.isupper() and len(agent) <= 4 else ""


def better_by_event(stored: Any, only: set[str] | None = None) -> Mapping[str, str]:
    """``better_replies`` for a stored drill (``stormdesk.reviews.StoredDrill``)."""
    card = stored.scorecard
    findings = [f for d in card.dimensions for f in d.findings]
    return better_replies(stored.transcript, stored.scenario, findings,
                          stored.record.initials, only)

"""Empathy of a reply (``assess_empathy``: level 0/1/2, a 0-100 score and the words that earned or
lost the level) and the drill's empathy dimension (``EmpathyDimension``).

Levels, in the order they are decided:
- 0: dismissive ("calm down", "as I said", "sorry you feel that way", "진정하세요"), blaming,
  hostile or sarcastic; arguing with a troll; a policy quoted as a wall (no acknowledgement and
  no ownership); to praise, no thanks at all; otherwise nothing that acknowledges or helps.
- 2: names the customer's specific problem or feeling (their words, the topic of their post, a
  shared number, or a feeling word) **and** takes ownership ("we'll", "I've", "제가",
  "-해 드리겠습니다") **and** gives a concrete next step or time. Their name plus an
  acknowledgement can stand in for naming the problem. To praise: thanks or warmth plus
  something specific, their name, or both thanks and warmth. To a troll: a short, calm reply
  with something to act on or a door left open.
- 1: everything in between: a generic apology or acknowledgement, or a next step; grovelling to a
  troll or a long defence; an apology in reply to praise caps the level at 1.
Scores sit in bands (0: 5-15, 1: 40-70, 2: 75-100) and rise with each component found.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

from engine.records import INTENTS, Event, ReplyContext
from engine.scenario import Scenario
from scoring.lexicon import Lexicon, Spans, first_span, fold, load_lexicon, scanner
from scoring.records import DimensionResult, EmpathyAssessment, Finding, Severity, judge_label
from scoring.reply_contexts import reply_contexts
from scoring.traps import Traps, find_traps

if TYPE_CHECKING:
    from scoring.judge import Judge
from scoring.specificity import (
    TOPIC_CATEGORIES,
    MentionProfile,
    mention_profile,
    name_span,
    overlap_span,
    topic_span,
)

DIMENSION = "empathy"
CATEGORIES = (
    "dismissive", "dismissive_pattern", "wall", "apology", "generic_ack", "generic_topic",
    "acknowledgement", "feeling", "ownership", "refusal", "passive_offer", "next_step",
    "thanks", "warmth", "grovel", "timeline", "timeline_phrase", "status_link", "question_step",
    "done_step", "blame", "blame_should", "blame_next_time", "argue", "sarcasm", "sarcasm_mark",
    "insult", "insult_guarded", "condescending", "condescending_mark", "mock", *TOPIC_CATEGORIES,
)
#: a reply to a troll longer than this (characters) is a defence, not a calm line
TROLL_REPLY_LIMIT = {"en": 220, "ko": 120}
#: points per component, used to place a score inside its level's band
POINTS = {"ack": 20, "specific": 25, "ownership": 15, "next_step": 25, "timeline": 10, "name": 5}
_EMPTY = MentionProfile(frozenset(), frozenset(), frozenset(), (), "")
_INTENTS = frozenset(INTENTS)
_ACK = ("apology", "generic_ack", "acknowledgement", "feeling", "passive_offer")
_WAY_FORWARD = ("next_step", "done_step", "question_step")
_NEXT = ("next_step", "done_step", "timeline", "timeline_phrase", "status_link", "question_step")
#: level-0 reasons, checked in this order: (categories, finding kind, message key)
_LEVEL0: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("dismissive", "dismissive_pattern"), "dismissive", "empathy.dismissive"),
    (("blame", "blame_should", "blame_next_time"), "blames_customer", "empathy.blames"),
    (("insult", "insult_guarded", "condescending", "condescending_mark"), "hostile",
     "empathy.hostile"),
    (("sarcasm", "sarcasm_mark"), "sarcastic", "empathy.sarcastic"),
)
_TROLL_LEVEL0 = (*_LEVEL0, (("argue", "mock"), "argues_with_troll", "empathy.argues_troll"))


@lru_cache(maxsize=4)
def _categories(language: str) -> tuple[str, ...]:
    lex = load_lexicon(language)
    return tuple(c for c in CATEGORIES if c in lex.phrases or c in lex.patterns)


@lru_cache(maxsize=8192)
def empathy_spans(low: str, language: str) -> Spans:
    """Every empathy phrase of a folded reply, by category (cached: `scoring.traps` reads the
    same spans; callers must not modify the result)."""
    return scanner(language, _categories(language)).scan(low)


#: a next step said in the first person is ownership too ("we've sent", Korean benefactive
#: "-해 드리다": "발송해 드리겠습니다" = "I will send it for you")
_FIRST_PERSON_STEP = {"en": ("i ", "i'", "we ", "we'", "let me", "let us"),
                      "ko": ("드리", "드릴", "드렸")}


def _owned_step(low: str, sp: Spans, language: str) -> tuple[int, int] | None:
    marks = _FIRST_PERSON_STEP.get(language, ())
    for a, b in sp.get("next_step", []) + sp.get("done_step", []):
        step = low[a:b]
        if (language == "ko" and any(m in step for m in marks)) or step.startswith(marks):
            return a, b
    return None


def suggestion_pattern(lex: Lexicon, persona: str, intent: str) -> str:
    """The rewrite pattern a better reply would follow for this persona or intent."""
    for key in (f"suggest.persona.{persona}", f"suggest.intent.{intent}", "suggest.default"):
        if key in lex.messages:
            return lex.messages[key]
    return ""


class _Evidence:
    """Builds the findings of one reply."""

    __slots__ = ("findings", "lex", "pattern", "text")

    def __init__(self, lex: Lexicon, text: str, pattern: str) -> None:
        self.lex, self.text, self.pattern = lex, text, pattern
        self.findings: list[Finding] = []

    def add(self, kind: str, message: str, span: tuple[int, int] | None, *,
            severity: Severity = "info", impact: float = 0.0, suggestion: str = "",
            **values: object) -> None:
        start, end = span if span else (-1, -1)
        text = self.text[start:end] if span else ""
        self.findings.append(Finding(
            dimension=DIMENSION, kind=kind, rule=f"empathy.{kind}",
            explanation=self.lex.message(message, text=text, **values),
            suggestion=suggestion, start=start, end=end, text=text, severity=severity,
            impact=impact))

    def lift(self) -> str:
        return self.lex.message("suggest.lift", pattern=self.pattern)

    def remove(self, span: tuple[int, int] | None) -> str:
        if span is None:
            return self.lift()
        return self.lex.message("suggest.remove", text=self.text[span[0]:span[1]],
                                pattern=self.pattern)


def _band(level: int, points: float) -> float:
    share = min(points, 100.0) / 100.0
    return round(40 + 30 * share if level == 1 else 75 + 25 * share, 1)


def _level0(ev: _Evidence, sp: Spans, persona: str, has_ack: bool,
            has_owner: bool) -> EmpathyAssessment | None:
    """Level 0 when a brush-off, blame, hostility or sarcasm is found, or a rule is quoted as a
    wall: without acknowledgement, ownership or a way forward (a time alone is part of the wall:
    "per our policy refunds take 14 days")."""
    checks = _TROLL_LEVEL0 if persona == "troll" else _LEVEL0
    for categories, kind, message in checks:
        span = first_span(sp, *categories)
        if span:
            ev.add(kind, message, span, severity="major", impact=95.0, suggestion=ev.remove(span))
            return EmpathyAssessment(0, 5.0, tuple(ev.findings), dismissive=True)
    wall = first_span(sp, "wall")
    if wall and not has_ack and not has_owner and not first_span(sp, *_WAY_FORWARD):
        ev.add("policy_wall", "empathy.wall", wall, severity="major", impact=95.0,
               suggestion=ev.remove(wall))
        return EmpathyAssessment(0, 5.0, tuple(ev.findings), dismissive=True)
    return None


def _trap_level0(ev: _Evidence, traps: Traps) -> EmpathyAssessment | None:
    """Level 0 for the traps of `scoring.traps`: sarcasm, polite dismissal, arguing."""
    for span, rule, kind, message in (
            (traps.sarcasm, traps.sarcasm_rule, "sarcastic", "traps.sarcasm"),
            (traps.dismissal, traps.dismissal_rule, "dismissive", "traps.dismissal"),
            (traps.arguing, traps.arguing_rule, "argues_with_troll", "traps.argues")):
        if span is not None:
            ev.add(kind, message, span, severity="major", impact=95.0, suggestion=ev.remove(span))
            ev.findings[-1] = dataclasses.replace(ev.findings[-1], rule=f"empathy.{rule}")
            return EmpathyAssessment(0, 5.0, tuple(ev.findings), dismissive=True)
    return None


def _praise(ev: _Evidence, sp: Spans, specific: tuple[int, int] | None,
            name: tuple[int, int] | None, low: str, language: str) -> EmpathyAssessment:
    # thanks on its own scan: inside a longer phrase ("말씀 감사", "thanks for reaching out") the
    # main scan files the words under acknowledgement
    thanks = first_span(scanner(language, ("thanks",)).scan(low), "thanks")
    warmth = first_span(sp, "warmth")
    if not thanks and not warmth:
        ev.add("no_thanks", "empathy.no_thanks", None, severity="major", impact=85.0,
               suggestion=ev.lift())
        return EmpathyAssessment(0, 15.0, tuple(ev.findings))
    level = 2 if (specific or name or (thanks and warmth)) else 1
    if thanks:
        ev.add("thanks_praise", "empathy.thanks_praise", thanks, impact=-40.0)
    if warmth:
        ev.add("warmth", "empathy.warmth", warmth, impact=-15.0)
    if specific:
        ev.add("names_problem", "empathy.names_problem", specific, impact=-15.0)
    if name:
        ev.add("personalised", "empathy.personalised", name, impact=-10.0)
    apology = first_span(sp, "apology", "generic_ack")
    if apology:
        level = min(level, 1)
        ev.add("robotic_apology", "empathy.robotic_apology", apology, severity="minor",
               impact=10.0, suggestion=ev.remove(apology))
    elif level == 1:
        ev.add("missing_specific", "empathy.missing.praise_detail", None, severity="minor",
               suggestion=ev.lift())
    score = 55.0 if level == 1 else 85.0 + 5 * bool(specific) + 5 * bool(name) + 5 * bool(warmth)
    return EmpathyAssessment(level, min(score, 100.0), tuple(ev.findings))


def _troll(ev: _Evidence, sp: Spans, language: str, helpful: bool) -> EmpathyAssessment:
    grovel = first_span(sp, "grovel")
    apologies = len(sp.get("apology", ())) + len(sp.get("generic_ack", ()))
    if grovel or apologies >= 2:
        span = grovel or first_span(sp, "apology", "generic_ack")
        ev.add("grovels_to_troll", "empathy.grovel", span, severity="minor", impact=50.0,
               suggestion=ev.remove(span))
        return EmpathyAssessment(1, 45.0, tuple(ev.findings))
    if len(ev.text) > TROLL_REPLY_LIMIT.get(language, 220):
        ev.add("long_reply_to_troll", "empathy.long_troll", None, severity="minor", impact=45.0,
               suggestion=ev.lift(), chars=len(ev.text))
        return EmpathyAssessment(1, 50.0, tuple(ev.findings))
    if helpful:
        span = first_span(sp, "next_step", "passive_offer", "acknowledgement", "apology",
                          "generic_ack", "ownership") or (0, len(ev.text))
        ev.add("calm_troll", "empathy.calm_troll", span, impact=-90.0)
        return EmpathyAssessment(2, 90.0, tuple(ev.findings))
    ev.add("missing_next_step", "empathy.missing.next_step", None, severity="minor",
           suggestion=ev.lift())
    return EmpathyAssessment(1, 45.0, tuple(ev.findings))


def assess_empathy(ctx: ReplyContext) -> EmpathyAssessment:
    """Empathy level (0/1/2), score (0-100) and evidence of one reply to ``ctx.mention_text``."""
    language = "ko" if ctx.language == "ko" else "en"
    lex = load_lexicon(language)
    text = ctx.reply_text
    low = fold(text)
    sp = empathy_spans(low, language)
    intent = ctx.intent if ctx.intent in _INTENTS else ""
    profile: MentionProfile | None = None
    if not intent and ctx.mention_text:
        profile = mention_profile(ctx.mention_text, language)
        intent = profile.intent
    persona = ctx.persona
    # only a thread's declared intent turns a neutral persona into praise or troll: a "thanks"
    # at the end of a question is not praise
    if persona == "neutral" and ctx.intent in ("praise", "abuse"):
        persona = "praise" if ctx.intent == "praise" else "troll"
    ev = _Evidence(lex, text, suggestion_pattern(lex, persona, intent))
    ack = first_span(sp, *_ACK) or (first_span(sp, "thanks") if persona != "praise" else None)
    owner = first_span(sp, "ownership") or _owned_step(low, sp, language)
    decided = _level0(ev, sp, persona, ack is not None, owner is not None)
    if decided is None:
        decided = _trap_level0(ev, find_traps(text, language, ctx.persona, ctx.intent,
                                              ctx.mention_text, ctx.customer_name))
    if decided is not None:
        return decided
    if profile is None:  # only now: level-0 replies never need the post's profile
        profile = mention_profile(ctx.mention_text, language) if ctx.mention_text else _EMPTY
    skip = sp.get("generic_ack", []) + sp.get("generic_topic", []) + sp.get("apology", [])
    specific = (first_span(sp, "feeling") or topic_span(sp, profile, intent)
                or overlap_span(low, profile, language, skip))
    name = name_span(text, low, ctx.customer_name, language)
    if persona == "praise":
        return _praise(ev, sp, specific, name, low, language)
    # evidence prefers an action ("DM us", "I've refunded") over a bare time
    step = first_span(sp, *_WAY_FORWARD) or first_span(sp, *_NEXT)
    if persona == "troll":
        # echoing a troll's words is often mockery ("Imagine not backing up..."), so naming their
        # "problem" does not count as help here; a way forward or an acknowledgement does
        helpful = bool(step or ack or owner)
        return _troll(ev, sp, language, helpful)
    if not (ack or step or specific or owner):
        ev.add("no_empathy", "empathy.none", None, severity="major", impact=85.0,
               suggestion=ev.lift())
        return EmpathyAssessment(0, 15.0, tuple(ev.findings))
    timeline = first_span(sp, "timeline", "timeline_phrase")
    level = 2 if step and owner and (specific or (name and ack)) else 1
    points = 0.0
    if specific:
        feeling = first_span(sp, "feeling") == specific
        ev.add("names_feeling" if feeling else "names_problem",
               "empathy.names_feeling" if feeling else "empathy.names_problem", specific,
               impact=-POINTS["specific"])
        points += POINTS["specific"]
    elif ack:
        ev.add("acknowledges", "empathy.acknowledges", ack, impact=-POINTS["ack"])
    if ack:
        points += POINTS["ack"]
    if owner:
        ev.add("ownership", "empathy.ownership", owner, impact=-POINTS["ownership"])
        points += POINTS["ownership"]
    if step:
        if step != timeline:  # a time alone is reported once, as the timeline
            ev.add("next_step", "empathy.next_step", step, impact=-POINTS["next_step"])
        points += POINTS["next_step"]
    if timeline:
        ev.add("timeline", "empathy.timeline", timeline, impact=-POINTS["timeline"])
        points += POINTS["timeline"]
    if name:
        ev.add("personalised", "empathy.personalised", name, impact=-POINTS["name"])
        points += POINTS["name"]
    if level == 1:
        missing = ("specific" if not specific and not (name and ack)
                   else "ownership" if not owner else "next_step")
        ev.add(f"missing_{missing}", f"empathy.missing.{missing}", None, severity="minor",
               suggestion=ev.lift())
    return EmpathyAssessment(level, _band(level, points), tuple(ev.findings))


class EmpathyDimension:
    """Empathy over a drill: every reply's level, their mean, a score and the findings to coach."""

    name = DIMENSION
    supports_judge: ClassVar[bool] = True

    def score(self, transcript: Sequence[Event], scenario: Scenario,
              judge: Judge | None = None) -> DimensionResult:
        replies = reply_contexts(transcript, scenario)
        if not replies:
            return DimensionResult(name=self.name, score=None, level=None,
                                   metrics={"replies": 0, "note": "no replies to assess"})
        levels: list[int] = []
        scores: list[float] = []
        findings: list[Finding] = []
        kinds: Counter[str] = Counter()
        judges: list[str] = []
        for item in replies:
            result = assess_empathy(item.context)
            if judge is not None:  # the LLM's verdict, or the offline one when it fails
                judged = judge.judge_empathy(item.context, result)
                result = judged.value
                judges.append(judged.judge)
            levels.append(result.level)
            scores.append(result.score)
            for finding in result.findings:
                kinds[finding.kind] += 1
                if finding.severity != "info":
                    findings.append(dataclasses.replace(
                        finding, event_id=item.event.event_id, thread_id=item.event.thread_id))
        count = len(levels)
        distribution = {str(level): levels.count(level) for level in (0, 1, 2)}
        return DimensionResult(
            name=self.name,
            score=round(sum(scores) / count, 1),
            level=round(sum(levels) / count, 3),
            findings=tuple(findings),
            metrics={"replies": count, "mean_level": round(sum(levels) / count, 3),
                     "distribution": distribution,
                     "share_level_2": round(distribution["2"] / count, 3),
                     "dismissive_replies": distribution["0"], "finding_kinds": dict(kinds)},
            judge=judge_label(judges),
        )

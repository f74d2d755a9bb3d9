"""The replies that turn into screenshots although every word is polite: sarcasm aimed at the
customer's problem, polite dismissal that never acknowledges it, and arguing with a troll.

A phrase list cannot settle these (the same "enjoy" is warm to a fan and cruel to someone stuck
at a gate), so `find_traps` combines evidence (``lexicons/<language>/traps.yaml``) with the
reply's structure and the customer's post:

- **sarcasm**: a set ironic phrase; or, with no apology or sympathy anywhere in the reply, a
  positive word aimed at the complaint (the sentence echoes the post) or next to a winking
  emoji; in Korean, a sentence whose ending infers or presumes about the customer ("-나 봐요",
  "-겠네요", "-군요", "-잖아요", "-지 않을까요?", found by kiwipiepy in `scoring.korean`) with a
  positive word or mocking laughter, or laughter at a complaint with no apology at all;
- **dismissal**: to a complaint (not praise, not a troll), no apology, sympathy or owned next
  step, and a rule quoted, a referral elsewhere, "as we said before", a denial of the problem, a
  bare refusal, or nothing but thanks and a sign-off;
- **arguing** (trolls; corrections also to journalists): a correction ("that's not accurate",
  "사실과 다릅니다"), a boast or statistic, mockery, or a contrast that defends the brand
  ("..., but our customers...", "-지만 저희는...").

Results are cached by (reply, language, persona, intent, post): the empathy and tone assessors
both ask, and a drill repeats replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from scoring import korean
from scoring.lexicon import Spans, first_span, fold, load_lexicon, scanner
from scoring.specificity import mention_profile, overlap_span

TRAP_CATEGORIES = ("trap_irony", "trap_irony_pattern", "trap_truth_denied", "trap_rank",
                   "trap_spin", "trap_policy", "trap_referral", "trap_repeat",
                   "trap_reproach", "trap_denial", "trap_refusal", "trap_closer",
                   "trap_correction", "trap_boast", "trap_mock", "trap_contrast", "trap_stat",
                   "trap_wink")
#: empathy categories that acknowledge the customer or commit to helping them
_ACK = ("apology", "generic_ack", "acknowledgement", "feeling", "grovel")
_HELP = ("ownership", "next_step", "done_step", "question_step", "passive_offer", "timeline")
#: a concrete step or time for the customer (ownership words alone, "we're", are everywhere)
_STEPS = ("next_step", "done_step", "question_step", "passive_offer", "timeline")
_DISMISSAL_CUES = ("trap_policy", "trap_referral", "trap_repeat", "trap_reproach",
                   "trap_denial", "trap_refusal")
_SELF = re.compile(r"\b(?:we|we're|we've|our|ours|us)\b|저희|당사")
#: laughing or winking at a troll is mockery
_MOCKING = re.compile(r"ㅎㅎ|ㅋㅋ|[😂🤣😄😆😉😜😏🙃]|\b(?:lol|lmao|haha)\b")
_DIGIT = re.compile(r"\d")
_SECOND_PERSON = {"en": re.compile(r"\b(?:you|your|you're|you've|you'll|yours|you'd)\b"),
                  "ko": re.compile(r"님|귀하")}
#: impersonal statements of how things work: passives and rule verbs (English; Korean passives
#: come from kiwipiepy)
_IMPERSONAL_EN = re.compile(
    r"\b(?:is|are|was|were|be|been|being|gets?|got)\s+(?:\w+ly\s+)?(?:\w+ed|\w+en|paid|made|"
    r"sent|set|held|kept|shown|known|built)\b|\b\w+ed\s+by\b|"
    r"\b(?:reflects?|follows?|applies|apply|depends?|varies|vary|determines?|governs?)\b")
#: personas whose post is not a complaint to acknowledge
_NOT_COMPLAINTS = frozenset({"praise", "troll"})
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
#: laughter at a complaint ("^^" is also a polite smile in Korean care, so it is not here)
_LAUGH = re.compile(r"ㅎㅎ|ㅋㅋ")
#: a question about the customer (honorific 시) answered with a laugh: "그렇게 어려우셨어요? ㅎㅎ"
_MOCKING_QUESTION = re.compile(r"[가-힣]*(?:시|셨|세)[가-힣]*\?\s*(?:ㅎㅎ|ㅋㅋ)")
_WORD = re.compile(r"[\w']+")
#: first-person words that make a step the brand's own ("we'll", "I've", "제가", "드리겠")
_FIRST_PERSON = {"en": re.compile(r"\b(?:i|we|i'll|we'll|i've|we've|let me|let us|our team)\b"),
                 "ko": re.compile(r"드리|드릴|드렸|제가|저희가|해 드|하겠습니다|할게요|하겠")}


@dataclass(frozen=True, slots=True)
class Traps:
    """Where a reply falls into each trap (None: it does not), with the rule that decided."""

    sarcasm: tuple[int, int] | None = None
    sarcasm_rule: str = ""
    dismissal: tuple[int, int] | None = None
    dismissal_rule: str = ""
    arguing: tuple[int, int] | None = None
    arguing_rule: str = ""
    #: the dismissal talks down to the customer ("as we said before"): off-brand as well
    condescending: bool = False


NO_TRAPS = Traps()


@lru_cache(maxsize=4)
def _categories(language: str) -> tuple[str, ...]:
    lex = load_lexicon(language)
    return tuple(c for c in TRAP_CATEGORIES if c in lex.phrases or c in lex.patterns)


def _spans(low: str, language: str) -> Spans:
    """Trap evidence plus the empathy scan's acknowledgements and steps (one shared scan)."""
    from scoring.empathy import empathy_spans

    sp = scanner(language, _categories(language)).scan(low)
    shared = empathy_spans(low, language)
    # words inside a brush-off are part of it: "nothing to WORRY about", "택배사로 문의해 주세요"
    cues = [span for c in ("trap_closer", *_DISMISSAL_CUES) for span in sp.get(c, ())]
    for category in _ACK + _HELP + ("thanks",):
        kept = [(a, b) for a, b in shared.get(category, ())
                if not any(a < cb and ca < b for ca, cb in cues)]
        if kept:
            sp[category] = kept
    return sp


def _sentences(low: str) -> list[tuple[int, int]]:
    return [m.span() for m in _SENTENCE.finditer(low)]


def _within(span: tuple[int, int], sentence: tuple[int, int]) -> bool:
    return sentence[0] <= span[0] < sentence[1]


def _in_sentence(sp: Spans, category: str, sentence: tuple[int, int]) -> tuple[int, int] | None:
    return next((s for s in sp.get(category, ()) if _within(s, sentence)), None)


def _echoes(low: str, sentence: tuple[int, int], mention: str, language: str) -> bool:
    """Whether a sentence of the reply repeats a content word or number of the customer's post."""
    if not mention:
        return False
    profile = mention_profile(mention, language)
    return overlap_span(low[sentence[0]:sentence[1]], profile, language, []) is not None


def _owned_help(low: str, sp: Spans, language: str) -> bool:
    if sp.get("ownership"):
        return True
    marks = _FIRST_PERSON.get(language)
    for category in ("next_step", "done_step", "question_step", "passive_offer"):
        for a, b in sp.get(category, ()):
            sentence = next((s for s in _sentences(low) if _within((a, b), s)), (a, b))
            if marks is not None and marks.search(low, sentence[0], sentence[1]):
                return True
            if category in ("question_step", "passive_offer"):
                return True
    return False


def _closer_only(low: str, sp: Spans) -> tuple[int, int] | None:
    """A reply of thanks and sign-offs only ("We appreciate your feedback. Have a great day!")."""
    closers = sp.get("trap_closer", [])
    if not closers:
        return None
    rest = low
    for a, b in sorted(closers, reverse=True):
        rest = rest[:a] + " " + rest[b:]
    words = [w for w in _WORD.findall(rest) if not w.startswith("@")]
    return closers[0] if len(words) < 3 else None


def _sarcasm_en(low: str, sp: Spans, mention: str, persona: str, acknowledged: bool,
                helps: bool) -> tuple[tuple[int, int], str] | None:
    irony = first_span(sp, "trap_irony")
    if irony:
        return irony, "traps.sarcasm.irony"
    surprise = first_span(sp, "trap_irony_pattern")
    if surprise:
        return surprise, "traps.sarcasm.mock_surprise"
    if acknowledged or persona == "praise" or helps:  # warm words to a fan are just warm
        return None
    for sentence in _sentences(low):
        spin = _in_sentence(sp, "trap_spin", sentence)
        wink = _in_sentence(sp, "trap_wink", sentence)
        echo = _echoes(low, sentence, mention, "en")
        if spin is not None and (wink is not None or echo or first_span(sp, "trap_wink")):
            return spin, "traps.sarcasm.spin"
        if wink is not None and echo:
            return wink, "traps.sarcasm.wink_at_complaint"
    return None


def _sarcasm_ko(text: str, low: str, sp: Spans, persona: str, acknowledged: bool,
                helps: bool) -> tuple[tuple[int, int], str] | None:
    irony = first_span(sp, "trap_irony")
    if irony:
        return irony, "traps.sarcasm.irony"
    if acknowledged:
        return None
    laugh = _LAUGH.search(text)
    wink = first_span(sp, "trap_wink")
    mocking = _MOCKING_QUESTION.search(text)
    if mocking is not None:
        return mocking.span(), "traps.sarcasm.mocking_question"
    if korean.may_hold_construction(text) and (laugh or wink or sp.get("trap_spin")):
        for s in korean.analyse(text) or ():
            constructed = s.inference or s.presumptive or s.discovery or s.rhetorical or s.reproach
            if not constructed:
                continue
            spin = _in_sentence(sp, "trap_spin", (s.start, s.end))
            if spin is not None or (laugh is not None and persona != "praise") or (
                    wink is not None and s.honorific):
                return (spin or (s.start, s.end)), "traps.sarcasm.ending"
    if laugh is not None and not helps and (
            persona != "praise" or ("?" in text and not sp.get("thanks"))):
        return laugh.span(), "traps.sarcasm.laughter"
    spin, wink = first_span(sp, "trap_spin"), first_span(sp, "trap_wink")
    if spin is not None and wink is not None and persona != "praise" and not helps:
        return spin, "traps.sarcasm.spin"
    return None


def _arguing(text: str, low: str, sp: Spans, language: str, persona: str,
             steps: bool) -> tuple[tuple[int, int], str] | None:
    correction = first_span(sp, "trap_correction", "trap_truth_denied")
    if correction:
        return correction, "traps.argues.correction"
    if language == "ko" and "사실" in text:  # "사실과 달라요": the lemma, not the spelling
        for s in korean.analyse(text) or ():
            if s.truth_denied:
                return (s.start, s.end), "traps.argues.correction"
    if persona != "troll":
        return None
    mocking = _MOCKING.search(low)
    # laughing at a troll with nothing to offer ("Touché 😄 if anything's broken, DM us" offers)
    if mocking is not None and not steps and not any(sp.get(c) for c in _ACK):
        return mocking.span(), "traps.argues.mockery"
    for sentence in _sentences(low):
        rank = _in_sentence(sp, "trap_rank", sentence)
        if rank is not None and _SELF.search(low, sentence[0], sentence[1]):
            return rank, "traps.argues.boast"
    for category, rule in (("trap_mock", "mockery"), ("trap_boast", "boast"),
                           ("trap_stat", "statistic"), ("trap_irony", "mockery"),
                           ("trap_denial", "denial")):
        span = first_span(sp, category)
        if span:
            return span, f"traps.argues.{rule}"
    for sentence in _sentences(low):
        contrast = _in_sentence(sp, "trap_contrast", sentence)
        if contrast is not None and re.search(r"\b(?:we|our|we're|we've)\b|저희",
                                              low[contrast[1]:sentence[1]]):
            return contrast, "traps.argues.contrast"
    if language == "ko" and korean.may_hold_construction(text):
        for s in korean.analyse(text) or ():
            if s.reproach or (s.rhetorical and not sp.get("next_step")):
                return (s.start, s.end), "traps.argues.ending"
    return None


@lru_cache(maxsize=8192)
def find_traps(text: str, language: str, persona: str, intent: str, mention: str,
               customer_name: str = "") -> Traps:
    """The traps ``text`` (a reply to ``mention`` by ``customer_name``) falls into (see the
    module docstring)."""
    language = "ko" if language == "ko" else "en"
    if persona == "neutral" and intent in ("praise", "abuse"):
        persona = "praise" if intent == "praise" else "troll"
    low = fold(text)
    sp = _spans(low, language)
    # "양해 부탁드립니다", "thanks for understanding": sign-offs, not acknowledgements
    acknowledged = any(sp.get(c) for c in _ACK)
    if persona == "troll" or (persona == "journalist" and sp.get("trap_correction")):
        steps = any(sp.get(c) for c in _STEPS)
        found = _arguing(text, low, sp, language, persona, steps)
        if found is None:
            return NO_TRAPS
        return Traps(arguing=found[0], arguing_rule=found[1])
    helps = _owned_help(low, sp, language)
    # Irony needs something to be ironic about: a post, an upset persona or a complaint intent.
    # Chat with no post ("맛있어 보이네요") keeps only the set ironic phrases.
    complaint = bool(mention) or persona not in ("neutral", "praise") or intent not in (
        "", "praise", "product_question")
    if not complaint:
        irony = first_span(sp, "trap_irony", "trap_irony_pattern")
        return NO_TRAPS if irony is None else Traps(sarcasm=irony,
                                                     sarcasm_rule="traps.sarcasm.irony")
    steps = any(sp.get(c) for c in _STEPS)
    sarcasm = (_sarcasm_ko(text, low, sp, persona, acknowledged, steps) if language == "ko"
               else _sarcasm_en(low, sp, mention, persona, acknowledged, steps))
    if sarcasm is not None:
        return Traps(sarcasm=sarcasm[0], sarcasm_rule=sarcasm[1])
    if persona in _NOT_COMPLAINTS or intent == "praise" or acknowledged:
        return NO_TRAPS
    # "as we said before" dismisses even when a step follows; other cues only without one
    cue = first_span(sp, "trap_repeat", "trap_reproach")
    rule = "traps.dismissal"
    if cue is None and not helps:
        cue = first_span(sp, *_DISMISSAL_CUES) or _closer_only(low, sp)
        if cue is None and intent != "product_question":
            cue = _impersonal(text, low, sp, language, customer_name)
            rule = "traps.dismissal.impersonal"
    if cue is None:
        return NO_TRAPS
    return Traps(dismissal=cue, dismissal_rule=rule,
                 condescending=bool(sp.get("trap_reproach")))


def _impersonal(text: str, low: str, sp: Spans, language: str,
                name: str) -> tuple[int, int] | None:
    """A reply that only states how things work, in the passive or as a rule, never addressing
    the customer (sign-offs aside) or asking anything ("Premiums are recalculated at each
    renewal.", "배송지는 판매처 정보로 처리됩니다")."""
    body = low
    for a, b in sorted(sp.get("trap_closer", ()), reverse=True):
        body = body[:a] + " " * (b - a) + body[b:]
    # a question, the customer addressed, or a figure ("refunds take 5-7 days" informs)
    if "?" in text or _SECOND_PERSON[language].search(body) or _DIGIT.search(text):
        return None
    if name and any(len(part) >= 2 and fold(part) in low for part in name.split()):
        return None
    if language == "ko":
        if not korean.may_be_impersonal(text):
            return None
        for s in korean.analyse(text) or ():
            if s.passive or s.according:
                return s.start, s.end
        return None
    m = _IMPERSONAL_EN.search(low)
    return m.span() if m else None

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

TRAP_CATEGORIES = ("trap_irony", "trap_spin", "trap_policy", "trap_referral", "trap_repeat",
                   "trap_reproach", "trap_denial", "trap_refusal", "trap_closer",
                   "trap_correction", "trap_boast", "trap_mock", "trap_contrast", "trap_stat",
                   "trap_wink")
#: empathy categories that acknowledge the customer or commit to helping them
_ACK = ("apology", "generic_ack", "acknowledgement", "feeling", "grovel")
_HELP = ("ownership", "next_step", "done_step", "question_step", "passive_offer")
_DISMISSAL_CUES = ("trap_policy", "trap_referral", "trap_repeat", "trap_reproach",
                   "trap_denial", "trap_refusal")
_ARGUING_CUES = ("trap_correction", "trap_mock", "trap_boast", "trap_stat")
#: personas whose post is not a complaint to acknowledge
_NOT_COMPLAINTS = frozenset({"praise", "troll"})
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
#: laughter at a complaint ("^^" is also a polite smile in Korean care, so it is not here)
_LAUGH = re.compile(r"ㅎㅎ|ㅋㅋ")
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
    wanted = TRAP_CATEGORIES + _ACK + _HELP
    return tuple(c for c in wanted if c in lex.phrases or c in lex.patterns)


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


def _sarcasm_en(low: str, sp: Spans, mention: str, persona: str,
                acknowledged: bool) -> tuple[tuple[int, int], str] | None:
    irony = first_span(sp, "trap_irony")
    if irony:
        return irony, "traps.sarcasm.irony"
    if acknowledged or persona == "praise":  # warm words to a fan are just warm
        return None
    wink = first_span(sp, "trap_wink")
    for sentence in _sentences(low):
        spin = _in_sentence(sp, "trap_spin", sentence)
        if spin is None:
            continue
        if wink is not None or _echoes(low, sentence, mention, "en"):
            return spin, "traps.sarcasm.spin"
    return None


def _sarcasm_ko(text: str, low: str, sp: Spans, persona: str,
                acknowledged: bool) -> tuple[tuple[int, int], str] | None:
    irony = first_span(sp, "trap_irony")
    if irony:
        return irony, "traps.sarcasm.irony"
    if acknowledged:
        return None
    laugh = _LAUGH.search(text)
    wink = first_span(sp, "trap_wink")
    if korean.may_hold_construction(text) and (laugh or wink or sp.get("trap_spin")):
        for s in korean.analyse(text) or ():
            constructed = s.inference or s.presumptive or s.discovery or s.rhetorical or s.reproach
            if not constructed:
                continue
            spin = _in_sentence(sp, "trap_spin", (s.start, s.end))
            if spin is not None or (laugh is not None and persona != "praise") or (
                    wink is not None and s.honorific):
                return (spin or (s.start, s.end)), "traps.sarcasm.ending"
    if laugh is not None and persona != "praise":
        return laugh.span(), "traps.sarcasm.laughter"
    return None


def _arguing(text: str, low: str, sp: Spans, language: str,
             persona: str) -> tuple[tuple[int, int], str] | None:
    correction = first_span(sp, "trap_correction")
    if correction:
        return correction, "traps.argues.correction"
    if persona != "troll":
        return None
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
def find_traps(text: str, language: str, persona: str, intent: str, mention: str) -> Traps:
    """The traps ``text`` (a reply to ``mention``) falls into (see the module docstring)."""
    language = "ko" if language == "ko" else "en"
    if persona == "neutral" and intent in ("praise", "abuse"):
        persona = "praise" if intent == "praise" else "troll"
    low = fold(text)
    sp = scanner(language, _categories(language)).scan(low)
    # "양해 부탁드립니다", "thanks for understanding": sign-offs, not acknowledgements
    closers = set(sp.get("trap_closer", ()))
    acknowledged = any(span not in closers for c in _ACK for span in sp.get(c, ()))
    if persona == "troll" or (persona == "journalist" and sp.get("trap_correction")):
        found = _arguing(text, low, sp, language, persona)
        if found is None:
            return NO_TRAPS
        return Traps(arguing=found[0], arguing_rule=found[1])
    sarcasm = (_sarcasm_ko(text, low, sp, persona, acknowledged) if language == "ko"
               else _sarcasm_en(low, sp, mention, persona, acknowledged))
    if sarcasm is not None:
        return Traps(sarcasm=sarcasm[0], sarcasm_rule=sarcasm[1])
    if persona in _NOT_COMPLAINTS or intent == "praise" or acknowledged:
        return NO_TRAPS
    # "as we said before" dismisses even when a step follows; other cues only without one
    cue = first_span(sp, "trap_repeat", "trap_reproach")
    if cue is None and not _owned_help(low, sp, language):
        cue = first_span(sp, *_DISMISSAL_CUES) or _closer_only(low, sp)
    if cue is None:
        return NO_TRAPS
    return Traps(dismissal=cue, dismissal_rule="traps.dismissal",
                 condescending=bool(sp.get("trap_reproach")))

"""Tone of a reply against the brand voice (``assess_tone``): rudeness, sarcasm, register,
shouting, arguing with trolls, blame, over-promising and the brand's own rules, with the words as
evidence.

Severities: ``critical`` (insults, profanity); ``major`` (off-brand: a formal brand in 반말 or
slang, sarcasm, blame, arguing with a troll, an absolute promise, a banned phrase...); ``minor``
(a slip worth a coaching note: one stiff phrase in a friendly voice, "!!!", a missing signature).
``on_brand`` is true exactly when no finding is ``major`` or ``critical``. The session dimension
(consistency over a drill, incident facts) lives in ``scoring.tone_session``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from engine.records import ReplyContext
from engine.scenario import Brand, IncidentFacts
from scoring.lexicon import Lexicon, fold, load_lexicon, pattern
from scoring.records import Finding, Severity, ToneAssessment
from scoring.specificity import infer_intent
from scoring.tone_features import ToneSignals, extract, features, is_signed
from scoring.traps import Traps, find_traps

DIMENSION = "tone"
VOICES = ("friendly", "formal", "playful")
#: the emoji policy a voice implies when no brand is given
DEFAULT_EMOJI_POLICY = {"formal": "none", "friendly": "sparing", "playful": "encouraged"}
#: intents whose fix times and compensation depend on the incident facts
INCIDENT_INTENTS = frozenset({"outage", "delay", "security"})
#: a reply to a troll longer than this (characters) is a defence, not a calm line; Korean packs
#: about twice the meaning per character
TROLL_REPLY_LIMIT = {"en": 220, "ko": 120}
#: points a finding takes off the 0-100 tone score, by severity
PENALTY: dict[str, float] = {"critical": 45.0, "major": 25.0, "minor": 8.0, "info": 0.0}
#: personas to whom jokes and slang read as not taking them seriously
SERIOUS_PERSONAS = frozenset({"angry", "vip", "journalist"})


@dataclass(frozen=True, slots=True)
class FactsAtReply:
    """The incident facts in force when a reply was sent (``facts`` None: no incident yet)."""

    facts: IncidentFacts | None
    minute: float


def _quoted(text: str, spans: list[tuple[int, int]], limit: int = 3) -> str:
    seen: list[str] = []
    for a, b in sorted(spans):
        word = text[a:b].strip()
        if word and word not in seen:
            seen.append(word)
        if len(seen) == limit:
            break
    return ", ".join(f"“{w}”" for w in seen)


class _Builder:
    """Collects findings for one reply (keeps the assessor's body flat and allocation-light)."""

    __slots__ = ("findings", "lex", "text", "voice", "voice_label")

    def __init__(self, lex: Lexicon, text: str, voice: str) -> None:
        self.lex, self.text, self.voice = lex, text, voice
        #: the voice as the trainee's language says it ("formal" / "격식 있는")
        self.voice_label = lex.messages.get(f"voice.{voice}", voice)
        self.findings: list[Finding] = []

    def add(self, kind: str, rule: str, severity: Severity, span: tuple[int, int] | None,
            message: str, suggestion: str, **values: object) -> None:
        start, end = span if span else (-1, -1)
        text = self.text[start:end] if span else ""
        self.findings.append(Finding(
            dimension=DIMENSION, kind=kind, rule=rule,
            explanation=self.lex.message(message, text=text, voice=self.voice_label, **values),
            suggestion=self.lex.message(suggestion, text=text, voice=self.voice_label),
            start=start, end=end, text=text, severity=severity, impact=PENALTY[severity]))


def _inside(span: tuple[int, int], covers: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in covers)


def _conduct(b: _Builder, s: ToneSignals, persona: str, language: str) -> list[tuple[int, int]]:
    """Rude, sarcastic, blaming and troll-arguing words; returns their spans."""
    sp = s.spans
    used: list[tuple[int, int]] = []
    for category in ("insult", "insult_guarded"):
        for span in sp.get(category, ()):
            b.add("rude", "tone.rude.insult", "critical", span, "tone.rude", "suggest.rude")
            used.append(span)
    for category in ("condescending", "condescending_mark"):
        for span in sp.get(category, ()):
            if not _inside(span, used):
                b.add("rude", "tone.rude.condescending", "major", span, "tone.condescending",
                      "suggest.rude")
                used.append(span)
    mild_severity: Severity = "major" if b.voice == "formal" else "minor"
    for span in sp.get("mild_profanity", ()):
        b.add("rude", "tone.rude.mild", mild_severity, span, "tone.mild_profanity",
              "suggest.rude")
        used.append(span)
    sarcasm = sp.get("sarcasm", []) + sp.get("sarcasm_mark", [])
    if sarcasm:
        span = min(sarcasm)
        b.add("sarcastic", "tone.sarcasm", "major", span, "tone.sarcastic", "suggest.sarcastic")
        used.extend(sarcasm)
    blame = sp.get("blame", []) + sp.get("blame_should", []) + sp.get("blame_next_time", [])
    if blame:
        b.add("blames_customer", "tone.blame", "major", blame[0], "tone.blames_customer",
              "suggest.blames_customer")
        used.extend(blame)
    if persona == "troll":
        argue = sp.get("argue", []) + sp.get("mock", [])
        if argue:
            used.extend(argue)
            b.add("argues_with_troll", "tone.troll.argue", "major", min(argue),
                  "tone.argues_with_troll", "suggest.argues_with_troll")
        elif len(b.text) > TROLL_REPLY_LIMIT.get(language, 220):
            b.add("argues_with_troll", "tone.troll.long_defence", "minor", None,
                  "tone.long_defensive", "suggest.argues_with_troll", chars=len(b.text))
    return used


def _apply_traps(s: ToneSignals, traps: Traps, persona: str) -> str:
    """Add the structural evidence of `scoring.traps` to the phrase spans (sarcasm, arguing,
    condescension); returns the persona to judge conduct by (a journalist argued with is treated
    like a troll argued with)."""
    sp = s.spans
    if traps.sarcasm is not None and not sp.get("sarcasm"):
        sp["sarcasm"] = [traps.sarcasm]
    if traps.arguing is not None and not (sp.get("argue") or sp.get("mock")):
        sp["argue"] = [traps.arguing]
    if traps.condescending and traps.dismissal is not None and not sp.get("condescending"):
        sp["condescending"] = [traps.dismissal]
    if traps.arguing is not None and persona == "journalist":
        return "troll"
    return persona


def _register(b: _Builder, s: ToneSignals, persona: str, language: str,
              used: list[tuple[int, int]]) -> None:
    """Too informal or too stiff for the voice (emoji are judged by the emoji policy)."""
    sp, voice = s.spans, b.voice

    def kept(*categories: str) -> list[tuple[int, int]]:
        return [x for c in categories for x in sp.get(c, ()) if not _inside(x, used)]

    strong, casual = kept("slang_strong"), kept("casual")
    address = kept("informal_address")
    formal_suggestion = ("suggest.too_informal.formal" if voice == "formal"
                         else "suggest.too_informal")
    if address:
        b.add("too_informal", "tone.register.informal_address", "major", address[0],
              "tone.too_informal_address", formal_suggestion)
    if language == "ko":
        banmal = [x for x in s.banmal if not _inside(x, used) and not _inside(x, address)]
        laugh, soft = kept("laugh"), kept("soft_laugh")
        tildes = [x for x in soft if b.text[x[0]] == "~"]
        soft = [x for x in soft if b.text[x[0]] != "~"]
        if voice == "formal":
            points = (2 * len(banmal) + 2 * len(strong) + len(casual) + len(soft) + 2 * len(laugh)
                      + 0.5 * len(tildes) + len(s.cute))
            severity: Severity | None = "major" if points >= 1 else None
        elif banmal:
            severity = "major" if voice == "friendly" else "minor"
        elif strong or laugh:
            severity = "major" if len(strong) >= 2 else "minor"
            if voice == "playful":
                severity = None
        else:
            severity = None
        if severity and banmal:
            b.add("too_informal", "tone.register.banmal", severity, banmal[0],
                  "tone.too_informal_banmal", formal_suggestion)
        elif severity:
            markers = strong + casual + laugh + soft + tildes + s.cute
            b.add("too_informal", "tone.register.informal", severity, min(markers),
                  "tone.too_informal", formal_suggestion, quoted=_quoted(b.text, markers))
    else:
        runs = [x for x in s.exclaim_runs if x[1] - x[0] == 2]
        if voice == "formal":
            points = 2 * len(strong) + len(casual) + 0.25 * s.count("contraction") + len(runs)
            severity = "major" if points >= 2 else "minor" if points >= 1 else None
            markers = strong + casual + runs
        elif voice == "friendly" and strong:
            severity = "major" if len(strong) >= 3 or persona in SERIOUS_PERSONAS else "minor"
            markers = strong
        else:
            severity, markers = None, []
        if severity and markers:
            serious = voice == "friendly" and persona in SERIOUS_PERSONAS
            b.add("too_informal", "tone.register.informal", severity, min(markers),
                  "tone.too_informal_persona" if serious else "tone.too_informal",
                  formal_suggestion, quoted=_quoted(b.text, markers))
    stiff = kept("stiff")
    if stiff and voice != "formal":
        limit = 3 if voice == "friendly" else 2
        b.add("too_stiff", "tone.register.stiff", "major" if len(stiff) >= limit else "minor",
              stiff[0], "tone.too_stiff", "suggest.too_stiff", quoted=_quoted(b.text, stiff))


def _shouting(b: _Builder, s: ToneSignals) -> None:
    words = s.caps_words
    if len(words) >= 3 or (s.caps_ratio >= 0.6 and s.caps_letters >= 8):
        span = (words[0][0], words[-1][1]) if words else None
        b.add("shouting", "tone.shouting.caps", "major", span, "tone.shouting", "suggest.shouting")
    elif len(words) == 2:
        b.add("shouting", "tone.shouting.caps", "minor", (words[0][0], words[1][1]),
              "tone.shouting", "suggest.shouting")
    runs = [x for x in s.exclaim_runs if x[1] - x[0] >= 3]
    if runs:
        b.add("shouting", "tone.shouting.exclamations", "minor", runs[0], "tone.exclamations",
              "suggest.shouting")


def _sentence(low: str, span: tuple[int, int]) -> tuple[int, int]:
    """Start and end of the sentence around ``span``."""
    start = max(low.rfind(ch, 0, span[0]) for ch in ".!?\n") + 1
    ends = [i for i in (low.find(ch, span[1]) for ch in ".!?\n") if i >= 0]
    return start, min(ends) if ends else len(low)


def _in_sentence(s: ToneSignals, span: tuple[int, int], category: str, language: str) -> bool:
    start, end = _sentence(s.low, span)
    return any(start <= a and b <= end for a, b in s.context(language).get(category, ()))


def _hedged(s: ToneSignals, span: tuple[int, int], language: str) -> bool:
    return _in_sentence(s, span, "hedge", language)


def _committed(s: ToneSignals, span: tuple[int, int], language: str) -> bool:
    """A promise word counts when its sentence commits to something and does not negate it
    ("we can't guarantee...", "보장할 수 없습니다" are honest replies)."""
    start, end = _sentence(s.low, span)
    negation = pattern(language, "negation")
    if negation is not None:
        # English negates before the word, Korean after it
        window = s.low[start:span[0]] if language != "ko" else s.low[span[1]:end]
        if negation.search(window):
            return False
    # Korean promise words (보장, 약속드립니다, 무조건) carry the commitment themselves
    return language == "ko" or _in_sentence(s, span, "commitment", language)


_TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|시)?")


def _eta_supported(promise: str, eta: str) -> bool:
    """Whether the promised time matches the announced ETA (same clock numbers)."""
    said = {m.group(1) + (m.group(2) or "") for m in _TIME.finditer(promise)}
    known = {m.group(1) + (m.group(2) or "") for m in _TIME.finditer(eta)}
    return bool(said & known)


def _promises(b: _Builder, s: ToneSignals, intent: str, at: FactsAtReply | None,
              language: str) -> None:
    sp = s.spans
    for span in [x for x in sp.get("guarantee", ()) if _committed(s, x, language)][:1]:
        b.add("over_promise", "tone.over_promise.guarantee", "major", span,
              "tone.over_promise.guarantee", "suggest.over_promise")
    incident = not intent or intent in INCIDENT_INTENTS
    if not incident:
        return
    facts = at.facts if at else None
    for span in sp.get("fix_time", ())[:1]:
        if at is None:
            if not _hedged(s, span, language):
                b.add("over_promise", "tone.over_promise.fix_time", "major", span,
                      "tone.over_promise.fix_time", "suggest.over_promise")
        elif not (facts and facts.eta):
            b.add("over_promise", "tone.over_promise.fix_time_facts", "major", span,
                  "tone.over_promise.fix_time_no_eta", "suggest.over_promise",
                  minute=f"{at.minute:g}")
        elif not _eta_supported(s.low[span[0]:span[1]], facts.eta):
            b.add("over_promise", "tone.over_promise.fix_time_facts", "major", span,
                  "tone.over_promise.fix_time_facts", "suggest.over_promise",
                  minute=f"{at.minute:g}", eta=facts.eta)
    comp = [x for x in sp.get("compensation", ())
            if not _hedged(s, x, language) and _in_sentence(s, x, "commitment", language)]
    if comp:
        if at is None:
            b.add("over_promise", "tone.over_promise.compensation", "major", comp[0],
                  "tone.over_promise.compensation", "suggest.over_promise")
        elif not (facts and facts.compensation):
            b.add("over_promise", "tone.over_promise.compensation_facts", "major", comp[0],
                  "tone.over_promise.compensation_facts", "suggest.over_promise",
                  minute=f"{at.minute:g}")


@lru_cache(maxsize=64)
def _banned_regex(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    items = [re.escape(fold(p).strip()) for p in phrases if p.strip()]
    return re.compile("|".join(sorted(items, key=len, reverse=True))) if items else None


def _brand_rules(b: _Builder, s: ToneSignals, brand: Brand | None, channel: str) -> None:
    if brand is None:
        policy = DEFAULT_EMOJI_POLICY.get(b.voice, "sparing")
        kind, rule, message = "too_informal", "tone.emoji.voice", "tone.too_informal_emoji"
    else:
        policy = brand.emoji
        kind, rule, message = "emoji_policy", "tone.emoji.policy", "tone.emoji_policy"
        if brand.banned_phrases:
            regex = _banned_regex(tuple(brand.banned_phrases))
            if regex is not None:
                for m in regex.finditer(s.low):
                    b.add("banned_phrase", "tone.brand.banned_phrase", "major", m.span(),
                          "tone.banned_phrase", "suggest.banned_phrase")
        if brand.sign_with_initials and channel == "public" and not is_signed(b.text):
            b.add("missing_signature", "tone.brand.signature", "minor", None,
                  "tone.missing_signature", "suggest.missing_signature")
    count = len(s.emoji)
    severity: Severity | None = None
    if policy == "none" and count:
        severity = "major"
    elif policy == "sparing" and count >= 2:
        severity = "major" if count >= 3 else "minor"
    if severity:
        allowed = b.lex.messages.get(f"emoji.allowed.{policy}", policy)
        b.add(kind, rule, severity, s.emoji[0], message, "suggest.emoji_policy", count=count,
              policy=policy, allowed=allowed)


def assess(ctx: ReplyContext, brand: Brand | None = None,
           at: FactsAtReply | None = None) -> ToneAssessment:
    """``assess_tone`` with the incident facts in force (``at``), as the session dimension uses."""
    language = "ko" if ctx.language == "ko" else "en"
    voice = brand.voice if brand is not None else ctx.brand_voice
    if voice not in VOICES:
        voice = "friendly"
    text = ctx.reply_text
    lex = load_lexicon(language)
    signals = extract(text, language)
    builder = _Builder(lex, text, voice)
    persona = _apply_traps(signals, find_traps(text, language, ctx.persona, ctx.intent,
                                               ctx.mention_text, ctx.customer_name), ctx.persona)
    used = _conduct(builder, signals, persona, language)
    _register(builder, signals, persona, language, used)
    _shouting(builder, signals)
    intent = ctx.intent or infer_intent(ctx.mention_text, language)
    _promises(builder, signals, intent, at, language)
    _brand_rules(builder, signals, brand, ctx.channel)
    findings = builder.findings
    score = 90.0 + 10.0 * signals.politeness - sum(f.impact for f in findings)
    on_brand = not any(f.severity in ("major", "critical") for f in findings)
    return ToneAssessment(on_brand=on_brand, score=round(min(100.0, max(0.0, score)), 1),
                          findings=tuple(findings), features=features(signals, text))


def assess_tone(ctx: ReplyContext, brand: Brand | None = None) -> ToneAssessment:
    """Tone of one reply against ``brand`` (or, without one, the voice in ``ctx.brand_voice``).

    Without incident facts an over-promise is an absolute guarantee, or an unhedged exact fix time
    or compensation in an incident thread (outage, delay, security, or an unknown intent).
    """
    return assess(ctx, brand, None)


# The session dimension lives in its own module (it needs rapidfuzz and numpy); re-exported here so
# ``from scoring.tone import ToneDimension`` works. Imported last: tone_session imports this module.
from scoring.tone_session import ToneDimension  # noqa: E402

__all__ = ["FactsAtReply", "ToneDimension", "assess", "assess_tone"]

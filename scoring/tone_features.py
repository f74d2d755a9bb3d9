"""Tone features of one reply (register markers, Korean speech levels, shouting, emoji, politeness,
signature), each found in a single pass so the tone assessor stays within its per-reply budget."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from scoring.lexicon import Spans, fold, load_lexicon, scanner

#: lists scanned on demand, on their own, only when a promise was found: they overlap the main
#: lists ("드리겠" inside "드리겠습니다"), and a phrase inside a longer match would be missed
PROMISE_CONTEXT = ("commitment", "hedge")
#: phrase and pattern lists the tone assessor scans for (a language may lack some of them)
TONE_CATEGORIES = (
    "slang_strong", "casual", "stiff", "formal_marker", "polite_pos", "polite_neg",
    "polite_pos_strong", "polite_neg_strong", "direct_question", "sarcasm",
    "sarcasm_mark", "blame", "argue", "guarantee", "compensation", "fix_time",
    "contraction", "insult", "insult_guarded", "condescending", "condescending_mark",
    "mild_profanity", "informal_address", "laugh", "soft_laugh", "not_slang",
    "blame_should", "blame_next_time", "mock",
)

# Emoji: pictographs, dingbats and symbols, with skin tones / variation selectors / ZWJ sequences
# folded into one cluster; plus the text emoticons people type (":)", "^^", "xD").
_PICTO = "\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF"
EMOJI_RE = re.compile(
    f"[{_PICTO}](?:[\ufe0f\U0001F3FB-\U0001F3FF]|\u200d[{_PICTO}])*"
    r"|(?<![\w^])(?:[:;=]-?[)(DPp3]|\^\^|<3|xD)(?![\w^])"
)
EMOTICON_RE = re.compile(r"(?<![\w^])(?:[:;=]-?[)(DPp3]|\^\^|<3|xD)(?![\w^])")
#: a signature marker right before a word ("^민지", "- 지훈"): a name, not a sentence ending
_SIGNED_BEFORE = re.compile(r"[\^\-–—/*=]\s?$")
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z']*[A-Z]\b")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_HAS_UPPER = re.compile(r"[A-Z]{2}")
_EXCLAIM_RUN = re.compile(r"[!?]*![!?]*!+[!?]*")
_URL_TAIL = re.compile(r"(?:\s*(?:https?://|www\.)\S+)+\s*$")
_SIGNATURE = re.compile(
    r"(?:(?:^|\s)(?:[\^\-–—~/*=]|by\s)\s?[A-Za-z가-힣][A-Za-z가-힣.]{0,14}"
    r"|\^[A-Za-z가-힣]{1,12}|[가-힣]{1,6}\s*드림|(?:^|\s)[-–—]\s?[가-힣]{1,6}\s?(?:매니저|상담원)?)"
    r"\s*[.!]?\s*$"
)
# A Korean word that ends a sentence: followed (after quotes/spaces) by end punctuation, laughter,
# an emoticon, a signature caret, a link or the end of the text. A comma does not end a sentence:
# "있는데," and "하고," are connectives inside polite sentences.
_KO_FINAL = re.compile(
    r"([가-힣]+)(?=[\s\"'”’)\]]*(?:[.!?~…;\n]|ㅋ|ㅎ|ㅠ|ㅜ|\^|:|$|https?:|[" + _PICTO + "]))"
)


@lru_cache(maxsize=4)
def _ko_words(language: str) -> tuple[tuple[str, ...], frozenset[str], frozenset[str],
                                      frozenset[str], re.Pattern[str] | None, frozenset[str]]:
    lex = load_lexicon(language)
    polite = tuple(sorted(lex.word_set("polite_endings"), key=len, reverse=True))
    informal_words = lex.word_set("informal_words")
    word_re = (re.compile(r"(?<![가-힣])(?:" + "|".join(sorted(informal_words, key=len,
                                                               reverse=True)) + r")(?![가-힣])")
               if informal_words else None)
    return (polite, lex.word_set("informal_endings"), lex.word_set("cute_endings"),
            lex.word_set("noun_exceptions"), word_re, lex.word_set("informal_single"))


@dataclass(slots=True)
class ToneSignals:
    """What the tone assessor found in one reply (spans are offsets into the reply text)."""

    low: str
    spans: Spans
    emoji: list[tuple[int, int]] = field(default_factory=list)
    caps_words: list[tuple[int, int]] = field(default_factory=list)
    caps_ratio: float = 0.0
    caps_letters: int = 0
    exclaim_runs: list[tuple[int, int]] = field(default_factory=list)
    exclamations: int = 0
    banmal: list[tuple[int, int]] = field(default_factory=list)
    cute: list[tuple[int, int]] = field(default_factory=list)
    polite_sentences: int = 0
    formality: float = 0.5
    politeness: float = 0.0
    _context: Spans | None = None

    def context(self, language: str) -> Spans:
        """Spans of the promise-context lists (commitment, hedge), scanned on first use."""
        if self._context is None:
            self._context = scanner(language, _present_context(language)).scan(self.low)
        return self._context

    def count(self, *categories: str) -> int:
        spans = self.spans
        total = 0
        for category in categories:
            found = spans.get(category)
            if found:
                total += len(found)
        return total


def _korean_register(text: str, signals: ToneSignals, language: str) -> None:
    polite, informal, cute, nouns, word_re, single = _ko_words(language)
    for m in _KO_FINAL.finditer(text):
        word = m.group(1)
        start = m.start(1)
        if word in nouns or _SIGNED_BEFORE.search(text, 0, start):
            continue
        if len(word) < 2:
            if word in single:
                signals.banmal.append(m.span(1))
            continue
        if word.endswith(polite):
            signals.polite_sentences += 1
        elif word[-1] in informal or word[-2:] in informal or word[-3:] in informal:
            signals.banmal.append(m.span(1))
        elif word[-1] in cute:
            signals.cute.append(m.span(1))
    if word_re is not None:
        for m in word_re.finditer(text):
            if m.span() not in signals.banmal:
                signals.banmal.append(m.span())


def _caps(text: str, acronyms: frozenset[str], common: frozenset[str],
          signals: ToneSignals) -> None:
    caps_letters = 0
    for m in _CAPS_WORD.finditer(text):
        word = m.group()
        key = word.lower().replace("'", "")
        if key in acronyms:
            continue
        start = m.start()
        if start and text[start - 1] in "^-/~*=" and len(word) <= 3:  # signed initials
            continue
        caps_letters += len(word)
        # a shouted word is a common word or a long one; short unknown caps are product codes
        if len(word) >= 3 and (key in common or len(word) >= 5):
            signals.caps_words.append(m.span())
    signals.caps_letters = caps_letters
    if caps_letters:
        letters = len(_ASCII_LETTER.findall(text))
        signals.caps_ratio = caps_letters / letters if letters else 0.0


def extract(text: str, language: str) -> ToneSignals:
    """Every tone signal of ``text``; ``language`` is ``en`` or ``ko``."""
    low = fold(text)
    spans = scanner(language, _present(language)).scan(low)
    signals = ToneSignals(low=low, spans=spans)
    if not text.isascii():
        signals.emoji = [m.span() for m in EMOJI_RE.finditer(text)]
    elif ":" in text or ";" in text or "=" in text or "^^" in text or "<3" in text or "xD" in text:
        signals.emoji = [m.span() for m in EMOTICON_RE.finditer(text)]
    signals.exclamations = text.count("!")
    if signals.exclamations >= 2:
        signals.exclaim_runs = [m.span() for m in _EXCLAIM_RUN.finditer(text)]
    if language == "ko":
        _korean_register(text, signals, language)
    if _HAS_UPPER.search(text):
        en = load_lexicon("en")
        _caps(text, en.word_set("acronyms"), en.word_set("stopwords"), signals)
    signals.formality = _formality(signals, language)
    signals.politeness = _politeness(signals)
    return signals


@lru_cache(maxsize=4)
def _present_context(language: str) -> tuple[str, ...]:
    lex = load_lexicon(language)
    return tuple(c for c in PROMISE_CONTEXT if c in lex.phrases or c in lex.patterns)


@lru_cache(maxsize=4)
def _present(language: str) -> tuple[str, ...]:
    lex = load_lexicon(language)
    return tuple(c for c in TONE_CATEGORIES if c in lex.phrases or c in lex.patterns)


def _formality(s: ToneSignals, language: str) -> float:
    """0 (slangy) .. 1 (very formal); 0.5 is plain neutral text."""
    value = 0.5 + 0.08 * s.count("formal_marker") + 0.12 * s.count("stiff")
    value -= 0.15 * s.count("slang_strong") + 0.07 * s.count("casual") + 0.1 * len(s.emoji)
    value -= 0.08 * sum(1 for a, b in s.exclaim_runs if b - a >= 2)
    if language == "ko":
        informal = len(s.banmal)
        if informal or s.polite_sentences:
            value += 0.4 * (s.polite_sentences - informal) / (s.polite_sentences + informal)
        value -= 0.15 * s.count("laugh") + 0.07 * s.count("soft_laugh") + 0.1 * len(s.cute)
    else:
        value -= 0.03 * s.count("contraction")
    return min(1.0, max(0.0, value))


def _politeness(s: ToneSignals) -> float:
    """-1 (rude) .. +1 (very polite) from politeness cues (Danescu-Niculescu-Mizil et al. 2013)."""
    pos = s.count("polite_pos") + 2 * s.count("polite_pos_strong") + 0.5 * s.polite_sentences
    neg = (s.count("polite_neg", "direct_question") + 2 * s.count("polite_neg_strong")
           + len(s.banmal) + s.count("sarcasm", "sarcasm_mark", "blame", "argue", "condescending")
           + 2 * s.count("insult", "insult_guarded"))
    return (pos - neg) / (pos + neg + 1.0)


def is_signed(text: str) -> bool:
    """Whether a reply ends with a signature such as "^AB", "-AB", "/Jane" or "민지 드림"."""
    body = _URL_TAIL.sub("", text)
    return bool(_SIGNATURE.search(body))


def features(signals: ToneSignals, text: str) -> dict[str, float]:
    """The numeric features kept for drift analysis across a drill."""
    return {
        "formality": round(signals.formality, 4),
        "politeness": round(signals.politeness, 4),
        "emoji": float(len(signals.emoji)),
        "exclamations": float(signals.exclamations),
        "caps_ratio": round(signals.caps_ratio, 4),
        "length": float(len(text)),
    }

"""What a customer's post is about and whether a reply names it: shared content words (crudely
stemmed), topic words per intent, shared numbers (order, flight, amount) and the customer's name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from engine.records import INTENTS
from scoring.lexicon import Spans, fold, load_lexicon, scanner

TOPIC_CATEGORIES = tuple(f"topic_{intent}" for intent in INTENTS)
#: topics that only tell what a post is (praise, abuse), never what a reply must name
_MOOD_TOPICS = frozenset({"topic_praise", "topic_abuse"})
_HANDLE = re.compile(r"@(\w+)")
_URL = re.compile(r"https?://\S+|www\.\S+")
_EN_WORD = re.compile(r"[a-z][a-z']+")
_KO_WORD = re.compile(r"[가-힣]{2,}")
_NUMBERISH = re.compile(r"[a-z0-9£$€₩.,]*\d[a-z0-9.,]*")
_DIGITS = re.compile(r"\D")
# "Hi Dana", "Thanks, Sam", "Ms Park": a name right after a greeting or a title (matched on the
# lower-cased text, then checked for a capital letter in the original), or ", Dana." as vocative
_GREETING_NAME = re.compile(
    r"(?:hi|hello|hey|hiya|thanks|thank you|sorry|dear|good (?:morning|afternoon|evening)|mr|ms"
    r"|mrs|miss|dr)\.?,?\s+([a-z]{2,16})\b"
)
_VOCATIVE_NAME = re.compile(r",\s+([A-Z][a-z]{1,15})(?=[.!?,;:]|\s[—–-])")
_NOT_NAMES = frozenset({
    "there", "team", "all", "everyone", "folks", "friend", "friends", "again", "so", "for",
    "we", "our", "please", "thanks", "sorry", "hi", "hello", "hey", "dear", "yes", "no", "ok",
    "okay", "good", "great", "also", "and", "but", "then", "just", "still", "meanwhile", "you",
    "unfortunately", "apologies", "customer", "sir", "madam", "guys", "the", "this", "that", "it",
})
_KO_NAME = re.compile(r"([가-힣]{2,4})\s?님")
_KO_NOT_NAMES = frozenset({
    "고객", "회원", "기사", "선생", "담당자", "승무원", "여러분", "사장", "손님", "관리자",
    "주문자", "고객센터", "이용자", "구매자", "기자", "작가", "대표", "회원분", "고객분", "분",
})


_STEMS: dict[str, str] = {}


def stem_en(word: str) -> str:
    """A five-letter crude stem: charged/charges/charge -> charg, loading/loads -> load."""
    stem = _STEMS.get(word)
    if stem is None:
        stem = _stem(word)
        if len(_STEMS) < 200_000:
            _STEMS[word] = stem
    return stem


def _stem(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]
    n = len(word)
    if n > 5 and word.endswith("ing"):
        word = word[:-3]
    elif n > 4 and word.endswith(("ed", "es")):
        word = word[:-2]
    elif n > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:5]


@lru_cache(maxsize=4)
def stopword_stems(language: str) -> frozenset[str]:
    words = load_lexicon(language).word_set("stopwords")
    if language == "ko":
        return frozenset(w[:2] for w in words)
    return frozenset(stem_en(w) for w in words) | frozenset(words)


def _stems(low: str, language: str) -> set[str]:
    stops = stopword_stems(language)
    out = {s for s in (stem_en(w) for w in _EN_WORD.findall(low)) if len(s) >= 3} - stops
    if language == "ko":
        out |= {w[:2] for w in _KO_WORD.findall(low)} - stops
    return out


def _numbers(low: str) -> set[str]:
    out = set()
    for token in _NUMBERISH.findall(low):
        digits = _DIGITS.sub("", token)
        if len(digits) >= 2:
            out.add(digits)
    return out


@dataclass(frozen=True, slots=True)
class MentionProfile:
    """The customer's post reduced to what a specific reply could echo."""

    stems: frozenset[str]
    numbers: frozenset[str]
    topics: frozenset[str]
    handles: tuple[str, ...]
    intent: str


@lru_cache(maxsize=8192)
def mention_profile(text: str, language: str) -> MentionProfile:
    low = fold(text)
    handles = tuple(h.lower() for h in _HANDLE.findall(low))
    body = _URL.sub(" ", _HANDLE.sub(" ", low))
    stems = {s for s in _stems(body, language)
             if not any(len(h) >= 4 and (h.startswith(s) or s.startswith(h[:5]))
                        for h in handles)}
    spans = scanner(language, _topic_categories(language)).scan(body)
    counts = {c: len(v) for c, v in spans.items()}
    intent = ""
    if counts:
        best = max(counts.values())
        intent = next(c for c in _topic_categories(language) if counts.get(c) == best)[6:]
    return MentionProfile(frozenset(stems), frozenset(_numbers(body)), frozenset(counts),
                          handles, intent)


@lru_cache(maxsize=4)
def _topic_categories(language: str) -> tuple[str, ...]:
    lex = load_lexicon(language)
    return tuple(c for c in TOPIC_CATEGORIES if c in lex.phrases)


def infer_intent(mention: str, language: str) -> str:
    """The intent whose topic words the post uses most ("" when none match)."""
    return mention_profile(mention, language).intent if mention else ""


def topic_span(spans: Spans, profile: MentionProfile, intent: str) -> tuple[int, int] | None:
    """The first topic word in the reply that belongs to the post's topics or intent."""
    wanted = set(profile.topics) - _MOOD_TOPICS
    if intent and intent not in ("praise", "abuse"):
        wanted.add(f"topic_{intent}")
    best: tuple[int, int] | None = None
    for category in wanted:
        found = spans.get(category)
        if found and (best is None or found[0][0] < best[0]):
            best = found[0]
    return best


def overlap_span(low: str, profile: MentionProfile, language: str,
                 skip: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first reply word (outside ``skip`` spans) that echoes the post's content or numbers."""
    if profile.numbers:
        for m in _NUMBERISH.finditer(low):
            if _DIGITS.sub("", m.group()) in profile.numbers:
                return m.span()
    stems = profile.stems  # stopwords are already out of the profile
    if not stems:
        return None
    if language == "ko":
        for m in _KO_WORD.finditer(low):
            if m.group()[:2] in stems and not _skipped(m.start(), skip):
                return m.span()
    memo = _STEMS
    for m in _EN_WORD.finditer(low):  # Latin words count in Korean posts too ("SJ301", "app")
        word = m.group()
        stem = memo.get(word) or stem_en(word)
        if stem in stems and len(stem) >= 3 and not _skipped(m.start(), skip):
            return m.span()
    return None


def _skipped(position: int, skip: list[tuple[int, int]]) -> bool:
    return any(a <= position < b for a, b in skip)


def name_span(text: str, low: str, customer_name: str, language: str) -> tuple[int, int] | None:
    """Where the reply uses the customer's name (given, or after a greeting / as "OO님")."""
    if customer_name:
        parts = customer_name.split()
        candidates = [customer_name] + ([parts[0]] if language != "ko" else parts)
        for name in candidates:
            key = fold(name)
            if len(key) < 2:
                continue
            i = low.find(key)
            while i >= 0:
                end = i + len(key)
                before = low[i - 1] if i else " "
                after = low[end] if end < len(low) else " "
                if language == "ko" or (not before.isalnum() and not after.isalpha()):
                    return i, end
                i = low.find(key, end)
    if language == "ko":
        for m in _KO_NAME.finditer(text):
            if m.group(1) not in _KO_NOT_NAMES and not m.group(1).endswith("고객"):
                return m.span(1)
        return None
    for m in _GREETING_NAME.finditer(low):
        a = m.start(1)
        if text[a].isupper() and m.group(1) not in _NOT_NAMES and (
                m.start() == 0 or not low[m.start() - 1].isalpha()):
            return m.span(1)
    if ", " in text:
        for m in _VOCATIVE_NAME.finditer(text):
            if m.group(1).lower() not in _NOT_NAMES:
                return m.span(1)
    return None

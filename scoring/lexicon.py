"""Per-language phrase lists of the reply assessors (``scoring/lexicons/<language>/*.yaml``),
loaded once and compiled into trie-shaped regexes, so one scan finds every phrase of many lists.

File format (every key optional; category names must be unique across a language's files)::

    phrases:   {category: [phrase, ...]}    # matched on lower-cased text, see below
    patterns:  {category: [regex | {re: regex, needs: [text, ...]}, ...]}
                                            # Python regexes on lower-cased text; with "needs",
                                            # run only when one of those strings is present
                                            # ("<digit>": any digit 0-9)
    words:     {name: [word, ...]}          # plain word sets (stopwords, acronyms, endings)
    messages:  {key: text}                  # explanations and suggestions shown to trainees

Phrase syntax: lower-case literal text; a space matches any run of whitespace (``en``) or
optional whitespace (``ko``, where spacing is loose); a trailing ``*`` accepts any word ending
(``apolog*``). In English every phrase must start and end on a word boundary; in Korean, where
particles attach to words, phrases match anywhere unless they start with ``<`` (word start) or
end with ``>`` (word end). ``privacy.yaml`` and ``speed.yaml`` belong to their own modules and
are skipped here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
#: files in the lexicon folders that other modules own, with their own format
FOREIGN_FILES = frozenset({"privacy.yaml", "speed.yaml"})
_KNOWN_KEYS = frozenset({"phrases", "patterns", "words", "messages"})
#: typographic apostrophes typed on phones fold to ASCII, so a phrase list needs one spelling
_FOLD = str.maketrans({"’": "'", "‘": "'", "＇": "'", "`": "'", "´": "'"})
_WS = re.compile(r"\s+")
#: whitespace an English lookup key must normalise (doubled, or not a plain space)
_ODD_WS = re.compile(r"\s\s|[^\S ]")

Spans = dict[str, list[tuple[int, int]]]


class LexiconError(ValueError):
    """A lexicon file that cannot be used (the message names the file and the key)."""


def fold(text: str) -> str:
    """Lower-cased text with typographic apostrophes folded; always the same length as ``text``."""
    low = text.lower()
    if len(low) != len(text):  # a few characters (e.g. 'İ') grow when lower-cased
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if "’" in low or "‘" in low or "`" in low or "´" in low or "＇" in low:
        low = low.translate(_FOLD)
    return low


# ------------------------------------------------------------------------------------ matcher


class _Node(dict[str, "_Node"]):
    """A trie node: children by character plus the kinds of phrase that end here."""

    __slots__ = ("ends",)

    def __init__(self) -> None:
        super().__init__()
        self.ends: set[str] = set()


_END_REGEX = {"wild": r"\w*", "bound": r"(?!\w)", "free": ""}


def _emit(node: _Node, space: str) -> str:
    alts = [(space if ch == " " else re.escape(ch)) + _emit(child, space)
            for ch, child in sorted(node.items())]
    # children first, so the regex prefers the longest phrase along a path
    alts += [_END_REGEX[kind] for kind in ("wild", "bound", "free") if kind in node.ends]
    if len(alts) == 1:
        return alts[0]
    return "(?:" + "|".join(alts) + ")"


def _emit_root(bounded: _Node, free: _Node, space: str) -> str:
    r"""The top of the trie, one alternative per first character.

    Every alternative starts with a literal, so the regex engine can skip positions that cannot
    start a phrase (10x faster on Korean text than a leading ``(?<!\w)``). The word-start check
    of bounded phrases moves after that first character: ``c(?<!\w.)`` holds exactly when the
    character before ``c`` is not a word character.
    """
    alternatives = []
    for ch in sorted(set(bounded) | set(free)):
        head = space if ch == " " else re.escape(ch)
        parts = []
        if ch in bounded:
            parts.append(r"(?<!\w.)" + _emit(bounded[ch], space))
        if ch in free:
            parts.append(_emit(free[ch], space))
        alternatives.append(head + (parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"))
    return "|".join(alternatives)


class PhraseMatcher:
    """Many phrase lists compiled into one regex; ``scan`` returns each category's spans."""

    __slots__ = ("_exact", "_joiner", "_memo", "_prefix", "_prefix_lengths", "regex")

    def __init__(self, phrases: Mapping[str, Iterable[str]], word_boundaries: bool) -> None:
        bounded, free = _Node(), _Node()
        # lookup keys: whitespace collapsed (en) or removed (ko, where it is optional)
        self._joiner = " " if word_boundaries else ""
        exact: dict[str, set[str]] = {}
        prefix: dict[str, set[str]] = {}
        for category, items in phrases.items():
            for raw in items:
                phrase = " ".join(str(raw).lower().translate(_FOLD).split())
                start_bound = word_boundaries or phrase.startswith("<")
                end_kind = "bound" if word_boundaries else "free"
                phrase = phrase.removeprefix("<")
                if phrase.endswith("*"):
                    phrase, end_kind = phrase[:-1], "wild"
                elif phrase.endswith(">"):
                    phrase, end_kind = phrase[:-1], "bound"
                if not phrase:
                    continue
                node = bounded if start_bound else free
                for ch in phrase:
                    node = node.setdefault(ch, _Node())
                node.ends.add(end_kind)
                key = self._joiner.join(phrase.split())
                (prefix if end_kind == "wild" else exact).setdefault(key, set()).add(category)
        space = r"\s+" if word_boundaries else r"\s*"
        self.regex = re.compile(_emit_root(bounded, free, space)) if bounded or free else None
        self._exact = {k: tuple(sorted(v)) for k, v in exact.items()}
        self._prefix = {k: tuple(sorted(v)) for k, v in prefix.items()}
        self._prefix_lengths = sorted({len(k) for k in prefix}, reverse=True)
        #: matched text -> categories; the set of distinct matches is small, so this stays small
        self._memo: dict[str, tuple[str, ...]] = {}

    def _categories(self, found: str) -> tuple[str, ...]:
        cats = self._memo.get(found)
        if cats is None:
            cats = self._lookup(found)
            if len(self._memo) < 50_000:
                self._memo[found] = cats
        return cats

    def _lookup(self, found: str) -> tuple[str, ...]:
        if self._joiner:
            key = found if _ODD_WS.search(found) is None else " ".join(found.split())
        else:
            key = "".join(found.split())
        cats = self._exact.get(key, ())
        for n in self._prefix_lengths:
            if n <= len(key):
                more = self._prefix.get(key[:n])
                if more:
                    cats = cats + more if cats else more
        return cats

    def scan(self, low: str, into: Spans | None = None) -> Spans:
        """Spans of every phrase found in ``low`` (folded text), by category, left to right."""
        out: Spans = {} if into is None else into
        if self.regex is None:
            return out
        memo = self._memo
        for m in self.regex.finditer(low):
            found = m.group()
            categories = memo.get(found)
            if categories is None:
                categories = self._categories(found)
            span = m.span()
            for category in categories:
                if category in out:
                    out[category].append(span)
                else:
                    out[category] = [span]
        return out


@dataclass(frozen=True, slots=True)
class PatternRule:
    """One regex of a pattern list, and the strings one of which must occur for it to match."""

    regex: str
    needs: tuple[str, ...] = ()


Gated = tuple[str, re.Pattern[str], tuple[str, ...]]
#: the pseudo-string in "needs" that stands for any digit
DIGIT = "<digit>"
_DIGIT = re.compile(r"\d")


class Scanner:
    """Phrase categories (one trie scan) plus regex rules (each gated by cheap substring tests)."""

    __slots__ = ("_patterns", "_phrases")

    def __init__(self, phrases: PhraseMatcher, patterns: tuple[Gated, ...]) -> None:
        self._phrases = phrases
        self._patterns = patterns

    def scan(self, low: str) -> Spans:
        out = self._phrases.scan(low)
        present: dict[str, bool] = {}
        for category, regex, needs in self._patterns:
            if needs:
                for need in needs:
                    here = present.get(need)
                    if here is None:
                        here = present[need] = (_DIGIT.search(low) is not None if need == DIGIT
                                                else need in low)
                    if here:
                        break
                else:
                    continue
            for m in regex.finditer(low):
                if category in out:
                    out[category].append(m.span())
                else:
                    out[category] = [m.span()]
        return out


# ------------------------------------------------------------------------------------ loading


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the per-language lexicon files hold, merged across files."""

    language: str
    phrases: Mapping[str, tuple[str, ...]]
    patterns: Mapping[str, tuple[PatternRule, ...]]
    words: Mapping[str, frozenset[str]]
    messages: Mapping[str, str]

    def message(self, key: str, **values: Any) -> str:
        """A trainee-facing message with ``{placeholders}`` filled (missing keys stay visible).

        Korean templates may use ``{eun}`` (은/는), ``{i}`` (이/가), ``{eul}`` (을/를) and ``{ro}``
        (으로/로): the particle that fits the last syllable of ``text``.
        """
        template = self.messages.get(key)
        if template is None:
            return key
        if "{" in template and "text" in values and self.language == "ko":
            values = {**_particles(str(values["text"])), **values}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template

    def word_set(self, name: str) -> frozenset[str]:
        return self.words.get(name, frozenset())


def _particles(word: str) -> dict[str, str]:
    """Korean particles after ``word``: the form depends on whether its last syllable has a final
    consonant (batchim); non-Hangul endings ("DM") take the vowel form."""
    last = word.rstrip()[-1:] if word.strip() else ""
    code = ord(last) - 0xAC00 if last else -1
    batchim = 0 <= code < 11172 and code % 28 != 0
    rieul = batchim and code % 28 == 8  # ㄹ takes "로", not "으로"
    return {"eun": "은" if batchim else "는", "i": "이" if batchim else "가",
            "eul": "을" if batchim else "를", "ro": "으로" if batchim and not rieul else "로"}


def _merge(target: dict[str, Any], part: Any, key: str, name: str) -> None:
    if part is None:
        return
    if not isinstance(part, dict):
        raise LexiconError(f"{name}: {key}: must be a mapping")
    for category, value in part.items():
        if category in target:
            raise LexiconError(f"{name}: {key}.{category}: already defined in another file")
        target[str(category)] = value


@lru_cache(maxsize=8)
def load_lexicon(language: str) -> Lexicon:
    """The merged lexicon of ``language`` (``en`` when there is no folder for it)."""
    folder = LEXICON_DIR / language
    if not folder.is_dir():
        folder, language = LEXICON_DIR / "en", "en"
    phrases: dict[str, Any] = {}
    patterns: dict[str, Any] = {}
    words: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in FOREIGN_FILES:
            continue
        name = f"{language}/{path.name}"
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, dict):
            raise LexiconError(f"{name}: must be a mapping")
        unknown = set(data) - _KNOWN_KEYS
        if unknown:
            raise LexiconError(f"{name}: unknown keys {sorted(unknown)}")
        _merge(phrases, data.get("phrases"), "phrases", name)
        _merge(patterns, data.get("patterns"), "patterns", name)
        _merge(words, data.get("words"), "words", name)
        _merge(messages, data.get("messages"), "messages", name)
    rules: dict[str, tuple[PatternRule, ...]] = {}
    for category, items in patterns.items():
        built = []
        for item in items or ():
            rule = (PatternRule(str(item["re"]), tuple(str(n) for n in item.get("needs", ())))
                    if isinstance(item, dict) else PatternRule(str(item)))
            try:
                re.compile(rule.regex)
            except re.error as exc:
                raise LexiconError(f"{language}: patterns.{category}: {item!r}: {exc}") from None
            built.append(rule)
        rules[category] = tuple(built)
    return Lexicon(
        language=language,
        phrases={k: tuple(str(p) for p in v or ()) for k, v in phrases.items()},
        patterns=rules,
        words={k: frozenset(str(w).lower() for w in v or ()) for k, v in words.items()},
        messages={k: str(v) for k, v in messages.items()},
    )


@lru_cache(maxsize=64)
def scanner(language: str, categories: tuple[str, ...]) -> Scanner:
    """A compiled scanner for ``categories`` (phrase and/or pattern lists) of ``language``."""
    lex = load_lexicon(language)
    missing = [c for c in categories if c not in lex.phrases and c not in lex.patterns]
    if missing:
        raise LexiconError(f"{lex.language}: no phrase or pattern list named {', '.join(missing)}")
    matcher = PhraseMatcher({c: lex.phrases[c] for c in categories if c in lex.phrases},
                            word_boundaries=lex.language != "ko")
    rules = tuple((c, re.compile(rule.regex), rule.needs)
                  for c in categories for rule in lex.patterns.get(c, ()))
    return Scanner(matcher, rules)


@lru_cache(maxsize=64)
def pattern(language: str, category: str) -> re.Pattern[str] | None:
    """One pattern list of ``language`` compiled on its own (None when the list is absent)."""
    items = load_lexicon(language).patterns.get(category)
    return re.compile("|".join(f"(?:{p.regex})" for p in items)) if items else None


def first_span(spans: Spans, *categories: str) -> tuple[int, int] | None:
    """The earliest span among ``categories`` (None when none was found)."""
    best: tuple[int, int] | None = None
    for category in categories:
        found = spans.get(category)
        if found and (best is None or found[0][0] < best[0]):
            best = found[0]
    return best


def collapse_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()

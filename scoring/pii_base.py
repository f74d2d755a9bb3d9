"""The PII detector framework: match records, regex patterns, the detector base class and registry.

Detectors live in `scoring.pii` (generic: email, phone, cards, IPs, links, references,
addresses, birth dates) and `scoring.pii_korean` (Korean ID numbers); both register here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import ClassVar

_I = re.IGNORECASE
#: Matches below this score are reported but not treated as personal data by the privacy rules.
PERSONAL_MIN_SCORE = 0.6
#: Characters looked at on each side of a match for context words (Presidio uses a few words).
CONTEXT_CHARS = 40


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal data found in a text; ``end`` is exclusive."""

    kind: str
    start: int
    end: int
    text: str
    detector: str
    score: float
    reason: str = ""
    #: False for data that is not a person's (a brand hotline, a support mailbox, a web link).
    personal: bool = True
    #: True when only the shape fired (no naming word, no checksum): any specific detector
    #: that finds the same span wins over it.
    shape_only: bool = False

    def explain(self) -> str:
        return f"{self.kind} {self.text!r} ({self.detector}, score {self.score:.2f}): {self.reason}"


@dataclass(frozen=True, slots=True)
class Pattern:
    """A named regex with a base score; ``needs_context`` patterns need a context word nearby."""

    name: str
    regex: str
    score: float
    needs_context: bool = False
    flags: int = 0


class PiiDetector:
    """Base detector: finds candidates with ``PATTERNS`` and keeps the ones ``validate`` accepts.

    Subclasses override the class constants and, where a checksum or a date applies,
    ``validate`` (return ``(score, reason)`` to keep a candidate, None to drop it).
    """

    NAME: ClassVar[str] = "PiiDetector"
    KIND: ClassVar[str] = "pii"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = ()
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    #: Score added (up to 1.0) when a context word is near the match.
    CONTEXT_BOOST: ClassVar[float] = 0.3
    #: Cheap tests that must pass before any pattern runs (most replies hold no personal data):
    #: ``NEEDS`` is "digit", "long_number" (7+ digits in a run), a literal, or "" (none);
    #: ``STEMS`` are lowercase words of which one must occur; ``PREFILTER`` a regex to find.
    NEEDS: ClassVar[str] = "digit"
    STEMS: ClassVar[tuple[str, ...]] = ()
    PREFILTER: ClassVar[str] = ""

    def __init__(self) -> None:
        # ASCII: \w, \d and \b must not treat Hangul as word characters ("010-1234-5678로")
        self._compiled = [(p, re.compile(p.regex, p.flags | re.ASCII)) for p in self.PATTERNS]
        self._context = (re.compile("|".join(self.CONTEXT), _I) if self.CONTEXT else None)
        self._prefilter = re.compile(self.PREFILTER) if self.PREFILTER else None
        self._stems = (re.compile("|".join(re.escape(s) for s in self.STEMS)) if self.STEMS
                       else None)

    def applies(self, facts: TextFacts) -> bool:
        needs = self.NEEDS
        if needs == "digit" and not facts.has_digit:
            return False
        if needs == "long_number" and not facts.long_number:
            return False
        if needs not in ("", "digit", "long_number") and needs not in facts.text:
            return False
        if self._stems is not None and self._stems.search(facts.lower) is None:
            return False
        return self._prefilter is None or self._prefilter.search(facts.text) is not None

    def has_context(self, text: str, start: int, end: int) -> bool:
        if self._context is None:
            return False
        window = text[max(0, start - CONTEXT_CHARS): end + CONTEXT_CHARS]
        return self._context.search(window) is not None

    def analyze(self, text: str) -> list[PiiMatch]:
        out: list[PiiMatch] = []
        for pattern, regex in self._compiled:
            for m in regex.finditer(text):
                start, end = m.span("value") if "value" in regex.groupindex else m.span()
                value = text[start:end]
                context = self.has_context(text, start, end)
                if pattern.needs_context and not context:
                    continue
                verdict = self.validate(value, pattern, m)
                if verdict is None:
                    continue
                score, reason = verdict
                if context and not pattern.needs_context:
                    score = min(1.0, score + self.CONTEXT_BOOST)
                    reason += "; context word nearby"
                out.append(PiiMatch(self.KIND, start, end, value, self.NAME, round(score, 2),
                                    reason, self.personal(value)))
        return out

    def validate(self, value: str, pattern: Pattern, match: re.Match[str]
                 ) -> tuple[float, str] | None:
        return pattern.score, f"matches the {pattern.name} pattern"

    def personal(self, value: str) -> bool:
        return True


_ANY_DIGIT = re.compile(r"\d")
#: A digit outside an @handle ("@user1984" alone is no reason to look for numbers).
_DIGIT_OUTSIDE_HANDLE = re.compile(r"(?<!@)\b[A-Za-z_]*\d|[^\x00-\x7f]\d")
#: Seven digits with at most two separator characters between neighbours ("(415) 555-0132").
_LONG_NUMBER = re.compile(r"\d(?:[\s().+-]{0,2}\d){6}")


@dataclass(frozen=True, slots=True)
class TextFacts:
    """What the detectors' cheap pre-tests need, computed once per text."""

    text: str
    lower: str
    has_digit: bool
    long_number: bool

    @classmethod
    def of(cls, text: str) -> TextFacts:
        has_digit = _ANY_DIGIT.search(text) is not None
        if has_digit and "@" in text:
            has_digit = _DIGIT_OUTSIDE_HANDLE.search(text) is not None
        return cls(text, text.lower(), has_digit,
                   has_digit and _LONG_NUMBER.search(text) is not None)


# ----------------------------------------------------------------------------------- registry

DETECTORS: dict[str, type[PiiDetector]] = {}


def register(cls: type[PiiDetector]) -> type[PiiDetector]:
    """Class decorator: add a detector to the default registry (by its NAME)."""
    DETECTORS[cls.NAME] = cls
    return cls


@lru_cache(maxsize=1)
def default_detectors() -> tuple[PiiDetector, ...]:
    """One instance of every registered detector (regexes compiled once per process)."""
    return tuple(cls() for cls in DETECTORS.values())


def digits_of(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by every payment card number."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def plausible_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def date_readings(value: str) -> list[tuple[int, int, int]]:
    """Every (year, month, day) a written date can mean (day/month order is ambiguous)."""
    numbers = [int(p) for p in re.findall(r"\d+", value)]
    compact = value.strip()
    if len(numbers) == 1 and len(compact) == 8:  # 19900131
        return [(int(compact[:4]), int(compact[4:6]), int(compact[6:]))]
    if len(numbers) == 1 and len(compact) == 6:  # 900131 (YYMMDD)
        return [(full_year(int(compact[:2])), int(compact[2:4]), int(compact[4:]))]
    if len(numbers) == 2:  # "March 5, 1990" or "5 March 1990"
        return [(numbers[1], month_number(value), numbers[0])]
    if len(numbers) != 3:
        return []
    first, second, third = numbers
    if first > 31:  # 1990-01-31
        return [(first, second, third)]
    year = full_year(third) if third < 100 else third
    return [(year, first, second), (year, second, first)]


def full_year(two_digits: int) -> int:
    century = 2000 if 2000 + two_digits <= date.today().year else 1900
    return century + two_digits


def month_number(text: str) -> int:
    for i, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                              "oct", "nov", "dec"), start=1):
        if name in text.lower():
            return i
    return 0

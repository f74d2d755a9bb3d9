"""Korean ID-number detectors: resident and foreigner registration numbers, passports, driver
licences and business registration numbers, each with its date or check-digit validation."""

from __future__ import annotations

import re
from typing import ClassVar

from scoring.pii_base import Pattern, PiiDetector, digits_of, plausible_date, register


def _resident_pattern(sex_digits: str) -> Pattern:
    return Pattern("resident_number",
                   r"(?<![\w-])\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-?"
                   rf"[{sex_digits}]\d{{6}}(?![\w-])", 0.7)


class _KoreanResidentNumber(PiiDetector):
    """Resident (RRN) and foreigner (FRN) registration numbers: YYMMDD-SNNNNNN.

    The 7th digit gives the sex and century (1-4 citizens, 5-8 foreigners; 9/0 were 1800s and
    are rejected). Numbers issued before October 2020 end in a check digit; later ones do not,
    so a failed checksum lowers the score instead of rejecting the match.
    """

    CHECK_BASE: ClassVar[int] = 11
    CONTEXT = (r"주민", r"등록번호", r"\brrn\b", r"\bfrn\b", r"resident", r"registration",
               r"외국인")
    CENTURY: ClassVar[dict[str, int]] = {"1": 1900, "2": 1900, "3": 2000, "4": 2000,
                                         "5": 1900, "6": 1900, "7": 2000, "8": 2000}
    WEIGHTS: ClassVar[tuple[int, ...]] = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)

    def validate(self, value: str, pattern: Pattern, match: re.Match[str]
                 ) -> tuple[float, str] | None:
        digits = digits_of(value)
        year = self.CENTURY[digits[6]] + int(digits[:2])
        if not plausible_date(year, int(digits[2:4]), int(digits[4:6])):
            return None
        total = sum(int(d) * w for d, w in zip(digits[:12], self.WEIGHTS, strict=True))
        if (self.CHECK_BASE - total % 11) % 10 == int(digits[12]):
            return 0.95, "valid birth date, sex/century digit and check digit"
        return 0.8, "valid birth date and sex/century digit (no check digit since 2020)"


@register
class KoreanRrnDetector(_KoreanResidentNumber):
    NAME = "KoreanRrnDetector"
    NEEDS = "long_number"
    KIND = "rrn"
    PATTERNS = (_resident_pattern("1234"),)


@register
class KoreanFrnDetector(_KoreanResidentNumber):
    NAME = "KoreanFrnDetector"
    NEEDS = "long_number"
    KIND = "frn"
    PATTERNS = (_resident_pattern("5678"),)
    CHECK_BASE = 13


@register
class KoreanPassportDetector(PiiDetector):
    """Korean passports: M/S/R/O/D/G, then 8 digits (old) or 3 digits, a letter, 4 digits."""

    NAME = "KoreanPassportDetector"
    PREFILTER = r"[MSRODGmsrodg]\d{3}"
    KIND = "passport"
    CONTEXT = (r"passport", r"여권")
    CONTEXT_BOOST = 0.45
    PATTERNS = (Pattern("passport", r"(?<![\w-])[MSRODGmsrodg](?:\d{8}|\d{3}[A-Za-z]\d{4})"
                                    r"(?![\w-])", 0.4),)


@register
class KoreanDriverLicenceDetector(PiiDetector):
    """Korean driver licences: region code 11-28, 2 digits, 6 digits, 2 digits."""

    NAME = "KoreanDriverLicenceDetector"
    NEEDS = "long_number"
    KIND = "driver_licence"
    CONTEXT = (r"licen[cs]e", r"면허")
    CONTEXT_BOOST = 0.45
    PATTERNS = (Pattern("licence", r"(?<![\w-])(?:1[1-9]|2[0-8])(?P<s>[- ]?)\d{2}(?P=s)\d{6}"
                                   r"(?P=s)\d{2}(?![\w-])", 0.4),)


@register
class KoreanBusinessNumberDetector(PiiDetector):
    """Korean business registration numbers (NNN-NN-NNNNN) with their check digit."""

    NAME = "KoreanBusinessNumberDetector"
    NEEDS = "long_number"
    KIND = "business_number"
    CONTEXT = (r"사업자", r"business", r"\bbrn\b")
    PATTERNS = (Pattern("brn", r"(?<![\w-])\d{3}(?P<s>-?)\d{2}(?P=s)\d{5}(?![\w-])", 0.5),)

    def validate(self, value: str, pattern: Pattern, match: re.Match[str]
                 ) -> tuple[float, str] | None:
        d = [int(c) for c in digits_of(value)]
        weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
        total = sum(x * w for x, w in zip(d[:9], weights, strict=True)) + d[8] * 5 // 10
        if (10 - total % 10) % 10 != d[9]:
            return None
        return 0.6, "10 digits with a valid business-number check digit"

    def personal(self, value: str) -> bool:
        return False  # a company's number, printed on every receipt

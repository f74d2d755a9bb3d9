"""PII detectors for personal data written in unusual forms: digits spelled out as words (English
"oh seven nine one one..." and Sino-Korean "공일공 일이삼사..."), e-mail addresses written with
"at" and "dot" (or 골뱅이 / 닷), and phone numbers in national formats that the layout regexes of
`scoring.pii` miss ("07911 123456", "0161 496 0123", "02 3141 0000"), validated with Google's
``phonenumbers`` metadata, which also tells a brand's published hotline (toll-free, shared-cost
or universal access numbers: 0800, 0345, 1588-) from a person's number.

``phonenumbers`` costs 20-60 us per parse, so it only sees candidate spans that start with a trunk
0 or a "+" and that no cheaper detector has already claimed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar

from scoring.pii_base import (
    Pattern,
    PiiDetector,
    PiiMatch,
    TextFacts,
    digits_of,
    luhn_valid,
    register,
)

# ------------------------------------------------------------------------- spelled-out digits

_EN_DIGITS = {"zero": "0", "oh": "0", "o": "0", "nought": "0", "nil": "0", "one": "1",
              "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
              "eight": "8", "nine": "9"}
_EN_WORD = r"(?:zero|oh|o|nought|nil|one|two|three|four|five|six|seven|eight|nine|double|triple)"
#: seven or more digit words in a row (commas, hyphens and spaces between them)
_EN_RUN = re.compile(rf"\b{_EN_WORD}(?:[\s,-]+{_EN_WORD}){{6,}}\b", re.IGNORECASE)
_KO_DIGITS = {"공": "0", "영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5",
              "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9"}
#: seven or more Sino-Korean digit syllables, spaces allowed between groups, not inside a longer
#: word (a particle or 번/번호 may follow: "공일공 일이삼사 오육칠팔로", "... 번으로")
_KO_RUN = re.compile(r"(?<![가-힣])[공영일이삼사오육륙칠팔구](?:\s?[공영일이삼사오육륙칠팔구]){6,}"
                     r"(?=[^가-힣]|$|번|으로|로|에|입니|이에요|예요|이고|이며|이요|요)")
_CONTEXT = {
    "phone": re.compile(r"(?i)phone|mobile|\bcall|\bring\b|\btext|number|"
                        r"전화|연락|휴대폰|문자|번호로"),
    "card_number": re.compile(r"(?i)card|visa|master|카드"),
    "account_number": re.compile(r"(?i)account|acct|ending|계좌|회원"),
    "order_number": re.compile(r"(?i)order|parcel|tracking|booking|reservation|주문|운송장|예약"),
}


def _spoken_en(run: str) -> str:
    out: list[str] = []
    repeat = 1
    for word in re.split(r"[\s,-]+", run.lower()):
        if word == "double":
            repeat = 2
        elif word == "triple":
            repeat = 3
        elif word in _EN_DIGITS:
            out.append(_EN_DIGITS[word] * repeat)
            repeat = 1
    return "".join(out)


def _spoken_kind(digits: str, window: str) -> tuple[str, str]:
    """Which kind of data a spelled-out number is, from its length, shape and nearby words."""
    n = len(digits)
    if 13 <= n <= 19 and (luhn_valid(digits) or _CONTEXT["card_number"].search(window)):
        return "card_number", f"{n} spelled-out digits read as a card number"
    if _CONTEXT["order_number"].search(window):
        return "order_number", f"{n} spelled-out digits next to an order or booking word"
    if _CONTEXT["account_number"].search(window):
        return "account_number", f"{n} spelled-out digits next to an account word"
    if (digits.startswith("0") and 10 <= n <= 11) or _CONTEXT["phone"].search(window):
        return "phone", f"{n} spelled-out digits read as a phone number"
    return "order_number", f"{n} spelled-out digits (a reference number)"


@register
class SpokenDigitsDetector(PiiDetector):
    """Seven or more digits written as words, in English or Sino-Korean numerals."""

    NAME = "SpokenDigitsDetector"
    KIND = "phone"
    NEEDS = ""
    PATTERNS = (Pattern("en_words", _EN_RUN.pattern, 0.7, flags=re.IGNORECASE),
                Pattern("ko_words", _KO_RUN.pattern, 0.7))

    def applies(self, facts: TextFacts) -> bool:
        return True  # the run regexes are anchored on digit words, cheap to scan

    def analyze(self, text: str) -> list[PiiMatch]:
        out: list[PiiMatch] = []
        low = text.lower()
        if any(w in low for w in ("zero", "one", "two", "three", "four", "five", "six", "seven",
                                  "eight", "nine", "oh ")):
            out += self._runs(text, _EN_RUN, _spoken_en)
        if not text.isascii():
            out += self._runs(text, _KO_RUN,
                              lambda run: "".join(_KO_DIGITS.get(c, "") for c in run))
        return out

    def _runs(self, text: str, regex: re.Pattern[str], convert: object) -> list[PiiMatch]:
        out = []
        for m in regex.finditer(text):
            digits = convert(m.group(0))  # type: ignore[operator]
            if len(digits) < 7:
                continue
            window = text[max(0, m.start() - 40):m.end() + 20]
            kind, reason = _spoken_kind(digits, window)
            out.append(PiiMatch(kind, m.start(), m.end(), m.group(0), self.NAME, 0.7, reason))
        return out


# --------------------------------------------------------------------- obfuscated e-mail

_TLDS = frozenset({
    "com", "net", "org", "edu", "gov", "io", "co", "ai", "app", "dev", "me", "tv", "us", "uk",
    "ca", "au", "de", "fr", "jp", "kr", "cn", "in", "nl", "es", "it", "se", "no", "fi", "dk",
    "ch", "at", "be", "ie", "nz", "br", "mx", "ru", "pl", "pt", "info", "biz", "example"})
_AT = r"(?:\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+|\s*골뱅이\s*|\s*앳\s*|\s+@\s*|\s*@\s+)"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\s*닷\s*|\s+점\s+|\.)"
_OBFUSCATED = re.compile(
    rf"(?<![\w.@])(?P<local>[a-z0-9][a-z0-9._%+-]*(?:{_DOT}[a-z0-9_%+-]+)*){_AT}"
    rf"(?P<domain>[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)+)(?![\w/@-])", re.IGNORECASE)
_DOT_WORDS = re.compile(rf"{_DOT}", re.IGNORECASE)
_OBFUSCATION_MARK = re.compile(r"(?i)[(\[{<]\s*(?:at|dot)\s*[)\]}>]|\bdot\b|골뱅이|앳|닷|\s점\s|"
                               r"\s@|@\s")


@register
class ObfuscatedEmailDetector(PiiDetector):
    """E-mail addresses spelled to dodge filters: "dana dot lee at gmail dot com",
    "name(at)mail(dot)com", "name 골뱅이 naver 닷 com" (the plain form is `EmailDetector`'s)."""

    NAME = "ObfuscatedEmailDetector"
    KIND = "email"
    NEEDS = ""
    PATTERNS = (Pattern("spelled", _OBFUSCATED.pattern, 0.8, flags=re.IGNORECASE),)
    _GATE = re.compile(r"(?i)\bat\b|골뱅이|앳|\s@|@\s")
    ROLE_MAILBOXES: ClassVar[frozenset[str]] = frozenset({
        "help", "support", "care", "service", "customerservice", "customercare", "info",
        "contact", "hello", "privacy", "security", "noreply", "press", "media", "team",
        "billing", "sales", "feedback", "cs", "admin"})

    def applies(self, facts: TextFacts) -> bool:
        return self._GATE.search(facts.text) is not None

    def analyze(self, text: str) -> list[PiiMatch]:
        out = []
        for m in _OBFUSCATED.finditer(text):
            local, domain = m.group("local"), m.group("domain")
            plain_at = _OBFUSCATION_MARK.search(m.group(0)) is None and " at " in m.group(0)
            if _OBFUSCATION_MARK.search(m.group(0)) is None and not plain_at:
                continue  # an ordinary address: EmailDetector's
            labels = [p for p in _DOT_WORDS.split(domain) if p]
            if len(labels) < 2 or labels[-1].lower() not in _TLDS:
                continue
            if plain_at and not re.search(r"[._\d]", local):
                continue  # "updates at nimbus.example": a place, not a mailbox
            name = _DOT_WORDS.sub(".", local).lower()
            personal = name not in self.ROLE_MAILBOXES
            out.append(PiiMatch("email", m.start(), m.end(), m.group(0), self.NAME, 0.8,
                                "an e-mail address written with words for @ and .", personal))
        return out


# --------------------------------------------------------------------- national phone formats

#: a trunk-0 or "+" number in two to five groups (spaces, dots or dashes), 9-15 digits
_CANDIDATE = re.compile(r"(?<![\w+.-])(?:\+\d{1,3}[\s.-]?\(?\d{1,4}\)?|\(?0\d{1,4}\)?)"
                        r"(?:[\s.-]?\d{2,5}){1,4}(?![\w-]|[.,]\d)")
#: number types that a business publishes (hotlines, shared-cost and universal access numbers)
_PUBLISHED_TYPES = frozenset({"TOLL_FREE", "SHARED_COST", "UAN", "PREMIUM_RATE", "VOICEMAIL"})
#: digit shapes of British and Korean mobiles and trunk-0 landlines (when the metadata says no)
_NATIONAL_SHAPE = re.compile(r"07\d{9}$|01[016789]\d{7,8}$|0[1-9]\d{8,9}$")
#: British (07...) and Korean (010, 011, 016-019) mobiles, with or without the country code
_MOBILE_SHAPE = re.compile(r"(?:07\d{9}|447\d{9}|01[016789]\d{7,8}|821[016789]\d{7,8})$")
#: regions tried for a trunk-0 number, in order (the drills are British, American and Korean)
_REGIONS = ("KR", "GB")


@lru_cache(maxsize=4096)
def national_phone(candidate: str) -> tuple[str, str] | None:
    """(region, number type) when ``candidate`` is a valid phone number, else None."""
    import phonenumbers
    from phonenumbers import PhoneNumberType

    names = {v: k for k, v in vars(PhoneNumberType).items() if k.isupper()}
    regions: tuple[str | None, ...] = (None,) if candidate.startswith("+") else _REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            kind = names.get(phonenumbers.number_type(number), "UNKNOWN")
            return phonenumbers.region_code_for_number(number) or str(region), kind
    return None


@register
class NationalPhoneDetector(PiiDetector):
    """Phone numbers in national formats, validated with ``phonenumbers`` (KR, GB, or any with a
    country code); hotline-type numbers are found but marked as not personal."""

    NAME = "NationalPhoneDetector"
    KIND = "phone"
    NEEDS = "long_number"
    PATTERNS = (Pattern("national", _CANDIDATE.pattern, 0.8),)

    def analyze(self, text: str) -> list[PiiMatch]:
        out = []
        for m in _CANDIDATE.finditer(text):
            value = m.group(0).rstrip(" .-")
            if not 9 <= len(digits_of(value)) <= 15:
                continue
            digits = digits_of(value)
            if _MOBILE_SHAPE.match(digits):
                # mobiles are never hotlines: no metadata lookup needed
                out.append(PiiMatch("phone", m.start(), m.start() + len(value), value, self.NAME,
                                    0.8, "a British or Korean mobile number"))
                continue
            found = national_phone(value)
            if found is None:
                if not _NATIONAL_SHAPE.match(digits):
                    continue
                # Numbers in ranges kept for fiction (Ofcom's 07700 900xxx) still read as a
                # phone number to anyone who sees them.
                out.append(PiiMatch("phone", m.start(), m.start() + len(value), value, self.NAME,
                                    0.65, "a mobile or trunk-0 number layout"))
                continue
            region, kind = found
            personal = kind not in _PUBLISHED_TYPES
            out.append(PiiMatch("phone", m.start(), m.start() + len(value), value, self.NAME,
                                0.8, f"a valid {region} number ({kind.lower()})", personal))
        return out

"""PII detectors: small regex-plus-validator classes in the Presidio style, and `detect_pii`.

Each detector names the kind of personal data it finds, keeps its patterns, base scores and
context words as class constants, validates every candidate (Luhn, resident-number dates and
checksums, IP parsing, plausible dates) and returns `PiiMatch` records that say why they fired.
Precise beats greedy: times, prices, flight numbers, years, "24/7" and percentages never match,
and bare numbers that could be anything (a 10-digit run, a passport-shaped token) only score
high with a context word nearby.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import ClassVar

from scoring import pii_forms, pii_korean
from scoring.pii_base import (
    DETECTORS,
    PERSONAL_MIN_SCORE,
    Pattern,
    PiiDetector,
    PiiMatch,
    TextFacts,
    date_readings,
    default_detectors,
    digits_of,
    luhn_valid,
    plausible_date,
    register,
)

_I = re.IGNORECASE


@register
class EmailDetector(PiiDetector):
    NAME = "EmailDetector"
    KIND = "email"
    NEEDS = "@"
    PREFILTER = r"[A-Za-z0-9]@[A-Za-z0-9]"  # not a bare @handle
    PATTERNS = (Pattern(
        "email",
        r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
        r"[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{2,59})(?![\w-])", 1.0),)
    #: Mailboxes of an organisation, not of a person (a reply may give its own support address).
    ROLE_MAILBOXES = frozenset({
        "help", "support", "care", "service", "customerservice", "customercare", "info",
        "contact", "hello", "privacy", "security", "noreply", "no-reply", "press", "media",
        "team", "billing", "sales", "feedback", "cs", "admin", "abuse", "dpo"})

    def validate(self, value: str, pattern: Pattern, match: re.Match[str]
                 ) -> tuple[float, str] | None:
        if ".." in value:
            return None
        return 1.0, "an address of the form name@domain.tld"

    def personal(self, value: str) -> bool:
        return value.split("@", 1)[0].lower() not in self.ROLE_MAILBOXES


@register
class PhoneDetector(PiiDetector):
    NAME = "PhoneDetector"
    KIND = "phone"
    NEEDS = "long_number"
    CONTEXT = (r"phone", r"mobile", r"\bcall", r"\btel\b", r"\bnumber", r"\bcell\b", r"text me",
               r"whats ?app", r"전화", r"연락처", r"휴대폰", r"핸드폰", r"번호", r"문자")
    PATTERNS = (
        # Korean mobile and landline: 010-1234-5678, 01012345678, +82 10-1234-5678, 02-123-4567
        Pattern("korean", r"(?<![\w+-])(?:\+82[-\s]?|0)(?:1[016789]|2|[3-6][1-5]|70|80|50\d?)"
                          r"(?P<sep>[-\s.]?)\d{3,4}(?P=sep)\d{4}(?![\d-])", 0.85),
        # North America: (415) 555-0132, 415-555-0132, +1 415 555 0132 (separators required)
        Pattern("nanp", r"(?<![\w+-])(?:\+?1[-.\s]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[-.\s])"
                        r"[2-9]\d{2}[-.\s]\d{4}(?![\d-])", 0.75),
        # International with a country code: +44 (20) 7123 4567, +33 1 42 68 53 00
        Pattern("international", r"(?<![\w+])\+[1-9]\d{0,2}(?:[\s.-]?\(?\d{1,5}\)?){2,6}(?!\d)",
                0.75),
        # Domestic with a trunk 0 elsewhere: 090-1234-5678 (JP), 09-7625400 (IL)
        Pattern("trunk", r"(?<![\w+-])0\d{1,3}-\d{3,4}-?\d{4}(?![\d-])", 0.6),
        # Korean brand hotlines (1588-1234): phone numbers, but not personal ones
        Pattern("kr_business", r"(?<![\w+-])1[5-8]\d{2}-\d{4}(?![\d-])", 0.6),
        # Bare digit runs only count with a context word (they could be any reference)
        Pattern("bare", r"(?<![\w+-])(?:1[3-9]\d{9}|[2-9]\d{2}[2-9]\d{6})(?![\d-])", 0.6,
                needs_context=True),
    )
    TOLL_FREE = ("800", "888", "877", "866", "855", "844", "833")

    def validate(self, value: str, pattern: Pattern, match: re.Match[str]
                 ) -> tuple[float, str] | None:
        n = len(digits_of(value))
        if not 8 <= n <= 15:
            return None
        if pattern.name == "international" and value.startswith(("+82", "+1")):
            return None  # the korean / nanp patterns own these
        return pattern.score, f"{n} digits in a {pattern.name} phone layout"

    def personal(self, value: str) -> bool:
        digits = digits_of(value)
        if re.fullmatch(r"1[5-8]\d{6}", digits) or digits.startswith(("080", "8280")):
            return False
        national = digits[1:] if digits.startswith("1") and len(digits) == 11 else digits
        return not national.startswith(self.TOLL_FREE)


@register
class CardNumberDetector(PiiDetector):
    NAME = "CardNumberDetector"
    KIND = "card_number"
    NEEDS = "long_number"
    CONTEXT = (r"card", r"visa", r"master ?card", r"amex", r"credit", r"debit", r"카드", r"결제")
    PATTERNS = (Pattern("card", r"(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w-]|[.,]\d)", 0.5),)
    CONTEXT_BOOST = 0.15
    #: Issuer prefixes (IIN ranges) and lengths of the major schemes.
    ISSUERS = ((re.compile(r"4"), (13, 16, 19), "Visa"),
               (re.compile(r"5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)"), (16,), "Mastercard"),
               (re.compile(r"3[47]"), (15,), "American Express"),
               (re.compile(r"6(?:011|5|4[4-9]|22)"), (16, 17, 18, 19), "Discover"),
               (re.compile(r"35(?:2[89]|[3-8])"), (16, 17, 18, 19), "JCB"),
               (re.compile(r"3(?:0[0-5]|[68])"), (14, 15, 16), "Diners Club"),
               (re.compile(r"62"), (16, 17, 18, 19), "UnionPay"),
               (re.compile(r"5[06-9]|6"), tuple(range(12, 20)), "Maestro"))

    def validate(self, value: str, pattern: Pattern, match: re.Match[str]
                 ) -> tuple[float, str] | None:
        digits = digits_of(value)
        groups = re.split(r"[ -]", value)
        if len(groups) > 1:
            if len({c for c in value if not c.isdigit()}) > 1:
                return None  # mixed separators: two numbers run together
            sizes = [len(g) for g in groups]
            if sizes[:3] not in ([4, 4, 4], [4, 6, 5], [4, 6, 4]) and sizes != [4, 6, 5]:
                return None
        if len(set(digits)) == 1:
            return None
        if not luhn_valid(digits):
            # Grouped like a card (4-4-4-4, 4-6-5) next to a card word or with an issuer prefix:
            # a typo'd or made-up card number is still a card number to whoever reads it.
            sizes = [len(g) for g in groups]
            if sizes in ([4, 4, 4, 4], [4, 6, 5], [4, 4, 4, 4, 3]) and (
                    self.has_context(match.string, match.start(), match.end())
                    or any(p.match(digits) and len(digits) in n for p, n, _ in self.ISSUERS)):
                return 0.6, f"{len(digits)} digits grouped like a card number (Luhn fails)"
            return None
        for prefix, lengths, scheme in self.ISSUERS:
            if prefix.match(digits) and len(digits) in lengths:
                return 0.85, f"{len(digits)} digits, Luhn checksum valid, {scheme} prefix"
        if 14 <= len(digits) <= 16:  # e.g. UATP (prefix 1, 15 digits)
            return 0.5, f"{len(digits)} digits, Luhn checksum valid (no known issuer prefix)"
        return None


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"


@register
class IpAddressDetector(PiiDetector):
    NAME = "IpAddressDetector"
    KIND = "ip_address"
    NEEDS = ""
    PREFILTER = r"\d\.\d{1,3}\.\d|::|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:"

    def applies(self, facts: TextFacts) -> bool:
        # IPv6 "::" has no digits; everything else needs one
        return (facts.has_digit or "::" in facts.text) and super().applies(facts)
    CONTEXT = (r"\bip\b", r"ipv[46]", r"address", r"server", r"주소", r"아이피")
    PATTERNS = (
        Pattern("ipv4", rf"(?<![\w.]){_IPV4}(?:/(?:3[0-2]|[12]?\d)(?!\d))?(?![\w]|\.\d)", 0.6),
        Pattern("ipv6", r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|"
                        rf"{_IPV4})?(?:%[A-Za-z0-9_.]+)?(?:/(?:12[0-8]|1[01]\d|[1-9]?\d)(?!\d))?"
                        r"(?![\w:]|\.\d)", 0.6),
    )

    def validate(self, value: str, pattern: Pattern, match: re.Match[str]
                 ) -> tuple[float, str] | None:
        address = value.split("/", 1)[0].split("%", 1)[0]
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return None
        return pattern.score, f"a valid IPv{parsed.version} address"


_TLDS = ("com|net|org|edu|gov|mil|int|info|biz|io|co|ai|app|dev|me|tv|us|uk|ca|au|de|fr|jp|kr|"
         "cn|in|il|nl|es|it|se|no|fi|dk|ch|at|be|ie|nz|br|mx|ru|pl|pt|gr|tr|sg|hk|tw|eu|asia|"
         "site|online|store|shop|tech|xyz|link|ly|gl|gg|ws|cc|webcam|vlaanderen|example")


@register
class UrlDetector(PiiDetector):
    NAME = "UrlDetector"
    KIND = "url"
    NEEDS = "."
    PREFILTER = r"(?i)://|www\.|[a-z0-9]\.[a-z]{2}"
    PATTERNS = (
        Pattern("scheme", r"\b(?:https?|ftp)://[^\s<>\"'\u3000]+", 0.6, flags=_I),
        Pattern("domain", r"(?<![\w@.-])(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                          rf"(?:{_TLDS})(?:/[^\s<>\"'\u3000]*)?(?![\w-])", 0.5, flags=_I),
    )

    def validate(self, value: str, pattern: Pattern, match: re.Match[str]
                 ) -> tuple[float, str] | None:
        host = re.sub(r"^[a-z]+://", "", value, flags=_I).split("/", 1)[0]
        if "." not in host.strip("[]") and ":" not in host:
            return None
        return pattern.score, "a web address"

    def analyze(self, text: str) -> list[PiiMatch]:
        # Trailing punctuation belongs to the sentence, not the link.
        out = []
        for m in super().analyze(text):
            stripped = m.text.rstrip(".,;:!?)]}'\"")
            out.append(PiiMatch(m.kind, m.start, m.start + len(stripped), stripped, m.detector,
                                m.score, m.reason, personal=False))
        return out


@register
class ReferenceNumberDetector(PiiDetector):
    """Order, booking and account numbers: next to the word that names them (score 0.85), or
    shaped like one on their own (0.6): a letter or two and 7-10 digits, a 12-20 digit run, a
    bank-account layout of three dash-separated groups with 11-14 digits."""

    NAME = "ReferenceNumberDetector"
    KIND = "order_number"
    PATTERNS = (
        Pattern("en", r"\b(?P<ctx>order|tracking|invoice|booking|reservation|confirmation|PNR|"
                      r"ref(?:erence)?|account|acct|member(?:ship)?|customer|loyalty)\s*"
                      r"(?:number|no\.?|num|nr|#|id|code|ref(?:erence)?)?\s*(?:is|was|:|=)?\s*#?\s*"
                      r"(?P<value>[A-Z0-9](?:[A-Z0-9-]{3,22})[A-Z0-9])(?![\w-])", 0.85, flags=_I),
        Pattern("ko", r"(?P<ctx>주문|운송장|송장|결제|거래|예약|예매|계좌|회원|고객)\s*"
                      r"(?:번호|코드)?\s*(?:는|은|가|이|:|=)?\s*"
                      r"(?P<value>[A-Z0-9](?:[A-Z0-9-]{3,22})[A-Z0-9])(?![\w-])", 0.85, flags=_I),
        Pattern("letters_digits", r"(?<![\w-])[A-Z]{1,2}\d{7,10}(?![\w-])", 0.6),
        Pattern("long_digits", r"(?<![\w.,-])\d{12,20}(?![\w-]|[.,]\d)", 0.6),
        Pattern("bank_layout", r"(?<![\w-])\d{3,6}-\d{2,6}-\d{4,8}(?![\w-])", 0.6),
    )
    KINDS: ClassVar[dict[str, str]] = {
        "order": "order_number", "tracking": "order_number", "invoice": "order_number",
        "주문": "order_number", "운송장": "order_number", "송장": "order_number",
        "결제": "order_number", "거래": "order_number", "booking": "booking_reference",
        "reservation": "booking_reference", "confirmation": "booking_reference",
        "pnr": "booking_reference", "ref": "booking_reference", "reference": "booking_reference",
        "예약": "booking_reference", "예매": "booking_reference"}
    SHAPES: ClassVar[dict[str, tuple[str, str]]] = {
        "letters_digits": ("order_number", "shaped like an order or reference number"),
        "long_digits": ("order_number", "a long reference number"),
        "bank_layout": ("account_number", "a bank-account layout (three digit groups)"),
    }
    _NAMED = re.compile(r"(?i)ref|code|number|no\b|#|pnr|번호|코드")
    #: Booking references may be letters only ("XKJQPA"), so these words let digit-free texts in.
    _LETTER_REFS = re.compile(r"book|reserv|confirm|pnr|ref|예약|예매")

    def applies(self, facts: TextFacts) -> bool:
        return facts.has_digit or self._LETTER_REFS.search(facts.lower) is not None

    def analyze(self, text: str) -> list[PiiMatch]:
        out = []
        for pattern, regex in self._compiled:
            for m in regex.finditer(text):
                if pattern.name in self.SHAPES:
                    kind, reason = self.SHAPES[pattern.name]
                    digits = sum(c.isdigit() for c in m.group(0))
                    if pattern.name == "bank_layout" and not 11 <= digits <= 14:
                        continue
                    out.append(PiiMatch(kind, m.start(), m.end(), m.group(0), self.NAME,
                                        pattern.score, reason, shape_only=True))
                    continue
                value = m.group("value")
                ctx = m.group("ctx").lower()
                digits = sum(c.isdigit() for c in value)
                named = self._NAMED.search(text, m.start(), m.start("value")) is not None
                letters_only = (self.KINDS.get(ctx) == "booking_reference" and named
                                and value.isupper() and 5 <= len(value) <= 8)
                if digits < 2 and not letters_only:
                    continue
                out.append(PiiMatch(self.KINDS.get(ctx, "account_number"), m.start("value"),
                                    m.end("value"), value, self.NAME, pattern.score,
                                    f"a reference right after {m.group('ctx')!r}"))
        return out


_US_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|"
              "NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR|VI|GU|"
              "AS|FM|MH|MP|PW|AA|AE|AP")
_STREET = ("Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
           "Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Plaza|Crescent|Close|Row|"
           "Trail|Ridges?|Burgs?|Walks?|Crossing|Loop|Alley|Mews|Gardens|Grove")
#: Words ending in 구/군 that are not districts (요구 "request", 친구 "friend", ...).
_NOT_DISTRICTS = "요구|연구|친구|가구|도구|입구|출구|창구|지구|항구|추구|강구|부탁드리구"


@register
class AddressDetector(PiiDetector):
    """Street addresses, heuristically: a house number and a street word (en), a district and
    a road with its building number, a lot number or a flat (ko)."""

    NAME = "AddressDetector"
    KIND = "address"
    PREFILTER = (r"(?<![@\w])\d{1,5}[A-Z]?\s+[A-Z][a-z]|[A-Z]{2}\s+\d{5}|[Bb][Oo][Xx]\s+\d|"
                 r"[로길가리동하]\s*\d")
    PATTERNS = (
        Pattern("en_street", rf"(?<![@\w])\d{{1,5}}[A-Z]?\s+(?:[A-Z][a-z]+\.?\s+){{1,3}}"
                             rf"(?:{_STREET})\b"
                             r"\.?(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?\s*\w+)?"
                             rf"(?:,\s*[A-Z][A-Za-z .]+,\s*(?:{_US_STATES})\s+\d{{5}}"
                             r"(?:-\d{4})?)?",
                0.7),
        Pattern("en_city_zip", rf"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)*,\s*(?:{_US_STATES})\s+\d{{5}}"
                               r"(?:-\d{4})?\b", 0.6),
        Pattern("en_po_box", r"\bP\.?\s?O\.?\s+Box\s+\d{1,6}\b", 0.7, flags=_I),
        Pattern("en_military", r"\b(?:PSC|Unit|CMR)\s+\d{3,5},\s*Box\s+\d{3,5},\s*"
                               r"(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5}\b", 0.8),
        Pattern("ko_road", rf"(?:[가-힣]{{2,}}(?:특별시|광역시|특별자치시|특별자치도|도|시)\s+)?"
                           rf"(?:(?<![가-힣])(?!{_NOT_DISTRICTS})[가-힣]{{1,5}}(?:시|군|구)\s+){{1,2}}"
                           r"[가-힣0-9]{1,12}(?:대로|로|길|가|거리)(?<!으로)\s*(?:지하\s*)?"
                           r"\d{1,4}(?:-\d{1,4})?(?![\d가-힣%]|\s*(?:일|시|분|개|번|회|원|년|월|주(?!소)|"
                           r"명|건|차|초))", 0.75),
        Pattern("ko_lot", r"[가-힣]{1,6}동\s*\d{1,4}-\d{1,4}(?:번지)?(?!\d)", 0.7),
        Pattern("ko_flat", r"(?<!\d)\d{1,4}동\s*\d{1,4}호", 0.7),
    )


_MONTHS = ("Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           "Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?")


@register
class DateOfBirthDetector(PiiDetector):
    """Dates of birth: a date right after "date of birth", "DOB", "born", "생년월일"..."""

    NAME = "DateOfBirthDetector"
    KIND = "date_of_birth"
    STEMS = ("birth", "dob", "d.o.b", "born", "생년월일", "생일", "출생일")
    PATTERNS = (
        Pattern("en", r"\b(?:date\s+of\s+birth|d\.?o\.?b\.?|birth\s*date|born(?:\s+on)?|"
                      r"birthday)\s*(?:is|was|:|-)?\s*(?P<value>\d{4}-\d{1,2}-\d{1,2}|"
                      r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|"
                      rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
                      rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}})(?!\d)", 0.9,
                flags=_I),
        Pattern("ko", r"(?:생년월일|생일|출생일)\s*(?:은|는|이|가|:)?\s*(?P<value>\d{4}\s*년\s*"
                      r"\d{1,2}\s*월\s*\d{1,2}\s*일|\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{8}|\d{6})"
                      r"(?!\d)", 0.9),
    )

    def validate(self, value: str, pattern: Pattern, match: re.Match[str]
                 ) -> tuple[float, str] | None:
        if any(plausible_date(*ymd) for ymd in date_readings(value)):
            return pattern.score, "a plausible date right after a date-of-birth word"
        return None


# ---------------------------------------------------------------------------------- analysis

def detect_pii(text: str, language: str = "en", kinds: Iterable[str] | None = None,
               detectors: Iterable[PiiDetector] | None = None,
               min_score: float = 0.0) -> list[PiiMatch]:
    """Personal data in ``text``, best match per span, in reading order.

    All detectors run for every language (a Korean phone number can appear in an English
    reply); ``language`` is kept for detectors that will need it. Candidates below
    ``min_score`` are dropped first; overlaps then go to a specific detector over a shape-only
    match, then to the higher score, then to the longer span.
    """
    del language
    wanted = set(kinds) if kinds is not None else None
    facts = TextFacts.of(text)
    candidates: list[PiiMatch] = []
    for detector in detectors if detectors is not None else default_detectors():
        if wanted is not None and detector.KIND not in wanted and not (
                detector.KIND == "order_number" and wanted & {"booking_reference",
                                                              "account_number"}):
            continue
        if detector.applies(facts):
            candidates.extend(m for m in detector.analyze(text) if m.score >= min_score)
    if wanted is not None:
        candidates = [m for m in candidates if m.kind in wanted]
    candidates.sort(key=lambda m: (m.shape_only, -m.score, -(m.end - m.start), m.start))
    chosen: list[PiiMatch] = []
    for m in candidates:
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    chosen.sort(key=lambda m: m.start)
    return chosen


__all__ = ["DETECTORS", "PERSONAL_MIN_SCORE", "Pattern", "PiiDetector", "PiiMatch",
           "default_detectors", "detect_pii", "luhn_valid", "pii_forms", "pii_korean",
           "register"]

"""Personal data written out in a scripted text (a scenario's inject, a lead's live inject), so
it is recorded as exposed like data a slot filled: "card ending 4417", "member no. LF-0092834",
"920314-2481731", an e-mail, a phone number, a sort code and account, a password.

Issue 13 found scripted injects whose personal data never reached ``exposed``: the scorer's
privacy checks (a reply that repeats it) and the desk's flags missed them. Slots
(``{email}``, ``{order}``...) record their own values; this finds what a scenario author
typed in full. The patterns are deliberately narrow: a missed value is a weaker drill, a
wrong one flags an innocent reply.
"""

from __future__ import annotations

import re

from engine.records import PersonalData

#: (kind, pattern with one group: the value as it appears in the text)
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")),
    ("rrn", re.compile(r"\b(\d{6}-[1-4]\d{6})\b")),
    ("card_number", re.compile(r"\b((?:\d{4}[ -]){3}\d{4})\b")),
    ("card_number", re.compile(r"\bcard (?:ending|ending in|ends in|number ending)\s+(\d{4})\b",
                               re.IGNORECASE)),
    ("account_number", re.compile(r"\b(\d{2}-\d{2}-\d{2}\s+\d{8})\b")),
    ("account_number", re.compile(r"\b(\d{3}-\d{2}-\d{6})\b")),
    ("account_number", re.compile(r"\bmember (?:no\.?|number|#)\s*([A-Z]{1,4}-?\d{5,})",
                                  re.IGNORECASE)),
    ("account_number", re.compile(r"\baccount (?:is|no\.?|number|#)\s*([A-Z]{1,4}-?\d{6,})",
                                  re.IGNORECASE)),
    ("phone", re.compile(r"(\b010[- ]?\d{4}[- ]?\d{4}\b)")),
    ("phone", re.compile(r"(\+44\s?7\d{3}\s?\d{6}|\b07\d{3}\s?\d{6}\b)")),
    ("phone", re.compile(r"(\(\d{3}\)\s?\d{3}-\d{4}|\b\d{3}-\d{3}-\d{4}\b)")),
    ("booking_reference", re.compile(r"\bbooking (?:ref(?:erence)?|no\.?|number)?\s*:?\s*"
                                     r"([A-Z0-9]{6})\b")),
    ("order_number", re.compile(r"\border (?:no\.?|number|#)\s*([A-Z0-9-]{6,})",
                                re.IGNORECASE)),
    ("password", re.compile(r"\bpassword (?:is|was)\s+(\S+?)[.!,]?(?:\s|$)", re.IGNORECASE)),
)


def written_out(text: str, known: tuple[PersonalData, ...] = ()) -> tuple[PersonalData, ...]:
    """Personal data typed in full in ``text`` (values already in ``known`` are skipped)."""
    found: list[PersonalData] = []
    seen = {d.value for d in known}
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            value = match.group(1).strip()
            if value and value not in seen and not any(value in s for s in seen):
                seen.add(value)
                found.append(PersonalData(kind, value))
    return tuple(found)

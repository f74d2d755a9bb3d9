"""Triage priority of a new mention, shared by the inbox (sorting, SLA timers) and the scorer."""

from __future__ import annotations

import re

from engine.records import HIGH_REACH_FOLLOWERS, Author

#: Reach from which an author is urgent on any topic (an influencer-sized audience).
URGENT_FOLLOWERS = 100_000
#: Safety and legal words that make any mention urgent (a team lead's escalation list).
RISK_WORDS = re.compile(
    r"\b(lawyer|attorney|sue|suing|lawsuit|legal action|injur\w*|hospital|fire|smoke|burn\w*|"
    r"unsafe|danger\w*|police|regulator|ombudsman|discriminat\w*)\b"
    r"|소송|변호사|고소|신고할|다쳤|다쳐|병원|화재|불이 났|위험|경찰|소비자원|공정위",
    re.IGNORECASE,
)


#: Cheap substrings that every RISK_WORDS match contains: the regex (about 10 us on a tweet)
#: only runs when one of them is present, which keeps a 100k-mention flood fast.
_PREFILTER = ("lawyer", "attorney", "sue", "suing", "lawsuit", "legal", "injur", "hospital",
              "fire", "smoke", "burn", "unsafe", "danger", "police", "regulator", "ombudsman",
              "discriminat", "소송", "변호사", "고소", "신고할", "다쳤", "다쳐", "병원", "화재",
              "불이 났", "위험", "경찰", "소비자원", "공정위")


def has_risk_words(text: str) -> bool:
    """Whether a text carries safety or legal words (see RISK_WORDS)."""
    lower = text.lower()
    return any(s in lower for s in _PREFILTER) and RISK_WORDS.search(text) is not None


def priority_of(author: Author, persona: str, intent: str, text: str) -> str:
    """``urgent``, ``high``, ``normal`` or ``low``."""
    if (persona in ("journalist", "vip") or author.followers >= URGENT_FOLLOWERS
            or has_risk_words(text)):
        return "urgent"
    if (author.followers >= HIGH_REACH_FOLLOWERS or persona == "privacy_oversharer"
            or intent == "security"):
        return "high"
    if persona == "praise" or intent == "praise":
        return "low"
    return "normal"

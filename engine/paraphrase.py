"""Interchangeable wordings: one template drawn twice should not read as the same post twice.

A bank lists groups of wordings that can stand in for each other in any of its sentences
(``paraphrases``: ``[any update, any news, an update]``). When a customer's post is written,
each group member found in the template's own wording (whole words, case-insensitive, never
inside a ``{slot}``) is swapped for another member of its group with probability ``rate``,
drawn from the stream the post is written with. Slot values (personal data, incident facts,
places) are filled after the swap, so they are never touched; scripted texts (injects) are
never varied.

Why: in a 5,000-mention outage flood a template is drawn dozens of times, and real customers
who say the same thing still word it their own way (issue 13 measured 17% of one flood's
mentions with a near-duplicate elsewhere, against 1.8% of real tweets).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.threads import Stream

#: Characters a member may not hold: template syntax (slots and choices).
FORBIDDEN = frozenset("{}[]|")
#: Default chance that a found member is swapped for another of its group.
RATE = 0.5


def problems(groups: Sequence[Sequence[str]], where: str = "paraphrases") -> list[str]:
    """Every reason ``groups`` cannot be used, one line each (empty: usable)."""
    found: list[str] = []
    seen: dict[str, int] = {}
    for index, group in enumerate(groups):
        if len(group) < 2:
            found.append(f"{where}[{index}]: a group needs at least two wordings")
        lowered = [str(m).strip().lower() for m in group]
        if len(set(lowered)) != len(lowered):
            found.append(f"{where}[{index}]: a wording appears twice in the group")
        for member, low in zip(group, lowered, strict=True):
            if not low:
                found.append(f"{where}[{index}]: an empty wording")
                continue
            bad = sorted(FORBIDDEN.intersection(member))
            if bad:
                found.append(f"{where}[{index}]: {member!r} holds {' '.join(bad)} "
                             "(template syntax)")
            if member != member.strip() or "  " in member:
                found.append(f"{where}[{index}]: {member!r} has stray spaces")
            if low in seen and seen[low] != index:
                found.append(f"{where}[{index}]: {member!r} is also in group {seen[low]}")
            seen.setdefault(low, index)
    return found


@dataclass(frozen=True, slots=True)
class Paraphraser:
    """Swaps group members in template wording (see the module docstring)."""

    pattern: re.Pattern[str] | None
    #: lower-cased member -> its group
    groups: dict[str, tuple[str, ...]]
    rate: float = RATE

    @classmethod
    def of(cls, groups: Sequence[Sequence[str]], rate: float = RATE) -> Paraphraser:
        table = {m.lower(): tuple(group) for group in groups for m in group}
        if not table:
            return cls(None, {}, rate)
        # longest first, so "is there any" wins over "is there"; whole words only, never
        # inside a slot name ("{brand_name}") or next to one
        alternatives = "|".join(re.escape(m) for m in sorted(table, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w{{'’])(?:{alternatives})(?![\w}}'’])", re.IGNORECASE)
        return cls(pattern, table, rate)

    def vary(self, text: str, rng: Stream) -> str:
        """``text`` with each found member swapped for another of its group (chance ``rate``
        each; one draw per found member, a second only when it is swapped)."""
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self._swap(m.group(0), rng), text)

    def _swap(self, found: str, rng: Stream) -> str:
        if rng.random() >= self.rate:
            return found
        group = self.groups[found.lower()]
        others = [m for m in group if m.lower() != found.lower()]
        chosen = others[int(rng.random() * len(others))]
        if found.isupper() and len(found) > 1:  # emphasis stays ("NOT WORKING")
            return chosen.upper()
        if found[:1].isupper() and chosen[:1].islower():
            return chosen[0].upper() + chosen[1:]
        return chosen

"""Interchangeable wordings: one template drawn twice should not read as the same post twice.

A bank lists groups of wordings that can stand in for each other in any of its sentences
(``paraphrases``: ``[any update, any updates, any news]``). When a customer's post is written,
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
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.threads import Stream

#: Characters a member may not hold: template syntax (slots and choices).
FORBIDDEN = frozenset("{}[]|")
#: A word as members are indexed by their first one ("can't", "i'm").
_WORD = re.compile(r"[\w'’]+")
#: Characters of a word (as the scan sees it: lower-cased).
_WORD_CHARS = frozenset(string.ascii_lowercase + string.digits + "_'’")
#: Characters that may not touch a found member: it would be part of a word, a slot, a
#: hashtag or a handle.
_JOINED = _WORD_CHARS | frozenset("{#@")
_JOINED_AFTER = _WORD_CHARS | frozenset("}")
#: Characters that glue a piece's edge to its neighbour piece (not lower-cased there).
_GLUED = _WORD_CHARS | frozenset(string.ascii_uppercase + "#@")
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


#: Bank pieces whose found wordings are remembered (a bank has a finite set of pieces).
CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class Paraphraser:
    """Swaps group members in template wording (see the module docstring).

    Where the members sit in a piece is found once per piece (a pass over its words, each
    looked up by first word) and remembered: a post then costs one draw per found member and
    the string joins.
    """

    #: first word of a member (lower-cased) -> the members starting with it, longest first
    index: dict[str, tuple[str, ...]]
    #: lower-cased member -> its group
    groups: dict[str, tuple[str, ...]]
    rate: float = RATE
    #: piece -> (start, end) of each member found in it
    found: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, groups: Sequence[Sequence[str]], rate: float = RATE) -> Paraphraser:
        table = {m.lower(): tuple(group) for group in groups for m in group}
        index: dict[str, list[str]] = {}
        for member in table:
            first = _WORD.match(member)
            index.setdefault(first.group(0) if first else member, []).append(member)
        # longest first, so "is there any" wins over "is there"
        return cls({k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()},
                   table, rate)

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """Where the members sit in ``text``, whole words only and never inside or next to a
        ``{slot}`` (remembered per text: a bank has a finite set of pieces)."""
        found = self.found.get(text)
        if found is None:
            found = self._scan(text)
            if len(self.found) >= CACHE_LIMIT:
                self.found.clear()
            self.found[text] = found
        return found

    def _scan(self, text: str) -> tuple[tuple[int, int], ...]:
        lower = text.lower()
        spans: list[tuple[int, int]] = []
        after = 0  # a member may not start inside the one before it
        for word in _WORD.finditer(lower):
            start = word.start()
            members = self.index.get(word.group(0))
            if members is None or start < after or (start and lower[start - 1] in _JOINED):
                continue
            for member in members:
                end = start + len(member)
                if lower.startswith(member, start) and (
                        end == len(lower) or lower[end] not in _JOINED_AFTER):
                    spans.append((start, end))
                    after = end
                    break
        return tuple(spans)

    def within(self, text: str, spans: tuple[tuple[int, int], ...], before: str,
               after: str) -> tuple[tuple[int, int], ...]:
        """``spans`` of ``text`` (``spans(text)``) without a member at an edge that the text
        around it continues: a bank piece ends where a choice begins, so "ok" followed by the
        piece "ay" is half of "okay", and "fail" after the piece "#" is a hashtag. ``before``
        and ``after``: the neighbouring pieces' facing characters ("" for none)."""
        if spans and spans[0][0] == 0 and before in _GLUED:
            spans = spans[1:]
        if spans and spans[-1][1] == len(text) and after in _GLUED:
            spans = spans[:-1]
        return spans

    def vary(self, text: str, rng: Stream) -> str:
        """``text`` with each found member swapped for another of its group (chance ``rate``
        each; one draw per found member, a second only when it is swapped)."""
        spans = self.spans(text)
        return self.swap(text, spans, rng) if spans else text

    def swap(self, text: str, spans: tuple[tuple[int, int], ...], rng: Stream) -> str:
        """``text`` with the members at ``spans`` (``spans(text)``) swapped or kept."""
        out: list[str] = []
        at = 0
        for start, end in spans:
            out.append(text[at:start])
            out.append(self._swap(text[start:end], rng))
            at = end
        out.append(text[at:])
        return "".join(out)

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

"""Typed slot fillers: what ``{amount}``, ``{hours}``, ``{city}``, ``{address}`` become in a post.

Each slot has a type that keeps it coherent with the drill: amounts are the domain's prices in
the region's currency (cents rare, as people type them); durations fit the story's clock (an
outage that began 40 minutes ago is never "3 hours" old, and a template that needs hours or
days is not used before the story is that old); places are the region's, and an author's home
place is fixed by their handle, so their tweet, their bio and their address agree. Every
occurrence of a slot draws a value once per post (``{days}`` twice is the same value; a template
that means two values says ``{days}`` and ``{days2}``).

Fillers read only the ``Slots`` they are given (its stream, facts, author, story age), never
the writer's state, so one writer serves the flood's stream and every thread's stream alike.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from engine.records import Author, PersonalData
from engine.threads import Stream

if TYPE_CHECKING:
    from engine.bank import Area, Region

Filler = Callable[["Slots"], str]

EN_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
              "ten", "eleven", "twelve")
#: Korean native numerals for hours (한 시간, 두 시간); minutes and days stay in digits.
KO_HOURS = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열")
MINUTE_STEPS = (5, 10, 15, 20, 25, 30, 40, 45, 50, 60, 90)
#: Slots that need the story to be this old (minutes) in a drill whose clock bounds them.
NEEDS_AGE = {"hours": 120.0, "hours2": 120.0, "days": 2880.0, "days2": 2880.0}
_SLOT = re.compile(r"\{(\w+)\}")
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")


class Slots(dict[str, Any]):
    """Fills a slot the first time a template asks for it (unused slots cost nothing)."""

    __slots__ = ("age", "author", "exposed", "facts", "fillers", "minute", "rng")

    def __init__(self, fillers: dict[str, Filler], author: Author | None,
                 extra: dict[str, str], rng: Stream, facts: dict[str, str],
                 minute: float | None, age: float | None) -> None:
        super().__init__(extra)
        self.fillers = fillers
        self.author = author
        self.rng = rng
        self.facts = facts
        self.minute = minute
        #: minutes the story has lasted for this post (None: durations are the customer's own)
        self.age = age
        self.exposed: list[PersonalData] = []

    def __missing__(self, key: str) -> str:
        try:
            filler = self.fillers[key]
        except KeyError:
            raise KeyError(key) from None
        value = self[key] = filler(self)
        return value


def slot_names(template: str) -> frozenset[str]:
    """Every slot name written in a template (in any of its wordings)."""
    return frozenset(_SLOT.findall(template))


def fits_clock(names: frozenset[str], age: float | None) -> bool:
    """Whether a template's durations can fit a story ``age`` minutes old."""
    if age is None:
        return True
    return all(age >= NEEDS_AGE[n] for n in names if n in NEEDS_AGE)


def pick(seq: Sequence[str], rng: Stream) -> str:
    return seq[int(rng.random() * len(seq))]


def home_index(author: Author | None, size: int) -> int:
    """An author's home place among ``size`` (crc32 of the handle: the same in every post)."""
    if author is None or size <= 0:
        return 0
    return zlib.crc32(author.handle.encode()) % size


# ---------------------------------------------------------------------------- durations
def _english_number(value: int, rng: Stream, words: float) -> str:
    if value < len(EN_NUMBERS) and rng.random() < words:
        return EN_NUMBERS[value]
    return str(value)


def minutes(korean: bool) -> Filler:
    def fill(s: Slots) -> str:
        top = 90.0 if s.age is None else min(90.0, s.age)
        steps = [m for m in MINUTE_STEPS if m <= top] or [5]
        value = steps[int(s.rng.random() * len(steps))]
        if korean:
            return str(value)
        if value in (5, 10, 15, 20, 30, 40, 45) and s.rng.random() < 0.35:
            return {5: "five", 10: "ten", 15: "fifteen", 20: "twenty", 30: "thirty",
                    40: "forty", 45: "forty-five"}[value]
        return str(value)
    return fill


def hours(korean: bool) -> Filler:
    def fill(s: Slots) -> str:
        top = 9 if s.age is None else max(2, min(12, int(s.age // 60)))
        value = s.rng.randint(2, top)
        if korean:
            return KO_HOURS[value] if value < len(KO_HOURS) and s.rng.random() < 0.3 \
                else str(value)
        return _english_number(value, s.rng, 0.5)
    return fill


def days(korean: bool) -> Filler:
    def fill(s: Slots) -> str:
        top = 12 if s.age is None else max(2, min(14, int(s.age // 1440)))
        value = s.rng.randint(2, top)
        return str(value) if korean else _english_number(value, s.rng, 0.45)
    return fill


def count(korean: bool) -> Filler:
    """A small count (times, calls, people): 2-5."""
    def fill(s: Slots) -> str:
        value = s.rng.randint(2, 5)
        return str(value) if korean else _english_number(value, s.rng, 0.75)
    return fill


def years(korean: bool) -> Filler:
    def fill(s: Slots) -> str:
        value = s.rng.randint(2, 15)
        return str(value) if korean else _english_number(value, s.rng, 0.3)
    return fill


# ---------------------------------------------------------------------------- money
def amount(region: Region | None, ranges: Sequence[tuple[float, float, float]],
           cents: float, korean: bool) -> Filler:
    """A price the domain charges, in the region's currency (cents rare)."""
    spans = tuple(ranges) or ((5.0, 120.0, 1.0),)
    symbol = region.currency if region else ("원" if korean else "$")
    suffix = (region.currency_position == "suffix") if region else korean

    def fill(s: Slots) -> str:
        low, high, step = spans[int(s.rng.random() * len(spans))]
        value = low + step * int(s.rng.random() * (int((high - low) / step) + 1))
        if suffix:
            whole = int(value)
            style = s.rng.random()
            if style < 0.2 and whole >= 10_000 and whole % 1000 == 0:
                man, cheon = divmod(whole // 1000, 10)
                return f"{man}만{f' {cheon}천' if cheon else ''}{symbol}".replace(" ", "")
            return f"{whole:,}{symbol}" if style < 0.8 else f"{whole}{symbol}"
        if s.rng.random() < cents:
            value = max(0.99, value - 0.01)
            return f"{symbol}{value:,.2f}"
        return f"{symbol}{int(value):,}"
    return fill


# ---------------------------------------------------------------------------- time words
def since(korean: bool, phrases: Sequence[str]) -> Filler:
    """When it began: the facts' clock time as people type it, else the drill's own words."""
    fallback = tuple(phrases) or (("아침",) if korean else ("this morning",))

    def fill(s: Slots) -> str:
        raw = s.facts.get("since", "")
        match = _CLOCK.search(raw)
        if match is None:
            return pick(fallback, s.rng)
        hour, minute = int(match.group(1)), int(match.group(2))
        return clock_words(hour, minute, korean, s.rng)
    return fill


def clock_words(hour: int, minute: int, korean: bool, rng: Stream) -> str:
    """A clock time as a customer types it (8:45, 8.45am, about 9, 오전 8시 45분...)."""
    style = rng.random()
    twelve = hour % 12 or 12
    if korean:
        half = "오전" if hour < 12 else "오후"
        if style < 0.4:
            return f"{hour}:{minute:02d}"
        if style < 0.8:
            return f"{half} {twelve}시" + (f" {minute}분" if minute else "")
        return f"{twelve}시" + ("반" if minute == 30 else (f" {minute}분" if minute else ""))
    suffix = "am" if hour < 12 else "pm"
    if style < 0.35:
        return f"{twelve}:{minute:02d}"
    if style < 0.55:
        return f"{twelve}:{minute:02d}{suffix}" if minute else f"{twelve}{suffix}"
    if style < 0.7:
        return f"{twelve}.{minute:02d}" if minute else f"{twelve}"
    if style < 0.85:
        if minute >= 40:  # people round up to the next hour: "just before 9"
            following = twelve % 12 + 1
            return (f"quarter to {following}" if minute == 45 and style < 0.78
                    else f"just before {following}")
        return f"about {twelve}" if minute < 20 else (
            f"half {twelve}" if minute == 30 else f"about {twelve}:{minute:02d}")
    return f"around {twelve}{suffix}" if minute < 15 else f"{twelve}:{minute:02d}"


def clock_now(start_minutes: int | None, korean: bool) -> Filler:
    """The time of the post (the drill's start clock + the post's minute)."""
    def fill(s: Slots) -> str:
        if start_minutes is None or s.minute is None:
            return "now" if not korean else "지금"
        total = (start_minutes + int(s.minute)) % (24 * 60)
        return clock_words(total // 60, total % 60, korean, s.rng)
    return fill


def date(korean: bool, day_first: bool) -> Filler:
    def fill(s: Slots) -> str:
        r = s.rng
        style = r.random()
        if korean:
            if style < 0.6:
                return f"{r.randint(1, 12)}월 {r.randint(1, 28)}일"
            return pick(("어제", "그저께", "지난주", "지난 주말", "월요일", "지난달"), r)
        if style < 0.55:
            return pick(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                         "last week", "the weekend", "yesterday", "last Tuesday",
                         "the other day", "Sunday", "last month"), r)
        day, month = r.randint(1, 28), r.randint(1, 12)
        if style < 0.8:
            return f"the {day}{_ordinal(day)}"
        return f"{day}/{month}" if day_first else f"{month}/{day}"
    return fill


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


# ---------------------------------------------------------------------------- places
def city(areas: Sequence[str]) -> Filler:
    """The author's home place most of the time (their tweets and bio agree), else another."""
    def fill(s: Slots) -> str:
        if s.author is not None and s.rng.random() < 0.85:
            return areas[home_index(s.author, len(areas))]
        return pick(areas, s.rng)
    return fill


def other_city(areas: Sequence[str]) -> Filler:
    def fill(s: Slots) -> str:
        home = areas[home_index(s.author, len(areas))]
        others = [a for a in areas if a != home] or list(areas)
        return pick(others, s.rng)
    return fill


def address(region: Region) -> Callable[[Stream, Author | None], str]:
    """An address in the author's home area, coherent (a Korean road stays in its city)."""
    def make(rng: Stream, author: Author | None) -> str:
        area = region.areas[home_index(author, len(region.areas))]
        return address_in(region, area, rng)
    return make


def address_in(region: Region, area: Area, rng: Stream) -> str:
    form = pick(region.address_forms, rng)
    street = pick(area.roads or region.streets or ("Main",), rng)
    postcode = _postcode(area.postcode, rng)
    return form.format(n=rng.randint(1, 240), street=street,
                       kind=pick(region.street_kinds, rng), city=area.city,
                       full=area.full or area.city, postcode=postcode,
                       unit=rng.randint(101, 1502))


def _postcode(prefix: str, rng: Stream) -> str:
    """A postcode after its area prefix: GB 'LS' -> 'LS6 2QT', US 'WA 981' -> 'WA 98107'."""
    if not prefix:
        return ""
    if prefix[-1].isdigit():  # US: state + zip prefix
        return f"{prefix}{rng.randint(0, 99):02d}"
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (f"{prefix}{rng.randint(1, 19)} {rng.randint(1, 9)}"
            f"{pick(letters, rng)}{pick(letters, rng)}")


def phone_in(forms: Sequence[str], rng: Stream) -> str:
    """A phone number from a form ('#' digits), e.g. the UK's drama range 07700 900###."""
    form = pick(forms, rng)
    return "".join(str(int(rng.random() * 10)) if ch == "#" else ch for ch in form)

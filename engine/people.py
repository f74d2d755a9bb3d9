"""Faker-fed pools of simulated people and personal data, built once per session.

Faker costs 70-200 us a call (field notes), so a session draws a few hundred name parts and
addresses up front and composes thousands of authors from them with a seeded RNG. Every
method takes the RNG to draw from (``rng=``, default the factory's own), so one factory serves
the public's flood and the streams derived per thread alike.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from faker import Faker

from engine.records import Author
from engine.slots import address_in, home_index, phone_in
from engine.threads import Stream

if TYPE_CHECKING:
    from engine.bank import Region

LOCALES = {"en": "en_US", "ko": "ko_KR"}
#: Name parts and addresses drawn from Faker per pool (enough variety, ~60 ms to build).
FAKER_DRAWS = 160


@dataclass(frozen=True, slots=True)
class FakerParts:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    ascii_words: tuple[str, ...]
    addresses: tuple[str, ...]
    email_domains: tuple[str, ...]
    cities: tuple[str, ...]


@lru_cache(maxsize=8)
def faker_parts(language: str, seed: int) -> FakerParts:
    """Name parts and addresses from Faker for a language; cached per (language, seed)."""
    fake = Faker(LOCALES[language])
    fake.seed_instance(seed)
    ascii_fake = Faker("en_US")
    ascii_fake.seed_instance(seed + 1)
    firsts = tuple(dict.fromkeys(fake.first_name() for _ in range(FAKER_DRAWS)))
    lasts = tuple(dict.fromkeys(fake.last_name() for _ in range(FAKER_DRAWS // 2)))
    words = tuple(dict.fromkeys(
        _ascii(w) for w in (ascii_fake.user_name() for _ in range(FAKER_DRAWS)) if _ascii(w)))
    addresses = tuple(fake.address().replace("\n", ", ") for _ in range(FAKER_DRAWS // 2))
    domains = tuple(dict.fromkeys(ascii_fake.free_email_domain() for _ in range(20)))
    cities = tuple(dict.fromkeys(fake.city() for _ in range(40)))
    return FakerParts(firsts, lasts, words, addresses, domains, cities)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_]", "", plain).lower()


#: Follower counts: a Pareto tail (alpha 1.1) over a floor of 20, as reach is on social media.
FOLLOWER_ALPHA = 1.1
FOLLOWER_FLOOR = 20


class PeopleFactory:
    """Makes authors and personal-data values from Faker parts and the RNG each call is given."""

    def __init__(self, language: str, rng: random.Random, bios: dict[str, list[str]],
                 cities: list[str] | tuple[str, ...] = (), region: Region | None = None,
                 places: tuple[str, ...] = ()) -> None:
        self.language = language
        #: the default RNG (the session's flood stream); every method takes ``rng=`` instead
        self.rng = rng
        self.parts = faker_parts(language, rng.randrange(1 << 30))
        self.bios = bios
        #: the drill's region (places, addresses, phones); None: Faker's and the bank's
        self.region = region
        #: the region's areas the drill's customers live in (``places`` narrows them)
        self.areas = tuple(a for a in region.areas if not places or a.city in places) or \
            tuple(region.areas) if region else ()
        #: real place names (Faker's en_US cities are invented, e.g. "Lake Anneport"); an
        #: author's home place is ``home_city``: their bio, tweets and address agree
        self.cities = tuple(a.city for a in self.areas) if self.areas else (
            tuple(cities) or self.parts.cities)
        self._handles: set[str] = set()

    def followers(self, persona: str, rng: Stream | None = None) -> int:
        r = rng or self.rng
        if persona == "journalist":
            return int(r.uniform(8_000, 250_000))
        if persona == "vip":
            return int(r.uniform(50_000, 2_000_000))
        value = FOLLOWER_FLOOR * r.paretovariate(FOLLOWER_ALPHA)
        return int(min(value, 5_000_000))

    def handle(self, rng: Stream | None = None, register: bool = True) -> str:
        """A handle no registered author has; ``register=False`` leaves the registry untouched
        (authors made for one thread must not change which handles the flood's authors get)."""
        r = rng or self.rng
        base = r.choice(self.parts.ascii_words)
        style = r.random()
        if style < 0.4:
            handle = base
        elif style < 0.7:
            handle = f"{base}{r.randint(1, 9999)}"
        elif style < 0.85:
            handle = f"{base}_{r.choice(self.parts.ascii_words)[:6]}"
        else:
            handle = f"the{base}"
        handle = handle[:15] or "user"
        while handle in self._handles:
            handle = f"{handle[:11]}{r.randint(10, 9999)}"
        if register:
            self._handles.add(handle)
        return handle

    def author(self, persona: str, rng: Stream | None = None,
               register: bool = True) -> Author:
        r = rng or self.rng
        first = r.choice(self.parts.first_names)
        last = r.choice(self.parts.last_names)
        display = f"{last}{first}" if self.language == "ko" else f"{first} {last}"
        followers = self.followers(persona, r)
        verified = (persona in ("journalist", "vip") and r.random() < 0.7) or (
            followers > 100_000 and r.random() < 0.5)
        bios = self.bios.get(persona) or self.bios.get("default") or [""]
        handle = self.handle(r, register)
        bio = r.choice(bios).format(city=self.home_city(handle), name=first)
        return Author(handle, display, followers, verified, bio)

    def home_city(self, handle: str) -> str:
        """The author's home place (crc32 of the handle, as ``engine.slots.home_index``)."""
        return self.cities[zlib.crc32(handle.encode()) % len(self.cities)]

    # ---- personal data values (what oversharers post)
    def email(self, author: Author) -> str:
        """The author's address: the same domain every time they post it (crc32, not hash())."""
        domains = self.parts.email_domains
        return f"{author.handle}@{domains[zlib.crc32(author.handle.encode()) % len(domains)]}"

    def phone(self, rng: Stream | None = None) -> str:
        r = rng or self.rng
        if self.region is not None:
            return phone_in(self.region.phones, r)
        if self.language == "ko":
            return f"010-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}"
        return f"({r.randint(201, 989)}) {r.randint(200, 999)}-{r.randint(1000, 9999)}"

    def address(self, rng: Stream | None = None, author: Author | None = None) -> str:
        """An address; with a region, in the author's home area (a coherent one)."""
        r = rng or self.rng
        if self.region is not None and self.areas:
            area = self.areas[home_index(author, len(self.areas))]
            return address_in(self.region, area, r)
        return r.choice(self.parts.addresses)

    def order_number(self, rng: Stream | None = None) -> str:
        r = rng or self.rng
        if self.language == "ko":
            return f"{r.randint(2025, 2026)}{r.randint(10**9, 10**10 - 1)}"
        return f"{r.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{r.randint(10**7, 10**8 - 1)}"

    def booking_reference(self, rng: Stream | None = None) -> str:
        r = rng or self.rng
        return "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))

    def card_number(self, rng: Stream | None = None) -> str:
        """A Luhn-valid 16-digit test-range number (4xxx), grouped as people type it."""
        r = rng or self.rng
        digits = [4] + [r.randint(0, 9) for _ in range(14)]
        total = 0
        for i, d in enumerate(reversed(digits)):
            d = d * 2 if i % 2 == 0 else d
            total += d - 9 if d > 9 else d
        digits.append((10 - total % 10) % 10)
        s = "".join(map(str, digits))
        return " ".join(s[i:i + 4] for i in range(0, 16, 4))

    def account_number(self, rng: Stream | None = None) -> str:
        r = rng or self.rng
        if self.language == "ko":  # bank account numbers as Koreans write them
            return f"{r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(100000, 999999)}"
        return f"{r.randint(10**7, 10**8 - 1)}"

    def resident_number(self, rng: Stream | None = None) -> str:
        """A Korean resident registration number (YYMMDD-GNNNNNC) with a valid check digit."""
        r = rng or self.rng
        year = r.randint(60, 99)
        front = f"{year:02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
        body = f"{r.choice('12')}{r.randint(0, 99999):05d}"
        digits = [int(c) for c in front + body]
        total = sum(d * w for d, w in zip(digits, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5),
                                          strict=True))
        check = (11 - total % 11) % 10
        return f"{front}-{body}{check}"

    def date_of_birth(self, rng: Stream | None = None) -> str:
        r = rng or self.rng
        return f"{r.randint(1960, 2004)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"

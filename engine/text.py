"""Mention texts: per-language template banks (data files) rendered with slots and noise.

A bank (``engine/banks/<language>.yaml``) holds templates with ``{slot}`` placeholders. The
writer fills slots lazily (only the ones a template uses) from the scenario, the Faker-fed
people pools and the session RNG, then adds the noise real tweets have: typos, hashtags,
emoji, links and lower-case typing. Everything is drawn from the session's RNG.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from engine.people import FOLLOWER_FLOOR, PeopleFactory
from engine.records import Author, PersonalData

BANK_DIR = Path(__file__).resolve().parent / "banks"

#: Slots a template may use; see ``MentionWriter._slot``.
SLOTS = (
    "brand", "brand_name", "product", "city", "order", "minutes", "hours", "days", "amount",
    "since", "down", "hashtag", "emoji_angry", "emoji_happy", "emoji_sad", "emoji_confused",
    "name", "flight", "date", "quoted", "email", "phone", "address", "booking", "card",
    "dob", "link", "staff", "followers",
)
REACTIONS = ("thanked", "calmed", "escalated", "escalated_pii", "provided_details",
             "complied_in_public", "trolled_back", "faded")


class NoiseRates(BaseModel):
    """Probabilities (0-1) of each kind of noise added to a rendered text."""

    model_config = ConfigDict(extra="forbid")
    lowercase: float = Field(0.2, ge=0, le=1)
    typo: float = Field(0.15, ge=0, le=1)
    hashtag: float = Field(0.08, ge=0, le=1)
    emoji: float = Field(0.06, ge=0, le=1)
    link: float = Field(0.12, ge=0, le=1)
    brand_in_middle: float = Field(0.1, ge=0, le=1)


class Bank(BaseModel):
    """The template bank of one language (validated when loaded)."""

    model_config = ConfigDict(extra="forbid")
    language: str
    #: intent -> persona (or "any") -> templates
    mentions: dict[str, dict[str, list[str]]]
    #: attempt number ("1", "2", "3") -> templates; 3 covers every later attempt too
    follow_ups: dict[str, list[str]]
    reactions: dict[str, list[str]]
    quotes: list[str]
    #: personal-data kind -> phrases that expose it (oversharers append one)
    overshare: dict[str, list[str]]
    bios: dict[str, list[str]]
    cities: list[str]
    hashtags: list[str]
    emoji: dict[str, list[str]]
    #: word -> misspellings (typo noise)
    typos: dict[str, list[str]] = {}
    link_forms: list[str]
    noise: NoiseRates = NoiseRates()
    #: persona -> noise override (e.g. journalists do not typo)
    persona_noise: dict[str, NoiseRates] = {}


@lru_cache(maxsize=4)
def load_bank(language: str) -> Bank:
    path = BANK_DIR / f"{language}.yaml"
    with path.open(encoding="utf-8") as fh:
        return Bank.model_validate(yaml.safe_load(fh))


def _reach(followers: int) -> str:
    """A follower count as people write it: 850, 12k, 1.4M."""
    if followers >= 1_000_000:
        return f"{followers / 1_000_000:.1f}M".replace(".0M", "M")
    if followers >= 10_000:
        return f"{followers // 1000}k"
    if followers >= 1000:
        return f"{followers / 1000:.1f}k".replace(".0k", "k")
    return str(followers)


@dataclass(slots=True)
class Rendered:
    text: str
    exposed: tuple[PersonalData, ...]


class _Slots(dict[str, Any]):
    """Fills a slot the first time a template asks for it (so unused slots cost nothing)."""

    __slots__ = ("writer", "author", "exposed")

    def __init__(self, writer: MentionWriter, author: Author | None, extra: dict[str, str]):
        super().__init__(extra)
        self.writer = writer
        self.author = author
        self.exposed: list[PersonalData] = []

    def __missing__(self, key: str) -> str:
        value = self.writer._slot(key, self)
        self[key] = value
        return value


class MentionWriter:
    """Renders customer texts for one session (scenario facts + people pools + RNG)."""

    def __init__(self, bank: Bank, rng: random.Random, people: PeopleFactory,
                 brand_handle: str, brand_name: str, products: tuple[str, ...],
                 hashtags: tuple[str, ...] = (), misspellings: tuple[str, ...] = ()) -> None:
        self.bank = bank
        self.rng = rng
        self.people = people
        self.brand_handle = brand_handle
        self.brand_name = brand_name
        self.products = products
        self.hashtags = tuple(hashtags) + tuple(bank.hashtags)
        self.misspellings = misspellings
        self.facts: dict[str, str] = {}
        self._typo_words = tuple(bank.typos)

    # ------------------------------------------------------------------ slots
    def _slot(self, key: str, slots: _Slots) -> str:
        r = self.rng
        p = self.people
        if key == "brand":
            return "@" + self.brand_handle
        if key == "brand_name":
            if self.misspellings and r.random() < 0.2:
                return r.choice(self.misspellings)
            return self.brand_name
        if key == "product":
            return r.choice(self.products)
        if key == "city":
            return r.choice(self.bank.cities)
        if key == "minutes":
            return str(r.choice((5, 10, 15, 20, 25, 30, 40, 45, 50, 90)))
        if key == "hours":
            return str(r.randint(2, 9))
        if key == "days":
            return str(r.randint(2, 12))
        if key == "amount":
            if self.bank.language == "ko":
                return f"{r.randint(1, 90) * 1000:,}원"
            return f"${r.randint(5, 240)}.{r.choice(('00', '99', '49', '18'))}"
        if key == "since":
            return self.facts.get(key) or ("아침" if self.bank.language == "ko"
                                           else "this morning")
        if key == "down":
            return self.facts.get(key) or self.brand_name
        if key == "hashtag":
            return r.choice(self.hashtags)
        if key.startswith("emoji_"):
            return r.choice(self.bank.emoji.get(key[6:]) or [""])
        if key == "name":
            return slots.author.display_name.split()[0] if slots.author else ""
        if key == "staff":  # a member of the brand's staff a customer thanks by first name
            return r.choice(p.parts.first_names)
        if key == "followers":  # the author's own reach, as people write it ("240k")
            return _reach(slots.author.followers if slots.author else FOLLOWER_FLOOR)
        if key == "flight":
            return f"{self.brand_handle[:2].upper()}{r.randint(100, 999)}"
        if key == "date":
            return f"{r.randint(1, 12)}/{r.randint(1, 28)}"
        if key == "link":
            return self._link()
        if key == "quoted":
            return "@someone"
        # personal data: recorded as exposed
        author = slots.author or Author("user", "", 0, False, "")
        kind, value = {
            "order": ("order_number", p.order_number),
            "email": ("email", lambda: p.email(author)),
            "phone": ("phone", p.phone),
            "address": ("address", p.address),
            "booking": ("booking_reference", p.booking_reference),
            "card": ("card_number", p.card_number),
            "dob": ("date_of_birth", p.date_of_birth),
        }.get(key, ("", lambda: ""))  # type: ignore[assignment]
        if not kind:
            raise KeyError(f"unknown slot {{{key}}}")
        text = value()
        if key != "order":  # an order number alone is not personal; with contact data it is
            slots.exposed.append(PersonalData(kind, text))
        else:
            slots.exposed.append(PersonalData(kind, text))
        return text

    def _link(self) -> str:
        r = self.rng
        form = r.choice(self.bank.link_forms)
        code = "".join(r.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
                       for _ in range(10))
        return form.replace("CODE", code)

    # ---------------------------------------------------------------- render
    def render(self, template: str, author: Author | None, persona: str = "",
               extra: dict[str, str] | None = None, noise: bool = True) -> Rendered:
        slots = _Slots(self, author, extra or {})
        text = template.format_map(slots)
        if noise:
            text = self._noise(text, persona)
            for data in slots.exposed:  # lower-case noise must not alter exposed values
                text = text.replace(data.value.lower(), data.value)
        text = text[:280]
        # only what survived the 280-character cut is exposed
        return Rendered(text, tuple(d for d in slots.exposed if d.value in text))

    def _noise(self, text: str, persona: str) -> str:
        r = self.rng
        rates = self.bank.persona_noise.get(persona, self.bank.noise)
        handle = "@" + self.brand_handle
        if handle not in text:
            if r.random() < rates.brand_in_middle:
                text = f"{text} {handle}"
            else:
                text = f"{handle} {text}"
        if self._typo_words and r.random() < rates.typo:
            text = self._typo(text)
        if r.random() < rates.lowercase:
            text = text.lower().replace(handle.lower(), handle)
        if r.random() < rates.hashtag and "#" not in text:
            text = f"{text} {r.choice(self.hashtags)}"
        if r.random() < rates.emoji:
            mood = "happy" if persona == "praise" else r.choice(("angry", "sad", "confused"))
            text = f"{text} {r.choice(self.bank.emoji.get(mood) or [''])}".rstrip()
        if r.random() < rates.link and "http" not in text and "pic." not in text:
            text = f"{text} {self._link()}"
        return text

    def _typo(self, text: str) -> str:
        r = self.rng
        words = text.split(" ")
        candidates = [i for i, w in enumerate(words) if w.lower() in self.bank.typos]
        if not candidates:
            return text
        i = r.choice(candidates)
        words[i] = r.choice(self.bank.typos[words[i].lower()])
        return " ".join(words)

    # ---------------------------------------------------------- convenience
    def mention(self, intent: str, persona: str, author: Author) -> Rendered:
        by_persona = self.bank.mentions.get(intent) or {}
        templates = by_persona.get(persona) or by_persona.get("any")
        if not templates:
            templates = [t for ts in by_persona.values() for t in ts] or ["{brand} hello?"]
        rendered = self.render(self.rng.choice(templates), author, persona)
        if persona == "privacy_oversharer":
            rendered = self._overshare(rendered, author, persona)
        return rendered

    def _overshare(self, rendered: Rendered, author: Author, persona: str) -> Rendered:
        kinds = sorted(self.bank.overshare)
        # kinds weighted by their number of phrases, so a bank makes a kind rare (card numbers)
        kind = self.rng.choices(kinds, weights=[len(self.bank.overshare[k]) for k in kinds])[0]
        extra = self.render(self.rng.choice(self.bank.overshare[kind]), author, persona,
                            noise=False)
        text = f"{rendered.text} {extra.text}"
        if len(text) > 280:  # keep the personal data, trim the complaint
            text = rendered.text[: max(0, 279 - len(extra.text))].rstrip() + " " + extra.text
        text = text[:280]
        exposed = tuple(d for d in rendered.exposed + extra.exposed if d.value in text)
        return Rendered(text, exposed)

    def follow_up(self, attempt: int, author: Author, persona: str) -> Rendered:
        key = str(min(attempt, 3))
        return self.render(self.rng.choice(self.bank.follow_ups[key]), author, persona)

    def reaction(self, reaction: str, author: Author, persona: str, channel: str) -> Rendered:
        templates = self.bank.reactions.get(reaction) or self.bank.reactions["calmed"]
        return self.render(self.rng.choice(templates), author, persona,
                           noise=channel == "public")

    def quote(self, author: Author, quoted_handle: str, persona: str) -> Rendered:
        return self.render(self.rng.choice(self.bank.quotes), author, persona,
                           extra={"quoted": "@" + quoted_handle})

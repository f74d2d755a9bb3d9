"""Mention texts: per-language template banks (data files) rendered with slots and noise.

A bank (``engine/banks/<language>.yaml``) holds templates with ``{slot}`` placeholders. The
writer fills slots lazily (only the ones a template uses) from the scenario, the Faker-fed
people pools and an RNG, then adds the noise real tweets have: typos, hashtags, emoji, links
and lower-case typing. Every render draws from the RNG it is given (``rng=``: the session's
flood stream for the public, a stream derived per thread for what a trainee causes) and reads
the incident facts it is given (``facts=``: the session passes the facts in force at the
minute), so one writer serves every stream and holds no state a render could change.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from engine.people import FOLLOWER_FLOOR, PeopleFactory
from engine.records import PUBLIC_LIMIT, Author, PersonalData
from engine.threads import Stream

BANK_DIR = Path(__file__).resolve().parent / "banks"

#: Slots a template may use; see ``MentionWriter._build_fillers``.
SLOTS = (
    "brand", "brand_name", "product", "city", "order", "minutes", "hours", "days", "amount",
    "since", "down", "hashtag", "emoji_angry", "emoji_happy", "emoji_sad", "emoji_confused",
    "name", "flight", "date", "quoted", "email", "phone", "address", "booking", "card",
    "dob", "link", "staff", "followers", "account", "rrn",
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
    #: persona -> attempt -> templates, for people who chase in their own way (journalists)
    follow_ups_by_persona: dict[str, dict[str, list[str]]] = {}
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


def _reach(followers: int, language: str = "en") -> str:
    """A follower count as people write it: 850, 12k, 1.4M (Korean: 1.2천, 24만, 140만)."""
    if language == "ko":
        if followers >= 10_000:
            return f"{followers // 10_000}만"
        if followers >= 1000:
            return f"{followers / 1000:.1f}천".replace(".0천", "천")
        return str(followers)
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

    __slots__ = ("author", "exposed", "facts", "fillers", "rng")

    def __init__(self, fillers: dict[str, Callable[[_Slots], str]], author: Author | None,
                 extra: dict[str, str], rng: Stream, facts: dict[str, str]) -> None:
        super().__init__(extra)
        self.fillers = fillers
        self.author = author
        self.rng = rng
        self.facts = facts
        self.exposed: list[PersonalData] = []

    def __missing__(self, key: str) -> str:
        try:
            filler = self.fillers[key]
        except KeyError:
            raise KeyError(f"unknown slot {{{key}}}") from None
        value = self[key] = filler(self)
        return value


_NOBODY = Author("user", "", 0, False, "")
_LINK_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def _pick(seq: Sequence[str], rng: Stream) -> str:
    """``rng.choice`` without its bounds checks (called several times per post)."""
    return seq[int(rng.random() * len(seq))]


def _pick_from(pool: Sequence[str], slots: _Slots) -> str:
    return _pick(pool, slots.rng)


def _exposing(kind: str, make: Callable[[_Slots], str], slots: _Slots) -> str:
    value = make(slots)
    slots.exposed.append(PersonalData(kind, value))
    return value


class MentionWriter:
    """Renders customer texts (scenario wording + people pools + the RNG each call is given).

    ``rng`` and ``facts`` given to the constructor / set on the instance are only defaults for
    callers that pass neither (tests, benchmarks); the session passes both on every call.
    """

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
        #: default incident facts for callers that pass none (``{since}``, ``{down}``)
        self.facts: dict[str, str] = {}
        self._typo_words = tuple(bank.typos)
        self._fillers = self._build_fillers()
        self._templates: dict[tuple[str, str], list[str]] = {}
        kinds = sorted(bank.overshare)
        # kinds weighted by their number of phrases, so a bank makes a kind rare (card numbers)
        self._overshare_kinds = kinds
        self._overshare_cum = list(accumulate(len(bank.overshare[k]) for k in kinds))

    # ------------------------------------------------------------------ slots
    def _build_fillers(self) -> dict[str, Callable[[_Slots], str]]:
        """Slot name -> filler; a table instead of an if-chain (slots are filled per post).

        Fillers draw from ``slots.rng`` and read ``slots.facts`` only: never from the writer.
        """
        p = self.people
        korean = self.bank.language == "ko"
        minutes = ("5", "10", "15", "20", "25", "30", "40", "45", "50", "90")
        cents = ("00", "99", "49", "18")
        products, cities, hashtags = self.products, tuple(self.bank.cities), self.hashtags

        def brand_name(s: _Slots) -> str:
            if self.misspellings and s.rng.random() < 0.2:
                return _pick(self.misspellings, s.rng)
            return self.brand_name

        def amount(s: _Slots) -> str:
            if korean:
                return f"{s.rng.randint(1, 90) * 1000:,}원"
            return f"${s.rng.randint(5, 240)}.{_pick(cents, s.rng)}"

        fillers: dict[str, Callable[[_Slots], str]] = {
            "brand": lambda _s: "@" + self.brand_handle,
            "brand_name": brand_name,
            "product": partial(_pick_from, products),
            "city": partial(_pick_from, cities),
            "minutes": partial(_pick_from, minutes),
            "hours": lambda s: str(s.rng.randint(2, 9)),
            "days": lambda s: str(s.rng.randint(2, 12)),
            "amount": amount,
            "since": lambda s: s.facts.get("since") or ("아침" if korean else "this morning"),
            "down": lambda s: s.facts.get("down") or self.brand_name,
            "hashtag": partial(_pick_from, hashtags),
            "name": lambda s: s.author.display_name.split()[0] if s.author else "",
            # a member of the brand's staff a customer thanks by first name
            "staff": partial(_pick_from, p.parts.first_names),
            # the author's own reach, as people write it ("240k")
            "followers": lambda s: _reach(s.author.followers if s.author else FOLLOWER_FLOOR,
                                          self.bank.language),
            "flight": lambda s: f"{self.brand_handle[:2].upper()}{s.rng.randint(100, 999)}",
            "date": lambda s: f"{s.rng.randint(1, 12)}/{s.rng.randint(1, 28)}",
            "link": lambda s: self._link(s.rng),
            "quoted": lambda _s: "@someone",
        }
        for mood, pool in self.bank.emoji.items():
            fillers[f"emoji_{mood}"] = partial(_pick_from, tuple(pool) or ("",))
        # personal data: the value is recorded as exposed by the customer who posts it
        personal: dict[str, tuple[str, Callable[[_Slots], str]]] = {
            "order": ("order_number", lambda s: p.order_number(s.rng)),
            "email": ("email", lambda s: p.email(s.author or _NOBODY)),
            "phone": ("phone", lambda s: p.phone(s.rng)),
            "address": ("address", lambda s: p.address(s.rng)),
            "booking": ("booking_reference", lambda s: p.booking_reference(s.rng)),
            "card": ("card_number", lambda s: p.card_number(s.rng)),
            "dob": ("date_of_birth", lambda s: p.date_of_birth(s.rng)),
            "account": ("account_number", lambda s: p.account_number(s.rng)),
            "rrn": ("rrn", lambda s: p.resident_number(s.rng)),
        }
        for slot, (kind, make) in personal.items():
            fillers[slot] = partial(_exposing, kind, make)
        return fillers

    def _link(self, rng: Stream) -> str:
        form = rng.choice(self.bank.link_forms)
        code = "".join(rng.choices(_LINK_ALPHABET, k=10))
        return form.replace("CODE", code)

    # ---------------------------------------------------------------- render
    def render(self, template: str, author: Author | None, persona: str = "",
               extra: dict[str, str] | None = None, noise: bool = True,
               intent: str = "", *, rng: Stream | None = None,
               facts: dict[str, str] | None = None) -> Rendered:
        r = rng or self.rng
        slots = _Slots(self._fillers, author, extra or {}, r,
                       self.facts if facts is None else facts)
        text = template.format_map(slots)
        exposed = slots.exposed
        if noise:
            text = self._noise(text, persona, intent, r)
            for data in exposed:  # lower-case noise must not alter exposed values
                text = text.replace(data.value.lower(), data.value)
        text = text[:PUBLIC_LIMIT]  # customers post in public
        if not exposed:
            return Rendered(text, ())
        # only what survived the cut is exposed
        return Rendered(text, tuple(d for d in exposed if d.value in text))

    def _noise(self, text: str, persona: str, intent: str, r: Stream) -> str:
        rates = self.bank.persona_noise.get(persona, self.bank.noise)
        handle = "@" + self.brand_handle
        if handle not in text:
            middle = r.random() < rates.brand_in_middle
            text = f"{text} {handle}" if middle else f"{handle} {text}"
        if self._typo_words and r.random() < rates.typo:
            text = self._typo(text, r)
        if r.random() < rates.lowercase:
            text = text.lower().replace(handle.lower(), handle)
        if r.random() < rates.hashtag and "#" not in text:
            text = f"{text} {r.choice(self.hashtags)}"
        if r.random() < rates.emoji:
            mood = "happy" if persona == "praise" or intent == "praise" else r.choice(
                ("angry", "sad", "confused"))
            text = f"{text} {r.choice(self.bank.emoji.get(mood) or [''])}".rstrip()
        if r.random() < rates.link and "http" not in text and "pic." not in text:
            text = f"{text} {self._link(r)}"
        return text

    def _typo(self, text: str, r: Stream) -> str:
        if self.bank.language == "ko":
            # Korean words carry particles and endings (됐어요?), so look inside the text.
            found = [w for w in self._typo_words if w in text]
            if not found:
                return text
            word = _pick(found, r)
            return text.replace(word, _pick(self.bank.typos[word], r), 1)
        words = text.split(" ")
        typos = self.bank.typos
        # lower-case the text once, not word by word (lower() keeps the spaces where they are)
        lowered = text.lower().split(" ")
        candidates = [i for i, w in enumerate(lowered) if w in typos]
        if not candidates:
            return text
        i = r.choice(candidates)
        words[i] = r.choice(typos[lowered[i]])
        return " ".join(words)

    # ---------------------------------------------------------- convenience
    def _mention_templates(self, intent: str, persona: str) -> list[str]:
        key = (intent, persona)
        templates = self._templates.get(key)
        if templates is None:
            by_persona = self.bank.mentions.get(intent) or {}
            templates = by_persona.get(persona) or by_persona.get("any") or [
                t for ts in by_persona.values() for t in ts] or ["{brand} hello?"]
            self._templates[key] = templates
        return templates

    def mention(self, intent: str, persona: str, author: Author, *,
                rng: Stream | None = None,
                facts: dict[str, str] | None = None) -> Rendered:
        r = rng or self.rng
        rendered = self.render(_pick(self._mention_templates(intent, persona), r), author,
                               persona, intent=intent, rng=r, facts=facts)
        if persona == "privacy_oversharer":
            rendered = self._overshare(rendered, author, persona, r, facts)
        return rendered

    def _overshare(self, rendered: Rendered, author: Author, persona: str, r: Stream,
                   facts: dict[str, str] | None) -> Rendered:
        shown = {d.kind for d in rendered.exposed}
        kind = ""
        for _ in range(4):  # a kind not in the tweet yet (two phone numbers read wrong)
            draw = r.random() * self._overshare_cum[-1]
            kind = self._overshare_kinds[bisect_right(self._overshare_cum, draw)]
            if kind not in shown:  # overshare keys are PersonalData kinds
                break
        extra = self.render(r.choice(self.bank.overshare[kind]), author, persona,
                            noise=False, rng=r, facts=facts)
        text = f"{rendered.text} {extra.text}"
        if len(text) > PUBLIC_LIMIT:  # keep the personal data, trim the complaint
            room = PUBLIC_LIMIT - 1 - len(extra.text)
            text = rendered.text[: max(0, room)].rstrip() + " " + extra.text
        text = text[:PUBLIC_LIMIT]
        exposed = tuple(d for d in rendered.exposed + extra.exposed if d.value in text)
        return Rendered(text, exposed)

    def follow_up(self, attempt: int, author: Author, persona: str, *,
                  rng: Stream | None = None,
                  facts: dict[str, str] | None = None) -> Rendered:
        r = rng or self.rng
        key = str(min(attempt, 3))
        own = self.bank.follow_ups_by_persona.get(persona, {})
        templates = own.get(key) or self.bank.follow_ups[key]
        return self.render(_pick(templates, r), author, persona, rng=r, facts=facts)

    def reaction(self, reaction: str, author: Author, persona: str, channel: str, *,
                 rng: Stream | None = None,
                 facts: dict[str, str] | None = None) -> Rendered:
        r = rng or self.rng
        templates = self.bank.reactions.get(reaction) or self.bank.reactions["calmed"]
        return self.render(r.choice(templates), author, persona, noise=channel == "public",
                           rng=r, facts=facts)

    def quote(self, author: Author, quoted_handle: str, persona: str, *,
              rng: Stream | None = None,
              facts: dict[str, str] | None = None) -> Rendered:
        r = rng or self.rng
        return self.render(r.choice(self.bank.quotes), author, persona,
                           extra={"quoted": "@" + quoted_handle}, rng=r, facts=facts)

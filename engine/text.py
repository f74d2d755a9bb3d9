"""Customer texts: bank templates composed, filled with typed slots and typed by the author.

A post is built in four steps, every draw from the stream the call is given (``rng=``: the
flood's stream for the public, a stream derived per thread for what a trainee causes) and every
fact from the incident facts in force at the post's minute (``facts=``), so one writer serves
every stream and holds no state a render could change:

1. **Wording**: a template for the intent and persona (the drill's domain templates and the
   generic ones; voice-strong personas such as trolls and journalists use only their own),
   one of its ``[a|b]`` wordings, sometimes an opener, an extra clause and a closer.
2. **Slots**: ``{slot}``s filled by the safe formatter (``engine.formatter``) from typed fillers
   (``engine.slots``): the domain's prices, durations inside the story's clock, the author's
   home place, personal data recorded as ``exposed``.
3. **Typing**: the author's hand (``engine.typography``): capitals, end marks, apostrophes.
   An oversharer's personal data is its own clause, before any link.
4. **Noise**: the brand's handle, typos, a hashtag, an emoji, a link (always last).
"""

from __future__ import annotations

import math
import random
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import accumulate

from engine import slots as fill
from engine import typography
from engine.bank import (
    NUMBERS,
    REACTIONS,
    SLOTS,
    WORD_SLOTS,
    Bank,
    ComposeRates,
    NoiseRates,
    Region,
    load_bank,
)
from engine.domains import GENERAL, DrillProfile, sections_for
from engine.exposure import written_out
from engine.formatter import render as format_slots
from engine.formatter import slot_names as slot_syntax
from engine.paraphrase import Paraphraser
from engine.people import FOLLOWER_FLOOR, PeopleFactory
from engine.records import PUBLIC_LIMIT, Author, PersonalData
from engine.slots import Slots, fits_clock, pick, slot_names
from engine.templates import (
    Compiled,
    all_wordings,
    compile_template,
    expand_parts,
    tidy,
    wordings,
)
from engine.threads import Stream
from engine.typography import Hand, HandRates

__all__ = ["NUMBERS", "REACTIONS", "SLOTS", "Bank", "MentionWriter", "Rendered", "load_bank"]

#: Personas whose posts never draw from the generic "any" lists (their voice is their own).
OWN_VOICE = frozenset({"troll", "journalist", "vip"})
#: Personas whose posts end only with their own closers when they have some: a generic
#: "someone please respond" after a thank-you or a joke reads wrong.
OWN_CLOSERS = frozenset({"praise", "troll", "journalist", "vip"})
#: How an opener written "question:" or "hi," ends as typed: real tweets carry a colon
#: 4.2% of the time (ours 11.9% when every opener kept its own), and often no comma.
OPENER_MARKS = {":": (":", ":", ".", ",", " -", "..."), ",": (",", ",", "", ".")}
#: Intents whose extra clauses are only their own when they have some: the generic ones are
#: complaints ("been on hold for ages"), wrong after a thank-you or a joke.
OWN_EXTRAS = frozenset({"praise", "abuse"})
#: First names that read as words when a customer thanks staff by name.
NOT_NAMES = frozenset({"Jesus", "Guy", "Bill", "Will", "Major", "King", "Hope", "Joy", "Faith",
                       "Summer", "Sunny", "Rich", "Dusty", "Chance", "Christian", "Pat",
                       "Grant", "Mark", "Bob", "Bud", "Rose", "Ruby", "Amber", "Crystal",
                       "Dawn", "April", "May", "June", "Precious", "Heaven", "Destiny"})
#: How a clause joins the one before it (English; Korean joins with spaces and dots).
EN_JOINS = (". ", ". ", ", ", "... ", " ", " and ")
KO_JOINS = (" ", " ", ". ", ".. ", ", ")
#: Moods of the emoji a persona's noise adds.
_MOODS = ("angry", "sad", "confused")
_RETRIES = 6
#: The most a template is drawn relative to a plain one (see ``Entry.weight``).
GRAMMAR_WEIGHT = 6.0
#: Short templates are drawn this much more: a fifth of real customer tweets are under 56
#: characters with the handle (benchmarks/realism.py), where most templates tell a story.
SHORT_BOOST = 2.0
SHORT_CHARS = 32
#: Chance that a post whose question sits mid-text is reordered to end on it: real tweets end
#: on their question (15% end in "?", 9% have one mid-text; benchmarks/realism.py).
QUESTION_LAST = 0.6
#: Share of posts cut to their first sentence: a quarter of real customer tweets are under 60
#: characters ("no signal since 9"), where a template writes the whole story.
TERSE = 0.06
#: Share of posts of three or more sentences told without one of the middle ones: people who
#: say the same thing tell more or less of the story (one template drawn twice in a flood
#: otherwise reads as one post twice; issue 13).
TRIM = 0.5
#: Share of posts whose link (a template's own) is moved to the end: real tweets put text
#: after a link 5.7% of the time (issue 13); an oversharer's details always come before it.
LINK_LAST = 0.9
_LINK = re.compile(r"\s*(?:https?://\S+|pic\.x\.com/\S+)")
_SENTENCES = re.compile(r"(?<=[.?!])\s+(?=\S)")
_CLAUSE = re.compile(r"[.?!,]\s|\s-\s")


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


@dataclass(frozen=True, slots=True)
class Entry:
    """A compiled template and the slot names it uses (for the clock check)."""

    compiled: Compiled
    names: frozenset[str]
    #: the template began with the brand's handle (the writer places the handle itself)
    leading_brand: bool
    #: how often it is drawn relative to a one-wording template: 1 + log2(wordings) / 3, at
    #: most ``GRAMMAR_WEIGHT``, so a template written as a grammar of choices (thousands of
    #: wordings) is drawn more often without crowding out short plain posts
    weight: float


def _entry(template: str) -> Entry:
    leading = template.startswith("{brand} ")
    body = template[len("{brand} "):] if leading else template
    compiled = compile_template(body)
    weight = min(GRAMMAR_WEIGHT, 1.0 + math.log2(wordings(compiled)) / 3)
    if len(next(all_wordings(compiled, 1))) < SHORT_CHARS:
        weight *= SHORT_BOOST
    return Entry(compiled, slot_names(body), leading, weight)


@dataclass(frozen=True, slots=True)
class Pool:
    """Templates to draw from, weighted (``Entry.weight``): cumulative weights for bisect."""

    entries: tuple[Entry, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, entries: list[Entry]) -> Pool:
        return cls(tuple(entries), tuple(accumulate(e.weight for e in entries)))

    def draw(self, r: Stream) -> Entry:
        return self.entries[bisect_right(self.cumulative, r.random() * self.cumulative[-1])]


_NOBODY = Author("user", "", 0, False, "")
_LINK_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_SPACES = re.compile(r"\s{2,}")


class MentionWriter:
    """Renders customer texts (scenario wording + people pools + the stream each call is given).

    ``rng`` and ``facts`` given to the constructor / set on the instance are only defaults for
    callers that pass neither (tests, benchmarks); the session passes both on every call.
    ``profile`` is the drill's domain, region and story clock (``engine.domains``); without one
    the writer uses generic templates, the bank's default region and no clock.
    """

    def __init__(self, bank: Bank, rng: random.Random, people: PeopleFactory,
                 brand_handle: str, brand_name: str, products: tuple[str, ...],
                 hashtags: tuple[str, ...] = (), misspellings: tuple[str, ...] = (), *,
                 profile: DrillProfile | None = None, start_clock: str | None = None) -> None:
        self.bank = bank
        self.rng = rng
        self.people = people
        self.brand_handle = brand_handle
        self.brand_name = brand_name
        self.products = products or ("the app",)
        self.hashtags: tuple[str, ...] = tuple(hashtags)
        self.misspellings = misspellings
        self.korean = bank.language == "ko"
        self.profile = profile or DrillProfile(GENERAL, bank.default_region, None,
                                               frozenset(), ())
        self.domain = bank.domains.get(self.profile.domain)
        #: the domain sections this drill uses: its own, then those listing it as a member
        self.sections = [bank.domains[name] for name in sections_for(bank, self.profile.domain)]
        self.hashtags += tuple(h for d in self.sections for h in d.hashtags) + tuple(
            bank.hashtags)
        self._quotes = [q for d in self.sections for q in d.quotes] + list(bank.quotes)
        #: cumulative draw weights of the quotes (``Entry.weight``), built on first use
        self._quote_weights: list[float] = []
        self.region: Region | None = bank.regions.get(self.profile.region)
        self._start_clock = _clock(start_clock)
        #: default incident facts for callers that pass none (``{since}``, ``{down}``)
        self.facts: dict[str, str] = {}
        self._typo_words = tuple(bank.typos)
        #: every domain's one-word markers: a typing slip must not make one ("latte")
        self._marker_words = frozenset(m.lower() for d in bank.domains.values()
                                       for m in d.markers if " " not in m)
        self._fillers = self._build_fillers()
        #: a customer's own wording varies (engine.paraphrase); scripted texts never do
        self._vary = Paraphraser.of(bank.paraphrases, bank.paraphrase_rate) \
            if bank.paraphrases and bank.paraphrase_rate else None
        self._pools: dict[tuple[str, str], tuple[Pool | None, Pool, float]] = {}
        self._pieces: dict[tuple[str, str], list[Compiled]] = {}
        self._entries: dict[str, Entry] = {}
        self._hands: dict[tuple[str, str], Hand] = {}
        kinds = sorted(bank.overshare)
        # kinds weighted by their number of phrases, so a bank makes a kind rare (card numbers)
        self._overshare_kinds = kinds
        self._overshare_cum = list(accumulate(len(bank.overshare[k]) for k in kinds))

    # ------------------------------------------------------------------ slots
    def _build_fillers(self) -> dict[str, fill.Filler]:
        """Slot name -> filler (fillers read the ``Slots`` they are given, never the writer)."""
        p, korean, region = self.people, self.korean, self.region
        domain = self.domain
        cities = p.cities
        words: dict[str, tuple[str, ...]] = {}
        for name in WORD_SLOTS:
            found = [w for d in self.sections for w in d.words.get(name, ())]
            words[name] = tuple(found) or tuple(self.bank.words.get(name, ())) or (
                ("폰",) if korean else ("phone",))

        def brand_name(s: Slots) -> str:
            if self.misspellings and s.rng.random() < 0.2:
                return pick(self.misspellings, s.rng)
            return self.brand_name

        def product_other(s: Slots) -> str:
            first = s["product"]
            others = [x for x in self.products if x != first] or list(self.products)
            return pick(others, s.rng)

        # a first name that is also a word reads as one ("thanks Jesus", "cheers Guy", "Bill
        # sorted my bill")
        staff_names = tuple(n for n in p.parts.first_names if n not in NOT_NAMES) or \
            p.parts.first_names
        amount = fill.amount(region, domain.amounts if domain else (),
                             domain.cents if domain else 0.03, korean)
        fillers: dict[str, fill.Filler] = {
            "brand": lambda _s: "@" + self.brand_handle,
            "brand_name": brand_name,
            "product": lambda s: pick(self.products, s.rng),
            "product2": product_other,
            "city": fill.city(cities),
            "city2": fill.other_city(cities),
            "minutes": fill.minutes(korean), "minutes2": fill.minutes(korean),
            "hours": fill.hours(korean), "hours2": fill.hours(korean),
            "days": fill.days(korean), "days2": fill.days(korean),
            "count": fill.count(korean), "count2": fill.count(korean),
            "years": fill.years(korean),
            "amount": amount, "amount2": amount,
            "since": fill.since(korean, self.profile.since),
            "clock": fill.clock_now(self._start_clock, korean),
            "down": lambda s: s.facts.get("down") or self.brand_name,
            "hashtag": lambda s: pick(self.hashtags, s.rng),
            "name": lambda s: s.author.display_name.split()[0] if s.author and
            s.author.display_name else "",
            # a member of the brand's staff a customer thanks by first name
            "staff": lambda s: pick(staff_names, s.rng),
            # the author's own reach, as people write it ("240k")
            "followers": lambda s: _reach(s.author.followers if s.author else FOLLOWER_FLOOR,
                                          self.bank.language),
            "flight": lambda s: f"{self.brand_handle[:2].upper()}{s.rng.randint(100, 999)}",
            "date": fill.date(korean, day_first=self.profile.region == "GB"),
            "link": lambda s: self._link(s.rng),
            "quoted": lambda _s: "@someone",
            "question": lambda _s: "",
            "promised": lambda _s: "",
        }
        for name, values in words.items():
            fillers[name] = partial(_pick_from, values)
        for mood, pool in self.bank.emoji.items():
            fillers[f"emoji_{mood}"] = partial(_pick_from, tuple(pool) or ("",))
        # personal data: the value is recorded as exposed by the customer who posts it
        personal: dict[str, tuple[str, Callable[[Slots], str]]] = {
            "order": ("order_number", lambda s: p.order_number(s.rng)),
            "email": ("email", lambda s: p.email(s.author or _NOBODY)),
            "phone": ("phone", lambda s: p.phone(s.rng)),
            "address": ("address", lambda s: p.address(s.rng, s.author)),
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
        form = pick(self.bank.link_forms, rng)
        code = "".join(rng.choices(_LINK_ALPHABET, k=10))
        return form.replace("CODE", code)

    def _slots(self, author: Author | None, extra: dict[str, str] | None, rng: Stream,
               facts: dict[str, str] | None, minute: float | None, intent: str,
               age: float | None = None) -> Slots:
        if age is None and minute is not None:
            age = self.profile.story_age(minute, intent)
        return Slots(self._fillers, author, extra or {}, rng,
                     self.facts if facts is None else facts, minute, age)

    # ------------------------------------------------------------------ typing
    def hand(self, author: Author | None, persona: str) -> Hand:
        handle = author.handle if author else "user"
        key = (handle, persona)
        hand = self._hands.get(key)
        if hand is None:
            hands = self.bank.hands
            rates = hands.get(persona) or hands.get("any") or HandRates()
            hand = typography.hand_for(handle, rates)
            if len(self._hands) > 20_000:  # bounded: authors of a long flood
                self._hands.clear()
            self._hands[key] = hand
        return hand

    def _type(self, text: str, author: Author | None, persona: str, rng: Stream,
              keep: Sequence[str], mood: str) -> str:
        hand = self.hand(author, persona)
        if self.korean:
            return typography.korean(text, hand, rng, mood, keep)
        return typography.english(text, hand, rng, keep)

    # ---------------------------------------------------------------- render
    def render(self, template: str, author: Author | None, persona: str = "",
               extra: dict[str, str] | None = None, noise: bool = True,
               intent: str = "", *, rng: Stream | None = None,
               facts: dict[str, str] | None = None, minute: float | None = None,
               typed: bool | None = None, age: float | None = None) -> Rendered:
        """One template (with ``[a|b]`` choices and ``{slot}``s) as the author posts it.

        ``noise`` adds the handle, typos, hashtag, emoji and link of a public post; ``typed``
        (default: same as ``noise``) types it in the author's hand. Scripted texts (injects)
        pass ``noise=False``: they are posted exactly as written.
        """
        r = rng or self.rng
        entry = self._entry(template)
        if not noise:  # scripted text (an inject) quotes the incident panel word for word
            since = (self.facts if facts is None else facts).get("since")
            if since:
                extra = {"since": since, **(extra or {})}
        slots = self._slots(author, extra, r, facts, minute, intent, age)
        own = typed if typed is not None else noise
        text = _fill(entry.compiled, r, slots, self._vary if own else None)
        if entry.leading_brand:
            text = f"@{self.brand_handle} {text}" if not noise else text
        exposed = slots.exposed
        if own:
            text = self._type(text, author, persona, r, [d.value for d in exposed],
                              _mood(persona, intent))
        if noise:
            text = self._noise(text, persona, intent, r, exposed)
        text = _fit(text)
        if not noise:  # a scripted text: personal data its author typed out counts too
            exposed = [*exposed, *written_out(text, tuple(exposed))]
        if not exposed:
            return Rendered(text, ())
        return Rendered(text, tuple(d for d in exposed if d.value in text))

    def _entry(self, template: str) -> Entry:
        entry = self._entries.get(template)
        if entry is None:
            entry = self._entries[template] = _entry(template)
        return entry

    def _noise(self, text: str, persona: str, intent: str, r: Stream,
               exposed: Sequence[PersonalData] = ()) -> str:
        rates: NoiseRates = self.bank.persona_noise.get(persona, self.bank.noise)
        handle = "@" + self.brand_handle
        if self._typo_words and r.random() < rates.typo:
            text = self._typo(text, r, exposed)
        suffix = ""
        if r.random() < rates.hashtag and "#" not in text:
            suffix += " " + pick(self.hashtags, r)
        if r.random() < rates.emoji:
            mood = "happy" if persona == "praise" or intent == "praise" else pick(_MOODS, r)
            pool = self.bank.emoji.get(mood) or [""]
            suffix += ("" if r.random() < 0.3 else " ") + pick(pool, r)
        if r.random() < rates.link and "http" not in text and "pic." not in text:
            suffix += " " + self._link(r)
        room = PUBLIC_LIMIT - (0 if handle in text else len(handle) + 1)
        if len(text) + len(suffix) > room:  # the post first; what is added may go
            suffix = ""
            if len(text) > room:
                text = text[:room].rsplit(" ", 1)[0]
        text = (text + suffix).strip()
        if handle not in text:
            text = f"{text} {handle}" if r.random() < rates.brand_in_middle else \
                f"{handle} {text}"
        return text

    def _typo(self, text: str, r: Stream, exposed: Sequence[PersonalData] = ()) -> str:
        if self.korean:
            # Korean words carry particles and endings (됐어요?), so look inside the text.
            found = [w for w in self._typo_words if w in text
                     and not any(w in d.value for d in exposed)]
            if not found:
                return text
            word = pick(found, r)
            return text.replace(word, pick(self.bank.typos[word], r), 1)
        words = text.split(" ")
        typos = self.bank.typos
        lowered = text.lower().split(" ")
        protected = {w for d in exposed for w in d.value.lower().split(" ")}
        candidates = [i for i, w in enumerate(lowered) if w in typos and w not in protected]
        if candidates and r.random() < 0.4:  # the spellings people choose (u, pls, thx)
            i = candidates[int(r.random() * len(candidates))]
            words[i] = pick(typos[lowered[i]], r)
            return " ".join(words)
        # a slip of the thumb: letters swapped, dropped, doubled or a neighbouring key
        plain = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()
                 and w.lower() not in protected and not w.isupper()]
        if not plain:
            return text
        i = plain[int(r.random() * len(plain))]
        slipped = slip(words[i], r)
        if slipped.lower() in self._marker_words:  # "late" slipping into "latte"
            return text
        words[i] = slipped
        return " ".join(words)

    # ---------------------------------------------------------------- mentions
    def _pool(self, intent: str, persona: str) -> tuple[Pool | None, Pool, float]:
        """(the persona's own templates, the generic "any" ones, the share drawn from "any")."""
        key = (intent, persona)
        pool = self._pools.get(key)
        if pool is None:
            sources = [section.mentions.get(intent) or {} for section in self.sections]
            sources.append(self.bank.mentions.get(intent) or {})
            own = [self._entry(t) for s in sources for t in s.get(persona, ())]
            anys = [self._entry(t) for s in sources for t in s.get("any", ())]
            rates = self._compose(persona)
            share = 0.0 if persona in OWN_VOICE and own else (rates.any_share if own else 1.0)
            if not own and not anys:  # an intent without templates: borrow its other lists
                anys = [self._entry(t) for s in sources for ts in s.values() for t in ts] or [
                    self._entry("{brand} hello?")]
                share = 1.0
            pool = self._pools[key] = (Pool.of(own) if own else None,
                                       Pool.of(anys or own), share)
        return pool

    def _compose(self, persona: str) -> ComposeRates:
        compose = self.bank.compose
        return compose.get(persona) or compose.get("any") or ComposeRates()

    def _pieces_for(self, section: str, key: str) -> list[Compiled]:
        cache_key = (section, key)
        pieces = self._pieces.get(cache_key)
        if pieces is None:
            table: dict[str, list[str]] = getattr(self.bank, section)
            found = list(table.get(key, ()))
            if not (found and ((section == "closers" and key in OWN_CLOSERS)
                               or (section == "extras" and key in OWN_EXTRAS))):
                found += list(table.get("any", ()))
            if section == "extras":
                found = [t for d in self.sections for t in d.extras.get(key, ())] + found
            pieces = self._pieces[cache_key] = [compile_template(t) for t in found]
        return pieces

    def _choose(self, intent: str, persona: str, r: Stream, age: float | None) -> Entry:
        own, anys, share = self._pool(intent, persona)
        entry = anys.entries[0]
        for _ in range(_RETRIES):
            pool = anys if own is None or r.random() < share else own
            entry = pool.draw(r)
            if fits_clock(entry.names, age):
                return entry
        everything = (own.entries if own else ()) + anys.entries
        fitting = [e for e in everything if fits_clock(e.names, age)]
        return fitting[int(r.random() * len(fitting))] if fitting else entry

    def mention(self, intent: str, persona: str, author: Author, *,
                rng: Stream | None = None, facts: dict[str, str] | None = None,
                minute: float | None = None) -> Rendered:
        """A first post about ``intent`` by ``author`` (typed, with noise; oversharers add
        personal data as a clause of its own, before any link)."""
        r = rng or self.rng
        slots = self._slots(author, None, r, facts, minute, intent)
        entry = self._choose(intent, persona, r, slots.age)
        opener, text, closer = self._compose_text(entry, intent, persona, r, slots)
        if r.random() < TRIM and persona not in ("journalist", "privacy_oversharer"):
            text = _drop_sentence(text, r, [d.value for d in slots.exposed])
        if r.random() < TERSE and persona not in ("journalist", "privacy_oversharer"):
            text = _first_sentence(text)
        if "? " in text and r.random() < QUESTION_LAST:
            text = _question_last(text)
        text = _framed(opener, text, closer)
        if persona == "privacy_oversharer":
            text = self._overshare(text, slots, r)
        if ("http" in text or "pic." in text) and (persona == "privacy_oversharer"
                                                   or r.random() < LINK_LAST):
            text = _link_last(text)
        exposed = slots.exposed
        text = self._type(text, author, persona, r, [d.value for d in exposed],
                          _mood(persona, intent))
        text = _fit(self._noise(text, persona, intent, r, exposed))
        if not exposed:
            return Rendered(text, ())
        return Rendered(text, tuple(d for d in exposed if d.value in text))

    def _compose_text(self, entry: Entry, intent: str, persona: str, r: Stream,
                      slots: Slots) -> tuple[str, str, str]:
        """The template's wording, filled, sometimes with an extra clause; and sometimes an
        opener and a closer, returned apart (short posts get extras more often, long ones
        never pass the limit). The post is cut, trimmed and reordered without them, so a
        terse post is never cut down to its "hope you're well," nor a closer moved mid-post."""
        rates = self._compose(persona)
        vary = self._vary
        core = _fill(entry.compiled, r, slots, vary)
        joins = KO_JOINS if self.korean else EN_JOINS
        if rates.extra and len(core) < 180 and r.random() < rates.extra * (
                2.5 if len(core) > 80 else 0.5):  # rants get longer; short posts stay short
            extras = self._pieces_for("extras", intent)
            if extras:
                piece = extras[int(r.random() * len(extras))]
                if fits_clock(_names_of(piece), slots.age):
                    mark = core.rstrip()[-1:]
                    join = " " if mark in "?!" else pick(joins, r)
                    clause = _fill(piece, r, slots, vary)
                    if join == " and " and clause[:4].lower() == "and ":  # not "and and"
                        join = ", "
                    core = core.rstrip() + join + clause
        opener = closer = ""
        if rates.opener and r.random() < rates.opener:
            openers = self._pieces_for("openers", persona)
            if openers:
                opener = _fill(openers[int(r.random() * len(openers))], r, slots, vary)
                marks = OPENER_MARKS.get(opener[-1:]) if not self.korean else None
                if marks:  # typed as people type them
                    opener = opener[:-1] + marks[int(r.random() * len(marks))]
        if rates.closer and len(core) + len(opener) < 199 and r.random() < rates.closer:
            closers = self._pieces_for("closers", persona)
            if closers:
                closer = _fill(closers[int(r.random() * len(closers))], r, slots, vary)
        return opener, core, closer

    def _overshare(self, text: str, slots: Slots, r: Stream) -> str:
        """The complaint, then the personal data as a clause of its own (the link comes after,
        in the noise): real oversharers put their details at the end, not mid-sentence."""
        shown = {d.kind for d in slots.exposed}
        kind = ""
        for _ in range(4):  # a kind not in the tweet yet (two phone numbers read wrong)
            draw = r.random() * self._overshare_cum[-1]
            kind = self._overshare_kinds[bisect_right(self._overshare_cum, draw)]
            if kind not in shown:  # overshare keys are PersonalData kinds
                break
        phrase = _fill(compile_template(pick(self.bank.overshare[kind], r)), r, slots)
        joins = KO_JOINS if self.korean else (". ", ". ", ", ", " - ", ". ")
        mark = text.rstrip()[-1:]
        joined = text.rstrip() + (" " if mark in ".?!" else pick(joins, r)) + phrase
        room = PUBLIC_LIMIT - 40  # the handle, a link and an emoji still fit after it
        if len(joined) > room:  # keep the personal data, trim the complaint
            keep = max(0, room - len(phrase) - 2)
            joined = text[:keep].rsplit(" ", 1)[0].rstrip(" ,.") + ". " + phrase
        return joined

    def follow_up(self, attempt: int, author: Author, persona: str, *,
                  rng: Stream | None = None, facts: dict[str, str] | None = None,
                  minute: float | None = None, intent: str = "",
                  waited: float | None = None) -> Rendered:
        """A chase after ``waited`` minutes without an answer (its durations fit that wait:
        nobody says "3 hours" twenty minutes after their first post)."""
        r = rng or self.rng
        key = str(min(attempt, 3))
        own = self.bank.follow_ups_by_persona.get(persona, {})
        templates = own.get(key) or self.bank.follow_ups[key]
        template = templates[int(r.random() * len(templates))]
        for _ in range(_RETRIES):
            if fits_clock(self._entry(template).names, waited):
                break
            template = templates[int(r.random() * len(templates))]
        return self.render(template, author, persona, rng=r, facts=facts, minute=minute,
                           intent=intent, age=waited)

    def reaction(self, reaction: str, author: Author, persona: str, channel: str, *,
                 rng: Stream | None = None, facts: dict[str, str] | None = None,
                 minute: float | None = None, extra: dict[str, str] | None = None
                 ) -> Rendered:
        r = rng or self.rng
        templates = self.bank.reactions.get(reaction) or self.bank.reactions["calmed"]
        return self.render(pick(templates, r), author, persona, extra=extra,
                           noise=channel == "public", typed=True, rng=r, facts=facts,
                           minute=minute)

    def answer(self, kind: str, author: Author, persona: str, channel: str, *,
               rng: Stream | None = None, facts: dict[str, str] | None = None,
               minute: float | None = None, extra: dict[str, str] | None = None,
               intent: str = "") -> Rendered:
        """A turn that answers what a reply said (``bank.answers[kind]``; see engine.answers)."""
        r = rng or self.rng
        templates = self.bank.answers.get(kind) or self.bank.reactions["calmed"]
        return self.render(pick(templates, r), author, persona, extra=extra,
                           noise=channel == "public", typed=True, rng=r, facts=facts,
                           minute=minute, intent=intent)

    def quote(self, author: Author, quoted_handle: str, persona: str, *,
              rng: Stream | None = None, facts: dict[str, str] | None = None,
              minute: float | None = None) -> Rendered:
        r = rng or self.rng
        if not self._quote_weights:  # weighted like mentions: grammars of choices more often
            self._quote_weights = list(accumulate(self._entry(t).weight for t in self._quotes))
        cumulative = self._quote_weights
        template = self._quotes[bisect_right(cumulative, r.random() * cumulative[-1])]
        return self.render(template, author, persona,
                           extra={"quoted": "@" + quoted_handle}, rng=r, facts=facts,
                           minute=minute)


def _fill(compiled: Compiled, rng: Stream, slots: Slots,
          vary: Paraphraser | None = None) -> str:
    """One wording of a compiled template with its slots filled, piece by piece (``vary``:
    the customer words the template's own text their way before the slots are filled)."""
    parts = expand_parts(compiled, rng)
    if vary is not None:
        return _varied(parts, slots, vary, rng)
    if len(parts) == 1:
        return _format(parts[0], slots)
    return tidy("".join(_format(p, slots) if "{" in p else p for p in parts))


def _varied(parts: list[str], slots: Slots, vary: Paraphraser, rng: Stream) -> str:
    """Bank pieces worded the customer's way, then filled. A swap never touches a ``{slot}``
    (no group member holds a brace), so a varied piece has exactly the fields the formatter
    checked on the bank's own piece. (Inlined: this runs for every piece of every post.)"""
    found = vary.found
    out: list[str] = []
    last = len(parts) - 1
    for i, piece in enumerate(parts):
        spans = found.get(piece)
        if spans is None:
            spans = vary.spans(piece)
        if spans:  # a member at a piece's edge may be half a word ("ok" + "[ay]")
            spans = vary.within(piece, spans, parts[i - 1][-1:] if i else "",
                                parts[i + 1][:1] if i < last else "")
        text = vary.swap(piece, spans, rng) if spans else piece
        if "{" in piece:
            if piece not in _CHECKED:
                slot_syntax(piece)  # checks the bank's piece without filling it
                if len(_CHECKED) < 200_000:
                    _CHECKED.add(piece)
            text = text.format_map(slots)
        out.append(text)
    return tidy("".join(out))


#: Template pieces the safe formatter has passed (bank pieces: a finite set). The formatter
#: keeps its own bounded cache of checked templates (8,192); a bank's thousands of choice
#: pieces would overflow it and be scanned again on every post, so the writer remembers what
#: it checked and then fills a checked piece as the formatter does after its check:
#: ``str.format_map`` on a template that holds only plain ``{name}`` fields.
_CHECKED: set[str] = set()


def _format(piece: str, slots: Slots) -> str:
    if piece in _CHECKED:
        return piece.format_map(slots)
    text = format_slots(piece, slots)  # checks the piece (TemplateError if it is not safe)
    if len(_CHECKED) < 200_000:
        _CHECKED.add(piece)
    return text


_NAMES: dict[Compiled, frozenset[str]] = {}


def _names_of(compiled: Compiled) -> frozenset[str]:
    names = _NAMES.get(compiled)
    if names is None:
        names = _NAMES[compiled] = slot_names(repr(compiled))
    return names


def _pick_from(pool: Sequence[str], slots: Slots) -> str:
    return pick(pool, slots.rng)


def _exposing(kind: str, make: Callable[[Slots], str], slots: Slots) -> str:
    value = make(slots)
    slots.exposed.append(PersonalData(kind, value))
    return value


def _mood(persona: str, intent: str) -> str:
    if persona == "troll":
        return "troll"
    if persona == "praise" or intent == "praise":
        return "happy"
    return "angry" if persona == "angry" else "sad"


_KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {ch: row[max(0, i - 1)] + row[min(len(row) - 1, i + 1)]
               for row in _KEYS for i, ch in enumerate(row)}


def slip(word: str, r: Stream) -> str:
    """One typing slip inside a word (never its first letter): swap, drop, double, neighbour."""
    at = 1 + int(r.random() * (len(word) - 2))
    kind = r.random()
    if kind < 0.3:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    if kind < 0.55:
        return word[:at] + word[at + 1:]
    if kind < 0.75:
        return word[:at] + word[at] + word[at:]
    near = _NEIGHBOURS.get(word[at].lower())
    return word[:at] + (pick(near, r) if near else word[at]) + word[at + 1:]


def _drop_sentence(text: str, rng: Stream, keep: Sequence[str]) -> str:
    """The text without one of its middle sentences (never the first, which says what is
    wrong, nor the last, which asks; never one holding personal data or a link)."""
    sentences = _SENTENCES.split(text)
    if len(sentences) < 3:
        return text
    i = 1 + int(rng.random() * (len(sentences) - 2))
    dropped = sentences[i]
    if "http" in dropped or "pic." in dropped or any(v and v in dropped for v in keep):
        return text
    return " ".join(sentences[:i] + sentences[i + 1:])


def _first_sentence(text: str) -> str:
    """The text up to its first sentence or clause break (at least a few words of it)."""
    for match in _CLAUSE.finditer(text):
        if match.start() >= 10:
            head = text[:match.start() + 1].rstrip(",- ")
            return head
    return text


def _link_last(text: str) -> str:
    links = [m.group(0).strip() for m in _LINK.finditer(text)]
    body = _LINK.sub("", text).strip()
    return " ".join([body, *links]) if body else text


def _framed(opener: str, text: str, closer: str) -> str:
    """``text`` after its opener and before its closer. After an opener without a mark ("so",
    "well well well") a capital that only starts the template is lowered: "so been a customer
    for years", not "so Been a customer for years"."""
    if opener:
        if opener[-1:].isalnum() and text[:1].isupper() and text[1:2].islower():
            text = text[0].lower() + text[1:]
        text = f"{opener} {text}"
    if closer:
        text = f"{text.rstrip()} {closer}"
    return text


def _question_last(text: str) -> str:
    """The text's statements first, its question(s) last ("no signal since 9. is it down?")."""
    parts = _SENTENCES.split(text)
    if len(parts) < 2:
        return text
    questions = [p for p in parts if p.endswith("?")]
    statements = [p for p in parts if not p.endswith("?")]
    if not questions or not statements or parts[-1].endswith("?"):
        return text
    statements = [p if p[-1:] in ".!?…" else p + "." for p in statements]
    return " ".join([*statements, *questions])


def _fit(text: str) -> str:
    """One line, single spaces, within the public limit (customers post in public)."""
    if "  " in text or "\n" in text:
        text = _SPACES.sub(" ", text)
    return text[:PUBLIC_LIMIT].strip()


def _clock(label: str | None) -> int | None:
    if not label or ":" not in label:
        return None
    hours, minutes = label.split(":", 1)
    return int(hours) * 60 + int(minutes)

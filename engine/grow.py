"""The bank grower: an LLM proposes templates for one bank cell (language, persona, intent,
optionally a domain), the grower keeps the ones that could ship and writes a review file. It
never edits a bank: a person reads the file and merges what reads like real customers.

Each candidate must parse and fill (``engine.bank.template_problems``: known slots, choices,
no repeated number slot), fit a tweet once rendered, be in the bank's language, carry no
personal data outside slots and no other domain's words, and not be a near-duplicate of the
bank's templates or of another candidate. When scikit-learn and the real tweets of the
realism benchmark are at hand, the candidates the realism classifier finds most synthetic are
dropped too (``engine.realism.synthetic_scores``).

The LLM is asked through ``llm.LlmClient`` in small batches (an answer is capped at a few
hundred tokens), each batch told what was already proposed so it does not repeat itself.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from engine.bank import Bank, load_bank, template_problems
from engine.domains import GENERAL, DrillProfile, sections_for
from engine.people import PeopleFactory
from engine.templates import all_wordings, compile_template
from engine.text import MentionWriter

#: Candidates asked per call: ~25 tokens each, inside the client's answer cap.
BATCH = 8
#: A candidate this similar (rapidfuzz ratio) to a bank template or another candidate is a
#: near-duplicate.
NEAR_DUPLICATE = 85.0
#: Share of the surviving candidates the realism classifier may drop (the most synthetic).
CLASSIFIER_DROP = 0.25
#: Longest rendered wording allowed before noise (room for a handle, a link, an emoji).
MAX_RENDERED = 230
_PERSONAL = re.compile(r"[\w.+-]+@[\w-]+\.\w+|\d[\d\s-]{5,}\d|https?://")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")


class Candidates(BaseModel):
    """The model's answer: candidate templates."""

    templates: list[str] = Field(default_factory=list, max_length=40)


@dataclass(frozen=True)
class Cell:
    """Where the candidates would go in the bank."""

    language: str
    persona: str
    intent: str
    domain: str = GENERAL

    @property
    def where(self) -> str:
        if self.domain != GENERAL:
            return f"domains.{self.domain}.mentions.{self.intent}.{self.persona}"
        return f"mentions.{self.intent}.{self.persona}"


@dataclass
class GrowReport:
    """What the grower kept and why it dropped the rest."""

    cell: Cell
    kept: list[str] = field(default_factory=list)
    #: (candidate, reason)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    calls: int = 0
    sources: list[str] = field(default_factory=list)
    classifier: str = "not run"

    def as_review(self) -> dict[str, object]:
        return {
            "cell": self.cell.where, "language": self.cell.language,
            "note": "Proposed by the bank grower. Nothing here is in a bank: read each "
                    "template aloud, keep what a real customer would post, and merge it by "
                    "hand under the cell above.",
            "asked": {"calls": self.calls, "answered_by": sorted(set(self.sources)),
                      "classifier": self.classifier},
            "keep": self.kept,
            "dropped": [{"template": t, "why": why} for t, why in self.dropped],
        }


Ask = Callable[[str, str], Candidates | None]


def existing(bank: Bank, cell: Cell) -> list[str]:
    """The bank's templates of the cell (and its "any" list): what candidates must not repeat."""
    source = bank.domains[cell.domain].mentions if cell.domain in bank.domains else bank.mentions
    by_persona = source.get(cell.intent, {})
    return list(by_persona.get(cell.persona, ())) + list(by_persona.get("any", ()))


def prompt(cell: Cell, examples: Sequence[str], proposed: Sequence[str], n: int) -> str:
    language = "Korean" if cell.language == "ko" else "English"
    shown = "\n".join(f"- {t}" for t in examples[:8]) or "(none yet)"
    taken = "\n".join(f"- {t}" for t in proposed[-30:]) or "(none)"
    domain = "" if cell.domain == GENERAL else f" The business is in the {cell.domain} domain."
    return (
        f"Write {n} new {language} social-media posts a {cell.persona.replace('_', ' ')} "
        f"customer might send a brand about {cell.intent.replace('_', ' ')}.{domain} Write "
        "them as real people type: first person, specific, varied in length and shape, "
        "casual. Use slots for anything that varies: {brand} (the brand's handle, usually "
        "first), {brand_name}, {product}, {city}, {since}, {minutes}, {hours}, {days}, "
        "{count}, {amount}, {person}, {when}, {where}, {reason}, {staff}. Personal data only "
        "as slots ({order}, {email}, {phone}, {address}), never written out. Optional "
        "wordings as [a|b] (an empty option makes a part optional). No links, no hashtags "
        "unless natural. Answer JSON {\"templates\": [...]}.\n"
        f"Posts already in the bank (do not repeat them):\n{shown}\n"
        f"Already proposed (do not repeat them either):\n{taken}")


def check(candidate: str, cell: Cell, bank: Bank, writer: MentionWriter,
          markers: re.Pattern[str] | None) -> str | None:
    """Why a candidate cannot ship (None: it can)."""
    problems = template_problems(candidate)
    if problems:
        return problems[0]
    free = re.sub(r"\{\w+\}", " ", candidate)
    if _PERSONAL.search(free):
        return "personal data or a link outside slots"
    hangul, latin = len(_HANGUL.findall(free)), len(_LATIN.findall(free))
    if cell.language == "ko" and hangul < max(2, 0.3 * (hangul + latin)):
        return "not Korean"
    if cell.language == "en" and hangul:
        return "not English"
    if markers is not None and markers.search(free):
        return "another domain's words"
    author = writer.people.author(cell.persona)
    for wording in all_wordings(compile_template(candidate), 16):
        text = writer.render(wording, author, cell.persona, noise=False).text
        if len(text) > MAX_RENDERED:
            return f"{len(text)} characters once filled"
    return None


def grow(cell: Cell, n: int, ask: Ask, *, bank: Bank | None = None,
         real_texts: Sequence[str] = (), seed: int = 0) -> GrowReport:
    """Ask for about ``n`` candidates, keep the ones that could ship (see the module docstring).

    ``ask(system, user)`` returns the model's ``Candidates`` or None (a failed call).
    """
    bank = bank or load_bank(cell.language)
    report = GrowReport(cell)
    rng = random.Random(seed)
    region = bank.default_region
    people = PeopleFactory(cell.language, rng, bank.bios, bank.cities, bank.regions.get(region))
    writer = MentionWriter(bank, rng, people, "BrandCares", "Brand", ("the app",),
                           profile=DrillProfile(cell.domain, region, None, frozenset(), ()))
    usable = set(sections_for(bank, cell.domain)) if cell.domain in bank.domains else set()
    others = [m for name, d in bank.domains.items() if name not in usable for m in d.markers]
    markers = re.compile("|".join(rf"\b{re.escape(m)}\b" if cell.language == "en"
                                  else re.escape(m) for m in others), re.I) if others else None
    have = existing(bank, cell)
    proposed: list[str] = []
    failures = 0
    while len(proposed) < n and failures < 3 and report.calls < 2 * (n // BATCH + 2):
        report.calls += 1
        answer = ask(SYSTEM, prompt(cell, have, proposed, min(BATCH, n - len(proposed))))
        if answer is None or not answer.templates:
            failures += 1
            continue
        fresh = [t.strip() for t in answer.templates if t.strip() and t.strip() not in proposed]
        if not fresh:
            failures += 1
        proposed += fresh
    for candidate in proposed:
        why = check(candidate, cell, bank, writer, markers)
        if why is None:
            why = _near_duplicate(candidate, have + report.kept)
        if why is None:
            report.kept.append(candidate)
        else:
            report.dropped.append((candidate, why))
    if real_texts and report.kept:
        _drop_most_synthetic(report, writer, real_texts, rng)
    return report


SYSTEM = ("You help write a template bank of customer posts for a customer-care training "
          "simulator. You answer with JSON only.")


def _near_duplicate(candidate: str, others: Sequence[str]) -> str | None:
    from rapidfuzz import fuzz, process

    found = process.extractOne(candidate, list(others), scorer=fuzz.ratio,
                               score_cutoff=NEAR_DUPLICATE)
    return None if found is None else f"near-duplicate of {found[0]!r}"


def _drop_most_synthetic(report: GrowReport, writer: MentionWriter,
                         real_texts: Sequence[str], rng: random.Random) -> None:
    """Drop the share of kept candidates the realism classifier finds most synthetic."""
    try:
        from engine.realism import normalise_all, synthetic_scores
    except ImportError:  # pragma: no cover - engine.realism is ours; sklearn is checked below
        return
    try:
        import sklearn  # noqa: F401
    except ImportError:
        report.classifier = "skipped: scikit-learn is not installed"
        return
    cell = report.cell
    # the bank's own voice for this intent: what the classifier learns "synthetic" from
    flood = [writer.mention(cell.intent, cell.persona, writer.people.author(cell.persona),
                            rng=rng).text for _ in range(800)]
    rendered = [writer.render(t, writer.people.author(cell.persona), cell.persona,
                              rng=rng).text for t in report.kept]
    scores = synthetic_scores(normalise_all(real_texts), normalise_all(flood),
                              normalise_all(rendered))
    order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
    drop = set(order[:int(len(order) * CLASSIFIER_DROP)])
    report.classifier = f"dropped the {len(drop)} most synthetic of {len(order)}"
    kept = []
    for i, template in enumerate(report.kept):
        if i in drop:
            report.dropped.append((template, f"reads synthetic ({scores[i]:.2f})"))
        else:
            kept.append(template)
    report.kept = kept


def write_review(report: GrowReport, path: Path) -> None:
    path.write_text(yaml.safe_dump(report.as_review(), allow_unicode=True, sort_keys=False,
                                   width=100), encoding="utf-8")



def read_real(path: Path) -> list[str]:
    """Inbound customer tweets of a TWCS-style CSV (``inbound`` True), read in place."""
    import csv
    import html

    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [html.unescape(row["text"]) for row in csv.DictReader(fh)
                if row.get("inbound") == "True" and row.get("text")]

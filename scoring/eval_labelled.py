"""The scorer measured on StormDesk's own labelled replies (``scoring.labelled_set``): per trap
and per language, with the first run on each split (recorded before any tuning) next to today.

What counts as "right" per trap (a QA lead's reading of the reply, see docs/scoring.md):
- sarcasm: a ``sarcastic`` (or ``rude``) tone finding and empathy level 0;
- dismissal: the empathy assessment is ``dismissive`` (level 0);
- troll_arguing: an ``argues_with_troll`` tone finding that makes the reply off-brand, and empathy
  level 0;
- personal-data forms (digits as words, "at"/"dot" e-mails, echoed order or booking numbers,
  grouped card numbers, national phone formats, street addresses): ``exposes_pii_public``;
- brand_contact: no exposure flagged (the brand's own hotline or web address);
- dm_mention: not a move to DM, and exactly the labelled privacy kinds;
- device_question: no request for personal data or credentials;
- other_ask (ordinary requests for data or credentials): the privacy kinds and the move to DM;
- good: every label right (empathy level, on-brand, privacy kinds, move to DM).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.records import PersonalData, ReplyContext
from scoring.eval_metrics import Counts, accuracy, fmt, quadratic_kappa
from scoring.labelled_set import (
    BLIND,
    FRESH,
    PII_FORMS,
    SPLITS,
    TRAPS,
    LabelledCase,
    load_split,
)
from scoring.records import ReplyAssessment

PRIVACY_KINDS = ("exposes_pii_public", "asks_pii_public", "asks_password")
LANGUAGES = ("en", "ko", "all")
#: the figures the table lists for each language, in order (trap rows come first)
METRICS = ("privacy_f1", "empathy_kappa", "empathy_accuracy", "on_brand_accuracy",
           "hard_tone_traps", "pii_forms_caught", "false_alarms_ordinary", "dm_f1",
           "brand_flagged", "brand_dm_f1")
METRIC_LABELS = {
    "privacy_f1": "privacy F1 (reply x kind)",
    "empathy_kappa": "empathy quadratic kappa",
    "empathy_accuracy": "empathy accuracy",
    "on_brand_accuracy": "on/off-brand accuracy",
    "hard_tone_traps": "sarcastic + dismissive + troll-arguing right",
    "pii_forms_caught": "unusual personal-data forms caught",
    "false_alarms_ordinary": "privacy false alarms on ordinary replies",
    "dm_f1": "moves-to-DM F1 (labelled set)",
    "brand_flagged": "brand replies flagged as privacy violations (count)",
    "brand_dm_f1": "brand replies: moves-to-DM F1 vs request-DM labels",
}


@dataclass(frozen=True, slots=True)
class Scored:
    """One case and what the offline scorer said about it."""

    case: LabelledCase
    empathy: int
    dismissive: bool
    on_brand: bool
    tone_kinds: frozenset[str]
    privacy: frozenset[str]
    moves_to_dm: bool


def context(case: LabelledCase) -> tuple[ReplyContext, tuple[PersonalData, ...]]:
    ctx = ReplyContext(language=case.language, brand_voice=case.brand_voice,
                       persona=case.persona, intent=case.intent, mention_text=case.mention,
                       channel=case.channel, reply_text=case.reply,
                       customer_name=case.customer_name)
    known = tuple(PersonalData(str(p["kind"]), str(p["value"])) for p in case.known_pii)
    return ctx, known


def score_case(case: LabelledCase) -> Scored:
    from scoring.assess import assess_reply

    ctx, known = context(case)
    a: ReplyAssessment = assess_reply(ctx, known_pii=known)
    return Scored(case, a.empathy.level, a.empathy.dismissive, a.tone.on_brand,
                  frozenset(f.kind for f in a.tone.findings if f.severity in ("major", "critical")),
                  frozenset(f.kind for f in a.privacy.findings), a.privacy.moves_to_dm)


def trap_right(s: Scored) -> bool:
    """Whether the scorer got the reply right for its trap (module docstring)."""
    c = s.case
    trap = c.trap
    if trap == "sarcasm":
        return bool(s.tone_kinds & {"sarcastic", "rude"}) and s.empathy == 0
    if trap == "dismissal":
        return s.dismissive and s.empathy == 0
    if trap == "troll_arguing":
        return "argues_with_troll" in s.tone_kinds and s.empathy == 0
    if trap in PII_FORMS:
        return "exposes_pii_public" in s.privacy
    if trap == "brand_contact":
        return "exposes_pii_public" not in s.privacy
    if trap == "dm_mention":
        return not s.moves_to_dm and s.privacy == set(c.privacy)
    if trap == "device_question":
        return not s.privacy & {"asks_pii_public", "asks_password"}
    if trap == "other_ask":
        return s.privacy == set(c.privacy) and s.moves_to_dm == c.moves_to_dm
    return (s.empathy == c.empathy and s.on_brand == c.on_brand
            and s.privacy == set(c.privacy) and s.moves_to_dm == c.moves_to_dm)


def _f1(counts: Counts) -> tuple[float, int]:
    return counts.f1, counts.tp + counts.fn


def figures(labelled: Sequence[Scored], brand: Sequence[Scored]) -> dict[str, dict[str, Any]]:
    """language -> figure name -> [value, n] (traps as "trap:<name>": share right)."""
    out: dict[str, dict[str, Any]] = {}
    for language in LANGUAGES:
        rows = [s for s in labelled if language in ("all", s.case.language)]
        brows = [s for s in brand if language in ("all", s.case.language)]
        fig: dict[str, Any] = {}
        for trap in TRAPS:
            chosen = [s for s in rows if s.case.trap == trap]
            if chosen:
                fig[f"trap:{trap}"] = [sum(map(trap_right, chosen)) / len(chosen), len(chosen)]
        privacy = Counts()
        for s in rows:
            want = set(s.case.privacy)
            privacy.add(len(s.privacy & want), len(s.privacy - want), len(want - s.privacy))
        human = [int(s.case.empathy or 0) for s in rows]
        ours = [s.empathy for s in rows]
        hard = [s for s in rows if s.case.trap in ("sarcasm", "dismissal", "troll_arguing")]
        forms = [s for s in rows if s.case.trap in PII_FORMS]
        ordinary = [s for s in rows if not s.case.privacy] + list(brows)
        dm, bdm = Counts(), Counts()
        for group, counts in ((rows, dm), (brows, bdm)):
            for s in group:
                counts.add(int(s.moves_to_dm and s.case.moves_to_dm),
                           int(s.moves_to_dm and not s.case.moves_to_dm),
                           int(s.case.moves_to_dm and not s.moves_to_dm))
        if rows:
            fig["privacy_f1"] = [*_f1(privacy)]
            fig["empathy_kappa"] = [quadratic_kappa(human, ours), len(rows)]
            fig["empathy_accuracy"] = [accuracy(human, ours), len(rows)]
            fig["on_brand_accuracy"] = [
                sum(s.on_brand == s.case.on_brand for s in rows) / len(rows), len(rows)]
            fig["dm_f1"] = [*_f1(dm)]
        if hard:
            fig["hard_tone_traps"] = [sum(map(trap_right, hard)) / len(hard), len(hard)]
        if forms:
            fig["pii_forms_caught"] = [sum(map(trap_right, forms)) / len(forms), len(forms)]
        if ordinary:
            fig["false_alarms_ordinary"] = [sum(bool(s.privacy) for s in ordinary)
                                            / len(ordinary), len(ordinary)]
        if brows:
            fig["brand_flagged"] = [sum(bool(s.privacy) for s in brows), len(brows)]
            fig["brand_dm_f1"] = [*_f1(bdm)]
        out[language] = fig
    return out


@lru_cache(maxsize=16)
def _scored(split: str, source: str, folder: str | None) -> tuple[Scored, ...]:
    kwargs = {} if folder is None else {"folder": Path(folder)}
    return tuple(score_case(c) for c in load_split(split, source, **kwargs))


def split_figures(splits: Sequence[str], folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """Figures over the union of ``splits`` (labelled and brand replies of those splits)."""
    key = None if folder is None else str(folder)
    labelled = [s for split in splits for s in _scored(split, "labelled", key)]
    brand = [s for split in splits for s in _scored(split, "brand", key)]
    return figures(labelled, brand)


def misses(split: str) -> list[Scored]:
    """The cases of ``split`` the scorer gets wrong for their trap (for tuning on train/dev)."""
    return [s for s in _scored(split, "labelled", None) if not trap_right(s)]


# ----------------------------------------------------------------------------------- the table


def _cell(value: Any) -> str:
    if not value:
        return "–"
    number, n = value
    if isinstance(number, int) and not isinstance(number, bool):
        return f"{number} of {n}"
    return f"{fmt(float(number), 2)} (n={n})"


def table(now: dict[str, dict[str, Any]], first: dict[str, dict[str, Any]] | None,
          label: str) -> str:
    """Markdown: one row per trap and metric, a column pair (first run, now) per language."""
    head = ["| figure | " + " | ".join(f"{lang} first run | {lang} now" for lang in LANGUAGES)
            + " |", "|---|" + "---|---|" * len(LANGUAGES)]
    keys = [f"trap:{t}" for t in TRAPS] + list(METRICS)
    lines = [f"**{label}**", "", *head]
    first = first or {}
    for key in keys:
        if not any(key in now.get(lang, {}) or key in first.get(lang, {}) for lang in LANGUAGES):
            continue
        name = f"trap: {key[5:]} (share right)" if key.startswith("trap:") else METRIC_LABELS[key]
        cells = []
        for lang in LANGUAGES:
            cells += [_cell(first.get(lang, {}).get(key)), _cell(now.get(lang, {}).get(key))]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def first_runs(fixtures: Path) -> dict[str, Any]:
    path = fixtures / "first_runs.json"
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")).get("labelled_set", {})
    return data


def report(fixtures: Path, folder: Path | None = None) -> str:
    """The tables ``python -m scoring evaluate`` prints for the project's own set."""
    recorded = first_runs(fixtures)
    parts = []
    for name, splits in (("test split (never used for tuning)", ("test",)),
                         ("fresh split (written after tuning, scored once, then tuned on)",
                          (FRESH,)),
                         ("blind split (written after the last change, scored once)", (BLIND,)),
                         ("train + dev (tuned on)", ("train", "dev")),
                         ("train + dev + test", SPLITS)):
        key = "+".join(splits)
        now = split_figures(splits, folder)
        parts.append(table(now, recorded.get(key, {}).get("figures"), name))
    for split in ("test", FRESH, BLIND):
        note = recorded.get(split, {}).get("note")
        if note:
            parts.append(f"{split} first run: {note}")
    return "\n\n".join(parts)

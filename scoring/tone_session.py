"""The drill's tone dimension (``ToneDimension``): every reply and status update against the brand,
over-promises checked against the incident facts in force at the reply's minute, and consistency
over the shift: the same canned text pasted to many customers, and drift between the first and
last third of the shift."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from rapidfuzz import fuzz, process

from engine.records import Event, ReplyContext, StatusPosted
from engine.scenario import Brand, Scenario
from scoring.lexicon import Lexicon, fold, load_lexicon
from scoring.records import DimensionResult, Finding, Severity, ToneAssessment, judge_label
from scoring.reply_contexts import reply_contexts
from scoring.tone import DIMENSION, FactsAtReply, assess

if TYPE_CHECKING:
    from scoring.judge import Judge

#: near-duplicates: token-sorted similarity (rapidfuzz ``ratio`` on pre-sorted tokens, i.e.
#: ``token_sort_ratio``) of at least this much, ignoring handles, links and signatures.
#: ``token_set_ratio`` was tried and dropped: it rates a short reply contained in a longer one as
#: identical, and costs about 20x more (300 ms for 500 replies).
CANNED_SIMILARITY = 90
#: ... sent to at least this many different threads
CANNED_MIN_THREADS = 3
#: replies shorter than this (characters, after normalising) are too short to call canned
#: ("Thanks!"); Korean packs about twice the meaning per character
CANNED_MIN_CHARS = {"en": 30, "ko": 15}
#: a drill needs this many replies before drift between its first and last third means anything
DRIFT_MIN_REPLIES = 6
#: feature -> change between the first and last third that counts as drift
DRIFT_LIMITS = {"formality": 0.2, "emoji": 0.75, "exclamations": 0.75, "caps_ratio": 0.15,
                "on_brand": 0.25}
#: replies that get at least this much shorter or longer (ratio) have drifted in length
DRIFT_LENGTH_RATIO = 0.6
#: score points the consistency findings take off the dimension
CANNED_PENALTY = {"minor": 4.0, "major": 8.0}
DRIFT_PENALTY = {"minor": 4.0, "major": 8.0}
CONSISTENCY_CAP = 25.0

_HANDLE_OR_LINK = re.compile(r"@\w+|https?://\S+|www\.\S+")
_SIGN_OFF = re.compile(r"(?:\s(?:[\^\-–—~/*=]|by\s)\s?\w{1,15}\.?|\^\w{1,12})\s*$")
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class _Item:
    event_id: str
    thread_id: str | None
    minute: float
    text: str
    assessment: ToneAssessment
    is_status: bool


def _normalise(text: str) -> str:
    body = _SIGN_OFF.sub("", _HANDLE_OR_LINK.sub(" ", text).strip())
    return " ".join(sorted(_TOKEN.findall(fold(body))))


def canned_clusters(items: Sequence[_Item], language: str = "en") -> list[list[int]]:
    """Groups of replies (indexes into ``items``) that are near-duplicates of each other and went
    to at least ``CANNED_MIN_THREADS`` different threads."""
    shortest = CANNED_MIN_CHARS.get(language, CANNED_MIN_CHARS["en"])
    by_key: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        if not it.is_status:
            key = _normalise(it.text)
            if len(key) >= shortest:
                by_key.setdefault(key, []).append(i)
    if sum(len(v) for v in by_key.values()) < CANNED_MIN_THREADS:
        return []
    # identical texts are grouped exactly; only distinct texts go through the fuzzy matrix
    texts = list(by_key)
    parent = list(range(len(texts)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    if len(texts) > 1:
        scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=CANNED_SIMILARITY,
                               dtype=np.uint8, workers=1)
        for a, b in zip(*np.nonzero(np.triu(scores, k=1)), strict=True):
            ra, rb = root(int(a)), root(int(b))
            if ra != rb:
                parent[rb] = ra
    groups: dict[int, list[int]] = {}
    for position, key in enumerate(texts):
        groups.setdefault(root(position), []).extend(by_key[key])
    return [sorted(g) for g in groups.values()
            if len({items[i].thread_id for i in g}) >= CANNED_MIN_THREADS]


def _means(items: Sequence[_Item]) -> dict[str, float]:
    count = len(items)
    keys = ("formality", "emoji", "exclamations", "caps_ratio", "length")
    out = {k: sum(it.assessment.features.get(k, 0.0) for it in items) / count for k in keys}
    out["on_brand"] = sum(it.assessment.on_brand for it in items) / count
    return out


def drift(items: Sequence[_Item]) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Mean features of the first and last third of the replies, and which of them drifted."""
    replies = [it for it in items if not it.is_status]
    if len(replies) < DRIFT_MIN_REPLIES:
        return {}, []
    third = len(replies) // 3
    first, last = _means(replies[:third]), _means(replies[-third:])
    table = {k: {"first": round(first[k], 3), "last": round(last[k], 3)} for k in first}
    drifted = [k for k, limit in DRIFT_LIMITS.items() if abs(last[k] - first[k]) >= limit]
    low, high = sorted((first["length"], last["length"]))
    if high and low / high <= DRIFT_LENGTH_RATIO:
        drifted.append("length")
    return table, drifted


class ToneDimension:
    """Tone over a drill: per-reply verdicts against the brand, and consistency over the shift."""

    name = DIMENSION
    supports_judge: ClassVar[bool] = True

    def score(self, transcript: Sequence[Event], scenario: Scenario,
              judge: Judge | None = None) -> DimensionResult:
        brand = scenario.brand
        lex = load_lexicon(scenario.language)
        items: list[_Item] = []
        judges: list[str] = []
        for reply in reply_contexts(transcript, scenario):
            minute = reply.event.minute
            at = FactsAtReply(scenario.facts_at(minute), minute) if scenario.incident else None
            verdict = assess(reply.context, brand, at)
            if judge is not None:  # the LLM's verdict, or the offline one when it fails
                judged = judge.judge_tone(reply.context, verdict, brand)
                verdict = judged.value
                judges.append(judged.judge)
            items.append(_Item(reply.event.event_id, reply.event.thread_id, minute,
                               reply.event.text, verdict, False))
        for event in transcript:
            if isinstance(event, StatusPosted):
                ctx = ReplyContext(language=scenario.language, brand_voice=brand.voice,
                                   persona="neutral", intent="outage", mention_text="",
                                   channel="public", reply_text=event.text)
                at = (FactsAtReply(scenario.facts_at(event.minute), event.minute)
                      if scenario.incident else None)
                items.append(_Item(event.event_id, None, event.minute, event.text,
                                   assess(ctx, brand, at), True))
        if not items:
            return DimensionResult(name=self.name, score=None, level=None,
                                   metrics={"replies": 0, "note": "nothing written to assess"})
        items.sort(key=lambda it: it.minute)
        findings: list[Finding] = []
        kinds: Counter[str] = Counter()
        for it in items:
            for f in it.assessment.findings:
                if it.is_status and f.kind == "missing_signature":
                    continue  # status updates speak for the brand, not for one agent
                kinds[f.kind] += 1
                findings.append(dataclasses.replace(f, event_id=it.event_id,
                                                    thread_id=it.thread_id))
        penalty = 0.0
        clusters = canned_clusters(items, scenario.language)
        cluster_metrics = []
        for group in clusters:
            finding = self._canned(lex, brand, items, group)
            findings.append(finding)
            kinds[finding.kind] += 1
            penalty += CANNED_PENALTY.get(finding.severity, 4.0)
            cluster_metrics.append({"replies": len(group), "threads": len(
                {items[i].thread_id for i in group}), "text": items[group[0]].text[:120]})
        table, drifted = drift(items)
        if drifted:
            finding = self._drift(lex, table, drifted)
            findings.append(finding)
            kinds[finding.kind] += 1
            penalty += DRIFT_PENALTY.get(finding.severity, 4.0)
        scores = [it.assessment.score for it in items]
        on_brand = sum(it.assessment.on_brand for it in items) / len(items)
        score = sum(scores) / len(scores) - min(penalty, CONSISTENCY_CAP)
        return DimensionResult(
            name=self.name, score=round(max(0.0, score), 1), level=round(on_brand, 3),
            findings=tuple(findings),
            metrics={"replies": sum(not it.is_status for it in items),
                     "status_updates": sum(it.is_status for it in items),
                     "on_brand_rate": round(on_brand, 3),
                     "mean_reply_score": round(sum(scores) / len(scores), 1),
                     "finding_kinds": dict(kinds), "canned_clusters": cluster_metrics,
                     "drift": table, "drifted": drifted},
            judge=judge_label(judges),
        )

    @staticmethod
    def _canned(lex: Lexicon, brand: Brand, items: Sequence[_Item], group: list[int]) -> Finding:
        first = items[group[0]]
        threads = len({items[i].thread_id for i in group})
        severity: Severity = "major" if threads >= 5 else "minor"
        sample = first.text if len(first.text) <= 80 else first.text[:77] + "..."
        key = _normalise(first.text)
        macro = next((m for m in brand.macros
                      if fuzz.ratio(_normalise(m.text), key) >= CANNED_SIMILARITY), None)
        if macro is not None:
            explanation = lex.message("tone.canned_macro", title=macro.title, n=threads)
        else:
            explanation = lex.message("tone.canned_duplicate", text=sample, n=threads)
        return Finding(dimension=DIMENSION, kind="canned_duplicate",
                       rule="tone.consistency.canned", explanation=explanation,
                       suggestion=lex.message("suggest.canned_duplicate"),
                       event_id=first.event_id, thread_id=first.thread_id, text=sample,
                       severity=severity,
                       impact=CANNED_PENALTY[severity])

    @staticmethod
    def _drift(lex: Lexicon, table: dict[str, dict[str, float]], drifted: list[str]) -> Finding:
        parts = [lex.message(f"drift.{k}", first=table[k]["first"], last=table[k]["last"])
                 for k in drifted]
        severity: Severity = "major" if len(drifted) >= 2 or (
            "on_brand" in drifted and table["on_brand"]["first"] - table["on_brand"]["last"]
            >= 0.4) else "minor"
        return Finding(dimension=DIMENSION, kind="tone_drift", rule="tone.consistency.drift",
                       explanation=lex.message("tone.drift", what="; ".join(parts)),
                       suggestion=lex.message("suggest.drift"), severity=severity,
                       impact=DRIFT_PENALTY[severity])

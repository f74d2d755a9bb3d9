"""``python -m scoring evaluate``: the offline scorer against human labels, printed as Markdown:
first StormDesk's own labelled replies per trap and per language, first run next to now
(`scoring.eval_labelled`), then the shared calibration sets when ``../shared/eval`` exists (out of
domain; see docs/scoring.md for what each figure does and does not show) and the older
in-domain fixtures (tune, holdout, fresh, unseen)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from engine.records import ReplyContext
from engine.scenario import Brand
from scoring.empathy import assess_empathy
from scoring.eval_metrics import (
    Counts,
    accuracy,
    confusion,
    fmt,
    match_spans,
    quadratic_kappa,
    spearman,
)
from scoring.lexicon import fold, scanner
from scoring.tone import assess_tone

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval"
DEFAULT_FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "scoring"
#: Presidio entity type -> the kinds ``scoring.pii.detect_pii`` reports for it
ENTITY_KINDS: dict[str, tuple[str, ...]] = {
    "EMAIL_ADDRESS": ("email",), "PHONE_NUMBER": ("phone",), "CREDIT_CARD": ("card_number",),
    "IP_ADDRESS": ("ip_address",), "URL": ("url",), "KR_RRN": ("rrn",), "KR_FRN": ("frn",),
    "KR_BRN": ("business_number",), "KR_PASSPORT": ("passport",),
    "KR_DRIVER_LICENSE": ("driver_licence",),
}
TONE_KINDS = ("rude", "sarcastic", "too_informal", "too_stiff", "shouting", "argues_with_troll",
              "blames_customer", "over_promise", "missing_signature", "banned_phrase",
              "emoji_policy")

Row = tuple[str, str, str, str, str]  # set, slice, n, metric, value


def _csv(path: Path, limit: int | None) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            if limit is not None and i >= limit:
                return
            yield row


def _jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    return rows


def _ctx(reply: str, mention: str = "", language: str = "en", voice: str = "friendly",
         persona: str = "neutral", intent: str = "", name: str = "") -> ReplyContext:
    return ReplyContext(language=language, brand_voice=voice, persona=persona, intent=intent,
                        mention_text=mention, channel="public", reply_text=reply,
                        customer_name=name)


def _prf(counts: Counts) -> str:
    return f"{fmt(counts.precision)} / {fmt(counts.recall)} / {fmt(counts.f1)}"


# ------------------------------------------------------------------------- shared (out of domain)


def privacy_rows(data: Path, limit: int | None) -> list[Row]:
    """Presidio's recognizer test strings through ``scoring.pii.detect_pii`` (same-type spans match
    when they overlap by at least half of each; count-only cases compare counts)."""
    path = data / "presidio_pii_tests" / "presidio_recognizer_test_cases.jsonl"
    name = "presidio_pii"
    if not path.exists():
        return [(name, "", "", "", "file not found")]
    try:
        from scoring.pii import detect_pii
    except ImportError as exc:
        return [(name, "", "", "", f"not available ({exc})")]
    counts: dict[str, Counts] = {}
    cases: Counter[str] = Counter()
    exact: Counter[str] = Counter()
    uncovered: Counter[str] = Counter()
    skipped = 0
    for case in _jsonl(path, limit):
        entity = case["entity_type"]
        kinds = ENTITY_KINDS.get(entity)
        if kinds is None:
            uncovered[entity] += 1
            continue
        if "leniency" in str(case.get("recognizer_config", "")):
            skipped += 1  # the same text expects different counts under different leniencies
            continue
        language = "ko" if entity.startswith("KR_") else "en"
        found = [(m.start, m.end) for m in detect_pii(case["text"], language) if m.kind in kinds]
        expected_count = int(case["expected_count"])
        c = counts.setdefault(entity, Counts())
        if case.get("spans_given", True) or expected_count == 0:
            spans = [(int(s["start"]), int(s["end"])) for s in case.get("expected_spans") or ()]
            tp, fp, fn, ex = match_spans(spans, found)
            exact[entity] += ex
        else:
            tp = min(len(found), expected_count)
            fp, fn = max(0, len(found) - expected_count), max(0, expected_count - len(found))
        c.add(tp, fp, fn)
        cases[entity] += 1
    rows: list[Row] = []
    total = Counts()
    for entity in ENTITY_KINDS:
        if entity not in counts:
            continue
        c = counts[entity]
        total.add(c.tp, c.fp, c.fn)
        rows.append((name, entity, str(cases[entity]), "precision / recall / F1",
                     f"{_prf(c)} (exact spans {exact[entity]}/{c.tp})"))
    rows.append((name, "all covered types", str(sum(cases.values())), "precision / recall / F1",
                 _prf(total)))
    if uncovered:
        listed = ", ".join(f"{k} {v}" for k, v in sorted(uncovered.items()))
        rows.append((name, "not covered", str(sum(uncovered.values())), "cases skipped", listed))
    if skipped:
        rows.append((name, "PHONE_NUMBER leniency", str(skipped), "cases skipped",
                     "non-default leniency configs"))
    return rows


def epitome_rows(data: Path, limit: int | None) -> list[Row]:
    """EPITOME emotional reactions (0/1/2) vs our empathy level, seeker post as the mention."""
    path = data / "epitome_empathy" / "epitome_reddit_empathy.csv"
    name = "epitome_er"
    if not path.exists():
        return [(name, "", "", "", "file not found")]
    human, ours = [], []
    reacts = Counts()
    feeling_words = scanner("en", ("apology", "generic_ack", "acknowledgement", "feeling",
                                   "grovel"))
    for row in _csv(path, limit):
        human.append(int(row["emotional_reactions_level"]))
        ours.append(assess_empathy(_ctx(row["response_post"], row["seeker_post"])).level)
        said = bool(feeling_words.scan(fold(row["response_post"])))
        reacted = human[-1] > 0
        reacts.add(tp=int(said and reacted), fp=int(said and not reacted),
                   fn=int(reacted and not said))
    n = str(len(human))
    majority = Counter(human).most_common(1)[0][1] / len(human) if human else float("nan")
    matrix = confusion(human, ours)
    return [
        (name, "all", n, "accuracy (majority-class baseline)",
         f"{fmt(accuracy(human, ours))} ({fmt(majority)})"),
        (name, "all", n, "quadratic-weighted kappa", fmt(quadratic_kappa(human, ours))),
        (name, "all", n, "confusion, rows human 0/1/2, cols ours 0/1/2",
         " · ".join(" ".join(str(v) for v in r) for r in matrix)),
        (name, "ER ≥ 1 vs any apology/sympathy/feeling words", n, "precision / recall / F1",
         _prf(reacts)),
    ]


def politeness_rows(data: Path, limit: int | None) -> list[Row]:
    """Stanford politeness: our tone score (friendly brand) vs the human politeness judgements."""
    path = data / "stanford_politeness" / "stanford_politeness_annotated.csv"
    name = "stanford_politeness"
    if not path.exists():
        return [(name, "", "", "", "file not found")]
    scores, politeness, human, labels = [], [], [], []
    for row in _csv(path, limit):
        result = assess_tone(_ctx(row["request"]))
        scores.append(result.score)
        politeness.append(result.features.get("politeness", 0.0))
        human.append(float(row["normalized_score"]))
        labels.append(row["quartile_label"])
    ends = [i for i, label in enumerate(labels) if label in ("polite", "impolite")]
    threshold = float(np.median([scores[i] for i in ends])) if ends else float("nan")
    correct = sum((scores[i] > threshold) == (labels[i] == "polite") for i in ends)
    cued = [i for i in ends if scores[i] != threshold]
    cued_correct = sum((scores[i] > threshold) == (labels[i] == "polite") for i in cued)
    rho = spearman(scores, human) if len(scores) > 2 else float("nan")
    rho_feature = spearman(politeness, human) if len(scores) > 2 else float("nan")
    return [
        (name, "polite vs impolite quartiles", str(len(ends)),
         f"accuracy (tone score > median {threshold:g} = polite)",
         fmt(correct / len(ends) if ends else float("nan"))),
        (name, "quartiles, score ≠ median", str(len(cued)),
         "accuracy where the scorer found any cue", fmt(cued_correct / len(cued) if cued
                                                        else float("nan"))),
        (name, "all rows", str(len(scores)), "Spearman ρ, tone score vs normalized_score",
         fmt(float(rho))),
        (name, "all rows", str(len(scores)), "Spearman ρ, politeness feature vs normalized_score",
         fmt(float(rho_feature))),
    ]


def smilestyle_rows(data: Path, limit: int | None) -> list[Row]:
    """SmileStyle parallel sentences: does the formal one score better for a formal brand?"""
    path = data / "korean" / "smilestyle_ko_parallel_styles.csv"
    name = "smilestyle_ko"
    if not path.exists():
        return [(name, "", "", "", "file not found")]
    rows = [r for r in _csv(path, limit) if (r.get("formal") or "").strip()]

    def rate(text: str) -> tuple[float, bool]:
        result = assess_tone(_ctx(text, language="ko", voice="formal"))
        return result.score, result.on_brand

    formal = {i: rate(r["formal"]) for i, r in enumerate(rows)}
    out: list[Row] = []
    for other in ("informal", "halmae"):
        pairs = [(formal[i], rate(r[other])) for i, r in enumerate(rows)
                 if (r.get(other) or "").strip()]
        if not pairs:
            continue
        better = sum(f[0] > o[0] for f, o in pairs) / len(pairs)
        ties = sum(f[0] == o[0] for f, o in pairs) / len(pairs)
        off = sum(not o[1] for _, o in pairs) / len(pairs)
        out.append((name, f"formal vs {other}", str(len(pairs)),
                    "formal scores higher (ties)", f"{fmt(better)} ({fmt(ties)})"))
        out.append((name, other, str(len(pairs)), f"{other} judged off-brand for a formal brand",
                    fmt(off)))
    on = sum(v[1] for v in formal.values()) / len(formal) if formal else float("nan")
    out.append((name, "formal", str(len(formal)), "formal judged on-brand", fmt(on)))
    return out


def hate_rows(data: Path, limit: int | None) -> list[Row]:
    """Korean news comments: our "rude" finding vs the offensive/hate labels."""
    path = data / "korean" / "korean_hate_speech_labeled.csv"
    name = "korean_hate_speech"
    if not path.exists():
        return [(name, "", "", "", "file not found")]
    counts = Counts()
    per_label: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for row in _csv(path, limit):
        result = assess_tone(_ctx(row["comments"], language="ko", voice="friendly"))
        rude = any(f.kind == "rude" for f in result.findings)
        label = row["hate"]
        positive = label in ("offensive", "hate")
        counts.add(tp=int(rude and positive), fp=int(rude and not positive),
                   fn=int(positive and not rude))
        per_label[label] += 1
        flagged[label] += int(rude)
    rows: list[Row] = [(name, "offensive+hate vs none", str(sum(per_label.values())),
                        "precision / recall / F1 of “rude”", _prf(counts))]
    for label in ("hate", "offensive", "none"):
        if per_label[label]:
            rows.append((name, label, str(per_label[label]), "share flagged “rude”",
                         fmt(flagged[label] / per_label[label])))
    return rows


def twcs_rows(data: Path, limit: int | None) -> list[Row]:
    """Real brand replies from TWCS (Twitter customer care, 2017): how many the privacy rules
    flag (no human labels: every flag is read as a false alarm unless the reply shows data),
    and how many move the customer to DM, with the customer's tweet as the post."""
    from scoring.privacy import assess_privacy

    path = data / "twcs_customer_support" / "twcs_head5000.csv"
    name = "twcs_brand_replies"
    if not path.exists():
        return [(name, "", "", "", "file not found")]
    rows = list(_csv(path, limit))
    by_id = {r["tweet_id"]: r for r in rows}
    replies = [r for r in rows if r["inbound"] == "False"]
    flagged: Counter[str] = Counter()
    flagged_first = moves = 0
    for i, r in enumerate(replies):
        post = by_id.get(r.get("in_response_to_tweet_id") or "", {}).get("text", "")
        result = assess_privacy(_ctx(r["text"], post))
        kinds = {f.kind for f in result.findings}
        for kind in kinds:
            flagged[kind] += 1
        flagged_first += bool(kinds) and i < 300
        moves += result.moves_to_dm
    n = len(replies)
    return [
        (name, "first 300 brand replies", str(min(300, n)), "flagged as privacy violations",
         str(flagged_first)),
        (name, "all brand replies", str(n), "flagged, by kind",
         ", ".join(f"{k} {v}" for k, v in sorted(flagged.items())) or "none"),
        (name, "all brand replies", str(n), "share that moves the customer to DM",
         fmt(moves / n if n else float("nan"))),
    ]


# ------------------------------------------------------------------------------ in domain


def empathy_predictions(cases: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Each labelled empathy case with the level the scorer gives it."""
    out = []
    for case in cases:
        ctx = _ctx(case["reply"], case.get("mention", ""), case.get("language", "en"),
                   case.get("brand_voice", "friendly"), case.get("persona", "neutral"),
                   case.get("intent", ""), case.get("customer_name", ""))
        out.append((case, assess_empathy(ctx).level))
    return out


def tone_predictions(cases: list[dict[str, Any]]) -> list[tuple[dict[str, Any], bool, set[str]]]:
    """Each labelled tone case with the scorer's on-brand verdict and finding kinds."""
    out = []
    for case in cases:
        voice = case.get("brand_voice", "friendly")
        brand = None
        if "brand" in case:
            brand = Brand(name="Brand", handle="Brand", voice=voice, products=("product",),
                          **case["brand"])
        ctx = _ctx(case["reply"], case.get("mention", ""), case.get("language", "en"), voice,
                   case.get("persona", "neutral"), case.get("intent", ""))
        result = assess_tone(ctx, brand)
        out.append((case, result.on_brand, {f.kind for f in result.findings}))
    return out


def _slices(cases: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Each split (in file order: tune, holdout, fresh, unseen...) by language, then all of it."""
    splits = list(dict.fromkeys(str(c.get("split", "all")) for c in cases))
    for split in splits:
        for language in ("en", "ko"):
            chosen = [c for c in cases if c.get("split") == split and c.get("language") == language]
            if chosen:
                yield f"{split} {language}", chosen
        chosen = [c for c in cases if c.get("split") == split]
        if chosen:
            yield f"{split} all", chosen


def in_domain_rows(fixtures: Path) -> list[Row]:
    rows: list[Row] = []
    path = fixtures / "empathy_cases.jsonl"
    if path.exists():
        for label, cases in _slices(_jsonl(path)):
            levels = empathy_predictions(cases)
            human = [int(c["expected_level"]) for c, _ in levels]
            ours = [level for _, level in levels]
            far = sum(abs(h - o) == 2 for h, o in zip(human, ours, strict=True))
            rows.append(("in-domain empathy", label, str(len(cases)),
                         "accuracy / quadratic kappa / 2↔0 confusions",
                         f"{fmt(accuracy(human, ours))} / {fmt(quadratic_kappa(human, ours))}"
                         f" / {far}"))
    path = fixtures / "tone_cases.jsonl"
    if path.exists():
        for label, cases in _slices(_jsonl(path)):
            verdicts = tone_predictions(cases)
            agree = sum(on == bool(c["expected_on_brand"]) for c, on, _ in verdicts) / len(verdicts)
            kinds = Counts()
            for case, _, found in verdicts:
                wanted = set(case.get("expected_kinds", ()))
                listed = found & set(TONE_KINDS)
                kinds.add(len(listed & wanted), len(listed - wanted), len(wanted - listed))
            rows.append(("in-domain tone", label, str(len(cases)),
                         "on-brand accuracy; finding kinds P / R / F1",
                         f"{fmt(agree)}; {_prf(kinds)}"))
    rows += first_run_rows(fixtures)
    return rows


def first_run_rows(fixtures: Path) -> list[Row]:
    """Each split's agreement the first time the scorer saw it (``first_runs.json``)."""
    path = fixtures / "first_runs.json"
    if not path.exists():
        return []
    history = json.loads(path.read_text(encoding="utf-8"))
    rows: list[Row] = []
    for split, r in history.get("empathy", {}).items():
        kappa = fmt(r["kappa"]) if r.get("kappa") is not None else "n/a"
        rows.append(("in-domain empathy, first run (recorded)", split, str(r["n"]),
                     "accuracy / quadratic kappa / 2↔0 confusions",
                     f"{fmt(r['accuracy'])} / {kappa} / {r['far']}"
                     + (f" ({r['note']})" if r.get("note") else "")))
    for split, r in history.get("tone", {}).items():
        rows.append(("in-domain tone, first run (recorded)", split, str(r["n"]),
                     "on-brand accuracy; kinds exactly right",
                     f"{fmt(r['on_brand'])}; {fmt(r['kinds_exact'])}"
                     + (f" ({r['note']})" if r.get("note") else "")))
    return rows


# ------------------------------------------------------------------------------------ main

SECTIONS: tuple[tuple[str, Callable[[Path, int | None], list[Row]]], ...] = (
    ("presidio_pii", privacy_rows), ("epitome_er", epitome_rows),
    ("stanford_politeness", politeness_rows), ("smilestyle_ko", smilestyle_rows),
    ("korean_hate_speech", hate_rows), ("twcs_brand_replies", twcs_rows),
)


def table(rows: list[Row]) -> str:
    lines = ["| set | slice | n | metric | value |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring evaluate",
                                     description="Run the offline scorer over human-labelled sets.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"folder of the shared eval sets (default: {DEFAULT_DATA})")
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES,
                        help="folder with empathy_cases.jsonl and tone_cases.jsonl")
    parser.add_argument("--limit", type=int, default=None,
                        help="read at most this many rows of each shared set (quick runs)")
    parser.add_argument("--labelled", type=Path, default=None,
                        help="folder of the project's labelled split files (default: "
                             "scoring/labelled)")
    parser.add_argument("--own-only", action="store_true",
                        help="only the project's own labelled set (skip the shared sets)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    from scoring.eval_labelled import report

    print("## StormDesk's labelled replies (scoring/labelled), per trap and language\n")
    print(report(args.fixtures, args.labelled))
    print()
    if args.own_only:
        print(f"\n{time.perf_counter() - started:.1f} s", file=sys.stderr)
        return 0
    rows: list[Row] = []
    if not args.data.is_dir():
        print(f"skipped: {args.data} not found")
    else:
        for name, section in SECTIONS:
            try:
                rows += section(args.data, args.limit)
            except Exception as exc:  # one broken set must not hide the others
                rows.append((name, "", "", "error", f"{type(exc).__name__}: {exc}"))
    if args.fixtures.is_dir():
        rows += in_domain_rows(args.fixtures)
    if rows:
        print("## Shared calibration sets and earlier in-domain fixtures\n")
        print(table(rows))
    print(f"\n{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Realism benchmark: a generated English mention flood against real inbound customer tweets.

The reference is the head of the TWCS corpus ("Customer Support on Twitter", Thought Vector;
inbound rows only), kept outside the repo in ``../shared/eval`` for licensing. We compare the
length distribution (two-sample Kolmogorov-Smirnov statistic), the share of texts carrying an
@handle, a URL, a question mark, an emoji or a hashtag, and the distinct-text ratio of a
1,000-mention flood. Run::

    .venv/bin/python benchmarks/realism.py [--data DIR_OR_CSV] [--n 1000] [--seed 7]
        [--source auto|session|writer]

Exit status: 0 when every figure passes (or the data is absent: "skipped"), 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import html
import random
import re
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the engine importable
    sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "eval"
TWCS_CSV = Path("twcs_customer_support") / "twcs_head5000.csv"

#: Targets (our own choice): lengths close in distribution, feature shares within 10
#: percentage points of the real corpus, and floods that do not repeat themselves.
KS_MAX = 0.15
SHARE_POINTS_MAX = 10.0
DISTINCT_MIN = 0.90

EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u2300-\u23FF\u3030\u303D]")
FEATURES: dict[str, Callable[[str], bool]] = {
    "@handle": lambda s: re.search(r"@\w+", s) is not None,
    "URL": lambda s: re.search(r"https?://\S+|\bpic\.\w+\.com/\S+", s) is not None,
    "question (?)": lambda s: "?" in s,
    "emoji": lambda s: EMOJI.search(s) is not None,
    "hashtag": lambda s: re.search(r"(?<![\w&])#\w+", s) is not None,
}


# ------------------------------------------------------------------------------ real corpus
def load_real(data: Path) -> list[str]:
    """Inbound (customer) tweet texts from the TWCS head sample, HTML entities decoded."""
    path = data if data.suffix == ".csv" else data / TWCS_CSV
    with path.open(encoding="utf-8", newline="") as fh:
        return [html.unescape(row["text"]) for row in csv.DictReader(fh)
                if row.get("inbound") == "True" and row.get("text")]


# ------------------------------------------------------------------------ generated floods
@dataclass(frozen=True)
class PseudoScenario:
    """A brand and its mention mix, for the writer fallback (mirrors the shipped drills)."""

    handle: str
    name: str
    products: tuple[str, ...]
    misspellings: tuple[str, ...]
    hashtags: tuple[str, ...]
    intents: dict[str, float]
    facts: dict[str, str]


#: Customer mix across a typical drill: mostly angry or neutral, some confused, a few of each
#: special persona (the shares the scenarios use, roughly).
PERSONA_MIX = {"angry": 0.30, "neutral": 0.24, "confused": 0.15, "privacy_oversharer": 0.08,
               "praise": 0.08, "troll": 0.07, "vip": 0.04, "journalist": 0.04}
QUOTE_SHARE = 0.04

PSEUDO_SCENARIOS = (
    PseudoScenario(
        "NimbusMobile", "Nimbus Mobile",
        ("home broadband", "Nimbus app", "mobile data", "Unlimited Plus", "fibre"),
        ("Nimbus Mobil", "Nimbus Moblie", "nimbusmobile"), ("#NimbusDown",),
        {"outage": 0.45, "billing": 0.15, "account_access": 0.1, "product_question": 0.08,
         "refund": 0.05, "security": 0.05, "praise": 0.06, "abuse": 0.06},
        {"since": "about 9am"}),
    PseudoScenario(
        "HollowayHelp", "Holloway",
        ("standing desk", "air fryer", "wireless earbuds", "gift card", "sofa"),
        ("Hollaway", "Holoway"), (),
        {"delivery": 0.4, "refund": 0.18, "billing": 0.1, "product_question": 0.12,
         "account_access": 0.05, "praise": 0.08, "abuse": 0.03, "security": 0.04},
        {}),
    PseudoScenario(
        "SkylarkAir", "Skylark Air",
        ("Skylark app", "Flex fare", "lounge pass", "seat upgrade", "checked bag"),
        ("Skylark Airlines", "Skylarke"), ("#SkylarkDelays",),
        {"delay": 0.42, "refund": 0.15, "billing": 0.06, "product_question": 0.1,
         "account_access": 0.06, "praise": 0.08, "abuse": 0.05, "outage": 0.04,
         "security": 0.04},
        {"since": "6am"}),
)


def _pick(rng: random.Random, mix: dict[str, float]) -> str:
    return rng.choices(list(mix), weights=list(mix.values()))[0]


def flood_from_writer(n: int, seed: int) -> list[str]:
    """Mentions rendered directly with MentionWriter over the pseudo-scenario mixes."""
    from engine.people import PeopleFactory
    from engine.text import MentionWriter, load_bank

    bank = load_bank("en")
    rng = random.Random(seed)
    people = PeopleFactory("en", rng, bank.bios)
    writers = []
    for sc in PSEUDO_SCENARIOS:
        writer = MentionWriter(bank, rng, people, sc.handle, sc.name, sc.products,
                               sc.hashtags, sc.misspellings)
        writer.facts = dict(sc.facts)
        writers.append((sc, writer))
    texts: list[str] = []
    handles: list[str] = []
    for i in range(n):
        sc, writer = writers[i % len(writers)]
        persona = _pick(rng, PERSONA_MIX)
        author = people.author(persona)
        if handles and rng.random() < QUOTE_SHARE:
            texts.append(writer.quote(author, rng.choice(handles), persona).text)
        else:
            texts.append(writer.mention(_pick(rng, sc.intents), persona, author).text)
        handles.append(author.handle)
    return texts


def flood_from_sessions(n: int, seed: int) -> list[str]:
    """Mentions from full TrainingSession runs of the shipped English scenarios.

    Raises ImportError or LookupError when the session engine or English scenarios are missing.
    """
    from engine.records import MentionArrived
    from engine.scenario import builtin_scenarios
    from engine.session import TrainingSession  # type: ignore[import-not-found,unused-ignore]

    scenarios = [s for s in builtin_scenarios().values() if s.language == "en"]
    if not scenarios:
        raise LookupError("no English scenarios shipped")
    texts: list[str] = []
    for run in range(50):
        for scenario in scenarios:
            session = TrainingSession(scenario, seed=seed + run)
            session.advance_to(scenario.duration_minutes)
            texts += [e.text for e in session.transcript if isinstance(e, MentionArrived)]
        if len(texts) >= n:
            break
    if len(texts) < n:
        raise LookupError(f"sessions produced only {len(texts)} mentions")
    random.Random(seed).shuffle(texts)  # a sample across every scenario and phase
    return texts[:n]


def generate_flood(n: int = 1000, seed: int = 7, source: str = "auto") -> tuple[list[str], str]:
    """A flood of ``n`` English mention texts and a line saying how it was made."""
    if source in ("auto", "session"):
        try:
            texts = flood_from_sessions(n, seed)
        except Exception as exc:  # the session engine is optional here: fall back
            if source == "session":
                raise
            reason = f"{type(exc).__name__}: {exc}"
        else:
            return texts, f"TrainingSession runs of the shipped English scenarios (seed {seed})"
        texts = flood_from_writer(n, seed)
        return texts, (f"MentionWriter fallback over {len(PSEUDO_SCENARIOS)} brand mixes "
                       f"(seed {seed}; sessions unavailable: {reason})")
    return flood_from_writer(n, seed), (f"MentionWriter over {len(PSEUDO_SCENARIOS)} brand "
                                        f"mixes (seed {seed})")


# --------------------------------------------------------------------------------- report
def share(texts: list[str], feature: Callable[[str], bool]) -> float:
    return 100.0 * sum(1 for t in texts if feature(t)) / len(texts)


def report(real: list[str], generated: list[str], how: str, source_name: str) -> bool:
    """Print every figure with PASS/FAIL; True when all pass."""
    from scipy.stats import ks_2samp

    real_len = [len(t) for t in real]
    gen_len = [len(t) for t in generated]
    ks = float(ks_2samp(real_len, gen_len).statistic)
    distinct = len(set(generated)) / len(generated)
    results: list[bool] = []

    def verdict(ok: bool) -> str:
        results.append(ok)
        return "PASS" if ok else "FAIL"

    print("StormDesk realism benchmark (English)")
    print(f"real:      {len(real):,} inbound customer tweets ({source_name})")
    print(f"generated: {len(generated):,} mentions, {how}")
    print()
    print(f"{'figure':<22}{'real':>9}{'generated':>11}{'diff':>11}  {'target':<14}result")
    print(f"{'length KS statistic':<22}{'':>9}{'':>11}{ks:>11.3f}  {'<= 0.15':<14}"
          f"{verdict(ks <= KS_MAX)}")
    for label, fn in (("median length", statistics.median), ("mean length", statistics.mean)):
        print(f"{label + ' (chars)':<22}{fn(real_len):>9.0f}{fn(gen_len):>11.0f}"
              f"{fn(gen_len) - fn(real_len):>+11.0f}  {'(info)':<14}")
    for name, feature in FEATURES.items():
        r, g = share(real, feature), share(generated, feature)
        ok = abs(g - r) <= SHARE_POINTS_MAX
        print(f"{name + ' share':<22}{r:>8.1f}%{g:>10.1f}%{g - r:>+7.1f} pts  "
              f"{'within 10 pts':<14}{verdict(ok)}")
    print(f"{'distinct-text ratio':<22}{'':>9}{distinct:>11.3f}{'':>11}  {'>= 0.90':<14}"
          f"{verdict(distinct >= DISTINCT_MIN)}")
    print()
    passed = all(results)
    print(f"overall: {'PASS' if passed else 'FAIL'} ({sum(results)}/{len(results)} figures)")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the shared eval directory, or the TWCS CSV itself")
    parser.add_argument("--n", type=int, default=1000, help="mentions in the generated flood")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--source", choices=("auto", "session", "writer"), default="auto",
                        help="where the flood comes from (auto: sessions, else the writer)")
    parser.add_argument("--show", type=int, default=0, help="print N generated samples")
    args = parser.parse_args(argv)

    csv_path = args.data if args.data.suffix == ".csv" else args.data / TWCS_CSV
    if not csv_path.is_file():
        print(f"skipped: data not found ({csv_path})")
        return 0
    real = load_real(csv_path)
    generated, how = generate_flood(args.n, args.seed, args.source)
    for text in generated[: args.show]:
        print(f"  | {text}")
    return 0 if report(real, generated, how, csv_path.name) else 1


if __name__ == "__main__":
    sys.exit(main())

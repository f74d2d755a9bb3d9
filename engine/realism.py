"""Realism measures: how far a set of synthetic customer posts is from a set of real ones.

Used by ``benchmarks/realism.py`` (against real inbound customer tweets kept outside the repo)
and by the bank grower (``engine/grow.py``: which candidate templates read most synthetic).
The stylometric features, near-duplicates, self-BLEU and skeletons are plain Python; the
classifier two-sample test needs scikit-learn, a development requirement the app never
imports (it is imported inside the functions that need it).

The classifier two-sample test: a logistic regression learns to tell the two sets apart with
5-fold cross-validation; its ROC AUC on held-out texts is 0.5 when the sets are
indistinguishable and 1.0 when every text gives itself away. Both sides go through the same
``normalise`` first (handles and links stripped, e-mail and card numbers masked as the real
corpus masks them), so neither side is recognised by what was stripped.
"""

from __future__ import annotations

import html
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: The real corpus (TWCS) replaces e-mail addresses and card numbers with these masks.
EMAIL_MASK = "__email__"
CARD_MASK = "__credit_card__"

_URL = re.compile(r"https?://\S+|\bpic\.\w+\.com/\S+|\bt\.co/\S+")
_HANDLE = re.compile(r"@\w+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_CARD = re.compile(r"\b(?:\d{4}[ -]){3}\d{4}\b")
EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u2300-\u23FF\u3030\u303D]")
CENTS = re.compile(r"[$£€]\s?\d[\d,]*\.\d\d\b")


def normalise(text: str) -> str:
    """The text both sides are compared on: HTML entities decoded, e-mails and card numbers
    masked (as the real corpus is), handles and links removed, whitespace collapsed."""
    text = html.unescape(text)
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _CARD.sub(CARD_MASK, text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    return " ".join(text.split())


def normalise_all(texts: Sequence[str]) -> list[str]:
    """``normalise`` each text, dropping those left empty (a bare "@brand")."""
    return [n for n in (normalise(t) for t in texts) if n]


# ------------------------------------------------------------------ stylometric features
_WORD = re.compile(r"[A-Za-z']+")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


def _first_letter(text: str) -> str:
    for ch in text:
        if ch.isalpha():
            return ch
    return ""


def _upper_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def _caps_word(text: str) -> bool:
    return any(len(w) >= 2 and w.isupper() and w.isalpha() for w in text.split())


#: A handful of surface features, fixed before any tuning (the issue's table plus common
#: stylometry: length, word length, sentences, commas, shouting, ellipses).
STYLE_FEATURES: dict[str, Callable[[str], float]] = {
    "length (chars)": lambda s: math.log1p(len(s)),
    "words": lambda s: math.log1p(len(s.split())),
    "mean word length": lambda s: (sum(len(w) for w in s.split()) / len(s.split())
                                   if s.split() else 0.0),
    "starts lower-case": lambda s: float(_first_letter(s).islower()),
    "ends in . ! ?": lambda s: float(s.rstrip()[-1:] in ".!?"),
    "contains !": lambda s: float("!" in s),
    "contains ?": lambda s: float("?" in s),
    "curly apostrophe": lambda s: float("\u2019" in s),
    "straight apostrophe": lambda s: float("'" in s),
    "contains a digit": lambda s: float(any(c.isdigit() for c in s)),
    "amount with cents": lambda s: float(CENTS.search(s) is not None),
    "upper-case share": _upper_share,
    "all-caps word": lambda s: float(_caps_word(s)),
    "emoji": lambda s: float(EMOJI.search(s) is not None),
    "hashtag": lambda s: float(re.search(r"(?<![\w&])#\w+", s) is not None),
    "sentences": lambda s: math.log1p(len(_SENTENCE_END.findall(s + " "))),
    "commas per word": lambda s: s.count(",") / max(1, len(s.split())),
    "ellipsis": lambda s: float("..." in s or "\u2026" in s),
    "repeated ! or ?": lambda s: float(re.search(r"[!?]{2,}", s) is not None),
    "lower-case i": lambda s: float(re.search(r"(?:^|\s)i(?:\s|'|$)", s) is not None),
}


def style_vector(text: str) -> list[float]:
    return [f(text) for f in STYLE_FEATURES.values()]


def shares(texts: Sequence[str]) -> dict[str, float]:
    """Percent of texts with each binary stylometric feature (what a reader notices)."""
    binary = ("starts lower-case", "ends in . ! ?", "contains !", "curly apostrophe",
              "contains a digit", "amount with cents", "all-caps word", "emoji", "ellipsis")
    n = max(1, len(texts))
    return {name: 100.0 * sum(STYLE_FEATURES[name](t) for t in texts) / n for name in binary}


# ------------------------------------------------------------------ classifier two-sample
@dataclass(frozen=True)
class TwoSample:
    """A classifier two-sample test: held-out ROC AUC and the features that weigh most."""

    kind: str
    auc: float
    #: (feature, weight) most indicative of the real texts, then of the synthetic ones
    top_real: tuple[tuple[str, float], ...]
    top_synthetic: tuple[tuple[str, float], ...]


def classifier_auc(real: Sequence[str], synthetic: Sequence[str], kind: str,
                   folds: int = 5, seed: int = 0, top: int = 12) -> TwoSample:
    """ROC AUC of a logistic regression telling ``synthetic`` from ``real`` (cross-validated).

    ``kind``: ``char`` (character 1-4-grams, case kept), ``word`` (word 1-2-grams) or
    ``style`` (``STYLE_FEATURES``, standardised). Texts should be ``normalise``d already.
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    texts = list(real) + list(synthetic)
    labels = np.array([0] * len(real) + [1] * len(synthetic))
    if kind == "char":
        vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 4), lowercase=False,
                                     min_df=2, sublinear_tf=True)
        model = make_pipeline(vectoriser, LogisticRegression(max_iter=3000, C=1.0))
        data: object = texts
    elif kind == "word":
        vectoriser = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), lowercase=True,
                                     min_df=2, sublinear_tf=True,
                                     token_pattern=r"(?u)\b\w+\b|[!?]")
        model = make_pipeline(vectoriser, LogisticRegression(max_iter=3000, C=1.0))
        data = texts
    elif kind == "style":
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000, C=1.0))
        data = np.array([style_vector(t) for t in texts])
    else:
        raise ValueError(f"unknown kind {kind!r} (char, word or style)")
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = cross_val_predict(model, data, labels, cv=split, method="predict_proba")[:, 1]
    auc = float(roc_auc_score(labels, scores))
    model.fit(data, labels)
    names = (list(STYLE_FEATURES) if kind == "style"
             else list(model[0].get_feature_names_out()))
    weights = model[-1].coef_[0]
    order = np.argsort(weights)
    top_real = tuple((names[i], float(weights[i])) for i in order[:top])
    top_synthetic = tuple((names[i], float(weights[i])) for i in order[::-1][:top])
    return TwoSample(kind, auc, top_real, top_synthetic)


def synthetic_scores(real: Sequence[str], synthetic: Sequence[str],
                     candidates: Sequence[str]) -> list[float]:
    """How synthetic each candidate reads (0-1): a character n-gram model trained on
    ``real`` vs ``synthetic`` (the bank grower drops the candidates that score highest)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 4), lowercase=False, min_df=2,
                        sublinear_tf=True),
        LogisticRegression(max_iter=3000))
    model.fit(list(real) + list(synthetic),
              np.array([0] * len(real) + [1] * len(synthetic)))
    return [float(p) for p in model.predict_proba(list(candidates))[:, 1]]


# ------------------------------------------------------------------ repetition
def near_duplicate_rate(texts: Sequence[str], threshold: float = 90.0) -> float:
    """Share of texts with a near-duplicate elsewhere in the set (rapidfuzz ratio > threshold,
    case-folded)."""
    import numpy as np
    from rapidfuzz import fuzz, process

    folded = [t.lower() for t in texts]
    if len(folded) < 2:
        return 0.0
    matrix = process.cdist(folded, folded, scorer=fuzz.ratio, score_cutoff=threshold + 1e-9,
                           dtype=np.uint8, workers=-1)
    np.fill_diagonal(matrix, 0)
    return float((matrix.max(axis=1) > 0).mean())


_TOKEN = re.compile(r"\w+|[^\w\s]")


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def self_bleu(texts: Sequence[str], max_n: int = 4, sample: int = 1000, seed: int = 0) -> float:
    """Mean BLEU-``max_n`` of (up to ``sample``) texts against every other text of the set as
    references (clipped counts, brevity penalty to the closest reference length, zero counts
    smoothed to 0.1 as in NLTK's method1). Lower means more varied; real tweets score ~0.3."""
    docs = [[t.lower() for t in _TOKEN.findall(text)] for text in texts]
    # per n-gram: the two highest counts in any document and the document holding the highest,
    # so "the highest count in any other document" needs no second pass
    best: list[dict[tuple[str, ...], tuple[int, int, int]]] = []
    for n in range(1, max_n + 1):
        table: dict[tuple[str, ...], tuple[int, int, int]] = {}
        for index, tokens in enumerate(docs):
            for gram, count in _ngrams(tokens, n).items():
                first, owner, second = table.get(gram, (0, -1, 0))
                if count > first:
                    table[gram] = (count, index, first)
                elif count > second:
                    table[gram] = (first, owner, count)
        best.append(table)
    lengths = sorted((len(tokens), i) for i, tokens in enumerate(docs))
    chosen = list(range(len(docs)))
    random.Random(seed).shuffle(chosen)
    total, scored = 0.0, 0
    for index in chosen[:sample]:
        tokens = docs[index]
        if not tokens:
            continue
        logs = 0.0
        for n in range(1, max_n + 1):
            grams = _ngrams(tokens, n)
            possible = max(0, len(tokens) - n + 1)
            matched = 0
            for gram, count in grams.items():
                first, owner, second = best[n - 1][gram]
                other = second if owner == index else first
                matched += min(count, other)
            precision = (matched or 0.1) / possible if possible else 0.1 / 1
            logs += math.log(precision) / max_n
        closest = min((abs(length - len(tokens)), length) for length, i in lengths
                      if i != index)[1] if len(docs) > 1 else len(tokens)
        penalty = 1.0 if len(tokens) >= closest else math.exp(1 - closest / len(tokens))
        total += penalty * math.exp(logs)
        scored += 1
    return total / scored if scored else 0.0


_NUMBER = re.compile(r"\d[\d,.:/-]*")
_CAPITALISED = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+")


def skeleton(text: str) -> str:
    """A text with numbers and names masked (capitalised words inside a sentence), lower-cased:
    two posts that differ only in slot values share a skeleton."""
    masked = _NUMBER.sub("0", text)
    masked = _CAPITALISED.sub("N", masked)
    return " ".join(masked.lower().split())


def distinct_skeleton_ratio(texts: Sequence[str]) -> float:
    return len({skeleton(t) for t in texts}) / max(1, len(texts))

"""Agreement metrics for ``scoring.evaluate``: accuracy, quadratic-weighted kappa, precision /
recall / F1 counts and span matching, in plain numpy so the scorer needs no scikit-learn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def accuracy(expected: Sequence[int], predicted: Sequence[int]) -> float:
    if not expected:
        return float("nan")
    return float(np.mean(np.asarray(expected) == np.asarray(predicted)))


def confusion(expected: Sequence[int], predicted: Sequence[int], labels: int = 3) -> np.ndarray:
    """``labels`` x ``labels`` counts; rows are the human label, columns the scorer's."""
    matrix = np.zeros((labels, labels), dtype=np.int64)
    for e, p in zip(expected, predicted, strict=True):
        matrix[int(e), int(p)] += 1
    return matrix


def quadratic_kappa(expected: Sequence[int], predicted: Sequence[int], labels: int = 3) -> float:
    """Cohen's kappa with quadratic weights (1 = perfect, 0 = chance, < 0 = worse than chance)."""
    observed = confusion(expected, predicted, labels).astype(float)
    total = observed.sum()
    if total == 0:
        return float("nan")
    i, j = np.indices((labels, labels))
    weights = (i - j) ** 2 / (labels - 1) ** 2
    chance = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / total
    denominator = (weights * chance).sum()
    if denominator == 0:
        return 1.0 if (weights * observed).sum() == 0 else float("nan")
    return float(1.0 - (weights * observed).sum() / denominator)


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives, with the derived rates."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if np.isnan(p) or np.isnan(r) or p + r == 0:
            return float("nan") if np.isnan(p) or np.isnan(r) else 0.0
        return 2 * p * r / (p + r)


def spans_match(expected: tuple[int, int], predicted: tuple[int, int]) -> bool:
    """Two spans name the same entity when their overlap covers at least half of each of them
    (so a URL span with the quotes around it still matches the URL without them)."""
    overlap = min(expected[1], predicted[1]) - max(expected[0], predicted[0])
    if overlap <= 0:
        return False
    return (overlap >= 0.5 * (expected[1] - expected[0])
            and overlap >= 0.5 * (predicted[1] - predicted[0]))


def match_spans(expected: Sequence[tuple[int, int]],
                predicted: Sequence[tuple[int, int]]) -> tuple[int, int, int, int]:
    """Greedy one-to-one matching: (true positives, false positives, false negatives, exact)."""
    used: set[int] = set()
    tp = exact = 0
    for p in predicted:
        for k, e in enumerate(expected):
            if k not in used and spans_match(e, p):
                used.add(k)
                tp += 1
                exact += int(e == p)
                break
    return tp, len(predicted) - tp, len(expected) - tp, exact


def fmt(value: float, digits: int = 3) -> str:
    """A metric for the table ("n/a" for an undefined one)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rho: Pearson's r of the average ranks (ties share a rank), no scipy needed."""
    import pandas as pd

    ra = pd.Series(list(a), dtype=float).rank().to_numpy()
    rb = pd.Series(list(b), dtype=float).rank().to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])

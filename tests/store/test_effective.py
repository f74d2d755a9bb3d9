"""Effective scores as pure functions: overrides replace auto-scores, the overall follows them
with the card's weights, and a failure never raises a score."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.effective import combine, weighted_overall

NAMES = ("speed", "empathy", "tone", "privacy")
scores = st.one_of(st.none(), st.floats(0, 100))
cards = st.dictionaries(st.sampled_from(NAMES), scores, min_size=1)
weights = st.dictionaries(st.sampled_from(NAMES), st.floats(0, 1))


@pytest.mark.parametrize(("dims", "card_weights", "expected"), [
    ({"speed": 80.0, "empathy": 40.0}, {"speed": 0.75, "empathy": 0.25}, 70.0),
    ({"speed": 80.0, "empathy": None}, {"speed": 0.5, "empathy": 0.5}, 40.0),  # failed = 0
    ({"speed": 80.0, "empathy": 40.0}, {}, 60.0),  # no weights: equal
    ({"speed": 80.0, "empathy": 40.0}, {"speed": 1.0}, 80.0),  # unweighted dimension: 0
    ({"speed": 80.0, "empathy": 40.0}, {"speed": "x", "empathy": -1, "tone": 9}, 60.0),
    ({"speed": 33.333}, {"speed": 1.0}, 33.3),  # rounded like the scorer
    ({}, {"speed": 1.0}, None),
])
def test_weighted_overall_table(dims: dict[str, float | None], card_weights: dict[str, Any],
                                expected: float | None) -> None:
    assert weighted_overall(dims, card_weights) == expected


def test_combine_without_overrides_is_the_automatic_card() -> None:
    auto = {"overall": 61.0, "speed": 80.0, "empathy": 40.0}
    got = combine(auto, {}, {"speed": 0.5, "empathy": 0.5})
    assert (got.scores, got.auto, got.overridden) == (auto, auto, frozenset())


def test_combine_overall_override_wins_over_recomputation() -> None:
    auto = {"overall": 60.0, "speed": 80.0, "empathy": 40.0}
    got = combine(auto, {"empathy": 90.0, "overall": 10.0}, {"speed": 0.5, "empathy": 0.5})
    assert got.scores == {"overall": 10.0, "speed": 80.0, "empathy": 90.0}
    assert got.overridden == {"empathy", "overall"}


@given(cards, weights)
def test_overall_lies_between_the_lowest_and_highest_dimension(
        dims: dict[str, float | None], card_weights: dict[str, float]) -> None:
    overall = weighted_overall(dims, card_weights)
    values = [v or 0.0 for v in dims.values()]
    assert overall is not None
    assert min(values) - 0.05 <= overall <= max(values) + 0.05


@given(cards, weights, st.sampled_from(NAMES), st.floats(0, 100), st.floats(0, 100))
def test_raising_an_override_never_lowers_the_overall(
        dims: dict[str, float | None], card_weights: dict[str, float], name: str,
        low: float, high: float) -> None:
    auto = {**dims, name: dims.get(name), "overall": weighted_overall(dims, card_weights)}
    low, high = sorted((low, high))
    lower = combine(auto, {name: low}, card_weights).scores["overall"]
    higher = combine(auto, {name: high}, card_weights).scores["overall"]
    assert lower is not None and higher is not None and lower <= higher


@given(cards, weights, st.sampled_from(NAMES))
def test_a_failed_dimension_never_scores_above_any_real_score(
        dims: dict[str, float | None], card_weights: dict[str, float], name: str) -> None:
    """Failing (None) counts as 0: the overall is never above the same card scored 0."""
    failed = {**dims, name: None}
    zero = {**dims, name: 0.0}
    assert weighted_overall(failed, card_weights) == weighted_overall(zero, card_weights)

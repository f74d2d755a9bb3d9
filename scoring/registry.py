"""The registry of scoring dimensions: look one up by name, or list the known ones.

A dimension is any object with a ``name`` and a pure ``score(transcript, scenario) ->
DimensionResult``; it may set ``supports_judge = True`` and accept a ``judge`` keyword to use an
LLM judge. Built-ins are imported lazily, so a broken or missing module fails only its own
dimension (the scorecard records the error) and importing the registry stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from engine.records import Event
from engine.scenario import Scenario
from scoring.records import DimensionResult

#: The dimensions a scorecard runs by default, in display order.
DIMENSIONS: tuple[str, ...] = ("speed", "empathy", "tone", "privacy")

#: Dimensions graded on what the trainee wrote: thin when little was written, and nothing to
#: grade when nothing was (see ``scoring.scorecard.settle``). A dimension class may also say so
#: itself with ``grades_replies = True``.
REPLY_DIMENSIONS: frozenset[str] = frozenset({"empathy", "tone", "privacy"})

#: name -> "module:Class" of the built-in dimensions
BUILTIN: dict[str, str] = {
    "speed": "scoring.speed:SpeedDimension",
    "empathy": "scoring.empathy:EmpathyDimension",
    "tone": "scoring.tone:ToneDimension",
    "privacy": "scoring.privacy:PrivacyDimension",
}
_REGISTERED: dict[str, Callable[..., Any]] = {}


@runtime_checkable
class Dimension(Protocol):
    name: str

    def score(self, transcript: Sequence[Event], scenario: Scenario) -> DimensionResult: ...


class UnknownDimensionError(ValueError):
    """Raised for a name no dimension is registered under (lists the known names)."""


def register_dimension(name: str, factory: Callable[..., Any]) -> None:
    """Add (or replace) a dimension: ``factory(**params)`` must return a Dimension."""
    _REGISTERED[name] = factory


def grades_replies(name: str, dimension: Any = None) -> bool:
    """Whether the dimension called ``name`` grades the trainee's replies."""
    return name in REPLY_DIMENSIONS or bool(getattr(dimension, "grades_replies", False))


def known_dimensions() -> list[str]:
    return sorted(set(BUILTIN) | set(_REGISTERED))


def get_dimension(name: str, **params: Any) -> Dimension:
    """A new instance of the dimension called ``name``.

    Raises UnknownDimensionError naming the known dimensions, or ImportError when a built-in
    dimension's module cannot be imported.
    """
    if name in _REGISTERED:
        return _REGISTERED[name](**params)
    target = BUILTIN.get(name)
    if target is None:
        raise UnknownDimensionError(
            f"{name!r} is not a known scoring dimension; known: {', '.join(known_dimensions())}")
    module_name, class_name = target.split(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name)(**params)

"""The safe formatter: ``{slot}`` templates filled from named slots only, never ``str.format``.

Scenario and bank texts are written by people outside the code, so a template may only hold
``{name}`` placeholders (a Python identifier) and ``{{``/``}}`` for literal braces. Anything
``str.format`` would also understand is an error naming the slot and its position: positional
fields (``{}``, ``{0}``), attribute and index access (``{brand.__class__}``, ``{brand[0]}``),
conversions (``{brand!r}``) and format specs (``{brand:>2000000000}``), as is a stray brace.

- ``check(template, known)`` lists every problem (for ``validate`` and the loaders);
- ``render(template, values)`` fills a template from a mapping (a ``__missing__`` that fills
  slots lazily works) or a ``name -> value`` callable, and raises ``TemplateError`` on any
  problem. A template is parsed once and remembered; after that a render costs what
  ``str.format_map`` costs, because a checked template only holds fields ``format_map`` reads
  as a plain key lookup.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

#: ``{{``, ``}}``, a field without braces inside it, or a brace on its own (a stray one).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Checked templates kept (bank templates, scenario injects, live injects): a bound, so texts
#: made up at run time cannot grow it without limit.
_CACHE_SIZE = 8192


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """One problem in a template: where (1-based character of the brace), which slot, what."""

    position: int
    slot: str
    message: str

    def __str__(self) -> str:
        return f"character {self.position}: {self.message}"


class TemplateError(ValueError):
    """A template that cannot be rendered; ``problems`` holds every problem found."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _field_problem(field: str, known: Collection[str] | None) -> str | None:
    """Why ``{field}`` is not allowed (None when it is a slot name, known if ``known`` given)."""
    shown = "{" + (field if len(field) <= 40 else field[:40] + "...") + "}"
    if not field.strip():
        return f"{shown}: a slot needs a name, e.g. {{brand}}"
    if field.strip().isdigit():
        return f"{shown}: positional slots are not allowed; use a slot name, e.g. {{brand}}"
    if "!" in field:
        return f"{shown}: conversions (!r, !s, !a) are not allowed"
    if ":" in field:
        return f"{shown}: format specs (after ':') are not allowed"
    if "." in field or "[" in field:
        return f"{shown}: attribute and index access are not allowed; use a slot name only"
    if not _NAME.fullmatch(field):
        return f"{shown}: not a slot name (letters, digits and _ only)"
    if known is not None and field not in known:
        close = difflib.get_close_matches(field, list(known), n=1, cutoff=0.7)
        hint = f"did you mean {{{close[0]}}}? " if close else ""
        return f"unknown slot {shown} ({hint}known: {', '.join(sorted(known))})"
    return None


def _scan(template: str, known: Collection[str] | None) -> tuple[list[tuple[str, int]],
                                                                  list[TemplateProblem]]:
    """The slot names with their positions, and the problems, in order of position."""
    slots: list[tuple[str, int]] = []
    problems: list[TemplateProblem] = []
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        position = match.start() + 1
        if token in ("{{", "}}"):
            continue
        field = match.group(1)
        if field is None:
            hint = "use {{ for a literal {" if token == "{" else "use }} for a literal }"
            problems.append(TemplateProblem(position, "", f"stray '{token}' ({hint})"))
            continue
        problem = _field_problem(field, known)
        if problem is None:
            slots.append((field, position))
        else:
            problems.append(TemplateProblem(position, field, problem))
    return slots, problems


def check(template: str, known: Collection[str] | None = None) -> list[TemplateProblem]:
    """Every problem of ``template`` (none: it renders); names must be in ``known`` if given."""
    if "{" not in template and "}" not in template:
        return []
    return _scan(template, known)[1]


def slot_names(template: str) -> list[str]:
    """The slot names a valid template uses, in order (``TemplateError`` if it is not valid)."""
    return [name for name, _ in _checked(template)]


#: template -> its slots and their positions (only templates without a problem are kept)
_CHECKED: dict[str, tuple[tuple[str, int], ...]] = {}


def _checked(template: str) -> tuple[tuple[str, int], ...]:
    slots = _CHECKED.get(template)
    if slots is None:
        found, problems = _scan(template, None)
        if problems:
            raise TemplateError(problems)
        if len(_CHECKED) >= _CACHE_SIZE:
            _CHECKED.clear()
        slots = _CHECKED[template] = tuple(found)
    return slots


class _Lookup(dict[str, Any]):
    """A mapping over a ``name -> value`` callable (each slot asked once per render)."""

    __slots__ = ("lookup",)

    def __init__(self, lookup: Callable[[str], Any]) -> None:
        super().__init__()
        self.lookup = lookup

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.lookup(key)
        return value


def render(template: str, values: Mapping[str, Any] | Callable[[str], Any]) -> str:
    """``template`` with each ``{slot}`` replaced by ``values[slot]`` (or ``values(slot)``).

    Raises ``TemplateError`` naming the slot and its position for a template problem or a slot
    ``values`` does not know (a ``KeyError`` from the mapping or the callable).
    """
    slots = _CHECKED.get(template)
    if slots is None:
        slots = _checked(template)
    # dict first: the engine passes a dict subclass, and the ABC check costs more than a render
    mapping = values if isinstance(values, (dict, Mapping)) else _Lookup(values)
    try:
        return template.format_map(mapping)
    except KeyError as exc:
        name = _missing_slot(slots, mapping, exc)
        position = next((p for n, p in slots if n == name), 1)
        raise TemplateError([TemplateProblem(position, name, f"unknown slot {{{name}}}")]) \
            from None


def _missing_slot(slots: tuple[tuple[str, int], ...], mapping: Mapping[str, Any],
                  exc: KeyError) -> str:
    """The slot whose lookup failed (the KeyError's key, or the first one that fails again)."""
    key = exc.args[0] if exc.args else ""
    names = [n for n, _ in slots]
    if key in names:
        return str(key)
    for name in names:
        try:
            mapping[name]
        except KeyError:
            return name
    return names[0]

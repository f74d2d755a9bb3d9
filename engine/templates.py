"""Template variants: ``[a|b|c]`` choices inside bank templates, compiled once, drawn per post.

A bank template may offer wordings to choose from, so one template reads many ways:
``{brand} my {product} [stopped working|died on me|keeps dropping out] [again|]`` (an empty
option makes a part optional). Choices nest (``[the [app|site]|your checkout]``). The choice
syntax is the bank's own: it is expanded first, then the ``{slot}`` formatter fills the slots,
so a template's slots are checked exactly as the formatter checks any other text.

``compile_template`` parses a template once (errors name the character); a compiled template
is a tuple of plain text and ``Choice`` parts, and ``expand`` draws one wording from it with the
stream it is given. ``wordings`` counts how many wordings a template has (tests, the grower).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from engine.threads import Stream


class VariantError(ValueError):
    """A template whose ``[...|...]`` choices do not parse (unbalanced brackets, a stray ``|``)."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One ``[...]`` group: its options, each a compiled sequence of parts."""

    options: tuple[Compiled, ...]


Part = str | Choice
Compiled = tuple[Part, ...]


def _parse(template: str, start: int, depth: int) -> tuple[list[list[Part]], int]:
    """Options of the group starting at ``start`` (the whole template when depth is 0), and
    the index after the group's closing bracket."""
    options: list[list[Part]] = [[]]
    text: list[str] = []
    i = start

    def flush() -> None:
        if text:
            options[-1].append("".join(text))
            text.clear()

    while i < len(template):
        ch = template[i]
        if ch == "[":
            flush()
            inner, i = _parse(template, i + 1, depth + 1)
            options[-1].append(Choice(tuple(tuple(o) for o in inner)))
            continue
        if ch == "]":
            if depth == 0:
                raise VariantError(f"character {i + 1}: ']' without a matching '['")
            flush()
            return options, i + 1
        if ch == "|":
            if depth == 0:
                raise VariantError(f"character {i + 1}: '|' outside a [choice|group]")
            flush()
            options.append([])
            i += 1
            continue
        text.append(ch)
        i += 1
    if depth > 0:
        raise VariantError(f"character {start}: '[' without a matching ']'")
    flush()
    return options, i


@lru_cache(maxsize=16384)
def compile_template(template: str) -> Compiled:
    """The template's parts (``VariantError`` naming the character if it does not parse)."""
    if "[" not in template and "]" not in template and "|" not in template:
        return (template,)
    options, _ = _parse(template, 0, 0)
    return tuple(options[0])


def expand(compiled: Compiled, rng: Stream) -> str:
    """One wording of a compiled template, its choices drawn from ``rng`` (uniformly)."""
    if len(compiled) == 1 and isinstance(compiled[0], str):
        return compiled[0]
    return tidy("".join(expand_parts(compiled, rng)))


def expand_parts(compiled: Compiled, rng: Stream) -> list[str]:
    """One wording as the bank's own text pieces, in order (join them, then ``tidy``).

    A ``{slot}`` never spans two pieces (choices cannot sit inside braces), so a caller can
    fill each piece on its own: the pieces are the bank's fixed strings, which the slot
    formatter has seen before, where a joined wording is new text every time.
    """
    if len(compiled) == 1 and isinstance(compiled[0], str):
        return [compiled[0]]
    out: list[str] = []
    _expand_into(compiled, rng, out)
    return out


def tidy(text: str) -> str:
    """An empty option leaves a double space or a space before a comma or full stop."""
    if "  " in text or " ," in text or " ." in text or text[:1] == " " or text[-1:] == " ":
        return _tidy(text)
    return text


def _expand_into(compiled: Compiled, rng: Stream, out: list[str]) -> None:
    for part in compiled:
        if isinstance(part, str):
            out.append(part)
        else:
            options = part.options
            _expand_into(options[int(rng.random() * len(options))], rng, out)


def _tidy(text: str) -> str:
    text = " ".join(text.split(" "))
    while "  " in text:
        text = text.replace("  ", " ")
    for mark in (",", "."):
        text = text.replace(" " + mark, mark)
    return text.strip()


def wordings(compiled: Compiled) -> int:
    """How many wordings the template has (choices multiply)."""
    total = 1
    for part in compiled:
        if isinstance(part, Choice):
            total *= sum(wordings(option) for option in part.options)
    return total


def all_wordings(compiled: Compiled, limit: int = 64) -> Iterator[str]:
    """Up to ``limit`` wordings of the template (the loader checks each one's slots)."""
    for produced, text in enumerate(_all(compiled), 1):
        yield _tidy(text) if ("  " in text or " ," in text) else text
        if produced >= limit:
            return


def _all(compiled: Compiled) -> Iterator[str]:
    if not compiled:
        yield ""
        return
    head, rest = compiled[0], compiled[1:]
    heads = [head] if isinstance(head, str) else [w for o in head.options for w in _all(o)]
    for first in heads:
        for tail in _all(rest):
            yield first + tail

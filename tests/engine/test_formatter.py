"""The safe formatter: what a template may hold, the errors it gives, and that it renders as
``str.format_map`` does on every template it accepts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.formatter import TemplateError, check, render, slot_names

KNOWN = ("brand", "brand_name", "order", "name", "minutes")


class _Lazy(dict[str, Any]):
    """A mapping that fills slots on demand, as the engine's writer does."""

    def __missing__(self, key: str) -> str:
        if key not in KNOWN:
            raise KeyError(key)
        value = self[key] = key.upper()
        return value


HOSTILE: list[tuple[str, int, str]] = [
    ("{wizard}", 1, "unknown slot {wizard}"),
    ("Hi {brnad}!", 4, "did you mean {brand}?"),
    ("{", 1, "stray '{'"),
    ("}", 1, "stray '}'"),
    ("done } now", 6, "stray '}'"),
    ("{0}", 1, "positional slots are not allowed"),
    ("{}", 1, "a slot needs a name"),
    ("{brand[5000]}", 1, "attribute and index access are not allowed"),
    ("{brand.__class__.__mro__}", 1, "attribute and index access are not allowed"),
    ("ok {brand:>2000000000}", 4, "format specs (after ':') are not allowed"),
    ("{brand!r}", 1, "conversions (!r, !s, !a) are not allowed"),
    ("{ brand}", 1, "not a slot name"),
    ("{brand-name}", 1, "not a slot name"),
    ("{a{b}}", 1, "stray '{'"),
]


@pytest.mark.parametrize(("template", "position", "message"), HOSTILE,
                         ids=[t for t, _, _ in HOSTILE])
def test_check_hostile_template_names_slot_and_position(template: str, position: int,
                                                        message: str) -> None:
    problems = check(template, KNOWN)
    assert problems, template
    assert problems[0].position == position
    assert message in problems[0].message
    assert str(problems[0]).startswith(f"character {position}: ")


@pytest.mark.parametrize(("template", "position", "message"), HOSTILE,
                         ids=[t for t, _, _ in HOSTILE])
def test_render_hostile_template_raises_template_error_only(template: str, position: int,
                                                            message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render(template, _Lazy())
    assert caught.value.problems[0].position == position


def test_check_reports_every_problem_in_order() -> None:
    problems = check("{0} and {brand} and {x.y} and }", KNOWN)
    assert [p.position for p in problems] == [1, 21, 31]
    assert [p.slot for p in problems] == ["0", "x.y", ""]


def test_check_unknown_slot_lists_the_known_names() -> None:
    (problem,) = check("{wizard}", KNOWN)
    assert "known: brand, brand_name, minutes, name, order" in problem.message
    assert problem.slot == "wizard"


def test_check_without_known_accepts_any_slot_name() -> None:
    assert check("{anything} {else_1}") == []


@pytest.mark.parametrize(("template", "expected"), [
    ("plain text", "plain text"),
    ("{brand} is down", "BRAND is down"),
    ("{{literal}} {name}", "{literal} NAME"),
    ("{{{brand}}}", "{BRAND}"),
    ("}}{{", "}{"),
    ("{order}{order}", "ORDERORDER"),
    ("", ""),
])
def test_render_valid_template_fills_slots_and_literal_braces(template: str,
                                                              expected: str) -> None:
    assert render(template, _Lazy()) == expected
    assert check(template, KNOWN) == []


def test_render_accepts_a_callable_lookup_asked_once_per_slot() -> None:
    asked: list[str] = []

    def lookup(name: str) -> str:
        asked.append(name)
        return name * 2

    assert render("{a} {b} {a}", lookup) == "aa bb aa"
    assert asked == ["a", "b"]


def test_render_slot_unknown_to_the_lookup_names_it_and_its_position() -> None:
    with pytest.raises(TemplateError) as caught:
        render("Hello {brand}, {wizard}", {"brand": "@x"})
    (problem,) = caught.value.problems
    assert (problem.slot, problem.position) == ("wizard", 16)
    assert "unknown slot {wizard}" in str(caught.value)


def test_render_lazy_mapping_raising_its_own_message_still_names_the_slot() -> None:
    class Slots(dict[str, str]):
        def __missing__(self, key: str) -> str:
            raise KeyError(f"unknown slot {{{key}}}")

    with pytest.raises(TemplateError, match=r"character 1: unknown slot \{nope\}"):
        render("{nope}", Slots())


def test_render_large_format_spec_never_allocates() -> None:
    with pytest.raises(TemplateError):
        render("{brand:>2000000000}", {"brand": "x"})


def test_slot_names_in_order_with_repeats() -> None:
    assert slot_names("{b} {a} {b} {{c}}") == ["b", "a", "b"]


# --- properties --------------------------------------------------------------------------------

_LITERAL = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="{}"), max_size=12)
_PIECE = st.one_of(_LITERAL, st.sampled_from(["{{", "}}"]),
                   st.sampled_from(KNOWN).map(lambda name: "{" + name + "}"))


@given(st.lists(_PIECE, max_size=12).map("".join))
def test_render_valid_template_equals_format_map(template: str) -> None:
    assert check(template, KNOWN) == []
    assert render(template, _Lazy()) == template.format_map(_Lazy())


@given(st.text(alphabet=st.sampled_from([*"{}[]().!:0abf _"]),
               max_size=30))
def test_render_any_text_renders_as_format_map_or_raises_template_error(template: str) -> None:
    """Brace soup: either the formatter accepts it and agrees with format_map on a lookup that
    knows every name, or it raises TemplateError, never anything else."""

    class Everything(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return f"<{key}>"

    problems = check(template)
    try:
        rendered = render(template, Everything())
    except TemplateError as exc:
        assert problems and exc.problems == problems
        return
    assert not problems
    assert rendered == template.format_map(Everything())
    assert all(f"<{name}>" in rendered for name in slot_names(template))


@given(st.text(max_size=200))
def test_check_any_text_never_raises_and_positions_are_inside(template: str) -> None:
    for problem in check(template, KNOWN):
        assert 1 <= problem.position <= len(template)
        assert template[problem.position - 1] == "{" or template[problem.position - 1] == "}"

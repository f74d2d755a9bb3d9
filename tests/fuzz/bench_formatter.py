"""The safe formatter's cost against ``str.format_map``: python -m tests.fuzz.bench_formatter

Templates are every shipped scenario's inject texts (real slot mixes, 40-280 characters),
rendered with a mapping that fills slots lazily the way the engine's writer does. "warm" is
the steady state (the template checked before); "cold" is a template never seen before (a
live inject), i.e. the check plus the render.
"""

from __future__ import annotations

import statistics
import timeit
from typing import Any

from engine.formatter import _CHECKED, check, render
from engine.scenario import builtin_scenarios, known_slots


class _Lazy(dict[str, Any]):
    __slots__ = ()

    def __missing__(self, key: str) -> str:
        value = self[key] = "value"
        return value


def main() -> None:
    templates = [i.text for s in builtin_scenarios().values() for i in s.injects]
    known = known_slots()
    assert all(not check(t, known) for t in templates)

    def baseline() -> None:
        for t in templates:
            t.format_map(_Lazy())

    def warm() -> None:
        for t in templates:
            render(t, _Lazy())

    def cold() -> None:
        for t in templates:
            _CHECKED.pop(t, None)
            render(t, _Lazy())

    def validate() -> None:
        for t in templates:
            check(t, known)

    n = len(templates)
    print(f"{n} templates, mean {statistics.mean(len(t) for t in templates):.0f} characters")
    results = {}
    for name, fn in (("str.format_map", baseline), ("render (warm)", warm),
                     ("render (cold: check + render)", cold), ("check (validate)", validate)):
        best = min(timeit.repeat(fn, number=200, repeat=7)) / (200 * n)
        results[name] = best
        print(f"  {name:<30} {best * 1e9:8.0f} ns per template")
    base = results["str.format_map"]
    print(f"  warm render / format_map        {results['render (warm)'] / base:8.2f}x")
    print(f"  renders per second (warm)       {1 / results['render (warm)']:8,.0f}")


if __name__ == "__main__":
    main()

"""The scenario catalogue: the drills a trainee can start, and what could not be loaded.

A broken file is reported with its problems (file, line, field) and skipped; it never stops
the rest of the catalogue from loading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.scenario import Scenario, ScenarioError, builtin_paths, load_scenario


@dataclass(frozen=True)
class Catalogue:
    """Scenarios by id, and one line per problem of the files that were skipped."""

    scenarios: dict[str, Scenario]
    problems: list[str] = field(default_factory=list)

    def get(self, scenario_id: str) -> Scenario | None:
        return self.scenarios.get(scenario_id)

    def ids(self) -> list[str]:
        """Ids in display order: English first, then Korean, each by id."""
        return sorted(self.scenarios, key=lambda i: (self.scenarios[i].language, i))


def load_catalogue(paths: Iterable[Path] | None = None) -> Catalogue:
    """The built-in scenarios (or ``paths``); broken files are reported, not fatal."""
    scenarios: dict[str, Scenario] = {}
    problems: list[str] = []
    for path in (builtin_paths() if paths is None else paths):
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        if scenario.id in scenarios:
            problems.append(f"{Path(path).name}: id: {scenario.id!r} is used by another "
                            "scenario file; this one is skipped")
            continue
        scenarios[scenario.id] = scenario
    return Catalogue(scenarios, problems)

"""The scenario catalogue: the drills a trainee can start, and what could not be loaded.

A broken file is reported with its problems (file, line, field) and skipped; it never stops
the rest of the catalogue from loading, and the catalogue never stalls the app: each file is
read within the loader's limits (a regular file of at most 1 MB, bounded parse; devices, pipes
and directories are refused by their kind, never read), at most ``MAX_FILES`` files are read,
and files not reached within ``MAX_SECONDS`` are skipped with a note.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.scenario import Scenario, ScenarioError, builtin_paths, load_scenario

#: Scenario files read at most (ten ship; a team adds a few dozen).
MAX_FILES = 200
#: Wall-clock budget for the whole catalogue: the start page waits no longer than this.
MAX_SECONDS = 10.0


@dataclass(frozen=True)
class Catalogue:
    """Scenarios by id, and one line per problem of the files that were skipped.

    ``lookup`` finds a drill that is not listed by id (the newest published version of a drill
    written in the editor, ``stormdesk.editor``): a stored drill of it can still be resumed and
    reviewed by someone whose list does not show it."""

    scenarios: dict[str, Scenario]
    problems: list[str] = field(default_factory=list)
    lookup: Callable[[str], Scenario | None] | None = field(default=None, compare=False)

    def get(self, scenario_id: str) -> Scenario | None:
        found = self.scenarios.get(scenario_id)
        if found is None and self.lookup is not None:
            return self.lookup(scenario_id)
        return found

    def with_scenarios(self, more: Iterable[Scenario],
                       lookup: Callable[[str], Scenario | None] | None = None) -> Catalogue:
        """This catalogue plus ``more`` (an id already listed keeps its scenario)."""
        scenarios = dict(self.scenarios)
        for scenario in more:
            scenarios.setdefault(scenario.id, scenario)
        return Catalogue(scenarios, list(self.problems), lookup or self.lookup)

    def ids(self) -> list[str]:
        """Ids in display order: English first, then Korean, each by id."""
        return sorted(self.scenarios, key=lambda i: (self.scenarios[i].language, i))


def load_catalogue(paths: Iterable[Path] | None = None, *,
                   clock: Callable[[], float] = time.monotonic) -> Catalogue:
    """The built-in scenarios (or ``paths``); broken files are reported, not fatal."""
    scenarios: dict[str, Scenario] = {}
    problems: list[str] = []
    files = list(builtin_paths() if paths is None else paths)
    if len(files) > MAX_FILES:
        problems.append(f"{len(files) - MAX_FILES} scenario files skipped: the catalogue reads "
                        f"at most {MAX_FILES}")
        files = files[:MAX_FILES]
    deadline = clock() + MAX_SECONDS
    for i, path in enumerate(files):
        if clock() > deadline:
            skipped = ", ".join(Path(p).name for p in files[i:i + 5])
            more = f" and {len(files) - i - 5} more" if len(files) - i > 5 else ""
            problems.append(f"{skipped}{more}: skipped, the catalogue took longer than "
                            f"{MAX_SECONDS:g} s to load")
            break
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

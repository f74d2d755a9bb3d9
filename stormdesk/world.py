"""The world version: content hashes of everything that shapes a drill's world and its grade.

A drill records at start the hashes of its scenario, the text banks, the scorer's lexicons and
models, the engine's and the scorer's code (and the scorer's version). Replaying a drill on a
changed world still works (recovery resumes, re-scoring re-scores), but the desk, the scorecard
and Compare say so instead of pretending two floods were the same.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from engine.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
#: Component -> the files whose bytes make its hash (globs relative to the repository root).
COMPONENT_FILES: dict[str, tuple[str, ...]] = {
    "banks": ("engine/banks/*.yaml",),
    "lexicons": ("scoring/lexicons/**/*.yaml", "scoring/models/**/*", "scoring/rewrites/*.yaml"),
    "engine": ("engine/*.py",),
    "scorer": ("scoring/*.py",),
}
#: Length of the short version string shown on the desk and stored with a drill.
SHORT = 12


@dataclass(frozen=True, slots=True)
class World:
    """What a drill was played on: ``version`` is a short hash over ``components``."""

    version: str
    components: dict[str, str]

    def differs_from(self, other: World | dict[str, str] | None) -> list[str]:
        """The components that differ from ``other`` (a World or a stored component dict)."""
        theirs = other.components if isinstance(other, World) else (other or {})
        if not theirs:
            return []
        return sorted(k for k in set(self.components) | set(theirs)
                      if self.components.get(k) != theirs.get(k))


def _hash_files(patterns: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()[:SHORT]


@cache
def code_components() -> dict[str, str]:
    """Hashes of banks, lexicons, engine and scorer (computed once per process)."""
    from scoring import SCORER_VERSION

    parts = {name: _hash_files(globs) for name, globs in COMPONENT_FILES.items()}
    parts["scorer_version"] = SCORER_VERSION
    return parts


def world_of(scenario: Scenario) -> World:
    """The world a drill of ``scenario`` is played on now."""
    components = {"scenario": scenario.content_hash, **code_components()}
    blob = json.dumps(components, sort_keys=True).encode()
    return World(hashlib.sha256(blob).hexdigest()[:SHORT], components)

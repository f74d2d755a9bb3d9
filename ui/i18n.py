"""UI strings in English and Korean, kept as data: one YAML table per area in ``ui/strings/``.

Each table maps a key to its ``en`` and ``ko`` text; the tables are merged at import and a key
defined in two tables is an error (each area owns its keys). ``t(key, language)`` formats one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

STRINGS_DIR = Path(__file__).resolve().parent / "strings"
LANGUAGES = ("en", "ko")


@cache
def strings() -> dict[str, dict[str, str]]:
    """Every table of ``ui/strings/*.yaml`` merged (a duplicate key raises ``ValueError``)."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(STRINGS_DIR.glob("*.yaml")):
        table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, entry in table.items():
            if key in merged:
                raise ValueError(f"{path.name}: {key}: already defined in another table")
            merged[str(key)] = {str(k): str(v) for k, v in entry.items()}
    return merged


def t(key: str, language: str = "en", **values: object) -> str:
    """The UI string ``key`` in ``language`` (English when missing)."""
    entry = strings()[key]
    text = entry.get(language) or entry["en"]
    return text.format(**values) if values else text

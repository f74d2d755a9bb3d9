"""UI strings in English and Korean, kept as data: one YAML table per area in ``ui/strings/``.

Each table maps a key to its ``en`` and ``ko`` text; the tables are merged at import and a key
defined in two tables is an error (each area owns its keys). ``t(key, language)`` formats one
and, in Korean, resolves particles written both ways (``{what}을(를)`` -> ``성함을``).
``label(kind, value, language)`` names a domain value (a filter, a sort, a priority, a
persona...) in the interface's language, falling back to the value itself. ``browser_language``
reads the browser's language (``st.context.locale``) for the "auto" choice.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from stormdesk.exports import particles

STRINGS_DIR = Path(__file__).resolve().parent / "strings"
LANGUAGES = ("en", "ko")
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def strings() -> dict[str, dict[str, str]]:
    """Every table of ``ui/strings/*.yaml`` merged (a duplicate key raises ``ValueError``)."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(STRINGS_DIR.glob("*.yaml")):
        # libyaml's safe loader when PyYAML has it (these are the repo's own files): the
        # pure-Python one took 0.56 s of the first page's run for these tables, libyaml 0.04 s.
        table = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or {}
        for key, entry in table.items():
            if key in merged:
                raise ValueError(f"{path.name}: {key}: already defined in another table")
            merged[str(key)] = {str(k): str(v) for k, v in entry.items()}
    return merged


def t(key: str, language: str = "en", **values: object) -> str:
    """The UI string ``key`` in ``language`` (English when missing)."""
    entry = strings()[key]
    text = entry.get(language) or entry["en"]
    if values:
        text = text.format(**values)
    return particles(text) if language == "ko" else text


def has(key: str) -> bool:
    return key in strings()


def label(kind: str, value: str, language: str = "en") -> str:
    """A domain value named for people: ``label("priority", "urgent", "ko")`` is "긴급".
    Looked up as ``<kind>_<value>`` (spaces as underscores); unknown values show as they are."""
    key = f"{kind}_{value.replace(' ', '_')}"
    return t(key, language) if key in strings() else value


def browser_language(locale: str | None) -> str | None:
    """"ko" or "en" for a browser locale such as "ko-KR" or "en-GB"; None when unknown."""
    if not locale:
        return None
    return "ko" if locale.lower().startswith("ko") else "en"

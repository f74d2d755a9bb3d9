"""Speed and status-update wording per language (``scoring/lexicons/<language>/speed.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"


@lru_cache(maxsize=4)
def wording(language: str) -> dict[str, Any]:
    path = LEXICON_DIR / (language if language in ("en", "ko") else "en") / "speed.yaml"
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def message(language: str, key: str, **values: Any) -> tuple[str, str]:
    """(explanation, suggestion) of finding ``key`` with its slots filled."""
    entry = wording(language)["messages"][key]
    return entry["explanation"].format(**values), entry["suggestion"].format(**values)


def reason(language: str, key: str, **values: Any) -> str:
    """Why a thread is high-risk, in the drill's language ("journalist", "기자")."""
    return str(wording(language)["reasons"][key]).format(**values)


def priority(language: str, name: str) -> str:
    return str(wording(language)["priorities"].get(name, name))


def plural(language: str, key: str, count: int) -> str:
    forms = wording(language)["plural"][key]
    return str(forms[0] if count == 1 else forms[1])


def missing(language: str, key: str, **values: Any) -> str:
    return str(wording(language)["missing"][key]).format(**values)


def joiner(language: str) -> str:
    return str(wording(language)["missing"]["joiner"])

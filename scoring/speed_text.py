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


def panel(language: str, facts: dict[str, str] | None, clock: str) -> str:
    """The incident panel as the desk showed it at ``clock``, quoted in a finding: what is down,
    who is affected (when the facts say), the cause (or that it is not known), the ETA (or none)
    and compensation (or none)."""
    table = wording(language)["panel"]
    if not facts:
        return str(table["empty"]).format(clock=clock)
    parts = []
    if facts.get("down"):
        parts.append(str(table["down"]).format(value=facts["down"]))
    if (facts.get("affected") or "").strip():
        parts.append(str(table["affected"]).format(value=facts["affected"].strip()))
    cause = (facts.get("cause") or "").strip() or str(table["cause_unknown"])
    parts.append(str(table["cause"]).format(value=cause))
    eta = (facts.get("eta") or "").strip()
    parts.append(str(table["eta"]).format(value=eta) if eta else str(table["eta_none"]))
    compensation = (facts.get("compensation") or "").strip()
    parts.append(str(table["compensation"]).format(value=compensation) if compensation
                 else str(table["compensation_none"]))
    return str(table["at"]).format(clock=clock, facts=str(table["joiner"]).join(parts))


def cause_label(language: str, facts: dict[str, str] | None) -> str:
    """The panel's cause, or "not known yet" in the drill's language."""
    cause = ((facts or {}).get("cause") or "").strip()
    return cause or str(wording(language)["panel"]["cause_unknown"])


def grading(language: str, key: str, **values: Any) -> tuple[str, str]:
    """(explanation, suggestion) of a scorecard-level finding (thin evidence, no replies,
    failed dimension)."""
    entry = wording(language)["grading"][key]
    return entry["explanation"].format(**values), entry["suggestion"].format(**values)


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"

"""The room pages' strings: every key the room views use exists, in English and in Korean, with
the same placeholders, and the room table keeps to its own ``room_`` keys."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TABLE = yaml.safe_load((ROOT / "ui" / "strings" / "room.yaml").read_text(encoding="utf-8"))
VIEWS = sorted((ROOT / "ui" / "views").glob("room_*.py"))
#: t("room_...") with a literal key (dynamic keys are checked below with their suffixes)
USED = re.compile(r"""\bt\(\s*["'](room_[a-z0-9_]+)["']""")
DYNAMIC = {"room_duty_": ("none", "status", "dms"), "room_mode_": ("practice", "assessment"),
           "room_fact_": ("down", "since", "affected", "cause", "eta", "status_page",
                          "compensation"),
           "room_channel_": ("public", "dm"), "room_sla_": ("ok", "at_risk", "breached"),
           "room_": ("like", "like_done", "hide", "hide_done", "escalate", "escalate_done",
                     "resolve", "resolve_done")}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TABLE))
def test_room_string_has_both_languages_same_placeholders(key: str) -> None:
    entry = TABLE[key]
    assert key.startswith("room_")
    assert set(entry) == {"en", "ko"} and all(entry[lang].strip() for lang in ("en", "ko"))
    assert _fields(entry["en"]) == _fields(entry["ko"])


@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
def test_room_view_uses_only_defined_strings(view: Path) -> None:
    used = set(USED.findall(view.read_text(encoding="utf-8")))
    missing = {k for k in used - set(TABLE) if k not in DYNAMIC}
    assert not missing


@pytest.mark.parametrize("prefix, suffixes", sorted(DYNAMIC.items()))
def test_room_dynamic_keys_defined(prefix: str, suffixes: tuple[str, ...]) -> None:
    assert [prefix + s for s in suffixes if prefix + s not in TABLE] == []

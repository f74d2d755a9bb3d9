"""The UI's words: every table has every key in both languages (walked both ways), every key the
code asks for exists, Korean particles follow the word before them, and domain values are
named in Korean."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from reports.korean import final_sound, particles
from stormdesk.inbox import FILTERS, SORTS
from ui.i18n import LANGUAGES, STRINGS_DIR, label, strings, t

ROOT = Path(__file__).resolve().parents[2]
TABLES = sorted(STRINGS_DIR.glob("*.yaml"))
HANGUL = re.compile("[\uac00-\ud7a3]")


def _slots(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("path", TABLES, ids=[p.name for p in TABLES])
def test_i18n_every_key_has_both_languages_and_the_same_slots(path: Path) -> None:
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, entry in table.items():
        assert set(entry) == set(LANGUAGES), f"{path.name}: {key}: {sorted(entry)}"
        en, ko = str(entry["en"]), str(entry["ko"])
        assert en.strip() and ko.strip(), f"{path.name}: {key} is empty"
        assert _slots(en) == _slots(ko), f"{path.name}: {key}: slots differ"


def test_i18n_korean_side_is_korean_where_english_is_words() -> None:
    """Both ways: no Korean entry is an English sentence left untranslated."""
    left = []
    for key, entry in strings().items():
        en, ko = entry["en"], entry["ko"]
        words = re.findall(r"[A-Za-z]{4,}", re.sub(r"\{[a-z_]+\}", "", en))
        if len(words) >= 2 and not HANGUL.search(ko):
            left.append(key)
    assert left == []


def _keys_in_code() -> set[str]:
    used: set[str] = set()
    for path in [*ROOT.joinpath("ui").rglob("*.py"), ROOT / "streamlit_app.py"]:
        source = path.read_text(encoding="utf-8")
        used.update(re.findall(r"\bt\(\s*[\"']([a-z0-9_]+)[\"']", source))
    return {k for k in used if not k.endswith("_")}  # "dim_" + name: checked per value


def test_i18n_every_key_the_code_asks_for_exists() -> None:
    """The other way round: a t("key") in the code with no table entry would raise at run
    time in front of a trainee."""
    assert sorted(_keys_in_code() - set(strings())) == []


@pytest.mark.parametrize(("kind", "values"), [
    ("filter", FILTERS), ("sort", SORTS), ("priority", ("urgent", "high", "normal", "low")),
    ("dim", ("overall", "speed", "empathy", "tone", "privacy")),
    ("severity", ("critical", "major", "minor")),
    ("persona", ("angry", "confused", "troll", "praise", "vip", "journalist",
                 "privacy_oversharer", "neutral")),
    ("intent", ("outage", "billing", "delivery", "delay", "refund", "account_access",
                "product_question", "praise", "abuse", "security")),
    ("reason", ("never answered", "answered fast", "waited long", "felt heard", "dismissed",
                "asked for personal data in public", "asked for a password", "had to chase")),
    ("role", ("trainee", "manager", "admin")),
])
def test_i18n_domain_values_are_named_in_korean(kind: str, values: tuple[str, ...]) -> None:
    for value in values:
        named = label(kind, value, "ko")
        assert HANGUL.search(named) or named == "VIP", (kind, value, named)


def test_i18n_label_of_an_unknown_value_shows_the_value() -> None:
    assert label("kind", "brand_new_kind", "ko") == "brand_new_kind"


@pytest.mark.parametrize(("text", "expected"), [
    ("성함을(를) 요청", "성함을 요청"),
    ("주소을(를)", "주소를"),
    ("전화번호은(는)", "전화번호는"),
    ("계좌번호이(가)", "계좌번호가"),
    ("“빵”이(가)", "“빵”이"),
    ("서울(으)로", "서울로"),
    ("집(으)로", "집으로"),
    ("물(으)로", "물로"),
    ("DM(으)로", "DM으로"),
    ("SMS을(를)", "SMS를"),
    ("010이(가)", "010이"),
    ("3시간과(와)", "3시간과"),
    ("카드와(과)", "카드와"),
    ("no particles here", "no particles here"),
])
def test_particles_follow_the_final_consonant(text: str, expected: str) -> None:
    assert particles(text) == expected


def test_particles_in_korean_ui_strings() -> None:
    assert t("signed", "ko", tag="^DR") == "보낼 때 이니셜 ^DR이 자동으로 붙습니다."
    assert t("signed", "ko", tag="^JA") == "보낼 때 이니셜 ^JA가 자동으로 붙습니다."
    assert "(" not in t("done_resolve", "ko", handle="@mina")


def test_final_sound_of_hangul_digits_and_letters() -> None:
    assert final_sound("함") == (True, False)
    assert final_sound("물") == (True, True)
    assert final_sound("소") == (False, False)
    assert final_sound("7") == (True, True) and final_sound("2") == (False, False)
    assert final_sound("M") == (True, False) and final_sound("A") == (False, False)
    assert final_sound("!") is None

"""StormDesk's own labelled replies: the hand-written sources under ``scoring/labelled/source``,
their deterministic train/dev/test split (one JSON-lines file per split) and the loaders.

Sources (YAML, written for this project): ``en.yaml`` / ``ko.yaml`` hold scenes (one customer
post with its persona, intent, brand voice, channel and posted personal data) and the replies to
it, each with a trap category and the labels a QA lead gave it (empathy 0-2, on-brand, privacy
violation kinds, moves to DM); ``brand_en.yaml`` / ``brand_ko.yaml`` hold ordinary brand-care
replies labelled only for "request DM" (none of them is a privacy violation);
``fresh_en.yaml`` / ``fresh_ko.yaml`` hold replies written after tuning, in new scenes, kept in
their own split ``fresh`` whatever their hash.

A case's split is a function of its id alone (``split_of``), so adding replies never moves old
ones between splits. Rebuild the split files with ``python -m scoring.labelled_set``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

LABELLED_DIR = Path(__file__).resolve().parent / "labelled"
SOURCE_DIR = LABELLED_DIR / "source"
SPLITS = ("train", "dev", "test")
#: replies written after the scorer was tuned on train/dev, scored once (their own file); the
#: fresh split's misses were then used for tuning, and the blind split written after that
FRESH = "fresh"
BLIND = "blind"
EXTRA_SPLITS = (FRESH, BLIND)
#: share of each split in tenths of the hash space: 6 train, 2 dev, 2 test
_SPLIT_TENTHS = (("train", 6), ("dev", 2), ("test", 2))
#: short privacy labels used in the sources
PRIVACY_CODES = {"E": "exposes_pii_public", "A": "asks_pii_public", "P": "asks_password"}
#: trap categories whose replies show personal data in an unusual (or ordinary) written form
PII_FORMS = ("digits_words", "email_words", "order_echo", "card_groups", "phone_national",
             "kr_address", "address_en", "other_expose")
#: trap categories in the order the evaluation table lists them
TRAPS = ("sarcasm", "dismissal", "troll_arguing", *PII_FORMS, "brand_contact", "dm_mention",
         "device_question", "other_ask", "good")


@dataclass(frozen=True, slots=True)
class LabelledCase:
    """One labelled reply with its customer context (the fields of the ``rate`` input)."""

    id: str
    split: str
    language: str
    trap: str
    persona: str
    intent: str
    brand_voice: str
    channel: str
    mention: str
    customer_name: str
    reply: str
    known_pii: tuple[dict[str, str], ...] = ()
    empathy: int | None = None
    on_brand: bool | None = None
    privacy: tuple[str, ...] = ()
    moves_to_dm: bool = False
    #: "labelled" (the trap set) or "brand" (ordinary brand replies, request-DM labels only)
    source: str = "labelled"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = asdict(self)
        data["known_pii"] = list(self.known_pii)
        data["privacy"] = list(self.privacy)
        if not self.extra:
            del data["extra"]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelledCase:
        values = dict(data)
        values["known_pii"] = tuple(values.get("known_pii") or ())
        values["privacy"] = tuple(values.get("privacy") or ())
        return cls(**values)


def split_of(case_id: str) -> str:
    """The split a case belongs to, from a hash of its id (stable across edits of the set)."""
    tenth = int(hashlib.sha1(case_id.encode("utf-8")).hexdigest(), 16) % 10
    for name, size in _SPLIT_TENTHS:
        if tenth < size:
            return name
        tenth -= size
    return "test"  # unreachable: the tenths add up to 10


def _scene_cases(scene: dict[str, Any], language: str, source: str,
                 split: str | None = None) -> Iterable[LabelledCase]:
    for i, item in enumerate(scene["replies"]):
        case_id = f"{scene['scene']}-{i:02d}"
        overrides: dict[str, Any] = {}
        if source == "brand":
            dm, text = item[0], item[1]
            trap, empathy, on_brand = "brand_reply", None, None
            privacy: tuple[str, ...] = ()
        else:
            trap, empathy, on_brand, codes, dm, text = item[:6]
            privacy = tuple(PRIVACY_CODES[c] for c in str(codes))
            overrides = dict(item[6]) if len(item) > 6 else {}
            empathy, on_brand = int(empathy), bool(on_brand)
        yield LabelledCase(
            id=case_id, split=split or split_of(case_id), language=language, trap=trap,
            persona=overrides.get("persona", scene.get("persona", "neutral")),
            intent=overrides.get("intent", scene.get("intent", "")),
            brand_voice=scene.get("voice", "friendly"),
            channel=overrides.get("channel", scene.get("channel", "public")),
            mention=scene.get("mention", ""), customer_name=scene.get("name", ""),
            reply=str(text), known_pii=tuple(scene.get("known_pii") or ()),
            empathy=empathy, on_brand=on_brand, privacy=privacy, moves_to_dm=bool(dm),
            source=source)


def read_sources(folder: Path = SOURCE_DIR) -> list[LabelledCase]:
    """Every case of the YAML sources, in file order."""
    cases: list[LabelledCase] = []
    files = (("en", "en", "labelled", None), ("ko", "ko", "labelled", None),
             ("brand_en", "en", "brand", None), ("brand_ko", "ko", "brand", None),
             ("fresh_en", "en", "labelled", FRESH), ("fresh_ko", "ko", "labelled", FRESH),
             ("blind_en", "en", "labelled", BLIND), ("blind_ko", "ko", "labelled", BLIND))
    for name, language, source, split in files:
        path = folder / f"{name}.yaml"
        if not path.exists():
            continue
        for scene in yaml.safe_load(path.read_text(encoding="utf-8")) or ():
            cases.extend(_scene_cases(scene, language, source, split))
    ids = [c.id for c in cases]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate case ids in the labelled sources")
    return cases


def split_path(split: str, source: str = "labelled", folder: Path = LABELLED_DIR) -> Path:
    prefix = "" if source == "labelled" else "brand_"
    return folder / f"{prefix}{split}.jsonl"


def build(folder: Path = LABELLED_DIR) -> dict[str, int]:
    """Write one JSON-lines file per split and source; returns the counts written."""
    counts: dict[str, int] = {}
    cases = read_sources(folder / "source")
    for source, splits in (("labelled", (*SPLITS, *EXTRA_SPLITS)), ("brand", SPLITS)):
        for split in splits:
            chosen = [c for c in cases if c.source == source and c.split == split]
            path = split_path(split, source, folder)
            path.write_text("".join(c.to_json() + "\n" for c in chosen), encoding="utf-8")
            counts[path.name] = len(chosen)
    return counts


def load_split(split: str, source: str = "labelled",
               folder: Path = LABELLED_DIR) -> list[LabelledCase]:
    """The cases of one split file (empty when the file is missing)."""
    path = split_path(split, source, folder)
    if not path.exists():
        return []
    return [LabelledCase.from_dict(json.loads(line))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


if __name__ == "__main__":
    for file_name, n in build().items():
        print(f"{file_name}: {n}")
    sys.exit(0)

"""The catalogue with hostile files beside good ones: each bad file is skipped with a note
naming it, the good ones load, and it never stalls the app."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from engine.scenario import builtin_paths
from stormdesk import catalogue as catalogue_module
from stormdesk.catalogue import MAX_FILES, MAX_SECONDS, load_catalogue

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "scenarios" / "corpus"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for good in builtin_paths()[:2]:
        shutil.copy(good, folder / good.name)
    (folder / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.yaml")
    (folder / "dir.yaml").mkdir()
    (folder / "huge.yaml").write_bytes(b"x: " + b"y" * 2_000_000)
    shutil.copy(CORPUS / "alias-bomb.yaml", folder / "bomb.yaml")
    shutil.copy(CORPUS / "inject-unknown-slot.yaml", folder / "slot.yaml")
    return folder


def test_load_catalogue_skips_every_bad_file_with_a_note_and_keeps_the_good(
        tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    started = time.perf_counter()
    cat = load_catalogue(sorted(folder.iterdir()))
    assert time.perf_counter() - started < 5
    assert sorted(cat.scenarios) == sorted(p.stem for p in builtin_paths()[:2])
    named = {problem.split(":")[0] for problem in cat.problems}
    assert named == {"zero.yaml", "pipe.yaml", "dir.yaml", "huge.yaml", "bomb.yaml",
                     "slot.yaml"}


def test_load_catalogue_duplicate_id_keeps_the_first(tmp_path: Path) -> None:
    first = builtin_paths()[0]
    copy = tmp_path / "copy.yaml"
    shutil.copy(first, copy)
    cat = load_catalogue([first, copy])
    assert list(cat.scenarios) == [first.stem]
    assert cat.problems == [f"copy.yaml: id: {first.stem!r} is used by another scenario file; "
                            "this one is skipped"]


def test_load_catalogue_past_its_time_budget_skips_the_rest_with_a_note() -> None:
    ticks = iter([0.0, 0.0, MAX_SECONDS + 1] + [MAX_SECONDS + 2] * 50)
    paths = builtin_paths()
    cat = load_catalogue(paths, clock=lambda: next(ticks))
    assert len(cat.scenarios) == 1
    (note,) = cat.problems
    assert note.startswith(f"{paths[1].name}, ")
    assert note.endswith(f"skipped, the catalogue took longer than {MAX_SECONDS:g} s to load")


def test_load_catalogue_reads_at_most_max_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue_module, "MAX_FILES", 3)
    cat = load_catalogue(builtin_paths())
    assert len(cat.scenarios) == 3
    assert cat.problems == [f"{len(builtin_paths()) - 3} scenario files skipped: the catalogue "
                            "reads at most 3"]
    assert MAX_FILES >= 100

"""The layering rules of docs/architecture: who may import whom (checked on the source)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: layer folder -> top-level modules it must never import
FORBIDDEN = {
    "engine": {"scoring", "store", "streamlit", "ui", "stormdesk"},
    "scoring": {"simpy", "store", "streamlit", "ui", "stormdesk"},
    "store": {"streamlit", "simpy", "ui"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


CASES = [(layer, path) for layer in FORBIDDEN for path in sorted((ROOT / layer).rglob("*.py"))]


@pytest.mark.parametrize(("layer", "path"), CASES,
                         ids=[str(p.relative_to(ROOT)) for _, p in CASES])
def test_layer_never_imports_forbidden_modules(layer, path):
    bad = imported_modules(path) & FORBIDDEN[layer]
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_engine_records_import_only_stdlib_and_pydantic():
    allowed = {"__future__", "dataclasses", "json", "typing", "pydantic"}
    assert imported_modules(ROOT / "engine" / "records.py") <= allowed


def test_only_ui_imports_streamlit():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "tests", "benchmarks", "ui") or rel.name == "streamlit_app.py":
            continue
        assert "streamlit" not in imported_modules(path), f"{rel} imports streamlit"

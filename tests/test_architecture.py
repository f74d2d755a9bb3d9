"""The layering of docs/architecture as an allow-list: which of our packages may import which.

Checked on the source (imports are read, nothing is run). Our own modules are matched by their
dotted name, so "the UI may import engine.records but not engine.session" can be said; third-
party packages that belong to one layer (streamlit, simpy, SQLAlchemy) are kept inside it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("engine", "scoring", "store", "stormdesk", "reports", "ui", "llm", "streamlit_app")

#: Record-like modules anyone may import for display: plain data, no behaviour to bypass.
RECORDS = ("engine.records", "engine.projection", "engine.scenario", "scoring.records",
           "store.records")
#: layer -> our modules it may import (a name allows itself and its submodules).
ALLOWED: dict[str, tuple[str, ...]] = {
    "llm": ("llm",),
    "engine": ("engine", "llm"),
    "scoring": ("scoring", "engine.records", "engine.scenario", "engine.projection", "llm"),
    "store": ("store", "engine.records", "scoring.records"),
    "reports": ("reports", *RECORDS),
    "stormdesk": ("stormdesk", "engine", "scoring", "store", "reports", "llm"),
    # The UI renders what the application layer returns: no engine sessions, no scorer, no SQL.
    "ui": ("ui", "stormdesk", *RECORDS),
    "streamlit_app": ("ui", "stormdesk", *RECORDS),
}
#: third-party packages that must stay inside one layer
CONFINED = {"streamlit": ("ui", "streamlit_app"), "simpy": ("engine",),
            "sqlalchemy": ("store",), "alembic": ("store",), "reportlab": ("reports",)}


def imports_of(path: Path) -> set[str]:
    """Dotted names a file imports (``from a.b import c`` gives a.b and a.b.c)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _layer(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return "streamlit_app" if rel.name == "streamlit_app.py" else rel.parts[0]


def _module_exists(name: str) -> bool:
    parts = name.split(".")
    base = ROOT.joinpath(*parts)
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _ours(name: str) -> str | None:
    """The module of ours a dotted import refers to (None for stdlib and third party)."""
    if name.split(".")[0] not in OURS:
        return None
    parts = name.split(".")
    while parts and not _module_exists(".".join(parts)):
        parts.pop()  # "from engine.records import Reply": Reply is a name, not a module
    return ".".join(parts) if parts else name.split(".")[0]


def _allowed(module: str, layer: str) -> bool:
    return any(module == a or module.startswith(a + ".") for a in ALLOWED[layer])


SOURCES = sorted(p for layer in OURS for p in (
    [ROOT / "streamlit_app.py"] if layer == "streamlit_app" else (ROOT / layer).rglob("*.py"))
    if p.exists())


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_layer_imports_only_what_its_allow_list_names(path: Path) -> None:
    layer = _layer(path)
    bad = set()
    for name in imports_of(path):
        module = _ours(name)
        if module is not None and not _allowed(module, layer):
            bad.add(module)
        top = name.split(".")[0]
        if top in CONFINED and layer not in CONFINED[top]:
            bad.add(top)
    assert not bad, f"{path.relative_to(ROOT)} ({layer}) imports {sorted(bad)}"


def test_engine_records_import_only_stdlib_and_pydantic() -> None:
    allowed = {"__future__", "dataclasses", "json", "typing", "pydantic"}
    tops = {n.split(".")[0] for n in imports_of(ROOT / "engine" / "records.py")}
    assert tops <= allowed


def test_projection_imports_only_records() -> None:
    ours = {m for n in imports_of(ROOT / "engine" / "projection.py") if (m := _ours(n))}
    assert ours <= {"engine.records"}


def test_views_never_reach_the_store_engine_or_scorer_directly() -> None:
    """The application layer's promise: views render and forward actions, nothing else."""
    forbidden = ("engine.session", "scoring.scorecard", "scoring.assess", "scoring.judge",
                 "store.repository", "reports.scorecard_pdf")
    offenders = {}
    for path in (ROOT / "ui").rglob("*.py"):
        hits = {n for n in imports_of(path) if n.startswith(forbidden)}
        if hits:
            offenders[str(path.relative_to(ROOT))] = sorted(hits)
    assert not offenders


def test_allow_list_catches_a_view_importing_the_store(tmp_path: Path) -> None:
    """The check itself can fail: a UI file importing the store is flagged."""
    module = _ours("store.repository")
    assert module == "store.repository"
    assert not _allowed(module, "ui")
    assert _allowed("engine.records", "ui") and _allowed("stormdesk.drills", "ui")

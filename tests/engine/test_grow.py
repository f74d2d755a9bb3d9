"""The bank grower: candidates are validated (slots, length, language, personal data, domain
words), near-duplicates dropped, the review file written, and no bank ever touched; the CLI
runs it against a local OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from engine.bank import BANK_DIR
from engine.grow import Candidates, Cell, grow
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
GOOD = [
    "{brand} I've been charged twice for {product} and nobody can tell me why",
    "{brand} [why|how come] my bill says {amount} when I'm on the cheaper plan?",
]
BAD = {
    "{brand} charged twice, my card is 4111 1111 1111 1111": "personal data",
    "{brand} {wizard} charged me": "unknown slot",
    "{brand} 요금이 두 번 나갔어요": "not English",
    "{brand} my flight was charged twice": "another domain's words",
    "{brand} I've been charged twice for {product} and nobody can tell me why!": "near-dup",
    "{brand} " + "very long complaint " * 19 + "today": "characters once filled",
}


def _ask(batches: list[list[str]]) -> tuple[list[tuple[str, str]], object]:
    seen: list[tuple[str, str]] = []

    def ask(system: str, user: str) -> Candidates | None:
        seen.append((system, user))
        return Candidates(templates=batches.pop(0)) if batches else None
    return seen, ask


def test_grow_keeps_what_could_ship_and_says_why_the_rest_was_dropped() -> None:
    before = {p.name: p.read_bytes() for p in BANK_DIR.iterdir()}
    seen, ask = _ask([GOOD[:1] + list(BAD)[:4], GOOD[1:] + list(BAD)[4:]])
    report = grow(Cell("en", "angry", "billing"), 8, ask)  # type: ignore[arg-type]
    assert report.kept == GOOD
    reasons = dict(report.dropped)
    for candidate, why in BAD.items():
        assert why in reasons[candidate], (candidate, reasons[candidate])
    assert "Already proposed" in seen[1][1] and GOOD[0] in seen[1][1]
    assert {p.name: p.read_bytes() for p in BANK_DIR.iterdir()} == before


def test_grow_stops_after_failed_calls() -> None:
    _, ask = _ask([])
    report = grow(Cell("ko", "confused", "delivery", "bakery"), 20, ask)  # type: ignore[arg-type]
    assert report.kept == [] and report.calls == 3


def test_grow_drops_the_candidates_that_read_most_synthetic() -> None:
    pytest.importorskip("sklearn")
    real = ["@x my bill went up again and I never changed anything",
            "@x I was charged twice this morning, please help"] * 40
    candidates = ["{brand} my bill went up and I never changed a thing",
                  "{brand} charged twice this morning, help please",
                  "{brand} herewith I formally request the immediate reimbursement",
                  "{brand} kindly be advised that the aforementioned invoice is erroneous",
                  "{brand} why is there a second payment on my card",
                  "{brand} pursuant to clause four the remittance is disputed",
                  "{brand} I was charged twice and I need it back",
                  "{brand} notwithstanding prior correspondence the matter persists"]
    _, ask = _ask([candidates])
    report = grow(Cell("en", "angry", "billing"), 8, ask, real_texts=real)  # type: ignore[arg-type]
    assert report.classifier.startswith("dropped the 2 most synthetic")
    assert len(report.kept) == 6 and sum("reads synthetic" in w for _, w in report.dropped) == 2


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    srv = FakeOpenAI().start()
    srv.answer = lambda request: json.dumps({"templates": [*GOOD, "{brand} {wizard}"]})
    yield srv
    srv.stop()


def test_cli_grow_bank_writes_a_review_file(server: FakeOpenAI, tmp_path: Path) -> None:
    out = tmp_path / "review.yaml"
    env = {**os.environ, "STORMDESK_LLM_BASE_URL": server.base_url(),
           "STORMDESK_LLM_MODEL": "m", "STORMDESK_LLM_TIMEOUT": "3"}
    result = subprocess.run(
        [sys.executable, "-m", "engine", "grow-bank", "--language", "en", "--persona",
         "angry", "--intent", "billing", "--n", "3", "--out", str(out), "--real",
         str(tmp_path / "none.csv")], cwd=ROOT, env=env, text=True, capture_output=True,
        timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    review = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert review["cell"] == "mentions.billing.angry" and review["keep"] == GOOD
    assert "unknown slot {wizard}" in review["dropped"][0]["why"]
    assert "nothing was added to the bank" in result.stdout

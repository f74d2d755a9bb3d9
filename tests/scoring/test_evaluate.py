"""``python -m scoring evaluate`` on tiny synthetic copies of each shared set's columns (never the
real data), a missing data folder, and the agreement metrics it reports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from scoring import evaluate
from scoring.eval_metrics import Counts, accuracy, fmt, match_spans, quadratic_kappa, spans_match


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    data = tmp_path / "eval"
    write_csv(data / "epitome_empathy" / "epitome_reddit_empathy.csv",
              ["row", "sp_id", "rp_id", "seeker_post", "response_post",
               "emotional_reactions_level", "interpretations_level", "explorations_level"],
              [[0, "a", "b", "I lost my job today", "I'm so sorry, that must be hard.", 2, 0, 0],
               [1, "c", "d", "Nobody listens to me", "Just go to the gym.", 0, 0, 0],
               [2, "e", "f", "I feel alone", "Hang in there, you are not alone.", 1, 1, 0]])
    write_csv(data / "stanford_politeness" / "stanford_politeness_annotated.csv",
              ["source", "community", "id", "request", "normalized_score", "quartile_label"],
              [["wikipedia", "Wikipedia", 1, "Thanks so much! Could you please have a look?",
                1.2, "polite"],
               ["wikipedia", "Wikipedia", 2, "Why did you revert my edit?", -1.1, "impolite"],
               ["wikipedia", "Wikipedia", 3, "What is this about?", 0.0, "middle"]])
    write_csv(data / "korean" / "smilestyle_ko_parallel_styles.csv",
              ["row", "formal", "informal", "halmae"],
              [[0, "안녕하세요. 저는 고양이를 키워요.", "안녕! 나는 고양이 키워.",
                "염병 괭이 키운다잉"],
               [1, "", "", ""]])
    write_csv(data / "korean" / "korean_hate_speech_labeled.csv",
              ["split", "comments", "contain_gender_bias", "bias", "hate"],
              [["train", "이 병신 같은 놈", "False", "none", "hate"],
               ["train", "연기 정말 잘하네요", "False", "none", "none"],
               ["dev", "좀 별로다", "False", "none", "offensive"]])
    pii = data / "presidio_pii_tests" / "presidio_recognizer_test_cases.jsonl"
    pii.parent.mkdir(parents=True)
    cases = [
        {"id": "e1", "text": "my email address is info@presidio.site", "entity_type":
         "EMAIL_ADDRESS", "expected_count": 1, "spans_given": True, "expected_spans":
         [{"start": 20, "end": 38, "entity": "EMAIL_ADDRESS"}], "recognizer_config": ""},
        {"id": "c1", "text": "4012-8888-8888-1882", "entity_type": "CREDIT_CARD",
         "expected_count": 0, "spans_given": True, "expected_spans": [],
         "recognizer_config": ""},
        {"id": "x1", "text": "GB82 WEST 1234 5698 7654 32", "entity_type": "IBAN_CODE",
         "expected_count": 1, "spans_given": True, "expected_spans": [],
         "recognizer_config": ""},
    ]
    pii.write_text("\n".join(json.dumps(c) for c in cases) + "\n", encoding="utf-8")
    return data


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    folder = tmp_path / "fixtures"
    folder.mkdir()
    empathy = [{"id": "e1", "split": "tune", "language": "en", "brand_voice": "friendly",
                "persona": "angry", "intent": "billing", "mention": "@Shop charged twice",
                "reply": "Calm down.", "expected_level": 0},
               {"id": "e2", "split": "holdout", "language": "ko", "brand_voice": "formal",
                "persona": "angry", "intent": "billing", "mention": "@ShopKR 결제가 두 번 됐어요",
                "reply": "불편을 드려 죄송합니다.", "expected_level": 1}]
    tone = [{"id": "t1", "split": "tune", "language": "en", "brand_voice": "formal",
             "persona": "angry", "intent": "billing", "mention": "@Shop charged twice",
             "reply": "lol oops 😅", "expected_on_brand": False,
             "expected_kinds": ["too_informal"]},
            {"id": "t2", "split": "tune", "language": "en", "brand_voice": "friendly",
             "persona": "angry", "intent": "billing", "mention": "@Shop charged twice",
             "reply": "Sorry! DM us. ^AB", "expected_on_brand": True, "expected_kinds": [],
             "brand": {"sign_with_initials": True}}]
    for name, rows in (("empathy_cases.jsonl", empathy), ("tone_cases.jsonl", tone)):
        (folder / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows),
                                   encoding="utf-8")
    return folder


def test_evaluate_main_synthetic_sets_prints_every_section(
        shared: Path, fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main(["--data", str(shared), "--fixtures", str(fixtures)]) == 0
    out = capsys.readouterr().out
    # issue 9: the project's own labelled set comes first, then the shared sets' table
    assert out.startswith("## StormDesk's labelled replies")
    assert "\n| set | slice | n | metric | value |" in out
    for name in ("epitome_er", "stanford_politeness", "smilestyle_ko", "korean_hate_speech",
                 "presidio_pii", "in-domain empathy", "in-domain tone"):
        assert f"| {name} |" in out
    assert "| in-domain empathy | tune en | 1 | accuracy / quadratic kappa / 2↔0 confusions" in out
    assert "| smilestyle_ko | formal vs informal | 1 | formal scores higher (ties) | 1.000" in out
    assert "error" not in out


def test_evaluate_privacy_rows_count_negatives_and_uncovered_types(shared: Path) -> None:
    rows = evaluate.privacy_rows(shared, None)
    if rows[0][-1].startswith("not available"):
        pytest.skip("scoring.pii is not there yet")
    by_slice = {r[1]: r for r in rows}
    assert by_slice["EMAIL_ADDRESS"][4].startswith("1.000 / 1.000 / 1.000")
    assert by_slice["CREDIT_CARD"][2] == "1"  # the Luhn-invalid negative case
    assert "IBAN_CODE 1" in by_slice["not covered"][4]


def test_evaluate_hate_rows_compute_precision_and_recall(shared: Path) -> None:
    rows = evaluate.hate_rows(shared, None)
    assert rows[0][1] == "offensive+hate vs none" and rows[0][2] == "3"
    assert rows[0][4].startswith("1.000 / 0.500")  # the profanity is caught, "별로다" is not


def test_evaluate_main_missing_folder_says_skipped(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert evaluate.main(["--data", str(missing), "--fixtures", str(missing)]) == 0
    out = capsys.readouterr().out
    assert f"skipped: {missing} not found" in out
    assert "| set | slice |" not in out


def test_evaluate_broken_file_is_reported_not_fatal(shared: Path, fixtures: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_csv(shared / "stanford_politeness" / "stanford_politeness_annotated.csv",
              ["wrong"], [["x"]])
    assert evaluate.main(["--data", str(shared), "--fixtures", str(fixtures)]) == 0
    out = capsys.readouterr().out
    assert "| stanford_politeness |  |  | error | KeyError" in out
    assert "| epitome_er |" in out


@pytest.mark.parametrize(("expected", "predicted", "kappa"), [
    ([0, 1, 2, 2], [0, 1, 2, 2], 1.0),
    ([0, 0, 1, 1, 2, 2], [0, 1, 1, 2, 2, 1], 4 / 7),  # 1 - 0.75 / 1.75, worked by hand
    ([0, 1, 2], [2, 1, 0], -1.0),
])
def test_quadratic_kappa_known_tables(expected: list[int], predicted: list[int],
                                      kappa: float) -> None:
    assert quadratic_kappa(expected, predicted) == pytest.approx(kappa, abs=1e-9)


def test_quadratic_kappa_matches_the_textbook_formula() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 3, 200), rng.integers(0, 3, 200)
    observed = np.zeros((3, 3))
    for x, y in zip(a, b, strict=True):
        observed[x, y] += 1
    w = np.array([[(i - j) ** 2 / 4 for j in range(3)] for i in range(3)])
    expected = np.outer(observed.sum(1), observed.sum(0)) / 200
    assert quadratic_kappa(list(a), list(b)) == pytest.approx(
        1 - (w * observed).sum() / (w * expected).sum())


def test_counts_precision_recall_f1_and_undefined_values() -> None:
    c = Counts(tp=3, fp=1, fn=3)
    assert (c.precision, c.recall) == (0.75, 0.5)
    assert c.f1 == pytest.approx(0.6)
    assert fmt(Counts().precision) == "n/a"
    assert accuracy([], []) != accuracy([], [])  # nan


@pytest.mark.parametrize(("expected", "predicted", "same"), [
    ((10, 20), (10, 20), True),
    ((9, 41), (10, 40), True),   # the URL with its quotes vs without
    ((0, 10), (8, 30), False),
    ((0, 10), (10, 20), False),
])
def test_spans_match_overlap_rule(expected: tuple[int, int], predicted: tuple[int, int],
                                  same: bool) -> None:
    assert spans_match(expected, predicted) is same


def test_match_spans_is_one_to_one() -> None:
    assert match_spans([(0, 5)], [(0, 5), (0, 5)]) == (1, 1, 0, 1)


def test_evaluate_first_run_rows_come_from_the_history_file(fixtures: Path) -> None:
    (fixtures / "first_runs.json").write_text(json.dumps({
        "empathy": {"unseen": {"n": 20, "accuracy": 0.7, "kappa": 0.444, "far": 2}},
        "tone": {"unseen": {"n": 16, "on_brand": 0.688, "kinds_exact": 0.688}}}),
        encoding="utf-8")
    rows = evaluate.first_run_rows(fixtures)
    assert rows[0] == ("in-domain empathy, first run (recorded)", "unseen", "20",
                       "accuracy / quadratic kappa / 2↔0 confusions", "0.700 / 0.444 / 2")
    assert rows[1][4] == "0.688; 0.688"


def test_evaluate_shipped_first_runs_cover_every_fixture_split() -> None:
    history = json.loads((evaluate.DEFAULT_FIXTURES / "first_runs.json").read_text("utf-8"))
    for name, key in (("empathy_cases.jsonl", "empathy"), ("tone_cases.jsonl", "tone")):
        lines = (evaluate.DEFAULT_FIXTURES / name).read_text("utf-8").splitlines()
        splits = {json.loads(line)["split"] for line in lines if line.strip()}
        assert splits == set(history[key])

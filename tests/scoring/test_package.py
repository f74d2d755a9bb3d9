"""The scoring package stays light to import, and its version is a plain constant."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_scoring_loads_no_detectors_lexicons_or_http_client():
    code = ("import sys, scoring; "
            "print(sorted(m for m in ('openai', 'yaml', 'scoring.pii', 'scoring.privacy', "
            "'scoring.judge') if m in sys.modules), scoring.SCORER_VERSION)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out[0] == "[]" and out[1].count(".") == 2


def test_import_scoring_scorecard_does_not_import_openai():
    code = "import sys, scoring.scorecard; print('openai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout.strip()
    assert out == "False"

#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs the whole test suite.
# Usage: bash scripts/test.sh [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${STORMDESK_VENV:-.venv}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {  # Debian packages, installed only when missing
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c "import ensurepip" 2>/dev/null; then
  apt_install python3-venv
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
# Real-browser tests drive Debian's Chromium (never Playwright's own download); the emoji font
# keeps screenshots readable; Nanum embeds Hangul in PDF scorecards; poppler reads PDFs back.
apt_install chromium fonts-noto-color-emoji fonts-nanum poppler-utils
echo "== installing Python packages (requirements-dev.txt)"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt

# The store's contract suite runs against PostgreSQL too: use the server on 127.0.0.1:5432
# when one answers, else install and start Debian's (scripts/postgres.sh).
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
PYTHON_FOR_PG="$VENV/bin/python" ensure_postgres || {
  echo "PostgreSQL is needed for the store's contract tests and could not be provided" >&2
  exit 1
}

echo "== running the tests"
# Two workers (pytest-xdist): 12 minutes instead of 16-17 here; the real-browser tests run one
# after another on one worker (tests/conftest.py). STORMDESK_TEST_WORKERS=0 runs in one process.
exec "$VENV/bin/python" -m pytest -n "${STORMDESK_TEST_WORKERS:-2}" --dist loadgroup "$@"

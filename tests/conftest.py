"""Fixtures shared across test folders.

``browser``: one headless Debian Chromium per test session, driven by Playwright's sync API.
Playwright allows one sync context per thread, so every test that needs a real browser (the
browser tests and the markup test in tests/ui) shares this one instead of opening its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run the tests via scripts/test.sh, "
                    "which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                                     headless=True)
        yield launched
        launched.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, every real-browser test runs on one worker, one after another: they
    start servers and drive Chromium with timeouts, so they are kept from competing with each
    other for the two cores (``scripts/test.sh`` goes further: it runs them in a phase of their
    own, after the rest); and each gets one rerun."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))
            # One more run for a real-browser test that fails (pytest-rerunfailures): they drive
            # Streamlit's reruns against timeouts on a shared 2-core machine. A real fault fails
            # twice; every rerun is listed in the report (-ra), so flakiness stays visible.
            if config.pluginmanager.hasplugin("rerunfailures"):
                item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))

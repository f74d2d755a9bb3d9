"""The app's pages by name, registered by the router so views can link to each other."""

from __future__ import annotations

from typing import Any

PAGES: dict[str, Any] = {}


def page(name: str) -> Any:
    return PAGES[name]

"""A small drill the engine tests own (independent of the shipped scenarios)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.scenario import Scenario, parse_scenario

DRILL: dict[str, Any] = {
    "id": "test-outage",
    "title": "Test outage",
    "briefing": "The app is down. Answer fast, move personal data to DM.",
    "language": "en",
    "duration_minutes": 60,
    "brand": {"name": "Nimbus Mobile", "handle": "NimbusMobile", "voice": "friendly",
              "sign_with_initials": True, "products": ["the Nimbus app", "5G"],
              "hashtags": ["#NimbusDown"], "misspellings": ["Nimbus Mobil"]},
    "sla_minutes": {"urgent": 5, "high": 10, "normal": 20, "low": 60},
    "phases": [
        {"name": "calm", "start_minute": 0, "end_minute": 20, "rate_per_minute": 1,
         "personas": {"angry": 2, "confused": 2, "praise": 1, "troll": 1,
                      "privacy_oversharer": 1},
         "intents": {"outage": 3, "billing": 1, "praise": 1}},
        {"name": "storm", "start_minute": 20, "end_minute": 60, "rate_per_minute": 2,
         "rate_end_per_minute": 6,
         "personas": {"angry": 3, "confused": 1, "troll": 1, "vip": 0.3},
         "intents": {"outage": 4, "account_access": 1}},
    ],
    "injects": [
        {"at_minute": 2, "persona": "journalist", "intent": "outage",
         "text": "{brand} Reporter at the Daily Ledger: can you confirm the outage? DMs open.",
         "author": {"handle": "ledger_kim", "display_name": "Kim Ortiz", "followers": 90000,
                    "verified": True, "bio": "Tech reporter"}},
    ],
    "incident": [
        {"from_minute": 0, "down": "mobile data", "since": "09:05",
         "status_page": "Investigating"},
        {"from_minute": 30, "down": "mobile data", "since": "09:05",
         "status_page": "Fix rolling out", "eta": "10:30"},
    ],
    "status_updates_expected": True,
}


def make_scenario(**changes: Any) -> Scenario:
    data = copy.deepcopy(DRILL)
    data.update(changes)
    return parse_scenario(data, "test.yaml")


@pytest.fixture
def scenario() -> Scenario:
    return make_scenario()

"""Drafting help: "draft from a description" asks the configured LLM (``llm.LlmClient``, the
one policy for every LLM call) for a small outline of the drill, builds the draft from it in
code and checks it with the engine like anything typed. Without an endpoint there is no
drafting (the editor's button is absent); a failed call gives None, never a half draft."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, Field

from stormdesk.editor_yaml import Check, check_text, to_yaml

#: The outline fits the client's answer cap (a few hundred tokens): the file is built here.
SYSTEM = (
    "You help a customer-care team lead plan a social-media crisis drill. From their "
    "description, answer with JSON only: title (<= 80 chars), brand_name, handle (letters, "
    "digits, underscore, <= 30, no @), products (1-5 short names), duration_minutes (30-240), "
    "incident_minute (when the trouble starts), peak_rate_per_minute (mentions per minute at "
    "the worst, 1-30), down (what is down, one line), journalist_minute (or null), briefing "
    "(2-4 sentences for the trainee). Write text in the language asked for.")


class Outline(BaseModel):
    title: str = Field(max_length=120)
    brand_name: str = Field(max_length=80)
    handle: str = Field(max_length=30)
    products: list[str] = Field(max_length=10)
    duration_minutes: float
    incident_minute: float
    peak_rate_per_minute: float
    down: str = Field(max_length=500)
    journalist_minute: float | None = None
    briefing: str = Field(max_length=2000)


def _slug(text: str) -> str:
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)[:56] or "drafted-drill"


def build(outline: Outline, blank: dict[str, Any]) -> dict[str, Any]:
    """The draft's data: the blank drill with the outline's facts, a quiet phase, the storm
    from the incident on, the first report and (if named) a journalist's question."""
    data = copy.deepcopy(blank)
    length = outline.duration_minutes
    start = min(max(outline.incident_minute, 0.0), length)
    data.update(id=_slug(outline.title), title=outline.title, briefing=outline.briefing,
                duration_minutes=length, status_updates_expected=True)
    data["brand"].update(name=outline.brand_name, handle=outline.handle.lstrip("@"),
                         products=outline.products or ["our app"])
    phases = []
    if start > 0:
        phases.append({"name": "Before", "start_minute": 0, "end_minute": start,
                       "rate_per_minute": 1, "personas": {"neutral": 2, "confused": 1},
                       "intents": {"product_question": 2, "delivery": 1}})
    if start < length:
        phases.append({"name": "Incident", "start_minute": start, "end_minute": length,
                       "rate_per_minute": 1,
                       "rate_end_per_minute": outline.peak_rate_per_minute,
                       "ramp": "exponential", "ramp_minutes": 10,
                       "personas": {"angry": 3, "confused": 2, "troll": 1, "journalist": 0.2},
                       "intents": {"outage": 5, "account_access": 1, "refund": 1}})
    data["phases"] = phases or data["phases"]
    data["incident"] = [{"from_minute": start, "down": outline.down,
                         "keywords": [w for w in outline.down.split()[:3] if w]}]
    injects = [{"at_minute": start, "persona": "angry", "intent": "outage",
                "text": "{brand} " + outline.down[:200]}]
    if outline.journalist_minute is not None:
        injects.append({"at_minute": min(outline.journalist_minute, length),
                        "persona": "journalist", "intent": "outage",
                        "text": "{brand} Can you confirm what is down and since when?"})
    data["injects"] = injects
    return data


def can_draft() -> bool:
    from llm import settings_from_env

    return settings_from_env() is not None


def draft(description: str, language: str, blank: dict[str, Any]) -> Check | None:
    """A checked draft from ``description`` (None without an endpoint or when the call fails)."""
    from llm import LlmClient, settings_from_env

    settings = settings_from_env()
    if settings is None:
        return None
    answer = LlmClient(settings).ask(SYSTEM, f"Language: {language}\n\n{description[:2000]}",
                                     Outline)
    if answer.value is None:
        return None
    return check_text(to_yaml(build(answer.value, blank)))

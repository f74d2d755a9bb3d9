"""The coach's "better reply": a reply rebuilt from the phrasebook for this customer and brand.

It follows what the scorer rewards: name the customer and their problem, own it, give a next
step, keep personal data out of public (DM instead), never ask for a password, stay short and
calm with trolls, and thank praise. Phrasebooks are data files per language
(``scoring/rewrites/<language>.yaml``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from engine.records import ReplyContext
from engine.scenario import Brand

PHRASEBOOK_DIR = Path(__file__).resolve().parent / "rewrites"
PUBLIC_LIMIT = 280
#: Intents whose fix needs account details, so the better reply moves to DM.
NEEDS_DETAILS = frozenset({"billing", "delivery", "refund", "account_access", "delay"})


@lru_cache(maxsize=4)
def phrasebook(language: str) -> dict[str, Any]:
    path = PHRASEBOOK_DIR / f"{language if language in ('en', 'ko') else 'en'}.yaml"
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def _first_name(display_name: str, language: str) -> str:
    if not display_name:
        return "고객" if language == "ko" else "Hi"
    if language == "ko":
        return display_name
    return display_name.split()[0]


def better_reply(ctx: ReplyContext, assessment: Any = None, brand: Brand | None = None,
                 initials: str = "") -> str:
    """A better version of the reply to ``ctx`` (public replies stay within 280 chars)."""
    book = phrasebook(ctx.language)
    voice = brand.voice if brand else ctx.brand_voice
    name = _first_name(ctx.customer_name, ctx.language)
    dm_link = brand.dm_link if brand else "DM"
    kinds = set()
    if assessment is not None:
        kinds = {f.kind for f in assessment.privacy.findings}
    if ctx.persona == "troll" or ctx.intent == "abuse":
        parts = [book["troll"][voice]]
    elif ctx.persona == "praise" or ctx.intent == "praise":
        parts = [book["praise"][voice].format(name=name)]
    else:
        problem = book["problem"].get(ctx.intent, book["problem"]["product_question"])
        opening = (book["acknowledge_question"] if ctx.intent == "product_question"
                   else book["acknowledge"])
        parts = [opening[voice].format(name=name, problem=problem),
                 book["next_step"].get(ctx.intent, book["next_step"]["product_question"])]
        if "asks_password" in kinds:
            parts.append(book["never_password"])
        if ctx.channel == "public" and (kinds or ctx.intent in NEEDS_DETAILS
                                        or ctx.persona == "privacy_oversharer"):
            if ctx.persona == "privacy_oversharer" or "exposes_pii_public" in kinds:
                parts.append(book["delete_pii"])
            parts.append(book["dm"].format(dm=dm_link))
    text = " ".join(parts)
    sign = f" ^{initials}" if brand and brand.sign_with_initials and initials else ""
    if ctx.channel == "public":
        while len(text) + len(sign) > PUBLIC_LIMIT and len(parts) > 1:
            parts.pop(1)  # drop the least essential middle sentence first
            text = " ".join(parts)
        text = text[: PUBLIC_LIMIT - len(sign)]
    return text + sign

"""The coach's better reply: on-brand, short enough, and never a privacy mistake itself."""

from __future__ import annotations

import pytest

from engine.records import ReplyContext
from engine.scenario import Brand
from scoring.rewrite import better_reply

BRAND = Brand(name="Nimbus", handle="NimbusMobile", voice="friendly", sign_with_initials=True,
              products=("app",))


def ctx(**kw: str) -> ReplyContext:
    base = dict(language="en", brand_voice="friendly", persona="angry", intent="billing",
                mention_text="charged twice!!", channel="public", reply_text="per our policy",
                customer_name="Dana Reyes")
    base.update(kw)
    return ReplyContext(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("intent", ["outage", "billing", "delivery", "delay", "refund",
                                    "account_access", "product_question", "security"])
def test_better_reply_every_intent_fits_public_limit_and_is_signed(language, intent):
    text = better_reply(ctx(language=language, intent=intent), brand=BRAND, initials="AB")
    assert len(text) <= 280
    assert text.endswith("^AB")


def test_better_reply_needs_details_moves_to_dm_without_asking_publicly():
    text = better_reply(ctx(intent="billing"), brand=BRAND)
    assert "DM" in text and "no need to post them here" in text
    assert "Dana" in text


def test_better_reply_troll_is_short_and_calm():
    text = better_reply(ctx(persona="troll", intent="abuse"), brand=BRAND)
    assert len(text) < 100
    assert "sorry" not in text.lower()


def test_better_reply_korean_formal_voice_uses_formal_endings():
    formal = Brand(name="하늘항공", handle="HaneulAir", voice="formal", products=("항공권",))
    text = better_reply(ctx(language="ko", intent="delay", customer_name="김민지"), brand=formal)
    assert "김민지 고객님" in text
    assert "드리겠습니다" in text and "사과드립니다" in text


def test_better_reply_question_is_thanked_not_apologised_for():
    text = better_reply(ctx(intent="product_question"), brand=BRAND)
    assert "thanks for asking" in text
    assert "sorry" not in text.lower()

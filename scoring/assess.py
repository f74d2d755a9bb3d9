"""The per-reply assessment: empathy, tone and privacy of one reply, cheap enough for the
engine's reaction hook and the desk's live coaching (thousands of replies per second)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from engine.records import PersonalData, ReplyContext, ReplyQuality
from engine.scenario import Brand
from scoring.privacy import assess_privacy
from scoring.records import EmpathyAssessment, ReplyAssessment, ToneAssessment


@lru_cache(maxsize=1)
def _assessors() -> tuple[Callable[[ReplyContext], EmpathyAssessment],
                         Callable[..., ToneAssessment]]:
    # Imported on first use: the empathy and tone modules load their lexicons then.
    from scoring.empathy import assess_empathy
    from scoring.tone import assess_tone

    return assess_empathy, assess_tone


def assess_reply(ctx: ReplyContext, brand: Brand | None = None,
                 known_pii: Sequence[PersonalData] = (), judge: Any = None) -> ReplyAssessment:
    """Empathy, tone and privacy of one reply. ``known_pii``: what the customer exposed in the
    thread; ``judge``: an LLM judge (`scoring.judge`), used only when given."""
    assess_empathy, assess_tone = _assessors()
    empathy = assess_empathy(ctx)
    tone = assess_tone(ctx, brand)
    privacy = assess_privacy(ctx, known_pii)
    if judge is None:
        return ReplyAssessment(empathy, tone, privacy)
    e = judge.judge_empathy(ctx, empathy)
    t = judge.judge_tone(ctx, tone, brand)
    p = judge.judge_privacy(ctx, privacy)
    return ReplyAssessment(e.value, t.value, p.value,
                           judges={"empathy": e.judge, "tone": t.judge, "privacy": p.judge})


#: Replies shorter than this read as brief to a customer (the engine's heuristic uses 80 too;
#: trolls fade after brief, calm replies).
BRIEF_CHARS = 80


def engine_judge(ctx: ReplyContext) -> ReplyQuality:
    """The engine's ``ReplyJudge``: how the simulated customer perceives the reply."""
    quality = assess_reply(ctx).to_quality()
    return replace(quality, brief=len(ctx.reply_text.strip()) < BRIEF_CHARS)

"""The coach card: the scorer's findings on the reply just sent, and a better version."""

from __future__ import annotations

import streamlit as st

from engine.records import PersonalData
from ui.drill import Coaching, LiveDrill
from ui.i18n import t
from ui.markup import highlight, inert


def coaching_for(drill: LiveDrill, thread_id: str, text: str, channel: str) -> Coaching:
    from scoring.assess import assess_reply
    from scoring.rewrite import better_reply

    session = drill.session
    thread = session.thread(thread_id)
    context = session.reply_context(thread_id, text, channel)
    known: list[PersonalData] = list(thread.exposed)
    assessment = assess_reply(context, brand=drill.scenario.brand, known_pii=known)
    better = better_reply(context, assessment, drill.scenario.brand, drill.initials)
    return Coaching(thread_id, text, assessment, better)


def render(coaching: Coaching, lang: str) -> None:
    a = coaching.assessment
    findings = [*a.privacy.findings, *a.empathy.findings, *a.tone.findings]
    problems = [f for f in findings if f.severity != "info" and f.impact >= 0]
    with st.container(border=True):
        st.markdown(f"**🎓 {t('coach', lang)}** · empathy {a.empathy.level}/2 · "
                    f"tone {a.tone.score:.0f} · privacy {a.privacy.score:.0f}")
        if not problems:
            st.success(t("no_findings", lang))
        for f in problems[:4]:
            st.markdown(f"**{inert(f.rule)}**: " + inert(f.explanation))
            if 0 <= f.start < f.end:
                st.markdown("› " + highlight(coaching.reply_text, f.start, f.end))
            if f.suggestion:
                st.caption("→ " + inert(f.suggestion))
        if coaching.better and problems:
            st.markdown(f"_{t('better', lang)}:_")
            st.info(inert(coaching.better))

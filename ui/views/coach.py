"""The coach card: the scorer's findings on the reply just sent, and a better version."""

from __future__ import annotations

import streamlit as st

from stormdesk.drill import Coaching
from ui.i18n import t
from ui.markup import highlight, inert


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

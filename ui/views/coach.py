"""The coach card: the scorer's findings on the reply just sent, and a better version of it
(the trainee's own reply, edited where a finding flags it)."""

from __future__ import annotations

import streamlit as st

from scoring.records import Finding
from stormdesk.drill import Coaching
from stormdesk.exports import particles
from ui.i18n import label, t
from ui.markup import highlight, inert

#: Findings shown on the card (the most severe first); the scorecard lists them all.
CARD_FINDINGS = 4
SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2}


def scorer_text(text: str, lang: str) -> str:
    """A finding's explanation or suggestion as shown: inert, Korean particles resolved."""
    return inert(particles(text) if lang == "ko" else text)


def finding_title(f: Finding, lang: str) -> str:
    return f"**{inert(label('kind', f.kind, lang))}** · {label('severity', f.severity, lang)}"


def render(coaching: Coaching, lang: str) -> None:
    a = coaching.assessment
    findings = [*a.privacy.findings, *a.empathy.findings, *a.tone.findings]
    problems = sorted((f for f in findings if f.severity != "info" and f.impact >= 0),
                      key=lambda f: SEVERITY_RANK.get(f.severity, 3))
    with st.container(border=True):
        st.markdown(f"**🎓 {t('coach', lang)}** · {t('dim_empathy', lang)} {a.empathy.level}/2"
                    f" · {t('dim_tone', lang)} {a.tone.score:.0f}"
                    f" · {t('dim_privacy', lang)} {a.privacy.score:.0f}")
        if not problems:
            st.success(t("no_findings", lang))
        for f in problems[:CARD_FINDINGS]:
            st.markdown(finding_title(f, lang) + ": " + scorer_text(f.explanation, lang))
            if 0 <= f.start < f.end:
                st.markdown("› " + highlight(coaching.reply_text, f.start, f.end))
            if f.suggestion:
                st.caption("→ " + scorer_text(f.suggestion, lang))
        if len(problems) > CARD_FINDINGS:
            st.caption(t("more_findings", lang, n=len(problems) - CARD_FINDINGS))
        if coaching.better and problems:
            st.markdown(f"_{t('better', lang)}:_")
            st.info(inert(coaching.better))
            st.caption(t("better_note", lang))

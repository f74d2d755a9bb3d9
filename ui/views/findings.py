"""The scorecard's complete parts: every finding grouped by dimension and paged (never cut),
each with its clock time, the words it is about, and the better reply for that reply; and the
customers' CSAT and NPS with their distribution and the conversations that earned them."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from engine.records import MentionArrived, ReplySent, StatusPosted
from scoring.records import FeedbackSummary, Finding
from stormdesk.coach import better_by_event, suggestion
from stormdesk.reviews import StoredDrill
from ui.i18n import label, t
from ui.markup import cells, highlight, inert
from ui.views.coach import finding_title, scorer_text

#: Findings per page of a dimension (four open dimensions stay a readable page).
PAGE_FINDINGS = 10
SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2}


def shown_findings(card: Any) -> dict[str, list[Finding]]:
    """Dimension -> its findings a trainee should read (not the info ones), most severe
    first, then in drill order."""
    out: dict[str, list[Finding]] = {}
    for d in card.dimensions:
        out[d.name] = sorted((f for f in d.findings if f.severity != "info"),
                             key=lambda f: SEVERITY_RANK.get(f.severity, 3))
    return out


def render_findings(stored: StoredDrill, lang: str, key: str = "card") -> None:
    """Every finding, one section per dimension (most severe first), each paged."""
    groups = shown_findings(stored.scorecard)
    total = sum(len(v) for v in groups.values())
    st.caption(t("findings_total", lang, n=total))
    if not total:
        st.success(t("no_findings_card", lang))
        return
    replies: dict[str, ReplySent | StatusPosted] = {
        e.event_id: e for e in stored.transcript if isinstance(e, ReplySent | StatusPosted)}
    for name, items in groups.items():
        if not items:
            continue
        title = t("n_findings", lang, name=label("dim", name, lang), n=len(items))
        with st.expander(title, expanded=True):
            pages = max(1, -(-len(items) // PAGE_FINDINGS))
            page = 1
            if pages > 1:
                page = int(st.number_input(t("page_of", lang, pages=pages), min_value=1,
                                           max_value=pages, step=1,
                                           key=f"{key}_findings_page_{name}"))
            window = items[(page - 1) * PAGE_FINDINGS: page * PAGE_FINDINGS]
            _page(stored, window, replies, lang)


def _page(stored: StoredDrill, window: list[Finding],
          replies: dict[str, ReplySent | StatusPosted], lang: str) -> None:
    scenario = stored.scenario
    better = better_by_event(stored, only={f.event_id for f in window if f.event_id})
    for f in window:
        reply = replies.get(f.event_id or "")
        where = []
        if reply is not None:
            where.append(scenario.clock_label(reply.minute))
        if f.thread_id:
            where.append(t("thread_id", lang, id=f.thread_id))
        st.markdown(finding_title(f, lang) + (" · " + " · ".join(where) if where else ""))
        if reply is not None:
            st.markdown("› " + highlight(reply.text, f.start, f.end))
        elif f.text:
            st.markdown("› " + inert(f.text))
        st.markdown(scorer_text(f.explanation, lang))
        advice = suggestion(f, scenario)
        if advice:
            st.caption("→ " + scorer_text(advice, lang))
        improved = better.get(f.event_id or "")
        if improved and isinstance(reply, ReplySent):
            st.markdown(f"_{t('better', lang)}:_ " + inert(improved))
        st.caption(f"`{inert(f.rule)}`")
        st.divider()


def feedback_of(stored: StoredDrill) -> FeedbackSummary:
    """The card's CSAT/NPS, or, for a card scored before they were recorded, the transcript's."""
    return stored.scorecard.feedback or FeedbackSummary.of(stored.transcript)


def render_feedback(stored: StoredDrill, lang: str) -> None:
    """CSAT and NPS: headline, distribution, and which conversations earned them."""
    summary = feedback_of(stored)
    if not summary.responses:
        st.info(t("no_feedback", lang))
        return
    a, b, c = st.columns(3)
    a.metric(t("csat", lang), f"{summary.csat_mean:.2f}/5",
             help=t("csat_help", lang))
    b.metric(t("csat_satisfied", lang), f"{summary.csat_satisfied or 0:.0%}")
    c.metric(t("nps", lang), f"{summary.nps:+.0f}", help=t("nps_help", lang))
    bands = summary.nps_bands()
    st.caption(t("nps_bands", lang, promoters=bands["promoters"], passives=bands["passives"],
                 detractors=bands["detractors"], n=summary.responses))
    left, right = st.columns(2)
    csat = pd.DataFrame([{"value": f"{k}★", "answers": v}
                         for k, v in summary.csat_distribution().items()])
    left.markdown(f"**{t('csat_distribution', lang)}**")
    left.altair_chart(alt.Chart(csat).mark_bar().encode(
        x=alt.X("value:N", sort=None, title=t("csat", lang)),
        y=alt.Y("answers:Q", title=t("axis_answers", lang))), width="stretch")
    nps = pd.DataFrame([{"value": k, "answers": v,
                         "band": t("nps_" + ("promoter" if k >= 9 else "passive" if k >= 7
                                             else "detractor"), lang)}
                        for k, v in summary.nps_distribution().items()])
    right.markdown(f"**{t('nps_distribution', lang)}**")
    right.altair_chart(alt.Chart(nps).mark_bar().encode(
        x=alt.X("value:O", title=t("nps", lang)),
        y=alt.Y("answers:Q", title=t("axis_answers", lang)),
        color=alt.Color("band:N", title="")), width="stretch")
    threads = {e.thread_id: e for e in stored.transcript if isinstance(e, MentionArrived)}
    rows = []
    for answer in sorted(summary.answers, key=lambda x: x.minute):
        opening = threads.get(answer.thread_id)
        rows.append({
            t("col_clock", lang): stored.scenario.clock_label(answer.minute),
            t("col_thread", lang): answer.thread_id,
            t("col_customer", lang): ("@" + opening.author.handle) if opening else "",
            t("csat", lang): f"{answer.csat}/5",
            t("nps", lang): answer.nps,
            t("col_reasons", lang): ", ".join(label("reason", r, lang)
                                              for r in answer.reasons)})
    st.markdown(f"**{t('feedback_by_thread', lang)}**")
    st.dataframe(pd.DataFrame(cells(rows)), hide_index=True, width="stretch")

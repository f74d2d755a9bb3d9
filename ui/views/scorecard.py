"""The scorecard: overall and per-dimension scores, every finding with its evidence, charts,
the transcript replay and downloads."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from engine.records import (
    CustomerFollowedUp,
    CustomerReplied,
    Event,
    MentionArrived,
    ReplySent,
    ReputationSampled,
    StatusPosted,
)
from engine.scenario import Scenario
from stormdesk import exports
from stormdesk.reviews import StoredDrill
from ui import auth, services, state
from ui.downloads import download
from ui.i18n import t
from ui.markup import highlight, inert
from ui.nav import page


def render() -> None:
    """The trainee's scorecards: the drill just ended, or any earlier one of their own."""
    lang = state.language()
    user = auth.current_user()
    if user is None:
        return
    reviews = services.app().reviews
    mine = reviews.drills_for(user.viewer, trainee_id=user.id, status="ended")
    wanted = st.query_params.get("drill")
    live = state.drill()
    if wanted is None and live is not None and live.ended:
        wanted = live.drill_id
    ids = [s.drill.id for s in mine]
    if wanted and wanted not in ids:
        ids.insert(0, wanted)  # a deep link: the store decides whether this user may see it
    if not ids:
        st.info(t("no_scorecards", lang))
        st.page_link(page("start"), label=t("start_title", lang), icon="🌩️")
        return
    labels = {s.drill.id: f"{s.drill.started_at:%Y-%m-%d %H:%M} · {s.drill.scenario_id} · "
              + ("-" if s.overall is None else f"{s.overall:.0f}") for s in mine}
    chosen = st.selectbox(t("my_drills", lang), ids, index=ids.index(wanted) if wanted else 0,
                          format_func=lambda i: labels.get(i, i), key="scorecard_pick")
    stored = reviews.load(user.viewer, chosen)
    if stored is None:
        st.error(t("no_such_drill", lang))
        return
    record = stored.record
    overrides = reviews.overrides(user.viewer, record.id)
    comments = reviews.comments(user.viewer, record.id)
    if overrides or comments:
        with st.container(border=True):
            st.markdown(f"**{t('feedback', lang)}**")
            for o in overrides:
                auto = "-" if o.auto_score is None else f"{o.auto_score:.0f}"
                st.markdown(f"• {o.dimension}: {auto} → **{o.score:.0f}** · "
                            + inert(o.reason) + f" ({inert(o.author_username)})")
            for c in comments:
                st.markdown(f"• **{inert(c.author_username)}**: " + inert(c.text))
    show(stored, pdf_overrides=overrides)


def show(stored: StoredDrill, pdf_overrides: Any = ()) -> None:
    """Draw a scorecard (the trainee's page and the manager's review)."""
    card, transcript, scenario = stored.scorecard, stored.transcript, stored.scenario
    trainee = stored.record.trainee_username
    st.title(f"{inert(scenario.title)}: {inert(trainee)}")
    st.caption(f"seed {card.seed} · scenario {card.scenario_id} ({card.scenario_hash}) · "
               f"scorer {card.scorer_version}")
    if stored.world_changed:
        st.warning(t("world_changed_card", state.language(),
                     parts=", ".join(stored.world_changed)), icon="⚠️")
    lang = state.language()
    _headline(stored, lang)
    replies: dict[str, ReplySent | StatusPosted] = {
        e.event_id: e for e in transcript if isinstance(e, ReplySent | StatusPosted)}
    tabs = st.tabs([t("tab_findings", lang), t("tab_charts", lang), t("tab_replay", lang),
                    t("tab_downloads", lang)])
    with tabs[0]:
        _findings(card, replies)
    with tabs[1]:
        _charts(card, transcript, scenario)
    with tabs[2]:
        _replay(transcript, scenario)
    with tabs[3]:
        _downloads(stored, pdf_overrides)


def _headline(stored: StoredDrill, lang: str) -> None:
    """The grade a manager certifies on: effective scores (a manager's override where there is
    one) with the scorer's own beside them, how much of the drill was played and whom it
    reached, and what failed."""
    card = stored.scorecard
    cols = st.columns(1 + len(card.dimensions))

    def metric(col: Any, label: str, name: str, auto: float | None, help_text: str) -> None:
        value = stored.effective(name)
        shown = "-" if value is None else f"{value:.0f}"
        if stored.overridden(name):
            auto_text = "-" if auto is None else f"{auto:.0f}"
            col.metric(label, shown, delta=t("auto_score", lang, score=auto_text),
                       delta_color="off", help=t("overridden_help", lang))
        else:
            col.metric(label, shown, help=help_text or None)

    metric(cols[0], t("overall", lang), "overall", card.overall, "")
    for col, d in zip(cols[1:], card.dimensions, strict=True):
        weight = card.weights.get(d.name, 0.0)
        if d.error:
            help_text = inert(d.error)
        elif d.score is None:
            help_text = t("nothing_to_score", lang)
        else:
            help_text = f"judge: {d.judge}"
        metric(col, f"{t('dim_' + d.name, lang)} ({t('weight', lang)} {weight:.0%})",
               d.name, d.score, help_text)
    mode = t("mode_" + (card.mode or stored.record.mode), lang)
    played = card.minutes_played
    length = card.drill_minutes or stored.scenario.duration_minutes
    parts = [mode]
    if played is not None:
        parts.append(t("played_of", lang, played=stored.scenario.clock_label(played),
                       length=stored.scenario.clock_label(length),
                       minutes=f"{played:.0f}", total=f"{length:.0f}"))
    cov = card.coverage
    if cov.customers:
        parts.append(t("coverage_line", lang, answered=cov.answered, customers=cov.customers,
                       share=f"{cov.share or 0:.0%}"))
    complete = card.complete
    label = t("complete", lang) if complete else t("partial", lang)
    st.markdown(" · ".join(parts) + f" · **{label}**")
    if complete is False:
        st.info(t("partial_note", lang))
    for name in card.failed:
        failed = card.dimension(name)
        st.error(t("dimension_failed", lang, name=t("dim_" + name, lang),
                   error=inert(failed.error or "") if failed else ""))


def _findings(card: Any, replies: dict[str, ReplySent | StatusPosted]) -> None:
    for d in card.dimensions:
        shown = [f for f in d.findings if f.severity != "info"]
        with st.expander(t("n_findings", state.language(), name=d.name, n=len(shown)),
                         expanded=bool(shown)):
            for f in shown[:200]:
                reply = replies.get(f.event_id or "")
                st.markdown(f"**{inert(f.rule)}** ({f.severity}) · {f.kind}"
                            + (f" · thread {f.thread_id}" if f.thread_id else ""))
                if reply is not None:
                    st.markdown("› " + highlight(reply.text, f.start, f.end))
                elif f.text:
                    st.markdown("› " + inert(f.text))
                st.markdown(inert(f.explanation))
                if f.suggestion:
                    st.caption("→ " + inert(f.suggestion))
                st.divider()


def _charts(card: Any, transcript: list[Event], scenario: Scenario) -> None:
    opened = {e.thread_id: e for e in transcript if isinstance(e, MentionArrived)}
    first: dict[str, float] = {}
    for e in transcript:
        if isinstance(e, ReplySent) and e.thread_id not in first:
            first[e.thread_id] = e.minute - opened[e.thread_id].minute
    if first:
        frame = pd.DataFrame([{"thread": tid, "minutes": m, "priority": opened[tid].priority,
                               "SLA": scenario.sla_minutes.for_priority(opened[tid].priority)}
                              for tid, m in first.items()])
        st.markdown(f"**{t('chart_first', state.language())}**")
        bars = alt.Chart(frame).mark_bar().encode(
            x=alt.X("thread:N", sort=None, axis=alt.Axis(labels=False)), y="minutes:Q",
            color="priority:N", tooltip=["thread", "minutes", "priority", "SLA"])
        ticks = alt.Chart(frame).mark_tick(color="red", thickness=2).encode(
            x=alt.X("thread:N", sort=None), y="SLA:Q")
        st.altair_chart(bars + ticks, width="stretch")
    samples = pd.DataFrame([{"minute": e.minute, "reputation": e.reputation,
                             "waiting": e.waiting_threads}
                            for e in transcript if isinstance(e, ReputationSampled)])
    if not samples.empty:
        st.markdown(f"**{t('chart_backlog', state.language())}**")
        base = alt.Chart(samples).encode(x=alt.X("minute:Q", title="simulated minute"))
        st.altair_chart(alt.layer(
            base.mark_area(opacity=0.3).encode(y=alt.Y("waiting:Q", title="waiting")),
            base.mark_line(color="black").encode(
                y=alt.Y("reputation:Q", scale=alt.Scale(domain=[0, 100])))
        ).resolve_scale(y="independent"), width="stretch")
    per_reply = _scores_by_volume(card, transcript)
    if not per_reply.empty:
        st.markdown(f"**{t('chart_volume', state.language())}**")
        st.altair_chart(alt.Chart(per_reply).mark_circle(size=60).encode(
            x=alt.X("arrivals in last 10 min:Q"), y=alt.Y("findings:Q"),
            tooltip=["minute", "findings"]), width="stretch")


def _scores_by_volume(card: Any, transcript: list[Event]) -> pd.DataFrame:
    arrivals = [e.minute for e in transcript if isinstance(e, MentionArrived)]
    counts: dict[str, int] = {}
    for d in card.dimensions:
        for f in d.findings:
            if f.event_id and f.severity != "info":
                counts[f.event_id] = counts.get(f.event_id, 0) + 1
    rows = []
    for e in transcript:
        if isinstance(e, ReplySent):
            volume = sum(1 for m in arrivals if e.minute - 10 <= m <= e.minute)
            rows.append({"minute": e.minute, "arrivals in last 10 min": volume,
                         "findings": counts.get(e.event_id, 0)})
    return pd.DataFrame(rows)


def _replay(transcript: list[Event], scenario: Scenario) -> None:
    visible = (MentionArrived, CustomerFollowedUp, CustomerReplied, ReplySent, StatusPosted)
    rows = [{"clock": scenario.clock_label(e.minute), "minute": e.minute, "event": e.type,
             "thread": getattr(e, "thread_id", ""), "channel": getattr(e, "channel", "public"),
             "who": ("@" + e.author.handle) if isinstance(e, MentionArrived)
             else getattr(e, "agent", ""),
             "text": getattr(e, "text", "")}
            for e in transcript if isinstance(e, visible)]
    if not rows:
        st.caption("Nothing happened.")
        return
    frame = pd.DataFrame(rows)
    lang = state.language()
    upto = st.slider(t("replay_upto", lang), 0.0, float(scenario.duration_minutes),
                     float(scenario.duration_minutes), step=1.0, key="replay_minute")
    only_mine = st.toggle(t("replay_mine", lang), key="replay_mine")
    view = frame[frame["minute"] <= upto]
    if only_mine:
        answered = set(frame.loc[frame["event"] == "ReplySent", "thread"])
        view = view[view["thread"].isin(answered)]
    st.dataframe(view, hide_index=True, width="stretch", height=420)


def _downloads(stored: StoredDrill, overrides: Any = ()) -> None:
    """Files built on click for the logged-in viewer (no download URL exists: ui.downloads)."""
    lang = state.language()
    download(t("dl_transcript", lang), lambda: exports.transcript_jsonl(stored),
             "transcript.jsonl", "application/json", key="dl_transcript")
    download(t("dl_card", lang), lambda: exports.scorecard_json(stored), "scorecard.json",
             "application/json", key="dl_card")
    download(t("dl_csv", lang), lambda: exports.replies_csv(stored), "replies.csv",
             "text/csv", key="dl_csv")
    download(t("dl_pdf", lang), lambda: exports.scorecard_pdf(stored, overrides),
             "scorecard.pdf", "application/pdf", key="dl_pdf")

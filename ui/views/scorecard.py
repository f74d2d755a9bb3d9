"""The scorecard: overall and per-dimension scores, the customers' CSAT and NPS, every finding
with its evidence and better reply (grouped and paged: ui/views/findings.py), charts, the
transcript replay and downloads; clock times (09:13) throughout, in the interface's language."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from engine.projection import Projection
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
from stormdesk.coach import better_by_event
from stormdesk.reviews import StoredDrill
from ui import auth, services, state
from ui.downloads import download
from ui.i18n import label, t
from ui.markup import cells, inert
from ui.nav import page
from ui.views import findings


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
                          format_func=lambda i: labels.get(i, i), key="scorecard_pick",
                          on_change=_follow_pick)
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
                st.markdown(f"• {dimension_name(o.dimension, lang)}: {auto} → "
                            f"**{o.score:.0f}** · " + inert(o.reason)
                            + f" ({inert(o.author_username)})")
            for c in comments:
                st.markdown(f"• **{inert(c.author_username)}**: " + inert(c.text))
    show(stored, pdf_overrides=overrides)


def _follow_pick() -> None:
    """Picking another drill drops a deep link's id from the address."""
    if "drill" in st.query_params:
        del st.query_params["drill"]


def dimension_name(name: str, lang: str) -> str:
    return label("dim", name, lang)


def show(stored: StoredDrill, pdf_overrides: Any = (), key: str = "card") -> None:
    """Draw a scorecard (the trainee's page and the manager's review)."""
    card, transcript, scenario = stored.scorecard, stored.transcript, stored.scenario
    lang = state.language()
    trainee = stored.record.trainee_username
    st.title(f"{inert(scenario.title)}: {inert(trainee)}")
    st.caption(t("card_caption", lang, seed=card.seed, scenario=card.scenario_id,
                 hash=card.scenario_hash, scorer=card.scorer_version))
    if stored.world_changed:
        st.warning(t("world_changed_card", lang, parts=", ".join(stored.world_changed)),
                   icon="⚠️")
    _headline(stored, lang)
    tabs = st.tabs([t("tab_findings", lang), t("tab_feedback", lang), t("tab_charts", lang),
                    t("tab_replay", lang), t("tab_downloads", lang)])
    with tabs[0]:
        findings.render_findings(stored, lang, key)
    with tabs[1]:
        findings.render_feedback(stored, lang)
    with tabs[2]:
        _charts(card, transcript, scenario, lang)
    with tabs[3]:
        _replay(transcript, scenario, lang, key)
    with tabs[4]:
        _downloads(stored, pdf_overrides, lang, key)


def _headline(stored: StoredDrill, lang: str) -> None:
    """The grade a manager certifies on: effective scores (a manager's override where there is
    one) with the scorer's own beside them, how much of the drill was played and whom it
    reached, the customers' CSAT and NPS, and what failed."""
    card = stored.scorecard
    cols = st.columns(1 + len(card.dimensions) + 1)

    def metric(col: Any, name: str, key: str, auto: float | None, help_text: str) -> None:
        value = stored.effective(key)
        shown = "-" if value is None else f"{value:.0f}"
        if stored.overridden(key):
            auto_text = "-" if auto is None else f"{auto:.0f}"
            col.metric(name, shown, delta=t("auto_score", lang, score=auto_text),
                       delta_color="off", help=t("overridden_help", lang))
        else:
            col.metric(name, shown, help=help_text or None)

    metric(cols[0], t("overall", lang), "overall", card.overall, "")
    for col, d in zip(cols[1:], card.dimensions, strict=False):
        weight = card.weights.get(d.name, 0.0)
        if d.error:
            help_text = inert(d.error)
        elif d.score is None:
            help_text = t("nothing_to_score", lang)
        else:
            help_text = t("judged_by", lang, judge=d.judge)
        metric(col, f"{dimension_name(d.name, lang)} ({t('weight', lang)} {weight:.0%})",
               d.name, d.score, help_text)
    summary = findings.feedback_of(stored)
    csat = "-" if summary.csat_mean is None else f"{summary.csat_mean:.1f}/5"
    nps = "" if summary.nps is None else f" · NPS {summary.nps:+.0f}"
    cols[-1].metric(t("csat", lang), csat, help=t("csat_help", lang))
    if summary.responses:
        cols[-1].caption(t("answers_n", lang, n=summary.responses) + nps)
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
    done = t("complete", lang) if complete else t("partial", lang)
    st.markdown(" · ".join(parts) + f" · **{done}**")
    if complete is False:
        st.info(t("partial_note", lang))
    for name in card.failed:
        failed = card.dimension(name)
        st.error(t("dimension_failed", lang, name=dimension_name(name, lang),
                   error=inert(failed.error or "") if failed else ""))


def _times(minutes: Any, scenario: Scenario) -> Any:
    """Simulated minutes as wall-clock times on a fixed day, for time axes shown as 09:13."""
    hours, mins = (int(x) for x in scenario.start_clock.split(":"))
    base = pd.Timestamp(2000, 1, 1, hours, mins)
    return [base + pd.Timedelta(minutes=float(m)) for m in minutes]


def _charts(card: Any, transcript: list[Event], scenario: Scenario, lang: str) -> None:
    # First responses from the shared projection (engine.projection), as the scorer reads them.
    answered = sorted((th for th in Projection.of(transcript).threads.values()
                       if th.first_reply_minute is not None),
                      key=lambda th: (th.first_reply_minute, th.thread_id))
    if answered:
        frame = pd.DataFrame([{
            "thread": th.thread_id,
            "minutes": round(float(th.first_reply_minute or 0.0) - th.opened_minute, 1),
            "priority": label("priority", th.priority, lang),
            "opened": scenario.clock_label(th.opened_minute),
            "SLA": scenario.sla_minutes.for_priority(th.priority)}
            for th in answered])
        st.markdown(f"**{t('chart_first', lang)}**")
        bars = alt.Chart(frame).mark_bar().encode(
            x=alt.X("thread:N", sort=None, axis=alt.Axis(labels=False),
                    title=t("axis_threads", lang)),
            y=alt.Y("minutes:Q", title=t("axis_first_reply", lang)),
            color=alt.Color("priority:N", title=t("col_priority", lang)),
            tooltip=["thread", "opened", "minutes", "priority", "SLA"])
        ticks = alt.Chart(frame).mark_tick(color="red", thickness=2).encode(
            x=alt.X("thread:N", sort=None), y="SLA:Q")
        st.altair_chart(bars + ticks, width="stretch")
    samples = pd.DataFrame([{"minute": e.minute, "reputation": e.reputation,
                             "waiting": e.waiting_threads}
                            for e in transcript if isinstance(e, ReputationSampled)])
    if not samples.empty:
        samples["time"] = _times(samples["minute"], scenario)
        st.markdown(f"**{t('chart_backlog', lang)}**")
        base = alt.Chart(samples).encode(x=alt.X("time:T", title=t("axis_clock", lang),
                                                 axis=alt.Axis(format="%H:%M")))
        st.altair_chart(alt.layer(
            base.mark_area(opacity=0.3).encode(y=alt.Y("waiting:Q",
                                                       title=t("waiting", lang))),
            base.mark_line(color="black").encode(
                y=alt.Y("reputation:Q", title=t("reputation", lang),
                        scale=alt.Scale(domain=[0, 100])))
        ).resolve_scale(y="independent"), width="stretch")
    per_reply = _scores_by_volume(card, transcript, scenario)
    if not per_reply.empty:
        st.markdown(f"**{t('chart_volume', lang)}**")
        st.altair_chart(alt.Chart(per_reply).mark_circle(size=60).encode(
            x=alt.X("arrivals:Q", title=t("axis_arrivals", lang)),
            y=alt.Y("findings:Q", title=t("axis_findings", lang)),
            tooltip=["clock", "findings"]), width="stretch")


def _scores_by_volume(card: Any, transcript: list[Event], scenario: Scenario) -> pd.DataFrame:
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
            rows.append({"clock": scenario.clock_label(e.minute), "arrivals": volume,
                         "findings": counts.get(e.event_id, 0)})
    return pd.DataFrame(rows)


REPLAY_EVENTS = (MentionArrived, CustomerFollowedUp, CustomerReplied, ReplySent, StatusPosted)


def _replay(transcript: list[Event], scenario: Scenario, lang: str, key: str) -> None:
    rows = [(e.minute, {
        t("col_clock", lang): scenario.clock_label(e.minute),
        t("col_event", lang): label("event", e.type, lang),
        t("col_thread", lang): getattr(e, "thread_id", ""),
        t("col_channel", lang): label("channel", getattr(e, "channel", "public"), lang),
        t("col_who", lang): ("@" + e.author.handle) if isinstance(e, MentionArrived)
        else getattr(e, "agent", ""),
        t("col_message", lang): getattr(e, "text", "")})
        for e in transcript if isinstance(e, REPLAY_EVENTS)]
    if not rows:
        st.caption(t("nothing_happened", lang))
        return
    last = int(scenario.duration_minutes)
    upto = st.select_slider(t("replay_upto", lang), options=list(range(0, last + 1)),
                            value=last, key=f"{key}_replay_minute",
                            format_func=scenario.clock_label)
    only_mine = st.toggle(t("replay_mine", lang), key=f"{key}_replay_mine")
    answered = {e.thread_id for e in transcript if isinstance(e, ReplySent)}
    thread_col = t("col_thread", lang)
    view = [row for minute, row in rows if minute <= upto
            and (not only_mine or row[thread_col] in answered)]
    st.dataframe(pd.DataFrame(cells(view)), hide_index=True, width="stretch", height=420)


def _downloads(stored: StoredDrill, overrides: Any, lang: str, key: str) -> None:
    """Files built on click for the logged-in viewer (no download URL exists: ui.downloads)."""
    download(t("dl_transcript", lang), lambda: exports.transcript_jsonl(stored),
             "transcript.jsonl", "application/json", key=f"{key}_dl_transcript")
    download(t("dl_card", lang), lambda: exports.scorecard_json(stored), "scorecard.json",
             "application/json", key=f"{key}_dl_card")
    download(t("dl_csv", lang), lambda: exports.replies_csv(stored, lang), "replies.csv",
             "text/csv", key=f"{key}_dl_csv")
    download(t("dl_pdf", lang), lambda: exports.scorecard_pdf(
        stored, overrides, lang, better_by_event(stored)), "scorecard.pdf", "application/pdf",
        key=f"{key}_dl_pdf")

"""The manager's dashboard: cohort (with CSAT and NPS), trends, recurring findings (each once,
with who made it), drill review and compare, in the interface's language."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from scoring.records import FeedbackSummary, Scorecard
from store.records import User
from stormdesk import exports
from stormdesk.errors import StoreError
from stormdesk.reviews import FindingGroup, StoredDrill
from ui import auth, services, state
from ui.data import catalogue
from ui.downloads import download
from ui.i18n import label, t
from ui.markup import cells, inert
from ui.views import room_dashboard, scorecard

DIMENSIONS = ("overall", "speed", "empathy", "tone", "privacy")


def render() -> None:
    lang = state.language()
    user = auth.current_user()
    if user is None or user.role not in ("manager", "admin"):
        st.error(t("managers_only", lang))
        return
    reviews = services.app().reviews
    team_id = _team_filter(user, lang)
    tabs = st.tabs([t("tab_cohort", lang), t("tab_trends", lang), t("tab_recurring", lang),
                    t("tab_review", lang), t("tab_compare", lang), t("tab_agreement", lang),
                    t("room_nav", lang)])
    with tabs[0]:
        _cohort(user, team_id, lang)
    with tabs[1]:
        _trends(user, team_id, lang)
    with tabs[2]:
        groups = reviews.recurring_by_kind(user.viewer, team_id=team_id, min_occurrences=2)
        if not groups:
            st.caption(t("no_recurring", lang))
        for g in groups[:100]:
            st.markdown("• " + recurring_line(g, lang))
    with tabs[3]:
        _review(user, team_id, lang)
    with tabs[4]:
        _compare(user, team_id, lang)
    with tabs[5]:
        rows = [{t("col_dimension", lang): dim_name(a.dimension, lang),
                 t("col_overrides", lang): a.overrides,
                 t("col_mean_diff", lang): round(a.mean_abs_diff, 1),
                 t("col_within_10", lang): f"{a.within_10_share:.0%}",
                 t("col_higher_by", lang): round(a.mean_diff, 1)}
                for a in reviews.agreement(user.viewer, team_id=team_id)]
        st.caption(t("agreement_note", lang))
        st.dataframe(pd.DataFrame(cells(rows)), hide_index=True, width="stretch")
    with tabs[6]:
        room_dashboard.render(user, team_id)


def dim_name(name: str, lang: str) -> str:
    return label("dim", name, lang)


def recurring_line(g: FindingGroup, lang: str) -> str:
    """"asks_pii_public: 7 times in 3 drills (dana 5, sam 2)", inert and in ``lang``."""
    who = ", ".join(f"{inert(name)} {n}" for name, n in g.trainees)
    return (f"**{inert(label('kind', g.kind, lang))}** ({dim_name(g.dimension, lang)}): "
            + t("recurring_counts", lang, n=g.occurrences, drills=g.drills) + f" · {who}")


def _team_filter(user: User, lang: str) -> int | None:
    if user.role != "admin":
        return user.team_id
    teams = services.app().reviews.teams(user.viewer)
    options: list[int | None] = [None, *[tm.id for tm in teams]]
    names = {tm.id: tm.name for tm in teams}
    return st.selectbox(t("team", lang), options, key="dash_team",
                        format_func=lambda i: t("all_teams", lang) if i is None else names[i])


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _csat(summary: FeedbackSummary) -> str:
    return "" if summary.csat_mean is None else f"{summary.csat_mean:.1f}"


def _nps(summary: FeedbackSummary) -> str:
    return "" if summary.nps is None else f"{summary.nps:+.0f}"


def _played(played: Any, lang: str) -> str:
    minutes = "-" if played.minutes_played is None else f"{played.minutes_played:.0f}"
    length = "-" if played.drill_minutes is None else f"{played.drill_minutes:.0f}"
    answered = ("-" if played.customers is None or played.answered is None
                else f"{played.answered}/{played.customers}")
    return t("played_short", lang, minutes=minutes, length=length, answered=answered)


def _cohort(user: User, team_id: int | None, lang: str) -> None:
    reviews = services.app().reviews
    rows = reviews.cohort_feedback(user.viewer, team_id=team_id)
    if not rows:
        st.caption(t("no_finished", lang))
    st.caption(t("cohort_note", lang))
    records = []
    for item in rows:
        r = item.row
        passed = ("—" if r.passed is None else
                  ("✓ " + t("pass", lang)) if r.passed else
                  ("✗ " + t("fail", lang) + ": " + (", ".join(dim_name(d, lang)
                                                        for d in r.failed_dimensions)
                                                   or t("no_complete_assessment", lang))))
        records.append({
            t("col_trainee", lang): r.display_name or r.username,
            t("col_scenario", lang): r.scenario_id,
            t("col_drills", lang): r.drills, t("col_assessments", lang): r.assessments,
            t("col_latest", lang): t("mode_" + r.latest_mode, lang)
            + ("" if r.latest_played.complete else f" ({t('partial', lang)})"),
            t("col_played", lang): _played(r.latest_played, lang),
            **{t("col_latest_dim", lang, dim=dim_name(d, lang)): _score(r.latest.get(d))
               for d in DIMENSIONS},
            t("col_overridden", lang): " ✎ " + ", ".join(
                dim_name(d, lang) for d in sorted(r.latest_overridden))
            if r.latest_overridden else "",
            **{t("col_best_dim", lang, dim=dim_name(d, lang)): _score(r.best.get(d))
               for d in DIMENSIONS},
            t("col_csat_latest", lang): _csat(item.latest),
            t("col_nps_latest", lang): _nps(item.latest),
            t("col_csat_all", lang): _csat(item.pooled),
            t("col_nps_all", lang): _nps(item.pooled),
            t("col_answers", lang): item.pooled.responses,
            t("col_pass", lang): passed,
            t("col_latest_drill", lang): r.latest_drill_id})
    table = pd.DataFrame(cells(records))
    st.dataframe(table, hide_index=True, width="stretch")
    download(t("dl_cohort", lang), lambda: exports.table_csv(records), "cohort.csv",
             "text/csv", key="dl_cohort", disabled=table.empty)
    if team_id is None:
        st.caption(t("pick_team", lang))
        return
    with st.expander(t("pass_marks", lang)):
        ids = sorted(catalogue().scenarios)
        c1, c2, c3 = st.columns(3)
        scenario_id = c1.selectbox(t("scenario", lang), ids, key="th_scenario")
        dimension = c2.selectbox(t("col_dimension", lang), DIMENSIONS, key="th_dimension",
                                 format_func=lambda d: dim_name(d, lang))
        minimum = c3.number_input(t("minimum_score", lang), 0.0, 100.0, 70.0, step=5.0,
                                  key="th_min")
        if st.button(t("set_pass_mark", lang), key="th_set"):
            reviews.set_threshold(user.viewer, team_id, scenario_id, dimension, minimum)
            st.rerun()
        marks = reviews.thresholds(user.viewer, team_id)
        st.dataframe(pd.DataFrame(cells([{t("col_scenario", lang): m.scenario_id,
                                          t("col_dimension", lang): dim_name(m.dimension,
                                                                             lang),
                                          t("minimum_score", lang): m.minimum}
                                         for m in marks])), hide_index=True)


def _trainees(user: User, team_id: int | None) -> dict[int, str]:
    seen: dict[int, str] = {}
    for s in services.app().reviews.drills_for(user.viewer, status="ended", limit=1000):
        if team_id is None or s.drill.team_id == team_id:
            seen[s.drill.trainee_id] = s.drill.trainee_username
    return seen


def _trends(user: User, team_id: int | None, lang: str) -> None:
    trainees = _trainees(user, team_id)
    if not trainees:
        st.caption(t("no_finished", lang))
        return
    trainee_id = st.selectbox(t("col_trainee", lang), list(trainees),
                              format_func=trainees.__getitem__, key="trend_trainee")
    reviews = services.app().reviews
    history = reviews.history_feedback(user.viewer, team_id=team_id, trainee_id=trainee_id)
    rows = []
    satisfaction = []
    for item in history:
        h = item.scores
        kind = (t("mode_assessment", lang) if h.certifying else
                t("mode_" + h.drill.mode, lang) + ("" if h.complete
                                                   else f" ({t('partial', lang)})"))
        for d, v in h.scores.items():
            if v is not None:
                rows.append({"ended": h.drill.ended_at, "scenario": h.drill.scenario_id,
                             "dimension": dim_name(d, lang), "score": v, "kind": kind,
                             "played": _played(h.played, lang)})
        if item.feedback.responses:
            satisfaction.append({"ended": h.drill.ended_at, "scenario": h.drill.scenario_id,
                                 "CSAT": item.feedback.csat_mean, "NPS": item.feedback.nps,
                                 "answers": item.feedback.responses})
    if not rows:
        st.caption(t("no_scores", lang))
        return
    st.altair_chart(alt.Chart(pd.DataFrame(rows)).mark_line(point=True).encode(
        x=alt.X("ended:T", title=t("axis_drill_ended", lang)),
        y=alt.Y("score:Q", title=t("axis_score", lang), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("dimension:N", title=t("col_dimension", lang)),
        shape=alt.Shape("kind:N", title=t("axis_drill", lang)),
        tooltip=["scenario", "dimension", "score", "kind", "played"]), width="stretch")
    st.caption(t("trends_note", lang))
    if satisfaction:
        frame = pd.DataFrame(satisfaction)
        st.markdown(f"**{t('trend_feedback', lang)}**")
        base = alt.Chart(frame).encode(x=alt.X("ended:T", title=t("axis_drill_ended", lang)))
        st.altair_chart(alt.layer(
            base.mark_line(point=True, color="#4c78a8").encode(
                y=alt.Y("CSAT:Q", title=t("csat", lang), scale=alt.Scale(domain=[1, 5])),
                tooltip=["scenario", "CSAT", "NPS", "answers"]),
            base.mark_line(point=True, color="#f58518", strokeDash=[4, 2]).encode(
                y=alt.Y("NPS:Q", title=t("nps", lang), scale=alt.Scale(domain=[-100, 100])),
                tooltip=["scenario", "CSAT", "NPS", "answers"]),
        ).resolve_scale(y="independent"), width="stretch")
    else:
        st.caption(t("no_feedback_trend", lang))
    for g in reviews.recurring_by_kind(user.viewer, trainee_id=trainee_id,
                                       min_occurrences=2)[:10]:
        st.markdown("• " + recurring_line(g, lang))


def _pick_drill(user: User, team_id: int | None, key: str, lang: str) -> str | None:
    drills = [s for s in services.app().reviews.drills_for(user.viewer, status="ended",
                                                           limit=500)
              if team_id is None or s.drill.team_id == team_id]
    if not drills:
        st.caption(t("no_finished", lang))
        return None
    labels = {s.drill.id: f"{s.drill.trainee_username} · {s.drill.scenario_id} · "
              f"{t('seed_number', lang)} {s.drill.seed} · {s.drill.ended_at:%Y-%m-%d %H:%M} · "
              + t("mode_" + s.drill.mode, lang)
              + ("" if s.complete else f" ({t('partial', lang)})") + " · "
              + ("-" if s.overall is None else f"{s.overall:.0f}") for s in drills}
    return st.selectbox(t("drill", lang), list(labels), format_func=labels.__getitem__,
                        key=key)


def _review(user: User, team_id: int | None, lang: str) -> None:
    drill_id = _pick_drill(user, team_id, "review_drill", lang)
    if drill_id is None:
        return
    reviews = services.app().reviews
    loaded = reviews.load(user.viewer, drill_id)
    if loaded is None:
        st.error(t("cannot_show_drill", lang))
        return
    cards = reviews.scorecards(user.viewer, drill_id)
    overrides = reviews.overrides(user.viewer, drill_id)
    left, right = st.columns([3, 2])
    with right:
        _overrides_box(user, cards[0].id, loaded.scorecard, overrides, lang)
        _comments_box(user, drill_id, lang)
        _rescore_box(user, drill_id, loaded, len(cards), lang)
    with left:
        scorecard.show(loaded, pdf_overrides=overrides, key="review")


def _overrides_box(user: User, scorecard_id: int, card: Scorecard, overrides: Any,
                   lang: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{t('override_title', lang)}**")
        dims = [d.name for d in card.dimensions] + ["overall"]
        dimension = st.selectbox(t("col_dimension", lang), dims, key="ov_dim",
                                 format_func=lambda d: dim_name(d, lang))
        score = st.number_input(t("your_score", lang), 0.0, 100.0, 70.0, step=1.0,
                                key="ov_score")
        reason = st.text_input(t("reason_required", lang), key="ov_reason")
        if st.button(t("save_override", lang), key="ov_save", disabled=not reason.strip()):
            try:
                services.app().reviews.override(user.viewer, scorecard_id, dimension, score,
                                                reason.strip())
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                st.toast(t("done_override", lang), icon="✏️")
                st.rerun()
        for o in overrides:
            auto = "-" if o.auto_score is None else f"{o.auto_score:.0f}"
            st.caption(f"{o.created_at:%Y-%m-%d %H:%M} · {inert(o.author_username)}: "
                       f"{dim_name(o.dimension, lang)} {auto} → {o.score:.0f} · "
                       + inert(o.reason))


def _comments_box(user: User, drill_id: str, lang: str) -> None:
    reviews = services.app().reviews
    with st.container(border=True):
        st.markdown(f"**{t('comments', lang)}**")
        for c in reviews.comments(user.viewer, drill_id):
            st.markdown(f"**{inert(c.author_username)}** · {c.created_at:%Y-%m-%d %H:%M}  \n"
                        + inert(c.text))
        text = st.text_area(t("add_comment", lang), key="comment_text")
        if st.button(t("comment", lang), key="comment_post", disabled=not text.strip()):
            try:
                reviews.comment(user.viewer, drill_id, text.strip())
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                st.toast(t("done_comment", lang), icon="💬")
                st.rerun()


def _rescore_box(user: User, drill_id: str, loaded: StoredDrill, versions: int,
                 lang: str) -> None:
    card = loaded.scorecard
    current = services.app().scorer_version()
    with st.container(border=True):
        st.markdown(t("scorer_versions", lang, version=card.scorer_version, n=versions))
        if card.scorer_version != current and st.button(
                t("rescore_with", lang, version=current), key="rescore"):
            try:
                services.app().reviews.rescore(user.viewer, drill_id)
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                st.toast(t("done_rescore", lang), icon="🔄")
                st.rerun()


def _compare(user: User, team_id: int | None, lang: str) -> None:
    drill_id = _pick_drill(user, team_id, "compare_drill", lang)
    if drill_id is None:
        return
    reviews = services.app().reviews
    peers = reviews.peers(user.viewer, drill_id)
    st.caption(t("compare_note", lang))
    if not peers:
        st.caption(t("no_peers", lang))
        return
    base = next((p for p in peers if p.drill.id == drill_id), peers[0])
    columns = st.columns(min(4, len(peers)))
    for col, peer in zip(columns, peers[:4], strict=False):
        loaded = reviews.load(user.viewer, peer.drill.id)
        with col.container(border=True):
            st.markdown(f"**{inert(peer.drill.trainee_username)}**")
            st.caption(t("mode_" + peer.drill.mode, lang)
                       + ("" if peer.complete else f" ({t('partial', lang)})")
                       + f" · {_played(peer.played, lang)}")
            if peer.world_version != base.world_version or \
                    peer.scenario_hash != base.scenario_hash:
                st.warning(t("different_world", lang,
                             this=peer.world_version or t("unknown", lang),
                             base=base.world_version or t("unknown", lang)), icon="⚠️")
            if loaded is None:
                st.caption(t("no_card", lang))
                continue
            card = loaded.scorecard
            overall = loaded.effective("overall")
            st.metric(t("overall", lang), "-" if overall is None else f"{overall:.0f}",
                      delta=None if not loaded.overridden("overall") else
                      t("auto_score", lang, score=card.overall
                        if card.overall is not None else "-"),
                      delta_color="off")
            for d in card.dimensions:
                problems = sum(f.severity != "info" for f in d.findings)
                value = loaded.effective(d.name)
                mark = " ✎" if loaded.overridden(d.name) else ""
                st.caption(f"{dim_name(d.name, lang)}: "
                           f"{'-' if value is None else f'{value:.0f}'}{mark} · "
                           + t("findings_n", lang, n=problems))
            feedback = reviews.feedback(user.viewer, peer.drill.id)
            if feedback.responses:
                st.caption(f"{t('csat', lang)} {_csat(feedback)} · {t('nps', lang)} "
                           f"{_nps(feedback)}")

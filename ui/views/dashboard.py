"""The manager's dashboard: cohort, trends, recurring findings, drill review and compare."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from scoring.records import Scorecard
from store.records import User
from stormdesk import exports
from stormdesk.errors import StoreError
from stormdesk.reviews import StoredDrill
from ui import auth, services
from ui.data import catalogue
from ui.downloads import download
from ui.markup import inert
from ui.views import scorecard

DIMENSIONS = ("overall", "speed", "empathy", "tone", "privacy")


def render() -> None:
    user = auth.current_user()
    if user is None or user.role not in ("manager", "admin"):
        st.error("Managers only.")
        return
    reviews = services.app().reviews
    team_id = _team_filter(user)
    tabs = st.tabs(["Cohort", "Trends", "Recurring findings", "Review a drill", "Compare",
                    "Agreement"])
    with tabs[0]:
        _cohort(user, team_id)
    with tabs[1]:
        _trends(user, team_id)
    with tabs[2]:
        findings = reviews.recurring_findings(user.viewer, team_id=team_id, min_occurrences=2)
        if not findings:
            st.caption("No finding has come up twice yet.")
        for f in findings[:100]:
            st.markdown("• " + inert(f.describe()))
    with tabs[3]:
        _review(user, team_id)
    with tabs[4]:
        _compare(user, team_id)
    with tabs[5]:
        rows = [{"dimension": a.dimension, "overrides": a.overrides,
                 "mean |override - auto|": round(a.mean_abs_diff, 1),
                 "within 10 points": f"{a.within_10_share:.0%}",
                 "managers score higher by": round(a.mean_diff, 1)}
                for a in reviews.agreement(user.viewer, team_id=team_id)]
        st.caption("How close manager overrides are to the automatic scores: the tool's own "
                   "accuracy, measured by the people who know best.")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _team_filter(user: User) -> int | None:
    if user.role != "admin":
        return user.team_id
    teams = services.app().reviews.teams(user.viewer)
    options: list[int | None] = [None, *[t.id for t in teams]]
    names = {t.id: t.name for t in teams}
    return st.selectbox("Team", options, key="dash_team",
                        format_func=lambda i: "all teams" if i is None else names[i])


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cohort(user: User, team_id: int | None) -> None:
    reviews = services.app().reviews
    rows = reviews.cohort(user.viewer, team_id=team_id)
    if not rows:
        st.caption("No finished drills yet.")
    st.caption("Scores are effective (a manager's override where there is one; ✎ marks it). "
               "Best and pass/fail count complete assessment drills only; practice and "
               "partial drills are shown for learning.")
    table = pd.DataFrame([{
        "trainee": r.display_name or r.username, "scenario": r.scenario_id,
        "drills": r.drills, "assessments": r.assessments,
        "latest": f"{r.latest_mode}" + ("" if r.latest_played.complete else " (partial)"),
        "played": r.latest_played.describe(),
        **{f"latest {d}": _score(r.latest.get(d)) for d in DIMENSIONS},
        "overridden": " ✎ " + ", ".join(sorted(r.latest_overridden))
        if r.latest_overridden else "",
        **{f"best {d}": _score(r.best.get(d)) for d in DIMENSIONS},
        "pass": "—" if r.passed is None else ("✓ pass" if r.passed else "✗ fail: "
                                             + (", ".join(r.failed_dimensions)
                                                or "no complete assessment")),
        "latest drill": r.latest_drill_id} for r in rows])
    st.dataframe(table, hide_index=True, width="stretch")
    records = table.to_dict("records")
    download("Cohort (CSV)", lambda: exports.table_csv(records), "cohort.csv", "text/csv",
             key="dl_cohort", disabled=table.empty)
    if team_id is None:
        st.caption("Pick a team to set pass marks.")
        return
    with st.expander("Pass marks for this team"):
        ids = sorted(catalogue().scenarios)
        c1, c2, c3 = st.columns(3)
        scenario_id = c1.selectbox("Scenario", ids, key="th_scenario")
        dimension = c2.selectbox("Dimension", DIMENSIONS, key="th_dimension")
        minimum = c3.number_input("Minimum score", 0.0, 100.0, 70.0, step=5.0, key="th_min")
        if st.button("Set pass mark", key="th_set"):
            reviews.set_threshold(user.viewer, team_id, scenario_id, dimension, minimum)
            st.rerun()
        marks = reviews.thresholds(user.viewer, team_id)
        st.dataframe(pd.DataFrame([{"scenario": m.scenario_id, "dimension": m.dimension,
                                    "minimum": m.minimum} for m in marks]), hide_index=True)


def _trainees(user: User, team_id: int | None) -> dict[int, str]:
    seen: dict[int, str] = {}
    for s in services.app().reviews.drills_for(user.viewer, status="ended", limit=1000):
        if team_id is None or s.drill.team_id == team_id:
            seen[s.drill.trainee_id] = s.drill.trainee_username
    return seen


def _trends(user: User, team_id: int | None) -> None:
    trainees = _trainees(user, team_id)
    if not trainees:
        st.caption("No finished drills yet.")
        return
    trainee_id = st.selectbox("Trainee", list(trainees), format_func=trainees.__getitem__,
                              key="trend_trainee")
    history = services.app().reviews.history(user.viewer, team_id=team_id, trainee_id=trainee_id)
    rows = [{"ended": h.drill.ended_at, "scenario": h.drill.scenario_id, "dimension": d,
             "score": v, "kind": "assessment" if h.certifying else
             f"{h.drill.mode}{'' if h.complete else ' (partial)'}",
             "played": h.played.describe()}
            for h in history for d, v in h.scores.items() if v is not None]
    if not rows:
        st.caption("No scores yet.")
        return
    st.altair_chart(alt.Chart(pd.DataFrame(rows)).mark_line(point=True).encode(
        x=alt.X("ended:T", title="drill ended"), y=alt.Y("score:Q", scale=alt.Scale(
            domain=[0, 100])), color="dimension:N",
        shape=alt.Shape("kind:N", title="drill"),
        tooltip=["scenario", "dimension", "score", "kind", "played"]), width="stretch")
    st.caption("Filled lines join every drill; the point shape says which were complete "
               "assessments (the only ones that certify).")
    for f in services.app().reviews.recurring_findings(user.viewer, trainee_id=trainee_id,
                                                       min_occurrences=2)[:10]:
        st.markdown("• " + inert(f.describe()))


def _pick_drill(user: User, team_id: int | None, key: str) -> str | None:
    drills = [s for s in services.app().reviews.drills_for(user.viewer, status="ended",
                                                           limit=500)
              if team_id is None or s.drill.team_id == team_id]
    if not drills:
        st.caption("No finished drills yet.")
        return None
    labels = {s.drill.id: f"{s.drill.trainee_username} · {s.drill.scenario_id} · seed "
              f"{s.drill.seed} · {s.drill.ended_at:%Y-%m-%d %H:%M} · {s.drill.mode}"
              + ("" if s.complete else " (partial)") + " · "
              + ("-" if s.overall is None else f"{s.overall:.0f}") for s in drills}
    return st.selectbox("Drill", list(labels), format_func=labels.__getitem__, key=key)


def _review(user: User, team_id: int | None) -> None:
    drill_id = _pick_drill(user, team_id, "review_drill")
    if drill_id is None:
        return
    reviews = services.app().reviews
    loaded = reviews.load(user.viewer, drill_id)
    if loaded is None:
        st.error("This drill cannot be shown (no scorecard, or its scenario is missing).")
        return
    cards = reviews.scorecards(user.viewer, drill_id)
    overrides = reviews.overrides(user.viewer, drill_id)
    left, right = st.columns([3, 2])
    with right:
        _overrides_box(user, cards[0].id, loaded.scorecard, overrides)
        _comments_box(user, drill_id)
        _rescore_box(user, drill_id, loaded, len(cards))
    with left:
        scorecard.show(loaded, pdf_overrides=overrides)


def _overrides_box(user: User, scorecard_id: int, card: Scorecard, overrides: Any) -> None:
    with st.container(border=True):
        st.markdown("**Override a score** (the automatic score stays on record)")
        dims = [d.name for d in card.dimensions] + ["overall"]
        dimension = st.selectbox("Dimension", dims, key="ov_dim")
        score = st.number_input("Your score", 0.0, 100.0, 70.0, step=1.0, key="ov_score")
        reason = st.text_input("Reason (required)", key="ov_reason")
        if st.button("Save override", key="ov_save", disabled=not reason.strip()):
            try:
                services.app().reviews.override(user.viewer, scorecard_id, dimension, score,
                                                reason.strip())
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                st.rerun()
        for o in overrides:
            auto = "-" if o.auto_score is None else f"{o.auto_score:.0f}"
            st.caption(f"{o.created_at:%Y-%m-%d %H:%M} · {inert(o.author_username)}: "
                       f"{o.dimension} {auto} → {o.score:.0f} · " + inert(o.reason))


def _comments_box(user: User, drill_id: str) -> None:
    reviews = services.app().reviews
    with st.container(border=True):
        st.markdown("**Comments**")
        for c in reviews.comments(user.viewer, drill_id):
            st.markdown(f"**{inert(c.author_username)}** · {c.created_at:%Y-%m-%d %H:%M}  \n"
                        + inert(c.text))
        text = st.text_area("Add a comment", key="comment_text")
        if st.button("Comment", key="comment_post", disabled=not text.strip()):
            try:
                reviews.comment(user.viewer, drill_id, text.strip())
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                st.rerun()


def _rescore_box(user: User, drill_id: str, loaded: StoredDrill, versions: int) -> None:
    card = loaded.scorecard
    current = services.app().scorer_version()
    with st.container(border=True):
        st.markdown(f"**Scorer** {card.scorer_version} ({versions} scorecard"
                    f"{'s' if versions != 1 else ''} on record)")
        if card.scorer_version != current and st.button(
                f"Re-score with {current}", key="rescore"):
            try:
                services.app().reviews.rescore(user.viewer, drill_id)
            except StoreError as exc:
                st.error(inert(str(exc)))
            else:
                st.rerun()


def _compare(user: User, team_id: int | None) -> None:
    drill_id = _pick_drill(user, team_id, "compare_drill")
    if drill_id is None:
        return
    reviews = services.app().reviews
    peers = reviews.peers(user.viewer, drill_id)
    st.caption("Trainees who played the same scenario with the same seed: the same flood, as "
               "long as the world (scenario, banks, lexicons, engine, scorer) was the same.")
    if not peers:
        st.caption("Nobody else has played this flood yet.")
        return
    base = next((p for p in peers if p.drill.id == drill_id), peers[0])
    columns = st.columns(min(4, len(peers)))
    for col, peer in zip(columns, peers[:4], strict=False):
        loaded = reviews.load(user.viewer, peer.drill.id)
        with col.container(border=True):
            st.markdown(f"**{inert(peer.drill.trainee_username)}**")
            st.caption(f"{peer.drill.mode}" + ("" if peer.complete else " (partial)")
                       + f" · {peer.played.describe()}")
            if peer.world_version != base.world_version or \
                    peer.scenario_hash != base.scenario_hash:
                st.warning("Different world: not the same flood or scorer "
                           f"({peer.world_version or 'unknown'} vs "
                           f"{base.world_version or 'unknown'}).", icon="⚠️")
            if loaded is None:
                st.caption("no scorecard")
                continue
            card = loaded.scorecard
            overall = loaded.effective("overall")
            st.metric("Overall", "-" if overall is None else f"{overall:.0f}",
                      delta=None if not loaded.overridden("overall") else
                      f"auto {card.overall if card.overall is not None else '-'}",
                      delta_color="off")
            for d in card.dimensions:
                problems = sum(f.severity != "info" for f in d.findings)
                value = loaded.effective(d.name)
                mark = " ✎" if loaded.overridden(d.name) else ""
                st.caption(f"{d.name}: {'-' if value is None else f'{value:.0f}'}{mark} · "
                           f"{problems} findings")

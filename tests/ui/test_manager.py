"""The manager's dashboard and the admin page; hostile text renders inert everywhere."""

from __future__ import annotations

import pytest

from ui.services import app

from .conftest import app_as, button, drill, end_and_score, make_user, start_drill

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


def _ended_drill_with_reply(text: str, team: str):  # type: ignore[no-untyped-def]
    trainee = make_user(team=team)
    at = start_drill(user=trainee, mode="assessment")
    button(at, "Open next waiting").click().run()
    thread_id = drill(at).selected
    at.text_area(key=f"draft-{thread_id}-public").set_value(text)
    button(at, "Send").click().run()
    end_and_score(at)
    assert not at.exception, at.exception
    return trainee, at


def _all_markdown(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def _assert_inert(at) -> None:  # type: ignore[no-untyped-def]
    text = _all_markdown(at)
    assert SCRIPT not in text and IMG not in text
    assert all(not m.proto.allow_html for m in at.markdown)


def test_hostile_reply_is_inert_on_desk_scorecard_and_dashboard():
    hostile = f"Please post your phone number here {SCRIPT} {IMG}"
    _, at = _ended_drill_with_reply(hostile, team="xss")
    at.switch_page("ui/pages/scorecard.py").run()
    assert not at.exception, at.exception
    assert r"\<script\>alert\(1\)\</script\>" in _all_markdown(at)
    _assert_inert(at)

    manager = make_user(role="manager", team="xss")
    board = app_as(manager).switch_page("ui/pages/dashboard.py").run()
    assert not board.exception, board.exception
    assert r"\<img src\=x onerror\=alert\(2\)\>" in _all_markdown(board)
    _assert_inert(board)


def test_manager_sees_cohort_overrides_with_reason_and_comments():
    trainee, _ = _ended_drill_with_reply("So sorry, we're fixing it now; update at 12:00",
                                         team="east")
    manager = make_user(role="manager", team="east")
    board = app_as(manager).switch_page("ui/pages/dashboard.py").run()
    assert not board.exception, board.exception
    cohort = board.dataframe[0].value
    assert list(cohort["scenario"]) == ["telecom-outage"]
    assert "latest overall" in cohort.columns

    board.selectbox(key="ov_dim").set_value("empathy")
    board.number_input(key="ov_score").set_value(90.0)
    assert button(board, "Save override").disabled  # a reason is required
    board.text_input(key="ov_reason").set_value("Named the outage and gave a time")
    board.run()
    button(board, "Save override").click().run()
    board.text_area(key="comment_text").set_value("Good first reply.")
    board.run()
    button(board, "Comment").click().run()
    assert not board.exception, board.exception

    button(board, "Scorecard (PDF)").click().run()  # built on click, the override printed
    assert not board.exception, board.exception
    scripts = [str(getattr(getattr(n, "proto", None), "body", "")) for n in board.get("html")]
    assert any("application/pdf" in s and "scorecard.pdf" in s for s in scripts)

    drill_id = app().store.drills_for(manager.viewer, trainee_id=trainee.id)[0].drill.id
    (override,) = app().store.overrides(manager.viewer, drill_id)
    assert (override.dimension, override.score, override.author_username) == (
        "empathy", 90.0, manager.username)
    assert override.auto_score is not None  # the automatic score stays on record
    assert [c.text for c in app().store.comments(manager.viewer, drill_id)] == ["Good first reply."]

    mine = app_as(trainee).switch_page("ui/pages/scorecard.py").run()  # the trainee sees it
    assert not mine.exception, mine.exception
    shown = "\n".join(m.value for m in mine.markdown)
    assert "Feedback from your manager" in shown
    assert "Good first reply" in shown and "Named the outage and gave a time" in shown


def test_manager_of_another_team_sees_nothing_of_this_team():
    _ended_drill_with_reply("Sorry about this, we're on it.", team="west")
    outsider = make_user(role="manager", team="south")
    board = app_as(outsider).switch_page("ui/pages/dashboard.py").run()
    assert not board.exception, board.exception
    assert board.dataframe[0].value.empty


def test_trainee_gets_no_dashboard_or_admin_page():
    at = app_as(make_user())
    for page in ("ui/pages/dashboard.py", "ui/pages/admin.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_admin_creates_a_team_and_a_user():
    admin = make_user(role="admin", team=None)
    at = app_as(admin).switch_page("ui/pages/admin.py").run()
    at.text_input(key="team_name").set_value("Night shift")
    next(b for b in at.button if b.label == "Create team").click().run()
    at.text_input(key="nu_username").set_value("newbie")
    at.text_input(key="nu_display").set_value("New Bie")
    at.text_input(key="nu_password").set_value("a long enough password")
    next(b for b in at.button if b.label == "Create user").click().run()
    assert not at.exception, at.exception
    assert app().store.user_by_username("newbie") is not None


def test_admin_sees_a_new_user_in_the_table_at_once():
    """The users table is drawn above the form: after a creation the page draws it again."""
    admin = make_user(role="admin", team=None)
    at = app_as(admin).switch_page("ui/pages/admin.py").run()
    at.text_input(key="nu_username").set_value("fresh.face")
    at.text_input(key="nu_display").set_value("Fresh Face")
    at.text_input(key="nu_password").set_value("a long enough password")
    next(b for b in at.button if b.label == "Create user").click().run()
    assert not at.exception, at.exception
    assert "fresh.face" in list(at.dataframe[0].value["username"])
    assert any("Created fresh.face" in s.value.replace("\\", "") for s in at.success)


def test_recurring_findings_list_each_kind_once_with_who_made_it():
    from store.records import RecurringFinding
    from stormdesk.reviews import group_findings

    rows = [RecurringFinding(1, "dana", "privacy", "asks_pii_public", "privacy/a", 3, 2),
            RecurringFinding(1, "dana", "privacy", "asks_pii_public", "privacy/b", 2, 2),
            RecurringFinding(2, "sam", "privacy", "asks_pii_public", "privacy/a", 4, 3),
            RecurringFinding(2, "sam", "tone", "rude", "tone.rude.insult", 1, 1)]
    groups = group_findings(rows, min_occurrences=2)
    assert [(g.kind, g.occurrences, g.drills) for g in groups] == [("asks_pii_public", 9, 5)]
    assert groups[0].trainees == (("dana", 5), ("sam", 4))
    assert groups[0].rules == ("privacy/a", "privacy/b")


def test_dashboard_cohort_shows_csat_and_nps_and_recurring_names_trainees():
    trainee, _ = _ended_drill_with_reply("So sorry, we're on it; update at 12:00", team="csat")
    _ended_drill_with_reply("So sorry, we're on it; update at 12:00", team="csat")
    manager = make_user(role="manager", team="csat")
    board = app_as(manager).switch_page("ui/pages/dashboard.py").run()
    assert not board.exception, board.exception
    cohort = board.dataframe[0].value
    for column in ("latest CSAT", "latest NPS", "CSAT (all drills)", "feedback answers"):
        assert column in cohort.columns
    lines = [m.value for m in board.tabs[2].markdown if m.value.startswith("• **")]
    assert lines, "no recurring finding listed"
    kinds = [line.split(":")[0] for line in lines]  # "• **kind** (dimension)"
    assert len(kinds) == len(set(kinds)), "a finding is listed twice"
    assert any(trainee.username.replace("_", "\\_") in line or trainee.username in line
               for line in lines)


def test_dashboard_and_admin_in_korean():
    manager = make_user(role="manager", team="korean")
    at = app_as(manager)
    at.selectbox(key="ui_language").set_value("ko").run()
    board = at.switch_page("ui/pages/dashboard.py").run()
    assert not board.exception, board.exception
    assert [tab.label for tab in board.tabs][:6] == [
        "교육생 현황", "추이", "반복 지적", "훈련 검토", "비교", "채점 일치도"]
    admin = make_user(role="admin", team=None)
    page = app_as(admin)
    page.selectbox(key="ui_language").set_value("ko").run()
    page.switch_page("ui/pages/admin.py").run()
    assert not page.exception, page.exception
    assert "사용자 이름" in list(page.dataframe[0].value.columns)
    assert any(b.label == "사용자 만들기" for b in page.button)

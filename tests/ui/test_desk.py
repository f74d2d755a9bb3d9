"""The desk's flows, headless through AppTest: start, reply, DM, status, pause, end, scorecard,
and the queue that holds still while the trainee works."""

from __future__ import annotations

import time

import pytest

from engine.records import MentionArrived, ReplySent, StatusPosted
from ui.views import queue

from .conftest import button, drill, end_and_score, jump, start_drill


def open_next(at):  # type: ignore[no-untyped-def]
    button(at, "Open next waiting").click().run()
    assert not at.exception, at.exception
    selected = drill(at).selected
    assert selected is not None
    return selected


def toasts(at) -> list[str]:  # type: ignore[no-untyped-def]
    """Toast texts as a reader sees them (markdown escapes dropped)."""
    return [t.value.replace("\\", "") for t in at.toast]


def show_new(at):  # type: ignore[no-untyped-def]
    """Take the queue again with everything that arrived (the order holds until asked)."""
    button(at, "Show new").click().run()
    assert not at.exception, at.exception
    return list(at.session_state["queue_ids"])


def test_desk_start_drill_shows_clock_reputation_sla_csat_and_readable_queue(practice):
    at = practice
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Clock", "Reputation", "Waiting", "CSAT"]
    assert drill(at).session.now >= 12
    table = at.dataframe[0].value
    assert len(table) > 0
    assert list(table.columns) == list(queue.COLUMNS)
    # the customer's own words are in the table, not behind a click
    first = drill(at).inbox.threads[at.session_state["queue_ids"][0]]
    assert first.last_customer_text in table["message"].iloc[0]


def test_desk_first_mention_is_on_the_desk_as_soon_as_it_opens():
    at = start_drill(minutes=0)
    assert drill(at).inbox.threads, "the quiet lead-in was not played"
    assert len(at.dataframe[0].value) >= 1


def test_desk_reply_in_public_records_reply_shows_toast_and_coach(practice):
    at = practice
    thread_id = open_next(at)
    at.text_area(key=f"draft-{thread_id}-public").set_value(
        "So sorry the network is down, our engineers are on it and I'll update you by 12:00")
    button(at, "Send").click().run()
    assert not at.exception, at.exception
    replies = [e for e in drill(at).session.transcript if isinstance(e, ReplySent)]
    assert len(replies) == 1 and replies[0].thread_id == thread_id
    assert replies[0].text.endswith("^DR")
    assert at.text_area(key=f"draft-{thread_id}-public").value == ""
    assert any("Coach" in m.value for m in at.markdown)
    assert any(t.startswith("Replied to") for t in toasts(at))


def test_desk_move_to_dm_inserts_link_then_sends_move(practice):
    at = practice
    thread_id = open_next(at)
    at.text_area(key=f"draft-{thread_id}-public").set_value("Let's sort this privately")
    button(at, "Move to DM (insert link)").click().run()
    link = drill(at).scenario.brand.dm_link
    assert at.text_area(key=f"draft-{thread_id}-public").value.endswith(link)
    button(at, "Send").click().run()
    (reply,) = [e for e in drill(at).session.transcript if isinstance(e, ReplySent)]
    assert reply.moves_to_dm and reply.channel == "public"
    assert any("moved to DM" in t for t in toasts(at))


OVER = "We are so sorry about the outage today and we are working on it right now. " * 4


def test_desk_over_long_public_reply_is_kept_whole_marked_and_send_is_off(practice):
    at = practice
    thread_id = open_next(at)
    key = f"draft-{thread_id}-public"
    at.text_area(key=key).set_value(OVER).run()
    assert at.text_area(key=key).value == OVER  # nothing cut: no max_chars on the box
    assert at.text_area(key=key).proto.max_chars == 0
    assert button(at, "Send").disabled
    assert any("over the 280 limit" in e.value for e in at.error)
    marked = [m.value for m in at.markdown if ":red-background[" in m.value]
    assert marked, "the part past the limit is not marked"
    counters = [str(h.proto.body) for h in at.get("html") if "stormdeskCounter" in
                str(h.proto.body)]
    assert any(f"{len(OVER.strip()) + 4} / 280" in c for c in counters)


def test_desk_live_counter_script_survives_the_html_sanitiser():
    """DOMPurify drops a script whose text holds "<" followed by a word character."""
    import re

    from ui.views.composer import _COUNTER_JS

    assert not re.search(r"<[/\w]", _COUNTER_JS)


def test_desk_send_refuses_an_over_long_reply_and_keeps_it(practice):
    """Whatever the browser shows, the server refuses: the draft stays, nothing is sent."""
    at = practice
    thread_id = open_next(at)
    key = f"draft-{thread_id}-public"
    # typed in the browser and Send clicked before the box committed: the button was on
    at.text_area(key=key).set_value(OVER)
    at.button(key="send").click().run()
    assert not [e for e in drill(at).session.transcript if isinstance(e, ReplySent)]
    assert at.text_area(key=key).value == OVER
    assert any("over the 280 limit" in e.value for e in at.error)


def test_desk_inserting_a_macro_past_the_limit_keeps_all_text(practice):
    at = practice
    thread_id = open_next(at)
    key = f"draft-{thread_id}-public"
    at.text_area(key=key).set_value(OVER[:250])
    button(at, "Insert").click().run()
    value = at.text_area(key=key).value
    assert value.startswith(OVER[:250].rstrip()) and len(value) > 250
    assert button(at, "Send").disabled
    assert any("over the limit" in t for t in toasts(at))


def test_desk_dm_takes_ten_thousand_characters(practice):
    at = practice
    thread_id = open_next(at)
    d = drill(at)
    d.session.act(__import__("engine.records", fromlist=["MoveToDm"]).MoveToDm(
        thread_id, "Let's move to DM " + d.scenario.brand.dm_link, agent=d.agent))
    d.inbox.update(d.session.transcript)
    button(at, "DM").click().run()
    long_dm = "Here are the full details of your account review. " * 40  # ~2,000 chars
    at.text_area(key=f"draft-{thread_id}-dm").set_value(long_dm).run()
    assert not button(at, "Send").disabled
    assert not any("over the" in e.value for e in at.error)


def test_desk_draft_survives_refreshes(practice):
    at = practice
    thread_id = open_next(at)
    at.text_area(key=f"draft-{thread_id}-public").set_value("Half-written reply")
    at.run()
    jump(at, 3)
    assert at.text_area(key=f"draft-{thread_id}-public").value == "Half-written reply"


def test_desk_status_update_posted_pinned_and_confirmed(practice):
    at = practice
    at.text_area(key="status_text").set_value("Mobile data is down in the north; fix in progress.")
    button(at, "Post status").click().run()
    assert not at.exception, at.exception
    (status,) = [e for e in drill(at).session.transcript if isinstance(e, StatusPosted)]
    assert status.text.startswith("Mobile data is down")
    assert any("Pinned status" in c.value for c in at.caption)
    assert "Status update posted and pinned." in toasts(at)


def test_desk_pause_stops_the_clock_and_resume_restarts_it(practice):
    at = practice
    button(at, "Pause").click().run()
    d = drill(at)
    assert d.clock.paused
    assert any("Paused" in t for t in toasts(at))
    frozen = d.clock.minute_at(time.monotonic())
    time.sleep(0.3)
    at.run()
    assert drill(at).session.now == frozen
    button(at, "Resume").click().run()
    assert not drill(at).clock.paused


def test_desk_end_drill_asks_first_then_scorecard_shows_finding_and_better_reply():
    at = start_drill(mode="assessment")
    thread_id = open_next(at)
    at.text_area(key=f"draft-{thread_id}-public").set_value(
        "Please reply here with your phone number and account number so we can check")
    button(at, "Send").click().run()
    assert not any("Coach" in m.value for m in at.markdown), "no hints in assessment mode"
    button(at, "End drill").click().run()
    assert not drill(at).ended  # a confirmation first
    assert any(b.label == "End and score" for b in at.button)
    button(at, "End and score").click().run()
    assert not at.exception, at.exception
    card = drill(at).scorecard
    privacy = card.dimension("privacy")
    assert any(f.kind == "asks_pii_public" for f in privacy.findings)
    assert "Overall" in [m.label for m in at.metric]
    texts = " ".join(m.value for m in at.markdown)
    assert "asks for personal data in public" in texts
    assert "privacy/asks_pii_public" in " ".join(c.value for c in at.caption) or \
        "asks\\_pii\\_public" in " ".join(c.value for c in at.caption)
    # assessment mode: the finding carries the better reply, which no longer asks in public
    better = [m.value for m in at.markdown if m.value.startswith("_A better reply would be:_")]
    assert better and not any("phone number" in b for b in better)


def test_desk_korean_drill_follows_scenario_language():
    at = start_drill(scenario_id="ko-bakery-delivery-delay", minutes=8)
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["시각", "평판 지수", "대기"]
    arrived = [e for e in drill(at).session.transcript if isinstance(e, MentionArrived)]
    assert arrived
    import json

    labels = {c.get("label") for c in json.loads(at.dataframe[0].proto.columns).values()}
    assert "최근 메시지" in labels and "Latest message" not in labels


def test_korean_drill_scorecard_in_korean():
    at = start_drill(scenario_id="ko-bakery-delivery-delay", mode="assessment", minutes=20)
    button(at, "훈련 종료").click().run()
    assert any("평가 훈련" in w.value for w in at.warning)  # the dialog explains the play-out
    button(at, "종료하고 채점").click().run()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert labels[0] == "종합"
    assert any(label.startswith("신속성 (가중치") for label in labels)
    assert [tab.label for tab in at.tabs][:5] == ["지적 사항", "고객 피드백", "차트", "다시 보기",
                                                  "내려받기"]
    speed = drill(at).scorecard.dimension("speed")
    assert all(any("\uac00" <= c <= "\ud7a3" for c in f.explanation) for f in speed.findings)
    shown = " ".join(m.value for m in at.markdown)
    assert "(를)" not in shown and "(가)" not in shown and "(는)" not in shown


def test_desk_queue_holds_its_order_and_counts_new_activity(practice):
    at = practice
    button(at, "Pause").click().run()
    before = list(at.session_state["queue_ids"])
    d = drill(at)
    d.clock = d.clock.resume(time.monotonic()).at_minute(d.session.now + 20, time.monotonic())
    at.run()  # twenty simulated minutes later: new mentions and follow-ups arrived
    assert len(drill(at).inbox.threads) > len(before)
    assert at.session_state["queue_ids"][:len(before)] == before, "rows moved under the cursor"
    assert any("new" in m.value and "blue-badge" in m.value for m in at.markdown)
    button(at, "Show new").click().run()
    assert len(at.session_state["queue_ids"]) > len(before) or \
        at.session_state["queue_ids"] != before


def test_desk_queue_pages_through_a_large_flood(practice):
    at = practice
    jump(at, 60)  # the outage peak: far more threads than one window
    button(at, "Show new").click().run()
    assert len(drill(at).inbox.threads) > queue.PAGE_ROWS
    first = list(at.session_state["queue_ids"])
    at.number_input(key="queue_page").set_value(2).run()
    second = list(at.session_state["queue_ids"])
    assert len(first) == queue.PAGE_ROWS and second and not set(first) & set(second)
    assert len(at.dataframe[0].value) == len(second)


def test_desk_click_on_a_row_opens_that_rows_conversation(practice):
    at = practice
    ids = show_new(at)
    assert len(ids) >= 3
    table_key = next(k for k in at.session_state if str(k).startswith("queue-table-"))
    at.session_state[table_key] = {"selection": {"rows": [], "columns": [],
                                                 "cells": [(2, "message")]}}
    at.run()
    assert drill(at).selected == ids[2]
    at.run()  # later refreshes keep it: the row under the click is the one opened
    assert drill(at).selected == ids[2]


def test_desk_next_and_previous_walk_the_queue_in_its_order(practice):
    at = practice
    ids = show_new(at)
    button(at, "Next").click().run()
    assert drill(at).selected == ids[0]
    button(at, "Next").click().run()
    assert drill(at).selected == ids[1]
    button(at, "Previous").click().run()
    assert drill(at).selected == ids[0]


def test_desk_search_finds_handle_and_text(practice):
    at = practice
    show_new(at)
    d = drill(at)
    target = d.inbox.threads[at.session_state["queue_ids"][-1]]
    at.text_input(key="queue_search").set_value("@" + target.author.handle.upper()).run()
    assert target.thread_id in at.session_state["queue_ids"]
    assert all(d.inbox.matches_query(d.inbox.threads[i], target.author.handle)
               for i in at.session_state["queue_ids"])
    at.text_input(key="queue_search").set_value("zzzz-no-such-words").run()
    assert at.session_state["queue_ids"] == []


def test_desk_bulk_resolve_acts_on_ticked_rows(practice):
    at = practice
    ids = show_new(at)[:3]
    table_key = next(k for k in at.session_state if str(k).startswith("queue-table-"))
    at.session_state[table_key] = {"selection": {"rows": [0, 1, 2], "columns": [],
                                                 "cells": []}}
    button(at, "Resolve ticked").click().run()
    assert not at.exception, at.exception
    assert all(drill(at).inbox.threads[i].resolved for i in ids)
    assert any("Resolved 3 conversation(s)." in t for t in toasts(at))


def test_desk_bulk_without_ticks_says_what_to_do(practice):
    at = practice
    button(at, "Hide ticked").click().run()
    assert any("Tick conversations" in t for t in toasts(at))


def test_desk_assign_from_the_list_of_people(practice):
    at = practice
    thread_id = open_next(at)
    d = drill(at)
    box = at.selectbox(key=f"assign-{thread_id}")
    assert box.options == ["Nobody (unassigned)", "Dana Reyes (DR)"]
    box.set_value(d.agent).run()
    assert drill(at).inbox.threads[thread_id].assignee == d.agent
    assert "Assigned to Dana Reyes (DR)." in toasts(at)
    at.selectbox(key="queue_filter").set_value("mine").run()
    assert at.session_state["queue_ids"] == [thread_id]
    at.selectbox(key=f"assign-{thread_id}").set_value("").run()
    assert drill(at).inbox.threads[thread_id].assignee == ""


def test_desk_keyboard_shortcuts_on_buttons_and_listed_in_help(practice):
    at = practice
    open_next(at)
    shortcuts = {b.label: b.proto.shortcut for b in at.button if b.proto.shortcut}
    expected = {"Next": "j", "Previous": "k", "Open next waiting": "n", "Public reply": "p",
                "DM": "d", "Write": "f", "Like": "l", "Hide": "h", "Resolve": "e"}
    for name, key in expected.items():
        assert any(label.endswith(name) and value == key for label, value in shortcuts.items()), \
            (name, shortcuts)
    listed = " ".join(m.value for m in at.markdown)
    for name in ("next conversation", "reply by DM", "put the cursor in the reply box"):
        assert name in listed


def test_desk_every_thread_action_answers_with_a_toast(practice):
    at = practice
    open_next(at)
    for name, said in (("Like", "Liked"), ("Escalate to tier 2", "Escalated"),
                       ("Hide", "Hid")):
        button(at, name).click().run()
        assert any(t.startswith(said) for t in toasts(at)), name


def test_desk_feedback_card_shows_in_the_thread_when_the_customer_answers(practice):
    at = practice
    d = drill(at)
    from engine.records import Reply, Resolve

    resolved = []
    for thread_id, thread in list(d.inbox.threads.items())[:12]:
        if thread.persona == "troll":
            continue
        d.session.act(Reply(thread_id, "So sorry, we're on it and I'll update you by 12:00",
                            agent=d.agent))
        d.session.act(Resolve(thread_id, agent=d.agent))
        resolved.append(thread_id)
    jump(at, 20)  # customers answer the card a few minutes after their thread is resolved
    answered = [i for i in resolved if drill(at).inbox.threads[i].feedback is not None]
    assert answered, "no customer answered a feedback card"
    drill(at).selected = answered[0]
    at.run()
    shown = " ".join(m.value for m in at.markdown)
    assert "Customer feedback" in shown and "CSAT" in shown and "NPS" in shown
    assert any(m.label == "CSAT" and m.value != "-" for m in at.metric)


def test_desk_switching_language_keeps_every_choice():
    from .conftest import app_as, make_user

    at = app_as(make_user())
    at.radio(key="start_mode").set_value("assessment")
    at.select_slider(key="start_speed").set_value(30)
    at.selectbox(key="start_scenario").set_value("troll-pile-on").run()
    at.selectbox(key="ui_language").set_value("ko").run()
    assert not at.exception, at.exception
    assert at.radio(key="start_mode").value == "assessment"
    assert at.select_slider(key="start_speed").value == 30
    assert at.selectbox(key="start_scenario").value == "troll-pile-on"
    assert any(b.label == "훈련 시작하기" for b in at.button)


def test_desk_auto_language_follows_the_browser(monkeypatch: pytest.MonkeyPatch):
    from ui import state

    from .conftest import app_as, make_user

    monkeypatch.setattr(state, "browser_locale", lambda: "ko-KR")
    at = app_as(make_user())
    assert any(b.label == "훈련 시작하기" for b in at.button)
    monkeypatch.setattr(state, "browser_locale", lambda: "en-GB")
    at.run()
    assert any(b.label == "Start drill" for b in at.button)


def test_desk_assign_uses_the_list_not_free_text(practice):
    at = practice
    thread_id = open_next(at)
    assert not [w for w in at.text_input if w.key == f"assign-{thread_id}"]


class DownStore:
    """The store during an outage: every write fails as a dropped connection does."""

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        def fail(*args: object, **kwargs: object) -> None:
            raise ConnectionError("database unreachable")

        return fail


def test_desk_sent_reply_during_outage_is_kept_warned_and_blocks_ending(practice):
    from ui.services import app

    at = practice
    d = drill(at)
    drills = app().drills
    real = drills.store
    assert real is not None
    drills.store = DownStore()  # type: ignore[assignment]
    try:
        thread_id = open_next(at)
        at.text_area(key=f"draft-{thread_id}-public").set_value("Sorry, we're on it.")
        button(at, "Send").click().run()
        assert len(d.unsaved) == 1
        assert any("not saved yet" in w.value for w in at.warning)
        end_and_score(at)
        assert not d.ended
        assert any("could not be saved" in e.value for e in at.error)
    finally:
        drills.store = real  # the database is back: the next refresh saves, the drill can end
    at.run()
    assert d.unsaved == []
    assert [a["text"] for _, a in real.actions(d.viewer, d.drill_id)] == [
        "Sorry, we're on it. ^DR"]


def test_second_tab_on_the_same_drill_reloads_instead_of_breaking():
    from .conftest import app_as, make_user

    user = make_user()
    first = start_drill(user=user)
    other = app_as(user)
    button(other, "Resume drill").click().run()  # the same drill in a second tab
    for at, text in ((first, "First tab's reply"), (other, "Second tab's reply")):
        thread_id = open_next(at)
        at.text_area(key=f"draft-{thread_id}-public").set_value(text)
        button(at, "Send").click().run()
    assert not first.exception and not other.exception
    # The second tab lost the race: it reloaded the stored drill, said so, and sent its own
    # reply again on top, so both replies are in the store and neither tab is broken.
    assert any("another tab" in i.value for i in other.info)
    assert not drill(other).stale and not drill(other).unsaved
    texts = [e.text for e in drill(other).session.transcript if isinstance(e, ReplySent)]
    assert texts == ["First tab's reply ^DR", "Second tab's reply ^DR"]
    from ui.services import app

    stored = [a["text"] for _, a in app().store.actions(user.viewer, drill(other).drill_id)]
    assert stored == texts

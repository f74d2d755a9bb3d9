"""The desk's flows, headless through AppTest: start, reply, DM, status, pause, end, scorecard."""

from __future__ import annotations

import time

from engine.records import MentionArrived, ReplySent, StatusPosted

from .conftest import button, drill, jump, start_drill


def open_next(at):  # type: ignore[no-untyped-def]
    button(at, "Open next waiting").click().run()
    assert not at.exception, at.exception
    selected = drill(at).selected
    assert selected is not None
    return selected


def test_desk_start_drill_shows_clock_reputation_sla_and_queue(practice):
    at = practice
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Clock", "Reputation", "Waiting"]
    assert drill(at).session.now >= 12
    queue = at.dataframe[0].value
    assert len(queue) > 0
    assert {"SLA", "priority", "author", "followers", "last post"} <= set(queue.columns)


def test_desk_reply_in_public_records_reply_and_shows_coach(practice):
    at = practice
    thread_id = open_next(at)
    at.text_area(key=f"draft-{thread_id}").set_value(
        "So sorry the network is down, our engineers are on it and I'll update you by 12:00")
    button(at, "Send").click().run()
    assert not at.exception, at.exception
    replies = [e for e in drill(at).session.transcript if isinstance(e, ReplySent)]
    assert len(replies) == 1 and replies[0].thread_id == thread_id
    assert replies[0].text.endswith("^DR")
    assert at.text_area(key=f"draft-{thread_id}").value == ""
    assert any("Coach" in m.value for m in at.markdown)


def test_desk_move_to_dm_inserts_link_then_sends_move(practice):
    at = practice
    thread_id = open_next(at)
    at.text_area(key=f"draft-{thread_id}").set_value("Let's sort this privately")
    button(at, "Move to DM (insert link)").click().run()
    link = drill(at).scenario.brand.dm_link
    assert at.text_area(key=f"draft-{thread_id}").value.endswith(link)
    button(at, "Send").click().run()
    (reply,) = [e for e in drill(at).session.transcript if isinstance(e, ReplySent)]
    assert reply.moves_to_dm and reply.channel == "public"


def test_desk_over_long_public_reply_refused_with_message_and_kept(practice):
    at = practice
    thread_id = open_next(at)
    # The counter stops typing at the limit; inserting a macro into a long draft would not.
    text = "We are so sorry. " * 14
    at.text_area(key=f"draft-{thread_id}").set_value(text)
    button(at, "Insert").click().run()
    assert not [e for e in drill(at).session.transcript if isinstance(e, ReplySent)]
    assert any("limited to 280 characters" in e.value for e in at.error)
    assert at.text_area(key=f"draft-{thread_id}").value == text


def test_desk_draft_survives_refreshes(practice):
    at = practice
    thread_id = open_next(at)
    at.text_area(key=f"draft-{thread_id}").set_value("Half-written reply")
    at.run()
    jump(at, 3)
    assert at.text_area(key=f"draft-{thread_id}").value == "Half-written reply"


def test_desk_status_update_posted_and_pinned(practice):
    at = practice
    at.text_area(key="status_text").set_value("Mobile data is down in the north; fix in progress.")
    button(at, "Post status").click().run()
    assert not at.exception, at.exception
    (status,) = [e for e in drill(at).session.transcript if isinstance(e, StatusPosted)]
    assert status.text.startswith("Mobile data is down")
    assert any("Pinned status" in c.value for c in at.caption)


def test_desk_pause_stops_the_clock_and_resume_restarts_it(practice):
    at = practice
    button(at, "Pause").click().run()
    d = drill(at)
    assert d.clock.paused
    frozen = d.clock.minute_at(time.monotonic())
    time.sleep(0.3)
    at.run()
    assert drill(at).session.now == frozen
    button(at, "Resume").click().run()
    assert not drill(at).clock.paused


def test_desk_end_drill_scorecard_shows_privacy_finding():
    at = start_drill(mode="assessment")
    thread_id = open_next(at)
    at.text_area(key=f"draft-{thread_id}").set_value(
        "Please reply here with your phone number and account number so we can check")
    button(at, "Send").click().run()
    assert not any("Coach" in m.value for m in at.markdown), "no hints in assessment mode"
    button(at, "End drill").click().run()
    assert not at.exception, at.exception
    card = drill(at).scorecard
    assert card is not None
    privacy = card.dimension("privacy")
    assert any(f.kind == "asks_pii_public" for f in privacy.findings)
    assert "Overall" in [m.label for m in at.metric]
    texts = " ".join(m.value for m in at.markdown)
    assert "asks_pii_public" in texts


def test_desk_korean_drill_follows_scenario_language():
    at = start_drill(scenario_id="ko-bakery-delivery-delay", minutes=8)
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["시각", "평판 지수", "대기"]
    arrived = [e for e in drill(at).session.transcript if isinstance(e, MentionArrived)]
    assert arrived


def test_korean_drill_scorecard_in_korean():
    at = start_drill(scenario_id="ko-bakery-delivery-delay", mode="assessment", minutes=20)
    button(at, "훈련 종료").click().run()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert labels[0] == "종합"
    assert any(label.startswith("speed (가중치") for label in labels)
    assert [tab.label for tab in at.tabs][:4] == ["지적 사항", "차트", "다시 보기", "내려받기"]
    speed = drill(at).scorecard.dimension("speed")
    assert all(any("\uac00" <= c <= "\ud7a3" for c in f.explanation) for f in speed.findings)


def test_desk_queue_pages_through_a_large_flood(practice):
    at = practice
    from .conftest import jump

    jump(at, 60)  # the outage peak: far more threads than one window
    button(at, "Pause").click().run()  # hold the order still while paging
    at.run()
    assert len(drill(at).index.rows) > 40
    first = list(at.session_state["queue_ids"])
    at.number_input(key="queue_page").set_value(2).run()
    second = list(at.session_state["queue_ids"])
    assert len(first) == 40 and second and not set(first) & set(second)
    assert len(at.dataframe[0].value) == len(second)

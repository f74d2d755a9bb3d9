"""The desk's flows, headless through AppTest: start, reply, DM, status, pause, end, scorecard."""

from __future__ import annotations

import time

from engine.records import MentionArrived, ReplySent, StatusPosted

from .conftest import button, drill, end_and_score, jump, start_drill


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
    at.text_area(key=f"draft-{thread_id}-public").set_value(
        "So sorry the network is down, our engineers are on it and I'll update you by 12:00")
    button(at, "Send").click().run()
    assert not at.exception, at.exception
    replies = [e for e in drill(at).session.transcript if isinstance(e, ReplySent)]
    assert len(replies) == 1 and replies[0].thread_id == thread_id
    assert replies[0].text.endswith("^DR")
    assert at.text_area(key=f"draft-{thread_id}-public").value == ""
    assert any("Coach" in m.value for m in at.markdown)


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


def test_desk_over_long_public_reply_refused_with_message_and_kept(practice):
    at = practice
    thread_id = open_next(at)
    # The counter stops typing at the limit; inserting a macro into a long draft would not.
    text = "We are so sorry. " * 14
    at.text_area(key=f"draft-{thread_id}-public").set_value(text)
    button(at, "Insert").click().run()
    assert not [e for e in drill(at).session.transcript if isinstance(e, ReplySent)]
    assert any("limited to 280 characters" in e.value for e in at.error)
    assert at.text_area(key=f"draft-{thread_id}-public").value == text


def test_desk_draft_survives_refreshes(practice):
    at = practice
    thread_id = open_next(at)
    at.text_area(key=f"draft-{thread_id}-public").set_value("Half-written reply")
    at.run()
    jump(at, 3)
    assert at.text_area(key=f"draft-{thread_id}-public").value == "Half-written reply"


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
    at.text_area(key=f"draft-{thread_id}-public").set_value(
        "Please reply here with your phone number and account number so we can check")
    button(at, "Send").click().run()
    assert not any("Coach" in m.value for m in at.markdown), "no hints in assessment mode"
    end_and_score(at)
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
    assert any("평가 훈련" in w.value for w in at.warning)  # the dialog explains the play-out
    button(at, "종료하고 채점").click().run()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert labels[0] == "종합"
    assert any(label.startswith("신속성 (가중치") for label in labels)
    assert [tab.label for tab in at.tabs][:4] == ["지적 사항", "차트", "다시 보기", "내려받기"]
    speed = drill(at).scorecard.dimension("speed")
    assert all(any("\uac00" <= c <= "\ud7a3" for c in f.explanation) for f in speed.findings)


def test_desk_queue_pages_through_a_large_flood(practice):
    at = practice
    from .conftest import jump

    jump(at, 60)  # the outage peak: far more threads than one window
    button(at, "Pause").click().run()  # hold the order still while paging
    at.run()
    assert len(drill(at).inbox.threads) > 40
    first = list(at.session_state["queue_ids"])
    at.number_input(key="queue_page").set_value(2).run()
    second = list(at.session_state["queue_ids"])
    assert len(first) == 40 and second and not set(first) & set(second)
    assert len(at.dataframe[0].value) == len(second)


def test_desk_drafts_survive_switching_threads_and_channels(practice):
    at = practice
    first = open_next(at)
    at.text_area(key=f"draft-{first}-public").set_value("Draft for the first customer")
    at.run()
    rows = [r for r in drill(at).inbox.threads if r != first]
    drill(at).selected = rows[0]
    at.run()
    drill(at).selected = first  # back to the first thread
    at.run()
    assert at.text_area(key=f"draft-{first}-public").value == "Draft for the first customer"
    at.segmented_control(key=f"channel-{first}").set_value("dm").run()
    assert at.text_area(key=f"draft-{first}-dm").value == "Draft for the first customer"


def test_desk_assign_uses_the_name_typed_now(practice):
    at = practice
    thread_id = open_next(at)
    at.text_input(key=f"assign-{thread_id}").set_value("Sam")
    button(at, "Assign to").click().run()
    assert drill(at).inbox.threads[thread_id].assignee == "Sam"


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
    from engine.records import ReplySent

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

"""The room desk's composer and thread actions (outside any fragment, so drafts survive the
refreshes). Sending goes through ``Rooms.act``: a reply to a customer a teammate answered since
this seat opened the thread asks first (a dialog with what they said), and a reply the room
could not store keeps its draft. Assignment picks a teammate from the roster."""

from __future__ import annotations

import streamlit as st

from engine.records import (
    DM_LIMIT,
    PUBLIC_LIMIT,
    Action,
    AddNote,
    Assign,
    Escalate,
    Hide,
    Like,
    MoveToDm,
    PostStatus,
    Reply,
    Resolve,
    Tag,
)
from stormdesk.errors import ActionError, StoreError
from stormdesk.room_types import AnsweredMeanwhile, RoomUnavailable, Seat
from ui import state
from ui.i18n import t
from ui.markup import inert
from ui.views import room_state

_CONFIRM = "room_confirm"
_RESEND = "room_resend"


def draft_key(thread_id: str, channel: str) -> str:
    return f"room-draft-{thread_id}-{channel}"


def open_thread(seat: Seat, thread_id: str) -> None:
    try:
        room_state.rooms().open_thread(seat, thread_id)
    except ActionError as exc:
        state.flash(str(exc))
    room_state.forget_view()


def open_next() -> None:
    """Open the next customer to answer: the oldest unanswered one assigned to me, else the
    oldest unanswered one nobody owns or has open."""
    user_seat = st.session_state.get("room_seat")
    if not isinstance(user_seat, Seat):
        return
    service = room_state.rooms()
    mine = service.desk(user_seat, "mine", "oldest waiting", 1, 5).rows
    for row in mine:
        if not row.answered and row.thread_id != user_seat.drill.selected:
            open_thread(user_seat, row.thread_id)
            return
    for row in service.desk(user_seat, "unanswered", "oldest waiting", 1, 25).rows:
        if not row.here and not row.owner and row.thread_id != user_seat.drill.selected:
            open_thread(user_seat, row.thread_id)
            return


def render(seat: Seat, lang: str) -> None:
    thread_id = seat.drill.selected
    copy = room_state.rooms().copy_of(seat.viewer, seat.room_id)
    if thread_id is None:
        _status_box(seat, lang)
        return
    with copy.lock:
        thread = copy.session.projection.threads.get(thread_id)
        dm_open = thread is not None and (thread.channel == "dm" or thread.moved_to_dm)
        handle = thread.author.handle if thread is not None else ""
        first_mention = thread.first_mention_id if thread is not None else ""
        flags = (thread.liked, thread.hidden, thread.escalated, thread.resolved) \
            if thread is not None else (False,) * 4
    if thread is None:
        return
    channel = st.segmented_control(t("room_channel", lang), ["public", "dm"], default="public",
                                   key=f"room-channel-{thread_id}",
                                   format_func=lambda c: t("room_channel_" + c, lang)) or "public"
    if channel == "dm" and not dm_open:
        st.caption("🔒 " + t("room_dm_locked", lang))
    key = draft_key(thread_id, channel)
    if key not in st.session_state:
        st.session_state[key] = seat.drill.drafts.get(f"{thread_id}/{channel}", "")
    # Handles are letters, digits and _ (the scenario schema and the flood's people): plain.
    st.text_area(t("room_reply_to", lang, handle=handle), key=key,
                 max_chars=seat.drill.limit(channel), height=110, placeholder="…",
                 on_change=_typed, args=(seat, thread_id, channel))
    if seat.drill.signature:
        st.caption(t("room_signed", lang, tag=seat.drill.signature))
    a, b = st.columns([3, 2])
    a.button(t("room_send", lang), key="room_send", type="primary", width="stretch",
             on_click=_send, args=(seat, thread_id, channel, lang, False),
             disabled=channel == "dm" and not dm_open)
    b.button(t("room_move_dm", lang), key="room_move_dm", width="stretch",
             on_click=_insert_dm_link, args=(seat, thread_id), disabled=channel == "dm")
    _actions(seat, thread_id, first_mention, handle, flags, lang)
    _status_box(seat, lang)


def _typed(seat: Seat, thread_id: str, channel: str) -> None:
    """A draft changed (Streamlit reports it when the box loses focus): keep it, and tell
    the team this seat is replying while there is text in it."""
    text = st.session_state.get(draft_key(thread_id, channel), "")
    seat.drill.drafts[f"{thread_id}/{channel}"] = text
    room_state.rooms().set_typing(seat, bool(text.strip()))


def _insert_dm_link(seat: Seat, thread_id: str) -> None:
    key = draft_key(thread_id, "public")
    link = seat.drill.scenario.brand.dm_link
    text = st.session_state.get(key, "").rstrip()
    if link not in text and len(seat.drill.sign(f"{text} {link}")) <= PUBLIC_LIMIT:
        st.session_state[key] = f"{text} {link}".strip()
        seat.drill.drafts[f"{thread_id}/public"] = st.session_state[key]


def _send(seat: Seat, thread_id: str, channel: str, lang: str, confirm: bool) -> None:
    key = draft_key(thread_id, channel)
    text = st.session_state.get(key, "").strip()
    if not text:
        state.flash(t("room_empty", lang), "warning")
        return
    signed = seat.drill.sign(text)
    limit = PUBLIC_LIMIT if channel == "public" else DM_LIMIT
    if len(signed) > limit:
        state.flash(t("room_too_long", lang, n=len(signed), limit=limit))
        return
    link = seat.drill.scenario.brand.dm_link
    action: Action = (MoveToDm(thread_id, signed) if channel == "public" and link in signed
                      else Reply(thread_id, signed, "dm" if channel == "dm" else "public"))
    try:
        room_state.rooms().act(seat, action, confirm=confirm)
    except AnsweredMeanwhile as asked:
        st.session_state[_CONFIRM] = (thread_id, channel, asked.agents, asked.texts)
        return
    except RoomUnavailable:
        state.flash(t("room_unavailable", lang))  # the draft stays: send again
        return
    except (ActionError, StoreError) as exc:
        state.flash(str(exc))
        return
    st.session_state[key] = ""
    seat.drill.drafts.pop(f"{thread_id}/{channel}", None)
    room_state.rooms().set_typing(seat, False)
    room_state.forget_view()
    state.toast(t("room_sent", lang), icon="✅")


def confirm_if_asked(seat: Seat, lang: str) -> None:
    """The dialog after ``AnsweredMeanwhile``: what teammates said, then send anyway or not.
    Call it before the composer is drawn: a confirmed reply is sent here, in the page's run,
    where its draft can still be cleared (a dialog's own run cannot reach the composer)."""
    confirmed = st.session_state.pop(_RESEND, None)
    if isinstance(confirmed, tuple):
        _send(seat, confirmed[0], confirmed[1], lang, True)
    asked = st.session_state.get(_CONFIRM)
    if not isinstance(asked, tuple):
        return
    st.dialog(t("room_confirm_title", lang), dismissible=False)(_confirm)(seat, asked, lang)


def _confirm(seat: Seat, asked: tuple[str, str, list[str], list[str]], lang: str) -> None:
    if st.session_state.get(_CONFIRM) is None:  # answered (in a callback): close the dialog
        st.rerun()
    thread_id, channel, agents, texts = asked
    st.warning(t("room_confirm_body", lang, agents=inert(", ".join(agents))))
    for text in texts:
        st.markdown("> " + inert(text))
    a, b = st.columns(2)
    a.button(t("room_confirm_send", lang), key="room_confirm_send", type="primary",
             width="stretch", on_click=_confirmed, args=(thread_id, channel))
    b.button(t("room_confirm_cancel", lang), key="room_confirm_cancel", width="stretch",
             on_click=_cancelled, args=(seat, thread_id))


def _confirmed(thread_id: str, channel: str) -> None:
    st.session_state.pop(_CONFIRM, None)
    st.session_state[_RESEND] = (thread_id, channel)  # sent by the page's next run


def _cancelled(seat: Seat, thread_id: str) -> None:
    st.session_state.pop(_CONFIRM, None)
    room_state.rooms().open_thread(seat, thread_id)  # what they said is seen now


def _do(seat: Seat, action: Action, lang: str, done: str) -> None:
    try:
        room_state.rooms().act(seat, action)
    except RoomUnavailable:
        state.flash(t("room_unavailable", lang))
        return
    except (ActionError, StoreError) as exc:
        state.flash(str(exc))
        return
    room_state.forget_view()
    state.toast(done, icon="✅")


def _actions(seat: Seat, thread_id: str, mention_id: str, handle: str,
             flags: tuple[bool, bool, bool, bool], lang: str) -> None:
    liked, hidden, escalated, resolved = flags
    cols = st.columns(4)
    for col, (name, action, off) in zip(cols, (
            ("like", Like(mention_id), liked), ("hide", Hide(mention_id), hidden),
            ("escalate", Escalate(thread_id, "tier 2"), escalated),
            ("resolve", Resolve(thread_id), resolved)), strict=True):
        col.button(t(f"room_{name}", lang), key=f"room_{name}", width="stretch", disabled=off,
                   on_click=_do, args=(seat, action, lang, t(f"room_{name}_done", lang)))
    members = room_state.rooms().roster(seat.viewer, seat.room_id)
    agents = [m.agent for m in members]
    names = {m.agent: f"{m.display_name} ({m.agent})" for m in members}
    a, b, c = st.columns([4, 2, 2])
    a.selectbox(t("room_assign_to", lang), agents, key=f"room-assign-{thread_id}",
                format_func=lambda agent: names.get(agent, agent), label_visibility="collapsed")
    b.button(t("room_assign", lang), key="room_assign", width="stretch",
             on_click=_assign, args=(seat, thread_id, lang, None))
    c.button(t("room_take", lang), key="room_take", width="stretch",
             on_click=_assign, args=(seat, thread_id, lang, seat.agent))
    with st.expander("🏷 " + t("room_tag_and_note", lang)):
        st.text_input(t("room_tag", lang), key=f"room-tag-{thread_id}", max_chars=60)
        st.button(t("room_tag", lang), key="room_tag_apply", on_click=_tag,
                  args=(seat, thread_id, lang))
        st.text_input(t("room_note", lang), key=f"room-note-{handle}", max_chars=1000)
        st.button(t("room_note", lang), key="room_note_apply", on_click=_note,
                  args=(seat, handle, lang))


def _assign(seat: Seat, thread_id: str, lang: str, who: str | None) -> None:
    agent = who or st.session_state.get(f"room-assign-{thread_id}")
    if agent:
        _do(seat, Assign(thread_id, str(agent)), lang, t("room_assigned", lang, agent=agent))


def _tag(seat: Seat, thread_id: str, lang: str) -> None:
    key = f"room-tag-{thread_id}"
    tag = st.session_state.get(key, "").strip()
    if tag:
        _do(seat, Tag(thread_id, tag), lang, t("room_tagged", lang))
        st.session_state[key] = ""


def _note(seat: Seat, handle: str, lang: str) -> None:
    key = f"room-note-{handle}"
    text = st.session_state.get(key, "").strip()
    if text:
        _do(seat, AddNote(handle, text), lang, t("room_noted", lang))
        st.session_state[key] = ""


def _status_box(seat: Seat, lang: str) -> None:
    expected = seat.drill.scenario.status_updates_expected
    with st.expander("📌 " + t("room_status", lang),
                     expanded=expected and seat.member.duty == "status"):
        st.text_area(t("room_status", lang), key="room_status_text", max_chars=PUBLIC_LIMIT,
                     label_visibility="collapsed")
        st.button(t("room_post", lang), key="room_status_post", on_click=_post_status,
                  args=(seat, lang))


def _post_status(seat: Seat, lang: str) -> None:
    text = st.session_state.get("room_status_text", "").strip()
    if not text:
        state.flash(t("room_empty", lang), "warning")
        return
    try:
        room_state.rooms().act(seat, PostStatus(seat.drill.sign(text)))
    except RoomUnavailable:
        state.flash(t("room_unavailable", lang))
        return
    except (ActionError, StoreError) as exc:
        state.flash(str(exc))
        return
    st.session_state["room_status_text"] = ""
    room_state.forget_view()
    state.toast(t("room_posted", lang), icon="📌")

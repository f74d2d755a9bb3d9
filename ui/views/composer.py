"""The composer and thread actions (outside any fragment, so drafts survive refreshes).

Drafts are kept per thread in the drill (``LiveDrill.drafts``), not only in widget state:
Streamlit drops the state of a widget that is not drawn (another thread's composer) or whose
``max_chars`` changes (public <-> DM), so each composer is seeded from the drill's copy.
Sending happens in button callbacks, which run before the page re-renders, so a sent draft is
cleared and a refused one is kept.
"""

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
from stormdesk.drill import LiveDrill
from stormdesk.errors import ActionError
from ui import services, state
from ui.i18n import t
from ui.views import coach


def draft_key(thread_id: str, channel: str = "public") -> str:
    return f"draft-{thread_id}-{channel}"


def _remember(drill: LiveDrill, thread_id: str, key: str) -> None:
    drill.drafts[thread_id] = st.session_state.get(key, "")


def _set_draft(drill: LiveDrill, thread_id: str, key: str, text: str) -> None:
    drill.drafts[thread_id] = text
    st.session_state[key] = text


def render(drill: LiveDrill, lang: str) -> None:
    thread_id = drill.selected
    if thread_id is None or thread_id not in drill.inbox.threads:
        _status_box(drill, lang)
        return
    row = drill.inbox.threads[thread_id]
    dm_open = row.channel == "dm" or row.moved_to_dm
    channel = st.segmented_control(
        t("channel", lang), ["public", "dm"], default="public", key=f"channel-{thread_id}",
        format_func=lambda c: t(c, lang))
    channel = channel or "public"
    if channel == "dm" and not dm_open:
        st.caption("🔒 " + t("dm_locked", lang))
    tag = drill.signature
    limit = drill.limit(channel)
    key = draft_key(thread_id, channel)
    if key not in st.session_state:
        st.session_state[key] = drill.drafts.get(thread_id, "")
    st.text_area(t("reply", lang) + f" → @{row.author.handle}", key=key, max_chars=limit,
                 height=110, placeholder="…", on_change=_remember,
                 args=(drill, thread_id, key))
    if tag:
        st.caption(t("signed", lang, tag=tag))
    macros = drill.scenario.brand.macros
    c1, c2, c3 = st.columns([3, 2, 2])
    if macros:
        titles = [m.title for m in macros]
        choice = c1.selectbox(t("macro", lang), titles, key="macro_choice",
                              label_visibility="collapsed")
        c2.button(t("insert", lang), key="macro_insert", width="stretch",
                  on_click=_insert_macro, args=(drill, thread_id, choice, channel, lang))
    c3.button(t("move_dm", lang), key="move_dm", width="stretch",
              on_click=_insert_dm_link, args=(drill, thread_id, lang),
              disabled=channel == "dm")
    st.button(t("send", lang), key="send", type="primary", width="stretch",
              on_click=_send, args=(drill, thread_id, channel, lang),
              disabled=channel == "dm" and not dm_open)
    if drill.mode == "practice" and drill.coaching and drill.coaching.thread_id == thread_id:
        coach.render(drill.coaching, lang)
    _actions(drill, thread_id, lang)
    _status_box(drill, lang)


def _insert(drill: LiveDrill, thread_id: str, addition: str, channel: str, lang: str) -> None:
    """Append to the draft unless the signed result would be over the channel's limit: the
    counter stops typing at the limit, but an insertion would slip past it."""
    key = draft_key(thread_id, channel)
    current = st.session_state.get(key, "").rstrip()
    combined = f"{current} {addition}".strip()
    limit = PUBLIC_LIMIT if channel == "public" else DM_LIMIT
    if len(drill.sign(combined)) > limit:
        message = "too_long" if channel == "public" else "too_long_dm"
        state.flash(t(message, lang, n=len(drill.sign(combined))))
        return
    _set_draft(drill, thread_id, key, combined)


def _insert_macro(drill: LiveDrill, thread_id: str, title: str, channel: str,
                  lang: str) -> None:
    macro = next((m for m in drill.scenario.brand.macros if m.title == title), None)
    if macro is not None:
        _insert(drill, thread_id, macro.text, channel, lang)


def _insert_dm_link(drill: LiveDrill, thread_id: str, lang: str) -> None:
    link = drill.scenario.brand.dm_link
    if link not in st.session_state.get(draft_key(thread_id, "public"), ""):
        _insert(drill, thread_id, link, "public", lang)


def _send(drill: LiveDrill, thread_id: str, channel: str, lang: str) -> None:
    key = draft_key(thread_id, channel)
    text = st.session_state.get(key, "").strip()
    if not text:
        state.flash(t("empty", lang), "warning")
        return
    signed = drill.sign(text)
    if channel == "public" and len(signed) > PUBLIC_LIMIT:
        state.flash(t("too_long", lang, n=len(signed)))
        return
    link = drill.scenario.brand.dm_link
    action = (MoveToDm(thread_id, signed, agent=drill.agent) if channel == "public"
              and link in signed else Reply(thread_id, signed, "dm" if channel == "dm"
                                            else "public", agent=drill.agent))
    try:
        services.app().drills.act(drill, action)
    except ActionError as exc:
        state.flash(str(exc))
        return
    _set_draft(drill, thread_id, key, "")
    if drill.mode == "practice":
        services.app().drills.coach(drill, thread_id, signed, channel)


def _do(drill: LiveDrill, action: Action) -> None:
    try:
        services.app().drills.act(drill, action)
    except ActionError as exc:
        state.flash(str(exc))


def _actions(drill: LiveDrill, thread_id: str, lang: str) -> None:
    row = drill.inbox.threads[thread_id]
    agent = drill.agent
    cols = st.columns(5)
    cols[0].button("👍 " + t("like", lang), key="like", width="stretch",
                   on_click=_do, args=(drill, Like(row.first_mention_id, agent=agent)),
                   disabled=row.liked)
    cols[1].button("🙈 " + t("hide", lang), key="hide", width="stretch",
                   on_click=_do, args=(drill, Hide(row.first_mention_id, agent=agent)),
                   disabled=row.hidden)
    cols[2].button("⬆ " + t("escalate", lang), key="escalate", width="stretch",
                   on_click=_do, args=(drill, Escalate(thread_id, "tier 2", agent=agent)),
                   disabled=row.escalated)
    cols[3].button("✅ " + t("resolve", lang), key="resolve", width="stretch",
                   on_click=_do, args=(drill, Resolve(thread_id, agent=agent)),
                   disabled=row.resolved)
    with cols[4].popover("🏷 " + t("tag", lang), width="stretch"):
        st.text_input(t("tag", lang), key=f"tag-{thread_id}")
        st.button(t("tag", lang), key="tag_apply", on_click=_tag, args=(drill, thread_id))
        st.text_input(t("assign", lang), key=f"assign-{thread_id}",
                      placeholder=t("assign_me", lang))
        st.button(t("assign", lang), key="assign_apply", on_click=_assign,
                  args=(drill, thread_id))
    with st.expander("📝 " + t("notes", lang)):
        st.text_input(t("add_note", lang), key=f"note-{row.author.handle}")
        st.button(t("add_note", lang), key="note_apply", on_click=_add_note,
                  args=(drill, row.author.handle))


# The callbacks read the inputs' current values (arguments are fixed when a button is drawn).
def _tag(drill: LiveDrill, thread_id: str) -> None:
    tag = st.session_state.get(f"tag-{thread_id}", "").strip()
    if tag:
        _do(drill, Tag(thread_id, tag, agent=drill.agent))
        st.session_state[f"tag-{thread_id}"] = ""


def _assign(drill: LiveDrill, thread_id: str) -> None:
    who = st.session_state.get(f"assign-{thread_id}", "").strip() or drill.agent
    _do(drill, Assign(thread_id, who, agent=drill.agent))


def _add_note(drill: LiveDrill, handle: str) -> None:
    key = f"note-{handle}"
    text = st.session_state.get(key, "").strip()
    if text:
        _do(drill, AddNote(handle, text, agent=drill.agent))
        st.session_state[key] = ""


def _status_box(drill: LiveDrill, lang: str) -> None:
    with st.expander("📌 " + t("status", lang),
                     expanded=drill.scenario.status_updates_expected
                     and drill.inbox.projection.pinned_status is None):
        st.text_area(t("status", lang), key="status_text", max_chars=PUBLIC_LIMIT,
                     label_visibility="collapsed")
        st.button(t("post", lang), key="status_post", on_click=_post_status,
                  args=(drill, lang))


def _post_status(drill: LiveDrill, lang: str) -> None:
    text = st.session_state.get("status_text", "").strip()
    if not text:
        state.flash(t("empty", lang), "warning")
        return
    try:
        services.app().drills.act(drill, PostStatus(drill.sign(text), agent=drill.agent))
    except ActionError as exc:
        state.flash(str(exc))
        return
    st.session_state["status_text"] = ""

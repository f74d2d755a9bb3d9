"""The thread view: the conversation so far (public and DM), the author's card and notes."""

from __future__ import annotations

import streamlit as st

from engine.records import (
    CustomerFollowedUp,
    CustomerReplied,
    MentionArrived,
    ReplySent,
)
from stormdesk.drill import LiveDrill
from ui.i18n import t
from ui.markup import inert

#: Customer posts and replies drawn in the conversation (the newest are the ones that matter).
CONVERSATION_WINDOW = 30


def render(drill: LiveDrill, lang: str) -> None:
    threads = drill.inbox.threads
    if drill.selected is None or drill.selected not in threads:
        st.info(t("pick_thread", lang))
        return
    thread = threads[drill.selected]
    drill.inbox.mark_seen(thread.thread_id)
    author = thread.author
    s = drill.scenario
    head, card = st.columns([3, 2])
    with head:
        st.markdown(f"**{inert(author.display_name)}** @{inert(author.handle)}"
                    + (" ✔" if author.verified else "")
                    + f" · {thread.priority} · {thread.intent} · thread {thread.thread_id}")
        if thread.amplifications:
            st.caption(f"🔁 {t('spreading', lang, n=thread.amplifications)}")
        with st.container(height=330, border=True):
            posts = [e for e in thread.events if isinstance(
                e, MentionArrived | CustomerFollowedUp | CustomerReplied | ReplySent)]
            for e in posts[-CONVERSATION_WINDOW:]:
                when = s.clock_label(e.minute)
                if isinstance(e, ReplySent):
                    who = f"@{s.brand.handle}" + (f" ({e.agent})" if e.agent else "")
                    icon = "🏢"
                else:
                    who = f"@{author.handle}"
                    icon = "👤"
                channel = getattr(e, "channel", "public")
                badge = "🔒 DM" if channel == "dm" else "🌐 " + t("public", lang)
                with st.chat_message("assistant" if isinstance(e, ReplySent) else "user",
                                     avatar=icon):
                    st.caption(f"{inert(who)} · {when} · {badge}")
                    st.markdown(inert(e.text))
    with card:
        with st.container(border=True):
            st.markdown(f"**{t('profile', lang)}**")
            st.markdown(f"{inert(author.display_name)}  \n@{inert(author.handle)}"
                        + (" ✔ verified" if author.verified else ""))
            st.caption(f"{author.followers:,} {t('followers', lang)}")
            if author.bio:
                st.markdown(f"_{inert(author.bio)}_")
            earlier = [tid for tid in drill.inbox.projection.by_author.get(author.handle, [])
                       if threads[tid].opened_minute < thread.opened_minute]
            if earlier:
                st.caption(f"{t('earlier', lang)}: " + ", ".join(earlier[-5:]))
        notes = drill.inbox.projection.notes.get(author.handle, [])
        with st.container(border=True):
            st.markdown(f"**{t('notes', lang)}**")
            for note in notes[-5:]:
                st.markdown("• " + inert(note.text) + f" _({inert(note.agent)})_")

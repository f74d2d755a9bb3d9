"""The thread view: the conversation so far (public and DM), the author's card and notes."""

from __future__ import annotations

import streamlit as st

from engine.records import (
    CustomerFollowedUp,
    CustomerReplied,
    MentionAmplified,
    MentionArrived,
    ReplySent,
)
from ui.drill import LiveDrill
from ui.i18n import t
from ui.markup import inert

#: Customer posts and replies drawn in the conversation (the newest are the ones that matter).
CONVERSATION_WINDOW = 30


def render(drill: LiveDrill, lang: str) -> None:
    if drill.selected is None or drill.selected not in drill.index.rows:
        st.info(t("pick_thread", lang))
        return
    row = drill.index.rows[drill.selected]
    drill.index.mark_seen(row.thread_id)
    s = drill.scenario
    head, card = st.columns([3, 2])
    with head:
        st.markdown(f"**{inert(row.display_name)}** @{inert(row.handle)}"
                    + (" ✔" if row.verified else "")
                    + f" · {row.priority} · {row.intent} · thread {row.thread_id}")
        events = drill.index.events[row.thread_id]
        spread = sum(isinstance(e, MentionAmplified) for e in events)
        if spread:
            st.caption(f"🔁 spreading: {spread} quotes/retweets")
        with st.container(height=330, border=True):
            posts = [e for e in events if isinstance(
                e, MentionArrived | CustomerFollowedUp | CustomerReplied | ReplySent)]
            for e in posts[-CONVERSATION_WINDOW:]:
                when = s.clock_label(e.minute)
                if isinstance(e, ReplySent):
                    who = f"@{s.brand.handle}"
                    icon = "🏢"
                else:
                    who = f"@{row.handle}"
                    icon = "👤"
                channel = getattr(e, "channel", "public")
                badge = "🔒 DM" if channel == "dm" else "🌐 public"
                with st.chat_message("assistant" if isinstance(e, ReplySent) else "user",
                                     avatar=icon):
                    st.caption(f"{inert(who)} · {when} · {badge}")
                    st.markdown(inert(e.text))
    with card:
        first = drill.index.events[row.thread_id][0]
        assert isinstance(first, MentionArrived)
        with st.container(border=True):
            st.markdown(f"**{t('profile', lang)}**")
            st.markdown(f"{inert(row.display_name)}  \n@{inert(row.handle)}"
                        + (" ✔ verified" if row.verified else ""))
            st.caption(f"{row.followers:,} {t('followers', lang)}")
            if first.author.bio:
                st.markdown(f"_{inert(first.author.bio)}_")
            earlier = [tid for tid in drill.index.by_author.get(row.handle, [])
                       if drill.index.rows[tid].opened < row.opened]
            if earlier:
                st.caption(f"{t('earlier', lang)}: " + ", ".join(earlier[-5:]))
        notes = drill.session.notes.get(row.handle, [])
        with st.container(border=True):
            st.markdown(f"**{t('notes', lang)}**")
            for note in notes[-5:]:
                st.markdown("• " + inert(note))

"""Pieces the room desk and the lead's console both draw: the room's figures, the incident
panel, a thread's conversation, and how a room's state is said."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from engine.records import ReplySent
from engine.scenario import Scenario
from stormdesk.room_types import Figures, Here, ThreadView
from ui.i18n import label, t
from ui.markup import inert

#: Incident facts in the order the panel shows them (keys of IncidentUpdated.facts).
PANEL_FACTS = ("down", "since", "affected", "cause", "eta", "status_page", "compensation")
#: An incident update stays highlighted this many simulated minutes.
FRESH_MINUTES = 5.0
REFRESH_SECONDS = 1.0


def clock_state(f: Figures, lang: str) -> str:
    """"09:12 / 11:30 · 60x", with the room's state (waiting for the lead, paused, ended)."""
    text = f"{f.clock} / {f.end_clock} · {f.speed:g}x"
    if not f.running:
        return text + " · " + t("room_state_ended", lang)
    if not f.started:
        return text + " · " + t("room_state_waiting", lang)
    if f.paused:
        return text + " · ⏸ " + t("room_state_paused", lang)
    return text


def figures(f: Figures, lang: str, mine_waiting: int | None = None) -> None:
    cols = st.columns(5 if mine_waiting is not None else 4)
    cols[0].metric(t("room_clock", lang), f.clock)
    cols[0].caption(clock_state(f, lang))
    cols[1].metric(t("room_reputation", lang), f"{f.reputation:.0f}/100")
    cols[2].metric(t("room_waiting", lang), f.waiting)
    cols[3].metric(t("room_breached", lang), f.breached,
                   help=t("room_at_risk_help", lang, n=f.at_risk))
    if mine_waiting is not None:
        cols[4].metric(t("room_mine_waiting", lang), mine_waiting)
    if f.pinned:
        st.caption(f"📌 {t('room_pinned', lang)}: " + inert(f.pinned))


def incident(f: Figures, lang: str) -> None:
    with st.container(border=True):
        if not f.facts:
            st.markdown(f"**🚨 {t('room_incident', lang)}** · {t('room_incident_none', lang)}")
            return
        head = f"**🚨 {t('room_incident', lang)}** · " + t(
            "room_incident_updated", lang, n=f.facts_count, clock=f.facts_clock)
        fresh = f.facts_minute is not None and f.minute - f.facts_minute <= FRESH_MINUTES
        st.markdown(f":red-background[{head}]" if fresh else head)
        cols = st.columns(2)
        shown = 0
        for key in PANEL_FACTS:
            value = f.facts.get(key, "")
            if not value:
                continue
            text = f"**{t('room_fact_' + key, lang)}:** " + inert(value)
            if f.previous_facts and f.previous_facts.get(key, "") != value:
                text += f" :orange-badge[{t('room_fact_changed', lang)}]"
            cols[shown % 2].markdown(text)
            shown += 1


def names(here: Sequence[Here]) -> str:
    return ", ".join(h.name.split()[0] if h.name else h.agent for h in here)


def here_badge(here: Sequence[Here]) -> str:
    """The queue's "on it" cell: ✍ for a teammate typing, 👀 for one with it open."""
    return " ".join(("✍ " if h.typing else "👀 ") + (h.name.split()[0] if h.name else h.agent)
                    for h in here)


def conversation(view: ThreadView, scenario: Scenario, lang: str) -> None:
    """The thread: who, collision banners, the posts, the author's card and notes."""
    author = view.author
    head, card = st.columns([3, 2])
    with head:
        st.markdown(f"**{inert(author.display_name)}** @{inert(author.handle)}"
                    + (" ✔" if author.verified else "")
                    + f" · {label('priority', view.priority, lang)} · "
                    f"{label('intent', view.intent, lang)} · thread {view.thread_id}")
        if view.owner:
            st.caption(t("room_owner_is", lang, agent=inert(view.owner)))
        if view.here:
            st.warning(t("room_replying", lang, names=inert(names(view.here))), icon="✍️")
        for reply in view.unseen:
            st.error(t("room_answered_meanwhile", lang, agent=inert(reply.agent),
                       clock=scenario.clock_label(reply.minute)) + "\n\n" + inert(reply.text),
                     icon="⚠️")
        with st.container(height=320, border=True):
            for e in view.posts:
                mine = isinstance(e, ReplySent)
                who = (f"@{scenario.brand.handle} ({e.agent})" if isinstance(e, ReplySent)
                       else f"@{author.handle}")
                channel = getattr(e, "channel", "public")
                badge = "🔒 DM" if channel == "dm" else "🌐 " + label("channel", "public", lang)
                with st.chat_message("assistant" if mine else "user",
                                     avatar="🏢" if mine else "👤"):
                    st.caption(f"{inert(who)} · {scenario.clock_label(e.minute)} · {badge}")
                    st.markdown(inert(getattr(e, "text", "")))
    with card, st.container(border=True):
        st.markdown(f"{inert(author.display_name)}  \n@{inert(author.handle)}")
        st.caption(t("room_followers", lang, n=f"{author.followers:,}"))
        if author.bio:
            st.markdown("_" + inert(author.bio) + "_")
        if view.earlier:
            st.caption(t("room_earlier", lang) + ": " + ", ".join(view.earlier))
        for note in view.notes:
            st.markdown("📝 " + inert(note.text) + f" _({inert(note.agent)})_")

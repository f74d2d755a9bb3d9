"""The thread view: the conversation so far (public and DM), the customer's feedback card when
they answered one, the author's card and notes (``render``, drawn in a refreshing fragment);
and the actions on the thread (``actions``: like, hide, escalate, resolve, assign from a list
of people, tag, notes), drawn outside any fragment so a click is never lost to a refresh.

Actions go through the ``act`` given (the solo desk's or a crisis-room seat's); every one
answers with a toast, a refusal with a message.
"""

from __future__ import annotations

import streamlit as st

from engine.projection import ThreadState
from engine.records import (
    AddNote,
    Assign,
    CustomerFollowedUp,
    CustomerReplied,
    Escalate,
    FeedbackSubmitted,
    Hide,
    Like,
    MentionArrived,
    ReplySent,
    Resolve,
    Tag,
)
from stormdesk.drill import LiveDrill
from stormdesk.errors import ActionError, DrillNotRunning
from ui import state
from ui.i18n import label, t
from ui.markup import inert
from ui.views import Act, People

#: Customer posts and replies drawn in the conversation (the newest are the ones that matter).
CONVERSATION_WINDOW = 30
#: Keyboard shortcuts of the thread's actions.
SHORTCUTS = {"like": "L", "hide": "H", "resolve": "E"}
#: NPS bands (scoring.records uses the same): 9-10 promoters, 0-6 detractors.
PROMOTER_MIN, PASSIVE_MIN = 9, 7


def render(drill: LiveDrill, lang: str) -> None:
    """The open conversation (read-only: it marks the thread seen, nothing else)."""
    threads = drill.inbox.threads
    if drill.selected is None or drill.selected not in threads:
        st.info(t("pick_thread", lang))
        return
    thread = threads[drill.selected]
    drill.inbox.mark_seen(thread.thread_id)
    author = thread.author
    s = drill.scenario
    st.markdown(f"**{inert(author.display_name)}** @{inert(author.handle)}"
                + (" ✔" if author.verified else "")
                + f" · {label('priority', thread.priority, lang)}"
                + f" · {label('intent', thread.intent, lang)}"
                + f" · {label('persona', thread.persona, lang)}")
    st.caption(t("thread_id", lang, id=thread.thread_id)
               + f" · {t('followers_n', lang, n=f'{author.followers:,}')}"
               + (f" · 🔁 {t('spreading', lang, n=thread.amplifications)}"
                  if thread.amplifications else ""))
    if thread.feedback is not None:
        feedback_card(thread.feedback, drill, lang)
    with st.container(height=300, border=True):
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
            badge = "🔒 " + t("dm", lang) if channel == "dm" else "🌐 " + t("public_post", lang)
            with st.chat_message("assistant" if isinstance(e, ReplySent) else "user",
                                 avatar=icon):
                st.caption(f"{inert(who)} · {when} · {badge}")
                st.markdown(inert(e.text))
    notes = drill.inbox.projection.notes.get(author.handle, [])
    with st.expander("👤 " + t("author_and_notes", lang, n=len(notes))):
        _author_card(drill, thread, lang)


def _author_card(drill: LiveDrill, thread: ThreadState, lang: str) -> None:
    author = thread.author
    threads = drill.inbox.threads
    st.markdown(f"{inert(author.display_name)} @{inert(author.handle)}"
                + (f" ✔ {t('verified', lang)}" if author.verified else ""))
    if author.bio:
        st.markdown(f"_{inert(author.bio)}_")
    earlier = [tid for tid in drill.inbox.projection.by_author.get(author.handle, [])
               if threads[tid].opened_minute < thread.opened_minute]
    if earlier:
        st.caption(f"{t('earlier', lang)}: " + ", ".join(earlier[-5:]))
    state_bits = []
    if thread.assignee:
        state_bits.append(t("assigned_to", lang, who=inert(thread.assignee)))
    if thread.tags:
        state_bits.append("🏷 " + ", ".join(inert(x) for x in thread.tags))
    if thread.escalated:
        state_bits.append("⬆ " + t("escalated_state", lang))
    if thread.resolved:
        state_bits.append("✅ " + t("resolved_state", lang))
    if thread.hidden:
        state_bits.append("🙈 " + t("hidden_state", lang))
    if state_bits:
        st.caption(" · ".join(state_bits))
    st.markdown(f"**{t('notes', lang)}**")
    for note in drill.inbox.projection.notes.get(author.handle, [])[-5:]:
        st.markdown("• " + inert(note.text) + f" _({inert(note.agent)})_")


def nps_band(nps: int) -> str:
    if nps >= PROMOTER_MIN:
        return "promoter"
    return "passive" if nps >= PASSIVE_MIN else "detractor"


def feedback_card(feedback: FeedbackSubmitted, drill: LiveDrill, lang: str) -> None:
    """The customer's answer to the feedback card: CSAT as stars, NPS with its band, and the
    reasons they gave."""
    stars = "★" * feedback.csat + "☆" * (5 - feedback.csat)
    band = nps_band(feedback.nps)
    colour = {"promoter": "green", "passive": "orange", "detractor": "red"}[band]
    reasons = ", ".join(label("reason", r, lang) for r in feedback.reasons)
    with st.container(border=True):
        st.markdown(f"**⭐ {t('feedback_card', lang)}** · "
                    f"{drill.scenario.clock_label(feedback.minute)}")
        st.markdown(f"{t('csat', lang)} **{feedback.csat}/5** {stars} · {t('nps', lang)} "
                    f"**{feedback.nps}** :{colour}-badge[{t('nps_' + band, lang)}]")
        if reasons:
            st.caption(t("feedback_reasons", lang, reasons=reasons))


# ------------------------------------------------------------------------------ actions


def _do(act: Act, action: object, done: str, lang: str, icon: str) -> None:
    try:
        act(action)  # type: ignore[arg-type]
    except DrillNotRunning:
        return  # a widget's change reported after the drill ended (the page moved on)
    except ActionError as exc:
        state.flash(t("action_refused", lang, reason=inert(str(exc))))
        return
    state.toast(done, icon=icon)


def actions(drill: LiveDrill, lang: str, *, act: Act, people: People) -> None:
    """Like, hide, escalate, resolve (with shortcuts), assign from ``people`` (or nobody),
    tag and notes for the open thread."""
    thread_id = drill.selected
    if thread_id is None or thread_id not in drill.inbox.threads:
        return
    row = drill.inbox.threads[thread_id]
    agent = drill.agent
    handle = inert("@" + row.author.handle)
    with st.container(horizontal=True, gap="small"):
        st.button("👍 " + t("like", lang), key="like", width="content",
                  shortcut=SHORTCUTS["like"], disabled=row.liked,
                  on_click=_do, args=(act, Like(row.first_mention_id, agent=agent),
                                      t("done_like", lang, handle=handle), lang, "👍"))
        st.button("🙈 " + t("hide", lang), key="hide", width="content",
                  shortcut=SHORTCUTS["hide"], disabled=row.hidden,
                  on_click=_do, args=(act, Hide(row.first_mention_id, agent=agent),
                                      t("done_hide", lang, handle=handle), lang, "🙈"))
        st.button("✅ " + t("resolve", lang), key="resolve", width="content",
                  shortcut=SHORTCUTS["resolve"], disabled=row.resolved,
                  on_click=_do, args=(act, Resolve(thread_id, agent=agent),
                                      t("done_resolve", lang, handle=handle), lang, "✅"))
        st.button("⬆ " + t("escalate", lang), key="escalate", width="content",
                  disabled=row.escalated,
                  on_click=_do, args=(act, Escalate(thread_id, "tier 2", agent=agent),
                                      t("done_escalate", lang, handle=handle), lang, "⬆"))
    assign_col, tag_col = st.columns(2)
    options = ["", *dict.fromkeys(value for value, _ in people)]
    if row.assignee and row.assignee not in options:
        options.append(row.assignee)  # assigned by someone not on this list: still shown
    names = dict(people)
    key = f"assign-{thread_id}"
    if key not in st.session_state:
        st.session_state[key] = row.assignee
    assign_col.selectbox(t("assign", lang), options, key=key,
                         format_func=lambda v: names.get(v, v) if v else t("unassigned", lang),
                         on_change=_assign, args=(act, drill, thread_id, key, names, lang))
    with tag_col.popover("🏷 " + t("tag", lang), width="stretch"):
        st.text_input(t("tag", lang), key=f"tag-{thread_id}")
        st.button(t("tag_apply", lang), key="tag_apply", on_click=_tag,
                  args=(act, drill, thread_id, lang))
    with st.expander("📝 " + t("add_note", lang)):
        st.text_input(t("add_note", lang), key=f"note-{row.author.handle}")
        st.button(t("add_note", lang), key="note_apply", on_click=_add_note,
                  args=(act, drill, row.author.handle, lang))


# The callbacks read the inputs' current values (arguments are fixed when a widget is drawn).
def _assign(act: Act, drill: LiveDrill, thread_id: str, key: str, names: dict[str, str],
            lang: str) -> None:
    who = str(st.session_state.get(key) or "")
    thread = drill.inbox.threads.get(thread_id)
    if drill.ended or thread is None or thread.assignee == who:
        return  # nothing to change (or a change reported after the drill ended)
    done = (t("done_assign", lang, who=inert(names.get(who, who))) if who
            else t("done_unassign", lang))
    _do(act, Assign(thread_id, who, agent=drill.agent), done, lang, "👤")


def _tag(act: Act, drill: LiveDrill, thread_id: str, lang: str) -> None:
    tag = st.session_state.get(f"tag-{thread_id}", "").strip()
    if not tag:
        state.toast(t("tag_empty", lang), icon="🏷")
        return
    _do(act, Tag(thread_id, tag, agent=drill.agent), t("done_tag", lang, tag=inert(tag)), lang, "🏷")
    st.session_state[f"tag-{thread_id}"] = ""


def _add_note(act: Act, drill: LiveDrill, handle: str, lang: str) -> None:
    key = f"note-{handle}"
    text = st.session_state.get(key, "").strip()
    if not text:
        state.toast(t("note_empty", lang), icon="📝")
        return
    _do(act, AddNote(handle, text, agent=drill.agent), t("done_note", lang), lang, "📝")
    st.session_state[key] = ""

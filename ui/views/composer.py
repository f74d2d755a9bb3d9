"""The composer: the reply box, its counter, canned replies, "move to DM", send, the coach card
and the status box (outside any fragment, so drafts survive refreshes).

Nothing typed or pasted is ever cut: the box has no ``max_chars`` (Streamlit's counter stops
typing at the limit and drops the rest of a paste). Instead the counter under the box turns red
past the limit (280 public, 10,000 DM, the signature counted), Send is disabled with a message,
and the part past the limit is marked below the box. The counter follows every keystroke in the
browser (a few lines of JavaScript that read the box and write only into their own element,
never the trainee's text as markup) and is drawn again from the server whenever the box
commits; the server refuses an over-long reply whatever the browser shows.

Drafts are kept per thread in the drill (``LiveDrill.drafts``), not only in widget state:
Streamlit drops the state of a widget that is not drawn (another thread's composer), so each
composer is seeded from the drill's copy. Sending happens in button callbacks, which run
before the page re-renders, so a sent draft is cleared and a refused one is kept.

The composer acts only through the ``act`` (and ``coach``) it is given.
"""

from __future__ import annotations

import html
import json

import streamlit as st

from engine.records import DM_LIMIT, PUBLIC_LIMIT, MoveToDm, PostStatus, Reply
from stormdesk.drill import LiveDrill
from stormdesk.errors import ActionError, DrillNotRunning
from ui import state
from ui.i18n import t
from ui.markup import highlight, inert
from ui.views import Act, Coach
from ui.views import coach as coach_card

#: Keyboard shortcuts of the composer (Streamlit ignores plain keys while typing in a box).
SHORTCUTS = {"public": "P", "dm": "D", "focus": "F"}
_FOCUS = "composer_focus"


def draft_key(thread_id: str, channel: str = "public") -> str:
    return f"draft-{thread_id}-{channel}"


def channel_key(thread_id: str) -> str:
    return f"channel-{thread_id}"


def _remember(drill: LiveDrill, thread_id: str, key: str) -> None:
    drill.drafts[thread_id] = st.session_state.get(key, "")


def _set_draft(drill: LiveDrill, thread_id: str, key: str, text: str) -> None:
    drill.drafts[thread_id] = text
    st.session_state[key] = text


def limit_of(channel: str) -> int:
    return PUBLIC_LIMIT if channel == "public" else DM_LIMIT


def counted(drill: LiveDrill, text: str) -> int:
    """Characters the platform counts for ``text`` as sent (trimmed, signed)."""
    stripped = text.strip()
    return len(drill.sign(stripped)) if stripped else 0


def _extra(drill: LiveDrill) -> int:
    """Characters the signature adds (" ^AB")."""
    tag = drill.signature
    return len(tag) + 1 if tag else 0


def render(drill: LiveDrill, lang: str, *, act: Act, coach: Coach | None = None) -> None:
    """The composer for the open thread (the status box alone when none is open)."""
    thread_id = drill.selected
    if thread_id is None or thread_id not in drill.inbox.threads:
        status_box(drill, lang, act=act)
        return
    row = drill.inbox.threads[thread_id]
    dm_open = row.channel == "dm" or row.moved_to_dm
    ckey = channel_key(thread_id)
    if st.session_state.get(ckey) not in ("public", "dm"):
        st.session_state[ckey] = "public"
    channel = str(st.session_state[ckey])
    with st.container(horizontal=True, gap="small"):
        st.button("🌐 " + t("public", lang), key="channel_public", width="content",
                  type="primary" if channel == "public" else "secondary",
                  shortcut=SHORTCUTS["public"], on_click=_pick, args=(thread_id, "public"))
        st.button("🔒 " + t("dm", lang), key="channel_dm", width="content",
                  type="primary" if channel == "dm" else "secondary",
                  shortcut=SHORTCUTS["dm"], on_click=_pick, args=(thread_id, "dm"))
        st.button("✎ " + t("focus", lang), key="composer_focus_button", width="content",
                  shortcut=SHORTCUTS["focus"], on_click=_pick, args=(thread_id, channel))
    if channel == "dm" and not dm_open:
        st.caption("🔒 " + t("dm_locked", lang))
    key = draft_key(thread_id, channel)
    if key not in st.session_state:
        st.session_state[key] = drill.drafts.get(thread_id, "")
    st.text_area(t("reply", lang) + f" → @{row.author.handle}", key=key, height=110,
                 placeholder="…", on_change=_remember, args=(drill, thread_id, key))
    text = str(st.session_state.get(key, ""))
    over = counter(drill, text, limit_of(channel), key, "send", lang)
    if drill.signature:
        st.caption(t("signed", lang, tag=drill.signature))
    macros = drill.scenario.brand.macros
    if macros:
        m1, m2 = st.columns([3, 1], vertical_alignment="bottom")
        titles = [m.title for m in macros]
        choice = m1.selectbox(t("macro", lang), titles, key="macro_choice")
        m2.button(t("insert", lang), key="macro_insert", width="stretch",
                  on_click=_insert_macro, args=(drill, thread_id, choice, channel, lang))
    st.button("🔒 " + t("move_dm", lang), key="move_dm", width="content",
              on_click=_insert_dm_link, args=(drill, thread_id, lang),
              disabled=channel == "dm")
    locked = channel == "dm" and not dm_open
    st.button(t("send", lang), key="send", type="primary", width="stretch",
              on_click=_send, args=(drill, thread_id, channel, lang, act, coach),
              disabled=over or locked,
              help=t("send_disabled_over", lang) if over else None)
    if drill.mode == "practice" and drill.coaching and drill.coaching.thread_id == thread_id:
        coach_card.render(drill.coaching, lang)
    status_box(drill, lang, act=act)


def _pick(thread_id: str, channel: str) -> None:
    """Choose the channel and put the cursor in the box (the P, D and F shortcuts)."""
    st.session_state[channel_key(thread_id)] = channel
    st.session_state[_FOCUS] = st.session_state.get(_FOCUS, 0) + 1


def counter(drill: LiveDrill, text: str, limit: int, key: str, send_key: str,
            lang: str) -> bool:
    """The counter under a box: "n / limit", red and with a message past the limit, the part
    past the limit marked; returns whether the text is over. A browser-side copy follows
    every keystroke (``live_counter``)."""
    n = counted(drill, text)
    over = n > limit
    shown = t("count", lang, n=f"{n:,}", limit=f"{limit:,}")
    live_counter(key, send_key, limit, _extra(drill), shown, over, lang)
    if over:
        st.error(t("too_long_box", lang, over=f"{n - limit:,}", limit=f"{limit:,}"), icon="✂️")
        stripped = text.strip()
        keep = max(0, limit - _extra(drill))
        start = max(0, keep - 60)
        st.markdown(("…" if start else "") + highlight(stripped[start:], keep - start,
                                                       len(stripped) - start, "red"))
    return over


def live_counter(key: str, send_key: str, limit: int, extra: int, shown: str, over: bool,
                 lang: str) -> None:
    """The counter as the browser keeps it while the trainee types (before the box commits):
    our element and our configuration only; the trainee's text is read from the box and
    written with ``textContent``, never as markup."""
    focus = st.session_state.get(_FOCUS, 0) if key.startswith("draft-") else 0
    config = json.dumps({
        "key": key, "send": send_key, "limit": limit, "extra": extra, "focus": focus,
        "count": t("count", lang, n="{n}", limit=f"{limit:,}"),
        "over": t("too_long_live", lang, over="{over}"),
    })
    colour = "#d32f2f" if over else "#6b6b6b"
    body = (f'<div id="sd-live-{html.escape(key)}" data-testid="stormdeskCounter" '
            f'style="font-size:0.85rem;color:{colour};font-weight:{600 if over else 400}">'
            f"{html.escape(shown)}</div><div id=\"sd-over-{html.escape(key)}\" "
            'style="font-size:0.85rem"></div>'
            f"<script>{_COUNTER_JS}({config});</script>")
    st.html(body, unsafe_allow_javascript=True, width="stretch")


# Installed once per page; each composer registers its box by widget key. It counts code
# points (as Python's len does), trims like the server, adds the signature, turns the counter
# red past the limit, disables Send, and shows the overflow as text (textContent only).
# No "<" may appear in it: the page's HTML sanitiser drops a script whose text holds "<" and
# a letter or digit (tests/ui/test_desk.py checks).
_COUNTER_JS = """(function(c){
var S=window.__sdCounters=window.__sdCounters||{cfg:{},on:false};S.cfg[c.key]=c;
function fmt(s,k,v){return s.split('{'+k+'}').join(v);}
function upd(key){var c=S.cfg[key];if(!c)return;
var box=document.querySelector('.st-key-'+CSS.escape(key)+' textarea');
var out=document.getElementById('sd-live-'+key);if(!box||!out)return;
var s=box.value.trim();var chars=Array.from(s);var n=chars.length?chars.length+c.extra:0;
var over=n-c.limit;out.textContent=fmt(c.count,'n',n.toLocaleString());
out.style.color=over>0?'#d32f2f':'#6b6b6b';out.style.fontWeight=over>0?'600':'400';
var ov=document.getElementById('sd-over-'+key);if(ov){ov.textContent='';
if(over>0){var keep=Math.max(0,c.limit-c.extra);var m=document.createElement('span');
m.textContent=fmt(c.over,'over',over.toLocaleString())+' ';ov.appendChild(m);
var cut=document.createElement('mark');cut.style.background='#fde2e1';
cut.textContent=chars.slice(keep).join('');ov.appendChild(cut);}}
document.querySelectorAll('.st-key-'+CSS.escape(c.send)+' button').forEach(function(b){
if(b.dataset.sdServer===undefined)b.dataset.sdServer=b.disabled?'1':'0';
b.disabled=over>0||b.dataset.sdServer==='1';});}
if(!S.on){S.on=true;document.addEventListener('input',function(e){var t=e.target;
if(!t||t.tagName!=='TEXTAREA')return;for(var k in S.cfg){var h=document.querySelector(
'.st-key-'+CSS.escape(k)+' textarea');if(h===t)upd(k);}},true);}
var tries=0;(function wait(){var box=document.querySelector('.st-key-'+CSS.escape(c.key)+
' textarea');if(!box){if(40>tries++)setTimeout(wait,50);return;}
document.querySelectorAll('.st-key-'+CSS.escape(c.send)+' button').forEach(function(b){
delete b.dataset.sdServer;});upd(c.key);
if(c.focus&&S.focused!==c.key+':'+c.focus){S.focused=c.key+':'+c.focus;box.focus();
box.setSelectionRange(box.value.length,box.value.length);}})();
})"""


def _insert(drill: LiveDrill, thread_id: str, addition: str, channel: str, lang: str) -> None:
    """Append to the draft. Past the limit the text is kept whole and marked (never cut):
    the trainee trims it, or moves to DM."""
    key = draft_key(thread_id, channel)
    current = st.session_state.get(key, "").rstrip()
    combined = f"{current} {addition}".strip()
    _set_draft(drill, thread_id, key, combined)
    n = counted(drill, combined)
    if n > limit_of(channel):
        state.toast(t("inserted_over", lang, over=n - limit_of(channel)), icon="✂️")
    else:
        state.toast(t("inserted", lang), icon="✍️")


def _insert_macro(drill: LiveDrill, thread_id: str, title: str, channel: str,
                  lang: str) -> None:
    macro = next((m for m in drill.scenario.brand.macros if m.title == title), None)
    if macro is not None:
        _insert(drill, thread_id, macro.text, channel, lang)


def _insert_dm_link(drill: LiveDrill, thread_id: str, lang: str) -> None:
    link = drill.scenario.brand.dm_link
    if link not in st.session_state.get(draft_key(thread_id, "public"), ""):
        _insert(drill, thread_id, link, "public", lang)


def _send(drill: LiveDrill, thread_id: str, channel: str, lang: str, act: Act,
          coach: Coach | None) -> None:
    key = draft_key(thread_id, channel)
    text = st.session_state.get(key, "").strip()
    if not text:
        state.flash(t("empty", lang), "warning")
        return
    signed = drill.sign(text)
    limit = limit_of(channel)
    if len(signed) > limit:  # the box says so already; the text stays as typed
        state.flash(t("too_long_box", lang, over=f"{len(signed) - limit:,}",
                      limit=f"{limit:,}"))
        return
    link = drill.scenario.brand.dm_link
    moves = channel == "public" and link in signed
    handle = drill.inbox.threads[thread_id].author.handle
    action = (MoveToDm(thread_id, signed, agent=drill.agent) if moves
              else Reply(thread_id, signed, "dm" if channel == "dm" else "public",
                         agent=drill.agent))
    try:
        act(action)
    except DrillNotRunning:
        return
    except ActionError as exc:
        state.flash(t("action_refused", lang, reason=inert(str(exc))))
        return
    _set_draft(drill, thread_id, key, "")
    done = "done_moved_dm" if moves else "done_dm" if channel == "dm" else "done_reply"
    state.toast(t(done, lang, handle=inert("@" + handle)), icon="📨")
    if coach is not None and drill.mode == "practice":
        coach(thread_id, signed, channel)


def status_box(drill: LiveDrill, lang: str, *, act: Act) -> None:
    with st.expander("📌 " + t("status", lang),
                     expanded=drill.scenario.status_updates_expected
                     and drill.inbox.projection.pinned_status is None):
        st.text_area(t("status", lang), key="status_text", label_visibility="collapsed")
        over = counter(drill, str(st.session_state.get("status_text", "")), PUBLIC_LIMIT,
                       "status_text", "status_post", lang)
        st.button(t("post", lang), key="status_post", on_click=_post_status,
                  args=(drill, lang, act), disabled=over)


def _post_status(drill: LiveDrill, lang: str, act: Act) -> None:
    text = st.session_state.get("status_text", "").strip()
    if not text:
        state.flash(t("empty", lang), "warning")
        return
    signed = drill.sign(text)
    if len(signed) > PUBLIC_LIMIT:
        state.flash(t("too_long_box", lang, over=f"{len(signed) - PUBLIC_LIMIT:,}",
                      limit=f"{PUBLIC_LIMIT:,}"))
        return
    try:
        act(PostStatus(signed, agent=drill.agent))
    except DrillNotRunning:
        return
    except ActionError as exc:
        state.flash(t("action_refused", lang, reason=inert(str(exc))))
        return
    st.session_state["status_text"] = ""
    state.toast(t("done_status", lang), icon="📌")

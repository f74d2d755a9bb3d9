"""The queue: every conversation in a table that holds still while the trainee works.

One ``st.dataframe`` window (``PAGE_ROWS`` rows) with multi-row selection for bulk actions and
single-cell selection to open a conversation (field notes: one dataframe of 10,000 rows reruns
in 23-36 ms and answers a click in ~0.3 s, where a few hundred cards already saturate the
browser; benchmarks/bench_ui.py measures this window). Rows are two lines high (the grid wraps
text above 4rem rows), so the customer's latest words are readable without opening the row.

The order is a *queue view* (``stormdesk.inbox.QueueView``) taken when the trainee asks for it
(filter, sort, search, "show new", paging); refreshes update the rows in place (SLA timers,
unread, latest text) and count new activity behind "N new" instead of moving rows, so a click
always opens the row clicked. Controls sit outside the refreshing fragment (a click is never
lost to a refresh); the table is the fragment.

The queue acts only through the ``act`` it is given (a crisis-room seat passes its own).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from engine.projection import ThreadState
from engine.records import Hide, Like, Resolve
from stormdesk.drill import LiveDrill
from stormdesk.errors import ActionError, DrillNotRunning
from stormdesk.inbox import FILTERS, SORTS, QueueView, sla_left
from ui import state
from ui.i18n import label, t
from ui.markup import cells
from ui.views import Act

REFRESH_SECONDS = 1.5
#: Rows in one window: a page a trainee can scan; the fragment's cost grows with it.
PAGE_ROWS = 50
#: Above 4rem (64 px) the grid wraps text: two lines of the customer's post per row.
ROW_HEIGHT = 66
TABLE_HEIGHT = 600
HEADER_HEIGHT = 40
#: Keyboard shortcuts (Streamlit ignores plain keys while the trainee types in a box).
SHORTCUTS = {"next": "J", "previous": "K", "waiting": "N"}
COLUMNS = ("new", "sla", "message", "customer", "owner")
#: Extra per-thread text a caller can show (a room: "Dana is replying").
Annotate = Callable[[ThreadState], str]


def _k(key: str, name: str) -> str:
    return f"{key}_{name}"


# ------------------------------------------------------------------------------ the view


def current_view(drill: LiveDrill, key: str, agent: str) -> QueueView:
    """The held queue view for this drill, taken again when the request changed (filter,
    sort, search) or the trainee asked for new activity."""
    filter_name = st.session_state.get(_k(key, "filter"), FILTERS[0])
    sort = st.session_state.get(_k(key, "sort"), SORTS[0])
    query = str(st.session_state.get(_k(key, "search"), "") or "")
    held = st.session_state.get(_k(key, "view"))
    if (isinstance(held, tuple) and held[0] == drill.drill_id and isinstance(held[1], QueueView)
            and held[1].same_request(filter_name, sort, query, agent) and held[1].order
            and not st.session_state.pop(_k(key, "retake"), False)):
        return held[1]  # (an empty view has no row to click: it is taken again freely)
    view = drill.inbox.view(filter_name, sort, query, agent)
    st.session_state[_k(key, "view")] = (drill.drill_id, view)
    _clear_selection(key)
    return view


def _clear_selection(key: str) -> None:
    """A new table key: positions refer to a new order, so no old selection may survive."""
    st.session_state[_k(key, "gen")] = st.session_state.get(_k(key, "gen"), 0) + 1


def _table_key(key: str) -> str:
    return f"{key}-table-{st.session_state.get(_k(key, 'gen'), 0)}"


def page_ids(view: QueueView, key: str) -> list[str]:
    pages = max(1, -(-view.total // PAGE_ROWS))
    page = min(max(1, int(st.session_state.get(_k(key, "page"), 1) or 1)), pages)
    return view.page((page - 1) * PAGE_ROWS, PAGE_ROWS)


# ------------------------------------------------------------------------------ drawing


def render(drill: LiveDrill, lang: str, *, act: Act, key: str = "queue",
           agent: str | None = None, annotate: Annotate | None = None,
           tick: Callable[[], None] | None = None) -> None:
    """Search, filter and sort, navigation and bulk actions, then the live table.

    ``agent`` is whose queue it is ("mine"; the drill's agent by default), ``annotate`` adds a
    column of per-thread text, ``tick`` advances the drill before each refresh draws."""
    who = drill.agent if agent is None else agent
    _search_row(drill, lang, key)
    view = current_view(drill, key, who)
    _nav_row(drill, lang, key, act, view)
    table(drill, lang, key, who, annotate, tick)
    pages = max(1, -(-view.total // PAGE_ROWS))
    if pages > 1:
        st.number_input(t("page_of", lang, pages=pages), min_value=1, max_value=pages,
                        step=1, key=_k(key, "page"), on_change=_clear_selection, args=(key,))


def _search_row(drill: LiveDrill, lang: str, key: str) -> None:
    search, filt, sort = st.columns([5, 3, 3])
    search.text_input(t("search", lang), key=_k(key, "search"),
                      placeholder=t("search_hint", lang), on_change=_first_page, args=(key,))
    filt.selectbox(t("filter", lang), FILTERS, key=_k(key, "filter"),
                   format_func=lambda v: label("filter", v, lang),
                   on_change=_first_page, args=(key,))
    sort.selectbox(t("sort", lang), SORTS, key=_k(key, "sort"),
                   format_func=lambda v: label("sort", v, lang),
                   on_change=_first_page, args=(key,))


def _nav_row(drill: LiveDrill, lang: str, key: str, act: Act, view: QueueView) -> None:
    # Buttons sized to their labels in a wrapping row: nothing is cut to "Open nex…".
    with st.container(horizontal=True, gap="small"):
        st.button("🔄 " + t("show_new", lang), key=_k(key, "show_new"), width="content",
                  help=t("show_new_help", lang), on_click=_retake, args=(key,))
        st.button(t("next", lang), key="next_waiting", width="content", type="primary",
                  shortcut=SHORTCUTS["waiting"], on_click=open_next_waiting,
                  args=(drill, key))
        st.button("↑ " + t("previous", lang), key=_k(key, "prev"), width="content",
                  shortcut=SHORTCUTS["previous"], on_click=_step, args=(drill, key, -1))
        st.button("↓ " + t("next_row", lang), key=_k(key, "next"), width="content",
                  shortcut=SHORTCUTS["next"], on_click=_step, args=(drill, key, 1))
        with st.popover("⌨️", help=t("shortcuts", lang), width="content"):
            shortcuts_help(lang)
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption(t("ticked", lang))
        for name, icon in (("like", "👍"), ("hide", "🙈"), ("resolve", "✅")):
            st.button(f"{icon} {t('bulk_' + name, lang)}", key=_k(key, "bulk_" + name),
                      width="content", type="tertiary",
                      on_click=bulk_action, args=(drill, key, name, act, lang))


def shortcuts_help(lang: str) -> None:
    """The keyboard shortcuts, as the help popover lists them."""
    from ui.views.composer import SHORTCUTS as COMPOSER
    from ui.views.thread import SHORTCUTS as THREAD

    rows = [(SHORTCUTS["next"], "sc_next"), (SHORTCUTS["previous"], "sc_previous"),
            (SHORTCUTS["waiting"], "sc_waiting"), (COMPOSER["public"], "sc_reply"),
            (COMPOSER["dm"], "sc_dm"), (COMPOSER["focus"], "sc_focus"),
            (THREAD["like"], "sc_like"), (THREAD["hide"], "sc_hide"),
            (THREAD["resolve"], "sc_resolve")]
    st.markdown(f"**{t('shortcuts', lang)}**")
    st.markdown("\n".join(f"- `{k}` {t(name, lang)}" for k, name in rows))
    st.caption(t("shortcuts_note", lang))


@st.fragment(run_every=REFRESH_SECONDS)
def table(drill: LiveDrill, lang: str, key: str, agent: str,
          annotate: Annotate | None = None, tick: Callable[[], None] | None = None) -> None:
    """The live window: rows in the held order with their current state, and the count of
    new activity. A click on a cell opens that row's conversation."""
    if drill.ended:
        st.rerun(scope="app")  # a stray refresh after the page moved on (desk.stray_refresh)
    if tick is not None:
        tick()
    held = st.session_state.get(_k(key, "view"))
    if not (isinstance(held, tuple) and held[0] == drill.drill_id):
        return
    view: QueueView = held[1]
    if not view.order and drill.inbox.pending(view):
        view = current_view(drill, key, agent)  # nothing on screen to hold in place
    ids = page_ids(view, key)
    st.session_state[_k(key, "ids")] = ids
    table_key = _table_key(key)
    _follow_clicks(drill, key, table_key, ids)
    fresh = len(drill.inbox.pending(view))
    pages = max(1, -(-view.total // PAGE_ROWS))
    page = min(max(1, int(st.session_state.get(_k(key, "page"), 1) or 1)), pages)
    head = t("queue_count", lang, total=view.total)
    if pages > 1:
        head += " · " + t("page_n", lang, page=page, pages=pages)
    if fresh:
        head += f" · :blue-badge[{t('n_new', lang, n=fresh)}]"
    st.markdown(head)
    frame = queue_frame([drill.inbox.threads[i] for i in ids], drill, lang, annotate)
    st.dataframe(frame, key=table_key, hide_index=True, on_select="rerun",
                 selection_mode=["multi-row", "single-cell"], width="stretch",
                 height=min(TABLE_HEIGHT, HEADER_HEIGHT + ROW_HEIGHT * max(1, len(ids))),
                 row_height=ROW_HEIGHT,
                 column_config=column_config(lang, annotate is not None))


def _cells(raw: Any) -> list[tuple[int, str]]:
    try:
        found = raw["selection"]["cells"]
    except (KeyError, TypeError):
        return []
    return [(int(c[0]), str(c[1])) for c in found or []]


def _rows(raw: Any) -> list[int]:
    try:
        return [int(r) for r in raw["selection"]["rows"] or []]
    except (KeyError, TypeError):
        return []


def _follow_clicks(drill: LiveDrill, key: str, table_key: str, ids: list[str]) -> None:
    """Open the row the trainee clicked: a selected cell that differs from the one seen at
    the last draw. The selection is only ever read, never set from here: a selection set by
    the server can reach the browser after the browser has reported its own, and the stale
    report would read as a click (the page jumped back to a row under the trainee's typing).
    The open row is marked in the table instead (▶)."""
    picked = _cells(st.session_state.get(table_key))
    seen = st.session_state.get(_k(key, "seen"))
    before = seen[1] if isinstance(seen, tuple) and seen[0] == table_key else []
    st.session_state[_k(key, "seen")] = (table_key, picked)
    if picked and picked != before:
        row = picked[0][0]
        if row < len(ids) and ids[row] != drill.selected:
            open_thread(drill, ids[row])
            st.rerun(scope="app")  # the thread view and composer sit outside this fragment


def column_config(lang: str, annotated: bool = False) -> dict[str, Any]:
    """The queue's columns, labelled in the interface's language: the customer's words first
    after the timer, so they are on screen however narrow the queue is."""
    config: dict[str, Any] = {
        "new": st.column_config.TextColumn("", width=28, help=t("col_new_help", lang)),
        "sla": st.column_config.TextColumn(t("col_sla", lang), width=96,
                                           help=t("col_sla_help", lang)),
        # widths sum to ~570 px with the tick and unread columns: the queue's share of a
        # 1440 px window with the sidebar open, so the whole row is on screen
        "message": st.column_config.TextColumn(t("col_message", lang), width=260),
        "customer": st.column_config.TextColumn(t("col_customer", lang), width=150,
                                                help=t("col_customer_help", lang)),
        "owner": st.column_config.TextColumn(t("col_owner", lang), width=60),
    }
    if annotated:
        config["who"] = st.column_config.TextColumn(t("col_who", lang), width=120)
    return config


def reach(followers: int) -> str:
    """Followers as people read them: 950, 12.3k, 1.2M."""
    if followers >= 1_000_000:
        return f"{followers / 1_000_000:.1f}M"
    if followers >= 1_000:
        return f"{followers / 1_000:.1f}k"
    return str(followers)


def mood(sentiment: float) -> str:
    if sentiment < -0.5:
        return "😡"
    if sentiment < -0.1:
        return "🙁"
    return "🙂" if sentiment > 0.3 else "😐"


def sla_text(thread: ThreadState, drill: LiveDrill, lang: str) -> str:
    """The SLA timer: minutes left before the first-response target (or past it), or what
    closed the conversation."""
    if thread.hidden:
        return "🙈 " + t("hidden_state", lang)
    if thread.resolved:
        return "✅ " + t("resolved_state", lang)
    left = sla_left(thread, drill.session.now, drill.scenario.sla_minutes)
    if left is None:
        return "✓ " + t("answered", lang) if thread.answered else ""
    target = drill.scenario.sla_minutes.for_priority(thread.priority)
    if left < 0:
        return "⛔ " + t("sla_over", lang, n=f"{-left:.0f}")
    mark = "⚠" if left <= (1 - 0.7) * target else "⏱"
    return f"{mark} " + t("sla_left", lang, n=f"{left:.0f}")


def queue_frame(rows: Sequence[ThreadState], drill: LiveDrill, lang: str = "en",
                annotate: Annotate | None = None) -> pd.DataFrame:
    """The visible window as a table; user text through ``ui.markup.cells``. The customer
    cell has two lines: who (handle, verified, name) and how they stand (mood, priority,
    reach)."""
    records = []
    for r in rows:
        author = r.author
        record = {
            "new": "▶" if r.thread_id == drill.selected else "●" if drill.inbox.unread(r)
            else "",
            "sla": sla_text(r, drill, lang),
            "message": ("🔒 " if r.last_customer_channel == "dm" else "")
                       + r.last_customer_text,
            "customer": f"@{author.handle}" + (" ✔" if author.verified else "")
                        + f" · {author.display_name}\n{mood(r.sentiment)} "
                        + f"{label('priority', r.priority, lang)} · "
                        + t("reach_n", lang, n=reach(author.followers)),
            "owner": r.assignee,
        }
        if annotate is not None:
            record["who"] = annotate(r)
        records.append(record)
    columns = [*COLUMNS, "who"] if annotate is not None else list(COLUMNS)
    return pd.DataFrame.from_records(cells(records), columns=columns)


# ------------------------------------------------------------------------------ actions


def open_thread(drill: LiveDrill, thread_id: str) -> None:
    drill.selected = thread_id
    drill.inbox.mark_seen(thread_id)


def _first_page(key: str) -> None:
    st.session_state[_k(key, "page")] = 1


def _retake(key: str) -> None:
    st.session_state[_k(key, "retake")] = True
    _first_page(key)


def _step(drill: LiveDrill, key: str, step: int) -> None:
    held = st.session_state.get(_k(key, "view"))
    if not (isinstance(held, tuple) and held[0] == drill.drill_id):
        return
    view: QueueView = held[1]
    target = drill.inbox.neighbour(view, drill.selected, step)
    if target is None:
        return
    open_thread(drill, target)
    at = view.order.index(target)
    page = at // PAGE_ROWS + 1
    if page != st.session_state.get(_k(key, "page"), 1):
        st.session_state[_k(key, "page")] = page
        _clear_selection(key)


def open_next_waiting(drill: LiveDrill, key: str = "queue") -> None:
    """Open the riskiest conversation nobody has answered (whatever the held order)."""
    waiting, _ = drill.inbox.select("unanswered", "highest risk", limit=1)
    if waiting:
        open_thread(drill, waiting[0].thread_id)
    else:
        state.toast(t("nothing_waiting", state.language()), icon="✔️")


def bulk_action(drill: LiveDrill, key: str, name: str, act: Act, lang: str) -> None:
    """Like, hide or resolve every ticked row; one toast says what happened."""
    raw = st.session_state.get(_table_key(key))
    ids = st.session_state.get(_k(key, "ids"), [])
    picked = [ids[i] for i in _rows(raw) if i < len(ids)]
    if not picked:
        state.toast(t("bulk_none", lang), icon="ℹ️")
        return
    done = skipped = 0
    for thread_id in picked:
        thread = drill.inbox.threads.get(thread_id)
        if thread is None:
            continue
        if (name == "like" and thread.liked) or (name == "hide" and thread.hidden) or (
                name == "resolve" and thread.resolved):
            skipped += 1
            continue
        action = (Like(thread.first_mention_id, agent=drill.agent) if name == "like"
                  else Hide(thread.first_mention_id, agent=drill.agent) if name == "hide"
                  else Resolve(thread_id, agent=drill.agent))
        try:
            act(action)
        except DrillNotRunning:
            return
        except ActionError:
            skipped += 1
            continue
        done += 1
    if isinstance(raw, dict) and isinstance(raw.get("selection"), dict):
        # untick what was done (the open cell stays as the browser has it)
        st.session_state[_table_key(key)] = {"selection": {
            **raw["selection"], "rows": []}}
    message = t("bulk_done_" + name, lang, n=done)
    if skipped:
        message += " " + t("bulk_skipped", lang, n=skipped)
    state.toast(message, icon="✅" if done else "ℹ️")

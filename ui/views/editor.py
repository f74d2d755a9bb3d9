"""The scenario editor for team leads (managers and admins): open a blank drill, a copy of a
built-in, a stored version or an imported file; edit it in the form (ui/views/editor_form.py)
with every field checked by the engine; see the exact YAML it saves; preview the flood; save
drafts with a change note, publish, list versions, export. Trainees get a refusal."""

from __future__ import annotations

import hashlib
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from stormdesk.editor import EditorError, file_name
from stormdesk.editor_preview import DraftPreview
from stormdesk.errors import StoreError
from ui import auth, services, state
from ui.i18n import label, t
from ui.markup import cells, inert
from ui.views import editor_form

DATA = editor_form.DATA
ORIGIN = "ed_origin"
PREVIEW = "ed_preview"
NOTICE = "ed_notice"
VIEWS = ("form", "yaml", "preview", "save", "versions")
NEXT_VIEW = "ed_view_next"


def render() -> None:
    lang = state.language()
    user = auth.current_user()
    if user is None or user.role not in ("manager", "admin"):
        st.error(t("ed_leads_only", lang))
        return
    st.title(t("ed_title_page", lang))
    st.caption(t("ed_intro", lang))
    if NOTICE in st.session_state:
        st.success(str(st.session_state.pop(NOTICE)))  # our words; user text made inert
    _open(user, lang)
    data = st.session_state.get(DATA)
    if not isinstance(data, dict):
        st.info(t("ed_nothing_open", lang))
        return
    st.caption(t("ed_editing", lang, origin=inert(str(st.session_state.get(ORIGIN, "")))))
    general = st.empty()
    if NEXT_VIEW in st.session_state:
        st.session_state["ed_view"] = st.session_state.pop(NEXT_VIEW)
    # A radio, not st.tabs: the chosen view is kept on the server, so a rerun (a save, a
    # publish, a preview) never jumps back to the first tab.
    view = st.radio(t("ed_view", lang), VIEWS, key="ed_view", horizontal=True,
                    format_func=lambda v: t("ed_tab_" + v, lang), label_visibility="collapsed")
    editor = services.app().editor
    slots = None
    if view == "form":
        edited, slots = editor_form.render(data, lang)
        st.session_state[DATA] = edited
    else:
        edited = data
    text = editor.yaml(edited)
    checked = editor.check(text)
    by_field = checked.by_field()
    left = (editor_form.show_problems(slots, by_field) if slots is not None
            else [f"{k}: {m}" if k else m for k, ms in by_field.items() for m in ms])
    with general.container():
        if checked.ok:
            st.success(t("ed_valid", lang))
        else:
            st.error(t("ed_problems_n", lang, n=len(checked.problems)))
            for line in left:
                st.error(inert(line), icon="⚠️")
    if view == "yaml":
        st.caption(t("ed_yaml_note", lang))
        st.code(text, language="yaml")
        st.download_button(t("ed_export", lang), text.encode("utf-8"),
                           file_name=file_name(str(edited.get("id", "drill"))),
                           mime="application/x-yaml", key="ed_export_draft",
                           disabled=not checked.ok)
    elif view == "preview":
        _preview(text, checked.ok, lang)
    elif view == "save":
        _save(user, text, checked.ok, lang)
    elif view == "versions":
        _versions(user, lang)


# -------------------------------------------------------------------------------- opening
def _load(data: dict[str, Any] | None, origin: str) -> None:
    editor_form.forget()
    st.session_state[NEXT_VIEW] = "form"  # set before the view switch is drawn again
    st.session_state[DATA] = data
    st.session_state[ORIGIN] = origin
    st.session_state.pop(PREVIEW, None)


def _open(user: Any, lang: str) -> None:
    editor = services.app().editor
    with st.expander(t("ed_open", lang), expanded=DATA not in st.session_state):
        builtins = editor.builtin_ids()
        choices = ["blank:en", "blank:ko", *(f"copy:{i}" for i in builtins)]

        def named(choice: str) -> str:
            kind, _, rest = choice.partition(":")
            if kind == "blank":
                return t("ed_blank_" + rest, lang)
            return t("ed_copy_of", lang, id=rest)

        a, b = st.columns([3, 1])
        pick = a.selectbox(t("ed_start_from", lang), choices, format_func=named,
                           key="ed_start_from")
        if b.button(t("ed_open_button", lang), key="ed_open", type="primary"):
            kind, _, rest = pick.partition(":")
            text = editor.blank(rest) if kind == "blank" else editor.copy_builtin(rest)
            _load(editor.data(text), named(pick))
            st.rerun()
        upload = st.file_uploader(t("ed_import", lang), type=["yaml", "yml"],
                                  key="ed_import")
        if upload is not None and st.button(t("ed_import_button", lang), key="ed_import_go"):
            checked = editor.import_file(upload.getvalue(), upload.name)
            data = editor.data(checked.text)
            if data is None:
                for line in checked.problems:
                    st.error(inert(line), icon="⚠️")
            else:
                _load(data, upload.name)
                st.rerun()
        if editor.can_draft():
            _draft_from_description(lang)


def _draft_from_description(lang: str) -> None:
    editor = services.app().editor
    words = st.text_area(t("ed_describe", lang), key="ed_describe",
                         help=t("ed_describe_help", lang), max_chars=2000)
    language = "ko" if lang == "ko" else "en"
    # never disabled: text typed but not yet sent (no blur) would leave the button off
    if st.button(t("ed_describe_button", lang), key="ed_describe_go"):
        if not words.strip():
            st.warning(t("ed_describe_empty", lang))
            return
        with st.spinner(t("ed_describing", lang)):
            drafted = editor.draft_from_description(words, language)
        if drafted is None:
            st.error(t("ed_describe_failed", lang))
            return
        _load(editor.data(drafted.text), t("ed_described", lang))
        st.rerun()


# -------------------------------------------------------------------------------- preview
def _preview(text: str, valid: bool, lang: str) -> None:
    if not valid:
        st.info(t("ed_fix_first", lang))
        return
    a, b = st.columns(2)
    seed = int(a.number_input(t("ed_seed", lang), min_value=0, max_value=2**31 - 1, value=1,
                              step=1, key="ed_seed"))
    minutes = float(b.number_input(t("ed_preview_minutes", lang), min_value=0.0, value=0.0,
                                   step=10.0, format="%g", key="ed_preview_minutes"))
    digest = hashlib.sha256(f"{seed}:{minutes}:{text}".encode()).hexdigest()
    if st.button(t("ed_run_preview", lang), key="ed_run_preview", type="primary"):
        try:
            shown = services.app().editor.preview(text, seed, minutes or None)
        except EditorError as exc:
            for line in exc.problems:
                st.error(inert(line))
            return
        st.session_state[PREVIEW] = (digest, shown)
    stored = st.session_state.get(PREVIEW)
    if not stored:
        return
    if stored[0] != digest:
        st.caption(t("ed_preview_stale", lang))
    draw_preview(stored[1], lang)


def draw_preview(shown: DraftPreview, lang: str) -> None:
    a, b, c, d = st.columns(4)
    a.metric(t("ed_pv_mentions", lang), shown.new_mentions)
    b.metric(t("ed_pv_follow_ups", lang), shown.follow_ups)
    c.metric(t("ed_pv_spread", lang), shown.spread)
    end = shown.reputation_end
    d.metric(t("ed_pv_reputation", lang), "-" if end is None else f"{end:.0f}")
    st.caption(t("ed_pv_took", lang, seconds=f"{shown.seconds:.2f}", seed=shown.seed))
    if shown.run.volume:
        volume = pd.DataFrame(shown.run.volume)
        st.altair_chart(alt.Chart(volume).mark_bar().encode(
            x=alt.X("minute:Q", title=t("ed_axis_minute", lang)),
            y=alt.Y("posts:Q", title=t("ed_axis_posts", lang)),
            color=alt.Color("kind:N", title=t("ed_axis_kind", lang))), width="stretch")
    if shown.run.reputation:
        st.altair_chart(alt.Chart(pd.DataFrame(shown.run.reputation)).mark_line().encode(
            x=alt.X("minute:Q", title=t("ed_axis_minute", lang)),
            y=alt.Y("reputation:Q", title=t("ed_pv_reputation", lang))), width="stretch")
    e, f = st.columns(2)
    e.dataframe(pd.DataFrame(cells([{t("ed_persona", lang): label("persona", k, lang),
                                     t("ed_count", lang): v}
                                    for k, v in shown.personas.items()])),
                hide_index=True, width="stretch")
    f.dataframe(pd.DataFrame(cells([{t("ed_intent", lang): label("intent", k, lang),
                                     t("ed_count", lang): v}
                                    for k, v in shown.intents.items()])),
                hide_index=True, width="stretch")
    for phase in shown.phases:
        name = phase.name or t("ed_outside_phases", lang)
        st.markdown(f"**{inert(name)}** · " + t("ed_phase_counts", lang, n=phase.mentions,
                                                 start=f"{phase.start_minute:g}",
                                                 end=f"{phase.end_minute:g}"))
        if phase.samples:
            st.dataframe(pd.DataFrame(cells([
                {t("ed_clock", lang): m["clock"], t("ed_author", lang): m["author"],
                 t("ed_persona", lang): label("persona", m["persona"], lang),
                 t("ed_intent", lang): label("intent", m["intent"], lang),
                 t("ed_inject_text", lang): m["text"]} for m in phase.samples])),
                hide_index=True, width="stretch")


# ---------------------------------------------------------------------- saving, sharing
def _save(user: Any, text: str, valid: bool, lang: str) -> None:
    editor = services.app().editor
    note = st.text_input(t("ed_change_note", lang), key="ed_change_note", max_chars=500)
    if st.button(t("ed_save_draft", lang), key="ed_save_draft", type="primary",
                 disabled=not valid):
        try:
            saved = editor.save_draft(user.viewer, text, note)
        except EditorError as exc:
            for line in exc.problems:
                st.error(inert(line))
        except StoreError as exc:
            st.error(inert(str(exc)))
        else:
            st.session_state[NOTICE] = t("ed_saved", lang, n=saved.id)
            st.rerun()
    versions = editor.versions(user.viewer)
    # a draft already published (the same content published after it) is not offered again
    published = [(v.scenario_id, v.content_hash, v.id) for v in versions
                 if v.status == "published"]
    drafts = [v for v in versions if v.status == "draft" and not any(
        (i, h) == (v.scenario_id, v.content_hash) and n > v.id for i, h, n in published)]
    if not drafts:
        st.caption(t("ed_no_drafts", lang))
        return
    st.divider()
    by_id = {v.id: v for v in drafts}
    pick = st.selectbox(t("ed_publish_which", lang), list(by_id), key="ed_publish_which",
                        format_func=lambda i: f"v{i} · {by_id[i].scenario_id} · "
                                              f"{by_id[i].title} · {by_id[i].change_note}")
    scopes = ["team", "everyone"] if user.role == "admin" else ["team"]
    scope = st.radio(t("ed_scope", lang), scopes, key="ed_scope", horizontal=True,
                     format_func=lambda s: t("ed_scope_" + s, lang))
    publish_note = st.text_input(t("ed_publish_note", lang), key="ed_publish_note",
                                 max_chars=500)
    if st.button(t("ed_publish", lang), key="ed_publish"):
        try:
            done = editor.publish(user.viewer, int(pick), "everyone" if scope == "everyone"
                                  else "team", publish_note)
        except StoreError as exc:
            st.error(inert(str(exc)))
        else:
            st.session_state[NOTICE] = t("ed_published", lang, n=done.id,
                                                  id=inert(done.scenario_id))
            st.rerun()


def _versions(user: Any, lang: str) -> None:
    editor = services.app().editor
    found = editor.versions(user.viewer)
    if not found:
        st.caption(t("ed_no_versions", lang))
        return
    st.dataframe(pd.DataFrame(cells([
        {t("ed_col_version", lang): f"v{v.id}", t("ed_id", lang): v.scenario_id,
         t("ed_title", lang): v.title, t("ed_col_status", lang): t("ed_status_" + v.status, lang),
         t("ed_scope", lang): t("ed_scope_" + v.scope, lang), t("ed_author", lang): v.author,
         t("ed_col_when", lang): f"{v.created_at:%Y-%m-%d %H:%M} UTC",
         t("ed_change_note", lang): v.change_note, t("ed_col_hash", lang): v.content_hash}
        for v in found])), hide_index=True, width="stretch")
    by_id = {v.id: v for v in found}
    pick = st.selectbox(t("ed_version_pick", lang), list(by_id), key="ed_version_pick",
                        format_func=lambda i: f"v{i} · {by_id[i].scenario_id} · "
                                              f"{t('ed_status_' + by_id[i].status, lang)}")
    a, b = st.columns(2)
    if a.button(t("ed_open_version", lang), key="ed_open_version"):
        chosen = by_id[int(pick)]
        _load(editor.data(chosen.yaml_text), f"v{chosen.id} ({chosen.scenario_id})")
        st.rerun()
    name, data = editor.export(user.viewer, int(pick))
    b.download_button(t("ed_export_version", lang), data, file_name=name,
                      mime="application/x-yaml", key="ed_export_version")
    with st.expander(t("ed_audit", lang)):
        st.dataframe(pd.DataFrame(cells([
            {t("ed_col_when", lang): f"{e.created_at:%Y-%m-%d %H:%M} UTC",
             t("ed_author", lang): e.username, t("ed_col_action", lang):
                 t("ed_action_" + e.action, lang), t("ed_col_version", lang): f"v{e.version_id}",
             t("ed_id", lang): e.scenario_id, t("ed_change_note", lang): e.note}
            for e in editor.audit(user.viewer)])), hide_index=True, width="stretch")

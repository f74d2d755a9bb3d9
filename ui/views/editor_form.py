"""The editor's form: one part of the scenario schema per section. Each widget writes into the
draft's data; after the last widget the data is written out as the file and checked by the
engine (``StormDesk.editor.check_data``), and each field's problems are drawn under it in the
engine's words (placeholders filled after the check, so a change shows its error at once).

Widgets never clamp a value: a number out of range is kept and the engine's message says why,
so the form accepts exactly what the file format accepts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from engine.records import INTENTS, PERSONAS
from ui.i18n import label, t
from ui.markup import inert

#: Session-state key prefix of every form widget (cleared when another draft is opened).
PREFIX = "edf_"
#: Session-state key of the draft's data (what the form edits).
DATA = "ed_data"
VOICES = ("friendly", "formal", "playful")
EMOJI = ("encouraged", "sparing", "none")
DIFFICULTIES = ("easy", "medium", "hard")
RAMPS = ("", "step", "linear", "exponential")
SLA = ("urgent", "high", "normal", "low")
WEIGHTS = ("speed", "empathy", "tone", "privacy")
INCIDENT_TEXT = ("down", "since", "affected", "status_page", "cause", "eta", "compensation")


@dataclass
class Slots:
    """Placeholders under the widgets, by the field path whose problems they show."""

    exact: dict[str, Any] = field(default_factory=dict)
    within: dict[str, Any] = field(default_factory=dict)

    def add(self, path: str, inside: bool = False) -> None:
        (self.within if inside else self.exact)[path] = st.empty()


def _key(path: str) -> str:
    return PREFIX + path


def _num(value: Any) -> Any:
    """Whole numbers written without ``.0`` (the file reads as a person would write it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _set(data: dict[str, Any], key: str, value: Any, default: Any = None) -> None:
    """Set ``key``; an optional field left at its default and absent before stays absent."""
    if key not in data and (value == default or value in (None, "", [])):
        return
    if value is None or value == "":
        data.pop(key, None)
    else:
        data[key] = value


def _kept(data: dict[str, Any], key: str, fits: bool, shown: Any, value: Any) -> bool:
    """Whether an imported value the widget cannot show (text where a number goes, an unknown
    choice) stays as it was: the widget still shows its stand-in, so the file keeps the value
    and the engine says what is wrong with it, instead of the form replacing it silently."""
    return key in data and not fits and value == shown


def _mapping(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The mapping at ``key`` (created when absent); None when the file holds something else
    there (then the section is not drawn and the value stays for the engine to name)."""
    found = data.setdefault(key, {})
    return found if isinstance(found, dict) else None


def _list(data: dict[str, Any], key: str) -> list[Any] | None:
    found = data.setdefault(key, [])
    return found if isinstance(found, list) else None


def _lines(value: Any) -> str:
    return "\n".join(str(v) for v in value) if isinstance(value, list) else ""


def _list_of_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text(slots: Slots, data: dict[str, Any], key: str, path: str, title: str, *,
          area: bool = False, help_text: str | None = None) -> None:
    current = data.get(key)
    shown = current if isinstance(current, str) else ("" if current is None else str(current))
    widget = st.text_area if area else st.text_input
    value = widget(title, value=shown, key=_key(path), help=help_text)
    if not _kept(data, key, isinstance(current, str), shown, value):
        _set(data, key, value)
    slots.add(path)


def _number(slots: Slots, data: dict[str, Any], key: str, path: str, title: str, *,
            optional: bool = False, step: float = 1.0) -> None:
    current = data.get(key)
    fits = isinstance(current, int | float) and not isinstance(current, bool)
    shown = float(current) if isinstance(current, int | float) and fits else (
        None if optional else 0.0)
    value = st.number_input(title, value=shown, step=step, key=_key(path),
                            format="%g")
    if not _kept(data, key, fits, shown, value):
        _set(data, key, _num(value) if value is not None else None)
    slots.add(path)


def _choice(slots: Slots, data: dict[str, Any], key: str, path: str, title: str,
            options: tuple[str, ...], kind: str, lang: str, default: str) -> None:
    current = data.get(key, default)
    index = options.index(current) if current in options else 0
    value = st.selectbox(title, options, index=index, key=_key(path),
                         format_func=lambda v: label(kind, v, lang) if v else "-")
    if not _kept(data, key, current in options, options[index], value):
        _set(data, key, value, default)
    slots.add(path)


def _flag(slots: Slots, data: dict[str, Any], key: str, path: str, title: str) -> None:
    current = data.get(key, False)
    value = st.toggle(title, value=bool(current), key=_key(path))
    if not _kept(data, key, isinstance(current, bool), bool(current), value):
        _set(data, key, value, False)
    slots.add(path)


def _word_list(slots: Slots, data: dict[str, Any], key: str, path: str, title: str,
               lang: str) -> None:
    current = data.get(key)
    shown = _lines(current)
    value = st.text_area(title, value=shown, key=_key(path),
                         help=t("ed_one_per_line", lang), height=110)
    fits = isinstance(current, list) and all(isinstance(v, str) and v.strip() == v and v
                                             for v in current)
    if not _kept(data, key, fits, shown, value):
        _set(data, key, _list_of_lines(value))
    slots.add(path, inside=True)


# -------------------------------------------------------------------------------- sections
def basics(data: dict[str, Any], slots: Slots, lang: str) -> None:
    a, b = st.columns([1, 2])
    with a:
        _text(slots, data, "id", "id", t("ed_id", lang), help_text=t("ed_id_help", lang))
    with b:
        _text(slots, data, "title", "title", t("ed_title", lang))
    c, d, e, f = st.columns(4)
    with c:
        _choice(slots, data, "language", "language", t("ed_language", lang), ("en", "ko"),
                "edlang", lang, "en")
    with d:
        _choice(slots, data, "difficulty", "difficulty", t("ed_difficulty", lang),
                DIFFICULTIES, "difficulty", lang, "medium")
    with e:
        _text(slots, data, "start_clock", "start_clock", t("ed_start_clock", lang))
    with f:
        _number(slots, data, "duration_minutes", "duration_minutes", t("ed_duration", lang))
    _text(slots, data, "briefing", "briefing", t("ed_briefing", lang), area=True)
    g, h = st.columns(2)
    with g:
        _flag(slots, data, "status_updates_expected", "status_updates_expected",
              t("ed_status_expected", lang))
    with h:
        _number(slots, data, "status_cadence_minutes", "status_cadence_minutes",
                t("ed_status_cadence", lang), optional=True)


def brand(data: dict[str, Any], slots: Slots, lang: str) -> None:
    slots.add("brand")
    part = _mapping(data, "brand")
    if part is None:
        return
    a, b, c = st.columns(3)
    with a:
        _text(slots, part, "name", "brand.name", t("ed_brand_name", lang))
    with b:
        _text(slots, part, "handle", "brand.handle", t("ed_handle", lang))
    with c:
        _choice(slots, part, "voice", "brand.voice", t("ed_voice", lang), VOICES, "voice",
                lang, "friendly")
    d, e = st.columns(2)
    with d:
        _choice(slots, part, "emoji", "brand.emoji", t("ed_emoji", lang), EMOJI, "edemoji",
                lang, "sparing")
    with e:
        _flag(slots, part, "sign_with_initials", "brand.sign_with_initials",
              t("ed_initials", lang))
    f, g = st.columns(2)
    with f:
        _word_list(slots, part, "products", "brand.products", t("ed_products", lang), lang)
        _word_list(slots, part, "misspellings", "brand.misspellings",
                   t("ed_misspellings", lang), lang)
    with g:
        _word_list(slots, part, "banned_phrases", "brand.banned_phrases",
                   t("ed_banned", lang), lang)
        _word_list(slots, part, "hashtags", "brand.hashtags", t("ed_hashtags", lang), lang)
    _text(slots, part, "dm_link", "brand.dm_link", t("ed_dm_link", lang))


def targets(data: dict[str, Any], slots: Slots, lang: str) -> None:
    for key, names, title in (("sla_minutes", SLA, "ed_sla"),
                              ("scoring_weights", WEIGHTS, "ed_weights")):
        st.markdown(f"**{t(title, lang)}**")
        slots.add(key)
        absent = key not in data
        part = _mapping(data, key)
        if part is None:
            continue
        columns = st.columns(len(names))
        for column, name in zip(columns, names, strict=True):
            with column:
                _number(slots, part, name, f"{key}.{name}",
                        label("priority" if key == "sla_minutes" else "dim", name, lang),
                        optional=True, step=0.05 if key == "scoring_weights" else 1.0)
        if absent and not part:
            data.pop(key)  # left at the defaults: the file need not say so


def _mix(current: Any, names: tuple[str, ...], kind: str, path: str, lang: str) -> dict[str, Any]:
    given = current if isinstance(current, dict) else {}
    order = [n for n in given if n in names] + [n for n in names if n not in given]
    rows = [{"name": n, "label": label(kind, n, lang),
             "share": float(given[n]) if isinstance(given.get(n), int | float) else None}
            for n in order]
    shown = st.data_editor(
        pd.DataFrame(rows), key=_key(path), hide_index=True, width="stretch",
        disabled=["name", "label"],
        column_config={"name": None, "label": st.column_config.TextColumn(t("ed_" + kind, lang)),
                       "share": st.column_config.NumberColumn(t("ed_share", lang))})
    mix = {str(r["name"]): _num(float(r["share"])) for r in shown.to_dict("records")
           if r["share"] is not None and not pd.isna(r["share"])}
    for name, value in given.items():  # names the form does not know stay (the engine says)
        if name not in names:
            mix[name] = value
    return mix


def phases(data: dict[str, Any], slots: Slots, lang: str) -> None:
    slots.add("phases")
    items = _list(data, "phases")
    if items is None:
        return
    for i, phase in enumerate(list(items)):
        if not isinstance(phase, dict):
            continue
        path = f"phases[{i}]"
        with st.container(border=True):
            st.markdown(f"**{t('ed_phase_n', lang, n=i + 1)}**")
            a, b, c = st.columns(3)
            with a:
                _text(slots, phase, "name", f"{path}.name", t("ed_phase_name", lang))
            with b:
                _number(slots, phase, "start_minute", f"{path}.start_minute",
                        t("ed_start_minute", lang))
            with c:
                _number(slots, phase, "end_minute", f"{path}.end_minute",
                        t("ed_end_minute", lang))
            d, e, f, g = st.columns(4)
            with d:
                _number(slots, phase, "rate_per_minute", f"{path}.rate_per_minute",
                        t("ed_rate", lang), step=0.5)
            with e:
                _number(slots, phase, "rate_end_per_minute", f"{path}.rate_end_per_minute",
                        t("ed_rate_end", lang), optional=True, step=0.5)
            with f:
                _choice(slots, phase, "ramp", f"{path}.ramp", t("ed_ramp", lang), RAMPS,
                        "edramp", lang, "")
            with g:
                _number(slots, phase, "ramp_minutes", f"{path}.ramp_minutes",
                        t("ed_ramp_minutes", lang), optional=True)
            h, k = st.columns(2)
            for column, key, names, kind in ((h, "personas", PERSONAS, "persona"),
                                             (k, "intents", INTENTS, "intent")):
                with column:
                    if isinstance(phase.get(key, {}), dict):  # else kept for the engine
                        phase[key] = _mix(phase.get(key), names, kind, f"{path}.{key}", lang)
                    slots.add(f"{path}.{key}", inside=True)
            slots.add(path)
            if len(items) > 1 and st.button(t("ed_remove_phase", lang), key=_key(path + "rm")):
                items.pop(i)
                _redraw(data)
    if st.button(t("ed_add_phase", lang), key=_key("phases_add")):
        last = items[-1] if items and isinstance(items[-1], dict) else {}
        start = last.get("end_minute", 0)
        items.append({"name": t("ed_new_phase", lang), "start_minute": start,
                      "end_minute": data.get("duration_minutes", start),
                      "rate_per_minute": 1, "personas": {"neutral": 1},
                      "intents": {"product_question": 1}})
        _redraw(data)


#: The hidden column that ties a table row to the item it was drawn from.
ROW = "_row"


def _table(data: dict[str, Any], key: str, columns: dict[str, Any], to_rows: Callable[
        [dict[str, Any]], dict[str, Any]], from_row: Callable[[dict[str, Any]], dict[str, Any]],
           handled: dict[str, set[str] | None]) -> None:
    """A list of mappings as an editable table. ``handled``: the keys the table writes (a
    nested mapping's own keys as the value); any other key of an item (a typo in an imported
    file) stays on that item, so the engine can name it."""
    found = data.get(key, [])
    if not isinstance(found, list) or not all(isinstance(i, dict) for i in found):
        return  # not a list of mappings: kept for the engine to name
    items: list[dict[str, Any]] = found
    frame = pd.DataFrame([{**to_rows(item), ROW: n} for n, item in enumerate(items)],
                         columns=[*columns, ROW])
    shown = st.data_editor(frame, key=_key(key), num_rows="dynamic", hide_index=True,
                           width="stretch", column_config={**columns, ROW: None})
    rows = []
    for record in shown.to_dict("records"):
        origin = record.pop(ROW, None)
        row = from_row({k: (None if _blank(v) else v) for k, v in record.items()})
        if not _blank(origin) and 0 <= int(origin) < len(items):
            # the row of an existing item: its key order, and keys the table does not show
            row = _with_unknown(_ordered(row, items[int(origin)]), items[int(origin)], handled)
        rows.append(row)
    _set(data, key, [r for r in rows if r])


def _with_unknown(new: dict[str, Any], old: dict[str, Any],
                  handled: dict[str, set[str] | None]) -> dict[str, Any]:
    out = dict(new)
    for k, v in old.items():
        if k not in handled:
            out[k] = v
        elif isinstance(v, dict) and handled[k] is not None:
            current = out.get(k)
            inner: dict[str, Any] = current if isinstance(current, dict) else {}
            extra = {ik: iv for ik, iv in v.items() if ik not in (handled[k] or set())}
            if extra:
                out[k] = {**inner, **extra}
    return out


def _ordered(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    # an unchanged number keeps how it was written (0.0 stays 0.0)
    out = {k: old[k] if _same(old[k], new[k]) else new[k] for k in old if k in new}
    for k, v in new.items():
        out.setdefault(k, v)
    for k, v in out.items():
        if isinstance(v, dict) and isinstance(old.get(k), dict):
            out[k] = _ordered(v, old[k])
    return out


def _same(old: Any, new: Any) -> bool:
    numbers = (int, float)
    return (isinstance(old, numbers) and isinstance(new, numbers) and not isinstance(old, bool)
            and not isinstance(new, bool) and old == new)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and pd.isna(value):
        return True
    return isinstance(value, str) and not value.strip()


def _drop_none(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _num(v) for k, v in row.items() if v is not None}


def injects(data: dict[str, Any], slots: Slots, lang: str) -> None:
    columns = {
        "at_minute": st.column_config.NumberColumn(t("ed_at_minute", lang)),
        "persona": st.column_config.SelectboxColumn(t("ed_persona", lang), options=PERSONAS),
        "intent": st.column_config.SelectboxColumn(t("ed_intent", lang), options=INTENTS),
        "text": st.column_config.TextColumn(t("ed_inject_text", lang), width="large"),
        "sentiment": st.column_config.NumberColumn(t("ed_sentiment", lang)),
        "handle": st.column_config.TextColumn(t("ed_author_handle", lang)),
        "display_name": st.column_config.TextColumn(t("ed_author_name", lang)),
        "followers": st.column_config.NumberColumn(t("ed_followers", lang)),
        "verified": st.column_config.CheckboxColumn(t("ed_verified", lang)),
        "bio": st.column_config.TextColumn(t("ed_bio", lang)),
    }
    author_keys = ("handle", "display_name", "followers", "verified", "bio")

    def to_row(item: dict[str, Any]) -> dict[str, Any]:
        found = item.get("author")
        author: dict[str, Any] = found if isinstance(found, dict) else {}
        return {**{k: item.get(k) for k in ("at_minute", "persona", "intent", "text",
                                             "sentiment")},
                **{k: author.get(k) for k in author_keys}}

    def from_row(row: dict[str, Any]) -> dict[str, Any]:
        item = _drop_none({k: row.get(k) for k in ("at_minute", "persona", "intent", "text",
                                                   "sentiment")})
        author = _drop_none({k: row.get(k) for k in author_keys})
        if author.get("verified") is False:
            author.pop("verified")
        if author:
            item["author"] = author
        return item

    st.caption(t("ed_inject_help", lang))
    _table(data, "injects", columns, to_row, from_row,
           {**dict.fromkeys(("at_minute", "persona", "intent", "text", "sentiment")),
            "author": set(author_keys)})
    slots.add("injects", inside=True)


def incident(data: dict[str, Any], slots: Slots, lang: str) -> None:
    columns = {"from_minute": st.column_config.NumberColumn(t("ed_from_minute", lang)),
               **{k: st.column_config.TextColumn(t("ed_fact_" + k, lang))
                  for k in INCIDENT_TEXT},
               "keywords": st.column_config.TextColumn(t("ed_keywords", lang))}

    def to_row(item: dict[str, Any]) -> dict[str, Any]:
        words = item.get("keywords")
        return {**{k: item.get(k) for k in ("from_minute", *INCIDENT_TEXT)},
                "keywords": ", ".join(str(w) for w in words) if isinstance(words, list)
                else words}

    def from_row(row: dict[str, Any]) -> dict[str, Any]:
        item = _drop_none({k: row.get(k) for k in ("from_minute", *INCIDENT_TEXT)})
        words = row.get("keywords")
        if isinstance(words, str):
            item["keywords"] = [w.strip() for w in words.split(",") if w.strip()]
        return item

    st.caption(t("ed_incident_help", lang))
    _table(data, "incident", columns, to_row, from_row,
           dict.fromkeys(("from_minute", *INCIDENT_TEXT, "keywords")))
    slots.add("incident", inside=True)


def macros(data: dict[str, Any], slots: Slots, lang: str) -> None:
    part = _mapping(data, "brand")
    if part is None:
        return
    columns = {"title": st.column_config.TextColumn(t("ed_macro_title", lang)),
               "text": st.column_config.TextColumn(t("ed_macro_text", lang), width="large")}
    _table(part, "macros", columns, lambda i: {k: i.get(k) for k in columns}, _drop_none,
           dict.fromkeys(columns))
    slots.add("brand.macros", inside=True)


SECTIONS: tuple[tuple[str, Callable[[dict[str, Any], Slots, str], None]], ...] = (
    ("ed_sec_basics", basics), ("ed_sec_brand", brand), ("ed_sec_targets", targets),
    ("ed_sec_phases", phases), ("ed_sec_injects", injects), ("ed_sec_incident", incident),
    ("ed_sec_macros", macros))


def _redraw(data: dict[str, Any]) -> None:
    """Keep the edited data and draw the form again from it (a phase added or removed)."""
    st.session_state[DATA] = data
    _forget()
    st.rerun()


def _forget() -> None:
    """Drop the form's widget state (after opening another draft or adding/removing a phase,
    widgets are drawn again from the data)."""
    for key in [k for k in st.session_state if str(k).startswith(PREFIX)]:
        del st.session_state[key]


def forget() -> None:
    _forget()


def render(data: dict[str, Any], lang: str) -> tuple[dict[str, Any], Slots]:
    """Draw every section over a copy of ``data``; returns the edited data and the slots to
    fill with the check's problems (``show_problems``)."""
    edited = copy.deepcopy(data)
    slots = Slots()
    for title, section in SECTIONS:
        with st.expander(t(title, lang), expanded=title == "ed_sec_basics"):
            section(edited, slots, lang)
    return edited, slots


def show_problems(slots: Slots, by_field: dict[str, list[str]]) -> list[str]:
    """Fill each field's placeholder with its problems; returns the lines no field took."""
    taken: set[str] = set()
    for path, slot in slots.exact.items():
        lines = by_field.get(path, [])
        if lines:
            taken.add(path)
            slot.error("\n\n".join(inert(line) for line in lines), icon="⚠️")
    for path, slot in slots.within.items():
        found = [(key, f"{key[len(path):].lstrip('.')}: {m}" if key != path else m)
                 for key, messages in by_field.items() for m in messages
                 if key == path or key.startswith((path + ".", path + "["))]
        if found:
            taken.update(key for key, _ in found)
            slot.error("\n\n".join(inert(line) for _, line in found), icon="⚠️")
    return [f"{key}: {m}" if key else m for key, messages in by_field.items()
            if key not in taken for m in messages]

"""The one renderer for user text: scenario, customer, trainee and manager text shown in any
view renders as the characters typed, never as a link, icon, image, formula or element.

Why backslash escapes alone are not enough (measured on Streamlit 1.67's markdown): after
parsing, plugins rewrite *text nodes*, where escapes are already gone: GFM autolinks
(``https://``, ``www.``, e-mail addresses), ``:material_x:`` icons (the source's
``:material/`` is rewritten to that before parsing), the ``:streamlit:`` logo, emoji
shortcodes and typography (``--`` -> em dash, ``->`` -> arrow, ``>=``...). So besides escaping
every markdown character, ``inert`` puts each character those rewrites key on (``:``, ``@``,
the dot of ``www.``, and runs of ``- < > = ~``) in its own unstyled ``:color[...]{}`` span:
no text node then holds a whole pattern, and the page shows the same characters.

``visible`` is the code-point policy (what cannot be shown as typed): lone surrogates (not
encodable), C0/C1 control characters other than tab and newline, and explicit bidi
embeddings/overrides/isolates (U+202A-E, U+2066-9, the "Trojan Source" reordering trick)
become U+FFFD; CR, CRLF, U+2028 and U+2029 become newlines. Everything else is kept, zero-width
characters included. HTML is never allowed on user text (no ``unsafe_allow_html``).
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
#: The colours Streamlit's markdown knows (``highlight`` refuses any other).
COLORS = frozenset({"red", "orange", "yellow", "green", "blue", "violet", "gray", "grey",
                    "primary"})
#: Dataframe cells are drawn on a canvas, one line each; past this they are cut (a cell of a
#: megabyte would cost the browser seconds for nothing anyone can read there).
MAX_CELL_CHARS = 1000

_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                        "\ud800-\udfff]")
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029]")
# One pass over the text, first matching branch wins:
#   1 a character a text-node rewrite keys on: its own span
#   2 any other markdown character: backslash-escaped
_TOKEN = re.compile(r"(?P<split>[:@]|(?<=[wW]{3})\.|[-<>=~](?=[-<>=~]))"
                    r"|(?P<escape>[\\`*_{}\[\]()#+\-.!|<>~$=^&])")
_LEADING = re.compile(r"^[ \t]+", re.MULTILINE)


def visible(text: str) -> str:
    """``text`` as it can be shown: see the module's code-point policy."""
    return _INVISIBLE.sub(REPLACEMENT, _NEWLINES.sub("\n", text))


def _token(match: re.Match[str]) -> str:
    escaped = "\\" + match.group(0)
    if match.group("split") is not None:
        return f":color[{escaped}]{{}}"
    return escaped


def _leading(match: re.Match[str]) -> str:
    # Leading blanks would make an indented code block (and Streamlit dedents the source);
    # as character references they are plain text.
    return "".join("&#9;" if c == "\t" else "&#32;" for c in match.group(0))


def _leading_emoji(text: str) -> str:
    """The emoji ``st.error``/``st.info`` would take off the start of their body as its icon."""
    if not text or text[0].isascii():
        return ""
    from streamlit.string_util import extract_leading_emoji

    emoji, _rest = extract_leading_emoji(text)
    return emoji if emoji and text.startswith(emoji) else ""


def _render(shown: str) -> str:
    body = _LEADING.sub(_leading, _TOKEN.sub(_token, shown)).replace("\n", "  \n")
    # The markdown parser drops a byte-order mark at the very start of its input.
    return "&#65279;" + body[1:] if body.startswith("\ufeff") else body


def inert(text: str) -> str:
    """Markdown that renders exactly as ``text`` reads (see ``visible`` for the exceptions)."""
    shown = visible(text)
    emoji = _leading_emoji(shown)
    if emoji:  # alerts would turn it into their icon: keep it text, in its own span
        return f":color[{_render(emoji)}]{{}}" + _render(shown[len(emoji):])
    return _render(shown)


def _edges(markdown: str) -> str:
    """Blanks at the start and end of a piece as character references (markdown trims them
    inside a directive's label and around it)."""
    core = markdown.strip(" ")
    if not core:
        return "&#32;" * len(markdown)
    head = len(markdown) - len(markdown.lstrip(" "))
    tail = len(markdown) - len(markdown.rstrip(" "))
    return "&#32;" * head + core + "&#32;" * tail


def highlight(text: str, start: int, end: int, color: str = "orange") -> str:
    """Inert text with ``text[start:end]`` highlighted (offsets into the raw text)."""
    if color not in COLORS:
        raise ValueError(f"unknown highlight colour {color!r}; known: {sorted(COLORS)}")
    if not (0 <= start < end <= len(text)):
        return inert(text)
    before, marked, after = text[:start], text[start:end], text[end:]
    return (_edges(inert(before)) + f":{color}-background[{_edges(inert(marked))}]"
            + _edges(inert(after)))


def cell(value: Any) -> Any:
    """A dataframe cell: text made ``visible`` and cut at ``MAX_CELL_CHARS``; other values as
    they are. (Grid cells are plain text: no markdown, no links; but lone surrogates break
    the Arrow encoding and bidi controls reorder what the reader sees.)"""
    if not isinstance(value, str):
        return value
    shown = visible(value)
    return shown if len(shown) <= MAX_CELL_CHARS else shown[:MAX_CELL_CHARS - 1] + "…"


def cells(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for ``pd.DataFrame(...)`` / ``st.dataframe`` with every text cell through ``cell``."""
    return [{str(k): cell(v) for k, v in row.items()} for row in rows]


def frame(df: Any) -> Any:
    """A pandas DataFrame with every text cell (and column name) through ``cell``."""
    cleaned = df.map(cell)
    cleaned.columns = [cell(c) for c in cleaned.columns]
    return cleaned

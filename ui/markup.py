"""Render user text inert: scenario, customer and trainee text never becomes markup.

Streamlit's markdown interprets links, images, emphasis, ``:color[...]`` directives and LaTeX;
every special character in user text is backslash-escaped before it reaches ``st.markdown``.
HTML is never allowed (no ``unsafe_allow_html`` anywhere on user text).
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=^&])")


def inert(text: str) -> str:
    """Markdown-escaped text that renders exactly as typed."""
    return _SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def highlight(text: str, start: int, end: int, color: str = "orange") -> str:
    """Inert text with ``text[start:end]`` highlighted (offsets into the raw text)."""
    if not (0 <= start < end <= len(text)):
        return inert(text)
    return (inert(text[:start]) + f":{color}-background[{inert(text[start:end])}]"
            + inert(text[end:]))

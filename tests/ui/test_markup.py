"""User text is inert in every view: ``ui.markup`` on a hostile corpus (tests/fixtures/hostile),
checked three ways: the encoding itself (lossless, no pattern left whole in a text node), the
app headless (AppTest: every payload renders without an error), and a real browser (nothing is
a link, icon, image, formula or element; the visible text equals the input)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from ui.markup import MAX_CELL_CHARS, REPLACEMENT, cell, cells, highlight, inert, visible

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
PAGE = HOSTILE / "page.py"
LABEL_CHARS = 2000  # tests/fixtures/hostile/page.py shows longer payloads in bodies only


def corpus() -> list[tuple[str, str]]:
    data = json.loads((HOSTILE / "corpus.json").read_text(encoding="utf-8"))
    return [(p["name"], p["text"] if "text" in p else p["repeat"] * p["times"])
            for p in data["payloads"]]


CORPUS = corpus()
NAMES = [name for name, _ in CORPUS]


def test_corpus_is_big_and_covers_every_kind_of_trick():
    assert len(CORPUS) >= 60
    text = "\n".join(t for _, t in CORPUS)
    for needle in ("<script", "onerror=", "javascript:", "data:", "](", "![", "https://",
                   "www.", "@example", ":material", ":streamlit:", ":smile:", "$x", "\u202e",
                   "\u200b", "\ud800", "\x00"):
        assert needle in text, needle
    assert max(len(t) for _, t in CORPUS) >= 50_000


# --------------------------------------------------------------------------- the encoding

_SPAN = re.compile(r":color\[(\\.|[^\]\\\x00-\x7f]+)\]\{\}", re.DOTALL)
_SPECIALS = set("\\`*_{}[]()#+-.!|<>~:$=^&@")


def decode(markdown: str) -> str:
    """What a markdown reader shows for ``inert``'s output, by the rules it relies on; raises
    AssertionError when a plain stretch contains a character that is not escaped."""
    out: list[str] = []
    pos = 0
    for match in _SPAN.finditer(markdown):
        out.append(_plain(markdown[pos:match.start()]))
        content = match.group(1)  # one escaped character, or a leading emoji
        out.append(content[1] if content.startswith("\\") else content)
        pos = match.end()
    out.append(_plain(markdown[pos:]))
    return "".join(out)


def _plain(segment: str) -> str:
    segment = segment.replace("  \n", "\n")
    for ref, char in (("&#32;", " "), ("&#9;", "\t"), ("&#65279;", "\ufeff")):
        segment = segment.replace(ref, "\x00" + char)  # marked: not an unescaped '&'
    out, i = [], 0
    while i < len(segment):
        c = segment[i]
        if c == "\x00":
            out.append(segment[i + 1])
            i += 2
        elif c == "\\":
            assert i + 1 < len(segment) and segment[i + 1] in _SPECIALS, segment[i:i + 8]
            out.append(segment[i + 1])
            i += 2
        else:
            assert c not in _SPECIALS, f"unescaped {c!r} in {segment[:60]!r}"
            out.append(c)
            i += 1
    text = "".join(out)
    for pattern in ("://", "www.", "@", "--", "->", "<-", ">=", "<=", "~="):
        assert pattern not in text or len(pattern) == 1, pattern  # split by spans
    return text


@pytest.mark.parametrize(("name", "text"), CORPUS, ids=NAMES)
def test_inert_is_lossless_and_leaves_no_pattern_whole(name, text):
    assert decode(inert(text)) == visible(text)


@given(st.text(max_size=300))
def test_inert_any_text_is_lossless(text):
    assert decode(inert(text)) == visible(text)


@given(st.text(max_size=80), st.integers(0, 80), st.integers(0, 80))
def test_highlight_any_range_shows_the_same_characters(text, start, end):
    marked = highlight(text, start, end)
    inner = re.sub(r":orange-background\[(.*)\]", r"\1", marked, count=1, flags=re.DOTALL)
    assert decode(inner.replace("&#32;", " ")) == "".join(
        visible(p) for p in (text[:start], text[start:end], text[end:])) or not (
        0 <= start < end <= len(text))


@pytest.mark.parametrize(("text", "expected"), [
    ("https://x.y", "https:color[\\:]{}//x\\.y"),
    ("www.x.y", "www:color[\\.]{}x\\.y"),
    ("dana@x.y", "dana:color[\\@]{}x\\.y"),
    (":material/home:", ":color[\\:]{}material/home:color[\\:]{}"),
    ("a -> b", "a :color[\\-]{}\\> b"),
    ("  two\n\tthree", "&#32;&#32;two  \n&#9;three"),
    ("plain words", "plain words"),
])
def test_inert_table(text, expected):
    assert inert(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("a\r\nb\rc\u2028d\u2029e", "a\nb\nc\nd\ne"),
    ("nul\x00 bell\x07 del\x7f c1\x85", f"nul{REPLACEMENT} bell{REPLACEMENT} "
                                        f"del{REPLACEMENT} c1{REPLACEMENT}"),
    ("x\u202egpj.exe", f"x{REPLACEMENT}gpj.exe"),
    ("a\u2066b\u2069", f"a{REPLACEMENT}b{REPLACEMENT}"),
    ("lone \ud800", f"lone {REPLACEMENT}"),
    ("tab\tand zero\u200bwidth, 한국어, 👨‍👩‍👧", "tab\tand zero\u200bwidth, 한국어, 👨‍👩‍👧"),
])
def test_visible_code_point_policy(text, expected):
    assert visible(text) == expected


def test_inert_leading_emoji_stays_text_in_alerts():
    assert inert("🚨 fire").startswith(":color[🚨]{}")


def test_highlight_refuses_unknown_colours():
    with pytest.raises(ValueError):
        highlight("text", 0, 2, color="red]{x}")


def test_cells_are_visible_and_cut():
    assert cell("a\ud800b") == f"a{REPLACEMENT}b" and cell(7) == 7
    long = cell("x" * (MAX_CELL_CHARS + 50))
    assert len(long) == MAX_CELL_CHARS and long.endswith("…")
    assert cells([{"t": "\u202e", "n": 1}]) == [{"t": REPLACEMENT, "n": 1}]


# ------------------------------------------------------------------------ headless (AppTest)


@pytest.mark.slow
def test_every_payload_renders_headless_without_error():
    from streamlit.string_util import clean_text  # what st.markdown does to a body

    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    assert not at.exception, at.exception
    shown = {m.value for m in at.markdown}
    for name, text in CORPUS:
        assert clean_text(inert(text)) in shown, name  # the body went out as inert markdown
    assert any(e.value == inert(CORPUS[0][1]) for e in at.error)


# -------------------------------------------------------------------------- a real browser

ALLOWED_TAGS = {"P", "BR", "SPAN"}
#: Every element inside a rendered text: tag, attributes (JavaScript run in the page).
ELEMENTS = """el => [...el.querySelectorAll('*')].map(n =>
    n.tagName + ([...n.attributes].map(a => ' ' + a.name + '=' + a.value).join('')))"""


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def hostile_page() -> Iterator[str]:
    from tests.browser.conftest import ARTIFACTS, free_port

    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / f"hostile-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PAGE), "--server.headless=true",
         "--server.address=127.0.0.1", f"--server.port={port}",
         "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@pytest.fixture(scope="module")
def rendered(hostile_page: str, browser: Any) -> Iterator[dict[str, Any]]:
    """The page opened once in Chromium (the session's, tests/conftest.py): texts, elements,
    dialogs and outside requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        dialogs: list[str] = []
        outside: list[str] = []
        def dialog(d: Any) -> None:
            dialogs.append(d.message)
            d.dismiss()

        def request(r: Any) -> None:
            if not r.url.startswith((hostile_page, "data:", "blob:")):
                outside.append(r.url)

        page.on("dialog", dialog)
        page.on("request", request)
        page.goto(hostile_page)
        page.get_by_text("done", exact=True).wait_for(timeout=120_000)
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        page.wait_for_timeout(1500)  # lazily loaded markdown plugins (emoji, KaTeX) if any
        found: dict[tuple[int, str], tuple[str, list[str]]] = {}
        for i, _ in enumerate(CORPUS):
            for kind in ("md", "caption", "alert", "highlight", "label"):
                el = page.query_selector(
                    f".st-key-hostile-{kind}-{i} [data-testid=stMarkdownContainer], "
                    f".st-key-hostile-{kind}-{i} [data-testid=stCaptionContainer]")
                if el is not None:
                    found[(i, kind)] = (el.inner_text(), el.evaluate(ELEMENTS))
        grid = page.eval_on_selector_all(
            ".st-key-hostile-frame [role=gridcell]", "els => els.map(e => e.textContent)")
        frame_html = page.inner_html(".st-key-hostile-frame")
        yield {"found": found, "dialogs": dialogs, "outside": outside, "grid": grid,
               "frame_html": frame_html, "math": page.locator(".katex").count(),
               "links": page.locator("[data-testid=stMain] a[href]").count()}
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize(("index", "name"), list(enumerate(NAMES)), ids=NAMES)
def test_payload_in_a_real_browser_is_only_its_text(rendered, index, name):
    text = CORPUS[index][1]
    expected = _normal(visible(text))
    kinds = ["md", "caption", "alert", "highlight"] + (["label"] if len(text) <= LABEL_CHARS
                                                       else [])
    for kind in kinds:
        assert (index, kind) in rendered["found"], f"{kind} not drawn"
        shown, elements = rendered["found"][(index, kind)]
        shown = _normal(shown)
        if kind == "highlight":
            shown = shown.removeprefix("›").strip()
        assert shown == expected, f"{kind}: {shown[:120]!r} != {expected[:120]!r}"
        extra = [e for e in elements if e.split(" ")[0] not in ALLOWED_TAGS or (
            " " in e and not (kind == "highlight" and "stMarkdownColoredBackground" in e))]
        assert not extra, f"{kind}: elements {extra[:5]}"


@pytest.mark.browser
def test_hostile_page_ran_nothing_and_fetched_nothing(rendered):
    assert rendered["dialogs"] == []
    assert rendered["outside"] == []
    assert rendered["math"] == 0
    assert rendered["links"] == 0


@pytest.mark.browser
def test_dataframe_cells_are_plain_text(rendered):
    assert "<a" not in rendered["frame_html"] and "<img" not in rendered["frame_html"]
    texts = [t for t in rendered["grid"] if not t.isdigit()]
    assert len(texts) >= 20
    for name, text in CORPUS[:20]:  # the grid draws the rows in view; these are on screen
        assert cell(text) in texts or _normal(cell(text)) in map(_normal, texts), name

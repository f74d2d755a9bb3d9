"""Korean all the way, in a real browser whose language is Korean (ko-KR): with the language
left on "auto", the login page, the start page, the desk, the scorecard and the dashboard show
no English label of ours, and switching the language keeps every choice already made."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ui.i18n import strings

from .conftest import PASSWORD, screenshot, wait_idle

pytestmark = pytest.mark.browser


def english_left(text: str) -> list[str]:
    """Our English labels (from the translation tables) that appear in ``text``: every piece
    of an English string between its slots, when it is a word or more and no Korean string
    contains it (CSAT, NPS, SLA and DM are the same in both)."""
    table = strings()
    korean = "\n".join(e["ko"] for e in table.values())
    found = set()
    for entry in table.values():
        if entry["en"] == entry["ko"]:
            continue
        for piece in re.split(r"\{[a-z_0-9]+\}", entry["en"]):
            piece = piece.strip(" :·.,()!?→«»\"'“”")
            if len(piece) < 5 or not re.search("[a-z]{3}", piece) or piece in korean:
                continue
            if re.search(r"(?<![\w@/.-])" + re.escape(piece) + r"(?![\w-])", text):
                found.add(piece)
    return sorted(found)


def without_scenarios(text: str) -> str:
    """The page without the scenarios' own words (titles, briefings, brands: content written
    in the scenario's language, not labels of ours)."""
    from engine.scenario import builtin_paths, load_scenario

    for path in builtin_paths():
        s = load_scenario(path)
        for words in (s.title, s.briefing, s.brand.name):
            text = text.replace(words, " ")
    return text


def visible_text(page) -> str:  # type: ignore[no-untyped-def]
    main = page.locator("[data-testid=stMain]").inner_text()
    side = page.locator("[data-testid=stSidebar]").inner_text() if page.locator(
        "[data-testid=stSidebar]").count() else ""
    headers = " ".join(page.locator("[data-testid=stDataFrame] [role=columnheader]")
                       .all_inner_texts())
    return "\n".join((main, side, headers))


@pytest.fixture
def korean_page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def log_in_korean(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("사용자 이름").fill(username)
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("button", name="훈련 시작하기").wait_for()
    wait_idle(page)


def test_korean_browser_sees_no_english_label_on_desk_scorecard_and_dashboard(
        server, korean_page, store):
    page = korean_page
    team = store.create_team("서울")
    store.create_user("minji", PASSWORD, "trainee", team.id, "김민지")
    store.create_user("lead", PASSWORD, "manager", team.id, "박팀장")

    page.goto(server.url)
    page.get_by_label("사용자 이름").wait_for()
    assert english_left(visible_text(page)) == []  # the login page

    log_in_korean(page, server.url, "minji")
    left = english_left(without_scenarios(visible_text(page)))
    assert left == [], left  # the start page
    # Choices made before switching the language are kept.
    page.get_by_text("평가: 끝날 때까지 힌트 없음").click()
    wait_idle(page)
    page.get_by_label("언어").click()
    page.get_by_role("option", name="English").click()
    page.get_by_role("button", name="Start drill").wait_for()
    wait_idle(page)
    expect(page.get_by_role("radio", name=re.compile("Assessment"))).to_be_checked()
    page.get_by_label("Language").click()
    page.get_by_role("option", name=re.compile("Auto")).click()
    page.get_by_role("button", name="훈련 시작하기").wait_for()
    wait_idle(page)
    expect(page.get_by_role("radio", name=re.compile("평가"))).to_be_checked()

    page.locator(".st-key-start_scenario").click()
    page.get_by_role("option", name=re.compile("ko-bakery-delivery-delay")).click()
    wait_idle(page)
    page.get_by_label("이니셜 (서명용)").fill("MJ")
    page.get_by_role("button", name="훈련 시작하기").click()
    page.get_by_role("button", name=re.compile("다음 대기 건 열기")).wait_for()
    page.wait_for_function("() => /대화 [1-9]/.test(document.body.innerText)")
    wait_idle(page)
    page.get_by_label("속도").click()
    page.get_by_role("option", name="60x").click()
    wait_idle(page)
    page.wait_for_function("() => /새 글 \\d+건/.test(document.body.innerText)",
                           timeout=60_000)
    page.get_by_role("button", name=re.compile("새 글 보기")).click()
    wait_idle(page)
    page.get_by_role("button", name=re.compile("다음 대기 건 열기")).click()
    composer = page.get_by_label(re.compile(r"^답글 → @"))
    expect(composer).to_have_count(1)
    wait_idle(page)
    composer.fill("김민지님, 배송이 늦어져 정말 죄송합니다. 바로 확인해서 30분 안에 안내드릴게요.")
    composer.blur()
    wait_idle(page)
    left = english_left(visible_text(page))
    assert left == [], left  # the desk: top bar, queue and its columns, thread, composer
    screenshot(page, "desk-ko")
    page.get_by_role("button", name="보내기", exact=True).click()
    expect(composer).to_have_value("", timeout=30_000)
    wait_idle(page)

    page.get_by_role("button", name="훈련 종료").click()
    page.get_by_role("button", name="종료하고 채점").click()
    page.get_by_text("종합").first.wait_for()
    wait_idle(page)
    body = visible_text(page)
    assert english_left(body) == [], english_left(body)  # the scorecard
    assert "(를)" not in body and "(가)" not in body and "(는)" not in body
    screenshot(page, "scorecard-ko")

    page.get_by_role("button", name="로그아웃", exact=True).click()
    page.get_by_label("사용자 이름").wait_for()  # logged out (the cookie cleared) first
    wait_idle(page)
    log_in_korean(page, server.url, "lead")
    page.get_by_role("link", name="팀 대시보드").click()
    page.get_by_role("tab", name="교육생 현황").wait_for()
    wait_idle(page)
    left = english_left(visible_text(page))
    assert left == [], left  # the dashboard

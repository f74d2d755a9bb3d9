"""PII detectors: one table per detector, positives and the tricky negatives next to each other."""

from __future__ import annotations

import pytest

from scoring.pii import DETECTORS, PiiMatch, detect_pii, luhn_valid


def found(text: str, kind: str) -> list[str]:
    return [m.text for m in detect_pii(text) if m.kind == kind]


@pytest.mark.parametrize(("text", "expected"), [
    ("email me at kim.minsu@naver.com today", ["kim.minsu@naver.com"]),
    ("user@xn--80ak6aa92e.com", ["user@xn--80ak6aa92e.com"]),
    ("이메일은 jane_doe+shop@gmail.com으로 주세요", ["jane_doe+shop@gmail.com"]),
    ("two: a@b.io, c.d@e.co.uk.", ["a@b.io", "c.d@e.co.uk"]),
    ("my email is info@presidio.", []),
    ("thanks @NimbusCares for the help", []),
    ("meet me @ 10:30", []),
])
def test_email_detector_table_finds_addresses_only(text, expected):
    assert found(text, "email") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("call me on 010-1234-5678", ["010-1234-5678"]),
    ("연락처 010-1234-5678로 연락주세요", ["010-1234-5678"]),
    ("번호 01012345678 입니다", ["01012345678"]),
    ("+82 10-1234-5678 or +82-2-123-4567", ["+82 10-1234-5678", "+82-2-123-4567"]),
    ("서울 02-123-4567, 경기 031-1234-5678", ["02-123-4567", "031-1234-5678"]),
    ("My US number is (415) 555-0132", ["(415) 555-0132"]),
    ("US: 415-555-0132 or +1 415 555 0132", ["415-555-0132", "+1 415 555 0132"]),
    ("London +44 (20) 7123 4567", ["+44 (20) 7123 4567"]),
    ("Paris +33 1 42 68 53 00", ["+33 1 42 68 53 00"]),
    ("My CN number is 13812345678", ["13812345678"]),
    ("flight KE123 departs at 10:30 from gate 24", []),
    ("it costs $1,299.00, that's 50% more than 2025", []),
    ("we're here 24/7 on 2026-11-03 at 09:15", []),
    ("order 4155550132 shipped", []),  # a bare 10-digit run without a phone word
])
def test_phone_detector_table_finds_phone_layouts_not_times_or_prices(text, expected):
    assert found(text, "phone") == expected


@pytest.mark.parametrize(("text", "personal"), [
    ("call us on 1-800-555-0199", False),
    ("고객센터 1588-1234", False),
    ("080-123-4567 무료", False),
    ("call me on (415) 555-0132", True),
])
def test_phone_detector_brand_hotlines_are_not_personal(text, personal):
    (match,) = [m for m in detect_pii(text) if m.kind == "phone"]
    assert match.personal is personal


@pytest.mark.parametrize(("text", "expected"), [
    ("card 4012888888881881", ["4012888888881881"]),
    ("my visa 4012-8888-8888-1881 pls", ["4012-8888-8888-1881"]),
    ("4012 8888 8888 1881", ["4012 8888 8888 1881"]),
    ("amex 3714 496353 98431", ["3714 496353 98431"]),
    ("5555555555554444", ["5555555555554444"]),
    # Luhn-invalid but grouped like a card with an issuer prefix or a card word: still shown
    # card data to whoever reads it (issue 9); ungrouped Luhn-invalid runs stay out
    ("4012-8888-8888-1882", ["4012-8888-8888-1882"]),
    ("card 4929 1234 5678 9012", ["4929 1234 5678 9012"]),
    ("ref 9999 1234 5678 9012", []),
    ("my credit card number is 36168002586008", []),  # Luhn-invalid
    ("0000 0000 0000 0000", []),  # Luhn-valid but not a card
    ("4012-8888 8888-1881", []),  # mixed separators: two numbers run together
    ("1748503543012", []),
])
def test_card_detector_table_requires_luhn_or_card_grouping(text, expected):
    assert found(text, "card_number") == expected


def test_luhn_valid_known_values_agree():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


@pytest.mark.parametrize(("text", "expected"), [
    ("server 192.168.0.1 is down", ["192.168.0.1"]),
    ("route 10.0.0.0/8.", ["10.0.0.0/8"]),
    ("my ip is 2001:db8::1", ["2001:db8::1"]),
    ("Loopback ::1", ["::1"]),
    ("::ffff:192.0.2.1", ["::ffff:192.0.2.1"]),
    ("Time 12:34:56", []),
    ("version 1.2.3", []),
    ("256.256.256.256", []),
    ("std::cout", []),
    ("meet at 10:30", []),
])
def test_ip_detector_table_validates_addresses(text, expected):
    assert found(text, "ip_address") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("see https://status.example.com/incidents/42.", ["https://status.example.com/incidents/42"]),
    ("my domains: microsoft.com google.co.il", ["microsoft.com", "google.co.il"]),
    ("www.microsoft", []),
    ("e.g. this", []),
])
def test_url_detector_table_finds_links_and_marks_them_impersonal(text, expected):
    matches = [m for m in detect_pii(text) if m.kind == "url"]
    assert [m.text for m in matches] == expected
    assert not any(m.personal for m in matches)


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("주민등록번호 960121-1234567", "rrn", ["960121-1234567"]),
    ("His RRN is 9601211021413", "rrn", ["9601211021413"]),
    ("000505-3637892", "rrn", ["000505-3637892"]),
    ("001332-1234567", "rrn", []),  # month 13
    ("960303-0021413", "rrn", []),  # sex/century digit 0
    ("960121+1021413", "rrn", []),
    ("760413-5212134", "rrn", []),  # a foreigner number, not a resident number
    ("911124-5678901", "frn", ["911124-5678901"]),
    ("760413-1212134", "frn", []),
    ("여권번호 M123A4567", "passport", ["M123A4567"]),
    ("A123B4567", "passport", []),
    ("my license is 13-22-123456-12", "driver_licence", ["13-22-123456-12"]),
    ("99-22-123456-12", "driver_licence", []),
    ("사업자등록번호 104-86-56659", "business_number", ["104-86-56659"]),
    ("104-86-56658", "business_number", []),  # bad check digit
])
def test_korean_id_detectors_table_validate_dates_and_check_digits(text, kind, expected):
    assert found(text, kind) == expected


def test_rrn_detector_checksum_raises_score():
    with_check = next(m for m in detect_pii("9601211021413") if m.kind == "rrn")
    without = next(m for m in detect_pii("9601211234567") if m.kind == "rrn")
    assert with_check.score > without.score
    assert "check digit" in with_check.reason


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("my order #A12345678 never came", "order_number", ["A12345678"]),
    ("order number: 112-3456789-0012", "order_number", ["112-3456789-0012"]),
    ("주문번호 2026123456789입니다", "order_number", ["2026123456789"]),
    ("booking reference XKJQPA", "booking_reference", ["XKJQPA"]),
    ("PNR: ABC123", "booking_reference", ["ABC123"]),
    ("예약번호는 K7P2Q9", "booking_reference", ["K7P2Q9"]),
    ("account no. 12345678", "account_number", ["12345678"]),
    ("계좌번호 110-123-456789", "account_number", ["110-123-456789"]),
    ("your order is delayed", "order_number", []),
    ("booking FAILED again", "booking_reference", []),
    ("flight KE123 to Jeju", "order_number", []),
    ("refund for A26211766?", "order_number", ["A26211766"]),
    ("20256811008221 이 주문이요", "order_number", ["20256811008221"]),
    ("환불은 이 계좌로 483-61-397054", "account_number", ["483-61-397054"]),
    ("ref 8M2ZH2 if you need it", "booking_reference", ["8M2ZH2"]),
    ("예약번호 WBRGF7 입니다", "booking_reference", ["WBRGF7"]),
    ("on 2026-11-03 at 10:30", "order_number", []),
    ("gate 24, seat 12A, flight KE1234", "order_number", []),
])
def test_reference_detector_table_needs_the_naming_word(text, kind, expected):
    assert found(text, kind) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("I live at 1777 Kramer Court, Johnsonfurt, NE 80119",
     ["1777 Kramer Court, Johnsonfurt, NE 80119"]),
    ("send it to 42 Baker Street please", ["42 Baker Street"]),
    ("PO Box 1234", ["PO Box 1234"]),
    ("서울특별시 종로구 개포길 541 으로 보내주세요", ["서울특별시 종로구 개포길 541"]),
    ("강남구 테헤란로 123 (역삼동)", ["강남구 테헤란로 123"]),
    ("101동 1203호", ["101동 1203호"]),
    ("it took 2 hours on the road", []),
    ("DM으로 2시간 안에 답변, 문자로 3번 보냈어요", []),
    ("요구 사항으로 3일 걸립니다", []),
    ("we have 3 New Ways to help", []),
])
def test_address_detector_table_needs_number_and_street(text, expected):
    assert found(text, "address") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("my dob is 1985-03-12", ["1985-03-12"]),
    ("born on March 5, 1990", ["March 5, 1990"]),
    ("date of birth: 05/03/1990", ["05/03/1990"]),
    ("생년월일 1990년 1월 31일", ["1990년 1월 31일"]),
    ("생년월일은 900131", ["900131"]),
    ("we were founded 1985-03-12", []),  # a date without a birth word
    ("born on 2099-01-01", []),  # in the future
    ("dob 1990-13-45", []),
])
def test_dob_detector_table_needs_context_and_a_real_date(text, expected):
    assert found(text, "date_of_birth") == expected


@pytest.mark.parametrize("text", [
    "Flight KE123 leaves at 10:30 from gate 24; refunds of $129.99 within 24/7 support.",
    "50% off until 2026, 3 days left, call back in 15 minutes, version 2.4.1",
    "오후 2시 30분까지 3만원 환불, 24시간 내 처리, 2026년 11월",
    "Your ticket TK-1234 is open since 09:45 and 100% of flights are on time.",
])
def test_detect_pii_everyday_numbers_find_nothing(text):
    assert detect_pii(text) == []


def test_detect_pii_overlaps_resolve_to_best_match():
    matches = detect_pii("order #4012888888881881 shipped")
    assert len(matches) == 1


def test_pii_match_explain_says_why():
    (match,) = detect_pii("card 4012888888881881")
    assert isinstance(match, PiiMatch)
    assert "Luhn" in match.explain() and match.detector == "CardNumberDetector"


def test_detector_registry_every_detector_has_kind_and_patterns():
    assert len(DETECTORS) >= 12
    for cls in DETECTORS.values():
        assert cls.KIND and cls.PATTERNS, cls.NAME


def test_detect_pii_specific_detector_beats_shape_only_match():
    (match,) = detect_pii("M12345678")  # passport-shaped and order-shaped
    assert match.kind == "passport" and not match.shape_only
    (phone,) = detect_pii("010-1234-5678")  # also a three-group bank-account shape
    assert phone.kind == "phone"


def test_detect_pii_min_score_drops_weak_candidates_before_resolving():
    (match,) = detect_pii("M12345678", min_score=0.6)
    assert (match.kind, match.shape_only) == ("order_number", True)


def test_detect_pii_kinds_filter_limits_results():
    text = "mail a@b.com or call 010-1234-5678"
    assert [m.kind for m in detect_pii(text, kinds={"phone"})] == ["phone"]

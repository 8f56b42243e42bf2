from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hosho.core.chat.replies import local_time
from hosho.core.contracts.authkey import (
    ALPHABET,
    generate_key,
    is_well_formed,
    keys_equal,
    normalize_key,
)
from hosho.core.text import normalize_number, squeeze
from hosho.core.wareki import JST, to_wareki, today_jst


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2024, 9, 1), "令和6年9月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(2025, 4, 1), "令和7年4月1日"),
    ],
)
def test_wareki(day: date, text: str) -> None:
    assert to_wareki(day) == text


def test_one_japan_time_for_documents_and_chat() -> None:
    late = datetime(2024, 8, 31, 15, 30, tzinfo=UTC)  # already 9月1日 in Japan
    assert late.astimezone(JST).date() == date(2024, 9, 1)
    assert JST.utcoffset(None) == timedelta(hours=9)
    assert local_time(late.replace(tzinfo=None)) == "2024-09-01 00:30"  # stored naive UTC
    before = (datetime.now(UTC) + timedelta(hours=9)).date()
    today = today_jst()
    assert today in {before, (datetime.now(UTC) + timedelta(hours=9)).date()}


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("００１２３４", "001234"),
        ("12－34", "12-34"),
        ("12ー34", "12-34"),
        (" 0012 34 ", "001234"),
        ("ab−1", "AB-1"),
    ],
)
def test_normalize_number(raw: str, want: str) -> None:
    assert normalize_number(raw) == want


def test_squeeze_removes_spaces_between_cjk() -> None:
    assert squeeze("認 証 キ ー\u3000等") == "認証キー等"


def test_generated_keys_have_no_lookalikes() -> None:
    keys = {generate_key() for _ in range(300)}
    assert len(keys) == 300
    for key in keys:
        assert len(key) == 19 and key.count("-") == 3
        assert set(key.replace("-", "")) <= set(ALPHABET)
        assert not set(key) & set("01OIL")
        assert is_well_formed(key)


def test_key_normalisation_and_compare() -> None:
    key = "ABCD-EFGH-JKMN-PQRS"
    assert normalize_key("ａｂｃｄ ｅｆｇｈ－ｊｋｍｎ－ｐｑｒｓ") == key
    assert keys_equal(key, "abcdefghjkmnpqrs")
    assert not keys_equal(key, "ABCD-EFGH-JKMN-PQRT")
    assert not keys_equal(key, "")
    assert not is_well_formed("ABCD-EFGH-JKMN-PQR0")

from __future__ import annotations

from datetime import date

import pytest

from hosho.core.errors import ConfigError
from hosho.core.rules.eligibility import eligibility_reason
from hosho.core.rules.profile import available_profiles, load_profile, parse_profile


def test_aya_is_the_default_profile() -> None:
    aya = load_profile("aya")
    assert aya.name == "綾町"
    assert aya.start_date == date(2024, 9, 1)
    assert aya.start_date_wareki == "令和6年9月1日"
    assert aya.covered_kinds == ("前払金保証", "中間前払金保証", "契約保証")
    assert aya.work_types == ("工事", "建設コンサルタント業務")
    assert aya.address_for("契約保証") == "zaisei@town.aya.lg.jp"
    assert aya.surety_company == "西日本建設業保証株式会社"
    assert aya.surety_url == "https://www.wjcs.net/"
    assert aya.subject_rule is None


def test_second_profile_has_address_per_kind_and_subject_rule() -> None:
    assert {"aya", "sample-city"} <= set(available_profiles())
    city = load_profile("sample-city")
    assert city.address_for("前払金保証") != city.address_for("契約保証")
    assert city.address_for("契約保証") == city.submission_address
    rule = city.subject_rule
    assert rule is not None
    assert rule.check("電子保証認証キー:市道改良工事", "市道改良工事") is None
    assert rule.check("電子保証認証キー：市道改良工事", "市道改良工事") is None  # full-width colon
    assert "電子保証認証キー:市道改良工事" in (rule.check("認証キー送付", "市道改良工事") or "")
    assert rule.check("電子保証認証キー:別の工事", "市道改良工事") is not None


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown municipality profile 'nowhere'"):
        load_profile("nowhere")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start_date": "2024-09-01"}, "start_date must be a date"),
        ({"covered_kinds": ["前払金保証", "保険"]}, r"covered_kinds has unknown .*'保険'"),
        ({"covered_kinds": ["契約保証予約"]}, "covered_kinds has unknown"),  # never electronic
        (
            {"submission": {"method": "email", "address": "not-an-address"}},
            "submission.address is not an e-mail address",
        ),
        (
            {
                "submission": {
                    "method": "email",
                    "address": "a@town.example.jp",
                    "by_kind": {"契約保証": "x"},
                }
            },
            "submission.by_kind.契約保証 is not an e-mail address",
        ),
        (
            {
                "covered_kinds": ["契約保証"],
                "submission": {
                    "method": "email",
                    "address": "a@town.example.jp",
                    "by_kind": {"前払金保証": "b@town.example.jp"},
                },
            },
            "submission.by_kind names uncovered kind 前払金保証",
        ),
        ({"submission": {"address": "a@town.example.jp"}}, "submission has no method"),
        ({"work_types": []}, "work_types"),
        ({"subject_rule": {"prefix": 1}}, "subject_rule.prefix must be text"),
    ],
)
def test_invalid_profile_is_a_clear_error(change: dict, message: str) -> None:
    import tomllib
    from importlib import resources

    data = tomllib.loads(
        resources.files("hosho.core.rules").joinpath("profiles", "aya.toml").read_text("utf-8")
    )
    data.update(change)
    with pytest.raises(ConfigError, match=f"^profile broken: {message}") as caught:
        parse_profile(data, source="broken")
    assert "\n" not in str(caught.value)  # one line, not pydantic's report


def _reason(**kw: object) -> str | None:
    base: dict = {
        "kind": "前払金保証",
        "contract_date": date(2024, 9, 1),
        "work_type": "工事",
        "orderer": "綾町",
        "profile": load_profile("aya"),
    }
    base.update(kw)
    return eligibility_reason(**base)


def test_start_day_itself_is_covered_and_the_day_before_is_not() -> None:
    assert _reason(contract_date=date(2024, 9, 1)) is None
    reason = _reason(contract_date=date(2024, 8, 31))
    assert reason is not None and "令和6年8月31日" in reason and "令和6年9月1日" in reason


def test_kinds() -> None:
    for kind in ("前払金保証", "中間前払金保証", "契約保証"):
        assert _reason(kind=kind) is None
    assert "契約保証予約は電子保証の対象外" in (_reason(kind="契約保証予約") or "")


def test_work_type_and_orderer() -> None:
    assert _reason(work_type="建設コンサルタント業務") is None
    assert "対象外" in (_reason(work_type="物品購入") or "")
    assert _reason(orderer="綾町長 山田太郎") is None
    assert "発注者が綾町ではありません" in (_reason(orderer="宮崎市") or "")
    city = load_profile("sample-city")
    assert _reason(profile=city, orderer="見本市", contract_date=date(2025, 4, 1)) is None
    assert _reason(profile=city, orderer="見本市", work_type="建設コンサルタント業務") is not None

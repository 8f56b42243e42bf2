"""対象案件 (eligibility): is this contract covered by the town's 電子保証?

Pure functions: each returns ``None`` when the rule is met, else a reason in Japanese.
"""

from __future__ import annotations

from datetime import date

from hosho.core.rules.kinds import ELECTRONIC_KINDS, KINDS
from hosho.core.rules.profile import Profile
from hosho.core.store.models import Contract
from hosho.core.text import squeeze
from hosho.core.wareki import to_wareki


def kind_reason(kind: str, profile: Profile) -> str | None:
    """Kinds without an electronic certificate (契約保証予約) and kinds outside the profile
    are not covered."""
    if kind in KINDS and kind not in ELECTRONIC_KINDS:
        return f"{kind}は電子保証の対象外です。書面の保証証書で手続きしてください。"
    if kind not in profile.covered_kinds:
        covered = "・".join(profile.covered_kinds)
        return f"{kind}は{profile.name}の電子保証の対象外です（対象: {covered}）。"
    return None


def date_reason(contract_date: date, profile: Profile) -> str | None:
    """Contracts concluded before the start date are not covered; the start day is."""
    if contract_date < profile.start_date:
        return (
            f"契約日 {to_wareki(contract_date)} は{profile.name}の電子保証の運用開始日"
            f"（{profile.start_date_wareki}）より前のため対象外です。"
        )
    return None


def work_type_reason(work_type: str, profile: Profile) -> str | None:
    """Only the work types the profile lists (工事, 建設コンサルタント業務) are covered."""
    if work_type not in profile.work_types:
        covered = "・".join(profile.work_types)
        return f"{work_type}は{profile.name}の電子保証の対象外です（対象: {covered}）。"
    return None


def orderer_reason(orderer: str, profile: Profile) -> str | None:
    """The 発注者 (orderer) must be this town."""
    text = squeeze(orderer)
    if not any(squeeze(name) in text for name in profile.orderer_names):
        return f"発注者が{profile.name}ではありません（{orderer}）。発注者へ直接ご提出ください。"
    return None


def eligibility_reason(
    *, kind: str, contract_date: date, work_type: str, orderer: str, profile: Profile
) -> str | None:
    """The first reason this contract is not covered, or None when it is."""
    return (
        kind_reason(kind, profile)
        or orderer_reason(orderer, profile)
        or work_type_reason(work_type, profile)
        or date_reason(contract_date, profile)
    )


def contract_reason(contract: Contract, profile: Profile) -> str | None:
    """``eligibility_reason`` of a stored contract."""
    return eligibility_reason(
        kind=contract.kind,
        contract_date=contract.contract_date,
        work_type=contract.work_type,
        orderer=contract.orderer,
        profile=profile,
    )

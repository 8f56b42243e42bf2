"""The 電子証書 view (the STEP3 file): what the contractor sees when opening the certificate.

Titled by kind: 前払金保証証書 (advance-payment surety), 中間前払金保証証書 (intermediate
advance payment) or 契約保証証書 (performance surety). It shows the contract's fields and
says it is an electronic certificate (電子証書). It never shows the 認証キー (auth key):
this file is *not* what goes to the orderer, and the embedded machine marker says
``"document": "certificate"`` so the mail front end can tell a sender "you sent the STEP3
file".
"""

from __future__ import annotations

from pathlib import Path

from hosho.core.documents.layout import Sheet, yen
from hosho.core.documents.notice import check_electronic_kind
from hosho.core.rules.kinds import certificate_title
from hosho.core.rules.profile import Profile
from hosho.core.store.models import Contract, Contractor
from hosho.core.wareki import to_wareki

#: The value of ``document`` in the embedded data and in ParsedDocument.
CERTIFICATE_DOCUMENT = "certificate"


def render_certificate(
    contract: Contract, contractor: Contractor, profile: Profile, *, body_font: Path | None = None
) -> bytes:
    """The certificate view of one contract as PDF bytes (A4). Never contains the auth key.
    ``body_font`` replaces the packaged Japanese font (the setting HOSHO_PDF_FONT).

    Raises DocumentError for 契約保証予約 (no electronic certificate) or a character the
    font cannot draw.
    """
    check_electronic_kind(contract)
    title = certificate_title(contract.kind)
    sheet = Sheet(
        title, f"hosho:{CERTIFICATE_DOCUMENT}", profile.surety_company, body_font=body_font
    )
    sheet.top_lines(
        ["電子証書（閲覧・印刷用）", f"保証契約番号　{contract.contract_number}"],
        [(f"{contract.orderer}　殿", 13.0)],
    )
    sheet.heading(title)
    sheet.line(
        f"{profile.surety_company}は、下記の受注者（保証契約者）が発注者（保証債権者）に対して"
        f"負担する債務について、下記のとおり{contract.kind}をいたします。"
    )
    sheet.gap(2)
    sheet.line("記", align="C")
    sheet.gap(1)
    sheet.rows(
        [
            ("保証契約番号", contract.contract_number),
            ("保証の種類", contract.kind),
            ("保証契約者", contractor.name),
            ("保証債権者", contract.orderer),
            ("工事名", contract.project_name),
            ("業務の種類", contract.work_type),
            ("契約日", to_wareki(contract.contract_date)),
            ("請負代金額", yen(contract.contract_amount)),
            ("保証金額", yen(contract.guarantee_amount)),
            (
                "保証期間",
                f"{to_wareki(contract.period_start)} から {to_wareki(contract.period_end)} まで",
            ),
        ]
    )
    sheet.gap(5)
    sheet.box(
        [
            "この保証証書は電子証書です。書面の保証証書に代わり、保証証書に記載する内容を"
            "電子データとして記録したもので、発注者は D-Sure（発注者用保証確認サービス）で"
            "閲覧できます。",
        ]
    )
    sheet.gap(3)
    sheet.box(
        [
            "【ご注意】この画面を印刷・保存したファイルは発注者への提出書類ではありません。"
            "発注者へは、e-Net保証で取得した「認証キー等のお知らせ」（PDF）を提出してください。"
        ],
        warn=True,
    )
    sheet.footer(f"{profile.surety_company}（{profile.surety_service}）　{profile.surety_url}")
    return sheet.render(
        {
            "document": CERTIFICATE_DOCUMENT,
            "contract_number": contract.contract_number,
            "kind": contract.kind,
        }
    )

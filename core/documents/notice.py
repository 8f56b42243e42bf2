"""The 電子証書閲覧用「認証キー」等のお知らせ PDF (the notice of the auth key).

This one page is what the contractor (受注者) sends to the orderer (発注者): it carries the
保証契約番号 (surety contract number) and the 認証キー (auth key) with which the orderer
views the 電子証書 (electronic certificate) on D-Sure (発注者用保証確認サービス, run by
日本電子認証株式会社). A machine-readable copy of the number and the key is embedded as
the file ``hosho-document.json`` so that :func:`hosho.core.documents.reader.parse_pdf` reads it
back exactly.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hosho.core.documents.finding import checked_key
from hosho.core.documents.layout import Sheet, yen
from hosho.core.errors import DocumentError
from hosho.core.rules.kinds import ELECTRONIC_KINDS
from hosho.core.rules.profile import Profile
from hosho.core.store.models import Contract, Contractor
from hosho.core.wareki import to_wareki, today_jst

#: The title WJCS uses for this PDF; the reader recognises it.
NOTICE_TITLE = "電子証書閲覧用「認証キー」等のお知らせ"
#: The value of ``document`` in the embedded data and in ParsedDocument.
NOTICE_DOCUMENT = "auth_key_notice"


def check_electronic_kind(contract: Contract) -> None:
    """DocumentError unless this kind of guarantee has an electronic certificate."""
    if contract.kind not in ELECTRONIC_KINDS:
        raise DocumentError(
            f"{contract.kind} は電子証書の対象外です (no electronic certificate for this kind)"
        )


def render_notice(
    contract: Contract,
    contractor: Contractor,
    profile: Profile,
    issued: date | None = None,
    *,
    body_font: Path | None = None,
) -> bytes:
    """The notice of one contract as PDF bytes (A4, one page).

    ``issued`` is the issue date (発行日, default today in Japan), printed in 和暦;
    ``body_font`` replaces the packaged Japanese font (the setting HOSHO_PDF_FONT).
    Raises DocumentError for a kind without an electronic certificate, a malformed key,
    or a character the font cannot draw.
    """
    check_electronic_kind(contract)
    key = checked_key(contract.auth_key)
    issued = issued or today_jst()
    period = f"{to_wareki(contract.period_start)} から {to_wareki(contract.period_end)} まで"
    address = profile.address_for(contract.kind)
    # The section is named only for the town's main address (a per-kind address may belong
    # to another section, which the profile does not name).
    named = profile.submission_section and address == profile.submission_address
    where = f"{profile.submission_section}　" if named else ""
    sheet = Sheet(
        NOTICE_TITLE, f"hosho:{NOTICE_DOCUMENT}", profile.surety_company, body_font=body_font
    )
    sheet.top_lines(
        [f"発行日　{to_wareki(issued)}", profile.surety_company],
        [(f"{contractor.name}　様", 13.0), (f"お客様ID　{contractor.customer_id}", 9.0)],
    )
    sheet.heading(NOTICE_TITLE)
    sheet.line(
        "下記の保証契約について、発注者が電子証書（保証証書に記載する内容が記録された"
        "データ）を閲覧するための「保証契約番号」と「認証キー」をお知らせします。"
    )
    sheet.gap(2)
    sheet.line("記", align="C")
    sheet.gap(1)
    sheet.rows(
        [
            ("保証契約番号", contract.contract_number),
            ("保証の種類", contract.kind),
            ("発注者", contract.orderer),
            ("工事名", contract.project_name),
            ("保証金額", yen(contract.guarantee_amount)),
            ("保証期間", period),
        ]
    )
    sheet.gap(4)
    sheet.key_box(
        "認証キー",
        key,
        [
            "英字はすべて大文字です。数字の 0（ゼロ）は中に点があり、英字の O（オー）と区別できます。"
        ],
    )
    sheet.gap(4)
    sheet.section("発注者の方へ：電子証書の閲覧方法")
    sheet.line(
        "D-Sure（発注者用保証確認サービス／日本電子認証株式会社）に上記の「保証契約番号」と"
        "「認証キー」を入力すると、電子証書を閲覧・ダウンロードできます。",
        size=10,
    )
    sheet.gap(3)
    sheet.section("受注者の方へ：ご提出先")
    sheet.line(
        f"この「認証キー等のお知らせ」（PDFファイル）を発注者（{profile.name}）へ"
        "電子メールでご提出ください。",
        size=10,
    )
    lines = [f"提出先　{where}{address}"]
    if profile.subject_rule is not None:
        lines.append(f"件名　{profile.subject_rule.example(contract.project_name)}")
    sheet.box(lines, size=10.5)
    sheet.gap(3)
    sheet.box(
        [
            "【重要】STEP3 で保存した電子証書のファイル（画面を印刷・保存したもの）を"
            "誤って提出しないようご注意ください。提出するのはこの「認証キー等のお知らせ」です。"
        ],
        warn=True,
    )
    sheet.footer(
        f"{profile.surety_company}（{profile.surety_service}）　{profile.surety_url}\n"
        "認証キーは電子証書を閲覧するための暗証番号です。発注者への提出以外に使わないでください。"
    )
    return sheet.render(
        {
            "document": NOTICE_DOCUMENT,
            "contract_number": contract.contract_number,
            "auth_key": key,
            "kind": contract.kind,
            "orderer": contract.orderer,
            "project_name": contract.project_name,
        }
    )

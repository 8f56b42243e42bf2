"""What a sender is told about a submission (提出), in Japanese, in one place.

Each status of DESIGN.md except ``registered`` has a reason that says what to do next.
認証キー等のお知らせ is the STEP4 PDF (the notice carrying the 保証契約番号 and 認証キー);
電子証書 is the STEP3 certificate view, which must not be sent. No text here ever holds an
auth key.
"""

from __future__ import annotations

#: Every status a submission can end in (DESIGN.md).
STATUSES = (
    "registered",
    "duplicate",
    "wrong_document",
    "no_attachment",
    "unreadable",
    "unknown_contract",
    "key_mismatch",
    "not_covered",
    "rejected_sender",
    "error",
)

NOTICE = "「認証キー等のお知らせ」（PDF）"

REASONS: dict[str, str] = {
    "rejected_sender": (
        "差出人のメールアドレス（{sender}）が正しくないため受け付けできません。"
        "正しいメールアドレスから送り直してください。"
    ),
    "no_attachment": (
        "PDFファイルが添付されていません。e-Net保証のSTEP4でダウンロードした"
        + NOTICE
        + "を添付して送り直してください。"
    ),
    "unreadable": (
        "添付のPDFを読み取れませんでした（{detail}）。e-Net保証のSTEP4でダウンロードした"
        + NOTICE
        + "を、パスワードや加工なしでそのまま添付して送り直してください。"
    ),
    "wrong_document": (
        "添付されたPDFは電子証書（STEP3で保存したファイル）です。発注者へ提出するのは"
        "STEP4の「認証キー」の表示からダウンロードした" + NOTICE + "です。そちらを添付して"
        "送り直してください。"
    ),
    "several_notices": (
        "1通のメールに複数の保証契約番号の" + NOTICE + "が添付されています。"
        "お手数ですが、1通につき1件ずつ送り直してください。"
    ),
    "unknown_contract": (
        "保証契約番号 {number} の保証契約が見つかりません。番号をご確認のうえ、"
        "最新の" + NOTICE + "を送り直してください。ご不明な点は{contact}へお問い合わせください。"
    ),
    "key_mismatch": (
        "保証契約番号 {number} の認証キーが一致しません。e-Net保証のSTEP4で最新の"
        + NOTICE
        + "をダウンロードし、加工せずに送り直してください。"
    ),
    "not_covered": "{detail} ご不明な点は{contact}へお問い合わせください。",
    "subject": "{detail} 件名を直して、" + NOTICE + "を添付して送り直してください。",
    "wrong_address": (
        "{kind}の"
        + NOTICE
        + "の提出先は {address} です。お手数ですが、そちらへ送り直してください。"
    ),
    "duplicate": (
        "保証契約番号 {number} の" + NOTICE + "はすでに受け付けています"
        "（D-Sure登録済み）。再送の必要はありません。"
    ),
    "too_large": (
        "メールが大きすぎるため受け付けできません（{size_mb:.1f} MB、上限 {limit_mb:g} MB）。"
        + NOTICE
        + "だけを添付して送り直してください。"
    ),
    "error": (
        "システムの不具合のため処理できませんでした。お手数ですが{contact}へお問い合わせください。"
    ),
}

#: The answer for a registered submission (受付).
ACCEPTED = (
    "保証契約番号 {number} の" + NOTICE + "を受け付け、D-Sure（発注者用保証確認サービス）"
    "での確認用に登録しました。"
)


def reason(name: str, **values: object) -> str:
    """The reason ``name`` with its placeholders filled in."""
    return REASONS[name].format(**values)


def reply_subject(status: str) -> str:
    """The subject of the reply to the sender."""
    if status == "registered":
        return "【受付】認証キー等のお知らせを受け付けました"
    if status == "duplicate":
        return "【受付済み】認証キー等のお知らせはすでに受け付けています"
    return "【要再送】認証キー等のお知らせを受け付けできませんでした"


def reply_body(reason_text: str, *, subject: str, contact: str) -> str:
    """The plain-text reply: 受付 or the rejection reason (never an auth key)."""
    lines = [
        "このメールは自動送信です。",
        "",
        f"件名「{subject}」のメールについてお知らせします。",
        "",
        reason_text,
        "",
        f"お問い合わせ: {contact}",
    ]
    return "\n".join(lines) + "\n"

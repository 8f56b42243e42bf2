"""What became of a submission (提出), in one place: each status, its label for town staff
and what the sender is told, in Japanese.

認証キー等のお知らせ is the STEP4 PDF (the notice carrying the 保証契約番号 and 認証キー);
電子証書 is the STEP3 certificate view, which must not be sent. Every reason except the
one for ``registered`` says what to do next. No text here ever holds an auth key.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

NOTICE = "「認証キー等のお知らせ」（PDF）"
_RESEND_NOTICE = "e-Net保証のSTEP4でダウンロードした" + NOTICE
#: The one sentence for "number unknown" and "key does not match" (see WORDING).
_CHECKING = (
    "お送りいただいた" + NOTICE + "は、担当者が内容を確認します。確認が済みしだい"
    "担当者からご連絡します。"
)


class Status(StrEnum):
    """A submission's status: the value stored and shown in JSON. Its staff ``label`` and
    the reason sent to the sender are in ``WORDING`` just below."""

    REGISTERED = "registered"
    DUPLICATE = "duplicate"
    WRONG_DOCUMENT = "wrong_document"
    WRONG_SUBJECT = "wrong_subject"
    WRONG_ADDRESS = "wrong_address"
    NO_ATTACHMENT = "no_attachment"
    UNREADABLE = "unreadable"
    UNKNOWN_CONTRACT = "unknown_contract"
    KEY_MISMATCH = "key_mismatch"
    NOT_COVERED = "not_covered"
    REJECTED_SENDER = "rejected_sender"
    ERROR = "error"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"
    IGNORED = "ignored"

    @property
    def label(self) -> str:
        """How town staff see this status (plain text with an emoji)."""
        return WORDING[self].label

    def reason(self, **values: object) -> str:
        """What the sender is told, with the placeholders filled in."""
        return WORDING[self].reason.format(**values)


class Wording(NamedTuple):
    """A status's staff label and the template of the sender's reason."""

    label: str
    reason: str


WORDING: dict[Status, Wording] = {
    Status.REGISTERED: Wording(
        "✅ 受付（D-Sure登録）",
        "保証契約番号 {number} の" + NOTICE + "を受け付け、D-Sure（発注者用保証確認サービス）"
        "での確認用に登録しました。",
    ),
    Status.DUPLICATE: Wording(
        "🔁 重複",
        "保証契約番号 {number} の" + NOTICE + "はすでに受け付けています"
        "（D-Sure登録済み）。再送の必要はありません。",
    ),
    Status.WRONG_DOCUMENT: Wording(
        "⚠️ 書類違い",
        "添付されたPDFは電子証書（STEP3で保存したファイル）です。発注者へ提出するのは"
        "STEP4の「認証キー」の表示からダウンロードした" + NOTICE + "です。そちらを添付して"
        "送り直してください。",
    ),
    Status.WRONG_SUBJECT: Wording(
        "⚠️ 件名違い",
        "{detail} 件名を直して、" + NOTICE + "を添付して送り直してください。",
    ),
    Status.WRONG_ADDRESS: Wording(
        "⚠️ 提出先違い",
        "{kind}の" + NOTICE + "の提出先は {address} です。お手数ですが、そちらへ送り直して"
        "ください。",
    ),
    Status.NO_ATTACHMENT: Wording(
        "⚠️ 添付なし",
        "PDFファイルが添付されていません。" + _RESEND_NOTICE + "を添付して送り直してください。",
    ),
    Status.UNREADABLE: Wording(
        "⚠️ 読めないPDF",
        "添付のPDFを読み取れませんでした（{detail}）。"
        + _RESEND_NOTICE
        + "を、パスワードや加工なしでそのまま添付して送り直してください。",
    ),
    # An unknown number and a wrong key are told the SAME sentence (_CHECKING), so mail
    # tells nobody which contract numbers exist; staff see the exact status by its label.
    Status.UNKNOWN_CONTRACT: Wording("❓ 不明な保証契約番号", _CHECKING),
    Status.KEY_MISMATCH: Wording("⚠️ 認証キー不一致", _CHECKING),
    Status.NOT_COVERED: Wording(
        "🚫 対象外",
        "{detail} ご不明な点は{contact}へお問い合わせください。",
    ),
    Status.REJECTED_SENDER: Wording(
        "🚫 送信者拒否",
        "差出人のメールアドレス（{sender}）が正しくないため受け付けできません。"
        "正しいメールアドレスから送り直してください。",
    ),
    Status.ERROR: Wording(
        "❗ エラー",
        "システムの不具合のため処理できませんでした。お手数ですが{contact}へお問い合わせください。",
    ),
    # hosho read something it must not guess (e.g. a key read by OCR that matches nothing):
    # a person decides; the sender is told it is being checked, not asked to resend.
    Status.NEEDS_REVIEW: Wording(
        "👀 要確認（担当者が判断）",
        "お送りいただいた" + NOTICE + "は、担当者が内容を確認しています。確認が済みしだい"
        "お知らせします。再送の必要はありません。",
    ),
    # Town staff rejected the submission by hand (`submissions reject ID --reason TEXT`);
    # their own reason is the detail.
    Status.REJECTED: Wording(
        "🚫 担当者が差戻し",
        "{detail} ご不明な点は{contact}へお問い合わせください。",
    ),
    # Not a submission at all (ordinary mail in the shared inbox): never replied to, never
    # posted; listed only with --status ignored.
    Status.IGNORED: Wording(
        "➖ 提出ではないメール", "電子保証の提出ではないため、このメールには対応していません。"
    ),
}


#: Every status value, in the order above (for usage messages and option checks).
STATUSES: tuple[str, ...] = tuple(status.value for status in Status)

#: The NO_ATTACHMENT reason when the mail came as Outlook's rich text (``winmail.dat``,
#: TNEF) and no file could be taken out of it.
RICH_TEXT = (
    "Outlookのリッチテキスト形式（winmail.dat）で送られたため、添付ファイルを取り出せません"
    "でした。メールの形式をHTMLかテキストに切り替えて、" + _RESEND_NOTICE + "を添付して"
    "送り直してください。"
)
#: The ``unreadable`` reason when the notice came in a password-protected ZIP (the "PPAP"
#: habit: the password in a second mail). hosho never opens one and never needs a password.
ENCRYPTED_ZIP = (
    "パスワード付きのZIPファイルは開けません。パスワードをかけずに、" + _RESEND_NOTICE + "を"
    "そのまま添付して送り直してください。"
)
#: The ``wrong_document`` reason when one mail carries notices of several contracts.
SEVERAL_NOTICES = (
    "1通のメールに複数の保証契約番号の" + NOTICE + "が添付されています。"
    "お手数ですが、1通につき1件ずつ送り直してください。"
)
#: The ``error`` reason of a message that could not be recorded and was set aside (staff
#: see it; the sender is not answered: ``answering.SET_ASIDE``).
SET_ASIDE = (
    "このメールは{tries}回続けて記録できなかったため、{place} に取り分けました。"
    "メールソフトで開いて内容を確かめ、submissions accept か reject で判断してください。"
)
#: The ``error`` reason of a file in a Maildir that is no message to read (a link, a FIFO,
#: a file without permission): set aside at once, never opened.
FILE_SET_ASIDE = (
    "受信箱にメールとして読めないファイル（{name}、{why}）があったため、{place} に取り分け"
    "ました。開かずに移してあります。中身を確かめてください。"
)
#: The same when even that row could not be written (listed from its failure row alone).
UNRECORDED = (
    "記録できなかったメール（{tries}回失敗）を受信箱の hosho/error（Maildirは .hosho.error、"
    "キーワード方式では HoshoError の印）に取り分けました。メールソフトで確かめてください。"
)
#: The ``unreadable`` reason for a message too large to download.
TOO_LARGE = (
    "メールが大きすぎるため受け付けできません（{size_mb:.1f} MB、上限 {limit_mb:g} MB）。"
    + NOTICE
    + "だけを添付して送り直してください。"
)


def label_of(status: str) -> str:
    """The staff label of a status value (the value itself when it is not a known one)."""
    try:
        return Status(status).label
    except ValueError:
        return status


def reply_subject(status: str) -> str:
    """The subject of the reply to the sender: our own fixed text (the sender's subject is
    never quoted); the same for an unknown number and a wrong key."""
    if status == Status.REGISTERED:
        return "【受付】認証キー等のお知らせを受け付けました"
    if status == Status.DUPLICATE:
        return "【受付済み】認証キー等のお知らせはすでに受け付けています"
    if status in (Status.UNKNOWN_CONTRACT, Status.KEY_MISMATCH, Status.NEEDS_REVIEW):
        return "【確認中】認証キー等のお知らせを確認しています"
    return "【要再送】認証キー等のお知らせを受け付けできませんでした"


def reply_body(reason_text: str, *, contact: str) -> str:
    """The plain-text reply: 受付 or the reason (never an auth key, and nothing the sender
    wrote: not the subject, not a link)."""
    lines = [
        "このメールは自動送信です。",
        "",
        "お送りいただいたメールについてお知らせします。",
        "",
        reason_text,
        "",
        f"お問い合わせ: {contact}",
    ]
    return "\n".join(lines) + "\n"

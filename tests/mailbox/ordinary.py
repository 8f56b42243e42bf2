"""Ordinary mail of a town section's shared inbox (財政課 zaisei@), none of it a submission.

Written for the shared-inbox tests: citizens' questions in the encodings Japanese mail
programs still send, invoices and applications with real PDFs (fpdf2), internal mail with
Office files, newsletters, delivery reports, out-of-office replies, calendar invites, zip
files, forwarded mail, and mail from the same contractors about other procedures (前払金,
契約保証金, 信用保証協会: 「保証」 and 「前払金」 alone do not make a submission). Each message
has the Message-ID ``<oNN.ordinary@…>`` so a test can find it.
"""

from __future__ import annotations

import base64
import io
import quopri
import zipfile
from dataclasses import dataclass
from functools import lru_cache

from tests.mailbox.corpus import b64, file_part, jis, multipart, raw, text_part
from tests.mailbox.town import SENDER, TOWN

DATE = "Mon, 07 Oct 2024 09:30:00 +0900"


@dataclass(frozen=True)
class Ordinary:
    name: str
    raw: bytes
    what: str


def headers(
    name: str,
    subject: bytes | str,
    sender: str = "taro.yamada@example.ne.jp",
    *extra: tuple[str, bytes | str],
) -> list[tuple[str, bytes | str]]:
    return [
        ("From", sender),
        ("To", TOWN),
        ("Date", DATE),
        ("Subject", subject),
        ("Message-ID", f"<{name}.ordinary@example.jp>"),
        ("MIME-Version", "1.0"),
        *extra,
    ]


def encoded(text: str, charset: str = "UTF-8") -> str:
    """An RFC 2047 encoded word (B) of ``text``."""
    codec = {"ISO-2022-JP": "iso2022_jp", "Shift_JIS": "cp932"}.get(charset, "utf-8")
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def single(hdrs: list, body: bytes, ctype: str, cte: str = "7bit") -> bytes:
    return raw([*hdrs, ("Content-Type", ctype), ("Content-Transfer-Encoding", cte)], body)


@lru_cache(maxsize=64)
def pdf(*lines: str) -> bytes:
    """A real one-page PDF (fpdf2, hosho's Japanese font subset) printing ``lines``."""
    from fpdf import FPDF

    from hosho.core.documents.fonts import BODY, add_fonts

    doc = FPDF(format="A4")
    add_fonts(doc, "".join(lines))
    doc.add_page()
    doc.set_font(BODY, size=11)
    for line in lines:
        doc.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def office(kind: str, text: str) -> bytes:
    """A small Office Open XML file (``xlsx`` or ``docx``) holding ``text``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        if kind == "xlsx":
            z.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                '2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="'
                'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                "</Types>",
            )
            z.writestr(
                "xl/workbook.xml", "<workbook><sheets><sheet name='予算'/></sheets></workbook>"
            )
            z.writestr("xl/sharedStrings.xml", f"<sst><si><t>{text}</t></si></sst>")
        else:
            z.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                '2006/content-types"><Override PartName="/word/document.xml" ContentType="'
                'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
                "/></Types>",
            )
            z.writestr(
                "word/document.xml",
                f"<w:document><w:body><w:p><w:r><w:t>{text}</w:t>"
                "</w:r></w:p></w:body></w:document>",
            )
    return out.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def named(data: bytes, ctype: str, filename: str) -> bytes:
    """A base64 attachment part; a Japanese file name as RFC 2231 (as Thunderbird writes)."""
    from urllib.parse import quote

    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return file_part(data, ctype.encode(), disposition.encode())


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTRACTOR = SENDER  # the same contractor who sends notices


def build() -> list[Ordinary]:
    """The ordinary-mail corpus (32 messages)."""
    out: list[Ordinary] = []

    def add(name: str, data: bytes, what: str) -> None:
        out.append(Ordinary(name, data, what))

    # -- citizens' questions, in the encodings mail programs send ------------------------
    add(
        "o01",
        single(
            headers("o01", encoded("ふるさと納税の返礼品について", "ISO-2022-JP")),
            jis("財政課 御中\r\nふるさと納税の返礼品はいつ届きますか。\r\n"),
            "text/plain; charset=ISO-2022-JP",
        ),
        "citizen, ISO-2022-JP",
    )
    add(
        "o02",
        single(
            headers(
                "o02", encoded("住民税の納付書が届きません", "Shift_JIS"), "hanako@example.co.jp"
            ),
            "納付書を再発行していただけますか。髙橋".encode("cp932"),
            "text/plain; charset=Shift_JIS",
            "8bit",
        ),
        "citizen, Shift_JIS 8bit",
    )
    add(
        "o03",
        single(
            headers("o03", encoded("ごみ収集日の変更について"), "citizen3@example.com"),
            b64("年末年始のごみ収集日を教えてください。".encode()),
            "text/plain; charset=UTF-8",
            "base64",
        ),
        "citizen, UTF-8 base64",
    )
    add(
        "o04",
        single(
            headers("o04", encoded("町道の陥没（綾北地区）"), "citizen4@example.com"),
            quopri.encodestring(
                "町道に穴が開いています。場所は https://maps.example.com/x です。".encode()
            ),
            "text/plain; charset=UTF-8",
            "quoted-printable",
        ),
        "citizen, UTF-8 quoted-printable, a link",
    )
    add(
        "o05",
        single(
            headers("o05", encoded("固定資産税の口座振替"), "citizen5@example.com"),
            b64(
                "<html><body><p>口座振替の申込書はどこで入手できますか。</p></body></html>".encode()
            ),
            "text/html; charset=UTF-8",
            "base64",
        ),
        "citizen, HTML only",
    )
    photo = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8 + b"\xff\xd9"
    add(
        "o06",
        multipart(
            headers("o06", encoded("倒木の写真"), "citizen6@example.com"),
            [
                text_part("写真を添付します。".encode(), "utf-8"),
                named(photo, "image/jpeg", "倒木.jpg"),
            ],
        ),
        "citizen, a photo",
    )
    # -- invoices and applications with PDFs ----------------------------------------------
    add(
        "o07",
        multipart(
            headers("o07", encoded("10月分ご請求書の送付"), "billing@office-supply.example.jp"),
            [
                text_part("10月分のご請求書をお送りします。".encode(), "utf-8"),
                named(
                    pdf("請求書", "綾町役場 財政課 御中", "コピー用紙 50箱 合計 ¥165,000"),
                    "application/pdf",
                    "請求書_202410.pdf",
                ),
            ],
        ),
        "supplier's invoice PDF",
    )
    add(
        "o08",
        multipart(
            headers(
                "o08", encoded("電算保守料のご請求", "ISO-2022-JP"), "keiri@it-vendor.example.jp"
            ),
            [
                text_part(jis("保守料の請求書を送付いたします。"), "iso-2022-jp"),
                named(
                    pdf("御請求書", "基幹系システム保守料 2024年10月分"),
                    "application/pdf",
                    "御請求書.pdf",
                ),
            ],
        ),
        "invoice PDF, ISO-2022-JP body",
    )
    add(
        "o09",
        multipart(
            headers("o09", encoded("補助金交付申請書の提出"), "npo@example.org"),
            [
                text_part("申請書を提出します。".encode(), "utf-8"),
                named(
                    pdf("補助金交付申請書", "事業名 地域づくり活動", "申請額 300,000円"),
                    "application/pdf",
                    "交付申請書.pdf",
                ),
            ],
        ),
        "application PDF",
    )
    add(
        "o10",
        multipart(
            headers("o10", encoded("お見積書"), "sales@furniture.example.jp"),
            [
                file_part(
                    pdf("御見積書", "事務机 10台"),
                    b"application/octet-stream",
                    b'attachment; filename="mitsumori.pdf"',
                )
            ],
        ),
        "estimate PDF as octet-stream",
    )
    # -- internal mail with Office files ---------------------------------------------------
    add(
        "o11",
        multipart(
            headers("o11", encoded("令和7年度 予算要求資料"), "kikaku@town.aya.lg.jp"),
            [
                text_part("予算要求の様式です。".encode(), "utf-8"),
                named(office("xlsx", "歳出予算 要求額"), XLSX, "予算要求.xlsx"),
            ],
        ),
        "internal, budget .xlsx",
    )
    add(
        "o12",
        multipart(
            headers("o12", encoded("課長会議 議事録"), "somu@town.aya.lg.jp"),
            [
                text_part("議事録を共有します。".encode(), "utf-8"),
                named(office("docx", "課長会議 議事録"), DOCX, "議事録.docx"),
            ],
        ),
        "internal, minutes .docx",
    )
    add(
        "o13",
        multipart(
            headers("o13", encoded("決算資料（確認依頼）"), "kaikei@town.aya.lg.jp"),
            [
                text_part("ご確認ください。".encode(), "utf-8"),
                named(office("xlsx", "決算 歳入"), XLSX, "決算.xlsx"),
                named(pdf("決算書（案）", "一般会計"), "application/pdf", "決算書案.pdf"),
            ],
        ),
        "internal, .xlsx and a PDF",
    )
    # -- newsletters -----------------------------------------------------------------------
    add(
        "o14",
        single(
            headers(
                "o14",
                encoded("【地方財務メールマガジン】第512号"),
                "magazine@zaimu.example.jp",
                ("List-Id", "<zaimu-news.zaimu.example.jp>"),
                ("List-Unsubscribe", "<https://zaimu.example.jp/unsubscribe?u=123>"),
                ("Precedence", "bulk"),
            ),
            b64("今号の話題: 地方債、公会計、契約事務。".encode()),
            "text/plain; charset=UTF-8",
            "base64",
        ),
        "newsletter, List-Unsubscribe",
    )
    add(
        "o15",
        single(
            headers(
                "o15",
                encoded("入札情報サービス 新着案件のお知らせ"),
                "info@nyusatsu.example.jp",
                ("List-Unsubscribe", "<mailto:unsubscribe@nyusatsu.example.jp>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ),
            b64('<html><a href="https://nyusatsu.example.jp/n/1">新着 3件</a></html>'.encode()),
            "text/html; charset=UTF-8",
            "base64",
        ),
        "newsletter, HTML with links",
    )
    # -- delivery reports and out-of-office -------------------------------------------------
    dsn = (
        b"--dsn\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        b"This is the mail system at host mx.town.aya.lg.jp. Your message could not be delivered.\r\n"
        b"--dsn\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.town.aya.lg.jp\r\n\r\nFinal-Recipient: rfc822; old@example.jp\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n"
        b"--dsn\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"From: zaisei@town.aya.lg.jp\r\nTo: old@example.jp\r\nSubject: meeting\r\n"
        b"--dsn--\r\n"
    )
    add(
        "o16",
        raw(
            headers(
                "o16",
                "Undelivered Mail Returned to Sender",
                "MAILER-DAEMON@mx.town.aya.lg.jp",
                ("Auto-Submitted", "auto-replied"),
                ("Content-Type", 'multipart/report; report-type=delivery-status; boundary="dsn"'),
            ),
            dsn,
        ),
        "delivery report (DSN)",
    )
    add(
        "o17",
        single(
            headers(
                "o17",
                encoded("不在のお知らせ（自動応答）"),
                "suzuki@consultant.example.jp",
                ("Auto-Submitted", "auto-replied"),
            ),
            b64("10月14日まで不在にしております。".encode()),
            "text/plain; charset=UTF-8",
            "base64",
        ),
        "out-of-office, Auto-Submitted",
    )
    add(
        "o18",
        single(
            headers(
                "o18",
                encoded("自動応答: 工事打合せの件"),
                "tanaka@aya-kensetsu.example.jp",
                ("X-Auto-Response-Suppress", "All"),
                ("X-Autoreply", "yes"),
            ),
            b64("出張のため返信が遅れます。".encode()),
            "text/plain; charset=UTF-8",
            "base64",
        ),
        "out-of-office, Exchange style",
    )
    # -- calendar invites --------------------------------------------------------------------
    ics = (
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:財政課 打合せ\r\n"
        "DTSTART:20241010T010000Z\r\nDTEND:20241010T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    add(
        "o19",
        multipart(
            headers("o19", encoded("招待: 財政課 打合せ"), "kikaku@town.aya.lg.jp"),
            [
                text_part("打合せのご案内です。".encode(), "utf-8"),
                b"Content-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n"
                b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(ics.encode()),
            ],
            boundary="cal",
        ),
        "calendar invite",
    )
    add(
        "o20",
        single(
            headers("o20", encoded("キャンセル: 予算ヒアリング"), "kikaku@town.aya.lg.jp"),
            b64(ics.replace("REQUEST", "CANCEL").encode()),
            "text/calendar; method=CANCEL; charset=UTF-8",
            "base64",
        ),
        "calendar cancellation",
    )
    # -- zip files and forwarded mail --------------------------------------------------------
    add(
        "o21",
        multipart(
            headers("o21", encoded("図面一式の送付"), "sekkei@consultant.example.jp"),
            [
                text_part("図面をお送りします。".encode(), "utf-8"),
                named(
                    zipped({"zumen1.dxf": b"0\nSECTION\n", "zumen2.dxf": b"0\nEOF\n"}),
                    "application/zip",
                    "図面一式.zip",
                ),
            ],
        ),
        "zip of drawings",
    )
    add(
        "o22",
        multipart(
            headers("o22", encoded("提出書類（圧縮）"), "jimu@npo.example.org"),
            [
                named(
                    zipped({"shorui.pdf": pdf("事業報告書")}),
                    "application/x-zip-compressed",
                    "書類.zip",
                )
            ],
        ),
        "zip holding a PDF",
    )
    inner = raw(
        [
            ("From", "gikai@town.aya.lg.jp"),
            ("To", "all@town.aya.lg.jp"),
            ("Subject", encoded("12月議会の日程")),
            ("Date", DATE),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "base64"),
        ],
        b64("12月議会は12月3日開会です。".encode()),
    )
    add(
        "o23",
        multipart(
            headers("o23", encoded("転送: 12月議会の日程"), "somu@town.aya.lg.jp"),
            [
                text_part("転送します。".encode(), "utf-8"),
                b"Content-Type: message/rfc822\r\n\r\n" + inner,
            ],
        ),
        "forwarded internal mail",
    )
    inner_invoice = multipart(
        [
            ("From", "billing@office-supply.example.jp"),
            ("To", "kaikei@town.aya.lg.jp"),
            ("Subject", encoded("ご請求書")),
            ("Date", DATE),
            ("MIME-Version", "1.0"),
        ],
        [named(pdf("請求書", "トナー 4本"), "application/pdf", "請求書.pdf")],
        boundary="inner",
    )
    add(
        "o24",
        multipart(
            headers("o24", encoded("Fwd: ご請求書"), "kaikei@town.aya.lg.jp"),
            [
                text_part("財政課でも確認をお願いします。".encode(), "utf-8"),
                b"Content-Type: message/rfc822\r\n\r\n" + inner_invoice,
            ],
        ),
        "forwarded invoice with its PDF",
    )
    # -- the same contractors, about other procedures ------------------------------------------
    add(
        "o25",
        multipart(
            headers("o25", encoded("前払金請求書の送付について（町道改良工事）"), CONTRACTOR),
            [
                text_part(
                    "前払金請求書を添付いたします。保証証書の原本は郵送いたします。".encode(),
                    "utf-8",
                ),
                named(
                    pdf(
                        "前払金請求書",
                        "工事名 町道改良工事",
                        "請負代金額 48,000,000円",
                        "前払金の額 19,200,000円",
                        "保証事業会社 西日本建設業保証株式会社",
                    ),
                    "application/pdf",
                    "前払金請求書.pdf",
                ),
            ],
        ),
        "contractor: 前払金請求書 PDF",
    )
    add(
        "o26",
        multipart(
            headers("o26", encoded("工事請負契約書（写）の送付"), CONTRACTOR),
            [
                text_part("契約保証金の納付に代えて、保証書を提出いたします。".encode(), "utf-8"),
                named(
                    pdf(
                        "工事請負契約書",
                        "第4条 契約保証金 4,800,000円",
                        "信用保証協会の保証による納付",
                    ),
                    "application/pdf",
                    "契約書.pdf",
                ),
            ],
        ),
        "contractor: 契約書 PDF, 契約保証金 and 信用保証協会",
    )
    add(
        "o27",
        single(
            headers("o27", encoded("契約保証金の納付方法について"), CONTRACTOR),
            b64(
                "契約保証金は保証証券でも納付できますか。前払金の請求時期も教えてください。".encode()
            ),
            "text/plain; charset=UTF-8",
            "base64",
        ),
        "contractor: a question about 契約保証金 and 前払金",
    )
    add(
        "o28",
        multipart(
            headers("o28", encoded("中間前払金認定請求書"), CONTRACTOR),
            [
                named(
                    pdf("中間前払金認定請求書", "工事の進捗 55%"),
                    "application/pdf",
                    "認定請求書.pdf",
                )
            ],
        ),
        "contractor: 中間前払金 PDF",
    )
    add(
        "o29",
        multipart(
            headers("o29", encoded("完成届の提出"), "info@miyazaki-doboku.example.jp"),
            [named(pdf("工事完成届", "町道改良工事 完成"), "application/pdf", "完成届.pdf")],
        ),
        "contractor: 完成届 PDF",
    )
    add(
        "o30",
        single(
            headers("o30", encoded("【ご案内】信用保証協会の保証付き融資"), "info@bank.example.jp"),
            b64("信用保証協会の保証付き融資のご案内です。保証料の補助制度もございます。".encode()),
            "text/plain; charset=UTF-8",
            "base64",
        ),
        "a bank's advertisement about 信用保証協会",
    )
    # -- replies and odd senders -------------------------------------------------------------------
    add(
        "o31",
        single(
            headers(
                "o31",
                encoded("Re: 前払金の支払日"),
                "kaikei@town.aya.lg.jp",
                ("In-Reply-To", "<o25.ordinary@example.jp>"),
                ("References", "<o25.ordinary@example.jp>"),
            ),
            b64("支払日は10月25日です。".encode()),
            "text/plain; charset=UTF-8",
            "base64",
        ),
        "internal reply in a thread",
    )
    add(
        "o32",
        single(
            [("Return-Path", "<>"), *headers("o32", "", "noreply@portal.example.jp")],
            b"Your password will expire in 7 days.\r\n",
            "text/plain; charset=us-ascii",
        ),
        "a no-reply notice with an empty Return-Path",
    )
    return out

"""Submissions as real Japanese mail programs write them, through a Maildir poll.

Each case is the raw bytes one program sends (Outlook on Windows, Thunderbird, Gmail,
iPhone Mail, Becky!, Shuriken, Outlook's rich-text winmail.dat, forwarding as an attached
message, …), built by hand where a library would tidy the oddity away. Every one carries
a real notice PDF (``tests/mailbox/town.py``) and must end registered under the right
保証契約番号, with the file name staff see decoded. A winmail.dat hosho cannot read is
recorded with a reason the sender can act on.
"""

from __future__ import annotations

import base64
import io
import mailbox
import quopri
import struct
import time
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

from hosho.core.store.db import session_scope
from hosho.core.store.models import Submission
from hosho.core.submissions.staff_actions import show
from hosho.core.submissions.statuses import ENCRYPTED_ZIP, Status
from hosho.mailbox.containers import tnef_files, zip_files
from hosho.mailbox.maildir_source import MaildirSource
from hosho.mailbox.mime import parse_message
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.corpus import jis_nec
from tests.mailbox.town import SENDER, TOWN, notice, number

NAME = "認証キー等のお知らせ"


@dataclass(frozen=True)
class Mail:
    name: str
    raw: bytes
    contract: int
    #: The attachment's name as staff must see it ("" when the program sent none).
    filename: str | None = None
    subject_has: str = ""


def crlf(*lines: bytes | str) -> bytes:
    return b"".join((x.encode() if isinstance(x, str) else x) + b"\r\n" for x in lines)


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def word(text: str, charset: str = "ISO-2022-JP") -> str:
    """One RFC 2047 encoded word."""
    codec = "iso2022_jp" if charset.lower() == "iso-2022-jp" else charset
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def pct(data: bytes) -> str:
    return urllib.parse.quote(data, safe="")


def headers(
    subject: str | bytes,
    mailer: str,
    mid: str,
    content_type: str,
    extra: tuple[str | bytes, ...] = (),
) -> bytes:
    subj = subject if isinstance(subject, bytes) else subject.encode()
    return crlf(
        "Return-Path: <" + SENDER + ">",
        "From: " + word("綾建設株式会社 経理") + " <" + SENDER + ">",
        "To: " + TOWN,
        b"Subject: " + subj,
        "Date: Thu, 03 Oct 2024 10:00:00 +0900",
        f"Message-ID: <{mid}@aya-kensetsu.example.jp>",
        "MIME-Version: 1.0",
        mailer,
        *extra,
        "Content-Type: " + content_type,
    )


def part(head: tuple[str | bytes, ...], body: bytes) -> bytes:
    return crlf(*head) + b"\r\n" + body


def multi(boundary: str, parts: list[bytes]) -> bytes:
    b = boundary.encode()
    out = b"This is a multi-part message in MIME format.\r\n\r\n"
    for p in parts:
        out += b"--" + b + b"\r\n" + p.rstrip(b"\r\n") + b"\r\n"
    return out + b"--" + b + b"--\r\n"


def jis_text(text: str) -> bytes:
    return text.encode("iso2022_jp").replace(b"\n", b"\r\n")


def jis_body(
    text: str = "綾町 財政課 御中\n\n電子保証の認証キー等のお知らせを送付します。\n",
) -> bytes:
    return part(
        (
            'Content-Type: text/plain; charset="iso-2022-jp"',
            "Content-Transfer-Encoding: 7bit",
        ),
        jis_text(text),
    )


def utf8_b64_body(text: str, subtype: str = "plain") -> bytes:
    return part(
        (
            f'Content-Type: text/{subtype}; charset="UTF-8"',
            "Content-Transfer-Encoding: base64",
        ),
        b64(text.encode()),
    )


# --- TNEF (Outlook's rich text format: winmail.dat) -----------------------------------


def _tnef_attr(level: int, attr: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attr, len(data)) + data + struct.pack("<H", checksum)


def _mapi_rtf_body() -> bytes:
    """attMsgProps holding PR_RTF_COMPRESSED (0x1009, binary): the body Outlook writes
    before any attachment, a few KB (so the PDF is not within the stream's first KB)."""
    rtf = ("{\\rtf1\\ansi\\ansicpg932 綾町 財政課 御中\\par 添付します。}" * 60).encode("cp932")
    blob = struct.pack("<IIII", len(rtf) + 12, len(rtf), 0x414C454D, 0) + rtf  # "MELA": raw
    head = struct.pack("<IHHII", 1, 0x0102, 0x1009, 1, len(blob))
    return head + blob + b"\0" * (-len(blob) % 4)


def tnef(files: list[tuple[str, bytes]]) -> bytes:
    """winmail.dat as Outlook writes it: message attributes, then per file its rendering
    data, title (in the OEM code page, 932 on Japanese Windows) and data."""
    out = struct.pack("<IH", 0x223E9F78, 0x1234)
    out += _tnef_attr(1, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += _tnef_attr(1, 0x00069007, struct.pack("<II", 932, 0))  # attOemCodepage
    out += _tnef_attr(1, 0x00078008, b"IPM.Microsoft Mail.Note\0")  # attMessageClass
    out += _tnef_attr(1, 0x00018004, "提出".encode("cp932") + b"\0")  # attSubject
    out += _tnef_attr(1, 0x00069003, _mapi_rtf_body())  # attMsgProps: the body, first
    for name, data in files:
        rend = struct.pack("<HIIHHI", 1, 0xFFFFFFFF, 0, 0, 0, 0)[:14]
        out += _tnef_attr(2, 0x00069002, rend)  # attAttachRendData
        out += _tnef_attr(2, 0x00018010, name.encode("cp932") + b"\0")  # attAttachTitle
        out += _tnef_attr(2, 0x0006800F, data)  # attAttachData
    return out


# --- the corpus ---------------------------------------------------------------------


def outlook_2231_jis() -> Mail:
    """Outlook 2016 on Windows: ISO-2022-JP body, the name RFC 2231 in ISO-2022-JP."""
    name = f"{NAME}_{number(1)}.pdf"
    jis_name = pct(name.encode("iso2022_jp"))
    pdf = part(
        (
            f'Content-Type: application/pdf; name="{word(name)}"',
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment;",
            f"\tfilename*=iso-2022-jp''{jis_name}",
        ),
        b64(notice(1)),
    )
    b = "----=_NextPart_000_0001_01DB1234.56789AB0"
    raw = headers(
        word("電子保証 認証キー等のお知らせの提出"),
        "X-Mailer: Microsoft Outlook 16.0",
        "outlook1",
        f'multipart/mixed;\r\n\tboundary="{b}"',
        ("Thread-Index: AdsVq1Q2l4x3y7ZpTbS0wq0oJ3lQ5w==", "Content-Language: ja"),
    )
    return Mail("outlook_2231_jis", raw + b"\r\n" + multi(b, [jis_body(), pdf]), 1, name)


def outlook_2231_jis_nec() -> Mail:
    """Outlook on Windows with NEC special characters (㈱, ①) in an RFC 2231 ISO-2022-JP
    name: outside JIS X 0208, so only a CP50220-style decoder reads them."""
    stem = "認証キー等のお知らせ（㈱綾建設）①"
    name = stem + ".pdf"
    pdf = part(
        (
            "Content-Type: application/pdf;",
            f"\tname*=iso-2022-jp''{pct(jis_nec(stem))}.pdf",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment;",
            f"\tfilename*=iso-2022-jp''{pct(jis_nec(stem))}.pdf",
        ),
        b64(notice(20)),
    )
    b = "----=_NextPart_000_0020_01DB1234.56789AB0"
    raw = headers(
        word("書類送付"),
        "X-Mailer: Microsoft Outlook 16.0",
        "outlook20",
        f'multipart/mixed;\r\n\tboundary="{b}"',
    )
    return Mail("outlook_2231_jis_nec", raw + b"\r\n" + multi(b, [jis_body(), pdf]), 20, name)


def outlook_2231_utf8_continued() -> Mail:
    """Outlook for Microsoft 365: a long name as UTF-8 RFC 2231 continuations."""
    name = f"【綾町】{NAME}（前払金保証）_{number(2)}.pdf"
    encoded = pct(name.encode())
    chunks = [encoded[i : i + 60] for i in range(0, len(encoded), 60)]
    lines = [f"\tfilename*0*=utf-8''{chunks[0]};"]
    lines += [f"\tfilename*{i}*={c};" for i, c in enumerate(chunks[1:], 1)]
    lines[-1] = lines[-1].rstrip(";")
    pdf = part(
        (
            f'Content-Type: application/pdf; name="{word(name, "utf-8")}"',
            "Content-Description: " + word(name, "utf-8"),
            "Content-Disposition: attachment;",
            *lines,
            "Content-Transfer-Encoding: base64",
        ),
        b64(notice(2)),
    )
    b = "_004_TYCPR01MB1234567D1E2F3A4B5C6D7E8F9A0B1C2D3E4Fjpnprd01p_"
    raw = headers(
        word("提出：認証キー等のお知らせ", "utf-8"),
        "X-MS-Has-Attach: yes",
        "outlook2",
        f'multipart/mixed;\r\n\tboundary="{b}"',
    )
    body = utf8_b64_body("綾町 財政課 御中\r\n\r\nお世話になっております。\r\n")
    return Mail("outlook_2231_utf8", raw + b"\r\n" + multi(b, [body, pdf]), 2, name)


def outlook_name_only() -> Mail:
    """Outlook (older): the name only as an encoded word in Content-Type's ``name=``."""
    name = f"{NAME}.pdf"
    pdf = part(
        (
            "Content-Type: application/pdf;",
            f'\tname="{word(name)}"',
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment",
        ),
        b64(notice(3)),
    )
    b = "----=_NextPart_000_0003_01DB1234.56789AB0"
    raw = headers(
        word("書類送付"),
        "X-Mailer: Microsoft Outlook 14.0",
        "outlook3",
        f'multipart/mixed; boundary="{b}"',
    )
    return Mail("outlook_name_only", raw + b"\r\n" + multi(b, [jis_body(), pdf]), 3, name)


def thunderbird() -> Mail:
    """Thunderbird 115: UTF-8 format=flowed, name*0*/name*1* and filename*0*/filename*1*."""
    name = f"{NAME}_{number(4)}.pdf"
    encoded = pct(name.encode())
    half = encoded[:45], encoded[45:]
    pdf = part(
        (
            "Content-Type: application/pdf;",
            f" name*0*=UTF-8''{half[0]};",
            f" name*1*={half[1]}",
            "Content-Disposition: attachment;",
            f" filename*0*=UTF-8''{half[0]};",
            f" filename*1*={half[1]}",
            "Content-Transfer-Encoding: base64",
        ),
        b64(notice(4)),
    )
    text = (
        "綾町 財政課 御中\r\n\r\n認証キー等のお知らせを送付いたします。よろしくお願いいたしま \r\n"
        "す。\r\n\r\n-- \r\n綾建設株式会社\r\n"
    )
    body = part(
        (
            "Content-Type: text/plain; charset=UTF-8; format=flowed",
            "Content-Transfer-Encoding: 8bit",
        ),
        text.encode(),
    )
    b = "------------0A1B2C3D4E5F6A7B8C9D0E1F"
    raw = headers(
        "=?UTF-8?B?" + base64.b64encode("認証キー等のお知らせ".encode()).decode() + "?=",
        "User-Agent: Mozilla Thunderbird",
        "tb1",
        f'multipart/mixed; boundary="{b}"',
        ("Content-Language: ja",),
    )
    return Mail("thunderbird", raw + b"\r\n" + multi(b, [body, pdf]), 4, name)


def gmail() -> Mail:
    """Gmail: mixed > alternative (plain and HTML, base64), the name as UTF-8 encoded
    words split over two folded words inside the quotes."""
    name = f"{NAME}（綾建設株式会社）_{number(5)}.pdf"
    first, second = name[:12], name[12:]
    quoted = f'"{word(first, "UTF-8")}\r\n {word(second, "UTF-8")}"'
    pdf = part(
        (
            f"Content-Type: application/pdf; \r\n\tname={quoted}",
            f"Content-Disposition: attachment; \r\n\tfilename={quoted}",
            "Content-Transfer-Encoding: base64",
            "Content-ID: <f_m1a2b3c40>",
            "X-Attachment-Id: f_m1a2b3c40",
        ),
        b64(notice(5)),
    )
    inner_b = "000000000000a1b2c3062394a5b6"
    alt = part(
        (f'Content-Type: multipart/alternative; boundary="{inner_b}"',),
        multi(
            inner_b,
            [
                utf8_b64_body("綾町 財政課 御中\r\n電子保証の書類をお送りします。\r\n"),
                utf8_b64_body(
                    '<div dir="ltr">綾町 財政課 御中<div>電子保証の書類をお送りします。</div></div>',
                    "html",
                ),
            ],
        ),
    )
    b = "000000000000a1b2c3062394a5b8"
    raw = headers(
        word("提出します", "UTF-8"),
        "X-Gm-Message-State: AOJu0Yw",
        "gmail1",
        f'multipart/mixed; boundary="{b}"',
    )
    return Mail("gmail", raw + b"\r\n" + multi(b, [alt, pdf]), 5, name)


def iphone() -> Mail:
    """iPhone Mail: alternative > related (HTML, then the PDF inline with x-unix-mode)."""
    name = f"{NAME}.pdf"
    pdf = part(
        (
            "Content-Type: application/pdf;",
            f"\tx-unix-mode=0644;\r\n\tname*=utf-8''{pct(name.encode())}",
            "Content-Disposition: inline;",
            f"\tfilename*=utf-8''{pct(name.encode())}",
            "Content-Transfer-Encoding: base64",
        ),
        b64(notice(6)),
    )
    html = part(
        (
            "Content-Type: text/html;",
            "\tcharset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ),
        quopri.encodestring(
            '<html><body dir="auto">綾町 財政課 御中<br><br>送ります<br></body></html>'.encode()
        ),
    )
    rel_b = "Apple-Mail-RELATED-0002"
    related = part(
        (f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary={rel_b}',),
        multi(rel_b, [html, pdf]),
    )
    plain = part(
        (
            "Content-Type: text/plain;",
            "\tcharset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ),
        quopri.encodestring("綾町 財政課 御中\n\n送ります\n".encode()),
    )
    b = "Apple-Mail-ALT-0001"
    raw = headers(
        word("認証キー", "utf-8"),
        "X-Mailer: iPhone Mail (21G93)",
        "iphone1",
        f"multipart/alternative; boundary={b}",
    )
    return Mail("iphone", raw + b"\r\n" + multi(b, [plain, related]), 6, name)


def becky_sjis_name() -> Mail:
    """Becky! 2: ISO-2022-JP body and subject, the file name raw 8-bit Shift_JIS (not
    encoded at all: broken, but common)."""
    name = f"{NAME}_{number(7)}.pdf"
    sjis = name.encode("cp932")
    pdf = part(
        (
            b'Content-Type: application/pdf; name="' + sjis + b'"',
            b"Content-Transfer-Encoding: base64",
            b'Content-Disposition: attachment; filename="' + sjis + b'"',
        ),
        b64(notice(7)),
    )
    b = "----=_NextPart_66F0A1B2.0C3D4E5F"
    raw = headers(
        word("認証キー等のお知らせ（綾建設）"),
        "X-Mailer: Becky! ver. 2.81.04 [ja]",
        "becky1",
        f'multipart/mixed;\r\n boundary="{b}"',
    )
    return Mail("becky_sjis_name", raw + b"\r\n" + multi(b, [jis_body(), pdf]), 7, name)


def shuriken_octet_upper() -> Mail:
    """Shuriken: application/octet-stream, an upper-case .PDF, the name a Shift_JIS word."""
    name = f"OSHIRASE_{number(8)}.PDF"
    pdf = part(
        (
            f'Content-Type: application/octet-stream; name="{name}"',
            "Content-Transfer-Encoding: base64",
            f'Content-Disposition: attachment; filename="{name}"',
        ),
        b64(notice(8)),
    )
    b = "__JM_0000000001_SHURIKEN__"
    raw = headers(
        word("提出", "Shift_JIS"),
        "X-Mailer: Shuriken Pro6 6.0.0",
        "shuriken1",
        f'multipart/mixed; boundary="{b}"',
    )
    return Mail("shuriken_octet_upper", raw + b"\r\n" + multi(b, [jis_body(), pdf]), 8, name)


def no_filename() -> Mail:
    """A PDF with no name anywhere (a scanner or a business system sent it)."""
    pdf = part(
        (
            "Content-Type: application/pdf",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment",
        ),
        b64(notice(9)),
    )
    b = "=_scanner_9"
    raw = headers(
        "Scanned document",
        "X-Mailer: RICOH Network Scanner",
        "noname1",
        f'multipart/mixed; boundary="{b}"',
    )
    return Mail("no_filename", raw + b"\r\n" + multi(b, [pdf]), 9, "")


def no_disposition() -> Mail:
    """A PDF part without any Content-Disposition (name only in Content-Type)."""
    name = "notice.pdf"
    pdf = part(
        (f'Content-Type: application/pdf; name="{name}"', "Content-Transfer-Encoding: base64"),
        b64(notice(10)),
    )
    b = "nodisp-10"
    raw = headers(
        word("電子保証"), "X-Mailer: Denbun", "nodisp1", f'multipart/mixed; boundary="{b}"'
    )
    return Mail("no_disposition", raw + b"\r\n" + multi(b, [jis_body(), pdf]), 10, name)


def _inner_outlook(n: int, mid: str) -> bytes:
    name = f"{NAME}_{number(n)}.pdf"
    pdf = part(
        (
            f'Content-Type: application/pdf; name="{word(name)}"',
            "Content-Transfer-Encoding: base64",
            f'Content-Disposition: attachment; filename="{word(name)}"',
        ),
        b64(notice(n)),
    )
    b = f"----=_NextPart_inner_{n}"
    raw = headers(
        word("認証キー等のお知らせ"),
        "X-Mailer: Microsoft Outlook 16.0",
        mid,
        f'multipart/mixed; boundary="{b}"',
    )
    return raw + b"\r\n" + multi(b, [jis_body(), pdf])


def forwarded_rfc822() -> Mail:
    """The contractor's colleague forwards the surety mail as an attachment (.eml): the
    PDF is inside the attached message; the outer subject names nothing."""
    inner = _inner_outlook(11, "inner11")
    fwd = part(
        (
            'Content-Type: message/rfc822; name="' + word("認証キー等のお知らせ.eml") + '"',
            'Content-Disposition: attachment; filename="' + word("認証キー等のお知らせ.eml") + '"',
        ),
        inner,
    )
    b = "----=_NextPart_fwd_11"
    raw = headers(
        "FW: " + word("書類"),
        "X-Mailer: Microsoft Outlook 16.0",
        "fwd11",
        f'multipart/mixed; boundary="{b}"',
    )
    return Mail(
        "forwarded_rfc822",
        raw + b"\r\n" + multi(b, [jis_body("転送します。\n"), fwd]),
        11,
        f"{NAME}_{number(11)}.pdf",
    )


def forwarded_rfc822_base64() -> Mail:
    """Forwarded as an attachment by Exchange/Outlook on the web: message/rfc822 with a
    base64 transfer encoding (RFC 2046 forbids it; it is sent all the same)."""
    inner = _inner_outlook(12, "inner12")
    fwd = part(
        (
            "Content-Type: message/rfc822",
            "Content-Transfer-Encoding: base64",
            'Content-Disposition: attachment; filename="forward.eml"',
        ),
        b64(inner),
    )
    b = "_005_OSZP286MB1234_"
    raw = headers(
        "FW: " + word("書類の送付"),
        "X-MS-Has-Attach: yes",
        "fwd12",
        f'multipart/mixed; boundary="{b}"',
    )
    body = utf8_b64_body("転送します。\r\n")
    return Mail(
        "forwarded_rfc822_base64",
        raw + b"\r\n" + multi(b, [body, fwd]),
        12,
        f"{NAME}_{number(12)}.pdf",
    )


def forwarded_eml_octet() -> Mail:
    """A saved .eml dragged into a webmail: application/octet-stream, name ``*.eml``."""
    inner = _inner_outlook(13, "inner13")
    fwd = part(
        (
            'Content-Type: application/octet-stream; name="mail.eml"',
            "Content-Transfer-Encoding: base64",
            'Content-Disposition: attachment; filename="mail.eml"',
        ),
        b64(inner),
    )
    b = "webmail-13"
    raw = headers(
        word("書類の送付"), "X-Mailer: Active! mail", "fwd13", f'multipart/mixed; boundary="{b}"'
    )
    return Mail(
        "forwarded_eml_octet",
        raw + b"\r\n" + multi(b, [jis_body("添付します。\n"), fwd]),
        13,
        f"{NAME}_{number(13)}.pdf",
    )


def outlook_tnef() -> Mail:
    """Outlook in rich text format: the PDF is inside winmail.dat (application/ms-tnef)."""
    name = f"{NAME}_{number(14)}.pdf"
    dat = part(
        (
            'Content-Type: application/ms-tnef; name="winmail.dat"',
            "Content-Transfer-Encoding: base64",
            'Content-Disposition: attachment; filename="winmail.dat"',
        ),
        b64(tnef([(name, notice(14))])),
    )
    b = "----=_NextPart_tnef_14"
    raw = headers(
        word("書類送付"),
        "X-Mailer: Microsoft Outlook 16.0",
        "tnef14",
        f'multipart/mixed; boundary="{b}"',
    )
    return Mail(
        "outlook_tnef", raw + b"\r\n" + multi(b, [jis_body("添付します。\n"), dat]), 14, name
    )


def quoted_printable_pdf() -> Mail:
    """A PDF sent quoted-printable (some gateways re-encode 8-bit parts so)."""
    pdf = part(
        (
            'Content-Type: application/pdf; name="notice.pdf"',
            "Content-Transfer-Encoding: quoted-printable",
            'Content-Disposition: attachment; filename="notice.pdf"',
        ),
        qp_binary(notice(15)),
    )
    b = "qp-15"
    raw = headers(
        word("電子保証"), "X-Mailer: Sylpheed 3.7.0", "qp15", f'multipart/mixed; boundary="{b}"'
    )
    return Mail(
        "quoted_printable_pdf", raw + b"\r\n" + multi(b, [jis_body(), pdf]), 15, "notice.pdf"
    )


def qp_binary(data: bytes) -> bytes:
    """Quoted-printable of binary data as RFC 2045 wants it: CR and LF as =0D and =0A,
    soft line breaks at 76 characters."""
    out, line = [], b""
    for byte in data:
        char = bytes([byte]) if 33 <= byte <= 126 and byte != 61 else b"=%02X" % byte
        if len(line) + len(char) > 75:
            out.append(line + b"=")
            line = b""
        line += char
    return b"\r\n".join([*out, line])


PNG_LOGO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def signature_vcard() -> Mail:
    """The notice beside a signature logo (inline, in related) and a vCard."""
    name = f"{NAME}.pdf"
    html = part(
        ('Content-Type: text/html; charset="utf-8"', "Content-Transfer-Encoding: 8bit"),
        '<p>送付します</p><img src="cid:logo@aya">'.encode(),
    )
    logo = part(
        (
            'Content-Type: image/png; name="image001.png"',
            "Content-Transfer-Encoding: base64",
            "Content-ID: <logo@aya>",
            'Content-Disposition: inline; filename="image001.png"',
        ),
        b64(PNG_LOGO),
    )
    rel_b = "rel-16"
    related = part(
        (f'Content-Type: multipart/related; boundary="{rel_b}"; type="text/html"',),
        multi(rel_b, [html, logo]),
    )
    vcard = part(
        (
            f'Content-Type: text/x-vcard; charset="utf-8"; name="{word("綾建設.vcf", "utf-8")}"',
            "Content-Transfer-Encoding: 8bit",
            f'Content-Disposition: attachment; filename="{word("綾建設.vcf", "utf-8")}"',
        ),
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:綾 太郎\r\nORG:綾建設株式会社\r\nEND:VCARD\r\n".encode(),
    )
    pdf = part(
        (
            f'Content-Type: application/pdf; name="{word(name, "utf-8")}"',
            "Content-Transfer-Encoding: base64",
            f'Content-Disposition: attachment; filename="{word(name, "utf-8")}"',
        ),
        b64(notice(16)),
    )
    b = "mixed-16"
    raw = headers(
        word("提出"),
        "X-Mailer: Microsoft Outlook 16.0",
        "sig16",
        f'multipart/mixed; boundary="{b}"',
    )
    return Mail("signature_vcard", raw + b"\r\n" + multi(b, [related, pdf, vcard]), 16, name)


def subject_split_words() -> Mail:
    """An ISO-2022-JP subject with 電子保証 split over two encoded words, each one a whole
    JIS run, and the second word's charset in lower case (Outlook Express, Becky!)."""
    subj = word("【電子") + "\r\n " + word("保証】提出", "iso-2022-jp")
    pdf = part(
        (
            'Content-Type: application/octet-stream; name="doc.pdf"',
            "Content-Transfer-Encoding: base64",
        ),
        b64(notice(17)),
    )
    b = "split-17"
    raw = headers(
        subj, "X-Mailer: Becky! ver. 2.75.01 [ja]", "split17", f'multipart/mixed; boundary="{b}"'
    )
    return Mail(
        "subject_split_words",
        raw + b"\r\n" + multi(b, [jis_body("送付します。\n"), pdf]),
        17,
        "doc.pdf",
        subject_has="【電子保証】提出",
    )


def subject_split_mid_run() -> Mail:
    """The same split made inside one JIS run (the second word has no ESC $ B of its
    own), as some mobile mailers cut encoded words at a byte count."""
    jis = "【電子保証】提出".encode("iso2022_jp")
    cut = jis.index("保".encode("iso2022_jp")[3:5])
    first, second = jis[:cut], jis[cut:]
    subj = (
        "=?ISO-2022-JP?B?"
        + base64.b64encode(first).decode()
        + "?=\r\n =?ISO-2022-JP?B?"
        + base64.b64encode(second).decode()
        + "?="
    )
    pdf = part(
        ('Content-Type: application/pdf; name="doc.pdf"', "Content-Transfer-Encoding: base64"),
        b64(notice(18)),
    )
    b = "split-18"
    raw = headers(subj, "X-Mailer: SoftBank Mail", "split18", f'multipart/mixed; boundary="{b}"')
    return Mail(
        "subject_split_mid_run",
        raw + b"\r\n" + multi(b, [pdf]),
        18,
        "doc.pdf",
        subject_has="【電子保証】提出",
    )


def lf_only(mail: Mail) -> Mail:
    """The same mail with bare LF line endings (a Maildir written by procmail, fetchmail)."""
    raw = mail.raw.replace(b"\r\n", b"\n").replace(b"Message-ID: <", b"Message-ID: <lf-", 1)
    return Mail(mail.name + "_lf", raw, mail.contract, mail.filename, mail.subject_has)


def corpus() -> list[Mail]:
    mails = [
        outlook_2231_jis(),
        outlook_2231_jis_nec(),
        outlook_2231_utf8_continued(),
        outlook_name_only(),
        thunderbird(),
        gmail(),
        iphone(),
        becky_sjis_name(),
        shuriken_octet_upper(),
        no_filename(),
        no_disposition(),
        forwarded_rfc822(),
        forwarded_rfc822_base64(),
        forwarded_eml_octet(),
        outlook_tnef(),
        quoted_printable_pdf(),
        signature_vcard(),
        subject_split_words(),
        subject_split_mid_run(),
    ]
    mails += [lf_only(m) for m in (outlook_2231_jis(), becky_sjis_name(), gmail())]
    return mails


CORPUS = {m.name: m for m in corpus()}


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 15


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_mime_reading(name: str) -> None:
    """What the parser makes of each mail: the notice PDF byte for byte, its name."""
    mail = CORPUS[name]
    parsed = parse_message(mail.raw)
    pdfs = [a for a in parsed.attachments if a.data == notice(mail.contract)]
    assert len(pdfs) == 1, [(a.filename, a.content_type, a.data[:8]) for a in parsed.attachments]
    if mail.filename is not None:
        assert pdfs[0].filename == mail.filename
    assert parsed.sender == SENDER and parsed.sender_count == 1
    if mail.subject_has:
        assert mail.subject_has in parsed.subject


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_registered_through_a_maildir_poll(  # type: ignore[no-untyped-def]
    name: str, town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail = CORPUS[name]
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(tmp_path / "inbox")})
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    (tmp_path / "inbox" / "new" / f"1727917200.{name}.host").write_bytes(mail.raw)
    poller = Poller(runtime, MaildirSource(tmp_path / "inbox"), mailer=None)
    try:
        poller.run_once()
    finally:
        poller.close()
    with session_scope(runtime.engine) as session:
        rows = [
            (r.id, r.status, r.reason, r.contract_number) for r in session.exec(select(Submission))
        ]
    assert len(rows) == 1, rows
    ident, status, reason, contract = rows[0]
    assert (status, contract) == ("registered", number(mail.contract)), reason
    assert ident is not None
    names = [f["filename"] for f in show(runtime.engine, ident)["files"]]
    if mail.filename:
        assert mail.filename in names, names
    assert len(box) == 0  # filed into hosho/registered


def test_a_winmail_dat_without_a_readable_file_is_recorded_with_a_reason(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A winmail.dat cut short (the PDF inside is incomplete) reads as no file: when the
    mail names 電子保証 it is recorded (staff see it) and the sender is told to switch
    Outlook from rich text to HTML or plain text and attach the notice PDF again; it is
    never registered from the broken bytes."""
    broken = tnef([(f"{NAME}.pdf", notice(19))])[:-5000]
    dat = part(
        (
            'Content-Type: application/ms-tnef; name="winmail.dat"',
            "Content-Transfer-Encoding: base64",
            'Content-Disposition: attachment; filename="winmail.dat"',
        ),
        b64(broken),
    )
    b = "----=_NextPart_tnef_19"
    raw = headers(
        word("電子保証の提出"),
        "X-Mailer: Microsoft Outlook 16.0",
        "tnef19",
        f'multipart/mixed; boundary="{b}"',
    )
    assert tnef_files(broken) == []
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(tmp_path / "inbox")})
    mailbox.Maildir(tmp_path / "inbox", create=True)
    (tmp_path / "inbox" / "new" / "1727917200.tnef19.host").write_bytes(
        raw + b"\r\n" + multi(b, [jis_body("添付します。\n"), dat])
    )
    poller = Poller(runtime, MaildirSource(tmp_path / "inbox"), mailer=None)
    try:
        poller.run_once()
    finally:
        poller.close()
    with session_scope(runtime.engine) as session:
        (row,) = session.exec(select(Submission)).all()
    assert row.status != "registered" and row.contract_number is None
    assert row.status == "no_attachment", row.status
    assert "認証キー等のお知らせ" in row.reason and "送り直して" in row.reason
    assert "winmail.dat" in row.reason and "HTMLかテキスト" in row.reason  # what to change


# --- ZIP archives (also the password-protected "PPAP" kind) ---------------------------


def zip_bytes(entries: list[tuple[str, bytes]], *, level: int = 6) -> bytes:
    """A ZIP as zipfile writes it (ASCII names without the UTF-8 flag)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def explorer_zip(name: str, data: bytes) -> bytes:
    """A ZIP as Japanese Windows' Explorer (送る → 圧縮 (zip 形式) フォルダー) writes it: the
    name in CP932 without the UTF-8 flag (bit 11), in the local header and the central
    directory alike."""
    raw = name.encode("cp932")
    stand_in = "x" * len(raw)
    archive = zip_bytes([(stand_in, data)])
    assert archive.count(stand_in.encode()) == 2
    return archive.replace(stand_in.encode(), raw)


def encrypted(archive: bytes) -> bytes:
    """The same ZIP with the encryption flag (bit 0) set on every entry, in the local
    headers and the central directory (zipfile cannot write encrypted archives; the flag
    is what a reader sees first)."""
    out = bytearray(archive)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        assert at >= 0
        while at >= 0:
            out[at + offset] |= 0x01
            at = out.find(signature, at + 4)
    return bytes(out)


def zip_mail(mid: str, archive: bytes, filename: str = "書類.zip") -> bytes:
    """Outlook on Windows sending a ZIP: application/x-zip-compressed, RFC 2231 name."""
    attached = part(
        (
            "Content-Type: application/x-zip-compressed;",
            f"\tname*=utf-8''{pct(filename.encode())}",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment;",
            f"\tfilename*=utf-8''{pct(filename.encode())}",
        ),
        b64(archive),
    )
    b = f"----=_NextPart_zip_{mid}"
    raw = headers(
        word("電子保証 認証キー等のお知らせの提出"),
        "X-Mailer: Microsoft Outlook 16.0",
        mid,
        f'multipart/mixed; boundary="{b}"',
    )
    return raw + b"\r\n" + multi(b, [jis_body("ZIPで送付します。\n"), attached])


def poll_one(
    raw: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Submission, list[str], float]:
    """Poll one mail from a Maildir: its row, the names of its kept files, seconds taken."""
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(tmp_path / "inbox")})
    mailbox.Maildir(tmp_path / "inbox", create=True)
    (tmp_path / "inbox" / "new" / "1727917200.zip.host").write_bytes(raw)
    poller = Poller(runtime, MaildirSource(tmp_path / "inbox"), mailer=None)
    started = time.monotonic()
    try:
        poller.run_once()
    finally:
        poller.close()
    took = time.monotonic() - started
    with session_scope(runtime.engine) as session:
        (row,) = session.exec(select(Submission)).all()
        session.expunge(row)
    assert row.id is not None
    names = [f["filename"] for f in show(runtime.engine, row.id)["files"]]
    return row, names, took


def test_a_notice_in_a_zip_from_windows_explorer_is_registered(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notice zipped by Explorer (CP932 name, no UTF-8 flag) is taken out and
    registered; staff see its Japanese name and the ZIP itself is kept too."""
    name = f"{NAME}_{number(23)}.pdf"
    archive = explorer_zip(name, notice(23))
    assert zipfile.ZipFile(io.BytesIO(archive)).infolist()[0].flag_bits & 0x800 == 0
    raw = zip_mail("zip23", archive)
    parsed = parse_message(raw)
    pdfs = [a for a in parsed.attachments if a.data == notice(23)]
    assert [a.filename for a in pdfs] == [name]
    assert "書類.zip" in [a.filename for a in parsed.attachments]  # the archive too
    row, names, _ = poll_one(raw, tmp_path, monkeypatch)
    assert (row.status, row.contract_number) == ("registered", number(23)), row.reason
    assert name in names, names


def test_a_notice_in_a_password_protected_zip_is_not_registered(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PPAP: the ZIP is not opened (no password is ever asked for); the sender is told to
    attach the notice itself, without a password."""
    archive = encrypted(zip_bytes([(f"{NAME}.pdf", notice(24))]))
    raw = zip_mail("zip24", archive)
    assert [a.filename for a in parse_message(raw).attachments] == ["書類.zip"]
    row, _, _ = poll_one(raw, tmp_path, monkeypatch)
    assert row.status == "unreadable" and row.contract_number is None, row.status
    assert row.reason == ENCRYPTED_ZIP
    assert "パスワード付きのZIPファイルは開けません" in row.reason


def test_a_zip_bomb_is_not_inflated(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One entry of a few KB that inflates past the PDF size limit: never read."""
    archive = zip_bytes([(f"{NAME}.pdf", b"%PDF-1.4\n" + bytes(9 * 1024 * 1024))], level=9)
    assert len(archive) < 20_000
    started = time.monotonic()
    parsed = parse_message(zip_mail("zip25", archive))
    assert time.monotonic() - started < 2
    assert [a.filename for a in parsed.attachments] == ["書類.zip"]
    row, _, took = poll_one(zip_mail("zip25", archive), tmp_path, monkeypatch)
    assert row.status == "no_attachment" and row.contract_number is None, row.status
    assert took < 10


def test_a_zip_entry_inflating_far_more_than_a_pdf_is_not_read() -> None:
    """Under the size limit but a thousand times its compressed size: not read; and an
    entry whose declared size lies (it inflates further) is cut at that size and fails
    its CRC: nothing."""
    ratio = zip_bytes([("a.pdf", b"%PDF-1.4\n" + bytes(2 * 1024 * 1024))], level=9)
    assert zip_files(ratio) == []
    small = b"%PDF-1.4\n" + bytes(64)
    liar = bytearray(zip_bytes([("b.pdf", small + bytes(4 * 1024 * 1024))], level=9))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = liar.find(signature) + offset
        liar[at : at + 4] = struct.pack("<I", len(small))
    assert zip_files(bytes(liar)) == []


def test_a_zip_with_500_entries_is_looked_at_only_in_part(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """500 entries, the notice last: only the first 20 are looked at; quickly, nothing
    registered, no crash."""
    entries = [(f"junk{n:03}.pdf", b"%PDF-1.4 junk") for n in range(499)]
    archive = zip_bytes([*entries, (f"{NAME}.pdf", notice(26))])
    started = time.monotonic()
    parsed = parse_message(zip_mail("zip26", archive))
    assert time.monotonic() - started < 2
    assert len(parsed.attachments) == 1 + 20
    assert not [a for a in parsed.attachments if a.data == notice(26)]
    row, _, took = poll_one(zip_mail("zip26", archive), tmp_path, monkeypatch)
    assert row.status != "registered" and row.contract_number is None, row.status
    assert took < 30


def test_a_zip_holding_only_a_spreadsheet_has_no_pdf(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xlsx = zip_bytes([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")])
    archive = zip_bytes([("請求書.xlsx", xlsx)])
    raw = zip_mail("zip27", archive)
    assert [a.filename for a in parse_message(raw).attachments] == ["書類.zip"]
    row, _, _ = poll_one(raw, tmp_path, monkeypatch)
    assert row.status == "no_attachment", row.status
    assert row.reason == Status.NO_ATTACHMENT.reason()

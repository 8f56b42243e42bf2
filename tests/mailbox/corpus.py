"""A corpus of hostile and odd messages, each with the status it must end in.

Every case carries a tag ``[cNN]`` in its subject (where it has a subject) so a test can
find its row. Raw bytes are written by hand where a library would tidy the oddity away.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from tests.mailbox.town import (
    BEFORE_START,
    OTHER_ORDERER,
    SENDER,
    TOWN,
    UNKNOWN,
    certificate,
    message,
    notice,
    notice_message,
)


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    status: str
    tag: str
    subject_has: str = ""
    reason_has: str = ""
    replied: bool | None = None


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def jis(text: str) -> bytes:
    """ISO-2022-JP bytes (JIS X 0208 only)."""
    return text.encode("iso2022_jp")


def jis_nec(text: str) -> bytes:
    """ISO-2022-JP with NEC special characters, as Outlook sends them (not in JIS X 0208)."""
    out = bytearray(b"\x1b$B")
    for ch in text:
        s = ch.encode("cp932")
        s1, s2 = s[0], s[1]
        # Shift_JIS to JIS X 0208 (rows 1-94), the inverse of the decoder's formula
        row = (s1 - (0x70 if s1 <= 0x9F else 0xB0)) * 2
        if s2 < 0x9F:
            row -= 1
            col = s2 - (0x1F if s2 < 0x7F else 0x20)
        else:
            col = s2 - 0x7E
        out += bytes((row, col))
    return bytes(out) + b"\x1b(B"


def raw(headers: list[tuple[str, bytes | str]], body: bytes) -> bytes:
    lines = [
        name.encode() + b": " + (v if isinstance(v, bytes) else v.encode()) for name, v in headers
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def base_headers(tag: str, subject: bytes | str | None = None, mid: bool = True) -> list:
    headers: list[tuple[str, bytes | str]] = [
        ("From", SENDER),
        ("To", TOWN),
        ("Date", "Thu, 03 Oct 2024 10:00:00 +0900"),
    ]
    headers.append(("Subject", subject if subject is not None else f"[{tag}] 提出"))
    if mid:
        headers.append(("Message-ID", f"<{tag}.corpus@aya-kensetsu.example.jp>"))
    headers.append(("MIME-Version", "1.0"))
    return headers


def multipart(headers: list, parts: list[bytes], boundary: str = "==b0undary==") -> bytes:
    headers = [*headers, ("Content-Type", f'multipart/mixed; boundary="{boundary}"')]
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + p + b"\r\n" for p in parts)
    return raw(headers, body + b"--" + boundary.encode() + b"--\r\n")


def text_part(text: bytes = b"send", charset: str = "us-ascii") -> bytes:
    return f"Content-Type: text/plain; charset={charset}\r\n\r\n".encode() + text


def file_part(data: bytes, ctype: bytes, disposition: bytes = b"attachment") -> bytes:
    return (
        b"Content-Type: " + ctype + b"\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: " + disposition + b"\r\n\r\n" + b64(data)
    )


def pdf_part(data: bytes, name: str = "notice.pdf") -> bytes:
    return file_part(data, b"application/pdf", f'attachment; filename="{name}"'.encode())


def build(contracts: int) -> list[Case]:
    """The corpus for a town with contracts 1..``contracts`` (cases use 1..30)."""
    cases: list[Case] = []

    def add(name: str, raw_bytes: bytes, status: str, **kw: object) -> None:
        cases.append(Case(name, raw_bytes, status, tag=name, **kw))  # type: ignore[arg-type]

    n = iter(range(1, contracts + 1))

    def tag(name: str) -> str:
        return f"[{name}] 提出"

    add("c01", notice_message(next(n), subject=tag("c01")), "registered", replied=True)
    # ISO-2022-JP subject and body, MIME encoded word
    h = base_headers(
        "c02", "=?ISO-2022-JP?B?" + base64.b64encode(jis("[c02] 認証キー提出")).decode() + "?="
    )
    add(
        "c02",
        multipart(
            h, [text_part(jis("綾町 財政課 御中"), "iso-2022-jp"), pdf_part(notice(next(n)))]
        ),
        "registered",
        subject_has="認証キー提出",
    )
    # ISO-2022-JP with NEC special characters (㈱, ①) in subject: CP50220 fallback
    subj = b"=?ISO-2022-JP?B?" + base64.b64encode(b"[c03] " + jis_nec("㈱綾建設①")) + b"?="
    h = base_headers("c03", subj)
    add("c03", multipart(h, [pdf_part(notice(next(n)))]), "registered", subject_has="㈱綾建設①")
    # bare JIS escapes in the Subject header (no encoded word), NEC characters
    h = base_headers("c04", b"[c04] " + jis_nec("㈱提出①"))
    add("c04", multipart(h, [pdf_part(notice(next(n)))]), "registered", subject_has="㈱提出①")
    # Shift_JIS encoded word and Shift_JIS body
    sj = (
        "=?Shift_JIS?B?"
        + base64.b64encode("[c05] 髙橋建設より提出".encode("cp932")).decode()
        + "?="
    )
    h = base_headers("c05", sj)
    add(
        "c05",
        multipart(
            h, [text_part("髙橋です".encode("cp932"), "shift_jis"), pdf_part(notice(next(n)))]
        ),
        "registered",
        subject_has="髙橋建設",
    )
    # raw 8-bit UTF-8 subject
    h = base_headers("c06", "[c06] 生のUTF-8件名".encode())
    add("c06", multipart(h, [pdf_part(notice(next(n)))]), "registered", subject_has="生のUTF-8件名")
    # raw 8-bit cp932 subject
    h = base_headers("c07", "[c07] 生のシフトJIS件名".encode("cp932"))
    add("c07", multipart(h, [pdf_part(notice(next(n)))]), "registered", subject_has="シフトJIS")
    # RFC 2231 file name, PDF declared as application/octet-stream
    part = file_part(
        notice(next(n)),
        b"application/octet-stream",
        b"attachment; filename*=UTF-8''%E8%AA%8D%E8%A8%BC%E3%82%AD%E3%83%BC.pdf",
    )
    add("c08", multipart(base_headers("c08"), [text_part(), part]), "registered")
    # RFC 2047 inside filename= (not standard, common), ISO-2022-JP
    fname = b'"=?ISO-2022-JP?B?' + base64.b64encode(jis("認証キー等のお知らせ.pdf")) + b'?="'
    part = file_part(notice(next(n)), b"application/pdf", b"attachment; filename=" + fname)
    add("c09", multipart(base_headers("c09"), [part]), "registered")
    # a PDF with no name, declared text/plain: found by its bytes
    part = file_part(notice(next(n)), b"text/plain; charset=us-ascii", b"inline")
    add("c10", multipart(base_headers("c10"), [part]), "registered")
    # forwarded (message/rfc822) submission
    inner = notice_message(next(n), subject="元のメール")
    fwd = b"Content-Type: message/rfc822\r\n\r\n" + inner
    add("c11", multipart(base_headers("c11"), [text_part(b"forwarding"), fwd]), "registered")
    # forwarded twice
    inner2 = multipart(
        base_headers("c12-inner"),
        [b"Content-Type: message/rfc822\r\n\r\n" + notice_message(next(n))],
    )
    fwd2 = b"Content-Type: message/rfc822\r\n\r\n" + inner2
    add("c12", multipart(base_headers("c12"), [fwd2]), "registered")
    # notice and certificate side by side
    k = next(n)
    add(
        "c13",
        message(
            subject=tag("c13"),
            attachments=[
                ("cert.pdf", certificate(k), "application/pdf"),
                ("notice.pdf", notice(k), "application/pdf"),
            ],
        ),
        "registered",
    )
    # HTML-only body
    add("c14", notice_message(next(n), subject=tag("c14"), html=True), "registered")
    # no Message-ID
    add("c15", notice_message(next(n), subject=tag("c15"), message_id=None), "registered")
    # display name in ISO-2022-JP
    h = [
        (
            "From",
            b"=?ISO-2022-JP?B?"
            + base64.b64encode(jis("綾建設 経理"))
            + b"?= <"
            + SENDER.encode()
            + b">",
        )
    ] + base_headers("c16")[1:]
    add("c16", multipart(h, [pdf_part(notice(next(n)))]), "registered")
    # last boundary missing (truncated multipart)
    body = multipart(base_headers("c17"), [pdf_part(notice(next(n)))])
    add("c17", body.rsplit(b"--==b0undary==--", 1)[0], "registered")
    # base64 with junk and lost padding
    data = b64(notice(next(n))).replace(b"\n", b"\n\t").rstrip(b"=\n")
    part = (
        b'Content-Type: application/pdf; name="n.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + data
    )
    add("c18", multipart(base_headers("c18"), [part]), "registered")
    # duplicate: contract 1 again (c01 registered it)
    add("c19", notice_message(1, subject=tag("c19")), "duplicate", reason_has="すでに受け付け")
    # the STEP3 certificate instead of the notice
    add(
        "c20",
        message(subject=tag("c20"), attachments=[("cert.pdf", certificate(1), "application/pdf")]),
        "wrong_document",
        reason_has="STEP4",
        replied=True,
    )
    add("c21", message(subject=tag("c21")), "no_attachment", reason_has="添付されていません")
    add(
        "c22",
        message(subject=tag("c22"), body="保証契約番号 0000000001 認証キー ABCD-EFGH-JKMN-PQRS"),
        "no_attachment",
    )
    add(
        "c23",
        message(
            subject=tag("c23"), attachments=[("n.zip", b"PK\x03\x04zipzip", "application/zip")]
        ),
        "no_attachment",
    )
    add(
        "c24",
        message(
            subject=tag("c24"), attachments=[("n.pdf", b"\x00\x01garbage" * 50, "application/pdf")]
        ),
        "unreadable",
    )
    add(
        "c25",
        message(subject=tag("c25"), attachments=[("n.pdf", notice(2)[:3000], "application/pdf")]),
        "unreadable",
    )
    add(
        "c26",
        message(subject=tag("c26"), attachments=[("n.pdf", b"", "application/pdf")]),
        "unreadable",
    )
    add(
        "c27",
        notice_message(UNKNOWN, subject=tag("c27")),
        "unknown_contract",
        reason_has="担当者が内容を確認します",
    )
    add(
        "c28",
        message(
            subject=tag("c28"),
            attachments=[("n.pdf", notice(3, "AAAA-BBBB-CCCC-DDDD"), "application/pdf")],
        ),
        "key_mismatch",
        reason_has="担当者が内容を確認します",  # the same sentence as an unknown number
    )
    add(
        "c29",
        notice_message(BEFORE_START, subject=tag("c29")),
        "not_covered",
        reason_has="運用開始日",
    )
    add("c30", notice_message(OTHER_ORDERER, subject=tag("c30")), "not_covered")
    add(
        "c31",
        notice_message(next(n), subject=tag("c31"), sender="not an address"),
        "rejected_sender",
        replied=False,
    )
    h = [x for x in base_headers("c32") if x[0] != "From"]
    add("c32", multipart(h, [pdf_part(notice(next(n)))]), "rejected_sender", replied=False)
    h = [("From", "a@example.jp, b@example.jp")] + base_headers("c33")[1:]
    add("c33", multipart(h, [pdf_part(notice(next(n)))]), "rejected_sender", replied=False)
    # two notices of different contracts in one message
    add(
        "c34",
        message(
            subject=tag("c34"),
            attachments=[
                ("a.pdf", notice(4), "application/pdf"),
                ("b.pdf", notice(5), "application/pdf"),
            ],
        ),
        "wrong_document",
        reason_has="1通につき1件",
    )
    # A bounce, a text without parts and a nest of empty multiparts name no submission term
    # and carry no PDF: not submissions (round 2), so they are ignored and left alone.
    h = [
        ("From", "MAILER-DAEMON@mx.example.jp"),
        ("Auto-Submitted", "auto-replied"),
    ] + base_headers("c35")[1:]
    add("c35", raw(h, b"delivery failed"), "ignored", replied=False)
    # boundary declared but absent: all preamble
    h = [*base_headers("c36"), ("Content-Type", 'multipart/mixed; boundary="nowhere"')]
    add("c36", raw(h, b"just text, no parts\r\n"), "ignored")
    # 300 nested multiparts
    inner_b = b"x"
    for i in range(300):
        inner_b = (
            f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
            + inner_b
            + f"\r\n--b{i}--\r\n".encode()
        )
    add("c37", raw(base_headers("c37"), b"") + inner_b, "ignored")
    # the same bounce naming the notice it could not deliver: a submission, never answered
    h = [
        ("From", "MAILER-DAEMON@mx.example.jp"),
        ("Auto-Submitted", "auto-replied"),
    ] + base_headers("c41")[1:]
    add(
        "c41",
        raw(h, "delivery failed: 認証キー等のお知らせ".encode()),
        "no_attachment",
        replied=False,
    )
    # NUL bytes and junk in headers, unknown charset in an encoded word
    h = base_headers(
        "c38", "[c38] =?x-unknown-charset?B?" + base64.b64encode(b"\xff\xfe").decode() + "?="
    )
    h.append(("X-Junk", b"\x00\x01\x02\xff"))
    add("c38", multipart(h, [pdf_part(notice(next(n)))]), "registered")
    # the subject rule does not apply to 綾町: any subject, even empty
    h = base_headers("c39", "")
    add("c39", multipart(h, [pdf_part(notice(next(n)))]), "registered")
    # an image-only "PDF" (no text): unreadable
    add(
        "c40",
        message(subject=tag("c40"), attachments=[("scan.pdf", _textless_pdf(), "application/pdf")]),
        "unreadable",
    )
    return cases


def _textless_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50, style="F")
    return bytes(pdf.output())

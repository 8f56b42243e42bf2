"""Unit tests of the MIME helpers (the corpus test covers whole messages over IMAP)."""

from __future__ import annotations

import base64
import random

from hosho.mailbox.mime import (
    decode_base64,
    decode_bytes,
    decode_header_value,
    parse_headers,
    parse_message,
)
from tests.mailbox.corpus import jis_nec
from tests.mailbox.town import message, notice_message


def test_iso2022jp_with_nec_characters_falls_back_to_cp50220() -> None:
    raw = jis_nec("㈱綾建設①")
    assert decode_bytes(raw, "iso-2022-jp") == "㈱綾建設①"
    assert decode_bytes("綾町".encode("iso2022_jp")) == "綾町"  # detected by its escapes


def test_charset_fallbacks() -> None:
    assert decode_bytes("髙橋".encode("cp932"), "shift_jis") == "髙橋"  # IBM extension
    assert decode_bytes("綾町".encode("euc_jp"), None) == "綾町"
    assert decode_bytes("綾町".encode(), "x-bogus") == "綾町"


def test_rfc2231_filename_in_iso2022jp() -> None:
    name = "認証キー.pdf".encode("iso2022_jp")
    quoted = "".join(f"%{b:02X}" for b in name)
    raw = (
        b"From: a@example.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*=iso-2022-jp''"
        + quoted.encode()
        + b"\r\n\r\n"
        + base64.encodebytes(b"%PDF-1.4 tiny")
        + b"\r\n--b--\r\n"
    )
    [attachment] = parse_message(raw).attachments
    assert attachment.filename == "認証キー.pdf"
    assert attachment.data.startswith(b"%PDF-")


def test_key_without_message_id_is_a_stable_hash() -> None:
    raw = message(subject="x", message_id=None)
    first, second = parse_message(raw), parse_message(raw)
    assert first.message_id is None
    assert first.message_key == second.message_key and first.message_key.startswith("sha256:")
    headers = parse_headers(raw.split(b"\n\n", 1)[0] + b"\n\n", 123_456)
    assert headers.message_key.startswith("sha256:") and headers.message_key != first.message_key


def test_tolerant_base64() -> None:
    data = b"%PDF-1.4 some bytes" * 10
    text = base64.encodebytes(data)
    assert decode_base64(text) == data
    assert decode_base64(text.rstrip(b"=\n").replace(b"\n", b"\n\t*")) == data


def test_a_lost_closing_delimiter_loses_nothing() -> None:
    raw = notice_message(1, subject="件名 ㈱")
    whole = parse_message(raw)
    broken = parse_message(raw.rstrip().rsplit(b"\n", 1)[0])  # the closing delimiter is lost
    assert whole.attachments and whole.attachments[0].data.startswith(b"%PDF-")
    assert [a.data for a in whole.attachments] == [a.data for a in broken.attachments]
    assert whole.subject == broken.subject == "件名 ㈱"


def test_random_garbage_never_raises() -> None:
    rng = random.Random(7)
    base = notice_message(2)
    for _ in range(300):
        blob = bytearray(base[: rng.randint(0, len(base))])
        for _ in range(rng.randint(0, 40)):
            if blob:
                blob[rng.randrange(len(blob))] = rng.randrange(256)
        parsed = parse_message(bytes(blob))
        assert isinstance(parsed.subject, str) and parsed.message_key


def test_header_value_with_broken_encoded_word() -> None:
    assert "壊" not in decode_header_value("=?utf-8?B?!!!?=")  # kept as text, no exception
    assert (
        decode_header_value("=?UTF-8?B?" + base64.b64encode("綾町".encode()).decode() + "?=")
        == "綾町"
    )

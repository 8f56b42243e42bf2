"""Reading real Japanese e-mail as far as it goes: never raises for bad input.

Handles ISO-2022-JP (with a CP50220-style fallback for the NEC/IBM extended characters
that Outlook and Becky! send, e.g. ①, ㈱, 髙), Shift_JIS/cp932, EUC-JP and UTF-8; raw
8-bit headers; RFC 2047 encoded words (also inside a ``filename=`` parameter, which is
not standard but common) and RFC 2231 parameters; PDFs sent as application/octet-stream
(recognised by their ``%PDF-`` bytes, not by the declared type); raw 8-bit file names
(Becky!'s Shift_JIS); forwarded messages (message/rfc822, also base64-encoded as Exchange
sends it, and a saved ``.eml`` attached as a file: searched inside); the files inside
Outlook's rich-text ``winmail.dat`` (TNEF) and the PDFs inside a plain ZIP archive
(bounded: ``containers``); HTML-only bodies; a missing Message-ID; broken MIME.
"""

from __future__ import annotations

import binascii
import email
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message

from hosho.core.documents.ocr import PHOTO_TYPES
from hosho.core.documents.reader import looks_like_pdf
from hosho.core.submissions.answering import MailHeaders, message_ids
from hosho.core.submissions.checks import Attachment
from hosho.mailbox.containers import TNEF_TYPES, ZIP_TYPES, tnef_files, zip_files

#: Charsets tried, in order, for bytes whose charset is unknown or wrong.
FALLBACK_CHARSETS = ("utf-8", "cp932", "euc_jp")
#: Parts walked at most (a hostile message can nest thousands).
MAX_PARTS = 200
_ESC_RE = re.compile(rb"\x1b(\$@|\$B|\$\(D|\$\(O|\$\(Q|\(B|\(J|\(I)")
_B64_JUNK_RE = re.compile(rb"[^A-Za-z0-9+/]")
_TAG_RE = re.compile(r"<[^>]*>")
#: Body text kept per message (enough to find a submission term).
MAX_TEXT = 64 * 1024


@dataclass
class ParsedMail:
    """The parts of one message hosho needs."""

    message_id: str | None
    message_key: str
    sender: str
    sender_count: int
    subject: str
    date: datetime | None
    attachments: list[Attachment] = field(default_factory=list)
    headers: MailHeaders = field(default_factory=MailHeaders)
    text: str = ""
    recipients: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _jis_to_cp932(data: bytes) -> str:
    """Decode ISO-2022-JP as CP50220 does: JIS X 0208 plus the NEC/IBM rows, via cp932."""
    out: list[str] = []
    mode = b"(B"
    pos = 0
    for match in _ESC_RE.finditer(data):
        out.append(_jis_segment(data[pos : match.start()], mode))
        mode = match.group(1)
        pos = match.end()
    out.append(_jis_segment(data[pos:], mode))
    return "".join(out)


def _jis_segment(chunk: bytes, mode: bytes) -> str:
    if not chunk:
        return ""
    if mode in (b"(B", b"(J"):
        return chunk.decode("ascii", errors="replace")
    if mode == b"(I":  # half-width katakana
        return bytes(b | 0x80 if 0x21 <= b <= 0x5F else b for b in chunk).decode(
            "cp932", errors="replace"
        )
    sjis = bytearray()
    clean = chunk.replace(b"\r", b"").replace(b"\n", b"")
    for i in range(0, len(clean) - 1, 2):
        c1, c2 = clean[i], clean[i + 1]
        if not (0x21 <= c1 <= 0x7E and 0x21 <= c2 <= 0x7E):
            sjis += b"?"
            continue
        s1 = ((c1 + 1) >> 1) + (0x70 if c1 <= 0x5E else 0xB0)
        s2 = c2 + (0x1F if c1 & 1 else 0x7E)
        if c1 & 1 and s2 >= 0x7F:
            s2 += 1
        sjis += bytes((s1, s2))
    return sjis.decode("cp932", errors="replace")


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text of ``data`` in ``charset`` when that works, else the best guess."""
    name = (charset or "").strip().lower().strip('"')
    if b"\x1b$" in data or b"\x1b(" in data or name.replace("_", "-").startswith("iso-2022-jp"):
        try:
            return data.decode("iso2022_jp")
        except (UnicodeDecodeError, LookupError):
            return _jis_to_cp932(data)
    aliases = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932"}
    name = aliases.get(name, name)
    if name and name not in ("unknown-8bit", "x-unknown", "us-ascii", "ascii"):
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guesses = []
    for guess in FALLBACK_CHARSETS[1:]:
        try:
            guesses.append(data.decode(guess))
        except UnicodeDecodeError:
            continue
    if guesses:  # EUC-JP also decodes as cp932, into half-width kana: prefer fewer of those
        return min(guesses, key=_oddness)
    return data.decode("utf-8", errors="replace")


def _oddness(text: str) -> int:
    """Half-width katakana and private-use characters: rare in real Japanese mail."""
    return sum(1 for c in text if "\uff61" <= c <= "\uff9f" or "\ue000" <= c <= "\uf8ff")


#: Control characters no header or text of ours keeps (NUL breaks PostgreSQL's text type):
#: each becomes U+FFFD. Tab, line feed and carriage return stay.
_CONTROLS = {c: "\ufffd" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]}


def printable(text: str) -> str:
    """``text`` with control characters (NUL first of all) replaced by U+FFFD."""
    return text.translate(_CONTROLS)


def decode_header_value(value: object) -> str:
    """A header as text: RFC 2047 words, raw 8-bit bytes, or bare ISO-2022-JP escapes;
    control characters replaced (``printable``)."""
    return printable(_decoded_header(value))


def _decoded_header(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, email.header.Header):  # raw 8-bit bytes: charset unknown-8bit
        try:
            pieces = email.header.decode_header(value)
        except Exception:  # noqa: BLE001
            return " ".join(str(value).split())
        return " ".join("".join(_piece(p, c) for p, c in pieces).split())
    text = str(value)
    try:
        raw = text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return " ".join(text.split())
    if b"=?" not in raw:
        return " ".join(decode_bytes(raw).split())
    try:
        pieces = email.header.decode_header(text)
    except Exception:  # noqa: BLE001 - a broken encoded word: keep the raw text
        return " ".join(decode_bytes(raw).split())
    return " ".join("".join(_piece(p, c) for p, c in pieces).split())


def _piece(piece: bytes | str, charset: str | None) -> str:
    """One piece of a decoded header: bytes in ``charset``, or text already decoded."""
    if isinstance(piece, bytes):
        return decode_bytes(piece, charset)
    try:
        raw = piece.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return piece  # real text, not bytes smuggled as surrogates
    return decode_bytes(raw, charset)


def decode_base64(data: bytes) -> bytes:
    """Base64 as mail clients write it, tolerating junk characters and lost padding."""
    try:  # non-strict mode skips line breaks and other characters, in C
        return binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        pass
    clean = _B64_JUNK_RE.sub(b"", data)
    if len(clean) % 4 == 1:
        clean = clean[:-1]
    clean += b"=" * (-len(clean) % 4)
    try:
        return binascii.a2b_base64(clean)
    except (binascii.Error, ValueError):
        return b""


def _payload(part: Message) -> bytes:
    """The decoded body of one part; tolerant of broken base64 (bad padding, junk)."""
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    raw = part.get_payload(decode=False)
    if isinstance(raw, list):
        return b""
    if cte == "base64":
        return decode_base64(str(raw).encode("ascii", "surrogateescape"))
    try:
        decoded = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        decoded = None
    if isinstance(decoded, bytes):
        return decoded
    return str(raw).encode("utf-8", "surrogateescape")


_MISSING = object()


def _filename(part: Message) -> str:
    """The file name (``filename`` of Content-Disposition, else ``name`` of Content-Type),
    RFC 2231 values decoded by ``decode_bytes`` (the standard library would turn Outlook's
    ISO-2022-JP ① or ㈱ into U+FFFD), encoded words too."""
    try:
        params = _decoded_params(part)
        value = params.get_param("filename", _MISSING, "content-disposition")
        if value is _MISSING:
            value = params.get_param("name", _MISSING, "content-type")
        if value is _MISSING:
            return ""
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text as latin-1)
            charset, _language, text = value
            name = decode_bytes(bytes(str(text), "raw-unicode-escape"), charset)
        else:
            name = email.utils.collapse_rfc2231_value(str(value))
    except Exception:  # noqa: BLE001 - broken RFC 2231 continuation
        return ""
    return decode_header_value(name.strip())


def _decoded_params(part: Message) -> Message:
    """``part``, or a copy of its Content-Type and Content-Disposition with raw 8-bit
    bytes decoded (Becky! writes a Shift_JIS ``filename="…"`` unencoded; the standard
    library turns those bytes into U+FFFD when it reads a parameter)."""
    raw = [
        (name, value)
        for name, value in part.raw_items()
        if name.lower() in ("content-type", "content-disposition")
    ]
    if not any(isinstance(v, str) and _has_surrogates(v) for _, v in raw):
        return part
    copy = Message()
    for name, value in raw:
        if isinstance(value, str) and _has_surrogates(value):
            value = decode_bytes(value.encode("ascii", "surrogateescape"))
        copy[name] = value
    return copy


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _leaves(message: Message, defects: list[str]) -> list[tuple[Message, bytes]]:
    """Leaf parts of a message from the tolerant parser, with decoded bodies; the parts
    of forwarded messages and the files of a ``winmail.dat`` too (after their container)."""
    out: list[tuple[Message, bytes]] = []
    stack: list[Message] = [message]
    count = 0
    while stack:
        part = stack.pop()
        if count >= MAX_PARTS:
            defects.append(f"more than {MAX_PARTS} MIME parts; the rest ignored")
            break
        count += 1
        inner = _encoded_message(part)
        if inner is not None:  # message/rfc822 in base64: its parsed body is garbage
            stack.append(inner)
        elif part.is_multipart():
            children = part.get_payload()
            kids = children if isinstance(children, list) else []
            stack.extend(c for c in reversed(kids) if isinstance(c, Message))
        else:
            data = _payload(part)
            out.append((part, data))
            name = _filename(part).lower()
            found = _attached_message(name, data)
            if found is not None:
                stack.append(found)
            files = _contained_parts(part, name, data)[: max(0, MAX_PARTS - count)]
            count += len(files)
            out += files
    return out


def _encoded_message(part: Message) -> Message | None:
    """The message inside a message/rfc822 part sent in base64 (not allowed by RFC 2046,
    but Exchange and Outlook on the web forward so). The parser read the base64 text as
    a message without headers (base64 has no colon): its body is that text."""
    if part.get_content_type().lower() != "message/rfc822":
        return None
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() != "base64":
        return None
    body = part.get_payload()
    inner = body[0] if isinstance(body, list) and body else None
    text = inner.get_payload() if isinstance(inner, Message) else body
    if not isinstance(text, str):
        return Message()
    return email.message_from_bytes(decode_base64(text.encode("ascii", "surrogateescape")))


def _attached_message(name: str, data: bytes) -> Message | None:
    """A saved message attached as a file (``*.eml``, any declared type; ``name``: the
    part's file name, lower case): parsed, so the notice inside it is found like that of
    a forwarded message."""
    if not name.endswith(".eml") or looks_like_pdf(data):
        return None
    inner = email.message_from_bytes(data)
    return inner if inner.keys() else None


def _contained_parts(part: Message, name: str, data: bytes) -> list[tuple[Message, bytes]]:
    """The files inside a ``winmail.dat`` or the PDFs inside a plain ZIP attachment
    (``name``: the part's file name, lower case), as parts of their own (the container is
    kept too; ``containers``)."""
    ctype = part.get_content_type().lower()
    if ctype in TNEF_TYPES or name == "winmail.dat":
        files = tnef_files(data)
    elif ctype in ZIP_TYPES or name.endswith(".zip"):
        files = zip_files(data)
    else:
        return []
    out: list[tuple[Message, bytes]] = []
    for inner_name, body in files:
        inner = Message()
        pdf = looks_like_pdf(body)
        inner["Content-Type"] = "application/pdf" if pdf else "application/octet-stream"
        if inner_name:
            filename = ("utf-8", "", printable(inner_name))
            inner.add_header("Content-Disposition", "attachment", filename=filename)
        out.append((inner, body))
    return out


def _attachments(parts: list[tuple[Message, bytes]]) -> list[Attachment]:
    found: list[Attachment] = []
    for part, data in parts[:MAX_PARTS]:
        ctype = part.get_content_type().lower()
        name = _filename(part)
        if ctype in ("text/plain", "text/html") and not name and not looks_like_pdf(data):
            continue  # the body (or an HTML-only body)
        declared_pdf = ctype == "application/pdf" or name.lower().endswith(".pdf")
        photo = ctype in PHOTO_TYPES  # a scan or photo of the notice, also inline: OCR
        if looks_like_pdf(data) or declared_pdf or name or photo:
            found.append(Attachment(filename=name, data=data, content_type=ctype))
    return found


def message_key(message_id: str | None, raw: bytes) -> str:
    """The Message-ID, or ``sha256:<hash of the raw message>`` when there is none."""
    if message_id and len(message_id) <= 900:
        return message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _message_id(message: Message) -> str | None:
    value = decode_header_value(message.get("Message-ID", "")).strip()
    match = re.search(r"<[^<>\s]+>", value)
    if match:
        return match.group(0)
    return value or None


def _date(message: Message) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _addresses(message: Message, name: str) -> list[str]:
    values = [decode_header_value(v) for v in message.get_all(name, [])]
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:  # noqa: BLE001
        return []
    return [addr.strip() for _, addr in pairs if addr and addr.strip()]


def _reply_headers(message: Message) -> MailHeaders:
    """The headers the reply decision reads (``hosho.core.submissions.answering``)."""

    def one(name: str) -> str:
        return decode_header_value(message.get(name, "")).strip()

    names = [str(k) for k in message]
    listed = next((n for n in names if n.lower().startswith("list-")), "")
    autoreply = next((n for n in names if n.lower() in ("x-autoreply", "x-autorespond")), "")
    results = message.get_all("Authentication-Results") or []
    path = message.get("Return-Path")
    return MailHeaders(
        auto_submitted=one("Auto-Submitted"),
        precedence=one("Precedence"),
        list_header=listed,
        autoreply_header=autoreply,
        delivery_report=message.get_content_type() == "multipart/report",
        return_path=None if path is None else decode_header_value(path).strip(),
        threads=message_ids(one("In-Reply-To") + " " + one("References")),
        authentication_results=decode_header_value(results[0]) if results else "",
    )


def _text(parts: list[tuple[Message, bytes]]) -> str:
    """The body text: text/plain and text/html parts without a file name (HTML tags
    dropped), also of forwarded messages; at most MAX_TEXT characters."""
    out: list[str] = []
    size = 0
    for part, data in parts:
        ctype = part.get_content_type().lower()
        if ctype not in ("text/plain", "text/html") or _filename(part) or looks_like_pdf(data):
            continue
        text = decode_bytes(data[:MAX_TEXT], part.get_content_charset())
        if ctype == "text/html":
            text = _TAG_RE.sub(" ", text)
        out.append(text)
        size += len(text)
        if size >= MAX_TEXT:
            break
    return "\n".join(out)[:MAX_TEXT]


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one raw message (RFC 5322 bytes). Never raises; oddities go to ``defects``."""
    defects: list[str] = []
    try:
        message = email.message_from_bytes(raw)
    except Exception as err:  # noqa: BLE001 - the parser is tolerant, but be sure
        message = Message()
        defects.append(f"unparseable message: {type(err).__name__}")
    defects += [type(d).__name__ for d in getattr(message, "defects", [])]
    try:
        parts = _leaves(message, defects)
    except Exception as err:  # noqa: BLE001 - walk as far as it goes
        defects.append(f"MIME structure broken: {type(err).__name__}")
        parts = []
    message_id = _message_id(message)
    senders = _addresses(message, "From")
    sender = senders[0] if senders else decode_header_value(message.get("From", "")).strip()
    attachments = _attachments(parts)
    return ParsedMail(
        message_id=message_id,
        message_key=message_key(message_id, raw),
        sender=sender[:998],
        sender_count=len(senders),
        subject=decode_header_value(message.get("Subject", "")),
        date=_date(message),
        attachments=attachments,
        headers=_reply_headers(message),
        text=printable(_text(parts)),
        recipients=_addresses(message, "To") + _addresses(message, "Cc"),
        defects=defects,
    )


def parse_headers(headers: bytes, size: int) -> ParsedMail:
    """Parse only the header block of a message too large to download.

    Its key (when it has no Message-ID) hashes the headers and the size, which stay the
    same across sessions and UIDVALIDITY changes.
    """
    mail = parse_message(headers)
    mail.attachments = []
    if mail.message_id is None or mail.message_key.startswith("sha256:"):
        mail.message_key = message_key(None, headers + b"\0" + str(size).encode())
    return mail

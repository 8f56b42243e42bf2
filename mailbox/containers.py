"""Files inside other files, as contractors attach them: Outlook's rich-text
``winmail.dat`` (TNEF) and ZIP archives. Bytes in, (name, bytes) out; never raises.

Only what a notice needs is read: a TNEF stream's attached files (not its body or MAPI
properties: ``tnefparse`` reads more, but its last release is from 2021), and the PDFs
of a plain ZIP (a password-protected one is never opened: ``archives``). Both are bounded
against hostile input.
"""

from __future__ import annotations

import io
import struct
import zipfile

from hosho.core.documents.reader import MAX_PDF_BYTES, looks_like_pdf
from hosho.core.submissions.archives import encrypted, zip_entries

#: Files taken out of one container at most.
MAX_FILES = 200
#: Content types of a winmail.dat.
TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")

#: TNEF (Outlook's winmail.dat): signature, and the attributes read.
_TNEF_SIGNATURE = 0x223E9F78
_ATT_OEM_CODEPAGE = 0x00069007
_ATT_ATTACH_REND_DATA = 0x00069002  # starts each attachment
_ATT_ATTACH_TITLE = 0x00018010
_ATT_ATTACH_DATA = 0x0006800F


def tnef_files(data: bytes) -> list[tuple[str, bytes]]:
    """The files (name, bytes) inside a TNEF stream, as far as it reads; [] when it is
    none. Only attached files are read (attAttachTitle, attAttachData), not the message
    body or MAPI properties; an embedded Outlook item has no attAttachData and is skipped."""
    if len(data) < 6 or struct.unpack_from("<I", data)[0] != _TNEF_SIGNATURE:
        return []
    codepage = "cp1252"
    files: list[tuple[str, bytes]] = []
    title: bytes | None = None
    body: bytes | None = None
    pos = 6
    while pos + 9 <= len(data) and len(files) < MAX_FILES:
        _level, attr, length = struct.unpack_from("<BII", data, pos)
        pos += 9
        value = data[pos : pos + length]
        if len(value) < length:
            break  # truncated
        pos += length + 2  # and the checksum
        if attr == _ATT_OEM_CODEPAGE and length >= 4:
            codepage = f"cp{struct.unpack_from('<I', value)[0]}"
        elif attr == _ATT_ATTACH_REND_DATA:
            if body is not None:
                files.append((_tnef_name(title, codepage), body))
            title, body = None, None
        elif attr == _ATT_ATTACH_TITLE:
            title = value
        elif attr == _ATT_ATTACH_DATA:
            body = value
    if body is not None and len(files) < MAX_FILES:
        files.append((_tnef_name(title, codepage), body))
    return files


def _tnef_name(title: bytes | None, codepage: str) -> str:
    """An attachment title in the code page the stream declares (cp1252 when unknown)."""
    if not title:
        return ""
    raw = title.split(b"\0", 1)[0]
    try:
        return raw.decode(codepage, errors="replace")
    except LookupError:
        return raw.decode("cp1252", errors="replace")


#: ZIP archives: uncompressed bytes read from one archive at most, and the largest
#: uncompressed/compressed ratio of an entry read (a PDF deflates 1-10:1; a bomb 1000:1).
MAX_ZIP_TOTAL = 2 * MAX_PDF_BYTES
MAX_ZIP_RATIO = 100
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/x-zip")


def zip_files(data: bytes) -> list[tuple[str, bytes]]:
    """The PDFs (name, bytes) inside a plain ZIP archive; [] for no ZIP, a broken one, or
    one with an encrypted entry (never opened: ``archives.encrypted_zip``). Bounded against
    hostile archives: the first ``MAX_ZIP_ENTRIES`` entries (``archives.zip_entries``), only
    those named ``*.pdf`` or whose bytes start as a PDF, each at most ``MAX_PDF_BYTES`` and
    ``MAX_ZIP_RATIO`` times its compressed size, ``MAX_ZIP_TOTAL`` bytes in all; a ZIP
    inside is not opened."""
    entries = zip_entries(data)
    if encrypted(entries):
        return []
    files: list[tuple[str, bytes]] = []
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in entries:
                size, packed = info.file_size, max(1, info.compress_size)
                if size > MAX_PDF_BYTES or size > MAX_ZIP_RATIO * packed:
                    continue
                if total + size > MAX_ZIP_TOTAL:
                    break
                name = _zip_name(info)
                with archive.open(info) as entry:
                    head = entry.read(1024)
                    if not (name.lower().endswith(".pdf") or looks_like_pdf(head)):
                        continue
                    if head.startswith(b"PK"):
                        continue  # a ZIP inside (named .pdf): not opened
                    body = head + entry.read(MAX_PDF_BYTES + 1 - len(head))
                total += len(body)
                if len(body) <= MAX_PDF_BYTES and total <= MAX_ZIP_TOTAL:
                    files.append((name, body))
    except Exception:  # noqa: BLE001 - broken (bad CRC, truncated): what was read so far
        return files
    return files


def _zip_name(info: zipfile.ZipInfo) -> str:
    """An entry's file name without its folders. Without the UTF-8 flag (bit 11) the bytes
    are the writer's code page: CP932 from Japanese Windows' Explorer (``zipfile`` read them
    as CP437, which gives the bytes back); UTF-8 when they are valid UTF-8 (macOS)."""
    name = info.orig_filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437", errors="replace")
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = raw.decode("cp932", errors="replace")
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()

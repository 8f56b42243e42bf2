"""ZIP archives as they are attached: listed safely, and a password-protected one told.

Japanese offices often send documents in a ZIP, and often in a password-protected one with
the password in a second mail (the "PPAP" habit). hosho opens a plain ZIP to find the
notice PDF (``hosho.mailbox.containers``), never a password-protected one: the sender is
asked to send the PDF itself (``statuses.ENCRYPTED_ZIP``), and no password is ever needed.
"""

from __future__ import annotations

import io
import struct
import zipfile

#: ZIP archives (also the password-protected "PPAP" kind): entries looked at, at most.
MAX_ZIP_ENTRIES = 20
#: A central directory announcing more entries than this is not parsed at all.
MAX_ZIP_LISTED = 1000
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_END = b"PK\x05\x06"
#: Entry flag bit 0: the entry is encrypted (ZipCrypto or AES).
ZIP_ENCRYPTED = 0x1


def zip_entries(data: bytes) -> list[zipfile.ZipInfo]:
    """The first ``MAX_ZIP_ENTRIES`` file entries of a ZIP archive (directories skipped),
    [] when ``data`` is no ZIP, is broken, or announces more than ``MAX_ZIP_LISTED``
    entries (``zipfile`` reads the whole central directory: its size is checked first)."""
    if not data.startswith(_ZIP_MAGIC):
        return []
    end = data.rfind(_ZIP_END, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return []
    listed = struct.unpack_from("<H", data, end + 10)[0]
    if listed > MAX_ZIP_LISTED:  # also 0xFFFF: a ZIP64 archive, never a notice
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception:  # noqa: BLE001 - a broken or hostile archive is no files
        return []
    return [i for i in infos if not i.is_dir()][:MAX_ZIP_ENTRIES]


def encrypted(entries: list[zipfile.ZipInfo]) -> bool:
    """True when one of the entries (``zip_entries``) is encrypted."""
    return any(i.flag_bits & ZIP_ENCRYPTED for i in entries)


def encrypted_zip(data: bytes) -> bool:
    """True for a ZIP archive with an encrypted entry among those looked at (never opened)."""
    return encrypted(zip_entries(data))

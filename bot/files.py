"""Files the commands read and write on a person's behalf, handled in one place.

Reading (``demo mail``, ``notice parse``, ``contracts import``): only a regular file, at
most ``limit`` bytes; a device, a FIFO or a folder is one clear error instead of a read
that never ends. Writing a PDF that may hold a 認証キー (``notice issue --out``, the
terminal chat's notices; ``submissions show --pdf``, only to a new file): mode 0600, never
through a symbolic link.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from hosho.core.errors import HoshoError

MB = 1024 * 1024
#: The largest PDF read from a file (a notice is a few hundred KB).
PDF_LIMIT = 20 * MB
#: The largest contracts CSV read from a file (about 300 bytes a contract).
CSV_LIMIT = 200 * MB


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``; HoshoError (one line) for anything else."""
    try:  # O_NONBLOCK: opening a FIFO must not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise HoshoError(f"cannot read {path}: {err.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise HoshoError(f"cannot read {path}: not a regular file")
        try:
            data = handle.read(limit + 1)
        except OSError as err:
            raise HoshoError(f"cannot read {path}: {err.strerror}") from None
    if len(data) > limit:
        raise HoshoError(f"cannot read {path}: larger than {limit // MB} MB")
    return data


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (0600); a symbolic link at
    ``path`` is refused, not followed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise HoshoError(f"cannot write {path}: it is a symbolic link") from None
        raise HoshoError(f"cannot write {path}: {err.strerror}") from None
    with os.fdopen(fd, "wb") as out:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise HoshoError(f"cannot write {path}: not a regular file")
        try:
            os.fchmod(fd, 0o600)  # a file that was there keeps no wider mode
            os.ftruncate(fd, 0)
            out.write(data)
        except OSError as err:
            raise HoshoError(f"cannot write {path}: {err.strerror}") from None


def write_new_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a file that must not exist yet, mode 0600 (never overwrites, never
    follows a symbolic link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise HoshoError(f"{path} already exists; give a new file name") from None
    except OSError as err:
        raise HoshoError(f"cannot write {path}: {err.strerror}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)

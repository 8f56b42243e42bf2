"""A long-lived PDF parsing process: hard limits on time and memory for hostile PDFs.

A per-message subprocess costs ~150 ms (interpreter and pypdf start); this worker starts
once and then answers in about the time of the parse itself. The protocol on its stdin and
stdout is frames of a 4-byte big-endian length and a body: a mode byte (``P`` read the PDF,
``O`` OCR a scan or photo) and the file in, one JSON object (a ParsedDocument) out. A photo
goes straight to OCR; a PDF without text is asked again for OCR, with OCR's own time limit
(``OcrLimits``), the engine a child of the worker with its own memory limit. The worker
sets ``RLIMIT_AS`` on itself; the parent waits at most ``timeout`` seconds per PDF, and
kills and restarts a worker that overruns, dies or answers garbage. Calls from several
threads are serialised by a lock.
"""

from __future__ import annotations

import json
import os
import selectors
import struct
import subprocess
import sys
import threading
import time
from typing import IO

from hosho.core.documents.ocr import (
    MAX_SCAN_PAGES,
    PREPARE_CPU_SECONDS,
    TOO_LONG,
    OcrLimits,
    looks_like_image,
    read_document,
    read_scan,
)
from hosho.core.documents.reader import (
    PARSE_TIMEOUT,
    SCANNED,
    WARM_UP_PDF,
    ParsedDocument,
    read_pdf,
    unknown,
)

#: Address-space limit of the worker (bytes).
WORKER_MEMORY = 768 * 1024 * 1024
_HEADER = struct.Struct(">I")
#: Seconds a new worker may take to import pypdf and say it is ready.
_START_TIMEOUT = 20.0
#: Seconds to parse in-process after a worker failed to start, before trying again.
_RETRY_START = 60.0
#: Wall-clock backstop of the parent for a worker that hangs outside Python (e.g. in C).
#: The real bound is PARSE_TIMEOUT of *CPU* time inside the worker, so that a busy machine
#: (which stretches wall time, not CPU time) never turns a valid notice into "unknown".
_WALL_FACTOR = 6.0


class _CpuTimeUp(BaseException):  # not an Exception: read_pdf's error handling must not eat it
    """Raised inside the worker when one parse used up its CPU-time budget."""


class PdfWorker:
    """Parent side: ``parse(data)`` in the worker, restarting it whenever needed."""

    def __init__(
        self,
        timeout: float = PARSE_TIMEOUT,
        memory: int = WORKER_MEMORY,
        cpu_seconds: float | None = None,
        ocr: OcrLimits | None = None,
    ) -> None:
        self.timeout = timeout
        self.ocr = ocr or OcrLimits()
        self._cpu_seconds = cpu_seconds
        self.memory = memory
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.restarts = 0
        self._no_worker_until = 0.0  # after a failed start: parse in-process for a while

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(
            os.environ,
            HOSHO_PDF_WORKER_MEMORY=str(self.memory),
            HOSHO_PDF_WORKER_CPU=str(self.cpu_seconds),  # read when the worker starts
            PYTHONUNBUFFERED="1",
            **self.ocr.to_env(),
        )
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "hosho.core.documents.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:  # the worker says it is ready (pypdf imported) with an empty frame
            assert self._proc.stdout is not None
            _read_exact(self._proc.stdout, _HEADER.size, time.monotonic() + _START_TIMEOUT)
        except (TimeoutError, EOFError, ValueError) as err:
            self._kill()
            raise OSError("the PDF worker did not start") from err
        return self._proc

    @property
    def cpu_seconds(self) -> float:
        """CPU-time budget of one parse in the worker (default: the timeout)."""
        return self.timeout if self._cpu_seconds is None else self._cpu_seconds

    @property
    def pid(self) -> int | None:
        """Process id of the running worker (None before the first parse or after a kill)."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def close(self) -> None:
        """Stop the worker (it is started again by the next parse)."""
        with self._lock:
            self._kill()

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()

    def parse(self, data: bytes) -> ParsedDocument:
        """Read ``data`` (a PDF, or a scan or photo by OCR) in the worker; unknown with a
        reason on timeout or crash."""
        with self._lock:
            if time.monotonic() < self._no_worker_until:
                return read_document(data, self.ocr)
            if looks_like_image(data):
                return self._ask(b"O", data)
            answer = self._ask(b"P", data)
            return self._ask(b"O", data) if answer.reason == SCANNED else answer

    def _ask(self, mode: bytes, data: bytes) -> ParsedDocument:
        """One frame to the worker (its lock held by ``parse``)."""
        try:
            proc = self._proc if self._proc and self._proc.poll() is None else self._start()
        except OSError:  # no worker possible here: parse in-process, retry in a minute
            self._no_worker_until = time.monotonic() + _RETRY_START
            return read_document(data, self.ocr)
        seconds = self.timeout * _WALL_FACTOR
        if mode == b"O":  # the engine's own limit per page, and the preparing of images
            seconds += self.ocr.seconds * MAX_SCAN_PAGES + PREPARE_CPU_SECONDS
        deadline = time.monotonic() + seconds
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(_HEADER.pack(len(data) + 1) + mode + data)
            proc.stdin.flush()
            header = _read_exact(proc.stdout, _HEADER.size, deadline)
            body = _read_exact(proc.stdout, _HEADER.unpack(header)[0], deadline)
            return ParsedDocument.from_dict(json.loads(body.decode("utf-8")))
        except TimeoutError:
            self._kill()
            self.restarts += 1
            return _too_long(mode)
        except (OSError, ValueError, EOFError):
            self._kill()
            self.restarts += 1
            return unknown(
                "PDFの解析中に読み取り処理が停止しました（メモリ不足など）"
                " / the PDF parser stopped (out of memory?)"
            )


def _too_long(mode: bytes) -> ParsedDocument:
    """Unknown: reading the PDF (mode P) or the image (mode O) took too long."""
    if mode == b"O":
        return unknown(TOO_LONG)
    return unknown("PDFの解析に時間がかかりすぎました / parsing the PDF took too long")


def _read_exact(stream: IO[bytes], size: int, deadline: float) -> bytes:
    """Read ``size`` bytes from a pipe before ``deadline`` (TimeoutError / EOFError)."""
    if size > 1_000_000:
        raise ValueError("answer too large")
    fd = stream.fileno()
    chunks: list[bytes] = []
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while size:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise TimeoutError
            chunk = os.read(fd, size)
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
    return b"".join(chunks)


_SHARED: PdfWorker | None = None
_SHARED_LOCK = threading.Lock()


def shared_worker() -> PdfWorker:
    """The process-wide worker (started lazily, stopped at exit)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            import atexit

            _SHARED = PdfWorker()
            atexit.register(_SHARED.close)
        return _SHARED


def _cpu_time_up(_signum: int, _frame: object) -> None:
    raise _CpuTimeUp


def _parse_within_cpu_budget(
    data: bytes, seconds: float, mode: bytes = b"P", ocr: OcrLimits | None = None
) -> ParsedDocument:
    """read_pdf (or read_scan, mode O), stopped after ``seconds`` of this process's CPU
    time (the OCR engine's own time is its child's, bounded by ``OcrLimits.seconds``)."""
    import signal

    signal.signal(signal.SIGPROF, _cpu_time_up)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        return read_scan(data, ocr) if mode == b"O" else read_pdf(data)
    except _CpuTimeUp:
        return _too_long(mode)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def _serve() -> None:
    """Worker side: limit memory, then answer frames until stdin closes."""
    import logging
    import resource

    memory = int(os.environ.get("HOSHO_PDF_WORKER_MEMORY", WORKER_MEMORY))
    cpu_seconds = float(os.environ.get("HOSHO_PDF_WORKER_CPU", PARSE_TIMEOUT))
    ocr = OcrLimits.from_env()
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    logging.disable(logging.CRITICAL)  # pypdf warns about every oddity; answers carry reasons
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    read_pdf(WARM_UP_PDF)  # import pypdf and warm up before the first real PDF
    stdout.write(_HEADER.pack(0))
    stdout.flush()
    while True:
        header = stdin.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        frame = stdin.read(_HEADER.unpack(header)[0])
        mode, data = frame[:1], frame[1:]
        budget = PREPARE_CPU_SECONDS if mode == b"O" else cpu_seconds
        result = _parse_within_cpu_budget(data, budget, mode, ocr).to_json().encode("utf-8")
        stdout.write(_HEADER.pack(len(result)) + result)
        stdout.flush()


if __name__ == "__main__":
    _serve()

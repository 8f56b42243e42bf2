"""Hostile or broken PDFs: always ``unknown`` with a reason, never a traceback, within 2 s,
in a memory-limited worker that is replaced when it overruns or dies."""

from __future__ import annotations

import random
import threading
import time
import zlib
from datetime import date
from pathlib import Path

import pytest

from hosho.core.documents.notice import render_notice
from hosho.core.documents.reader import MAX_PDF_BYTES, ParsedDocument, parse_pdf, read_pdf
from hosho.core.documents.worker import WORKER_MEMORY, PdfWorker, shared_worker
from hosho.core.rules.profile import load_profile
from tests.core.documents.producers import raw_pdf


def one_page(page_extra: bytes = b"", content: bytes = b"", content_dict: bytes = b"") -> bytes:
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << >> " + page_extra + b" >>",
            b"<< /Length %d %s >>\nstream\n" % (len(content), content_dict)
            + content
            + b"\nendstream",
        ]
    )


def font_text_flood(runs: int) -> bytes:
    """A valid page of ``runs`` one-letter text runs: costly to extract, within pypdf's limits."""
    content = b"BT /F1 12 Tf " + b"(A) Tj " * runs + b"ET"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1"
            b" /BaseFont /Helvetica >> >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        ]
    )


def deep_page_tree(depth: int) -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (level + 3))
    objects.append(b"<< /Type /Page /MediaBox [0 0 595 842] >>")
    return raw_pdf(objects)


def many_pages(count: int) -> bytes:
    kids = b" ".join(b"3 0 R" for _ in range(count))
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


@pytest.fixture(scope="module")
def notice() -> bytes:
    from tests.core.documents.test_documents import make_contract

    contract, contractor = make_contract()
    return render_notice(contract, contractor, load_profile("aya"), issued=date(2025, 4, 1))


def corpus() -> dict[str, bytes]:
    rng = random.Random(4)
    bomb = zlib.compress(bytes(100_000_000), 9)  # 100 MB of zeros in ~100 KB
    return {
        "empty": b"",
        "random bytes": rng.randbytes(20_000),
        "pdf header then random": b"%PDF-1.7\n" + rng.randbytes(20_000),
        "header only": b"%PDF-1.4\n%%EOF\n",
        "too large": b"%PDF-1.7\n" + bytes(MAX_PDF_BYTES),
        "decompression bomb": one_page(content=bomb, content_dict=b"/Filter /FlateDecode"),
        "nested arrays in page": one_page(page_extra=b"/Deep " + b"[" * 200_000 + b"]" * 200_000),
        "nested dicts in page": one_page(
            page_extra=b"/Deep " + b"<< /A " * 50_000 + b">> " * 50_000
        ),
        "nested arrays in content": one_page(content=b"[" * 300_000 + b"] Tj"),
        "deep page tree": deep_page_tree(3_000),
        "huge page count": many_pages(200_000),
        "content operator flood": one_page(content=b"q Q " * 1_000_000),
        "text flood": one_page(content=b"BT " + b"(A) Tj " * 500_000 + b"ET"),
        "text flood with a font": font_text_flood(40_000),
        "self-referencing pages": raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
            ]
        ),
    }


CORPUS = corpus()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_input_is_unknown_with_a_reason_within_two_seconds(name: str) -> None:
    data = CORPUS[name]
    # CPU time of this process: the bound is on the work a hostile file can cause, not on
    # how busy the machine is (wall time would fail under a loaded CI runner).
    started = time.process_time()
    parsed = parse_pdf(data)
    elapsed = time.process_time() - started
    assert parsed.document == "unknown", parsed
    assert parsed.reason and parsed.contract_number is None and parsed.auth_key is None
    assert elapsed < 2.0, f"{name}: {elapsed:.2f} s"
    assert ParsedDocument.from_dict(parsed.to_dict()) == parsed


@pytest.mark.parametrize("fraction", [0.02, 0.3, 0.6, 0.9, 0.99])
def test_truncated_notice_is_unknown_or_read_correctly(notice: bytes, fraction: float) -> None:
    parsed = parse_pdf(notice[: int(len(notice) * fraction)])
    if parsed.document != "unknown":  # pypdf may recover: then the values must be exact
        assert (parsed.contract_number, parsed.auth_key) == ("0000012345", "A0O1-IL8B-5S2Z-QD0G")
    else:
        assert parsed.reason


def test_in_process_parse_also_never_raises() -> None:
    for name in ("random bytes", "nested arrays in page", "decompression bomb", "deep page tree"):
        assert read_pdf(CORPUS[name]).document == "unknown", name


def test_worker_runs_with_a_memory_limit(notice: bytes) -> None:
    worker = shared_worker()
    assert parse_pdf(notice).document == "auth_key_notice"
    pid = worker.pid
    assert pid is not None
    limits = Path(f"/proc/{pid}/limits").read_text()
    [line] = [ln for ln in limits.splitlines() if ln.startswith("Max address space")]
    assert line.split()[3] == str(WORKER_MEMORY)


def test_overrunning_worker_is_killed_and_replaced(notice: bytes) -> None:
    worker = PdfWorker(timeout=1e-6)
    try:
        parsed = worker.parse(notice)
        assert parsed.document == "unknown" and "時間" in parsed.reason
        assert worker.restarts == 1 and worker.pid is None
        worker.timeout = 5.0
        assert worker.parse(notice).auth_key == "A0O1-IL8B-5S2Z-QD0G"
    finally:
        worker.close()


def test_cpu_budget_stops_a_long_parse_without_killing_the_worker(notice: bytes) -> None:
    # The bound is CPU time in the worker (a loaded machine stretches wall time only):
    # "text flood with a font" costs ~0.3 s of CPU; with a 0.05 s budget it is cut short,
    # the worker survives, and a notice (~2 ms warm) still parses within the same budget.
    worker = PdfWorker(timeout=30.0, cpu_seconds=0.05)
    try:
        assert worker.parse(notice).document == "auth_key_notice"  # warm: lazy imports done
        parsed = worker.parse(CORPUS["text flood with a font"])
        assert parsed.document == "unknown" and "時間" in parsed.reason
        pid = worker.pid
        assert pid is not None and worker.restarts == 0
        assert worker.parse(notice).document == "auth_key_notice"
        assert worker.pid == pid
    finally:
        worker.close()


def test_dead_worker_is_restarted_transparently(notice: bytes) -> None:
    import os
    import signal

    worker = PdfWorker()
    try:
        assert worker.parse(notice).document == "auth_key_notice"
        pid = worker.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
        assert worker.parse(notice).contract_number == "0000012345"
        assert worker.pid not in (None, pid)
    finally:
        worker.close()


def test_parse_from_many_threads_at_once(notice: bytes) -> None:
    results: list[ParsedDocument] = []

    def run() -> None:
        for _ in range(15):
            results.append(parse_pdf(notice))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 60
    assert {(r.contract_number, r.auth_key) for r in results} == {
        ("0000012345", "A0O1-IL8B-5S2Z-QD0G")
    }


def test_one_warm_worker_parses_notice_after_notice(notice: bytes) -> None:
    """The same worker process answers every parse (the time per parse is a figure of
    bench/bench_documents.py)."""
    first = parse_pdf(notice)
    pid = shared_worker().pid
    assert first.document == "auth_key_notice" and pid is not None
    for _ in range(10):
        assert parse_pdf(notice) == first
    assert shared_worker().pid == pid


def test_no_worker_possible_falls_back_to_in_process(notice: bytes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("no processes here")

    worker = PdfWorker()
    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert worker.parse(notice).auth_key == "A0O1-IL8B-5S2Z-QD0G"
    assert worker.pid is None
    assert worker.parse(notice).document == "auth_key_notice"  # no retry for a while

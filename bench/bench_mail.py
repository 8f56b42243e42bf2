"""Mail front end, end to end: N notice e-mails in a real Dovecot → all registered.

Prints messages/s of ``Poller.run_once()`` with SQLite (goal ≥ 200/s), the memory growth
of the process during the run (goal < 100 MB; the PDF reader's worker process is counted
too), and the ratio to a raw ``FETCH BODY.PEEK[]`` of the same messages.

Run from the repository root: ``python bench/bench_mail.py [--messages 10000]``.
The notice PDFs (~25 ms each to render) are cached in ``var/bench-mail/`` for later runs.
Exits 1 if a goal is missed or a message is not registered.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.mailbox.dovecot import Dovecot  # noqa: E402
from tests.mailbox.town import contracts_csv, message, notice, number  # noqa: E402

CACHE = ROOT / "var" / "bench-mail"


def _render(n: int) -> int:
    path = CACHE / f"notice-{n}.pdf"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(notice(n))
        tmp.rename(path)
    return n


def notices(count: int) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    missing = [n for n in range(1, count + 1) if not (CACHE / f"notice-{n}.pdf").exists()]
    if missing:
        print(f"rendering {len(missing)} notices into {CACHE} (once) ...", flush=True)
        with Pool(2) as pool:
            for done, _ in enumerate(pool.imap_unordered(_render, missing, chunksize=50), 1):
                if done % 1000 == 0:
                    print(f"  {done}", flush=True)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1_048_576


class PeakMemory(threading.Thread):
    """Samples the resident memory of this process and its children every 20 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.running = True

    def total(self) -> float:
        total = rss_mb(os.getpid())
        for task in Path(f"/proc/{os.getpid()}/task").iterdir():  # PDF workers: any thread's
            with contextlib.suppress(OSError):
                for pid in (task / "children").read_text().split():
                    total += rss_mb(int(pid))
        return total

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.total())
            time.sleep(0.02)


def raw_fetch(server: Dovecot) -> tuple[int, float]:
    client = server.imap()
    client.select_folder("INBOX", readonly=True)
    started = time.perf_counter()
    uids = client.search(["ALL"])
    got = 0
    for start in range(0, len(uids), 200):
        answer = client.fetch(uids[start : start + 200], ["BODY.PEEK[]"])
        got += sum(1 for data in answer.values() if data.get(b"BODY[]"))
    elapsed = time.perf_counter() - started
    client.logout()
    return got, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    count = args.messages
    notices(count)

    work = Path(tempfile.mkdtemp(prefix="hosho-bench-mail-"))
    server = Dovecot()
    server.start()
    try:
        url = f"sqlite:///{work / 'hosho.db'}"
        os.environ.update(server.env())
        os.environ["HOSHO_DATABASE_URL"] = url
        for name in ("HOSHO_SMTP_HOST", "HOSHO_IMAP_KEYWORD_ONLY"):
            os.environ.pop(name, None)
        from hosho.core.contracts.importing import import_contracts
        from hosho.core.runtime import Runtime
        from hosho.core.settings import Settings

        runtime = Runtime.open(Settings())
        import_contracts(runtime.engine, contracts_csv(count, specials=False), actor="bench")
        print(f"delivering {count} messages ...", flush=True)
        for n in range(1, count + 1):
            pdf = (CACHE / f"notice-{n}.pdf").read_bytes()
            raw = message(
                subject=f"認証キー等のお知らせ {number(n)}",
                attachments=[(f"認証キー等のお知らせ_{number(n)}.pdf", pdf, "application/pdf")],
                message_id=f"<bench-{n}@aya-kensetsu.example.jp>",
            )
            server.deliver(raw)
        got, raw_seconds = raw_fetch(server)
        assert got == count, f"raw FETCH got {got} of {count}"
        raw_rate = count / raw_seconds

        from hosho.mailbox.poller import Poller

        poller = Poller(runtime, mailer=None)
        poller.warm_up()  # start the PDF worker processes before measuring
        sampler = PeakMemory()
        before = sampler.total()
        main_before = rss_mb(os.getpid())
        sampler.start()
        started = time.perf_counter()
        stats = poller.run_once()
        elapsed = time.perf_counter() - started
        sampler.running = False
        sampler.join()
        poller.close()
        rate = count / elapsed
        growth = sampler.peak - before
        main_growth = rss_mb(os.getpid()) - main_before
        registered = stats.by_status.get("registered", 0)
        print(f"messages:           {count} (registered {registered}, {stats.by_status})")
        print(f"end to end:         {elapsed:.1f} s = {rate:.0f} messages/s (goal >= 200)")
        print(f"raw FETCH:          {raw_seconds:.2f} s = {raw_rate:.0f} messages/s")
        print(f"ratio raw / e2e:    {raw_rate / rate:.1f}x")
        print(
            f"memory growth:      {growth:.1f} MB with the PDF workers (goal < 100; peak "
            f"{sampler.peak:.0f} MB); this process alone {main_growth:+.1f} MB"
        )
        print(f"inbox left:         {server.count('INBOX')}")
        ok = registered == count and server.count("INBOX") == 0 and rate >= 200 and growth < 100
        print("OK" if ok else "GOAL MISSED")
        return 0 if ok else 1
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())

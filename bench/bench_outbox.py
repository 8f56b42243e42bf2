"""The outbox's own cost: how many staff messages a sender claims, hands to a delivery that
does nothing, and marks delivered per second (one row per claim, as in production), with one
sender and with two senders racing for the same rows.

Run from the repository root: ``python bench/bench_outbox.py [--rows 2000]
[--database postgresql://.../scratch]``: a database of its own that it migrates and whose
outbox it empties (default a temporary SQLite database). Prints the figures.
Slack (about 0.1–0.5 s a post) or SMTP cost far more than this; the figure says the outbox
itself is not what limits delivery.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def race(engine: object, senders: int) -> tuple[float, int]:
    """Deliver every owed row with ``senders`` senders at once: (seconds, rows delivered)."""
    from hosho.core.submissions.outbox import SLACK, OutboxSender

    delivered: list[object] = []
    workers = [OutboxSender(engine, SLACK, delivered.append) for _ in range(senders)]  # type: ignore[arg-type]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, len(delivered)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database", default="")
    args = parser.parse_args()

    from hosho.core.events import SubmissionEvent
    from hosho.core.store.db import get_engine, session_scope, upgrade
    from hosho.core.submissions.outbox import SLACK, notify_staff, pending

    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/bench.db"
        upgrade(url)
        engine = get_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM outbox")
        for senders in (1, 2):
            with session_scope(engine) as session:
                for n in range(args.rows):
                    event = SubmissionEvent(None, "registered", "", f"s{n}@example.jp", "件名")
                    notify_staff(session, event, [SLACK])
            elapsed, delivered = race(engine, senders)
            assert delivered == args.rows and pending(engine) == 0
            print(
                f"{engine.dialect.name}, {senders} sender(s): {args.rows} rows in {elapsed:.2f} s"
                f" = {args.rows / elapsed:.0f} rows/s ({elapsed / args.rows * 1000:.2f} ms a row)"
            )
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What keeping the received files costs: ``record_batch`` of N notice e-mails (already
examined, so no PDF reading is timed) on SQLite, with the files kept (as shipped) and with
keeping switched off, in batches of 50 as the poller commits them.

Prints messages/s of both, and the database's bytes per message. Run from the repository
root: ``python bench/bench_kept_files.py [--messages 2000]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hosho.core.contracts.importing import import_contracts  # noqa: E402
from hosho.core.documents.reader import read_pdf  # noqa: E402
from hosho.core.rules.profile import load_profile  # noqa: E402
from hosho.core.store.db import get_engine, upgrade  # noqa: E402
from hosho.core.submissions import recording  # noqa: E402
from hosho.core.submissions.checks import Attachment, IncomingMail, examine  # noqa: E402
from tests.mailbox.town import contracts_csv, notice  # noqa: E402

CONTRACTS = 200


def run(messages: int, keep: bool) -> tuple[float, int]:
    """Seconds to record ``messages`` and the database file's size afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="hosho-bench-kept-"))
    url = f"sqlite:///{folder / 'hosho.db'}"
    upgrade(url)
    engine = get_engine(url)
    import_contracts(engine, contracts_csv(CONTRACTS, specials=False), actor="bench")
    profile = load_profile("aya")
    pdfs = {n: notice(n) for n in range(1, CONTRACTS + 1)}
    parsed = {n: read_pdf(data) for n, data in pdfs.items()}
    items = []
    for i in range(messages):
        n = i % CONTRACTS + 1
        mail = IncomingMail(
            message_key=f"<bench-{i}@x>",
            sender="info1@aya-kensetsu.example.jp",
            subject="認証キー等のお知らせ",
            attachments=[Attachment(f"n{n}.pdf", pdfs[n], "application/pdf")],
        )
        items.append((mail, examine(mail, lambda _data, n=n: parsed[n])))  # type: ignore[misc]
    original = recording.keep_received
    if not keep:
        recording.keep_received = lambda *_args: None  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        for at in range(0, messages, 50):
            recording.record_batch(engine, items[at : at + 50], profile)
        seconds = time.perf_counter() - start
    finally:
        recording.keep_received = original  # type: ignore[assignment]
    engine.dispose()
    return seconds, (folder / "hosho.db").stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    count = parser.parse_args().messages
    for keep in (False, True):
        seconds, size = run(count, keep)
        label = "files kept" if keep else "not kept  "
        print(
            f"{label}: {count} messages in {seconds:.2f} s = {count / seconds:.0f} messages/s; "
            f"database {size / 1_048_576:.1f} MB = {size / count / 1024:.1f} KB per message"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

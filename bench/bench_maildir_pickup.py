"""Maildir pickup: seconds from a message dropped into the local Maildir to its recorded status.

The poller runs as in ``hosho run`` (``run_forever`` in its thread, default settings, so
HOSHO_POLL_SECONDS=60 is only the longest wait) over a Maildir that already holds the 32
ordinary mails of a shared inbox (left alone, looked at once). N notices are then dropped
one by one at random moments; for each, the time until its Submission row exists.

Run from the repository root: ``python bench/bench_maildir_pickup.py [--drops 20]``.
Prints median, p95 and max seconds (goal: p95 ≤ 2 s); exits 1 if the goal is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.mailbox.ordinary import build  # noqa: E402
from tests.mailbox.town import contracts_csv, notice_message  # noqa: E402

GOAL_P95 = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=20)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hosho-bench-pickup-"))
    os.environ["HOSHO_DATABASE_URL"] = f"sqlite:///{work / 'hosho.db'}"
    os.environ["HOSHO_MAILDIR"] = str(work / "inbox")
    for name in ("HOSHO_IMAP_HOST", "HOSHO_SMTP_HOST", "HOSHO_POLL_SECONDS"):
        os.environ.pop(name, None)
    import mailbox

    from sqlmodel import select

    from hosho.core.contracts.importing import import_contracts
    from hosho.core.runtime import Runtime
    from hosho.core.settings import Settings
    from hosho.core.store.db import session_scope
    from hosho.core.store.models import Submission
    from hosho.mailbox.poller import Poller

    runtime = Runtime.open(Settings())
    import_contracts(runtime.engine, contracts_csv(args.drops, specials=False), actor="bench")
    box = mailbox.Maildir(work / "inbox", create=True)
    for ordinary in build():
        box.add(ordinary.raw)
    notices = {
        n: notice_message(n, message_id=f"<pickup-{n}@aya-kensetsu.example.jp>")
        for n in range(1, args.drops + 1)
    }

    poller = Poller(runtime, mailer=None)
    poller.warm_up()
    thread = poller.start_thread()
    seconds: list[float] = []
    try:
        time.sleep(1.0)  # the first pass looks at the ordinary mail
        for n, raw in notices.items():
            time.sleep(random.uniform(0.1, 1.2))  # a random moment of the poller's wait
            wanted = f"<pickup-{n}@aya-kensetsu.example.jp>"
            start = time.monotonic()
            box.add(raw)
            while True:
                with session_scope(runtime.engine) as session:
                    row = session.exec(
                        select(Submission.status).where(Submission.message_id == wanted)
                    ).first()
                if row is not None:
                    break
                if time.monotonic() - start > 30:
                    print(f"notice {n} not recorded after 30 s", file=sys.stderr)
                    return 1
                time.sleep(0.01)
            seconds.append(time.monotonic() - start)
    finally:
        poller.stop()
        thread.join(10)
    seconds.sort()
    p95 = seconds[max(0, round(0.95 * len(seconds)) - 1)]
    print(
        f"maildir pickup, {len(seconds)} drops beside 32 ordinary mails: "
        f"median {statistics.median(seconds):.2f} s, p95 {p95:.2f} s, max {seconds[-1]:.2f} s "
        f"(goal p95 ≤ {GOAL_P95:.0f} s)"
    )
    return 0 if p95 <= GOAL_P95 else 1


if __name__ == "__main__":
    raise SystemExit(main())

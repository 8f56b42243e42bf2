"""Chat front end latency, in process: signed event → ``app.dispatch`` → lazy listener →
the fake Slack Web API (tests/bot/fake_slack.py) sees the call.

* Q&A: a DM question → chat.postMessage seen by the fake (target p99 ≤ 50 ms);
* notice: 「認証キー等のお知らせ 番号」 → files.completeUploadExternal seen (the upload
  finished; target p99 ≤ 300 ms warm: after a few warm-up requests).

Run from the repository root: ``python bench/bench_chat.py [--qa 300] [--notice 60]``.
Uses a temporary SQLite database; prints the figures and exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "電子保証とは何ですか",
    "綾町では認証キーをどうやって提出すればいいですか",
    "対象になる保証は？",
    "契約保証予約は電子化されますか",
    "D-Sureって何",
    "明日の天気は",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", type=int, default=300, help="Q&A requests")
    parser.add_argument("--notice", type=int, default=60, help="notice requests")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up requests of each kind")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hosho-bench-chat-"))
    os.chdir(work)
    from tests.bot.fake_slack import BOT_TOKEN, FakeSlack

    fake = FakeSlack().start()
    os.environ.update(
        {
            "HOSHO_DATABASE_URL": f"sqlite:///{work / 'hosho.db'}",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "bench-secret",
            "HOSHO_SLACK_API_URL": fake.api_url,
        }
    )
    import tests.bot.payloads as payloads
    from hosho.bot.slack.app import create_app
    from hosho.core.contracts.contractors import link_user
    from hosho.core.contracts.importing import import_contracts
    from hosho.core.runtime import Runtime
    from tests.factories import contract_csv, contract_row

    payloads.SECRET = "bench-secret"
    runtime = Runtime.open()
    import_contracts(runtime.engine, contract_csv([contract_row(n) for n in range(1, 101)]))
    link_user(runtime.engine, "C00001", "UOWNER", by="bench", platform="slack")
    app, _ = create_app(runtime)
    stamps = itertools.count(1)

    def once(text: str, done: str) -> float:
        payload = payloads.message_event("UOWNER", text, ts=f"1800000000.{next(stamps):06d}")
        request = payloads.event_request(payload, secret="bench-secret")
        seen = len(fake.named(done))
        start = time.perf_counter()
        response = app.dispatch(request)
        assert response.status == 200, response.status
        call = fake.wait_for(done, seen + 1, timeout=30)[seen]
        return (call.at - start) * 1000

    def run(label: str, n: int, texts: list[str], done: str, target: float) -> bool:
        for i in range(args.warmup):
            once(texts[i % len(texts)], done)
        times = [once(texts[i % len(texts)], done) for i in range(n)]
        p50, p99 = percentile(times, 50), percentile(times, 99)
        ok = p99 <= target
        print(
            f"{label:<28} n={n:<4} p50={p50:7.1f} ms  p99={p99:7.1f} ms  "
            f"max={max(times):7.1f} ms  mean={statistics.fmean(times):7.1f} ms  "
            f"target p99<={target:.0f} ms  {'OK' if ok else 'MISSED'}"
        )
        return ok

    print(f"hosho chat bench (in-process, SQLite, fake Slack at {fake.base})")
    ok = run("Q&A → chat.postMessage", args.qa, QUESTIONS, "chat.postMessage", 50)
    notices = [f"認証キー等のお知らせ {n:010d}" for n in (1, 51)]
    ok &= run("notice → upload finished", args.notice, notices, "files.completeUploadExternal", 300)
    fake.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

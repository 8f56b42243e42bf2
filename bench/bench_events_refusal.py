"""Events API under hostile requests: what the server spends before it refuses.

Serves the Slack app's Events API (``EventsServer``, waitress, in this process) on
loopback and sends, over raw sockets: a POST with ``Content-Length: -1`` followed by
``--mb`` MB of body, one announcing 2,000,000 bytes and sending none, one without
Content-Length. For each, the status line and the seconds until it came; for the first,
how much this process's peak memory grew (ru_maxrss) and how many of the MB the server
took before closing.

Run from the repository root: ``python bench/bench_events_refusal.py [--mb 300]``.
"""

from __future__ import annotations

import argparse
import resource
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_bolt import App  # noqa: E402

from hosho.bot.slack.http import EventsServer  # noqa: E402

HEAD = b"POST /slack/events HTTP/1.1\r\nHost: hosho\r\nContent-Type: application/json\r\n"


def _ask(port: int, request: bytes, body_mb: int = 0) -> tuple[str, float, int]:
    """Status line, seconds to it, MB of body the server took before answering/closing."""
    started = time.monotonic()
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunk = b"x" * (1024 * 1024)
        try:
            for _ in range(body_mb):
                sock.sendall(chunk)
                sent += 1
        except OSError:  # the server closed: it stopped reading
            pass
        answer = sock.recv(64)
    line = answer.split(b"\r\n", 1)[0].decode() or "(closed)"
    return line, time.monotonic() - started, sent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=300)
    args = parser.parse_args()
    app = App(token="xoxb-bench", signing_secret="bench", token_verification_enabled=False)
    server = EventsServer(app, "127.0.0.1", 0)
    server.start()
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        line, seconds, sent = _ask(server.port, HEAD + b"Content-Length: -1\r\n\r\n", args.mb)
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(
            f"Content-Length -1 + {args.mb} MB: {line} in {seconds:.3f} s; "
            f"{sent} MB sent before the server closed; peak memory +{grown:.1f} MB"
        )
        line, seconds, _ = _ask(server.port, HEAD + b"Content-Length: 2000000\r\n\r\n")
        print(f"Content-Length 2000000, no body: {line} in {seconds:.3f} s")
        line, seconds, _ = _ask(server.port, HEAD + b"\r\n")
        print(f"no Content-Length: {line} in {seconds:.3f} s")
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

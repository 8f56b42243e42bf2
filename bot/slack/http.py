"""The Events API over HTTP (``hosho bot --http PORT``): POST /slack/events, bolt's own path.

A threading ``http.server`` that hands each request to ``app.dispatch``; bolt checks the
signature (``X-Slack-Signature`` with SLACK_SIGNING_SECRET) and answers 401 on a bad or
stale one. Lazy listeners keep the response fast. Stoppable, for ``hosho run``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from slack_bolt import App, BoltRequest, BoltResponse

PATH = "/slack/events"
MAX_BODY = 1024 * 1024


def make_server(app: App, host: str, port: int) -> ThreadingHTTPServer:
    """A server bound to (host, port) (port 0 picks a free one) serving ``app``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._send(BoltResponse(status=404, body=""))

        def do_POST(self) -> None:  # noqa: N802
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            if path != PATH or length > MAX_BODY:
                self.rfile.read(min(length, MAX_BODY))
                self._send(BoltResponse(status=404 if path != PATH else 413, body=""))
                return
            body = self.rfile.read(length).decode("utf-8")
            headers: dict[str, str | Sequence[str]] = {
                k.lower(): [v] for k, v in self.headers.items()
            }
            self._send(app.dispatch(BoltRequest(body=body, query=query, headers=headers)))

        def _send(self, response: BoltResponse) -> None:
            payload = (response.body or "").encode("utf-8")
            self.send_response(response.status)
            for name, values in response.headers.items():
                if name.lower() != "content-length":
                    for value in values:
                        self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Run ``serve_forever`` on a daemon thread; stop with ``server.shutdown()``."""
    thread = threading.Thread(target=server.serve_forever, name="hosho-slack-http", daemon=True)
    thread.start()
    return thread

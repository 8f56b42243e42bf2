"""A local stand-in for the Slack Web API (like bolt-python's tests/mock_web_api_server).

A real HTTP server in a thread: it answers auth.test, chat.postMessage,
conversations.open, apps.connections.open, the three steps of files_upload_v2
(files.getUploadURLExternal, the raw POST to the upload URL, files.completeUploadExternal),
GET of a private file (url_private, bot token required) and POSTs to response_url. Every
call is recorded; ``wait_for`` waits for calls made from other threads.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_TOKEN = "xoxb-test-token"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.perf_counter)


class FakeSlack:
    """Start with ``FakeSlack().start()``; ``api_url`` is the WebClient base URL."""

    def __init__(self, port: int = 0) -> None:
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}
        self.socket_url = ""
        self._cond = threading.Condition()
        self._ts = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def start(self) -> FakeSlack:
        # shutdown() waits for the next poll: 0.5 s by default, at every test's teardown
        poll = {"poll_interval": 0.02}
        threading.Thread(target=self._server.serve_forever, kwargs=poll, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_file(self, name: str, content: bytes) -> str:
        """Serve ``content`` as a private file; returns its url_private."""
        self.files[name] = content
        return f"{self.base}/files-pri/T1-F1/{name}"

    # ---- assertions -----------------------------------------------------------------

    def named(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    names = sorted({c.method for c in self.calls})
                    raise AssertionError(f"{count} × {method} not seen; calls: {names}")
                self._cond.wait(left)

    def clear(self) -> None:
        with self._cond:
            self.calls.clear()

    # ---- server ---------------------------------------------------------------------

    def _record(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> None:
        with self._cond:
            self.calls.append(Call(method, args, headers))
            self._cond.notify_all()

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            self._ts += 1
            ts = f"1700000000.{self._ts:06d}"
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team_id": "T1",
                "user": "hosho",
            }
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.lstrip("U")}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method == "files.getUploadURLExternal":
            file_id = f"F{self._ts:06d}"
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = json.loads(args.get("files") or "[]")
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

            def _reply(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                headers = dict(self.headers.items())
                name = self.path.rsplit("/", 1)[-1]
                fake._record("file.download", {"path": self.path}, headers)
                if headers.get("Authorization") != f"Bearer {BOT_TOKEN}" or name not in fake.files:
                    self._reply(404, b"not found", "text/plain")
                    return
                self._reply(200, fake.files[name], "text/csv")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                headers = dict(self.headers.items())
                if self.path.startswith("/upload/"):
                    fake._record("file.upload", {"size": len(raw), "data": raw}, headers)
                    self._reply(200, f"OK - {len(raw)}".encode(), "text/plain")
                    return
                if self.path.startswith("/response/"):
                    fake._record("response_url", json.loads(raw or b"{}"), headers)
                    self._reply(200, b"ok", "text/plain")
                    return
                method = self.path.split("?")[0].removeprefix("/api/")
                ctype = headers.get("Content-Type", "")
                if "json" in ctype:
                    args = json.loads(raw or b"{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                fake._record(method, args, headers)
                body = json.dumps(fake._answer(method, args)).encode()
                self._reply(200, body)

        return Handler

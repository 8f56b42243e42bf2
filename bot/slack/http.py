"""The Events API over HTTP (``hosho bot --http PORT``): POST /slack/events, bolt's own path.

bolt's WSGI adapter (``slack_bolt.adapter.wsgi.SlackRequestHandler``) served by waitress, a
production WSGI server: bolt checks the signature (``X-Slack-Signature`` with
SLACK_SIGNING_SECRET) and answers 401 on a bad or stale one, 404 on any other path;
Lazy listeners keep the response fast.

What the server cannot afford is refused before any of the body is read: a request without
a Content-Length (411, :func:`_length_required`), a negative or malformed one (waitress:
400), one over MAX_BODY (waitress: 413, on the announced length). A client that sends its
body slower than BODY_TIMEOUT seconds of silence is disconnected (waitress's channel
timeout, checked every second). The default address is 127.0.0.1: the town's reverse
proxy faces the internet, not hosho.

``EventsServer`` binds at once (port 0 picks a free one, read back as ``port``), serves on
a thread after ``start()`` and ``close()`` stops it promptly, for ``hosho run``: no new
connections, the requests in hand answered (at most GRACE seconds), then every socket
closed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.trigger import trigger

PATH = "/slack/events"
MAX_BODY = 1024 * 1024
THREADS = 4
GRACE = 5.0
#: Seconds a connection may stay silent (mid-body or idle) before it is closed.
BODY_TIMEOUT = 10
DEFAULT_HOST = "127.0.0.1"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _length_required(app: WsgiApp) -> WsgiApp:
    """411 for a POST that announces no Content-Length (Slack always sends one)."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST" and not environ.get("CONTENT_LENGTH"):
            start_response(
                "411 Length Required",
                [("Content-Type", "text/plain"), ("Content-Length", "15")],
            )
            return [b"Length Required"]
        return app(environ, start_response)

    return guarded


class EventsServer:
    """waitress serving ``app`` at PATH on (host, port)."""

    def __init__(self, app: App, host: str, port: int, *, body_timeout: int = BODY_TIMEOUT) -> None:
        self._map: dict[int, Any] = {}
        self._server = create_server(
            _length_required(SlackRequestHandler(app, PATH)),
            map=self._map,
            host=host,
            port=port,
            threads=THREADS,
            max_request_body_size=MAX_BODY,
            channel_timeout=body_timeout,
            cleanup_interval=1,
            ident="hosho",
        )
        listen = getattr(self._server, "effective_listen", None)  # several sockets
        self.port: int = int(listen[0][1] if listen else self._server.effective_port)
        self._wake = trigger(self._map)  # runs our calls inside the server's loop thread
        self._thread = threading.Thread(
            target=self._server.run, name="hosho-slack-http", daemon=True
        )

    def start(self) -> None:
        """Serve on a daemon thread."""
        self._thread.start()

    def close(self) -> None:
        """Stop listening, let the requests in hand finish, close the connections."""
        if not self._thread.is_alive():
            self._server.task_dispatcher.shutdown(timeout=GRACE)
            wasyncore.close_all(self._map, ignore_all=True)
            return
        try:
            self._wake.pull_trigger(self._stop_listening)
            self._server.task_dispatcher.shutdown(timeout=GRACE)
            self._wake.pull_trigger(self._close_connections)
        except OSError:  # the wake-up pipe is gone (seen once, under load): close directly
            self._server.task_dispatcher.shutdown(timeout=GRACE)
            wasyncore.close_all(self._map, ignore_all=True)
        self._thread.join(GRACE)
        if self._thread.is_alive():  # a client that does not read its answer
            wasyncore.close_all(self._map, ignore_all=True)
            self._thread.join(GRACE)

    def _stop_listening(self) -> None:
        for dispatcher in list(self._map.values()):
            if isinstance(dispatcher, BaseWSGIServer):
                dispatcher.close()

    def _close_connections(self) -> None:
        """Each connection closes once its answer is sent; the loop ends with the last."""
        for dispatcher in list(self._map.values()):
            if isinstance(dispatcher, HTTPChannel):
                dispatcher.close_when_flushed = True
        self._wake.close()

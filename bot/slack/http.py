"""The Events API over HTTP (``hosho bot --http PORT``): POST /slack/events, bolt's own path.

bolt's WSGI adapter (``slack_bolt.adapter.wsgi.SlackRequestHandler``) served by waitress, a
production WSGI server: bolt checks the signature (``X-Slack-Signature`` with
SLACK_SIGNING_SECRET) and answers 401 on a bad or stale one, 404 on any other path;
waitress refuses a body over MAX_BODY (413). Lazy listeners keep the response fast.

``EventsServer`` binds at once (port 0 picks a free one, read back as ``port``), serves on
a thread after ``start()`` and ``close()`` stops it promptly, for ``hosho run``: no new
connections, the requests in hand answered (at most GRACE seconds), then every socket
closed.
"""

from __future__ import annotations

import threading
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


class EventsServer:
    """waitress serving ``app`` at PATH on (host, port)."""

    def __init__(self, app: App, host: str, port: int) -> None:
        self._map: dict[int, Any] = {}
        self._server = create_server(
            SlackRequestHandler(app, PATH),
            map=self._map,
            host=host,
            port=port,
            threads=THREADS,
            max_request_body_size=MAX_BODY,
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
        self._wake.pull_trigger(self._stop_listening)
        self._server.task_dispatcher.shutdown(timeout=GRACE)
        self._wake.pull_trigger(self._close_connections)
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

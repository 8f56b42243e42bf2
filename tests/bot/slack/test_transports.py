"""The two ways Slack reaches the app: the Events API over a real HTTP socket
(``--http``, bolt's WSGI adapter on waitress), and Socket Mode against a local WebSocket
server standing in for Slack."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.server import ServerConnection, serve

from hosho.bot.slack.app import SlackBot
from hosho.bot.slack.http import MAX_BODY, EventsServer
from hosho.core.errors import ConfigError
from hosho.core.runtime import Runtime
from hosho.core.settings import get_settings
from tests.bot.fake_slack import FakeSlack
from tests.bot.payloads import OWNER, message_event, signed_headers

QUESTION = "電子保証の対象になる保証は何ですか"


def post(url: str, body: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_http_events_api_on_a_real_socket(runtime: Runtime, fake_slack: FakeSlack) -> None:
    bot = SlackBot(runtime)
    bot.start(http_port=0, host="127.0.0.1")
    try:
        url = f"http://127.0.0.1:{bot.port}/slack/events"
        body = json.dumps(message_event(OWNER, QUESTION))
        assert post(url, body, signed_headers(body, "application/json")) == 200
        [reply] = fake_slack.wait_for("chat.postMessage")
        assert reply.args["channel"] == "DOWNER"
        bad = signed_headers(body, "application/json", secret="not-the-secret")
        assert post(url, body, bad) == 401
        stale = signed_headers(body, "application/json", age=10 * 60)
        assert post(url, body, stale) == 401
        check = json.dumps({"type": "url_verification", "challenge": "abc", "token": "t"})
        assert post(url, check, signed_headers(check, "application/json")) == 200
        assert post(url.replace("/slack/events", "/other"), body, {}) == 404
    finally:
        bot.stop()
    assert len(fake_slack.named("chat.postMessage")) == 1


def test_http_bounds_bodies_and_stops_promptly_with_a_connection_open(
    runtime: Runtime, fake_slack: FakeSlack
) -> None:
    bot = SlackBot(runtime)
    bot.start(http_port=0, host="127.0.0.1")
    port = bot.port
    assert port
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:  # refused
            sock.sendall(  # on the announced length, before any of the body is read
                b"POST /slack/events HTTP/1.1\r\nHost: hosho\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n{" % (MAX_BODY + 1)
            )
            assert sock.recv(64).startswith(b"HTTP/1.1 413 ")
        with pytest.raises(urllib.error.HTTPError) as got:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/slack/events", timeout=10)
        assert got.value.code == 404
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # kept alive
        body = json.dumps(message_event(OWNER, QUESTION))
        idle.request("POST", "/slack/events", body, signed_headers(body, "application/json"))
        answer = idle.getresponse()
        answer.read()
        assert answer.status == 200 and not answer.will_close
        fake_slack.wait_for("chat.postMessage")
    finally:
        started = time.monotonic()
        bot.stop()
        stopped_in = time.monotonic() - started
    assert stopped_in < 3, stopped_in
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    idle.close()


def _answer(port: int, head: bytes) -> bytes:
    """What the server says to ``head`` (request line and headers, maybe part of a body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        return sock.recv(64)


def test_http_refuses_missing_and_negative_lengths_before_reading(
    runtime: Runtime, fake_slack: FakeSlack
) -> None:
    bot = SlackBot(runtime)
    bot.start(http_port=0)  # the default address: loopback only
    assert bot._server is not None
    assert bot._server._server.socket.getsockname()[0] == "127.0.0.1"
    port = bot.port
    assert port
    head = b"POST /slack/events HTTP/1.1\r\nHost: hosho\r\nContent-Type: application/json\r\n"
    try:
        assert _answer(port, head + b"\r\n").startswith(b"HTTP/1.1 411 ")
        # -1 would otherwise read the stream to its end; nothing after the headers is sent
        assert _answer(port, head + b"Content-Length: -1\r\n\r\n").startswith(b"HTTP/1.1 400 ")
        many = b"Content-Length: 2000000\r\n\r\n"  # announced, never sent
        assert _answer(port, head + many).startswith(b"HTTP/1.1 413 ")
    finally:
        bot.stop()
    assert not fake_slack.named("chat.postMessage")


def test_http_closes_a_body_that_never_comes(runtime: Runtime) -> None:
    bot = SlackBot(runtime)
    server = EventsServer(bot.app, "127.0.0.1", 0, body_timeout=1)
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                b"POST /slack/events HTTP/1.1\r\nHost: hosho\r\n"
                b"Content-Length: 100\r\n\r\n{"  # 1 byte of 100, then silence
            )
            started = time.monotonic()
            assert sock.recv(64) == b""  # closed by the server, no answer
            assert time.monotonic() - started < 8
    finally:
        server.close()


def test_http_needs_the_signing_secret(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    get_settings.cache_clear()
    bot = SlackBot(Runtime.open(get_settings()))
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        bot.start(http_port=0)


def test_socket_mode_acks_envelopes_and_answers_once(
    chat_env: dict[str, str], fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    acks: queue.Queue[dict[str, Any]] = queue.Queue()
    payload = message_event(OWNER, QUESTION)

    def slack_side(ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        for attempt in (0, 1):  # the delivery, then Slack's retry of it
            envelope = {
                "envelope_id": f"env-{attempt}",
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": attempt,
                "retry_reason": "timeout" if attempt else "",
                "payload": payload,
            }
            ws.send(json.dumps(envelope))
            acks.put(json.loads(ws.recv(timeout=10)))
        try:
            for _ in ws:
                pass
        except Exception:  # noqa: BLE001 - the client closing is the end of the test
            pass

    with serve(slack_side, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        fake_slack.socket_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
        get_settings.cache_clear()
        bot = SlackBot(Runtime.open(get_settings()))
        bot.start()
        try:
            first, second = acks.get(timeout=15), acks.get(timeout=15)
            assert first["envelope_id"] == "env-0" and second["envelope_id"] == "env-1"
            [reply] = fake_slack.wait_for("chat.postMessage")
            assert reply.args["channel"] == "DOWNER"
            opened = fake_slack.named("apps.connections.open")
            assert opened and opened[0].headers["Authorization"] == "Bearer xapp-test"
        finally:
            bot.stop()
            server.shutdown()
    assert len(fake_slack.named("chat.postMessage")) == 1


def test_socket_mode_needs_the_app_token(runtime: Runtime) -> None:
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        SlackBot(runtime).start()


def test_hosho_bot_http_command_serves_and_stops_on_sigterm(
    chat_env: dict[str, str], fake_slack: FakeSlack
) -> None:
    hosho = str(Path(sys.executable).with_name("hosho"))
    proc = subprocess.Popen(
        [hosho, "bot", "--http", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.search(r"127\.0\.0\.1 port (\d+)", line)
        assert match, line
        body = json.dumps(message_event(OWNER, QUESTION))
        url = f"http://127.0.0.1:{match.group(1)}/slack/events"
        assert post(url, body, signed_headers(body, "application/json")) == 200
        fake_slack.wait_for("chat.postMessage")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

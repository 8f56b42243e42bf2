"""The Slack app: a bolt ``App`` over the core dispatcher, in Socket Mode or over HTTP.

``SlackBot(runtime)`` builds everything; ``start()`` connects Socket Mode
(SLACK_APP_TOKEN), or ``start(http_port=PORT)`` serves the Events API at /slack/events
with signature checks (``http.EventsServer``); both return at once. ``stop()`` disconnects,
stops the server and the staff-channel sender. ``hosho bot`` and ``hosho run`` drive
it this way. Its chat users are platform SLACK, with their Slack ids.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from hosho.bot.conversation import SLACK, build_conversation
from hosho.bot.slack.chat import SlackChat
from hosho.bot.slack.http import EventsServer
from hosho.bot.slack.listeners import register_listeners
from hosho.bot.slack.staff import StaffChannel
from hosho.core.chat.conversation import Conversation
from hosho.core.chat.dedup import forget_older_than
from hosho.core.documents.issuing import warm_up
from hosho.core.errors import ConfigError
from hosho.core.runtime import Runtime
from hosho.core.settings import Settings

log = logging.getLogger(__name__)


class _ClientGivenFilter(logging.Filter):
    """bolt warns that SLACK_BOT_TOKEN is unused when a client is given: it is used, by
    the client we build with HOSHO_SLACK_API_URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_ClientGivenFilter())


def web_client(settings: Settings) -> WebClient:
    """A Web API client on HOSHO_SLACK_API_URL (Slack, GovSlack or a test server)."""
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set (the bot's xoxb- token)")
    base = (
        settings.slack_api_url
        if settings.slack_api_url.endswith("/")
        else settings.slack_api_url + "/"
    )
    return WebClient(token=settings.slack_bot_token, base_url=base, timeout=30)


def create_app(
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    conversation: Conversation | None = None,
) -> tuple[App, SlackChat]:
    """The bolt App with every listener registered, and the SlackChat behind them."""
    settings = runtime.settings
    client = client or web_client(settings)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=8, thread_name_prefix="hosho-bolt"),
    )
    chat = SlackChat(
        conversation=conversation or build_conversation(runtime, SLACK),
        bot_token=client.token or "",
        api_url=client.base_url,
    )
    register_listeners(app, chat)
    return app, chat


class SlackBot:
    """The Slack front end's lifecycle: ``start()`` (non-blocking), ``stop()``."""

    #: How long a delivery is remembered for retry dedup (Slack retries within minutes).
    REMEMBER = timedelta(days=2)
    CLEAN_EVERY = 3600.0

    @staticmethod
    def mode(settings: Settings) -> str | None:
        """ "socket" or "http" when the settings are enough to run the app, else None."""
        if not settings.slack_bot_token:
            return None
        if settings.slack_app_token:
            return "socket"
        return "http" if settings.slack_signing_secret else None

    def __init__(self, runtime: Runtime, *, client: WebClient | None = None, **kw: Any) -> None:
        self.runtime = runtime
        self.app, self.chat = create_app(runtime, client=client, **kw)
        self._socket: Any = None
        self._server: EventsServer | None = None
        self._staff: StaffChannel | None = None
        self.port: int | None = None
        self._stopping = threading.Event()
        self._cleaner: threading.Thread | None = None

    def start(self, http_port: int | None = None, host: str = "127.0.0.1") -> None:
        """Socket Mode by default; with ``http_port``, the Events API on that port."""
        settings = self.runtime.settings
        # The first notice comes fast too.
        warm_up(self.runtime.profile, background=True, body_font=settings.pdf_font)
        if http_port is not None:
            if not settings.slack_signing_secret:
                raise ConfigError("SLACK_SIGNING_SECRET is not set (needed with --http)")
            self._server = EventsServer(self.app, host, http_port)
            self.port = self._server.port
            self._server.start()
            log.info("Slack Events API on %s:%s/slack/events", host, self.port)
        else:
            if not settings.slack_app_token:
                raise ConfigError("SLACK_APP_TOKEN is not set (the xapp- token for Socket Mode)")
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            self._socket = SocketModeHandler(self.app, settings.slack_app_token)
            self._socket.connect()
            log.info("Slack Socket Mode connected")
        if settings.staff_channel:  # delivers what the outbox owes, also from before the start
            self._staff = StaffChannel(
                self.app.client,
                settings.staff_channel,
                self.runtime.engine,
                lease=timedelta(seconds=settings.outbox_lease_seconds),
            )
        self._stopping.clear()
        self._cleaner = threading.Thread(target=self._clean, name="hosho-dedup", daemon=True)
        self._cleaner.start()

    def _clean(self) -> None:
        """Forget old delivery claims now and then (the ProcessedEvent table stays small)."""
        while not self._stopping.is_set():
            try:
                forget_older_than(self.runtime.engine, self.REMEMBER)
            except Exception:  # noqa: BLE001 - a busy database must not kill the thread
                log.exception("could not clean processed events")
            self._stopping.wait(self.CLEAN_EVERY)

    def stop(self) -> None:
        """Disconnect and stop (staff messages not yet posted wait in the outbox). Safe to
        call twice."""
        self._stopping.set()
        if self._staff is not None:
            self._staff.close()
            self._staff = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._server is not None:
            self._server.close()
            self._server = None

"""The ``/hosho`` slash command: admin commands (lookup, submissions, stats, link, unlink,
import, faq reload, help). Who may run them is decided in ``hosho.core.chat.admin``."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from hosho.bot.slack.chat import SlackChat


def register(app: App, chat: SlackChat) -> None:
    def ack_hosho(ack: Ack) -> None:
        ack()

    def run_hosho(
        command: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        chat.on_command(command, client, respond, context.bot_user_id)

    app.command("/hosho")(ack=ack_hosho, lazy=[run_hosho])

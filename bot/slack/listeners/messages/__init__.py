"""What happens on a direct message to the bot (``message.im``): the dispatcher answers
in the same DM. An admin's DM ``hosho import`` with a CSV attached imports contracts."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from hosho.bot.slack.chat import SlackChat


def register(app: App, chat: SlackChat) -> None:
    def ack_message(ack: Ack) -> None:
        ack()

    def answer_direct_message(
        body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        chat.on_direct_message(body, client, context.bot_user_id)

    app.event("message")(ack=ack_message, lazy=[answer_direct_message])

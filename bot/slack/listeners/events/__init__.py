"""Events other than plain DMs: ``app_mention`` (the bot named in a channel or thread)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from hosho.bot.slack.chat import SlackChat


def register(app: App, chat: SlackChat) -> None:
    def ack_mention(ack: Ack) -> None:
        ack()

    def answer_mention(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        chat.on_mention(body, client, context.bot_user_id)

    app.event("app_mention")(ack=ack_mention, lazy=[answer_mention])

"""Block Kit actions: the suggestion buttons under a Q&A answer (nearby topics)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from hosho.bot.slack.blocks import TOPIC_ACTION, parse_topic_value
from hosho.bot.slack.chat import SlackChat


def register(app: App, chat: SlackChat) -> None:
    def ack_topic(ack: Ack) -> None:
        ack()

    def answer_topic(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        item_id, title = parse_topic_value(action.get("value") or "")
        if item_id or title:
            chat.on_topic(body, item_id, title, client)

    app.action(re.compile(f"^{TOPIC_ACTION}_\\d+$"))(ack=ack_topic, lazy=[answer_topic])

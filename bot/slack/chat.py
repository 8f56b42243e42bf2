"""The Slack side of a conversation: which delivery this is, and where replies go.

Listeners call these methods *after* the ack (as bolt lazy listeners). Each method claims
the delivery in the ProcessedEvent table first, so a retried delivery (X-Slack-Retry-Num,
the same event_id, or the same message seen as both ``message.im`` and ``app_mention``)
never produces a second reply or upload, even across replicas. No rule lives here: the
answers come from ``hosho.core.chat.conversation``, which gets plain text and plain user
ids (``markup.plain_text``) and whose replies are rendered back as mrkdwn (``blocks``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse
from urllib.request import Request, urlopen

from slack_sdk import WebClient

from hosho.bot.slack.blocks import blocks_for, fallback_text, mrkdwn
from hosho.bot.slack.markup import plain_text
from hosho.core.chat.conversation import Conversation
from hosho.core.chat.dedup import claim
from hosho.core.chat.replies import Reply

log = logging.getLogger(__name__)
MAX_DOWNLOAD = 10 * 1024 * 1024
SENT_TO_DM = "DMでお返事しました。"


@dataclass
class SlackChat:
    """Turns Slack payloads into dispatcher calls and the replies into Web API calls."""

    conversation: Conversation
    bot_token: str
    api_url: str

    # ---- entry points (called by the listeners) ------------------------------------

    def on_direct_message(
        self, body: dict[str, Any], client: WebClient, bot_user: str | None
    ) -> None:
        """A ``message.im`` event: answer in the same DM (``bot_user``: the bot's own id)."""
        event = body.get("event", {})
        if not self._from_a_person(event) or event.get("channel_type") != "im":
            return
        if not claim(self.conversation.engine, self._message_key(body)):
            log.info("duplicate delivery of %s ignored", body.get("event_id"))
            return
        user, text = event["user"], plain_text(event.get("text") or "", bot_user=bot_user)
        attachment = (
            self._attachment(event) if self.conversation.wants_attachment(user, text) else None
        )
        replies = self.conversation.handle(user, text, attachment=attachment)
        self.deliver(client, replies, user=user, channel=event["channel"], in_dm=True)

    def on_mention(self, body: dict[str, Any], client: WebClient, bot_user: str | None) -> None:
        """An ``app_mention``: answer in a thread; contract replies go to the user's DM."""
        event = body.get("event", {})
        if not self._from_a_person(event):
            return
        if not claim(self.conversation.engine, self._message_key(body)):
            log.info("duplicate delivery of %s ignored", body.get("event_id"))
            return
        user = event["user"]
        text = plain_text(event.get("text") or "", bot_user=bot_user)
        replies = self.conversation.handle(user, text)
        in_dm = event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")
        thread = event.get("thread_ts") or event.get("ts")
        self.deliver(
            client, replies, user=user, channel=event["channel"], thread_ts=thread, in_dm=in_dm
        )

    def on_command(
        self, command: dict[str, Any], client: WebClient, respond: Any, bot_user: str | None
    ) -> None:
        """``/hosho …``: the admin commands; the answer is shown only to the caller."""
        key = f"slack:command:{command.get('trigger_id') or command.get('command_ts', '')}"
        if command.get("trigger_id") and not claim(self.conversation.engine, key):
            return
        user = command["user_id"]
        text = plain_text(command.get("text") or "", bot_user=bot_user)
        replies = self.conversation.admin.run(user, text)
        for reply in replies:
            respond(text=fallback_text(reply), blocks=blocks_for(reply), response_type="ephemeral")

    def on_topic(self, body: dict[str, Any], item_id: str, title: str, client: WebClient) -> None:
        """A suggestion button: post that topic's answer where the button was."""
        action = (body.get("actions") or [{}])[0]
        key = (
            f"slack:action:{body.get('container', {}).get('message_ts')}:{action.get('action_ts')}"
        )
        if not claim(self.conversation.engine, key):
            return
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get(
            "channel_id"
        )
        reply = self.conversation.topic(item_id, title)
        thread = (body.get("message") or {}).get("thread_ts")
        self.deliver(client, [reply], user=user, channel=channel, thread_ts=thread, in_dm=False)

    # ---- delivery --------------------------------------------------------------------

    def deliver(
        self,
        client: WebClient,
        replies: list[Reply],
        *,
        user: str,
        channel: str | None,
        thread_ts: str | None = None,
        in_dm: bool,
    ) -> None:
        """Post each reply; private ones and files go to the user's DM (conversations.open)."""
        told_channel = False
        for reply in replies:
            if reply.private or reply.document is not None or channel is None:
                dm = client.conversations_open(users=user)["channel"]["id"]
                self._post(client, reply, dm, thread_ts if in_dm and dm == channel else None)
                if not in_dm and channel is not None and not told_channel:
                    client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=SENT_TO_DM)
                    told_channel = True
            else:
                self._post(client, reply, channel, thread_ts)

    def _post(self, client: WebClient, reply: Reply, channel: str, thread_ts: str | None) -> None:
        if reply.document is not None:
            doc = reply.document
            client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                file=doc.content,
                filename=doc.filename,
                title=doc.title,
                initial_comment=mrkdwn(reply),
            )
            return
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=fallback_text(reply),
            blocks=blocks_for(reply),
            unfurl_links=False,
        )

    # ---- helpers ---------------------------------------------------------------------

    @staticmethod
    def _from_a_person(event: dict[str, Any]) -> bool:
        subtype = event.get("subtype")
        return (
            bool(event.get("user"))
            and not event.get("bot_id")
            and subtype in (None, "file_share", "thread_broadcast")
        )

    @staticmethod
    def _message_key(body: dict[str, Any]) -> str:
        event = body.get("event", {})
        if event.get("channel") and event.get("ts"):
            return f"slack:message:{body.get('team_id', '')}:{event['channel']}:{event['ts']}"
        return f"slack:event:{body.get('event_id', '')}"

    def _attachment(self, event: dict[str, Any]) -> bytes | None:
        """The first attached file (an admin's CSV), downloaded with the bot token."""
        files = event.get("files") or []
        if not files:
            return None
        info = files[0]
        url = info.get("url_private_download") or info.get("url_private") or ""
        if int(info.get("size") or 0) > MAX_DOWNLOAD or not self._trusted(url):
            log.warning("attachment not downloaded (size or host)")
            return None
        return download(url, self.bot_token)

    def _trusted(self, url: str) -> bool:
        """The bot token goes only to Slack's own hosts (or the configured API host)."""
        host = urlparse(url).hostname or ""
        api = urlparse(self.api_url)
        same = host == api.hostname and urlparse(url).scheme == api.scheme
        return same or (urlparse(url).scheme == "https" and host.endswith(".slack.com"))


def download(url: str, token: str) -> bytes:
    """GET a private Slack file with the bot token (``url_private``)."""
    request = Request(url, headers={"Authorization": f"Bearer {token}"})
    with urlopen(request, timeout=30) as response:  # noqa: S310 - host checked by caller
        data: bytes = response.read(MAX_DOWNLOAD + 1)
    if len(data) > MAX_DOWNLOAD:
        raise ValueError("file too large")
    return data

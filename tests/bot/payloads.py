"""Signed Slack payloads for the chat tests (Events API, slash command, block actions)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from slack_bolt import BoltRequest
from slack_sdk.signature import SignatureVerifier

from tests.bot.fake_slack import FakeSlack

SECRET = "test-signing-secret"
OWNER, OTHER, ADMIN, LURKER = "UOWNER", "UOTHER", "UADMIN", "ULURKER"
MINE, THEIRS, UNKNOWN = "0000000001", "0000000002", "0000009999"


def message_event(user: str, text: str, **extra: Any) -> dict[str, Any]:
    """An Events API envelope of a DM (``message.im``) from ``user``."""
    ts = extra.pop("ts", f"{time.time():.6f}")
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user.lstrip("U"),
        "user": user,
        "text": text,
        "ts": ts,
        **extra,
    }
    return envelope(event)


def mention_event(user: str, text: str, channel: str = "CPUBLIC") -> dict[str, Any]:
    ts = f"{time.time():.6f}"
    event = {"type": "app_mention", "channel": channel, "user": user, "text": f"<@UBOT> {text}"}
    return envelope({**event, "ts": ts})


def envelope(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "event": event,
    }


def signed_headers(body: str, ctype: str, *, secret: str = SECRET, age: int = 0) -> dict[str, str]:
    ts = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "content-type": ctype,
        "x-slack-signature": signature,
        "x-slack-request-timestamp": ts,
    }


def event_request(payload: dict[str, Any], retry: int | None = None, **sign: Any) -> BoltRequest:
    body = json.dumps(payload)
    headers: dict[str, Any] = signed_headers(body, "application/json", **sign)
    if retry is not None:
        headers["x-slack-retry-num"] = str(retry)
        headers["x-slack-retry-reason"] = "http_timeout"
    return BoltRequest(body=body, headers={k: [v] for k, v in headers.items()})


def command_body(user: str, text: str, fake: FakeSlack) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "channel_id": "CADMIN",
            "user_id": user,
            "command": "/hosho",
            "text": text,
            "response_url": f"{fake.base}/response/{uuid.uuid4().hex}",
            "trigger_id": uuid.uuid4().hex,
            "api_app_id": "A1",
        }
    )


def command_request(user: str, text: str, fake: FakeSlack) -> BoltRequest:
    body = command_body(user, text, fake)
    headers = signed_headers(body, "application/x-www-form-urlencoded")
    return BoltRequest(body=body, headers={k: [v] for k, v in headers.items()})


def action_request(user: str, value: str, channel: str = "DOWNER") -> BoltRequest:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": channel},
        "trigger_id": uuid.uuid4().hex,
        "actions": [
            {
                "type": "button",
                "action_id": "qa_topic_0",
                "block_id": "qa_suggestions",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    headers = signed_headers(body, "application/x-www-form-urlencoded")
    return BoltRequest(body=body, headers={k: [v] for k, v in headers.items()})

"""``/hosho`` admin commands through signed slash commands: refused for everyone but the
admins, every call audited (never with a key), CSV import from a DM attachment; a user
mentioned in Slack reaches core as the plain id and comes back as a Slack mention."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import App
from sqlmodel import Session, select

from hosho.bot.slack.chat import SlackChat
from hosho.core.chat.admin import DENIED
from hosho.core.chat.conversation import REFUSAL
from hosho.core.store.db import get_engine
from hosho.core.store.models import AuditLog, ChatLink, Contract
from tests.bot.fake_slack import FakeSlack
from tests.bot.payloads import (
    ADMIN,
    LURKER,
    MINE,
    OWNER,
    THEIRS,
    UNKNOWN,
    command_request,
    event_request,
    message_event,
)
from tests.factories import contract_csv, contract_row

COMMANDS = [
    f"lookup {MINE}",
    "submissions",
    "stats",
    f"link <@{LURKER}|lurker> C00001",
    f"unlink <@{OWNER}|owner>",
    "import",
    "faq reload",
    "help",
]


def run(app: App, fake: FakeSlack, user: str, text: str) -> str:
    return str(respond(app, fake, user, text)["text"])


def respond(app: App, fake: FakeSlack, user: str, text: str) -> dict[str, Any]:
    before = len(fake.named("response_url"))
    assert app.dispatch(command_request(user, text, fake)).status == 200
    return fake.wait_for("response_url", before + 1)[-1].args


def audit_rows(db_url: str) -> list[AuditLog]:
    with Session(get_engine(db_url)) as session:
        return list(session.exec(select(AuditLog)).all())


@pytest.mark.parametrize("text", COMMANDS)
def test_non_admin_is_refused_and_audited(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack, db_url: str, text: str
) -> None:
    app, _ = slack_app
    assert run(app, fake_slack, OWNER, text) == DENIED
    denied = [r for r in audit_rows(db_url) if r.result == "denied"]
    assert [(r.actor, r.action) for r in denied] == [(OWNER, f"admin.{text.split()[0]}")]
    assert not [r for r in audit_rows(db_url) if r.action == "contractors.unlink"]


def test_admin_commands(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack, db_url: str
) -> None:
    app, _ = slack_app
    assert "lookup" in run(app, fake_slack, ADMIN, "help")
    assert "未提出" in run(app, fake_slack, ADMIN, f"lookup {MINE}")
    assert "登録されていません" in run(app, fake_slack, ADMIN, f"lookup {UNKNOWN}")
    with Session(get_engine(db_url)) as session:
        key = session.exec(select(Contract.auth_key).where(Contract.contract_number == MINE)).one()
    shown = run(app, fake_slack, ADMIN, f"lookup {MINE} {key}")
    assert "前払金保証証書" in shown and key not in shown
    assert "正しくない" in run(app, fake_slack, ADMIN, f"lookup {MINE} ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert "契約: 2件" in run(app, fake_slack, ADMIN, "stats")
    assert "ありません" in run(app, fake_slack, ADMIN, "submissions")
    assert "いずれか" in run(app, fake_slack, ADMIN, "submissions nonsense")
    assert "再読込" in run(app, fake_slack, ADMIN, "faq reload")
    assert "DM" in run(app, fake_slack, ADMIN, "import")
    linked = respond(app, fake_slack, ADMIN, f"link <@{LURKER}|lurker> C00002")
    assert linked["text"] == f"<@{LURKER}> を C00002（綾建設株式会社2）に連携しました。"
    assert linked["blocks"][0]["text"]["text"] == linked["text"]
    with Session(get_engine(db_url)) as session:
        link = session.exec(select(ChatLink).where(ChatLink.user_id == LURKER)).one()
    assert (link.platform, link.linked_by) == ("slack", f"slack:{ADMIN}")

    # the newly linked user now owns contract 2
    app.dispatch(event_request(message_event(LURKER, f"認証キー等のお知らせ {THEIRS}")))
    fake_slack.wait_for("files.completeUploadExternal")
    assert (
        run(app, fake_slack, ADMIN, f"unlink <@{LURKER}>") == f"<@{LURKER}> の連携を解除しました。"
    )
    assert run(app, fake_slack, ADMIN, f"unlink {LURKER}") == f"<@{LURKER}> は連携されていません。"
    app.dispatch(event_request(message_event(LURKER, f"提出状況 {THEIRS}")))
    assert fake_slack.wait_for("chat.postMessage")[-1].args["text"] == REFUSAL

    rows = audit_rows(db_url)
    actions = {r.action for r in rows if r.actor == ADMIN}
    assert {"admin.help", "admin.lookup", "admin.stats", "admin.link", "admin.unlink"} <= actions
    targets = {r.target for r in rows if r.action in ("admin.link", "admin.unlink")}
    assert targets == {LURKER}  # core saw the plain id, not Slack's markup
    assert all(key not in f"{r.target} {r.detail}" for r in rows)


def test_import_from_a_dm_attachment(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    data = contract_csv([contract_row(3), contract_row(4)])
    url = fake_slack.add_file("contracts.csv", data)
    files = [{"id": "F1", "name": "contracts.csv", "size": len(data), "url_private": url}]
    payload = message_event(ADMIN, "hosho import", subtype="file_share", files=files)
    app.dispatch(event_request(payload))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert "取込みました: 2行" in post.args["text"]
    [download] = fake_slack.named("file.download")
    assert download.headers["Authorization"].startswith("Bearer xoxb-")


def test_import_by_non_admin_is_refused_without_download(
    slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    app, _ = slack_app
    url = fake_slack.add_file("contracts.csv", contract_csv([contract_row(5)]))
    files = [{"id": "F1", "name": "contracts.csv", "size": 10, "url_private": url}]
    app.dispatch(event_request(message_event(OWNER, "hosho import", files=files)))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.args["text"] == DENIED
    assert not fake_slack.named("file.download")


def test_token_only_goes_to_slack_hosts(slack_app: tuple[App, SlackChat]) -> None:
    _, chat = slack_app
    assert not chat._trusted("https://evil.example.com/files/x.csv")
    assert not chat._trusted("http://files.slack.com/x.csv")
    assert chat._trusted("https://files.slack.com/files-pri/T1-F1/x.csv")

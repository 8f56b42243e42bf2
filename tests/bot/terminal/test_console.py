"""The terminal twin ``hosho chat`` through stdin and stdout (in-process, and once as a real
subprocess). Its users are terminal users: a Slack link of the same id does not let them in,
nor the reverse."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from slack_bolt import App
from sqlmodel import Session, select

from hosho.bot.conversation import TERMINAL
from hosho.bot.slack.chat import SlackChat
from hosho.core.chat.conversation import REFUSAL
from hosho.core.contracts.contractors import link_user
from hosho.core.store.db import get_engine
from hosho.core.store.models import ChatLink
from tests.bot.fake_slack import FakeSlack
from tests.bot.payloads import ADMIN, LURKER, MINE, OWNER, THEIRS, event_request, message_event
from tests.conftest import run_cli

HOSHO = str(Path(sys.executable).with_name("hosho"))


def chat(lines: list[str], user: str) -> subprocess.CompletedProcess[str]:
    """``hosho chat`` in this process; the empty-input test runs the real command."""
    return run_cli("chat", env={"HOSHO_CHAT_USER": user}, stdin="\n".join(lines) + "\n")


def test_console_answers_delivers_notice_and_refuses(chat_env: dict[str, str]) -> None:
    engine = get_engine(chat_env["HOSHO_DATABASE_URL"])
    link_user(engine, "C00001", OWNER, by="test", platform=TERMINAL)
    done = chat(
        [
            "綾町への認証キーの提出方法を教えてください",
            "",
            "認証キー等のお知らせ ０００００００００１",
            f"提出状況 {THEIRS}",
            f"提出状況 {MINE}",
            "/hosho stats",
        ],
        OWNER,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "zaisei@town.aya.lg.jp" in out
    match = re.search(r"\[PDF\] .*: (\S+\.pdf)", out)
    assert match, out
    pdf = Path(match.group(1))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.parent == Path(chat_env["HOSHO_NOTICE_DIR"]).resolve()
    assert "STEP3" in out
    assert REFUSAL in out
    assert "未提出" in out
    assert "管理者のみ" in out


def test_console_admin_import_from_a_path(chat_env: dict[str, str], tmp_path: Path) -> None:
    from tests.factories import contract_csv, contract_row

    csv_path = tmp_path / "more.csv"
    csv_path.write_bytes(contract_csv([contract_row(7)]))
    done = chat([f"/hosho import {csv_path}", "/hosho lookup 0000000007"], ADMIN)
    assert done.returncode == 0, done.stderr
    assert "取込みました: 1行" in done.stdout
    assert "未提出" in done.stdout


def test_console_ends_cleanly_on_empty_input(chat_env: dict[str, str]) -> None:
    done = subprocess.run(
        [HOSHO, "chat"], input="", capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and done.stderr == ""


def test_a_slack_link_does_not_let_the_same_id_in_on_the_terminal(
    chat_env: dict[str, str],
) -> None:
    done = chat([f"認証キー等のお知らせ {MINE}", f"提出状況 {MINE}"], OWNER)  # linked on Slack
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(REFUSAL) == 2 and "[PDF]" not in done.stdout


def test_a_terminal_link_does_not_let_the_same_id_in_on_slack(
    chat_env: dict[str, str], slack_app: tuple[App, SlackChat], fake_slack: FakeSlack
) -> None:
    done = chat([f"/hosho link @{LURKER} C00001", f"認証キー等のお知らせ {MINE}"], ADMIN)
    assert done.returncode == 0, done.stderr
    assert f"{LURKER} を C00001（綾建設株式会社1）に連携しました。" in done.stdout
    with Session(get_engine(chat_env["HOSHO_DATABASE_URL"])) as session:
        link = session.exec(select(ChatLink).where(ChatLink.user_id == LURKER)).one()
    assert (link.platform, link.linked_by) == (TERMINAL, f"{TERMINAL}:{ADMIN}")
    served = chat([f"認証キー等のお知らせ {MINE}"], LURKER)
    assert "[PDF]" in served.stdout

    app, _ = slack_app
    app.dispatch(event_request(message_event(LURKER, f"認証キー等のお知らせ {MINE}")))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.args["text"] == REFUSAL
    assert not fake_slack.named("file.upload")

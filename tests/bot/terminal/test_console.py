"""The terminal twin ``hosho chat`` through stdin and stdout (a real subprocess)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from hosho.core.chat.conversation import REFUSAL
from tests.bot.payloads import ADMIN, MINE, OWNER, THEIRS

HOSHO = str(Path(sys.executable).with_name("hosho"))


def chat(lines: list[str], user: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOSHO_CHAT_USER": user}
    return subprocess.run(
        [HOSHO, "chat"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_console_answers_delivers_notice_and_refuses(chat_env: dict[str, str]) -> None:
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

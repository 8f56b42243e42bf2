"""Against the real servers (Dovecot, aiosmtpd) through the ``hosho`` command, on SQLite and
PostgreSQL: a notice that arrives before its contract waits and is registered when the
contract is imported (by ``contracts import``, or on the next poll pass), and its sender
gets the 受付 reply then without resending; staff accept what hosho could not read and the
sender hears 受付; ledger mode registers a number never imported from the notice alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hosho.core.contracts.importing import import_contracts
from hosho.core.dsure import FROM_NOTICE_ALONE
from hosho.core.store.db import get_engine
from tests.conftest import Cli
from tests.mailbox.town import SENDER, TOWN, contracts_csv, key_for, message, notice_message, number

pytestmark = [pytest.mark.imap, pytest.mark.smtp]

BROKEN_PDF = b"%PDF-1.4\n" + bytes(range(256))


def env_for(dovecot, smtp, db_url: str, **more: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        **dovecot.env(),
        "HOSHO_DATABASE_URL": db_url,
        "HOSHO_SMTP_HOST": "127.0.0.1",
        "HOSHO_SMTP_PORT": str(smtp.port),
        "HOSHO_SMTP_SECURITY": "none",
        "HOSHO_MAIL_FROM": TOWN,
        **more,
    }


def statuses(cli: Cli, env: dict[str, str]) -> dict[str, tuple[str, bool]]:
    listed = cli("submissions", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    return {r["contract_number"]: (r["status"], r["verified"]) for r in json.loads(listed.stdout)}


def test_a_notice_waits_for_its_contract_and_the_sender_hears_uketsuke_then(  # type: ignore[no-untyped-def]
    db_url: str, dovecot, smtp, cli: Cli, tmp_path: Path
) -> None:
    env = env_for(dovecot, smtp, db_url)
    dovecot.append([notice_message(1), notice_message(2)])
    polled = cli("poll", "--once", env=env)
    assert polled.returncode == 0, polled.stderr
    assert statuses(cli, env) == {
        number(1): ("unknown_contract", True),
        number(2): ("unknown_contract", True),
    }
    smtp.wait(2)
    assert all("【受付】" not in subject for _, subject, _ in smtp.texts())
    # the contract of notice 1 is imported: registered at the end of the import, 受付 sent
    (tmp_path / "c1.csv").write_bytes(contracts_csv(1, specials=False))
    imported = cli("contracts", "import", str(tmp_path / "c1.csv"), env=env)
    assert imported.returncode == 0, imported.stderr
    assert "waiting notices decided again: 1 (1 registered)" in imported.stdout
    smtp.wait(3)
    to, subject, text = smtp.texts()[2]
    assert to == SENDER and "【受付】" in subject and number(1) in text
    assert key_for(1) not in text
    # contract 2 arrives by another way (no hook ran): the next poll pass registers it
    import_contracts(get_engine(db_url), contracts_csv(2, specials=False), actor="test")
    again = cli("poll", "--once", env=env)
    assert again.returncode == 0, again.stderr
    smtp.wait(4)
    to, subject, text = smtp.texts()[3]
    assert to == SENDER and "【受付】" in subject and number(2) in text
    assert statuses(cli, env) == {
        number(1): ("registered", True),
        number(2): ("registered", True),
    }
    looked = cli("dsure", "lookup", number(2), "--key", key_for(2), "--json", env=env)
    assert json.loads(looked.stdout)["registered"] is True
    cli("poll", "--once", env=env)
    assert len(smtp.messages) == 4  # each sender answered once per decision


def test_staff_accept_what_hosho_could_not_read_and_the_sender_hears_uketsuke(  # type: ignore[no-untyped-def]
    db_url: str, dovecot, smtp, cli: Cli, tmp_path: Path
) -> None:
    env = env_for(dovecot, smtp, db_url)
    import_contracts(get_engine(db_url), contracts_csv(3), actor="test")
    scan = message(subject="電子保証", attachments=[("scan.pdf", BROKEN_PDF, "application/pdf")])
    dovecot.append([scan])
    assert cli("poll", "--once", env=env).returncode == 0
    listed = json.loads(cli("submissions", "list", "--json", env=env).stdout)
    (row,) = listed
    assert row["status"] == "unreadable"
    smtp.wait(1)
    out = tmp_path / "received.pdf"
    shown = cli("submissions", "show", str(row["id"]), "--pdf", str(out), env=env)
    assert shown.returncode == 0, shown.stderr
    assert out.read_bytes() == BROKEN_PDF
    accepted = cli(
        "submissions", "accept", str(row["id"]), "--number", number(3), "--key", key_for(3), env=env
    )
    assert accepted.returncode == 0, accepted.stderr
    assert key_for(3) not in accepted.stdout
    smtp.wait(2)
    to, subject, text = smtp.texts()[1]
    assert to == SENDER and "【受付】" in subject and key_for(3) not in text
    assert statuses(cli, env) == {number(3): ("registered", True)}


def test_ledger_mode_registers_a_number_never_imported_from_the_notice_itself(  # type: ignore[no-untyped-def]
    db_url: str, dovecot, smtp, cli: Cli
) -> None:
    env = env_for(dovecot, smtp, db_url, HOSHO_REGISTER_UNKNOWN="true")
    dovecot.append([notice_message(5)])
    assert cli("poll", "--once", env=env).returncode == 0
    assert statuses(cli, env) == {number(5): ("registered", False)}
    (reply,) = smtp.wait(1)
    assert "【受付】" in smtp.texts()[0][1]
    looked = cli("dsure", "lookup", number(5), "--key", key_for(5), "--json", env=env)
    assert looked.returncode == 0, looked.stderr
    view = json.loads(looked.stdout)
    assert (view["source"], view["verified"], view["kind"], view["orderer"]) == (
        "notice",
        False,
        "前払金保証",
        "綾町",
    )
    assert view["note"] == FROM_NOTICE_ALONE
    wrong = cli("dsure", "lookup", number(5), "--key", key_for(6), env=env)
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1
    off = {**env, "HOSHO_REGISTER_UNKNOWN": "false"}
    dovecot.append([notice_message(6)])
    assert cli("poll", "--once", env=off).returncode == 0
    assert statuses(cli, off)[number(6)] == ("unknown_contract", True)

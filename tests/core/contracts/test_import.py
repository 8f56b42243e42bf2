"""Contract CSV import: encodings, normalisation, all-or-nothing, idempotent re-import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from hosho.core.contracts.importing import import_contracts
from hosho.core.contracts.ledger import list_contracts
from hosho.core.errors import HoshoError, ImportRejected
from hosho.core.store.models import AuditLog, Contract, Contractor
from tests.factories import contract_csv, contract_row


def _count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_import_creates_contracts_and_contractors(engine) -> None:  # type: ignore[no-untyped-def]
    result = import_contracts(engine, contract_csv(contract_row(n) for n in range(1, 101)))
    assert (result.rows, result.created, result.updated, result.keys_generated) == (
        100,
        100,
        0,
        100,
    )
    assert result.contractors_created == 50
    assert _count(engine, Contract) == 100
    assert _count(engine, Contractor) == 50


def test_reimport_updates_and_keeps_generated_keys(engine) -> None:  # type: ignore[no-untyped-def]
    rows = [contract_row(n) for n in range(1, 6)]
    import_contracts(engine, contract_csv(rows))
    with Session(engine) as s:
        keys = {c.contract_number: c.auth_key for c in s.exec(select(Contract))}
    rows[0]["project_name"] = "変更後の工事名"
    result = import_contracts(engine, contract_csv(rows))
    assert (result.created, result.updated, result.keys_generated) == (0, 5, 0)
    assert _count(engine, Contract) == 5
    with Session(engine) as s:
        after = {c.contract_number: c for c in s.exec(select(Contract))}
    assert {n: c.auth_key for n, c in after.items()} == keys
    assert after[rows[0]["contract_number"]].project_name == "変更後の工事名"


def test_given_key_is_kept_and_normalised(engine) -> None:  # type: ignore[no-untyped-def]
    import_contracts(
        engine, contract_csv([contract_row(1, auth_key="ａｂｃｄｅｆｇｈｊｋｍｎｐｑｒｓ")])
    )
    with Session(engine) as s:
        assert s.exec(select(Contract.auth_key)).one() == "ABCD-EFGH-JKMN-PQRS"


def test_leading_zeros_and_full_width_input(engine) -> None:  # type: ignore[no-untyped-def]
    row = contract_row(
        1,
        contract_number="０００１２３－４５",
        customer_id="Ｃ０００７",
        contract_amount="１２，０００，０００円",
        contract_date="２０２４－０９－０１",
    )
    import_contracts(engine, contract_csv([row]))
    (listed,) = list_contracts(engine)
    assert listed["contract_number"] == "000123-45"
    assert listed["customer_id"] == "C0007"
    assert listed["contract_amount"] == 12_000_000
    assert listed["contract_date"] == "2024-09-01"
    assert "auth_key" not in listed


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings(engine, encoding: str) -> None:  # type: ignore[no-untyped-def]
    row = contract_row(1, contractor_name="髙橋建設①", project_name="綾町①号線舗装工事")
    import_contracts(engine, contract_csv([row], encoding=encoding))
    (listed,) = list_contracts(engine)
    assert listed["contractor_name"] == "髙橋建設①"  # names stored as written
    assert listed["project_name"] == "綾町①号線舗装工事"


def test_undecodable_file_is_refused(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HoshoError, match="neither UTF-8 nor CP932"):
        import_contracts(engine, contract_csv([contract_row(1)]) + b"\x82\xff\xff")


BAD_ROWS = [
    ({"kind": "前払保証"}, "kind: unknown value"),
    ({"contract_date": "2024/13/01"}, "contract_date: not a date"),
    ({"period_start": "2024-02-30"}, "period_start: not a date"),
    ({"contract_amount": "十二万"}, "contract_amount: not an amount"),
    ({"guarantee_amount": "-5"}, "guarantee_amount: not an amount"),
    ({"contractor_email": "info@@example"}, "contractor_email: not an e-mail"),
    ({"contract_number": ""}, "contract_number is empty"),
    ({"work_type": "物品"}, "work_type: unknown value"),
    ({"auth_key": "ABCD-EFGH-0000-1111"}, "auth_key: must be 16 characters"),
    ({"period_end": "2024-01-01"}, "period_end is before period_start"),
    ({"project_name": "綾町\0舗装工事"}, "contains a NUL byte"),
    (  # the same お客様ID as line 2 with another address: where would its codes go?
        {"customer_id": "C00001"},
        "customer_id C00001 has e-mail info1@aya-kensetsu.example.jp on line 2, "
        "info3@aya-kensetsu.example.jp here",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_ROWS)
def test_bad_row_rejects_whole_file(engine, change: dict, message: str) -> None:  # type: ignore[no-untyped-def]
    rows = [contract_row(n) for n in range(1, 5)]
    rows[2].update(change)
    with pytest.raises(ImportRejected) as caught:
        import_contracts(engine, contract_csv(rows))
    assert [line for line, _ in caught.value.problems] == [4]  # header is line 1
    assert message in caught.value.problems[0][1]
    assert _count(engine, Contract) == 0
    assert _count(engine, Contractor) == 0


def test_every_problem_of_a_row_is_on_its_one_line(engine) -> None:  # type: ignore[no-untyped-def]
    rows = [contract_row(1, kind="", contract_amount="abc", contractor_email="x")]
    with pytest.raises(ImportRejected) as caught:
        import_contracts(engine, contract_csv(rows))
    ((line, why),) = caught.value.problems
    assert line == 2
    assert why == (
        "kind is empty; contractor_email: not an e-mail address 'x': "
        "An email address must have an @-sign.; contract_amount: not an amount in yen: 'abc'"
    )
    assert "\n" not in str(caught.value)


def test_a_short_row_names_its_empty_columns(engine) -> None:  # type: ignore[no-untyped-def]
    data = contract_csv([contract_row(1)]) + "0000000009,前払金保証\r\n".encode()
    with pytest.raises(ImportRejected) as caught:
        import_contracts(engine, data)
    ((line, why),) = caught.value.problems
    assert line == 3 and why.startswith("customer_id is empty; contractor_name is empty")
    assert "auth_key" not in why  # an empty key is allowed


def test_every_bad_line_is_listed(engine) -> None:  # type: ignore[no-untyped-def]
    rows = [contract_row(n) for n in range(1, 8)]
    rows[1]["kind"] = "x"
    rows[4]["contract_date"] = "x"
    rows[6]["contract_number"] = rows[0]["contract_number"]
    with pytest.raises(ImportRejected) as caught:
        import_contracts(engine, contract_csv(rows))
    assert [line for line, _ in caught.value.problems] == [3, 6, 8]
    assert "repeats line 2" in caught.value.problems[2][1]


def test_missing_column(engine) -> None:  # type: ignore[no-untyped-def]
    data = contract_csv([contract_row(1)]).replace(b"guarantee_amount", b"guarantee")
    with pytest.raises(ImportRejected, match="line 1: missing column.*guarantee_amount"):
        import_contracts(engine, data)


def test_existing_data_survives_a_rejected_import(engine) -> None:  # type: ignore[no-untyped-def]
    import_contracts(engine, contract_csv([contract_row(1)]))
    rows = [contract_row(1, project_name="should not be written"), contract_row(2, kind="bad")]
    with pytest.raises(ImportRejected):
        import_contracts(engine, contract_csv(rows))
    (listed,) = list_contracts(engine)
    assert listed["project_name"] != "should not be written"


def test_import_is_audited(engine) -> None:  # type: ignore[no-untyped-def]
    import_contracts(engine, contract_csv([contract_row(1)]), actor="slack:UADMIN")
    with Session(engine) as s:
        (row,) = s.exec(select(AuditLog).where(AuditLog.action == "contracts.import")).all()
    assert row.actor == "slack:UADMIN"


def test_cli_imports_1000_rows_cp932_and_lists_without_keys(  # type: ignore[no-untyped-def]
    db_url: str, tmp_path: Path, cli
) -> None:
    path = tmp_path / "keiyaku.csv"
    path.write_bytes(contract_csv((contract_row(n) for n in range(1, 1001)), encoding="cp932"))
    env = {"HOSHO_DATABASE_URL": db_url}
    out = cli("contracts", "import", str(path), env=env)
    assert out.returncode == 0, out.stderr
    assert "imported 1000 contracts: 1000 new" in out.stdout
    listed = cli("contracts", "list", "--json", env=env)
    rows = json.loads(listed.stdout)
    assert len(rows) == 1000 and rows[0]["contract_number"] == "0000000001"
    assert "auth_key" not in listed.stdout


def test_cli_bad_file_is_one_line_and_exit_1(db_url: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.csv"
    path.write_bytes(contract_csv([contract_row(1), contract_row(2, contract_date="2024-99-01")]))
    env = {"HOSHO_DATABASE_URL": db_url}
    out = cli("contracts", "import", str(path), env=env)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "line 3" in out.stderr
    assert "Traceback" not in out.stderr
    missing = cli("contracts", "import", str(tmp_path / "nope.csv"), env=env)
    assert missing.returncode == 1 and missing.stderr.startswith("error: cannot read")

"""The D-Sure register: lookup success, one answer for every failure, lock-out, audit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from hosho.core.contracts.importing import import_contracts
from hosho.core.contracts.ledger import find_contract
from hosho.core.dsure import REFUSAL, locks, lookup, register, registration_of
from hosho.core.errors import LookupRefused
from hosho.core.store.db import session_scope
from hosho.core.store.models import AuditLog, DsureRegistration, LookupAttempt, utcnow
from tests.factories import contract_csv, contract_row

KEY = "ABCD-EFGH-JKMN-PQRS"
NUMBER = "0000000001"


@pytest.fixture
def loaded(engine):  # type: ignore[no-untyped-def]
    import_contracts(engine, contract_csv([contract_row(1, auth_key=KEY), contract_row(2)]))
    return engine


def _refused(engine, number: str, key: str, **kw) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(LookupRefused) as caught:
        lookup(engine, number, key, actor="test", **kw)
    return str(caught.value)


def test_lookup_with_number_and_key(loaded) -> None:  # type: ignore[no-untyped-def]
    view = lookup(loaded, "０００００００００１", "abcd efgh jkmn pqrs", actor="staff")
    assert view["contract_number"] == NUMBER
    assert view["title"] == "前払金保証証書"
    assert view["registered"] is False
    assert KEY not in json.dumps(view, ensure_ascii=False)


def test_wrong_key_and_unknown_number_look_the_same(loaded) -> None:  # type: ignore[no-untyped-def]
    wrong_key = _refused(loaded, NUMBER, "ABCD-EFGH-JKMN-PQRT")
    unknown = _refused(loaded, "9999999999", KEY)
    others_key = _refused(loaded, "0000000002", KEY)
    assert wrong_key == unknown == others_key == REFUSAL


def test_five_failures_lock_the_actor_out_of_the_number_for_15_minutes(loaded) -> None:  # type: ignore[no-untyped-def]
    start = utcnow()
    for i in range(5):
        _refused(loaded, NUMBER, "WRONG", now=start + timedelta(minutes=i))
    locked_at = start + timedelta(minutes=4)
    # Locked: even the right key is refused, with the very same answer.
    assert _refused(loaded, NUMBER, KEY, now=locked_at + timedelta(minutes=1)) == REFUSAL
    assert (
        _refused(loaded, NUMBER, KEY, now=locked_at + timedelta(minutes=14, seconds=59)) == REFUSAL
    )
    # Another number is not affected.
    with pytest.raises(LookupRefused):
        lookup(loaded, "0000000002", "WRONG", actor="test", now=locked_at)
    # The rightful user is not locked out by one actor's failures.
    view = lookup(loaded, NUMBER, KEY, actor="staff", now=locked_at + timedelta(minutes=1))
    assert view["contract_number"] == NUMBER
    # After 15 minutes the right key works again for the actor too.
    view = lookup(
        loaded, NUMBER, KEY, actor="test", now=locked_at + timedelta(minutes=15, seconds=1)
    )
    assert view["contract_number"] == NUMBER


def test_a_number_is_locked_for_everyone_after_three_actors_fail(loaded) -> None:  # type: ignore[no-untyped-def]
    start = utcnow()
    for i, actor in enumerate(["a", "b", "a", "c", "b"]):
        with pytest.raises(LookupRefused):
            lookup(loaded, NUMBER, "WRONG", actor=actor, now=start + timedelta(seconds=i))
    with pytest.raises(LookupRefused):  # a fourth actor with the right key: locked
        lookup(loaded, NUMBER, KEY, actor="staff", now=start + timedelta(minutes=1))
    later = start + timedelta(minutes=15, seconds=5)
    assert lookup(loaded, NUMBER, KEY, actor="staff", now=later)["contract_number"] == NUMBER


def test_one_actor_spraying_numbers_is_throttled(loaded) -> None:  # type: ignore[no-untyped-def]
    start = utcnow()
    for i in range(20):  # 20 numbers, one try each: no number locks
        _refused(loaded, f"{9_000_000_000 + i}", KEY, now=start + timedelta(seconds=i))
    with Session(loaded) as s:
        before = len(s.exec(select(LookupAttempt)).all())
    # The right number and key: refused for this actor, and not even counted.
    assert _refused(loaded, NUMBER, KEY, now=start + timedelta(seconds=30)) == REFUSAL
    with Session(loaded) as s:
        assert len(s.exec(select(LookupAttempt)).all()) == before
        last = s.exec(select(AuditLog).order_by(AuditLog.id.desc())).first()  # type: ignore[union-attr]
    assert last is not None and last.result == "throttled"
    assert lookup(loaded, NUMBER, KEY, actor="staff", now=start + timedelta(seconds=30))


def test_four_failures_do_not_lock(loaded) -> None:  # type: ignore[no-untyped-def]
    start = utcnow()
    for i in range(4):
        _refused(loaded, NUMBER, "WRONG", now=start + timedelta(seconds=i))
    assert lookup(loaded, NUMBER, KEY, actor="test", now=start + timedelta(seconds=5))


def test_failures_spread_over_more_than_15_minutes_do_not_lock() -> None:
    t0 = utcnow()
    spread = [(t0 + timedelta(minutes=4 * i), "a") for i in range(5)]  # 16 minutes, 1st to 5th
    assert not locks(spread, t0 + timedelta(minutes=17), 5)
    tight = [(t0 + timedelta(minutes=3 * i), "a") for i in range(5)]
    assert locks(tight, t0 + timedelta(minutes=13), 5)
    assert not locks(tight, t0 + timedelta(minutes=12 + 15), 5)  # the lock has run out
    assert not locks(tight, t0 + timedelta(minutes=13), 5, actors=3)  # one actor only


def test_a_key_typed_as_the_number_is_never_stored(loaded, db_url: str, cli) -> None:  # type: ignore[no-untyped-def]
    swapped = cli("dsure", "lookup", KEY, "--key", NUMBER, env={"HOSHO_DATABASE_URL": db_url})
    assert swapped.returncode == 1 and swapped.stderr == f"error: {REFUSAL}\n"
    with Session(loaded) as s:
        audit = s.exec(select(AuditLog)).all()
        attempts = s.exec(select(LookupAttempt)).all()
    dump = json.dumps([r.model_dump(mode="json") for r in [*audit, *attempts]], ensure_ascii=False)
    assert "ABCD" not in dump and "PQRS" not in dump
    assert [a.contract_number for a in attempts] == ["[認証キー省略]"]


def test_every_attempt_is_audited_without_the_key(loaded) -> None:  # type: ignore[no-untyped-def]
    lookup(loaded, NUMBER, KEY, actor="slack:UADMIN")
    _refused(loaded, NUMBER, "ZZZZ-ZZZZ-ZZZZ-ZZZY")
    with Session(loaded) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.action == "dsure.lookup")).all()
        attempts = s.exec(select(LookupAttempt)).all()
    assert [(r.actor, r.target, r.result) for r in rows] == [
        ("slack:UADMIN", NUMBER, "ok"),
        ("test", NUMBER, "refused"),
    ]
    assert [a.success for a in attempts] == [True, False]
    dump = json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False)
    assert "ABCD" not in dump and "ZZZZ" not in dump


def test_register_once(loaded) -> None:  # type: ignore[no-untyped-def]
    with session_scope(loaded) as s:
        contract = find_contract(s, NUMBER)
        assert contract is not None and registration_of(s, contract) is None
        first, created = register(s, contract, submission_id=None, by="mail")
        again, created_again = register(s, contract, submission_id=None, by="mail")
    assert created and not created_again and first.id == again.id
    with Session(loaded) as s:
        assert len(s.exec(select(DsureRegistration)).all()) == 1
    assert lookup(loaded, NUMBER, KEY, actor="t")["registered"] is True


def test_cli_lookup(loaded, db_url: str, cli) -> None:  # type: ignore[no-untyped-def]
    env = {"HOSHO_DATABASE_URL": db_url}
    ok = cli("dsure", "lookup", NUMBER, "--key", KEY, "--json", env=env)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["title"] == "前払金保証証書"
    bad = cli("dsure", "lookup", NUMBER, "--key", "nope", "--json", env=env)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr == f"error: {REFUSAL}\n"

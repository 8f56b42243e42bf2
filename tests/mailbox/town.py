"""Test data of the mail tests: contracts with fixed 認証キー, their notice PDFs, messages.

Keys are derived from the contract's number, so a notice rendered once is valid in every
test database (PDFs are cached per process: rendering costs ~25 ms each).
"""

from __future__ import annotations

import email.utils
import hashlib
from datetime import date
from email.message import EmailMessage
from functools import lru_cache

from hosho.core.contracts.authkey import ALPHABET, group_key
from hosho.core.rules.profile import load_profile
from hosho.core.store.models import Contract, Contractor
from tests.factories import contract_csv, contract_row

#: Contracts 1..CONTRACTS are imported by the ``town`` fixture (tests/conftest.py).
CONTRACTS = 40
SENDER = "info1@aya-kensetsu.example.jp"
TOWN = "zaisei@town.aya.lg.jp"
#: Numbers with special contracts (the rest are ordinary covered ones).
BEFORE_START = 90001  # contract date before 2024-09-01: not covered
OTHER_ORDERER = 90002  # orderer is another town: not covered
UNKNOWN = 99999  # never imported


def key_for(n: int) -> str:
    """A valid 認証キー that depends only on ``n``."""
    digest = hashlib.sha256(f"hosho-test-key-{n}".encode()).digest()
    return group_key("".join(ALPHABET[b % len(ALPHABET)] for b in digest[:16]))


def number(n: int) -> str:
    return f"0{n:09d}"


def row(n: int) -> dict[str, str]:
    extra: dict[str, str] = {"auth_key": key_for(n)}
    if n == BEFORE_START:
        extra |= {"contract_date": "2024-08-31", "period_start": "2024-09-01"}
    if n == OTHER_ORDERER:
        extra["orderer"] = "延岡市"
    return contract_row(n, **extra)


def contracts_csv(count: int, specials: bool = True) -> bytes:
    """Contracts 1..count, plus the special ones."""
    rows = [row(n) for n in range(1, count + 1)]
    if specials:
        rows += [row(BEFORE_START), row(OTHER_ORDERER)]
    return contract_csv(rows)


def _objects(n: int, key: str | None = None) -> tuple[Contract, Contractor]:
    return objects_of(row(n), n, key)


def objects_of(r: dict[str, str], n: int, key: str | None = None) -> tuple[Contract, Contractor]:
    """The Contract (id ``n``) and Contractor of a contract CSV row, as if imported."""
    contractor = Contractor(
        id=1, customer_id=r["customer_id"], name=r["contractor_name"], email=r["contractor_email"]
    )
    contract = Contract(
        id=n,
        contract_number=r["contract_number"],
        kind=r["kind"],
        contractor_id=1,
        orderer=r["orderer"],
        project_name=r["project_name"],
        work_type=r["work_type"],
        contract_date=date.fromisoformat(r["contract_date"]),
        contract_amount=int(r["contract_amount"]),
        guarantee_amount=int(r["guarantee_amount"]),
        period_start=date.fromisoformat(r["period_start"]),
        period_end=date.fromisoformat(r["period_end"]),
        auth_key=key or r["auth_key"],
    )
    return contract, contractor


@lru_cache(maxsize=4096)
def notice(n: int, key: str | None = None) -> bytes:
    """The 認証キー等のお知らせ PDF of contract ``n`` (optionally with another key)."""
    from hosho.core.documents.notice import render_notice

    contract, contractor = _objects(n, key)
    return render_notice(contract, contractor, load_profile("aya"), issued=date(2024, 10, 3))


@lru_cache(maxsize=64)
def certificate(n: int) -> bytes:
    """The 電子証書 view (the STEP3 file) of contract ``n``."""
    from hosho.core.documents.certificate import render_certificate

    contract, contractor = _objects(n)
    return render_certificate(contract, contractor, load_profile("aya"))


def message(
    *,
    subject: str = "認証キー等のお知らせの提出",
    sender: str = SENDER,
    to: str = TOWN,
    body: str = "綾町 財政課 御中\n認証キー等のお知らせを送付します。\n",
    attachments: list[tuple[str, bytes, str]] | None = None,
    message_id: str | None = "auto",
    html: bool = False,
) -> bytes:
    """A well-formed UTF-8 message (policy default) with attachments (name, data, type)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    if message_id == "auto":
        msg["Message-ID"] = email.utils.make_msgid(domain="aya-kensetsu.example.jp")
    elif message_id:
        msg["Message-ID"] = message_id
    if html:
        msg.set_content(f"<html><body><p>{body}</p></body></html>", subtype="html")
    else:
        msg.set_content(body)
    for name, data, ctype in attachments or []:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def notice_message(n: int, **kw: object) -> bytes:
    """A plain submission of contract ``n``'s notice."""
    name = f"認証キー等のお知らせ_{number(n)}.pdf"
    return message(attachments=[(name, notice(n), "application/pdf")], **kw)  # type: ignore[arg-type]


def all_keys(count: int) -> list[str]:
    """Every key of contracts 1..count and the specials (to prove none leaks)."""
    return [key_for(n) for n in [*range(1, count + 1), BEFORE_START, OTHER_ORDERER]]


def bulk(count: int, contracts: int, tag: str = "bulk", start: int = 0) -> list[bytes]:
    """``count`` submissions with distinct Message-IDs over contracts 1..``contracts``.

    One in ten has no attachment (a rejection), so both target folders are used.
    """
    templates = {
        n: notice_message(n, subject=f"提出 {tag}", message_id="<MSGID>")
        for n in range(1, contracts + 1)
    }
    plain = message(subject=f"提出 {tag}", message_id="<MSGID>")
    out = []
    for i in range(start, start + count):
        nth_notice = i - (i + 1) // 10  # the notices cycle through every contract
        raw = plain if i % 10 == 9 else templates[nth_notice % contracts + 1]
        out.append(raw.replace(b"<MSGID>", f"<{tag}-{i}@aya-kensetsu.example.jp>".encode(), 1))
    return out

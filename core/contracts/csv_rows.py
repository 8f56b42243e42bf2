"""Reading a contract CSV: decoding, the header, and one validated ``ContractRow`` a line.

The file has one 保証契約 (surety contract) a row, with the columns in ``COLUMNS`` (any
order, extra columns ignored). Cells are normalised as people type them: NFKC (full-width
letters and digits become ASCII), numbers kept as text with their leading zeros, dates
as ISO YYYY-MM-DD, amounts in yen with commas, full-width digits or a trailing 円.
Names (受注者, 発注者, 工事名) are stored as written (``髙橋建設①`` stays so; whoever
compares them normalises both sides). A bad cell is reported with its line and column,
in one line, and nothing is imported; so is a line with a NUL byte, and a お客様ID given
two different e-mail addresses in one file (its link codes go to that address).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from hosho.core.contracts.authkey import is_well_formed, normalize_key
from hosho.core.errors import HoshoError, ImportRejected
from hosho.core.rules.kinds import KINDS, WORK_TYPES
from hosho.core.text import nfkc, normalize_number

#: The columns of a contract CSV: 保証契約番号, 保証の種類, お客様ID, 受注者 name and
#: address, 発注者, 工事名, 業務の種類, 契約日, 請負代金額, 保証金額, 保証期間, 認証キー.
COLUMNS = (
    "contract_number",
    "kind",
    "customer_id",
    "contractor_name",
    "contractor_email",
    "orderer",
    "project_name",
    "work_type",
    "contract_date",
    "contract_amount",
    "guarantee_amount",
    "period_start",
    "period_end",
    "auth_key",
)


def _text(value: str) -> str:
    return " ".join(nfkc(value).split())


def _as_written(value: str) -> str:
    """A name as the file writes it (only the cell's outer spaces dropped)."""
    return value.strip()


def _date(value: str) -> date:
    text = normalize_number(value)
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date YYYY-MM-DD: {value!r}") from None


def _amount(value: str) -> int:
    text = normalize_number(value).replace(",", "").removesuffix("円")
    if not text.isdigit():
        raise ValueError(f"not an amount in yen: {value!r}")
    return int(text)


@lru_cache(maxsize=4096)
def _email(value: str) -> str:
    # Cached: a contractor's address repeats on every one of its contracts.
    try:
        return validate_email(nfkc(value), check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise ValueError(f"not an e-mail address {value!r}: {err}") from None


def _one_of(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = _text(value)
        if text not in allowed:
            raise ValueError(f"unknown value {value!r} (one of {', '.join(allowed)})")
        return text

    return check


def _key(value: str) -> str:
    if not is_well_formed(value):
        raise ValueError("must be 16 characters of 2-9 and A-Z without I, L, O")
    return normalize_key(value)


def _cell(convert: Callable[[str], Any], required: bool = True) -> BeforeValidator:
    """A cell, stripped, then converted; an empty cell is an error unless not ``required``
    (then it stays "")."""

    def check(value: str | None) -> Any:
        text = (value or "").strip()
        if not text:
            if required:
                raise PydanticCustomError("empty", "is empty")
            return ""
        return convert(text)

    return BeforeValidator(check)


class ContractRow(BaseModel):
    """One valid CSV row, normalised."""

    model_config = ConfigDict(frozen=True)

    line: int
    contract_number: Annotated[str, _cell(normalize_number)]
    kind: Annotated[str, _cell(_one_of(KINDS))]
    customer_id: Annotated[str, _cell(normalize_number)]
    contractor_name: Annotated[str, _cell(_as_written)]
    contractor_email: Annotated[str, _cell(_email)]
    orderer: Annotated[str, _cell(_as_written)]
    project_name: Annotated[str, _cell(_as_written)]
    work_type: Annotated[str, _cell(_one_of(WORK_TYPES))]
    contract_date: Annotated[date, _cell(_date)]
    contract_amount: Annotated[int, _cell(_amount)]
    guarantee_amount: Annotated[int, _cell(_amount)]
    period_start: Annotated[date, _cell(_date)]
    period_end: Annotated[date, _cell(_date)]
    #: "" when the file left it empty (a new contract then gets a generated key).
    auth_key: Annotated[str, _cell(_key, required=False)]

    @model_validator(mode="after")
    def _period(self) -> ContractRow:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


def _wording(err: ValidationError) -> list[str]:
    """Each problem of a row as the person fixing the file reads it: the column, then
    what is wrong ("contract_date: not a date YYYY-MM-DD: '2024/13/01'")."""
    problems = []
    for error in err.errors(include_url=False):
        column = ".".join(str(part) for part in error["loc"])
        if error["type"] == "empty":
            problems.append(f"{column} is empty")
            continue
        what = str(error.get("ctx", {}).get("error", error["msg"]))
        problems.append(f"{column}: {what}" if column else what)
    return problems


def parse_row(line: int, raw: dict[str, str]) -> tuple[ContractRow | None, list[str]]:
    """Validate one row; returns the row or the list of what is wrong with it."""
    try:
        return ContractRow.model_validate({**raw, "line": line}), []
    except ValidationError as err:
        return None, _wording(err)


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or CP932 (Windows Japanese), detected."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as err:
        raise HoshoError(
            f"the CSV is neither UTF-8 nor CP932 (bad byte at offset {err.start})"
        ) from None


def read_csv(data: bytes) -> list[ContractRow]:
    """Parse and validate a whole file; any bad row rejects it (ImportRejected)."""
    text = decode_csv(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [nfkc(h or "").strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportRejected([(1, f"missing column(s): {', '.join(missing)}")])
    reader.fieldnames = header
    rows: list[ContractRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    addresses: dict[str, tuple[str, int]] = {}  # お客様ID -> (e-mail, first line)
    for raw in reader:
        line = reader.line_num
        if not any((v or "").strip() for k, v in raw.items() if k is not None):
            continue  # a blank line
        if None in raw:
            problems.append((line, "more fields than columns"))
            continue
        if any("\0" in (v or "") for v in raw.values()):
            problems.append((line, "contains a NUL byte"))
            continue
        row, why = parse_row(line, raw)
        if row is None:
            problems.append((line, "; ".join(why)))
            continue
        if row.contract_number in seen:
            first = seen[row.contract_number]
            problems.append((line, f"contract_number {row.contract_number} repeats line {first}"))
            continue
        email, first = addresses.setdefault(row.customer_id, (row.contractor_email, line))
        if email != row.contractor_email:
            problems.append(
                (
                    line,
                    f"customer_id {row.customer_id} has e-mail {email} on line {first}, "
                    f"{row.contractor_email} here",
                )
            )
            continue
        seen[row.contract_number] = line
        rows.append(row)
    if problems:
        raise ImportRejected(problems)
    if not rows:
        raise ImportRejected([(1, "no data rows")])
    return rows

"""Builders of test data: contract CSV files like the surety side exports them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from hosho.core.contracts.csv_rows import COLUMNS


def contract_row(n: int = 1, **overrides: Any) -> dict[str, str]:
    """One valid row for 綾町; ``n`` makes numbers and customers distinct."""
    row = {
        "contract_number": f"0{n:09d}",
        "kind": "前払金保証",
        "customer_id": f"C{n % 50:05d}",
        "contractor_name": f"綾建設株式会社{n % 50}",
        "contractor_email": f"info{n % 50}@aya-kensetsu.example.jp",
        "orderer": "綾町",
        "project_name": f"町道南俣線道路改良工事（第{n}工区）",
        "work_type": "工事",
        "contract_date": "2024-10-01",
        "contract_amount": "12000000",
        "guarantee_amount": "4800000",
        "period_start": "2024-10-02",
        "period_end": "2025-03-15",
        "auth_key": "",
    }
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def contract_csv(rows: Iterable[dict[str, str]], encoding: str = "utf-8") -> bytes:
    """A CSV file of rows with the standard header, in the given encoding."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)

"""Benchmark: `hosho contracts import` of a 10,000-row CP932 file (and the re-import).

    python bench/bench_import.py [--rows 10000] [--database-url URL]

Give PostgreSQL an empty database of its own (createdb -h 127.0.0.1 -U postgres hosho_bench).

Prints seconds for the first import (all new), the re-import (all updates) and rows/s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.factories import contract_csv, contract_row  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contracts.csv"
        path.write_bytes(contract_csv((contract_row(n) for n in range(1, args.rows + 1)), "cp932"))
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        env = {**os.environ, "HOSHO_DATABASE_URL": url}
        subprocess.run(["hosho", "db", "upgrade"], check=True, env=env, capture_output=True)
        for label in ("first import", "re-import"):
            start = time.perf_counter()
            subprocess.run(
                ["hosho", "contracts", "import", str(path)],
                check=True,
                env=env,
                capture_output=True,
            )
            took = time.perf_counter() - start
            print(
                f"{label}: {args.rows} rows in {took:.2f} s ({args.rows / took:,.0f} rows/s) [{url.split(':')[0]}]"
            )


if __name__ == "__main__":
    main()

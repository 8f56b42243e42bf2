"""``hosho contracts import FILE.csv`` and ``hosho contracts list --json``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hosho.bot.cli.output import echo_json

if TYPE_CHECKING:
    from hosho.core.runtime import Runtime


def _register_waiting(runtime: Runtime) -> None:
    """The notices that waited for these contracts are registered now; their senders get
    the 受付 reply (now when SMTP is set, else on the poller's next pass)."""
    from hosho.bot.cli.submissions import recheck_of, send_owed_replies
    from hosho.core.documents.reader import parse_pdf
    from hosho.core.submissions.waiting import register_waiting

    changed = register_waiting(runtime.engine, recheck_of(runtime), parse_pdf)
    send_owed_replies(runtime, [outcome.submission for outcome in changed])
    if changed:
        done = sum(outcome.registered for outcome in changed)
        typer.echo(f"waiting notices decided again: {len(changed)} ({done} registered)")


def register(app: typer.Typer) -> None:
    contracts = typer.Typer(
        help="Surety contracts (imported from the surety side).", no_args_is_help=True
    )

    @contracts.command("import")
    def import_(
        file: Path = typer.Argument(..., help="CSV (UTF-8 with or without BOM, or CP932)."),
    ) -> None:
        """Import contracts; a bad row rejects the whole file with every bad line listed."""
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        from hosho.bot.files import CSV_LIMIT, read_input
        from hosho.core.contracts.importing import import_contracts
        from hosho.core.runtime import Runtime

        data = read_input(file, CSV_LIMIT)
        runtime = Runtime.open()
        console = Console(stderr=True)
        show = console.is_terminal and data.count(b"\n") > 500
        with Progress(
            TextColumn("importing"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not show,
        ) as bar:
            task = bar.add_task("import", total=None)

            def progress(done: int, total: int) -> None:
                if done % 100 == 0 or done == total:
                    bar.update(task, completed=done, total=total)

            result = import_contracts(runtime.engine, data, actor="cli", progress=progress)
        typer.echo(
            f"imported {result.rows} contracts: {result.created} new, {result.updated} updated, "
            f"{result.contractors_created} new contractors, {result.keys_generated} keys generated"
        )
        _register_waiting(runtime)

    @contracts.command("list")
    def list_(as_json: bool = typer.Option(False, "--json", help="One JSON array.")) -> None:
        """List contracts (auth keys are never shown)."""
        from hosho.core.contracts.ledger import list_contracts
        from hosho.core.runtime import Runtime

        rows = list_contracts(Runtime.open().engine)
        if as_json:
            echo_json(rows)
            return
        for row in rows:
            typer.echo(
                f"{row['contract_number']}\t{row['kind']}\t{row['customer_id']}\t"
                f"{row['contract_date']}\t{row['project_name']}"
            )

    app.add_typer(contracts, name="contracts")

"""``hosho dsure lookup NUMBER --key KEY --json``: the D-Sure register's lookup."""

from __future__ import annotations

import typer

from hosho.bot.cli.output import echo_json


def register(app: typer.Typer) -> None:
    dsure = typer.Typer(
        help="The D-Sure register (発注者用保証確認サービス).", no_args_is_help=True
    )

    @dsure.command("lookup")
    def lookup(
        number: str = typer.Argument(..., help="保証契約番号"),
        key: str = typer.Option(..., "--key", help="認証キー"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Show the certificate when number and key match."""
        import getpass

        from hosho.core.dsure import lookup as run_lookup
        from hosho.core.runtime import Runtime

        actor = f"cli:{getpass.getuser()}"
        view = run_lookup(Runtime.open().engine, number, key, actor=actor)
        if as_json:
            echo_json(view)
            return
        for name, value in view.items():
            typer.echo(f"{name}: {value}")

    app.add_typer(dsure, name="dsure")

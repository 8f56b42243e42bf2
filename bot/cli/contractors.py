"""``hosho contractors link CUSTOMER_ID --slack-user UXXXX`` (admin) and ``unlink``: the
links of Slack users (platform ``"slack"``)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    contractors = typer.Typer(help="Contractors and their chat users.", no_args_is_help=True)

    @contractors.command("link")
    def link(
        customer_id: str = typer.Argument(..., help="The contractor's お客様ID."),
        slack_user: str = typer.Option(..., "--slack-user", help="Slack user ID (U…)."),
    ) -> None:
        """Link a Slack user to a contractor."""
        from hosho.bot.conversation import SLACK
        from hosho.core.contracts.contractors import link_user
        from hosho.core.runtime import Runtime

        engine = Runtime.open().engine
        contractor = link_user(engine, customer_id, slack_user, by="cli", platform=SLACK)
        typer.echo(f"linked {slack_user} to {contractor.customer_id} ({contractor.name})")

    @contractors.command("unlink")
    def unlink(slack_user: str = typer.Option(..., "--slack-user", help="Slack user ID.")) -> None:
        """Remove a Slack user's link."""
        from hosho.bot.conversation import SLACK
        from hosho.core.contracts.contractors import unlink_user
        from hosho.core.errors import NotFound
        from hosho.core.runtime import Runtime

        if not unlink_user(Runtime.open().engine, slack_user, by="cli", platform=SLACK):
            raise NotFound(f"{slack_user} is not linked")
        typer.echo(f"unlinked {slack_user}")

    app.add_typer(contractors, name="contractors")

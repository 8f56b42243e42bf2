"""``hosho poll [--once]`` and ``hosho submissions list --json``: the mail front end."""

from __future__ import annotations

import typer

from hosho.bot.cli.output import echo_json


def register(app: typer.Typer) -> None:
    @app.command("poll")
    def poll(
        once: bool = typer.Option(False, "--once", help="Take every new message, then exit."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each pass."),
    ) -> None:
        """Take mail from the town inbox (IMAP when HOSHO_IMAP_HOST is set, else HOSHO_MAILDIR)."""
        import logging
        import signal

        from hosho.core.runtime import Runtime
        from hosho.mailbox.poller import Poller
        from hosho.mailbox.staff_mail import staff_mail_sender

        logging.basicConfig(
            level=logging.INFO if verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        runtime = Runtime.open()
        poller = Poller(runtime)
        staff_mail = staff_mail_sender(runtime)  # HOSHO_STAFF_EMAIL: what the outbox owes
        if once:
            try:
                stats = poller.run_once()
            finally:
                poller.close()
            if staff_mail is not None:
                staff_mail.run_once()
            counts = ", ".join(f"{k}={v}" for k, v in sorted(stats.by_status.items()))
            typer.echo(
                f"seen {stats.seen}, processed {stats.processed}, already {stats.already}"
                + (f" ({counts})" if counts else "")
            )
            return

        def _stop(_signum: int, _frame: object) -> None:
            poller.stop()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        if staff_mail is not None:
            staff_mail.start_thread()
        try:
            poller.run_forever()
        finally:
            if staff_mail is not None:
                staff_mail.stop()

    submissions = typer.Typer(help="Submissions taken from the inbox.", no_args_is_help=True)

    @submissions.command("list")
    def list_(
        as_json: bool = typer.Option(False, "--json", help="One JSON array."),
        status: str | None = typer.Option(None, "--status", help="Only this status."),
    ) -> None:
        """Every submission, oldest first."""
        from hosho.core.errors import HoshoError
        from hosho.core.runtime import Runtime
        from hosho.core.submissions.listing import list_submissions
        from hosho.core.submissions.statuses import STATUSES

        if status is not None and status not in STATUSES:
            raise HoshoError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
        rows = list_submissions(Runtime.open().engine, status)
        if as_json:
            echo_json(rows)
            return
        for row in rows:
            typer.echo(
                f"{row['received_at'] or '-'}  {row['status']:<16} "
                f"{row['contract_number'] or '-':<12} {row['sender']}  {row['subject']}"
            )

    app.add_typer(submissions, name="submissions")

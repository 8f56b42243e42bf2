"""``hosho poll [--once]``: the mail front end (``hosho submissions …`` is in submissions.py)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("poll")
    def poll(
        once: bool = typer.Option(False, "--once", help="Take every new message, then exit."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each pass."),
    ) -> None:
        """Take mail from the town inbox (IMAP when HOSHO_IMAP_HOST is set, else HOSHO_MAILDIR)."""
        import logging
        import signal

        from hosho.bot.logs import mask_keys
        from hosho.core.runtime import Runtime
        from hosho.mailbox.poller import Poller
        from hosho.mailbox.staff_mail import staff_mail_sender

        logging.basicConfig(
            level=logging.INFO if verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        mask_keys()
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

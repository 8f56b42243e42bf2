"""``hosho submissions …``: the submissions taken from the inbox, and a person in the loop
(show, accept, reject, retry, purge). The use cases are in
``hosho.core.submissions.staff_actions``; this module parses, prints, writes the PDF and
sends the reply a decision owes (when SMTP is set; else the poller's next pass sends it)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from hosho.bot.cli.output import echo_json

if TYPE_CHECKING:
    from hosho.core.runtime import Runtime
    from hosho.core.store.models import Submission
    from hosho.core.submissions.rechecking import Recheck


def _actor() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


def recheck_of(runtime: Runtime) -> Recheck:
    """How a decision from the command line is made (this user, the settings)."""
    from hosho.core.submissions.outbox import staff_channels
    from hosho.core.submissions.rechecking import Recheck

    settings = runtime.settings
    return Recheck(runtime.profile, _actor(), settings.register_unknown, staff_channels(settings))


def send_owed_replies(runtime: Runtime, rows: list[Submission]) -> None:
    """Answer the senders these decisions owe a reply, now, when SMTP is set (a failure
    leaves the reply owed: the poller retries it)."""
    from hosho.mailbox.outgoing import mailer_from_settings
    from hosho.mailbox.replies import Replies

    mailer = mailer_from_settings(runtime.settings)
    if mailer is None:
        return
    replies = Replies(runtime.engine, mailer, runtime.profile.contact)
    for row in rows:
        replies.send(row)


def _print_view(view: dict[str, Any]) -> None:
    for name, value in view.items():
        if name != "files":
            typer.echo(f"{name}: {'-' if value is None else value}")
    for kept in view["files"]:
        state = "kept" if kept["kept"] else "purged"
        typer.echo(
            f"file: {kept['filename']} ({kept['content_type']}, {kept['size']} bytes, {state})"
        )
        parsed = kept.get("parsed")
        if parsed:
            key = "key read" if parsed["auth_key_read"] else "no key"
            typer.echo(
                f"  reads as: {parsed['document']} {parsed['contract_number'] or '-'} ({key})"
            )


def register(app: typer.Typer) -> None:
    submissions = typer.Typer(help="Submissions taken from the inbox.", no_args_is_help=True)

    @submissions.command("list")
    def list_(
        as_json: bool = typer.Option(False, "--json", help="One JSON array."),
        status: str | None = typer.Option(
            None, "--status", help="Only this status (ignored: mail that was no submission)."
        ),
    ) -> None:
        """Every submission, oldest first (mail left alone as no submission only with
        --status ignored)."""
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
            if row["id"] is None:  # set aside, not even a minimal row written: its failure
                typer.echo(
                    f"{'-':<6} {row['received_at']}  {row['status']:<16} {'-':<12} "
                    f"mailfailure #{row['mail_failure']}: {row['reason']}"
                )
                continue
            typer.echo(
                f"#{row['id']:<5} {row['received_at'] or '-'}  {row['status']:<16} "
                f"{row['contract_number'] or '-':<12} {row['sender']}  {row['subject']}"
            )

    @submissions.command("show")
    def show(
        ident: str = typer.Argument(..., metavar="ID", help="The submission's id."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object."),
        pdf: Path | None = typer.Option(
            None, "--pdf", help="Write the received PDF, byte for byte, to this new file."
        ),
    ) -> None:
        """One submission: its row, its kept files and what they read as (never the key)."""
        from hosho.bot.files import write_new_file
        from hosho.core.documents.reader import parse_pdf
        from hosho.core.runtime import Runtime
        from hosho.core.submissions import staff_actions

        runtime = Runtime.open()
        number = staff_actions.submission_id(ident)
        if pdf is not None:
            write_new_file(pdf, staff_actions.kept_pdf(runtime.engine, number))
        view = staff_actions.show(runtime.engine, number, parse_pdf)
        if as_json:
            echo_json(view)
        else:
            _print_view(view)
        if pdf is not None and not as_json:
            typer.echo(f"wrote {pdf}")

    @submissions.command("accept")
    def accept(
        ident: str = typer.Argument(..., metavar="ID", help="The submission's id."),
        number: str = typer.Option(..., "--number", help="保証契約番号 read off the file."),
        key: str = typer.Option(..., "--key", help="認証キー read off the file (never echoed)."),
    ) -> None:
        """Register what hosho could not read (checked like a mail; audited)."""
        from hosho.core.runtime import Runtime
        from hosho.core.submissions import staff_actions

        runtime = Runtime.open()
        ident_no = staff_actions.submission_id(ident)
        outcome = staff_actions.accept(runtime.engine, ident_no, number, key, recheck_of(runtime))
        row = outcome.submission
        send_owed_replies(runtime, [row])
        typer.echo(f"#{row.id} {row.status} {row.contract_number}")

    @submissions.command("reject")
    def reject(
        ident: str = typer.Argument(..., metavar="ID", help="The submission's id."),
        reason: str = typer.Option(..., "--reason", help="The reason the sender is told."),
    ) -> None:
        """Reject a submission with your own reason (the sender is told)."""
        from hosho.core.runtime import Runtime
        from hosho.core.submissions import staff_actions

        runtime = Runtime.open()
        ident_no = staff_actions.submission_id(ident)
        row = staff_actions.reject(runtime.engine, ident_no, reason, recheck_of(runtime))
        send_owed_replies(runtime, [row])
        typer.echo(f"#{row.id} {row.status}")

    @submissions.command("retry")
    def retry(ident: str = typer.Argument(..., metavar="ID", help="The submission's id.")) -> None:
        """Read the kept file again and decide again (e.g. after a contract import)."""
        from hosho.core.documents.reader import parse_pdf
        from hosho.core.runtime import Runtime
        from hosho.core.submissions import staff_actions

        runtime = Runtime.open()
        ident_no = staff_actions.submission_id(ident)
        outcome = staff_actions.retry(runtime.engine, ident_no, parse_pdf, recheck_of(runtime))
        row = outcome.submission
        if outcome.created:
            send_owed_replies(runtime, [row])
        changed = "" if outcome.created else " (unchanged)"
        typer.echo(f"#{row.id} {row.status}{changed}")

    @submissions.command("purge")
    def purge(
        before: str = typer.Option(..., "--before", help="YYYY-MM-DD (town time)."),
    ) -> None:
        """Delete the kept files of submissions received before this day (audited)."""
        from hosho.core.errors import HoshoError
        from hosho.core.runtime import Runtime
        from hosho.core.submissions.kept_files import purge as run_purge

        try:
            day = date.fromisoformat(before)
        except ValueError:
            raise HoshoError(f"--before must be a date YYYY-MM-DD, not {before!r}") from None
        count = run_purge(Runtime.open().engine, day, actor=_actor())
        typer.echo(f"purged {count} kept files of submissions received before {day}")

    app.add_typer(submissions, name="submissions")

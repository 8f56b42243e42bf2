"""``hosho demo seed`` and ``hosho demo mail FILE.pdf``: the first-run demo's helpers."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    demo = typer.Typer(help="The first-run demo (fictional data).", no_args_is_help=True)

    @demo.command("seed")
    def seed() -> None:
        """Import the demo contracts and link HOSHO_CHAT_USER to the demo contractor D0001."""
        from hosho.bot.conversation import TERMINAL
        from hosho.core.contracts.demo import DEMO_CUSTOMER, seed_demo
        from hosho.core.runtime import Runtime

        runtime = Runtime.open()
        result = seed_demo(runtime.engine, runtime.settings.chat_user, platform=TERMINAL)
        typer.echo(
            f"demo: {result.rows} contracts ({result.created} new); "
            f"{runtime.settings.chat_user} is linked to お客様ID {DEMO_CUSTOMER}"
        )

    @demo.command("mail")
    def mail(
        pdf: Path = typer.Argument(..., help="The PDF to send (e.g. a notice from `hosho chat`)."),
        sender: str = typer.Option(
            None, "--from", help="Sender (default: the contractor's address)."
        ),
        subject: str = typer.Option(
            None, "--subject", help="Subject (default: the profile's rule)."
        ),
    ) -> None:
        """Put an e-mail with this PDF into the local inbox (HOSHO_MAILDIR), as a contractor
        would send it to the town; `hosho run` or `hosho poll --once` then takes it."""
        from sqlmodel import Session

        from hosho.bot.files import PDF_LIMIT, read_input
        from hosho.core.contracts.ledger import find_contract
        from hosho.core.documents.reader import parse_pdf
        from hosho.core.runtime import Runtime
        from hosho.core.store.models import Contractor
        from hosho.mailbox.compose import drop_into_maildir, submission_message

        data = read_input(pdf, PDF_LIMIT)
        runtime = Runtime.open()
        profile = runtime.profile
        parsed = parse_pdf(data)
        project_name, kind, address = None, None, "demo-sender@example.jp"
        if parsed.contract_number:
            with Session(runtime.engine) as session:
                contract = find_contract(session, parsed.contract_number)
                if contract is not None:
                    person = session.get(Contractor, contract.contractor_id)
                    project_name, kind = contract.project_name, contract.kind
                    address = person.email if person else address
        if subject is None:
            rule = profile.subject_rule
            subject = rule.example(project_name) if rule else "認証キー等のお知らせの提出"
        message = submission_message(
            sender=sender or address,
            to=profile.address_for(kind) if kind else profile.submission_address,
            subject=subject,
            pdf=data,
            filename=pdf.name,
        )
        folder = runtime.settings.maildir
        drop_into_maildir(folder, message)
        typer.echo(f"mail from {message['From']} to {message['To']} put into {folder}")

    app.add_typer(demo, name="demo")

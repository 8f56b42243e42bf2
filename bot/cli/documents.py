"""``hosho notice issue|parse`` and ``hosho certificate render``: the PDF documents."""

from __future__ import annotations

from pathlib import Path

import typer

from hosho.bot.files import PDF_LIMIT, read_input, write_private


def register(app: typer.Typer) -> None:
    notice = typer.Typer(
        help="電子証書閲覧用「認証キー」等のお知らせ (the notice PDF).", no_args_is_help=True
    )
    certificate = typer.Typer(help="電子証書 view (the STEP3 file).", no_args_is_help=True)

    @notice.command("issue")
    def issue(
        number: str = typer.Argument(..., help="保証契約番号 (contract number)."),
        out: Path = typer.Option(..., "--out", help="PDF file to write."),
    ) -> None:
        """Write the 認証キー等のお知らせ PDF of one contract."""
        from hosho.core.documents.issuing import issue_notice
        from hosho.core.runtime import Runtime

        runtime = Runtime.open()
        data, contract = issue_notice(
            runtime.engine, runtime.profile, number, body_font=runtime.settings.pdf_font
        )
        write_private(out, data)
        address = runtime.profile.address_for(contract.kind)
        typer.echo(f"wrote {out} ({len(data):,} bytes); submit to {address}")

    @notice.command("parse")
    def parse(
        file: Path = typer.Argument(..., help="A PDF someone sent, or a scan or photo of one."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object."),
    ) -> None:
        """Read a PDF, scan or photo (JPEG, PNG): auth_key_notice, certificate or unknown
        (with the reason); ``source`` is embedded, text or ocr."""
        from hosho.core.documents.ocr import OcrLimits
        from hosho.core.documents.worker import PdfWorker
        from hosho.core.settings import get_settings

        data = read_input(file, PDF_LIMIT)
        worker = PdfWorker(ocr=OcrLimits.of(get_settings()))
        try:
            result = worker.parse(data)
        finally:
            worker.close()
        if as_json:
            typer.echo(result.to_json())
            return
        typer.echo(f"document: {result.document}")
        if result.contract_number:
            typer.echo(f"保証契約番号: {result.contract_number}")
        if result.auth_key:
            typer.echo(f"認証キー: {result.auth_key}")
        if result.source:
            typer.echo(f"source: {result.source}")
        if result.reason:
            typer.echo(f"reason: {result.reason}")

    @certificate.command("render")
    def render(
        number: str = typer.Argument(..., help="保証契約番号 (contract number)."),
        out: Path = typer.Option(..., "--out", help="PDF file to write."),
    ) -> None:
        """Write the 電子証書 view of one contract (never shows the auth key)."""
        from hosho.core.documents.issuing import render_certificate_for
        from hosho.core.runtime import Runtime

        runtime = Runtime.open()
        data, _contract = render_certificate_for(
            runtime.engine, runtime.profile, number, body_font=runtime.settings.pdf_font
        )
        write_private(out, data)
        typer.echo(f"wrote {out} ({len(data):,} bytes)")

    app.add_typer(notice, name="notice")
    app.add_typer(certificate, name="certificate")

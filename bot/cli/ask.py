"""``hosho ask TEXT [--json]`` and ``hosho ask --jsonl``: the Q&A from the terminal."""

from __future__ import annotations

import sys

import typer


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask(
        text: str = typer.Argument(None, help="The question (Japanese)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
        jsonl: bool = typer.Option(
            False,
            "--jsonl",
            help="Read one question a line on stdin; write one JSON object a line.",
        ),
    ) -> None:
        """Answer a question about 電子保証 from the town's Q&A."""
        from hosho.core.errors import HoshoError
        from hosho.core.qa.answers import answer, index_for
        from hosho.core.rules.profile import load_profile
        from hosho.core.settings import get_settings

        if jsonl == (text is not None):
            raise HoshoError("give either a question or --jsonl (questions on stdin)")
        profile = load_profile(get_settings().municipality)
        if not jsonl:
            reply = answer(text, profile)
            typer.echo(reply.to_json_line() if as_json else reply.answer)
            return
        index_for(profile)  # build once before the first line arrives
        out = sys.stdout
        if hasattr(sys.stdin, "reconfigure"):
            sys.stdin.reconfigure(errors="replace")  # a bad byte spoils one line, not the run
        for line in sys.stdin:
            out.write(answer(line.rstrip("\r\n"), profile).to_json_line() + "\n")
            out.flush()

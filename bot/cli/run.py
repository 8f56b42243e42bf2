"""``hosho run``: the main job (chat + inbox poller in one process)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        demo: bool = typer.Option(False, "--demo", help="Seed the demo data set first."),
        chat: str = typer.Option(
            "auto",
            "--chat",
            help="auto (Slack if configured, else terminal), slack, terminal, none.",
        ),
        http: int = typer.Option(None, "--http", min=0, max=65535, help="Slack Events API port."),
        host: str = typer.Option(
            "127.0.0.1", "--host", help="Address to bind with --http (behind a reverse proxy)."
        ),
        log_file: Path = typer.Option(
            None,
            "--log-file",
            help="JSON log file (default: stderr; var/hosho.log in terminal chat).",
        ),
    ) -> None:
        """Run the chat front end and the inbox poller until SIGTERM/SIGINT (or end of input)."""
        from hosho.bot import logs
        from hosho.bot.main_job import MainJob
        from hosho.core.errors import ConfigError
        from hosho.core.runtime import Runtime

        if chat not in ("auto", "slack", "terminal", "none"):
            raise ConfigError(f"--chat must be auto, slack, terminal or none, not {chat!r}")
        runtime = Runtime.open()
        job = MainJob(runtime, chat=chat, http_port=http, host=host)  # type: ignore[arg-type]
        if log_file is None and job.chat == "terminal":
            log_file = Path("var/hosho.log")
        logs.configure(file=log_file)
        if demo:
            from hosho.bot.conversation import TERMINAL
            from hosho.core.contracts.demo import seed_demo

            seeded = seed_demo(runtime.engine, runtime.settings.chat_user, platform=TERMINAL)
            typer.echo(
                f"demo: {seeded.rows} contracts; you are {runtime.settings.chat_user}, "
                "linked to お客様ID D0001",
                err=True,
            )
        typer.echo(
            f"hosho run: {runtime.profile.name}, chat={job.chat}, inbox={job.inbox}, "
            f"database={runtime.engine.url.render_as_string(hide_password=True)}",
            err=True,
        )
        if job.chat == "terminal":
            typer.echo(
                "質問をどうぞ（例: 電子保証とは / 認証キー等のお知らせ 0012024090101）。"
                "終了は Ctrl+D。",
                err=True,
            )
        raise typer.Exit(job.run())

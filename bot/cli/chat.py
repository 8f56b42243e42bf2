"""``hosho chat`` (the terminal twin) and ``hosho bot [--http PORT]`` (the Slack app alone)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("chat")
    def chat(
        user: str = typer.Option(
            None, "--user", help="Terminal chat user ID to act as (default HOSHO_CHAT_USER)."
        ),
    ) -> None:
        """The bot in the terminal: one message a line on stdin, answers on stdout."""
        from hosho.bot.conversation import TERMINAL, build_conversation
        from hosho.bot.terminal.console import Console
        from hosho.core.documents.issuing import warm_up
        from hosho.core.runtime import Runtime

        runtime = Runtime.open()
        settings = runtime.settings
        warm_up(runtime.profile, background=True, body_font=settings.pdf_font)
        conversation = build_conversation(runtime, TERMINAL)
        Console(conversation, user or settings.chat_user, settings.notice_dir).run()

    @app.command("bot")
    def bot(
        http: int = typer.Option(
            None, "--http", min=0, max=65535, help="Serve the Events API on this port."
        ),
        host: str = typer.Option(
            "127.0.0.1", "--host", help="Address to bind with --http (behind a reverse proxy)."
        ),
    ) -> None:
        """The Slack front end alone: Socket Mode, or the Events API with --http PORT."""
        import signal
        import threading

        from hosho.bot.slack.app import SlackBot
        from hosho.core.runtime import Runtime

        done = threading.Event()
        bot = SlackBot(Runtime.open())
        bot.start(http_port=http, host=host)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: done.set())
        mode = f"HTTP on {host} port {bot.port}" if http is not None else "Socket Mode"
        typer.echo(f"hosho bot running ({mode}); Ctrl+C to stop", err=True)
        try:
            done.wait()
        finally:
            bot.stop()

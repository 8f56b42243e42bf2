"""The ``hosho`` console command (typer). Errors: one line on stderr, exit 1."""

from __future__ import annotations

import sys
from importlib import import_module

import typer

from hosho.core.errors import HoshoError

app = typer.Typer(
    name="hosho",
    help="hosho: 電子保証 (electronic surety) chat and e-mail bot for a municipality.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# One module per noun under hosho.bot.commands, each with register(app).
COMMAND_MODULES = (
    "db",
    "contracts",
    "contractors",
    "dsure",
    "ask",
    "documents",
    "mail",
    "chat",
    "run",
    "demo",
)

_state = {"debug": False}


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors.")) -> None:
    _state["debug"] = debug


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = import_module(f"hosho.bot.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"hosho.bot.commands.{name}":
                continue  # not written yet
            raise
        module.register(app)


def fail(message: str) -> None:
    """Print one line on stderr and exit 1."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    _register_all()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        app(args=argv, standalone_mode=False)
    except typer.Exit as done:
        raise SystemExit(done.exit_code) from None
    except typer.Abort:
        fail("aborted")
    except typer.TyperException as err:  # usage errors, bad parameters
        message = err.format_message()
        if not message.strip():  # a group called without a sub-command: help was shown
            raise SystemExit(2) from None
        fail(message)
    except HoshoError as err:
        if debug:
            raise
        fail(str(err))
    except KeyboardInterrupt:
        fail("interrupted")
    except Exception as err:  # noqa: BLE001 - the last guard: never a traceback
        if debug:
            raise
        fail(f"{type(err).__name__}: {err}")


if __name__ == "__main__":
    main()

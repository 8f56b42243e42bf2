"""The ``hosho`` console command (typer). Errors: one line on stderr, exit 1."""

from __future__ import annotations

import sys

import typer

from hosho.bot.cli import (
    ask,
    chat,
    contractors,
    contracts,
    db,
    demo,
    documents,
    dsure,
    mail,
    run,
    submissions,
)
from hosho.bot.logs import mask_keys
from hosho.core.contracts.authkey import redact
from hosho.core.errors import HoshoError

app = typer.Typer(
    name="hosho",
    help="hosho: 電子保証 (electronic surety) chat and e-mail bot for a municipality.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors.")) -> None:
    """``--debug`` is declared here for ``--help``; ``main`` reads it before typer runs."""


# One module per noun, each adding its sub-commands with ``register(app)``.
for _noun in (
    db,
    contracts,
    contractors,
    dsure,
    ask,
    documents,
    mail,
    submissions,
    chat,
    run,
    demo,
):
    _noun.register(app)


def fail(message: str) -> None:
    """Print one line on stderr and exit 1."""
    print(f"error: {redact(' '.join(str(message).split()))}", file=sys.stderr)
    raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    mask_keys()
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

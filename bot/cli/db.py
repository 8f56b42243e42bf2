"""``hosho db upgrade``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database schema.", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade() -> None:
        """Create or migrate the database at HOSHO_DATABASE_URL."""
        from hosho.core.settings import get_settings
        from hosho.core.store.db import upgrade as run_upgrade

        settings = get_settings()
        revision = run_upgrade(settings.sqlalchemy_url)
        typer.echo(f"database at revision {revision}")

    app.add_typer(db, name="db")

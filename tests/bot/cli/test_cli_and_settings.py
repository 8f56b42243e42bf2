"""CLI contract: errors are one line on stderr with exit 1; settings fail fast by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from hosho.core.errors import ConfigError
from hosho.core.settings import load_settings
from hosho.core.store.db import upgrade


def test_db_upgrade_creates_the_default_sqlite_file(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("db", "upgrade", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "var" / "hosho.db").is_file()
    again = cli("db", "upgrade", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == out.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOSHO_IMAP_PORT", "imap"),
        ("HOSHO_IMAP_SECURITY", "tls1"),
        ("HOSHO_DATABASE_URL", "mysql://x"),
        ("HOSHO_PDF_FONT", "/no/such/font.otf"),
        ("HOSHO_POLL_SECONDS", "-3"),
    ],
)
def test_bad_setting_fails_at_start_with_one_line_naming_it(  # type: ignore[no-untyped-def]
    tmp_path: Path, name: str, value: str, cli
) -> None:
    out = cli("db", "upgrade", cwd=tmp_path, env={name: value})
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1, out.stderr
    assert name in out.stderr and "Traceback" not in out.stderr


def test_settings_from_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("HOSHO_MUNICIPALITY=sample-city\nHOSHO_ADMIN_USER_IDS=U1, U2\n")
    settings = load_settings()
    assert settings.municipality == "sample-city"
    assert settings.admins == {"U1", "U2"}
    monkeypatch.setenv("HOSHO_IMAP_PORT", "0")
    with pytest.raises(ConfigError, match="HOSHO_IMAP_PORT"):
        load_settings()


def test_unknown_profile_is_one_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("contracts", "list", "--json", cwd=tmp_path, env={"HOSHO_MUNICIPALITY": "nowhere"})
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "unknown municipality profile" in out.stderr


def test_usage_errors_are_one_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    for args in (["nope"], ["contracts", "import"], ["dsure", "lookup", "1"]):
        out = cli(*args, cwd=tmp_path)
        assert out.returncode != 0
        assert out.stderr.startswith("error:") and out.stderr.count("\n") == 1, (args, out.stderr)


def test_upgrade_is_idempotent_and_reports_head(db_url: str) -> None:
    assert upgrade(db_url) == upgrade(db_url) != ""


def test_env_example_lists_every_setting_and_loads_as_is(tmp_path: Path) -> None:
    from hosho.core.settings import Settings

    example = (Path(__file__).resolve().parents[3] / ".env.example").read_text("utf-8")
    names = {
        line.split("=")[0] for line in example.splitlines() if line and not line.startswith("#")
    }
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert aliases == names
    for line in example.splitlines():  # every setting has a one-line comment above it
        if line and not line.startswith("#"):
            before = example.splitlines()[example.splitlines().index(line) - 1]
            assert before.startswith("# "), line
    (tmp_path / ".env").write_text(example, encoding="utf-8")
    settings = load_settings()
    assert settings.imap_host is None and settings.municipality == "aya"

"""CLI contract: errors are one line on stderr with exit 1; settings fail fast by name."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hosho.core.errors import ConfigError
from hosho.core.settings import load_settings
from hosho.core.store.db import upgrade


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HOSHO_", "SLACK_"))}
    return subprocess.run(
        ["hosho", *args], capture_output=True, text=True, cwd=cwd, env={**clean, **env}
    )


def test_db_upgrade_creates_the_default_sqlite_file(tmp_path: Path) -> None:
    out = _run(["db", "upgrade"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "var" / "hosho.db").is_file()
    again = _run(["db", "upgrade"], tmp_path)
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
def test_bad_setting_fails_at_start_with_one_line_naming_it(
    tmp_path: Path, name: str, value: str
) -> None:
    out = _run(["db", "upgrade"], tmp_path, **{name: value})
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


def test_unknown_profile_is_one_line(tmp_path: Path) -> None:
    out = _run(["contracts", "list", "--json"], tmp_path, HOSHO_MUNICIPALITY="nowhere")
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "unknown municipality profile" in out.stderr


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    for args in (["nope"], ["contracts", "import"], ["dsure", "lookup", "1"]):
        out = _run(args, tmp_path)
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

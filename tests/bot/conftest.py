"""Fixtures of the chat tests: a fake Slack Web API, a seeded database, signed requests.

Seed: contracts 0000000001 (customer C00001, 綾建設株式会社1) and 0000000002 (C00002);
UOWNER is linked to C00001, UOTHER to C00002 (as Slack users), UADMIN is the admin,
ULURKER is unlinked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt import App

from hosho.bot.conversation import SLACK
from hosho.bot.slack.app import create_app
from hosho.bot.slack.chat import SlackChat
from hosho.core.contracts.contractors import link_user
from hosho.core.contracts.importing import import_contracts
from hosho.core.runtime import Runtime
from hosho.core.settings import get_settings
from hosho.core.store.db import get_engine
from tests.bot.fake_slack import BOT_TOKEN, FakeSlack
from tests.bot.payloads import ADMIN, OTHER, OWNER, SECRET
from tests.factories import contract_csv, contract_row


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def chat_env(db_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    """Environment for the bot, and the seeded database."""
    env = {
        "HOSHO_DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "HOSHO_SLACK_API_URL": fake_slack.api_url,
        "HOSHO_ADMIN_USER_IDS": ADMIN,
        "HOSHO_NOTICE_DIR": str(tmp_path / "notices"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    engine = get_engine(db_url)
    import_contracts(engine, contract_csv([contract_row(1), contract_row(2)]), actor="test")
    link_user(engine, "C00001", OWNER, by="test", platform=SLACK)
    link_user(engine, "C00002", OTHER, by="test", platform=SLACK)
    return env


@pytest.fixture
def runtime(chat_env: dict[str, str]) -> Runtime:
    return Runtime.open(get_settings())


@pytest.fixture
def slack_app(runtime: Runtime) -> tuple[App, SlackChat]:
    return create_app(runtime)

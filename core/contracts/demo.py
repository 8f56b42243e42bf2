"""The first-run demo: a few contractors and contracts, the terminal user linked to one.

Everything comes from ``demo/contracts.csv`` (fictional companies, example.jp addresses);
the terminal user (HOSHO_CHAT_USER) is linked to お客様ID D0001.
"""

from __future__ import annotations

from importlib import resources

from sqlalchemy import Engine

from hosho.core.contracts.contractors import link_user
from hosho.core.contracts.importing import ImportResult, import_contracts

DEMO_CUSTOMER = "D0001"


def demo_csv() -> bytes:
    """The demo contract file shipped in the package."""
    return resources.files("hosho.core.contracts").joinpath("demo.csv").read_bytes()


def seed_demo(engine: Engine, chat_user: str, *, platform: str) -> ImportResult:
    """Import the demo contracts (idempotent) and link ``chat_user`` of ``platform`` to the
    demo contractor."""
    result = import_contracts(engine, demo_csv(), actor="demo")
    link_user(engine, DEMO_CUSTOMER, chat_user, by="demo", platform=platform)
    return result

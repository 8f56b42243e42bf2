"""What every use case needs at hand: settings, the database engine and the town's profile."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from hosho.core.rules.profile import Profile, load_profile
from hosho.core.settings import Settings, get_settings
from hosho.core.store.db import ensure_schema


@dataclass
class Runtime:
    """Settings, engine and profile, built once per process by a front end."""

    settings: Settings
    engine: Engine
    profile: Profile

    @classmethod
    def open(cls, settings: Settings | None = None) -> Runtime:
        """Load settings and profile, and make sure the database schema is current."""
        settings = settings or get_settings()
        profile = load_profile(settings.municipality)
        engine = ensure_schema(settings.sqlalchemy_url)
        return cls(settings=settings, engine=engine, profile=profile)

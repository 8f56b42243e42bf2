"""Errors of the core layer: each carries a message a person can act on (Japanese or English)."""

from __future__ import annotations


class HoshoError(Exception):
    """Base of every error hosho reports to a person; ``str(err)`` is the one-line message."""


class ConfigError(HoshoError):
    """A setting or a data file (profile, knowledge base) is invalid."""


class ImportRejected(HoshoError):
    """A contract CSV had bad rows; nothing was written. ``problems`` lists (line, why)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        lines = "; ".join(f"line {line}: {why}" for line, why in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"import rejected, nothing written: {lines}{more}")


class NotFound(HoshoError):
    """A record the caller named does not exist (or must not be revealed to exist)."""


class LookupRefused(HoshoError):
    """D-Sure lookup failed. Deliberately the same message for every cause."""


class DocumentError(HoshoError):
    """A PDF could not be produced or read."""

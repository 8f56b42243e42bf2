"""Errors of the mail front end (each a HoshoError: one line a person can act on)."""

from __future__ import annotations

from hosho.core.errors import HoshoError


class MailError(HoshoError):
    """An inbox or SMTP server could not be used (connection, login, protocol)."""

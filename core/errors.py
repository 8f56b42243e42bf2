"""Errors of the core layer: each carries a message a person can act on (Japanese or English)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

#: Where a problem is in a data file: table keys and list indexes, outermost first.
Location = tuple[int | str, ...]


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


#: How each of pydantic's own type errors is worded after a field's name.
_MUST_BE = {
    "string_type": "text",
    "date_type": "a date (YYYY-MM-DD, unquoted)",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
}


def dotted(loc: Location) -> str:
    """A location as written in a TOML file: ``submission.by_kind.契約保証``."""
    return ".".join(str(part) for part in loc)


def config_problem(error: ErrorDetails, place: Callable[[Location], str] = dotted) -> str:
    """One problem pydantic found in a data file, as ``<field> <what is wrong>``.

    ``place`` names a location (default: the dotted field path). A missing field reads
    "<parent> has no <field>"; a wrong type "<field> must be a date"; the message of one
    of hosho's validators (a ValueError or a PydanticCustomError) follows the field's name
    as written, so validators word it that way ("is not an e-mail address: …").
    """
    loc, kind = tuple(error["loc"]), error["type"]
    if kind == "missing" and loc:
        return f"{place(loc[:-1])} has no {loc[-1]}".lstrip()
    if kind in ("value_error", "assertion_error"):
        what = str(error.get("ctx", {}).get("error", error["msg"]))
    elif kind in _MUST_BE:
        what = f"must be {_MUST_BE[kind]}"
    elif kind == "string_too_short":
        what = "must not be empty"
    else:  # hosho's PydanticCustomError (the message is ours) or another pydantic error
        what = error["msg"]
    return f"{place(loc)} {what}".lstrip()


def config_error(
    source: str, err: ValidationError, place: Callable[[Location], str] = dotted
) -> ConfigError:
    """One line naming the file (``source``), the field and the first problem found."""
    return ConfigError(f"{source}: {config_problem(err.errors(include_url=False)[0], place)}")

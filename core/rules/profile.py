"""Municipality profiles: the rules one town applies to 電子保証 submissions.

A profile is a TOML file in ``hosho/core/rules/profiles/`` (name, 運用開始日 start date,
covered kinds of guarantee and work types, the submission address per kind, an
optional subject rule). 綾町 (``aya``) is the default.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from hosho.core.errors import ConfigError, config_error
from hosho.core.rules.kinds import ELECTRONIC_KINDS, WORK_TYPES
from hosho.core.text import nfkc
from hosho.core.wareki import to_wareki


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise ValueError(f"is not an e-mail address: {err}") from None


def _names_from(allowed: tuple[str, ...]) -> AfterValidator:
    def check(values: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in values if v not in allowed]
        if bad or not values:
            raise ValueError(f"has unknown or no values: {bad} (allowed: {', '.join(allowed)})")
        return values

    return AfterValidator(check)


Email = Annotated[str, AfterValidator(_email)]


class SubjectRule(BaseModel):
    """What a submission e-mail's subject must look like (after NFKC)."""

    model_config = ConfigDict(frozen=True, strict=True)

    prefix: str = ""
    include_project_name: bool = False

    def check(self, subject: str, project_name: str | None) -> str | None:
        """None when the subject follows the rule, else what the sender should write."""
        text = nfkc(subject or "").strip()
        prefix = nfkc(self.prefix)
        want = self.example(project_name)
        if prefix and not text.startswith(prefix):
            return f"件名は「{want}」としてください。"
        named = nfkc(project_name or "").replace(" ", "") in text.replace(" ", "")
        if self.include_project_name and project_name and not named:
            return f"件名に工事名を入れ「{want}」としてください。"
        return None

    def example(self, project_name: str | None) -> str:
        """The subject a sender should use."""
        name = project_name or "工事名"
        return f"{self.prefix}{name}" if self.include_project_name else self.prefix


def _in(*path: str) -> Any:
    """A field read from a table of the TOML file (``[submission] address = …``)."""
    return Field(validation_alias=AliasPath(*path))


class Profile(BaseModel):
    """One municipality's 電子保証 rules, validated from its TOML file.

    The file's tables ``[submission]``, ``[surety]`` and ``[contact]`` become flat
    fields (``submission.address`` → ``submission_address``).
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: str
    name: str
    name_kana: str = ""
    prefecture: str = ""
    #: 運用開始日: contracts concluded on or after this day are covered.
    start_date: date = Field(strict=True)
    covered_kinds: Annotated[tuple[str, ...], _names_from(ELECTRONIC_KINDS)]
    work_types: Annotated[tuple[str, ...], _names_from(WORK_TYPES)]
    #: Names that count as this town in a contract's 発注者 (orderer); default: the name.
    orderer_names: tuple[str, ...]
    submission_method: str = _in("submission", "method")
    submission_address: Email = _in("submission", "address")
    submission_section: str = Field("", validation_alias=AliasPath("submission", "section"))
    surety_company: str = _in("surety", "company")
    surety_url: str = _in("surety", "url")
    surety_service: str = Field("e-Net保証", validation_alias=AliasPath("surety", "service"))
    contact: str = _in("contact", "text")
    #: The knowledge file (``hosho/core/qa/data/<knowledge>.toml``); default: the id.
    knowledge: str
    address_by_kind: dict[str, Email] = Field(
        default_factory=dict, validation_alias=AliasPath("submission", "by_kind")
    )
    subject_rule: SubjectRule | None = None
    #: The town's own submission terms, beside the defaults of
    #: ``hosho.core.submissions.claim`` (``[submission] terms = [...]``).
    submission_terms: tuple[str, ...] = Field((), validation_alias=AliasPath("submission", "terms"))

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {"orderer_names": [data.get("name", "")], "knowledge": data.get("id"), **data}
        return data

    @field_validator("address_by_kind")
    @classmethod
    def _covered(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        covered = info.data.get("covered_kinds", ())
        for kind in value:
            if kind not in covered:
                raise ValueError(f"names uncovered kind {kind}")
        return value

    @property
    def start_date_wareki(self) -> str:
        """The start date in 和暦, e.g. 令和6年9月1日."""
        return to_wareki(self.start_date)

    def address_for(self, kind: str) -> str:
        """The e-mail address to which a notice of this kind of guarantee is sent."""
        return self.address_by_kind.get(kind, self.submission_address)

    @property
    def all_addresses(self) -> tuple[str, ...]:
        """Every submission address of the town, default first."""
        seen = [self.submission_address]
        seen += [a for a in self.address_by_kind.values() if a not in seen]
        return tuple(dict.fromkeys(seen))


def available_profiles() -> list[str]:
    """Names of the profiles shipped in the package."""
    folder = resources.files("hosho.core.rules").joinpath("profiles")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


@lru_cache(maxsize=16)
def load_profile(name: str = "aya") -> Profile:
    """Load and validate a shipped profile; any problem is a ConfigError naming it."""
    path = resources.files("hosho.core.rules").joinpath("profiles", f"{name}.toml")
    if not path.is_file():
        known = ", ".join(available_profiles())
        raise ConfigError(f"unknown municipality profile {name!r} (known: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"profile {name}: invalid TOML: {err}") from None
    return parse_profile(data, source=name)


def parse_profile(data: dict[str, Any], source: str = "profile") -> Profile:
    """A Profile from parsed TOML; the first problem is a ConfigError naming the file and
    the field (``profile aya: submission.address is not an e-mail address: …``)."""
    try:
        return Profile.model_validate(data)
    except ValidationError as err:
        raise config_error(f"profile {source}", err) from None

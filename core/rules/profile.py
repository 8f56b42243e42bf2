"""Municipality profiles: the rules one town applies to 電子保証 submissions.

A profile is a TOML file in ``hosho/core/profiles/`` (name, 運用開始日 start date,
covered kinds of guarantee and work types, the submission address per kind, an
optional subject rule). 綾町 (``aya``) is the default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources

from email_validator import EmailNotValidError, validate_email

from hosho.core.errors import ConfigError
from hosho.core.text import nfkc
from hosho.core.wareki import to_wareki

#: 保証の種類 (kinds of guarantee) hosho knows. 契約保証予約 (a reservation) is never electronic.
KINDS = ("前払金保証", "中間前払金保証", "契約保証", "契約保証予約")
#: 保証の種類 → the title of its 保証証書 (certificate). 契約保証予約 has no electronic one.
CERTIFICATE_TITLES = {
    "前払金保証": "前払金保証証書",
    "中間前払金保証": "中間前払金保証証書",
    "契約保証": "契約保証証書",
}


def certificate_title(kind: str) -> str:
    """The title of the certificate of this kind of guarantee (KeyError for 契約保証予約)."""
    return CERTIFICATE_TITLES[kind]


#: 業務の種類 (work types).
WORK_TYPES = ("工事", "建設コンサルタント業務")


@dataclass(frozen=True)
class SubjectRule:
    """What a submission e-mail's subject must look like (after NFKC)."""

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


@dataclass(frozen=True)
class Profile:
    """One municipality's 電子保証 rules."""

    id: str
    name: str
    name_kana: str
    prefecture: str
    start_date: date
    covered_kinds: tuple[str, ...]
    work_types: tuple[str, ...]
    orderer_names: tuple[str, ...]
    submission_method: str
    submission_address: str
    submission_section: str
    surety_company: str
    surety_url: str
    surety_service: str
    contact: str
    knowledge: str
    address_by_kind: dict[str, str] = field(default_factory=dict)
    subject_rule: SubjectRule | None = None

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


def parse_profile(data: dict, source: str = "profile") -> Profile:  # type: ignore[type-arg]
    """Build a Profile from parsed TOML, checking every field."""

    def need(table: dict, key: str, kind: type, where: str = "") -> object:  # type: ignore[type-arg]
        if key not in table:
            raise ConfigError(f"profile {source}: missing {where}{key}")
        value = table[key]
        if not isinstance(value, kind):
            raise ConfigError(f"profile {source}: {where}{key} must be {kind.__name__}")
        return value

    def email(value: str, where: str) -> str:
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as err:
            raise ConfigError(
                f"profile {source}: {where} is not an e-mail address: {err}"
            ) from None

    def names(key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        values = need(data, key, list)
        assert isinstance(values, list)
        bad = [v for v in values if v not in allowed]
        if bad or not values:
            raise ConfigError(f"profile {source}: {key} has unknown or no values: {bad}")
        return tuple(values)

    start = need(data, "start_date", date)
    submission = need(data, "submission", dict)
    surety = need(data, "surety", dict)
    contact = need(data, "contact", dict)
    assert isinstance(start, date) and isinstance(submission, dict)
    assert isinstance(surety, dict) and isinstance(contact, dict)
    kinds = names("covered_kinds", KINDS[:3])
    by_kind_raw = submission.get("by_kind", {})
    if not isinstance(by_kind_raw, dict):
        raise ConfigError(f"profile {source}: submission.by_kind must be a table")
    by_kind = {}
    for kind, address in by_kind_raw.items():
        if kind not in kinds:
            raise ConfigError(f"profile {source}: submission.by_kind names uncovered kind {kind}")
        by_kind[kind] = email(str(address), f"submission.by_kind.{kind}")
    rule = None
    if "subject_rule" in data:
        raw = need(data, "subject_rule", dict)
        assert isinstance(raw, dict)
        rule = SubjectRule(
            prefix=str(raw.get("prefix", "")),
            include_project_name=bool(raw.get("include_project_name", False)),
        )
    return Profile(
        id=str(need(data, "id", str)),
        name=str(need(data, "name", str)),
        name_kana=str(data.get("name_kana", "")),
        prefecture=str(data.get("prefecture", "")),
        start_date=start,
        covered_kinds=kinds,
        work_types=names("work_types", WORK_TYPES),
        orderer_names=tuple(str(n) for n in data.get("orderer_names", [data.get("name", "")])),
        submission_method=str(need(submission, "method", str, "submission.")),
        submission_address=email(
            str(need(submission, "address", str, "submission.")), "submission.address"
        ),
        submission_section=str(submission.get("section", "")),
        surety_company=str(need(surety, "company", str, "surety.")),
        surety_url=str(need(surety, "url", str, "surety.")),
        surety_service=str(surety.get("service", "e-Net保証")),
        contact=str(need(contact, "text", str, "contact.")),
        knowledge=str(data.get("knowledge", data.get("id", ""))),
        address_by_kind=by_kind,
        subject_rule=rule,
    )

"""The Q&A knowledge base: a TOML file per profile in ``hosho/core/knowledge/``.

Items hold no town facts. Answers carry placeholders ({town}, {start_date_wareki},
{address_text}…) filled from the municipality profile, so another town's profile gives
that town's answers with the same items. ``[[reject]]`` entries describe topics hosho
must not answer (other town services, other contract procedures, greetings).
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from hosho.core.errors import ConfigError
from hosho.core.rules.profile import WORK_TYPES, Profile

#: Longest answer (characters) once the profile's facts are filled in.
MAX_ANSWER = 400


@dataclass(frozen=True)
class Item:
    """One topic: a short title, the answer, example questions and keywords.

    ``reject`` items are topics hosho deliberately does not answer; they have no answer.
    """

    id: str
    title: str
    answer: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    reject: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    """The items of one knowledge file, answers already filled in for one profile."""

    name: str
    items: tuple[Item, ...]
    #: Topics offered when a question is near none (ids of items, in order).
    starters: tuple[str, ...] = ()


def profile_facts(profile: Profile) -> dict[str, str]:
    """The placeholder values of a profile (town name, start date, addresses…)."""
    start = profile.start_date
    kinds = list(profile.covered_kinds)
    by_kind: dict[str, list[str]] = {}
    for kind in kinds:
        by_kind.setdefault(profile.address_for(kind), []).append(kind)
    section = f"（{profile.submission_section}）" if profile.submission_section else ""
    if len(by_kind) <= 1:
        address_text = f"送付先: {profile.submission_address}{section}。"
        address_short = profile.submission_address
    else:
        parts = [f"{'・'.join(ks)}は {addr}" for addr, ks in by_kind.items()]
        address_text = "送付先は保証の種類で異なります。" + "、".join(parts) + "。"
        address_short = "、".join(parts)
    if profile.submission_method == "email":
        method_text = f"{profile.name}への認証キー（認証キー等のお知らせ）の提出は電子メールでのご提出となります（郵送・持参ではありません）。"
    else:
        method_text = f"{profile.name}への認証キーの提出方法: {profile.submission_method}。"
    subject_text = ""
    if profile.subject_rule is not None:
        subject_text = f"件名は「{profile.subject_rule.example(None)}」としてください。"
    return {
        "town": profile.name,
        "start_date_wareki": profile.start_date_wareki,
        "start_date_western": f"{start.year}年{start.month}月{start.day}日",
        "work_types": "・".join(profile.work_types),
        "work_types_note": "".join(
            f"{w}は対象外です。" for w in WORK_TYPES if w not in profile.work_types
        ),
        "kinds": "、".join(kinds),
        "kinds_list": "\n".join(f"・{k}" for k in kinds),
        "address_text": address_text,
        "address_short": address_short,
        "method_text": method_text,
        "subject_text": subject_text,
        "surety_company": profile.surety_company,
        "surety_url": profile.surety_url,
        "surety_service": profile.surety_service,
        "contact": profile.contact,
    }


def _strings(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = raw.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(values)


def _fill(text: str, facts: dict[str, str], where: str) -> str:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as err:
        raise ConfigError(f"{where}: bad placeholder syntax: {err}") from None
    unknown = sorted({f for f in fields if f not in facts})
    if unknown:
        raise ConfigError(f"{where}: unknown placeholder {{{unknown[0]}}}")
    return text.format_map(facts)


def parse_knowledge(
    data: dict[str, Any], profile: Profile, source: str = "knowledge"
) -> KnowledgeBase:
    """Validate parsed TOML and fill every answer with the profile's facts.

    Any problem (missing field, duplicate id, unknown placeholder, an answer longer than
    MAX_ANSWER characters) is a ConfigError naming the file and the item.
    """
    if data.get("version", 1) != 1:
        raise ConfigError(f"knowledge {source}: unsupported version {data.get('version')!r}")
    facts = profile_facts(profile)
    items: list[Item] = []
    seen: set[str] = set()
    for table, reject in (("item", False), ("reject", True)):
        entries = data.get(table, [])
        if not isinstance(entries, list):
            raise ConfigError(f"knowledge {source}: [[{table}]] must be an array of tables")
        for n, raw in enumerate(entries, start=1):
            if not isinstance(raw, dict):
                raise ConfigError(f"knowledge {source}: {table} #{n} must be a table")
            item_id = raw.get("id")
            if not isinstance(item_id, str) or not item_id.strip():
                raise ConfigError(f"knowledge {source}: {table} #{n} has no id")
            where = f"knowledge {source}: {table} {item_id}"
            if item_id in seen:
                raise ConfigError(f"{where}: duplicate id")
            seen.add(item_id)
            questions = tuple(_fill(q, facts, where) for q in _strings(raw, "questions", where))
            keywords = tuple(_fill(k, facts, where) for k in _strings(raw, "keywords", where))
            if not questions and not keywords:
                raise ConfigError(f"{where}: needs questions or keywords")
            title = raw.get("title", "")
            answer = raw.get("answer", "")
            if not isinstance(title, str) or not isinstance(answer, str):
                raise ConfigError(f"{where}: title and answer must be strings")
            if not reject and not (title.strip() and answer.strip()):
                raise ConfigError(f"{where}: missing title or answer")
            text = _fill(answer.strip(), facts, where)
            if len(text) > MAX_ANSWER:
                raise ConfigError(f"{where}: answer is {len(text)} characters (max {MAX_ANSWER})")
            items.append(Item(item_id, title.strip(), text, questions, keywords, reject))
    if not any(not item.reject for item in items):
        raise ConfigError(f"knowledge {source}: no [[item]]")
    starters = data.get("starters", [])
    answerable = {item.id for item in items if not item.reject}
    if not isinstance(starters, list) or not all(s in answerable for s in starters):
        raise ConfigError(f"knowledge {source}: starters must list ids of [[item]] entries")
    return KnowledgeBase(name=source, items=tuple(items), starters=tuple(starters))


def load_knowledge(profile: Profile) -> KnowledgeBase:
    """Load the profile's knowledge file (``profile.knowledge``) and fill it for the profile."""
    name = profile.knowledge
    path = resources.files("hosho.core.qa").joinpath("data", f"{name}.toml")
    if not path.is_file():
        raise ConfigError(f"profile {profile.id}: knowledge file {name}.toml not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"knowledge {name}: invalid TOML: {err}") from None
    return parse_knowledge(data, profile, source=name)

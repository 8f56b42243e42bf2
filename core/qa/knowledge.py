"""The Q&A knowledge base: a TOML file per profile in ``hosho/core/qa/data/``.

Items hold no town facts. Answers carry placeholders ({town}, {start_date_wareki},
{address_text}…) filled from the municipality profile, so another town's profile gives
that town's answers with the same items. ``[[reject]]`` entries describe topics hosho
must not answer (other town services, other contract procedures, greetings).
"""

from __future__ import annotations

import dataclasses
import string
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from hosho.core.errors import ConfigError, Location, config_error, dotted
from hosho.core.rules.kinds import WORK_TYPES
from hosho.core.rules.profile import Profile

#: Longest answer (characters) once the profile's facts are filled in.
MAX_ANSWER = 400


@dataclass(frozen=True)
class KnowledgeBase:
    """The items of one knowledge file, answers already filled in for one profile."""

    name: str
    items: tuple[Item, ...]
    #: Topics offered when a question is near none (ids of items, in order).
    starters: tuple[str, ...] = ()
    #: Words that name this service (電子保証, 認証キー, D-Sure): a question holding one
    #: is about it, and is answered at a lower confidence (``answers.ANCHORED_THRESHOLD``).
    anchors: tuple[str, ...] = ()


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


def _fill(text: str, info: ValidationInfo) -> str:
    """The text with the profile's facts (``info.context["facts"]``) in its placeholders.

    An item built in code without that context may hold no placeholder."""
    facts: dict[str, str] = (info.context or {}).get("facts", {})
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as err:
        raise ValueError(f"has bad placeholder syntax: {err}") from None
    unknown = sorted({f for f in fields if f not in facts})
    if unknown:
        raise ValueError(f"has an unknown placeholder {{{unknown[0]}}}")
    return text.format_map(facts)


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


#: A question or keyword: a non-empty string, placeholders filled.
Phrase = Annotated[str, AfterValidator(_not_blank), AfterValidator(_fill)]


class Item(BaseModel):
    """One topic: a short title, the answer, example questions and keywords.

    ``requires``, when given, lists words of which a question must hold one for this item
    to be its answer (a "why" topic: なぜ, どうして, 理由…); without one the question goes
    to another item. ``reject`` items (the ``[[reject]]`` tables) are topics hosho
    deliberately does not answer; they need no title or answer. Their ``decides`` words
    (保証証書の原本) send a question holding one to the fallback without being matched
    like keywords (保証証書 alone stays a topic hosho answers).

    ``cues`` and ``against`` tell close topics apart (a clerk viewing a certificate on
    D-Sure from a contractor viewing it in STEP3; a received notice from a refused key).
    Each is written ``a|b+c|d``: the question holds a or b, and c or d. Among the items
    hosho answers, one whose cue the question holds ranks CUE_BONUS higher, one whose
    ``against`` it holds CUE_BONUS lower; whether the question is answered at all does not
    change (see ``Index.rank``).
    """

    model_config = ConfigDict(frozen=True)

    id: Annotated[str, AfterValidator(_not_blank)]
    title: str = ""
    answer: str = ""
    questions: tuple[Phrase, ...] = ()
    keywords: tuple[Phrase, ...] = ()
    #: Questions people asked about this topic (``NAME.asked.toml``, see ``add_asked``).
    asked: tuple[str, ...] = ()
    requires: tuple[Phrase, ...] = ()
    decides: tuple[Phrase, ...] = ()
    cues: tuple[Phrase, ...] = ()
    against: tuple[Phrase, ...] = ()
    reject: bool = False

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return value.strip()

    @field_validator("answer")
    @classmethod
    def _answer(cls, value: str, info: ValidationInfo) -> str:
        text = _fill(value.strip(), info)
        if len(text) > MAX_ANSWER:
            raise ValueError(f"is {len(text)} characters (max {MAX_ANSWER})")
        return text

    @model_validator(mode="after")
    def _complete(self) -> Item:
        if not self.questions and not self.keywords:
            raise ValueError("needs questions or keywords")
        if not self.reject and not (self.title and self.answer):
            raise ValueError("is missing title or answer")
        return self


class _KnowledgeFile(BaseModel):
    """The TOML file: ``version``, ``starters``, ``anchors``, ``[[item]]`` and ``[[reject]]``
    tables."""

    version: int = 1
    #: Topics offered when a question is near none (ids of items, in order).
    starters: tuple[str, ...] = ()
    #: Words naming the service (see ``KnowledgeBase.anchors``).
    anchors: tuple[Phrase, ...] = ()
    item: tuple[Item, ...] = ()
    reject: tuple[Item, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _tag(cls, data: Any) -> Any:
        """Check the version first; mark each entry with the table it came from."""
        if not isinstance(data, dict):
            return data
        if data.get("version", 1) != 1:
            raise ValueError(f"unsupported version {data.get('version')!r}")
        tagged = dict(data)
        for table, reject in (("item", False), ("reject", True)):
            entries = data.get(table)
            if isinstance(entries, list):
                tagged[table] = [
                    {**e, "reject": reject} if isinstance(e, dict) else e for e in entries
                ]
        return tagged

    @model_validator(mode="after")
    def _consistent(self) -> _KnowledgeFile:
        seen: set[str] = set()
        for table, items in (("item", self.item), ("reject", self.reject)):
            for entry in items:
                if entry.id in seen:
                    raise ValueError(f"{table} {entry.id}: duplicate id")
                seen.add(entry.id)
        if not self.item:
            raise ValueError("no [[item]]")
        answerable = {entry.id for entry in self.item}
        if not all(s in answerable for s in self.starters):
            raise ValueError("starters must list ids of [[item]] entries")
        return self


def _entry_place(data: dict[str, Any]) -> Any:
    """Names an entry of ``[[item]]``/``[[reject]]`` by its id (``item what_is: answer``),
    or by its position when it has none (``item #3``)."""

    def place(loc: Location) -> str:
        if len(loc) < 2 or loc[0] not in ("item", "reject") or not isinstance(loc[1], int):
            return dotted(loc)
        entries = data.get(str(loc[0]))
        entry = entries[loc[1]] if isinstance(entries, list) else None
        ident = entry.get("id") if isinstance(entry, dict) else None
        named = isinstance(ident, str) and ident.strip()
        head = f"{loc[0]} {ident}" if named else f"{loc[0]} #{loc[1] + 1}"
        return f"{head}: {dotted(loc[2:])}" if len(loc) > 2 else head

    return place


def parse_knowledge(
    data: dict[str, Any], profile: Profile, source: str = "knowledge"
) -> KnowledgeBase:
    """Validate parsed TOML and fill every answer with the profile's facts.

    Any problem (missing field, duplicate id, unknown placeholder, an answer longer than
    MAX_ANSWER characters) is a ConfigError naming the file and the item.
    """
    try:
        parsed = _KnowledgeFile.model_validate(data, context={"facts": profile_facts(profile)})
    except ValidationError as err:
        raise config_error(f"knowledge {source}", err, _entry_place(data)) from None
    return KnowledgeBase(
        name=source,
        items=(*parsed.item, *parsed.reject),
        starters=parsed.starters,
        anchors=parsed.anchors,
    )


class _AskedFile(BaseModel):
    """``NAME.asked.toml``: questions people asked, by item id (``[asked]``)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    asked: dict[str, tuple[Annotated[str, AfterValidator(_not_blank)], ...]] = {}


def add_asked(kb: KnowledgeBase, data: dict[str, Any], source: str = "asked") -> KnowledgeBase:
    """The knowledge base with the questions of an ``asked`` file added to its items'
    ``asked`` examples.

    Questions people asked, written by others than the knowledge base's authors, teach
    the matcher the ways a topic is asked: they are examples like the authored questions,
    but a word found only in them gets a smaller credit (``index.ASKED_CREDIT``: a long
    mail's every word is not the topic's). Under a ``[[reject]]`` id they teach what to
    refuse. An id no item has is a ConfigError naming it.
    """
    try:
        parsed = _AskedFile.model_validate(data)
    except ValidationError as err:
        raise config_error(f"knowledge {source}", err) from None
    known = {item.id for item in kb.items}
    unknown = sorted(set(parsed.asked) - known)
    if unknown:
        raise ConfigError(f"knowledge {source}: asked: no item with id {unknown[0]!r}")
    items = tuple(
        item.model_copy(update={"asked": (*item.asked, *parsed.asked[item.id])})
        if parsed.asked.get(item.id)
        else item
        for item in kb.items
    )
    return dataclasses.replace(kb, items=items)


def _read_toml(name: str) -> dict[str, Any] | None:
    """A packaged data file's TOML (``None`` when there is no such file)."""
    path = resources.files("hosho.core.qa").joinpath("data", f"{name}.toml")
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"knowledge {name}: invalid TOML: {err}") from None


def load_knowledge(profile: Profile) -> KnowledgeBase:
    """Load the profile's knowledge file (``profile.knowledge``) and fill it for the profile;
    the questions of ``NAME.asked.toml``, when there is one, are added to its items."""
    name = profile.knowledge
    data = _read_toml(name)
    if data is None:
        raise ConfigError(f"profile {profile.id}: knowledge file {name}.toml not found")
    kb = parse_knowledge(data, profile, source=name)
    asked = _read_toml(f"{name}.asked")
    return kb if asked is None else add_asked(kb, asked, source=f"{name}.asked")

"""Finding the 保証契約番号 and the 認証キー in text extracted from a PDF.

Works on any layout: hosho's own notice, a surety company's own PDF with other wording, a
table, full-width digits and letters (ＡＢＣＤ－１２３４), and the spaces pypdf puts
between CJK characters. Text is NFKC-normalised, every white space removed and every
hyphen look-alike turned into "-" before matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hosho.core.errors import DocumentError
from hosho.core.rules.kinds import KINDS
from hosho.core.text import HYPHENS, nfkc, normalize_number, squeeze

#: Name of the file embedded in hosho's PDFs carrying the machine-readable copy.
MACHINE_FILE = "hosho-document.json"
#: Value of its "schema" field.
MACHINE_SCHEMA = "hosho.document/1"


def checked_key(key: str) -> str:
    """A 認証キー normalised to XXXX-XXXX-XXXX-XXXX; DocumentError unless it has 16 ASCII
    letters or digits."""
    plain = normalize_number(key).replace("-", "")
    if len(plain) != 16 or not plain.isascii() or not plain.isalnum():
        raise DocumentError("認証キーの形式が正しくありません (auth key is not 16 letters/digits)")
    return "-".join(plain[i : i + 4] for i in range(0, 16, 4))


# Hyphen look-alikes mapped one-to-one to "-" (and a-z to A-Z): positions in the mapped
# text stay those of the squeezed text, so labels are matched in the one and values read
# from the other.
_TO_VALUE = str.maketrans(
    {**{h: "-" for h in HYPHENS}, **{chr(c): chr(c - 32) for c in range(97, 123)}}
)

# Specific labels first: a notice may also quote the works contract's own 契約番号, so
# another company's word for the number (証券番号, 保証番号) comes before that one.
_NUMBER_LABELS = (
    re.compile(r"保証契約番号|保証証書番号|証書番号"),
    re.compile(r"保証証券番号|証券番号|保証番号"),
    re.compile(r"契約番号"),
)
_KEY_LABEL = re.compile(r"認証キー|認証key|認証KEY", re.IGNORECASE)
# After a label: an optional gloss in brackets and separators (a colon, a leader of dots,
# middle dots, rules or underscores), then the value.
_GAP = r"(?:[（(][^）)]{0,12}[）)])?[:：=\]】」』\-.・·_─━]*(?:は|第)?"
# A 保証契約番号: digits and inner hyphens, optionally after a short letter prefix. Letters
# after the digits are not part of it (squeezed text runs the next word on: "…2345PAGE1").
_NUMBER_VALUE = re.compile(_GAP + r"((?:[A-Z]{1,3}-?)?[0-9](?:[0-9]|-(?=[0-9])){3,60})")
_KEY_VALUE = re.compile(
    _GAP + r"([0-9A-Z]{4})-?([0-9A-Z]{4})-?([0-9A-Z]{4})-?([0-9A-Z]{4})(?![0-9A-Z])"
)
_KEY_ANYWHERE = re.compile(
    r"(?<![0-9A-Z-])([0-9A-Z]{4})-([0-9A-Z]{4})-([0-9A-Z]{4})-([0-9A-Z]{4})(?![0-9A-Z-])"
)
_CERT_TITLE = re.compile(r"(?:中間前払金|前払金|契約)保証証書")
_NOTICE_TITLE = re.compile(r"認証キー」?等のお知らせ|認証キー(?:の)?(?:通知|お知らせ)")


@dataclass(frozen=True)
class TextFindings:
    """What the text says: number and key (or None) and whether it looks like a certificate."""

    contract_number: str | None
    auth_key: str | None
    looks_like_notice: bool
    looks_like_certificate: bool
    has_text: bool
    several: bool = False  # more than one key: several notices in one PDF
    several_numbers: bool = False  # more than one 保証契約番号 (under the same label)


def _all_after(label: re.Pattern[str], value: re.Pattern[str], text: str, mapped: str) -> list[str]:
    """Every distinct key right after a key label, in order."""
    keys: dict[str, None] = {}
    for found in label.finditer(text):
        match = value.match(mapped, found.end())
        if match:
            keys.setdefault(_key_of(match))
    return list(keys)


def _key_of(match: re.Match[str]) -> str:
    return "-".join(match.group(i) for i in range(1, 5))


_LONE_NUMBER = re.compile(r"[0-9](?:[0-9]|-(?=[0-9])){5,63}")


def _lone_number(raw: str, key: str | None) -> str | None:
    """The one number-like token in the text (a table read column by column), else None."""
    tokens = nfkc(raw).translate(_TO_VALUE).split()
    found = {t for t in tokens if _LONE_NUMBER.fullmatch(t)}
    if key:
        found.discard(key)
    return found.pop() if len(found) == 1 else None


def find_in_text(raw: str) -> TextFindings:
    """Read number, key and the kind of document from extracted text."""
    text = squeeze(raw)
    mapped = text.translate(_TO_VALUE)
    keys = _all_after(_KEY_LABEL, _KEY_VALUE, text, mapped)
    key = keys[0] if keys else None
    if key is None:
        spaced = nfkc(raw).translate(_TO_VALUE)  # white space kept: tokens stay apart
        anywhere = {_key_of(m) for m in _KEY_ANYWHERE.finditer(spaced)}
        if len(anywhere) == 1 and _KEY_LABEL.search(text):
            key = anywhere.pop()
    number, numbers = None, set()
    for label in _NUMBER_LABELS:
        for found in label.finditer(text):
            match = _NUMBER_VALUE.match(mapped, found.end())
            if match and (key is None or match.group(1).replace("-", "") != key.replace("-", "")):
                value = match.group(1).rstrip("-")
                number = number or value
                numbers.add(value.replace("-", ""))
        if number is not None:
            break
    if number is None and any(label.search(text) for label in _NUMBER_LABELS):
        number = _lone_number(raw, key)
    return TextFindings(
        several=len(keys) > 1,
        several_numbers=len(numbers) > 1,
        contract_number=number,
        auth_key=key,
        looks_like_notice=bool(_NOTICE_TITLE.search(text)),
        looks_like_certificate=bool(_CERT_TITLE.search(text))
        or ("電子証書" in text and number is not None and not _NOTICE_TITLE.search(text)),
        has_text=bool(text),
    )


# What a notice prints beside number and key (ledger mode registers from it): a label, then
# its value up to the next label of the notice's table.
_DETAIL_LABELS = {
    "kind": re.compile(r"保証の種類|保証種類|保証種別"),
    "orderer": re.compile(r"発注者(?:名)?"),
    "project_name": re.compile(r"工事名|業務名|工事件名"),
}
_NEXT_LABEL = re.compile(
    r"保証契約番号|保証の種類|保証種類|発注者|工事名|業務名|工事件名|保証金額|保証期間|"
    r"請負代金額|契約金額|受注者|認証キー|工事場所|契約日|記$|以上"
)
#: A label followed by one of these is a word in a sentence, not a table cell.
_NOT_A_VALUE = set("がはをにのへとでも用様(（「・、。")
#: Longest first: 中間前払金保証 before 前払金保証, 契約保証予約 before 契約保証.
_KINDS_LONGEST = sorted(KINDS, key=len, reverse=True)


def find_details(raw: str) -> dict[str, str | None]:
    """保証の種類 (kind), 発注者 (orderer) and 工事名 (project_name) as the notice prints
    them, each None when not printed (values capped; the kind only when it is a known one)."""
    text = squeeze(raw)
    found: dict[str, str | None] = dict.fromkeys(_DETAIL_LABELS)
    for name, label in _DETAIL_LABELS.items():
        for match in label.finditer(text):
            rest = text[match.end() :].lstrip(":：")
            end = _NEXT_LABEL.search(rest)
            value = rest[: end.start() if end else 100][:100].strip()
            if value and value[0] not in _NOT_A_VALUE:  # 「発注者が…」 is prose, not a cell
                found[name] = value
                break
    kind = found["kind"]
    found["kind"] = next((k for k in _KINDS_LONGEST if kind and kind.startswith(k)), None)
    return found

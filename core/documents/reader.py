"""Reading a PDF someone sent: is it a 認証キー等のお知らせ, a 電子証書 (STEP3 file), or unknown?

``parse_pdf(data)`` is what the mail front end calls for each attachment. It never raises
for bad input: empty, random bytes, truncated, encrypted, decompression bombs or absurd
nesting give ``document="unknown"`` with a ``reason`` a person can act on.

Order of evidence: the machine-readable copy hosho embeds (``hosho-document.json``), then
the text (any producer and layout, see ``extraction``), then, for a scan (images, no text:
``SCANNED``) or a photo, OCR (``ocr``, asked by the worker). A complete embedded copy
answers alone (no text extraction, ~1 ms); the mail front end checks number and key against
the database anyway.

Isolation: by default the parse runs in a long-lived worker process (``worker``) with a
memory rlimit, and the caller waits at most ``PARSE_TIMEOUT`` seconds; a worker that
overruns or dies is killed and replaced. In-process parsing (``read_pdf``) applies
pypdf's own limits lowered for small notices, an input size cap and a page cap.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from io import BytesIO
from typing import Any

#: Largest PDF accepted (a notice is ~40 KB).
MAX_PDF_BYTES = 8 * 1024 * 1024
#: Pages looked at (a notice has one).
MAX_PAGES = 4
#: Text kept per page (characters).
MAX_TEXT = 20_000
#: Largest embedded JSON read.
MAX_EMBEDDED = 16 * 1024
#: Seconds a caller waits for the isolated parse.
PARSE_TIMEOUT = 1.5

DOCUMENTS = ("auth_key_notice", "certificate", "unknown")
#: The reason for a PDF without text or images.
NO_TEXT = "PDFに文字がありません / the PDF has no text"
#: The reason for a PDF of images without text (a scan: the worker then tries OCR, ``ocr.py``).
SCANNED = "PDFに文字がなく画像だけです（スキャン） / the PDF has no text, only images (a scan?)"
#: What every PDF file carries near its start.
PDF_MAGIC = b"%PDF-"
#: The smallest input that makes the reader import and set up pypdf (for warm-ups).
WARM_UP_PDF = PDF_MAGIC + b"1.4\n"


def looks_like_pdf(data: bytes) -> bool:
    """Sniff the bytes: a PDF has ``%PDF-`` within its first KB, whatever it is called."""
    return PDF_MAGIC in data[:1024]


@dataclass(frozen=True)
class ParsedDocument:
    """What a PDF is. ``document`` is auth_key_notice, certificate or unknown.

    ``contract_number`` is the 保証契約番号 and ``auth_key`` the 認証キー, normalised
    (XXXX-XXXX-XXXX-XXXX); ``reason`` says in Japanese and English why it is unknown (or
    what was odd); ``source`` is ``embedded`` or ``text`` (where the values came from).
    ``kind`` (保証の種類), ``orderer`` (発注者) and ``project_name`` (工事名) are what a
    notice prints, when it does (ledger mode registers from them).
    """

    document: str
    contract_number: str | None = None
    auth_key: str | None = None
    reason: str = ""
    source: str | None = None
    kind: str | None = None
    orderer: str | None = None
    project_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return asdict(self)

    def to_json(self) -> str:
        """One line of JSON (non-ASCII kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedDocument:
        """Inverse of to_dict (unknown keys ignored)."""
        names = ("contract_number", "auth_key", "source", "kind", "orderer", "project_name")
        fields = {k: data.get(k) for k in names}
        return cls(
            document=str(data.get("document", "unknown")),
            reason=str(data.get("reason") or ""),
            **fields,
        )


def unknown(reason: str) -> ParsedDocument:
    """An unknown document with this reason."""
    return ParsedDocument(document="unknown", reason=reason)


# Limits for pypdf, far below its defaults: a notice has one page and a few small streams.
_PYPDF_LIMITS: dict[str, Any] = {
    "maximum_declared_stream_length": 4_000_000,
    "array_based_stream_maximum_output_length": 8_000_000,
    "array_maximum_element_count": 20_000,
    "dictionary_maximum_element_count": 5_000,
    "jbig2_maximum_output_length": 8_000_000,
    "lzw_maximum_output_length": 8_000_000,
    "run_length_maximum_output_length": 8_000_000,
    "zlib_maximum_output_length": 8_000_000,
    "zlib_maximum_recovery_input_length": 1_000_000,
    "brotli_maximum_output_length": 8_000_000,
    "image_maximum_buffer_size": 8_000_000,
    "stream_decoding_work_maximum_length": 16_000_000,
    "stream_parsing_work_maximum_count": 200_000,
    "xmp_maximum_input_length": 200_000,
    "outline_maximum_entries": 1_000,
    "page_tree_maximum_entries": 1_000,
    "page_tree_maximum_depth": 20,
    "page_tree_maximum_page_entries": 10_000,
    "form_fields_maximum_entries": 1_000,
    "named_destinations_maximum_entries": 1_000,
    "xform_maximum_invocations_per_extraction": 200,
    "xfa_decoding_work_maximum_length": 8_000_000,
    "jbig2dec_binary": None,
    "disable_legacy_handling": True,
}


def _embedded(reader: Any) -> dict[str, Any] | None:
    """hosho's machine-readable copy, if the PDF carries one."""
    from hosho.core.documents.finding import MACHINE_FILE, MACHINE_SCHEMA

    attachments = reader.attachments
    if MACHINE_FILE not in attachments:
        return None
    blobs = attachments[MACHINE_FILE]
    if not blobs or len(blobs[0]) > MAX_EMBEDDED:
        return None
    try:
        data = json.loads(bytes(blobs[0]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("schema") != MACHINE_SCHEMA:
        return None
    return data


def _printed(embedded: dict[str, Any], name: str) -> str | None:
    """A detail of the embedded copy (kind, orderer, project name) as text, or None."""
    value = embedded.get(name)
    return str(value)[:400] if value else None


def _from_embedded(embedded: dict[str, Any]) -> ParsedDocument | None:
    """The answer from hosho's own embedded copy, when it is complete."""
    from hosho.core.documents.finding import checked_key
    from hosho.core.errors import DocumentError
    from hosho.core.text import normalize_number

    document = embedded.get("document")
    number = normalize_number(str(embedded.get("contract_number") or "")) or None
    key = embedded.get("auth_key")
    if document == "auth_key_notice" and number and isinstance(key, str):
        try:
            return ParsedDocument(
                "auth_key_notice",
                number,
                checked_key(key),
                source="embedded",
                kind=_printed(embedded, "kind"),
                orderer=_printed(embedded, "orderer"),
                project_name=_printed(embedded, "project_name"),
            )
        except DocumentError:
            return None
    if document == "certificate" and number:
        return ParsedDocument("certificate", number, None, source="embedded")
    return None


def _decide(text: str) -> ParsedDocument:
    """Classify from the extracted text alone (a PDF laid out by someone else)."""
    from hosho.core.documents.finding import find_details, find_in_text

    found = find_in_text(text)
    if found.several and found.auth_key:
        return unknown(
            "1つのPDFに複数の認証キーがあります。1件ずつ別のPDFでお送りください"
            " / several auth keys in one PDF; send one notice per PDF"
        )
    if found.several_numbers and found.auth_key:  # never one notice's number with another's key
        return unknown(
            "1つのPDFに複数の保証契約番号があります。1件ずつ別のPDFでお送りください"
            " / several contract numbers in one PDF; send one notice per PDF"
        )
    if found.auth_key and found.contract_number:
        details = find_details(text)
        return ParsedDocument(
            "auth_key_notice",
            found.contract_number,
            found.auth_key,
            source="text",
            kind=details["kind"],
            orderer=details["orderer"],
            project_name=details["project_name"],
        )
    if found.auth_key or (found.looks_like_notice and not found.looks_like_certificate):
        return unknown(
            "認証キー等のお知らせのようですが、保証契約番号または認証キーが読み取れません"
            " / looks like a notice but the contract number or auth key cannot be read"
        )
    if found.looks_like_certificate:
        return ParsedDocument("certificate", found.contract_number, None, source="text")
    if not found.has_text:
        return unknown(NO_TEXT)
    return unknown(
        "認証キー等のお知らせではありません（保証契約番号と認証キーが見つかりません）"
        " / not an auth key notice: no contract number and auth key found"
    )


def _read_text(reader: Any, data: bytes) -> ParsedDocument:
    """The answer of the first reading that finds a whole notice (see ``extraction``),
    else of pypdf's own reading."""
    from hosho.core.documents.extraction import readings

    first: ParsedDocument | None = None
    for text in readings(reader, data, MAX_PAGES, MAX_TEXT):
        answer = _decide(text)
        if first is None:
            first = answer
            if answer.document == "certificate" or "several" in answer.reason:
                return answer
        if answer.document == "auth_key_notice":
            return answer
    assert first is not None
    if first.reason == NO_TEXT and _has_images(reader):
        return unknown(SCANNED)
    return first


def _has_images(reader: Any) -> bool:
    """Whether the first pages draw images (read from their resources, not their content)."""
    try:
        for page in reader.pages[:2]:
            resources = page.get("/Resources")
            objects = resources.get_object().get("/XObject") if resources else None
            for ref in list(objects.get_object().values())[:16] if objects else []:
                if ref.get_object().get("/Subtype") == "/Image":
                    return True
    except (AttributeError, TypeError, KeyError, ValueError):
        return False
    return False


def read_pdf(data: bytes) -> ParsedDocument:
    """Parse in this process, with pypdf's limits lowered; never raises for bad input."""
    if not data:
        return unknown("ファイルが空です / the file is empty")
    if len(data) > MAX_PDF_BYTES:
        return unknown(
            f"PDFが大きすぎます（上限 {MAX_PDF_BYTES // 1_048_576} MB） / the PDF is too large"
        )
    if not looks_like_pdf(data):
        return unknown("PDFファイルではありません / not a PDF file")
    try:
        import logging

        import pypdf
        from pypdf.errors import FileNotDecryptedError

        # pypdf logs a warning for every oddity of a broken file (thousands for a hostile
        # one); the answer's reason says what matters.
        logging.getLogger("pypdf").setLevel(logging.ERROR)

        with pypdf.apply_configuration(**_PYPDF_LIMITS):
            reader = pypdf.PdfReader(BytesIO(data), strict=False, root_object_recovery_limit=200)
            if reader.is_encrypted:
                try:
                    if not reader.decrypt(""):
                        raise FileNotDecryptedError("password needed")
                except Exception:  # noqa: BLE001 - any failure: the PDF stays unreadable
                    return unknown(
                        "PDFにパスワード（暗号化）がかかっていて読めません"
                        " / the PDF is encrypted; send it without a password"
                    )
            embedded = _embedded(reader)
            answer = _from_embedded(embedded) if embedded is not None else None
            if answer is not None:  # hosho's own PDF: no need to extract the text
                return answer
            return _read_text(reader, data)
    except RecursionError:
        return unknown("PDFの構造が深すぎて読めません / the PDF nests too deeply")
    except MemoryError:
        return unknown("PDFが大きすぎて読めません / the PDF needs too much memory")
    except Exception as err:  # noqa: BLE001 - hostile input must never raise
        if type(err).__name__ == "LimitReachedError":
            return unknown(
                "PDFが大きすぎるか複雑すぎて読めません / the PDF exceeds the parser's limits"
            )
        return unknown(f"PDFが壊れていて読めません / the PDF is broken ({type(err).__name__})")


def parse_pdf(data: bytes, *, isolated: bool = True) -> ParsedDocument:
    """Read a PDF someone sent, or a scan or photo of one (JPEG, PNG, image-only PDF: OCR,
    ``ocr.py``). Never raises for bad input; at most about 2 s for a PDF with text.

    ``isolated`` (default) parses in the shared worker process (memory-limited, killed on
    timeout); False parses in this process (faster to start, no hard time bound).
    """
    if len(data) == 0 or len(data) > MAX_PDF_BYTES:
        return read_pdf(data)  # empty or too large: said without reading
    if not isolated:
        from hosho.core.documents.ocr import read_document

        return read_document(data)
    from hosho.core.documents.worker import shared_worker

    return shared_worker().parse(data)

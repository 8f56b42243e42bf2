"""Reading a scanned or photographed notice by OCR (光学文字認識, optical character recognition).

A contractor may print the 認証キー等のお知らせ and scan it (an image-only PDF), or take a
photo of it (JPEG, PNG). Tesseract with its Japanese data reads it here, through the
``tesseract`` command (``apt-get install tesseract-ocr tesseract-ocr-jpn``). It is optional:
without the engine such a file is ``unknown`` with a reason asking for the PDF from STEP4
as downloaded.

The page is read in Japanese (labels, number); the line that looks like the key is then read
again alone, in Latin script with only a key's characters allowed, which tells Q from 0 and
W from M far better. What OCR reads is never trusted as read: the answer carries
``source="ocr"`` and the decision accepts a key only when it equals the imported key after
folding look-alikes (:func:`same_key_folded`); anything else waits for a person.

This runs inside the isolated worker (``worker.py``): the engine is a child process with
its own wall-time and memory limits (``OcrLimits``, settings ``HOSHO_OCR_*``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from typing import Any

from hosho.core.documents.reader import NO_TEXT, SCANNED, ParsedDocument, read_pdf, unknown

#: The image types read as a scan or photo of a notice.
PHOTO_TYPES = ("image/jpeg", "image/png")
#: Smaller images are not looked at (a logo or an icon in a signature, not a page).
MIN_PHOTO_BYTES = 10_000
#: Magic bytes of the image files read (JPEG, PNG).
_JPEG, _PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
#: Largest image decoded (pixels): an A4 page at 300 dpi is 8.7 M; a phone photo 12-50 M.
MAX_PIXELS = 60_000_000
#: The longest side handed to the engine: about an A4 page at 200 dpi (more costs time and
#: reads no better).
MAX_SIDE = 2400
#: The shortest long side worth reading: about an A4 page at 100 dpi.
MIN_SIDE = 1100
#: Pages of an image-only PDF looked at (a notice has one).
MAX_SCAN_PAGES = 1
#: CPU seconds the worker may spend decoding and preparing the images of one file (the
#: engine's own time is bounded apart, ``OcrLimits.seconds`` a page); ~1 s for a page.
PREPARE_CPU_SECONDS = 8.0

#: Look-alikes a key read by OCR may hold instead of the printed character.
_LOOK_ALIKES = ("0O", "1Il", "8B", "5S", "2Z")
_CLASS = {c: group[0] for group in _LOOK_ALIKES for c in group}

NO_ENGINE = (
    "画像（スキャン・写真）は読み取れません。e-Net保証のSTEP4でダウンロードしたPDFを"
    "そのまま添付してください / images cannot be read here (no OCR engine); send the PDF"
    " downloaded at STEP4 as it is"
)
TOO_LONG = "画像の読み取りに時間がかかりすぎました / reading the image took too long"
NOTHING_READ = (
    "画像から保証契約番号と認証キーを読み取れませんでした"
    " / no contract number and auth key could be read from the image"
)


@dataclass(frozen=True)
class OcrLimits:
    """Whether OCR runs and the limits of one page: wall seconds and memory of the engine."""

    enabled: bool = True
    seconds: float = 20.0
    memory_mb: int = 512
    command: str = "tesseract"

    @classmethod
    def of(cls, settings: Any) -> OcrLimits:
        """From the settings HOSHO_OCR, HOSHO_OCR_SECONDS, HOSHO_OCR_MEMORY_MB."""
        return cls(settings.ocr, settings.ocr_seconds, settings.ocr_memory_mb)

    def to_env(self) -> dict[str, str]:
        """The limits as environment variables (for the worker process)."""
        return {
            "HOSHO_OCR": "1" if self.enabled else "0",
            "HOSHO_OCR_SECONDS": str(self.seconds),
            "HOSHO_OCR_MEMORY_MB": str(self.memory_mb),
            "HOSHO_OCR_COMMAND": self.command,
        }

    @classmethod
    def from_env(cls) -> OcrLimits:
        """Inverse of to_env (defaults for what is missing)."""
        return cls(
            os.environ.get("HOSHO_OCR", "1") != "0",
            float(os.environ.get("HOSHO_OCR_SECONDS", cls.seconds)),
            int(os.environ.get("HOSHO_OCR_MEMORY_MB", cls.memory_mb)),
            os.environ.get("HOSHO_OCR_COMMAND", cls.command),
        )


def looks_like_image(data: bytes) -> bool:
    """A JPEG or PNG file, by its first bytes."""
    return data.startswith((_JPEG, _PNG))


@lru_cache(maxsize=4)
def languages(command: str = "tesseract") -> frozenset[str] | None:
    """The engine's languages (None: no engine here)."""
    path = shutil.which(command)
    if path is None:
        return None
    try:
        listed = subprocess.run(
            [path, "--list-langs"], capture_output=True, timeout=10, check=False
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        return None
    return frozenset(listed.split())


def engine_problem(command: str = "tesseract") -> str | None:
    """Why OCR cannot run here (no engine, no Japanese data), or None when it can."""
    found = languages(command)
    if found is None:
        return f"{command} is not installed (apt-get install tesseract-ocr tesseract-ocr-jpn)"
    if "jpn" not in found:
        return "Tesseract has no Japanese data (apt-get install tesseract-ocr-jpn)"
    return None


def what_is_off(limits: OcrLimits) -> str | None:
    """The start-up line when OCR is wanted but cannot run here, else None."""
    problem = engine_problem(limits.command) if limits.enabled else None
    if problem is None:
        return None
    return (
        f"OCR of scans and photos is off: {problem}; they are answered 'unreadable' with a"
        " request for the STEP4 PDF (HOSHO_OCR=false to turn OCR off knowingly)"
    )


def same_key_folded(read: str, key: str) -> bool:
    """Whether a key read by OCR is ``key``: equal position by position, where a character
    may stand for its look-alike (0/O, 1/I/l, 8/B, 5/S, 2/Z) of the key's character."""
    read, key = read.replace("-", ""), key.replace("-", "").upper()
    if len(read) != len(key):
        return False
    for got, want in zip(read, key, strict=True):
        if got.upper() == want:
            continue
        group = _CLASS.get(got, _CLASS.get(got.upper()))
        if group is None or group != _CLASS.get(want):
            return False
    return True


def _open_image(data: bytes) -> Any:
    from PIL import Image, ImageOps

    with warnings.catch_warnings():  # more pixels than MAX_PIXELS: refused, not decoded
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        image = Image.open(BytesIO(data))
    image.load()
    return ImageOps.exif_transpose(image)


def scan_images(data: bytes) -> list[Any]:
    """The page images of a photo, or of an image-only PDF (its largest image per page)."""
    if looks_like_image(data):
        return [_open_image(data)]
    import pypdf

    from hosho.core.documents.reader import _PYPDF_LIMITS

    images = []
    limits = {**_PYPDF_LIMITS, "image_maximum_buffer_size": MAX_PIXELS}  # a page at 300 dpi
    with pypdf.apply_configuration(**limits):
        reader = pypdf.PdfReader(BytesIO(data), strict=False)
        for page in reader.pages[:MAX_SCAN_PAGES]:
            found = list(page.images[:8])
            if found:
                largest = max(found, key=lambda f: len(f.data))
                images.append(_open_image(largest.data) if largest.image is None else largest.image)
    return images


def prepared(image: Any) -> bytes:
    """Grey, scaled to a page the engine reads well, contrast stretched, turned upright,
    table rules and dust removed; as PNG bytes."""
    from PIL import Image, ImageFilter, ImageOps

    grey = ImageOps.grayscale(image.convert("RGB") if image.mode in ("P", "CMYK") else image)
    side = max(grey.size)
    if side > MAX_SIDE or side < MIN_SIDE:
        scale = (MAX_SIDE if side > MAX_SIDE else MIN_SIDE * 1.5) / side
        size = (round(grey.width * scale), round(grey.height * scale))
        grey = grey.resize(size, Image.Resampling.LANCZOS)
    # the darkest ink stays (a page is mostly paper), the paper becomes white
    grey = _deskewed(ImageOps.autocontrast(grey, cutoff=(0.1, 2)))
    # rules out before the dust: a median filter would break a thin rule into dashes
    grey = _rules_removed(grey).filter(ImageFilter.MedianFilter(3))
    out = BytesIO()
    grey.save(out, format="PNG", compress_level=1)
    return out.getvalue()


#: Skew angles tried first (degrees): a page put on a scanner or photographed by hand.
_ANGLES = [a / 2 for a in range(-10, 11)]


def _sharpness(image: Any, angle: float) -> float:
    """How sharp the text lines are with the image turned by ``angle``: the variance of the
    rows' darkness in the middle of the page (straight lines of text give dark rows and
    white gaps)."""
    from PIL import Image

    turned = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    width, height = turned.size  # the middle only: a photo's dark corners are not text
    turned = turned.crop((width // 6, height // 8, width - width // 6, height - height // 8))
    rows = list(turned.resize((1, turned.height), Image.Resampling.BOX).tobytes())
    mean = sum(rows) / len(rows)
    return float(sum((r - mean) ** 2 for r in rows))


def _deskewed(grey: Any) -> Any:
    """The page turned upright: the angle of the sharpest text lines, found in half degrees
    on a small copy, then in tenths on a larger one."""
    from PIL import Image

    def copy(side: int) -> Any:
        scale = side / max(grey.size)
        return grey.resize((round(grey.width * scale), round(grey.height * scale)))

    small = copy(500)
    coarse = max(_ANGLES, key=lambda a: (_sharpness(small, a), -abs(a)))
    larger = copy(1000)
    fine = [coarse + step / 10 for step in range(-4, 5)]
    best = max(fine, key=lambda a: (_sharpness(larger, a), -abs(a)))
    if abs(best) < 0.05:
        return grey
    return grey.rotate(best, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def _opened(ink: Any, length: int, across: bool) -> Any:
    """Morphological opening of ``ink`` (0 ink, 255 paper) by a line of ``length`` pixels:
    only ink that runs unbroken that far (horizontally when ``across``) stays. Erosion
    and dilation by shifts that double (log2(length) steps each)."""
    from PIL import ImageChops

    def shifted(image: Any, by: int) -> Any:
        return ImageChops.offset(image, by, 0) if across else ImageChops.offset(image, 0, by)

    # a thin rule scanned at a slant wobbles by a pixel: thicken it across first
    thick = ink
    for by in (1, -1):
        thick = ImageChops.darker(
            thick, ImageChops.offset(ink, 0, by) if across else ImageChops.offset(ink, by, 0)
        )
    eroded, step = thick, 1
    while step * 2 <= length:
        eroded = ImageChops.lighter(eroded, shifted(eroded, step))
        step *= 2
    eroded = ImageChops.lighter(eroded, shifted(eroded, length - step))
    grown, step = eroded, 1
    while step * 2 <= length:
        grown = ImageChops.darker(grown, shifted(grown, -step))
        step *= 2
    return ImageChops.darker(grown, shifted(grown, -(length - step)))


def _rules_removed(grey: Any) -> Any:
    """Table rules whitened: ink that runs unbroken much longer than a character, across
    or down the page (the engine reads rules as 「|」 and 「一」)."""
    from PIL import ImageChops, ImageFilter

    width, height = grey.size
    ink = grey.point(lambda p: 0 if p < 190 else 255)  # not a cell's light shading
    rules = ImageChops.darker(
        _opened(ink, max(60, width // 10), across=True),
        _opened(ink, max(40, height // 25), across=False),
    ).filter(ImageFilter.MinFilter(3))  # and the grey edge beside them
    return ImageChops.lighter(grey, ImageChops.invert(rules))


#: How the page is read (Japanese, a column of lines of any size; words with their boxes).
PAGE = ("-l", "jpn", "--psm", "4", "tsv")
#: How the key's line is read again: one line, Latin script, only a key's characters.
KEY_LINE = (
    "-l",
    "eng",
    "--psm",
    "7",
    "-c",
    "tessedit_char_whitelist=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-",
)


def run_engine(png: bytes, limits: OcrLimits, how: tuple[str, ...] = PAGE) -> str:
    """The engine's output for one image (TimeoutError past ``limits.seconds``)."""
    path = shutil.which(limits.command) or limits.command
    memory = limits.memory_mb * 1024 * 1024

    def limit() -> None:  # in the child: its own address-space limit
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page: the machine is shared
    try:
        done = subprocess.run(
            [path, "stdin", "stdout", *how],
            input=png,
            capture_output=True,
            timeout=limits.seconds,
            preexec_fn=limit,  # noqa: PLW1509 - the worker has no threads
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise TimeoutError from err
    if done.returncode != 0:
        raise OSError(f"tesseract exited with {done.returncode}")
    return done.stdout.decode("utf-8", "replace")


# A 保証契約番号 read by OCR: letters standing for digits are folded (the key then decides).
_NUMBER_AFTER_LABEL = re.compile(r"(保証契約番号|証書番号)([\s:：]*)([0-9A-Za-z\-]{6,30})")
_TO_DIGIT = str.maketrans("OoIlBSsZz", "001185522")


def _fold_numbers(text: str) -> str:
    def fold(match: re.Match[str]) -> str:
        value = match.group(3)
        if sum(c.isdigit() for c in value) >= 4:
            value = value.translate(_TO_DIGIT)
        return match.group(1) + match.group(2) + value

    return _NUMBER_AFTER_LABEL.sub(fold, text)


#: What the engine makes of what is left of a table rule: read as a space.
_RULE_MARKS = str.maketrans(dict.fromkeys("|!¦[]", " "))


Box = tuple[int, int, int, int]


def _lines(tsv: str) -> list[tuple[str, Box]]:
    """The engine's lines (its words joined) with their boxes, from its TSV output."""
    words: dict[tuple[str, ...], list[str]] = {}
    boxes: dict[tuple[str, ...], Box] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != 12 or not cells[11].strip() or not cells[9].isdigit():
            continue
        left, top, width, height = (int(c) for c in cells[6:10])
        line = tuple(cells[1:5])  # page, block, paragraph, line
        words.setdefault(line, []).append(cells[11])
        l0, t0, r0, b0 = boxes.get(line, (left, top, left + width, top + height))
        boxes[line] = (min(l0, left), min(t0, top), max(r0, left + width), max(b0, top + height))
    return [(" ".join(words[line]), boxes[line]) for line in words]


_KEY_SHAPED = re.compile(r"[0-9A-Za-z]{3,5}-[0-9A-Za-z]{3,5}-[0-9A-Za-z]{3,5}-[0-9A-Za-z]{2,6}")
_KEY = re.compile(r"[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}")


def _key_reread(page: Any, lines: list[tuple[str, Box]], limits: OcrLimits) -> str | None:
    """The key read again from its own line (only a key's characters, Latin script), when
    exactly one line looks like a key and the second reading is a whole key."""
    from PIL import Image

    boxes = [box for text, box in lines if _KEY_SHAPED.search(text.replace(" ", ""))]
    if len(boxes) != 1:
        return None
    left, top, right, bottom = boxes[0]
    pad = max(6, (bottom - top) // 3)
    line = page.crop((max(0, left - pad), max(0, top - pad), right + pad, bottom + pad))
    line = line.resize((line.width * 2, line.height * 2), Image.Resampling.LANCZOS)
    out = BytesIO()
    line.save(out, format="PNG")
    read = run_engine(out.getvalue(), limits, KEY_LINE).strip().replace(" ", "")
    return read if _KEY.fullmatch(read) else None


def text_of(images: list[Any], limits: OcrLimits) -> tuple[str, str | None]:
    """The OCR text of page images, cleaned, and the key read again from its own line when
    that gives a whole key (raises for an image that cannot be read)."""
    from PIL import Image

    from hosho.core.documents.extraction import clean

    pages, key = [], None
    for image in images:
        png = prepared(image)
        lines = _lines(run_engine(png, limits))
        pages.append("\n".join(text for text, _ in lines))
        if key is None and "eng" in (languages(limits.command) or ()):
            key = _key_reread(Image.open(BytesIO(png)), lines, limits)
    # a bar is what is left of a table rule, never a 1 or an I
    text = clean("\n".join(pages)).replace("l", "I").translate(_RULE_MARKS)
    return _fold_numbers(text), key


def _broken(err: Exception) -> ParsedDocument:
    """Unknown: the image could not be decoded or read (``err`` names what failed)."""
    return unknown(f"画像が壊れていて読めません / the image cannot be read ({type(err).__name__})")


def read_scan(data: bytes, limits: OcrLimits | None = None) -> ParsedDocument:
    """A scan or photo read by OCR: number and key as read (``source="ocr"``), or unknown."""
    from PIL import Image

    from hosho.core.documents.finding import checked_key, find_in_text

    limits = limits or OcrLimits()
    try:
        images = scan_images(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError):
        return unknown("画像が大きすぎて読めません / the image is too large")
    except Exception as err:  # noqa: BLE001 - a broken or hostile image is just unreadable
        return _broken(err)
    if not images:
        return unknown(NO_TEXT)
    if not limits.enabled or engine_problem(limits.command) is not None:
        return unknown(NO_ENGINE)
    try:
        text, key_line = text_of(images, limits)
    except TimeoutError:
        return unknown(TOO_LONG)
    except Exception as err:  # noqa: BLE001 - a broken or hostile image is just unreadable
        return _broken(err)
    found = find_in_text(text)
    if found.several and found.auth_key:
        return unknown(
            "1つのファイルに複数の認証キーがあります。1件ずつお送りください"
            " / several auth keys in one file"
        )
    if found.looks_like_certificate and not found.auth_key and not found.looks_like_notice:
        return ParsedDocument("certificate", found.contract_number, None, source="ocr")
    if found.contract_number:  # the key may be missing or misread: the decision sees to it
        key = checked_key(key_line) if key_line else found.auth_key
        return ParsedDocument("auth_key_notice", found.contract_number, key, source="ocr")
    return unknown(NOTHING_READ)


def read_document(data: bytes, limits: OcrLimits | None = None) -> ParsedDocument:
    """In this process: a PDF by its text; a photo, or a PDF without text, by OCR."""
    if looks_like_image(data):
        return read_scan(data, limits)
    answer = read_pdf(data)
    if answer.reason == SCANNED:
        return read_scan(data, limits)
    return answer

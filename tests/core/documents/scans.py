"""Scans and photos made from real notice PDFs, as a contractor's scanner or phone makes them:
pages rendered by poppler's ``pdftoppm``, then turned a little, speckled, blurred, saved as an
image-only PDF or as a JPEG/PNG photo with Pillow."""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageFilter

from hosho.core.documents.ocr import engine_problem
from tests.conftest import require_or_skip


def require_ocr() -> None:
    """Skip (fail in CI) without pdftoppm and Tesseract with its Japanese data."""
    if shutil.which("pdftoppm") is None:
        require_or_skip("pdftoppm is not installed (apt-get install poppler-utils)")
    problem = engine_problem()
    if problem is not None:
        require_or_skip(problem)


def render(pdf: bytes, dpi: int) -> Image.Image:
    """The first page of ``pdf`` as a grey image (pdftoppm)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1"]
            + [str(source), str(Path(folder) / "page")],
            check=True,
            capture_output=True,
            timeout=60,
        )
        with Image.open(Path(folder) / "page.png") as page:
            return page.convert("L")


@dataclass(frozen=True)
class Scan:
    """How a page was scanned or photographed."""

    dpi: int = 150
    angle: float = 0.0  # degrees, counter-clockwise
    speckles: int = 0  # black dots of dust
    blur: float = 0.0  # Gaussian radius (a phone's focus)
    fmt: str = "PDF"  # PDF (image only), JPEG or PNG
    quality: int = 70  # JPEG quality


def scanned(pdf: bytes, scan: Scan) -> bytes:
    """``pdf``'s first page as a scan or photo."""
    page = render(pdf, scan.dpi)
    if scan.angle:
        page = page.rotate(scan.angle, Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    rng = random.Random(7)
    dots = page.load()
    assert dots is not None
    for _ in range(scan.speckles):
        dots[rng.randrange(page.width), rng.randrange(page.height)] = 0
    if scan.blur:
        page = page.filter(ImageFilter.GaussianBlur(scan.blur))
    out = BytesIO()
    if scan.fmt == "PDF":
        page.save(out, format="PDF", resolution=scan.dpi)
    elif scan.fmt == "JPEG":
        page.save(out, format="JPEG", quality=scan.quality)
    else:
        page.save(out, format=scan.fmt)
    return out.getvalue()

"""Kana readings of knowledge-base words (janome), with a packaged seed and a user cache.

The matcher needs the reading of each title and keyword (電子保証 → デンシホショウ) to
understand questions typed in kana. janome (a pure-Python tokenizer shipping its own
dictionary) gives them, but loading its dictionary and reading a knowledge base takes
~0.3 s, too slow for ``hosho ask`` start-up. So readings come, in order, from:

1. the seed shipped next to the knowledge file (``knowledge/<name>.readings.toml``),
   generated with ``python -m hosho.core.qa.readings`` after editing a knowledge file;
2. a per-user cache (``$XDG_CACHE_HOME/hosho/``, keyed by janome's version);
3. janome itself, for whatever is still missing (then written to the cache).

Seed and cache are optimisations only: a stale or unwritable one costs time, not answers.
Readings are stored as janome gives them (katakana); callers fold them.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

Tokens = list[tuple[str, str]]


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from janome.tokenizer import Tokenizer  # imported lazily: ~0.2 s to load the dictionary

    return Tokenizer()


def reading_tokens(text: str) -> Tokens:
    """(surface, reading) of each word of a text; unknown words keep their surface."""
    out = []
    for token in _tokenizer().tokenize(text):
        kana = token.reading if token.reading and token.reading != "*" else token.surface
        out.append((str(token.surface), str(kana)))
    return out


def _seed_path(name: str) -> Any:
    return resources.files("hosho.core.qa").joinpath("data", f"{name}.readings.toml")


@lru_cache(maxsize=8)
def load_seed(name: str) -> dict[str, Tokens]:
    """The packaged readings of knowledge file ``name`` (empty if none or unreadable)."""
    path = _seed_path(name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    table = data.get("readings", {})
    return {k: [(str(a), str(b)) for a, b in v] for k, v in table.items() if isinstance(v, list)}


def _cache_path() -> Path:
    from janome import __version__ as janome_version  # small module, no dictionary load

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hosho" / f"readings-v4-janome-{janome_version}.json"


def readings(texts: Iterable[str], seed: str | None = None) -> dict[str, Tokens]:
    """``reading_tokens`` of many texts: from the seed, else the cache, else janome."""
    known = load_seed(seed) if seed else {}
    wanted = set(texts)
    found = {t: known[t] for t in wanted if t in known}
    rest = wanted - found.keys()
    if not rest:
        return found
    path = _cache_path()
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(cached, dict):
            cached = {}
    except (OSError, ValueError):
        cached = {}
    missing = [t for t in rest if not isinstance(cached.get(t), list)]
    if missing:
        cached.update({t: reading_tokens(t) for t in missing})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(cached, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass
    found.update({t: [(str(a), str(b)) for a, b in cached[t]] for t in rest})
    return found


def seed_texts(name: str) -> set[str]:
    """Every title and keyword of knowledge file ``name``, filled in for each profile using it."""
    from hosho.core.qa.knowledge import load_knowledge
    from hosho.core.rules.profile import available_profiles, load_profile

    texts: set[str] = set()
    for profile_name in available_profiles():
        profile = load_profile(profile_name)
        if profile.knowledge == name:
            for item in load_knowledge(profile).items:
                texts.update(t for t in (item.title, *item.keywords) if t)
    return texts


def write_seed(name: str, folder: Path) -> Path:
    """Write ``<folder>/<name>.readings.toml`` with janome's readings of ``seed_texts``."""
    lines = [
        f"# Kana readings of the titles and keywords of {name}.toml (janome), so that",
        "# start-up needs no tokenizer. Generated: python -m hosho.core.qa.readings",
        "[readings]",
    ]
    for text in sorted(seed_texts(name)):
        tokens = json.dumps(reading_tokens(text), ensure_ascii=False)
        lines.append(f"{json.dumps(text, ensure_ascii=False)} = {tokens}")
    path = folder / f"{name}.readings.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Regenerate the seed of every knowledge file in the source tree's knowledge folder."""
    folder = Path(__file__).resolve().parent / "data"
    names = argv if argv else sorted(p.stem for p in folder.glob("*.toml") if "." not in p.stem)
    for name in names:
        print(write_seed(name, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

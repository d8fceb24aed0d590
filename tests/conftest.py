"""Shared fixtures: where the built editions are, and how to read them.

The tests read the real outputs of `./handbook test` (which builds them first): the book in
_build/ and the kitchen-sink fixture in _build/kitchen-sink/. A missing output is a failure.
"""

from __future__ import annotations

import re
import sys
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from editions import BASENAME, FIXTURE_URL  # noqa: E402


@dataclass(frozen=True)
class Edition:
    """One built project (the book or the kitchen sink) and its sources."""

    name: str
    source: Path
    out: Path
    globs: tuple[str, ...]
    url: str = ""  # the address it is built for ("" = not published)

    @property
    def html(self) -> Path:
        return self.out / "html"

    @property
    def pdf(self) -> Path:
        return self.out / "pdf" / f"{BASENAME}.pdf"

    @property
    def epub(self) -> Path:
        return self.out / "epub" / f"{BASENAME}.epub"

    def pages(self) -> list[Path]:
        pages = sorted(p for p in self.html.rglob("*.html") if p.name not in {"search.html", "genindex.html"})
        assert pages, f"no HTML pages in {self.html}: run ./handbook test"
        return pages

    def sources(self) -> list[Path]:
        return sorted(p for pattern in self.globs for p in self.source.glob(pattern))

    @cached_property
    def titles(self) -> dict[str, str]:
        """Document name -> its first-level heading, read from the MyST source."""
        titles = {}
        for path in self.sources():
            match = re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.M)
            if match:
                titles[path.relative_to(self.source).with_suffix("").as_posix()] = match.group(1).strip()
        return titles

    def epub_zip(self) -> zipfile.ZipFile:
        assert self.epub.exists(), f"{self.epub} is missing: run ./handbook test"
        return zipfile.ZipFile(self.epub)


BOOK = Edition("book", ROOT, ROOT / "_build", ("index.md", "chapters/*.md", "teaching/*.md", "back/*.md"))
SINK = Edition("kitchen-sink", ROOT / "tests" / "kitchen-sink", ROOT / "_build" / "kitchen-sink", ("*.md",),
               FIXTURE_URL)


@pytest.fixture(params=[BOOK, SINK], ids=lambda e: e.name)
def edition(request) -> Edition:
    return request.param


ALLOWLIST = ROOT / "tests" / "checker-allowlist.yaml"


def allowlist() -> list[dict]:
    """Reviewed false positives of the accessibility checkers (tests/checker-allowlist.yaml)."""
    import yaml

    return yaml.safe_load(ALLOWLIST.read_text(encoding="utf-8")) or []


def excused(checker: str, rule: str, page: str) -> bool:
    return any(e["checker"] == checker and e["rule"] == rule and e["page"] in {page, "*"}
               for e in allowlist())


def markers() -> list[str]:
    """The SINK-... marker strings the kitchen-sink page puts in every construct."""
    text = (SINK.source / "constructs.md").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"SINK-[A-Z-]+[A-Z]", text)))

"""Scratch copies of the book for the benchmark (tools/bench.py): as it is, and N times larger.

The larger book copies every chapter (as many times as it takes for the sources, chapters,
back matter and references.bib, to be about N times their size) under new names (chapters/<name>-copyK.md) and
lists the copies in the home page's table of contents after their original. Labels defined in a
copy get the same suffix, so the copy is a distinct page that links to the original's sections;
everything else (back matter, bibliography) is shared, as it would be in a bigger book.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", ".nox", "tests", "research",
                                "node_modules", "__pycache__", "*.pyc", ".pytest_cache")


def copy_source(root: Path, dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(root, dest, ignore=IGNORE, symlinks=True)
    return dest


def source_bytes(src: Path) -> int:
    files = [src / "index.md", src / "references.bib", *(src / "chapters").glob("*.md"),
             *(src / "back").glob("*.md")]
    return sum(f.stat().st_size for f in files if f.is_file())


def multiply(src: Path, factor: int) -> None:
    """Make the book in ``src`` about ``factor`` times larger by copying its chapters."""
    chapters = sorted((src / "chapters").glob("*.md"))
    index = src / "index.md"
    toc = index.read_text(encoding="utf-8")
    for chapter in chapters:
        text = chapter.read_text(encoding="utf-8")
        labels = re.findall(r"^\(([\w-]+)\)=\s*$", text, re.M) + re.findall(r"^:name:\s*([\w-]+)\s*$", text, re.M)
        copies = []
        for k in range(2, factor + 1):
            copy = text
            for label in labels:
                copy = re.sub(rf"^\({re.escape(label)}\)=", f"({label}-copy{k})=", copy, flags=re.M)
                copy = re.sub(rf"^:name:\s*{re.escape(label)}\s*$", f":name: {label}-copy{k}", copy, flags=re.M)
            name = f"{chapter.stem}-copy{k}"
            (chapter.parent / f"{name}.md").write_text(copy, encoding="utf-8")
            copies.append(f"chapters/{name}")
        entry = f"chapters/{chapter.stem}\n"
        toc = toc.replace(entry, entry + "".join(c + "\n" for c in copies), 1)
    index.write_text(toc, encoding="utf-8")


def grow(src: Path, factor: int) -> None:
    """Copy chapters until the sources are about ``factor`` times their present size."""
    chapters = sum(f.stat().st_size for f in (src / "chapters").glob("*.md"))
    rest = source_bytes(src) - chapters
    # rest + copies * chapters = factor * (rest + chapters)
    copies = round((factor * (rest + chapters) - rest) / chapters)
    multiply(src, max(copies, 1))

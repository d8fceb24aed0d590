"""Split the book's PDF into one PDF per chapter, for facilitators who print a single chapter.

Each chapter PDF is the book's own pages for that chapter (same typesetting, same page
numbers), cut at the chapter bookmarks. Files are named after the chapter's source file:
chapters/identification.md -> identification.pdf; the facilitator guide (teaching/) too.
"""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader, PdfWriter


def chapter_titles(source: Path) -> dict[str, str]:
    """Chapter file stem -> its title, read from the MyST sources."""
    titles = {}
    for path in sorted((source / "chapters").glob("*.md")) + sorted((source / "teaching").glob("*.md")):
        match = re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.M)
        if match:
            titles[path.stem] = match.group(1).strip()
    return titles


def normalise(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def split(book: Path, source: Path, out_dir: Path) -> list[Path]:
    reader = PdfReader(str(book))
    top = [item for item in reader.outline if not isinstance(item, list)]
    starts = [(normalise(item.title), reader.get_destination_page_number(item)) for item in top]
    written = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem, title in chapter_titles(source).items():
        index = next((i for i, (name, _) in enumerate(starts) if name.endswith(normalise(title))), None)
        if index is None:
            raise SystemExit(f"chapter {title!r} has no bookmark in {book.name}")
        first = starts[index][1]
        last = starts[index + 1][1] if index + 1 < len(starts) else len(reader.pages)
        writer = PdfWriter()
        for number in range(first, last):
            writer.add_page(reader.pages[number])
        writer.add_metadata({"/Title": title})
        target = out_dir / f"{stem}.pdf"
        with target.open("wb") as handle:
            writer.write(handle)
        written.append(target)
    return written

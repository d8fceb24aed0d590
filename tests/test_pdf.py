"""The PDF: fonts embedded, every chapter and the bibliography present, bookmarks, paper size."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from chapter_pdfs import chapter_titles  # tools/, put on sys.path by conftest
from conftest import BOOK, SINK, markers


def pdf_text(edition) -> str:
    assert edition.pdf.exists(), f"{edition.pdf} missing: run ./handbook test"
    out = subprocess.run(["pdftotext", "-layout", str(edition.pdf), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", " ", out.stdout)


def test_all_fonts_are_embedded(edition):
    out = subprocess.run(["pdffonts", str(edition.pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "pdffonts listed no fonts"
    not_embedded = [r for r in rows if r.split()[-5] != "yes"]
    assert not not_embedded, "\n".join(not_embedded)


def normalise(text: str) -> str:
    return re.sub(r"[\s\u00ad-]+", "", text).lower()


def test_every_chapter_title_and_the_bibliography_are_in_the_text(edition):
    text = normalise(pdf_text(edition))
    titles = [t for doc, t in edition.titles.items() if doc != "index"]
    assert titles
    missing = [t for t in titles if normalise(t) not in text]
    assert not missing, missing


def test_bookmarks_name_every_chapter(edition):
    reader = PdfReader(str(edition.pdf))

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    bookmarks = {normalise(t) for t in walk(reader.outline)}
    titles = [t for doc, t in edition.titles.items() if doc != "index"]
    missing = [t for t in titles if not any(normalise(t) in b for b in bookmarks)]
    assert bookmarks and not missing, missing


def test_us_letter_by_default():
    box = PdfReader(str(BOOK.pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_a4_from_one_switch():
    """PAPER=a4 gives A4 in the LaTeX that Sphinx writes (the switch the README documents)."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "latex", "-q", str(SINK.source), out],
            check=True, env=dict(os.environ, PAPER="a4"),
        )
        tex = next(Path(out).glob("*.tex")).read_text(encoding="utf-8")
    assert "a4paper" in tex and "letterpaper" not in tex


def test_each_chapter_keeps_its_own_references_and_no_empty_references_chapter():
    text = pdf_text(BOOK)
    # Sphinx's default would gather citations into one list, leaving an empty chapter behind.
    assert not re.search(r"\bReferences\s+\d*\s*Bibliography\b", text)
    sections = re.split(r"\bReferences\b", text)[1:]
    assert sections, "no References section found"
    for body in sections:
        head = body[:400]
        if "Cite this chapter" in head[:30]:
            pytest.fail(f"a References section is empty: {head[:80]!r}")


def test_kitchen_sink_components_appear_in_full():
    text = pdf_text(SINK)
    missing = [m for m in markers() if m not in text]
    assert not missing, missing


def test_each_chapter_has_its_own_printable_pdf():
    """_build/pdf/chapters/<chapter>.pdf holds that chapter's pages of the book, whole."""
    titles = chapter_titles(BOOK.source)
    assert titles
    total = 0
    for stem, title in titles.items():
        path = BOOK.out / "pdf" / "chapters" / f"{stem}.pdf"
        assert path.exists(), path
        text = normalise(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
        first_page = normalise(subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True, text=True).stdout)
        assert normalise(title) in first_page[:300], f"{stem}.pdf does not open with its title"
        for part in ("Key points", "References"):
            assert normalise(part) in text, f"{stem}.pdf lacks {part!r}"
        # Chapters have one numbered heading each; the facilitator guide has no learning objectives.
        once_only = ("Learning objectives", "Cite this chapter") if (BOOK.source / "chapters" / f"{stem}.md").exists() else ("Cite this chapter",)
        for once in once_only:  # one numbered heading each:
            headings = re.findall(rf"\d+\.\d+{normalise(once)}", text)  # one chapter, whole
            assert len(headings) == 1, f"{stem}.pdf has {len(headings)} '{once}' headings"
        total += len(PdfReader(str(path)).pages)
        assert (BOOK.html / "editions" / "chapters" / f"{stem}.pdf").exists(), "not published with the website"
    assert total < len(PdfReader(str(BOOK.pdf)).pages)


def test_document_properties_name_the_book_and_its_language(edition):
    """Title, author, subject, keywords (the PDF reader's File > Properties) and the document
    language (which voice a screen reader uses) are set; for the book they are the book's own."""
    reader = PdfReader(str(edition.pdf))
    info = reader.metadata or {}
    for field in ("/Title", "/Author", "/Subject", "/Keywords"):
        assert str(info.get(field, "")).strip(), f"the PDF has no {field[1:]}"
    assert str(reader.trailer["/Root"].get("/Lang", "")).startswith("en"), "the PDF has no language"
    if edition is SINK:
        assert str(info["/Title"]).startswith("Kitchen sink"), "the fixture's PDF names the book"
    if edition is BOOK:
        index = (BOOK.source / "index.md").read_text(encoding="utf-8")
        description = re.search(r"^description:\s*(.+)$", index, re.M).group(1).strip()
        keywords = [k.strip() for k in re.search(r"^keywords:\s*(.+)$", index, re.M).group(1).split(",")]
        assert str(info["/Title"]) == BOOK.titles["index"]
        assert str(info["/Subject"]) == description
        assert [k.strip() for k in str(info["/Keywords"]).split(",")] == keywords

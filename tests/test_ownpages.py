"""On the website a chapter's reference list and knowledge check are pages of their own
(_ext/handbook_ownpages.py); in the PDF and the ePub the chapter keeps them."""

from __future__ import annotations

import posixpath
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import BOOK, ROOT

CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.md")
                  if re.search(r"^## References\s*\n\s*```\{bibliography\}", p.read_text(encoding="utf-8"), re.M))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def test_the_chapters_with_reference_lists_were_found():
    assert {"identification", "trauma-informed-care", "public-health", "policy-law"} <= set(CHAPTERS)


@pytest.mark.parametrize("stem", CHAPTERS)
def test_the_reference_list_is_a_page_beside_the_chapter_and_every_citation_finds_its_entry(stem):
    chapter = soup(BOOK.html / "chapters" / f"{stem}.html")
    references = BOOK.html / "chapters" / f"{stem}-references.html"
    assert references.exists(), f"{references.name} was not written"
    listing = soup(references)
    entries = {li["id"] for li in listing.select("article .reference-list li[id]")}
    assert entries, f"{references.name} lists no works"
    # The chapter keeps its "References" heading and anchor, with a link to the list, and no entries.
    anchor = chapter.find(id="references")  # the section's own id, or a second one beside a label
    stub = anchor if anchor is None or anchor.name == "section" else anchor.find_parent("section")
    assert stub is not None and "own-page-stub" in stub.get("class", [])
    assert stub.find("h2").get_text().startswith("References")
    assert stub.find("a", href=references.name), "the References section does not link to the list"
    assert not chapter.select(".reference-list"), "the chapter page still carries its reference list"
    # Each in-text citation on the chapter page leads to an entry on the list's page.
    cited = 0
    for a in chapter.select("article .bibtex-citation a[href]"):
        path, _, anchor = a["href"].partition("#")
        if path == references.name:
            assert anchor in entries, f"{stem}: {a['href']} has no entry"
            cited += 1
        else:
            assert path and not path.startswith("#"), f"{stem}: {a['href']} points into the chapter page"
    assert cited >= len(entries) / 2, f"{stem}: only {cited} citations lead to the list"
    # The list's page names its chapter and links back to it; its title says which chapter it is.
    assert listing.select_one(f"article a[href='{stem}.html']"), "no link back to the chapter"
    title = BOOK.titles[f"chapters/{stem}"]
    assert title in listing.title.get_text(), listing.title.get_text()


def test_links_from_other_pages_follow_the_entries_to_their_new_page():
    """The job aids cite the chapters' lists; no link anywhere may point at an entry that moved."""
    moved = {}
    for stem in CHAPTERS:
        for li in soup(BOOK.html / "chapters" / f"{stem}-references.html").select(".reference-list li[id]"):
            moved[(f"chapters/{stem}.html", li["id"])] = f"chapters/{stem}-references.html"
    stale, followed = [], 0
    for page in BOOK.pages():
        here = page.relative_to(BOOK.html).as_posix()
        for a in soup(page).select("a[href*='#cite-']"):
            parts = urlsplit(a["href"])
            target = posixpath.normpath(posixpath.join(posixpath.dirname(here), parts.path)) if parts.path else here
            if (target, parts.fragment) in moved:
                stale.append(f"{here}: {a['href']}")
            elif target.endswith("-references.html"):
                followed += 1
    assert not stale, stale[:10]
    assert followed, "no page outside the chapters cites a chapter's list (the job aids do)"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_an_own_pages_sidebar_shows_where_the_reader_is_and_links_to_the_chapter(stem):
    """On the list and the check, the sidebar marks their chapter, as the chapter's page does,
    and its entry leads to the chapter (on the chapter's page it is a link to the top, "#")."""
    pages = sorted((BOOK.html / "chapters").glob(f"{stem}-*.html"))
    assert {p.stem for p in pages} >= {f"{stem}-references"}, pages
    for path in pages:
        sidebar = soup(path).select_one(".sidebar-tree")
        assert sidebar is not None, f"{path.name}: no sidebar"
        marked = [a["href"] for a in sidebar.select("li.current > a.reference")]
        assert marked == [f"{stem}.html"], f"{path.name}: sidebar marks {marked}"
        assert not sidebar.select("a[href='#']"), f"{path.name}: a sidebar entry links to this page's top"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_the_epub_and_pdf_chapters_keep_their_reference_lists(stem):
    with BOOK.epub_zip() as epub:
        xhtml = BeautifulSoup(epub.read(f"chapters/{stem}.xhtml").decode("utf-8"), "lxml")
    assert xhtml.select(".reference-list li[id]"), f"ePub {stem}: no reference list"
    assert not xhtml.select(".own-page-stub"), f"ePub {stem}: a website stub"
    pdf = ROOT / "_build" / "pdf" / "chapters" / f"{stem}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "on a page of their own" not in text
    tail = text[text.rfind("Key points"):]
    assert re.search(r"\(accessed \d{4}-\d\d-\d\d\)", tail), f"PDF {stem}: no reference entries after 'Key points'"


def test_a_moved_section_with_subheadings_fails_the_build_naming_the_file(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "index.md").write_text("# Book\n\n```{toctree}\nchapters/one\n```\n")
    (tmp_path / "chapters" / "one.md").write_text(textwrap.dedent("""\
        # One

        ## Body

        Text.

        ## References

        ### A subheading

        More text.
    """))
    (tmp_path / "conf.py").write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(ROOT / '_ext')!r})
        extensions = ["myst_parser", "handbook_ownpages"]
        myst_heading_anchors = 3
        handbook_own_pages = {{"documents": ["chapters/*"], "sections": {{"references": {{
            "stub": "Listed on their own page:", "link": "References", "title": "References",
            "intro": "Cited in"}}}}}}
    """))
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(tmp_path), str(tmp_path / "out")],
                            capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "chapters/one.md" in output and "subheadings" in output, output[-800:]
    # Without the subheading the same project builds, and the section moves.
    text = (tmp_path / "chapters" / "one.md").read_text().replace("### A subheading\n", "")
    (tmp_path / "chapters" / "one.md").write_text(text)
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(tmp_path), str(tmp_path / "out")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-800:]
    moved = soup(tmp_path / "out" / "chapters" / "one-references.html")
    assert "More text." in moved.get_text()
    assert "More text." not in soup(tmp_path / "out" / "chapters" / "one.html").get_text()

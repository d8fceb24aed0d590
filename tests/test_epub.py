"""The ePub: valid under epubcheck, with a navigation that lists every chapter, content in full."""

from __future__ import annotations

import re
import subprocess

from conftest import SINK, markers

EPUBCHECK = ["java", "-jar", "/usr/share/java/epubcheck.jar"]


def test_epubcheck_reports_no_errors_and_no_warnings(edition):
    assert edition.epub.exists(), f"{edition.epub} missing: run ./handbook test"
    result = subprocess.run([*EPUBCHECK, str(edition.epub)], capture_output=True, text=True)
    report = result.stdout + result.stderr
    summary = re.search(r"Messages: (\d+) fatals / (\d+) errors / (\d+) warnings", report)
    assert summary, report
    assert summary.groups() == ("0", "0", "0"), report


def test_navigation_lists_every_chapter(edition):
    with edition.epub_zip() as epub:
        nav = epub.read(next(n for n in epub.namelist() if n.endswith("nav.xhtml"))).decode()
        ncx = epub.read(next(n for n in epub.namelist() if n.endswith("toc.ncx"))).decode()
    for docname, title in edition.titles.items():
        if docname == "index":
            continue
        assert f'href="{docname}.xhtml"' in nav, f"nav.xhtml lacks {docname}"
        assert title in nav.replace("&amp;", "&"), f"nav.xhtml lacks the title {title!r}"
        assert f"{docname}.xhtml" in ncx, f"toc.ncx lacks {docname}"


def test_interactive_components_are_shown_in_full():
    with SINK.epub_zip() as epub:
        text = " ".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    missing = [m for m in markers() if m not in text]
    assert not missing, missing
    assert "<input" not in text, "tab radio buttons leaked into the ePub"
    assert "<details" not in text, "a collapsed dropdown leaked into the ePub"


def test_tabs_are_stacked_label_then_body_without_flex_layout():
    """Each tab's label is followed by its own body, in order, with no sphinx-design layout
    classes left to lay them side by side in readers that apply CSS."""
    with SINK.epub_zip() as epub:
        page = epub.read("constructs.xhtml").decode()
    order = [page.find(m) for m in ("SINK-TAB-ONE-LABEL", "SINK-TAB-ONE-BODY",
                                    "SINK-TAB-TWO-LABEL", "SINK-TAB-TWO-BODY")]
    assert -1 not in order and order == sorted(order), order
    leftovers = re.findall(r'class="[^"]*\b(sd-tab-set|sd-row|sd-col|sd-d-flex-row)\b', page)
    assert not leftovers, leftovers

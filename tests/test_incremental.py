"""Faster builds give the same pages: shared environment, incremental rebuilds, parallel builds.

The editions share one environment (_ext/handbook_shared_env.py), the bibliography is formatted
from a cache and only what changed is written again (_ext/handbook_bibspeed.py), and every local
extension declares itself safe for `-j`. Each of these must leave the output exactly as a cold,
serial build of the same sources makes it. The kitchen-sink fixture is copied to a temporary
folder and built there (never timed: the benchmark, ./handbook bench, reports speed).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

SINK = ROOT / "tests" / "kitchen-sink"
FLAGS = ["-W", "--keep-going", "-n", "-q"]
COMPARED = {".html", ".xhtml", ".tex", ".js", ".css", ".opf", ".ncx"}


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """A book folder whose kitchen sink is a real copy (so its .bib can be edited)."""
    root = tmp_path_factory.mktemp("book")
    for path in ROOT.iterdir():  # the book's configuration, extensions and data, as they are
        if path.name not in {"tests", "_build", ".venv", ".git", ".nox", "node_modules"}:
            (root / path.name).symlink_to(path)
    sink = root / "tests" / "kitchen-sink"
    shutil.copytree(SINK, sink, ignore=shutil.ignore_patterns("_build"))
    # A second page with its own reference list, and a citation on the home page, which has no
    # list: it links to a list on another page, and which one must not depend on build history.
    (sink / "more.md").write_text(
        "---\ndescription: A second page with references.\n---\n\n# More\n\n"
        "A textual citation {cite:t}`Burr2015Social`.\n\n## References\n\n"
        "```{bibliography}\n:filter: docname in docnames\n```\n", encoding="utf-8")
    index = (sink / "index.md").read_text(encoding="utf-8")
    index = index.replace("\nconstructs\n```", "\nconstructs\nmore\n```", 1)
    index += "\nSee {cite:t}`Burr2015Social`.\n"
    (sink / "index.md").write_text(index, encoding="utf-8")
    return sink


def build(builder: str, src: Path, out: Path, doctrees: Path, *extra: str) -> None:
    subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-d", str(doctrees), *FLAGS, *extra,
                    str(src), str(out / builder)], check=True, cwd=src)


def normalized(path: Path) -> bytes | object:
    data = path.read_bytes()
    if path.name == "searchindex.js":  # the same index; Sphinx does not fix the order of its keys
        return json.loads(data.decode("utf-8")[len("Search.setIndex("):-1])
    if path.suffix == ".opf":  # the ePub's build time
        return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"TIME", data)
    return data


def differences(a: Path, b: Path) -> list[str]:
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.suffix in COMPARED}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.suffix in COMPARED}
    assert files_a, f"nothing built in {a}"
    problems = [f"only in one build: {p}" for p in sorted(files_a ^ files_b)]
    problems += [f"differs: {p}" for p in sorted(files_a & files_b) if normalized(a / p) != normalized(b / p)]
    return problems


def edit_bibliography(src: Path) -> None:
    bib = src / "kitchen-sink.bib"
    text = bib.read_text(encoding="utf-8")
    # One field only the reference list shows, and one the in-text citations show too.
    text = text.replace("title     = {Social Constructionism}", "title     = {Social Constructionism, Revised}", 1)
    text = re.sub(r"(@inproceedings\{Hart2007Power,.*?year\s*=\s*\{)2007", r"\g<1>2008", text, count=1, flags=re.S)
    assert "Revised" in text and "2008" in text
    bib.write_text(text, encoding="utf-8")


def test_incremental_builds_of_shared_editions_match_a_cold_build(book, tmp_path):
    inc, cold = tmp_path / "incremental", tmp_path / "cold"
    original = (book / "kitchen-sink.bib").read_text(encoding="utf-8")
    original_index = (book / "index.md").read_text(encoding="utf-8")
    original_constructs = (book / "constructs.md").read_text(encoding="utf-8")
    try:
        for builder in ("html", "epub"):
            build(builder, book, inc, inc / "doctrees")
        edit_bibliography(book)
        # The ePub build sees the change first; the website build after it must still catch up.
        for builder in ("epub", "html"):
            build(builder, book, inc, inc / "doctrees")
        # Then a page without the glossary changes: the glossary's terms stay in the search index.
        index_page = book / "index.md"
        index_page.write_text(index_page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
        for builder in ("html", "epub"):
            build(builder, book, inc, inc / "doctrees")
        # Then the page whose reference list comes first: the home page's citation keeps its link.
        constructs = book / "constructs.md"
        constructs.write_text(constructs.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
        for builder in ("html", "epub"):
            build(builder, book, inc, inc / "doctrees")
        # Then a heading the home page's table of contents shows: the home page must be written
        # again (handbook_tocparents skips it only while the listed page's headings are the same).
        text = constructs.read_text(encoding="utf-8")
        assert "## A literal block" in text
        constructs.write_text(text.replace("## A literal block", "## A literal block, renamed", 1), encoding="utf-8")
        for builder in ("html", "epub"):
            build(builder, book, inc, inc / "doctrees")
        for builder in ("html", "epub"):
            build(builder, book, cold, cold / "doctrees", "-E")
        html = (inc / "html" / "constructs.html").read_text(encoding="utf-8")
        listing = (inc / "html" / "constructs-references.html").read_text(encoding="utf-8")
        assert "Social Constructionism, Revised" in listing and "Hart 2008" in html
        assert "A literal block, renamed" in (inc / "html" / "index.html").read_text(encoding="utf-8")
        assert differences(inc / "html", cold / "html") == []
        assert differences(inc / "epub", cold / "epub") == []
    finally:
        (book / "kitchen-sink.bib").write_text(original, encoding="utf-8")
        (book / "index.md").write_text(original_index, encoding="utf-8")
        (book / "constructs.md").write_text(original_constructs, encoding="utf-8")


def test_parallel_build_matches_serial_build(book, tmp_path):
    for builder in ("html", "latex"):
        build(builder, book, tmp_path / "serial", tmp_path / "serial" / "doctrees")
        build(builder, book, tmp_path / "parallel", tmp_path / "parallel" / "doctrees", "-j", "2")
    for builder in ("html", "latex"):
        assert differences(tmp_path / "serial" / builder, tmp_path / "parallel" / builder) == []


def test_every_local_extension_declares_itself_parallel_safe():
    for path in sorted((ROOT / "_ext").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert '"parallel_read_safe": True' in text and '"parallel_write_safe": True' in text, path.name

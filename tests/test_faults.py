"""Fault injection: one mistake at a time in a clean copy of the book; the build must fail and say
where the mistake is and what it is, in words, without a Python traceback.

Each case copies the book to a temporary folder, introduces one mistake, runs the nox session an
editor would run (`html`, or `pdf` for mistakes only the PDF shows) and checks the exit code and
the message: the file (and line, where known) and the problem. Mistakes in the chapters and the
bibliography are built as the book; mistakes that need Sphinx or LaTeX to see them are built in
the small kitchen-sink fixture, so the whole suite stays fast.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from faults import ROOT, Result, append, copy_book, line_of, session, sphinx_only, sub

SINK = "tests/kitchen-sink"
PAGE = f"{SINK}/constructs.md"


@dataclass
class Fault:
    id: str
    inject: Callable[[Path], int | None]  # returns the line of the mistake, where there is one
    file: str  # the file the message must name (relative to the book or fixture built)
    words: list[str]  # the problem, in words, as the message must say it
    source: str = "book"  # "book" or "sink"
    session: str = "html"
    line: bool = True  # the message must give the line
    needle: str | None = None  # the line is the one holding this text (else: what inject returns)


def bib_entry(text: str) -> Callable[[Path], int]:
    return lambda book: append(book / "references.bib", "\n" + text + "\n")


def about(text: str) -> Callable[[Path], int]:
    """Add a paragraph at the end of the About chapter."""
    return lambda book: append(book / "chapters/about.md", "\n" + text + "\n")


def sink(text: str) -> Callable[[Path], int]:
    """Add a section before the kitchen sink's key points."""
    def inject(book: Path) -> int:
        return sub(book / PAGE, r"^## Key points$", text + "\n\n## Key points")
    return inject


def front(name: str, pattern: str, replacement: str) -> Callable[[Path], int]:
    return lambda book: sub(book / f"chapters/{name}.md", pattern, replacement)


def latin1(book: Path) -> int:
    path = book / "chapters/about.md"
    number = append(path, "\nA caf\u00e9 in Montr\u00e9al.\n")
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    return number


def truncate_svg(book: Path) -> None:
    path = book / "_static/figures/public-health-sem.svg"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def drop_alt(book: Path) -> int:
    path = book / PAGE
    number = line_of(path, "```{figure}")
    sub(path, r"^:alt: .*\n", "")
    return number


def unclosed_admonition(book: Path) -> int:
    # The closing fence of the "What to check" box is deleted: the box swallows what follows.
    path = book / PAGE
    number = line_of(path, "```{admonition} What to check")
    sub(path, r"(SINK-WHAT-TO-CHECK-TEXT\.\n)```\n", r"\1")
    return number


def empty_chapter(book: Path) -> None:
    (book / "chapters/empty.md").write_text("", encoding="utf-8")
    sub(book / "index.md", r"^chapters/about$", "chapters/about\nchapters/empty")


def data_yaml(text: str) -> Callable[[Path], int]:
    def inject(book: Path) -> int:
        path = book / "data/checks/fault.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return 2
    return inject


FAULTS = [
    # -- references.bib ---------------------------------------------------------------------
    Fault("bib-unknown-key", about("A claim {cite:p}`Lederer2014Helth`."), "chapters/about.md",
          ["citation key 'Lederer2014Helth' is not in the bibliography", "Lederer2014Health"]),
    Fault("bib-duplicate-key", bib_entry("@online{HTSToolkit,\n  author = {{X}},\n  title = {Y},\n"
                                         "  url = {https://example.org/y},\n  urldate = {2026-11-23}\n}"),
          "references.bib", ["duplicate key 'HTSToolkit'"]),
    Fault("bib-missing-brace", bib_entry("@article{Brace2020Missing,\n  author = {A, B},\n  title = {T,\n"
                                         "  journal = {J},\n  year = {2020}\n}\n\n@online{Next2020Entry,\n"
                                         "  author = {{X}},\n  title = {Y},\n  url = {https://example.org/y},\n"
                                         "  urldate = {2026-11-23}\n}"),
          "references.bib", ["entry 'Brace2020Missing'", "not closed", "'}' is missing"]),
    Fault("bib-missing-field", bib_entry("@article{Field2020Missing,\n  author = {A, B},\n  title = {T},\n"
                                         "  year = {2020}\n}"),
          "references.bib", ["entry 'Field2020Missing' (@article) has no 'journal' field"]),
    Fault("bib-impossible-urldate", bib_entry("@online{Date2020Bad,\n  author = {{X}},\n  title = {Y},\n"
                                              "  url = {https://example.org/y},\n  urldate = {2026-13-45}\n}"),
          "references.bib", ["urldate '2026-13-45' is not a real date"], needle="2026-13-45"),
    Fault("bib-urldate-without-url", bib_entry("@report{Report2020Seen,\n  author = {{X}},\n  title = {Y},\n"
                                               "  institution = {Z},\n  year = {2020},\n  urldate = {2026-10-07}\n}"),
          "references.bib", ["entry 'Report2020Seen' has a urldate but no url", "move the date into checknote"],
          needle="2026-10-07"),
    Fault("bib-bad-year", bib_entry("@article{Year2020Bad,\n  author = {A, B},\n  title = {T},\n"
                                    "  journal = {J},\n  year = {20199}\n}"),
          "references.bib", ["year '20199' is not a year"], needle="20199"),
    Fault("catalogue-value", bib_entry("@online{Catalogue2020Bad,\n  author = {{X}},\n  title = {Y},\n"
                                       "  url = {https://example.org/y},\n  urldate = {2026-11-23},\n"
                                       "  format = {pamphlet},\n  audience = {clinicians},\n"
                                       "  topics = {identification},\n  verification = {verified},\n"
                                       "  group = {help-now},\n  annotation = {A test.}\n}"),
          "references.bib", ["Catalogue2020Bad", "field 'format' has 'pamphlet'", "allowed"],
          needle="pamphlet"),
    # -- front matter and files --------------------------------------------------------------
    Fault("front-matter-yaml", front("about", r"^keywords: (.*)$", r"keywords: [\1"), "chapters/about.md",
          ["YAML is not valid"]),
    Fault("front-matter-not-closed", front("about", r"^last-reviewed: (.*)\n---$", r"last-reviewed: \1"),
          "chapters/about.md", ["front matter", "never closed"], needle="---"),
    Fault("last-reviewed-impossible", front("about", r"^last-reviewed: .*$", "last-reviewed: 2026-13-45"),
          "chapters/about.md", ["last-reviewed '2026-13-45' is not a real date"]),
    Fault("last-reviewed-missing", front("about", r"^last-reviewed: .*\n", ""), "chapters/about.md",
          ["no 'last-reviewed' date", "Cite this chapter"], needle="---"),
    Fault("description-missing", front("about", r"^description: .*\n", ""), "chapters/about.md",
          ["no 'description'"], needle="---"),
    Fault("not-utf8", latin1, "chapters/about.md", ["not UTF-8", "Latin-1"]),
    Fault("empty-chapter", empty_chapter, "chapters/empty.md", ["has no front matter"], line=False),
    Fault("data-yaml-invalid", data_yaml("- id: x\n  fact: \"unclosed\n  checked: 2026-12-03\n"),
          "data/checks/fault.yaml", ["YAML is not valid"]),
    Fault("data-yaml-impossible-date", data_yaml("- id: x\n  checked: 2026-02-30\n"),
          "data/checks/fault.yaml", ["'checked: 2026-02-30' is not a real date"]),
    Fault("svg-truncated", truncate_svg, "_static/figures/public-health-sem.svg",
          ["SVG file is damaged or truncated"]),
    # -- markup in the chapters ---------------------------------------------------------------
    Fault("raw-html", about("Some <span style=\"color:red\">red</span> text."), "chapters/about.md",
          ["raw HTML", "vanishes from the PDF"]),
    Fault("role-without-backticks", about("People who experience {term}coercion often stay."),
          "chapters/about.md", ["'{term}' is not followed by backticks"]),
    Fault("avoid-word-illegal-aliens", about("Clinics serve many illegal aliens."), "chapters/about.md",
          ["'illegal aliens' is on the house style's avoid list", "person without immigration status"]),
    Fault("avoid-word-rescue", about("The team rescued two patients."), "chapters/about.md",
          ["'rescued' is on the house style's avoid list"]),
    Fault("heading-skip-chapter", about("#### A heading two levels too deep"), "chapters/about.md",
          ["heading jumps from level 2", "level 4"]),
    Fault("figure-without-alt", drop_alt, "constructs.md", ["has no alt text"], source="sink"),
    Fault("figure-alt-file-name", lambda b: sub(b / PAGE, r"^:alt: .*$", ":alt: sink-flow.svg"),
          "constructs.md", ["alt text", "file name or placeholder"], source="sink"),
    Fault("image-missing", lambda b: sub(b / PAGE, r"_static/sink-flow\.svg", "_static/no-such.svg"),
          "constructs.md", ["'_static/no-such.svg' does not exist"], source="sink"),
    Fault("admonition-left-open", unclosed_admonition, "constructs.md",
          ["'```{admonition} What to check' block", "not closed"], source="sink"),
    # -- what only Sphinx sees (built in the kitchen sink) -------------------------------------
    Fault("broken-cross-reference", sink("See {ref}`sink-no-such-label`."), "constructs.md",
          ["undefined label: 'sink-no-such-label'", "(label-name)="], source="sink"),
    Fault("missing-page-link", sink("See {doc}`no-such-page`."), "constructs.md",
          ["unknown document: 'no-such-page'"], source="sink"),
    Fault("unknown-directive", sink("```{nosuchdirective}\nText.\n```"), "constructs.md",
          ["Unknown directive type: 'nosuchdirective'", "check the directive's name"], source="sink"),
    Fault("unknown-role", sink("A {nosuchrole}`word`."), "constructs.md",
          ["Unknown interpreted text role", "check the role's name"], source="sink"),
    Fault("undefined-glossary-term", sink("A {term}`no such term`."), "constructs.md",
          ["term not in glossary: 'no such term'", "back/glossary.md"], source="sink"),
    Fault("toctree-missing-page", lambda b: sub(b / SINK / "index.md", r"^constructs$", "constructs\nno-such-page"),
          "index.md", ["nonexisting document 'no-such-page'"], source="sink", needle="```{toctree}"),
    Fault("page-outside-toctree",
          lambda b: (b / SINK / "stray.md").write_text("(stray)=\n# A stray page\n\nText.\n", encoding="utf-8"),
          "stray.md", ["isn't included in any toctree", "add it to a"], source="sink", line=False),
    Fault("undefined-fact", sink("Call {{ hotline_phnoe }} now."), "constructs.md",
          ["'hotline_phnoe' is undefined", "data/facts.yaml"], source="sink"),
    Fault("duplicate-label", sink("(sink-tables)=\n## A second section with the same label"), "constructs.md",
          ["Duplicate explicit target name", "rename one"], source="sink"),
    Fault("raw-html-directive", sink("```{raw} html\n<b>Bold on the website only</b>\n```"),
          "constructs.md", ["raw HTML", "vanishes from the PDF"], source="sink"),
    # -- the checks inside Sphinx, without the start-up check in front of them -------------------
    Fault("role-text-in-output", sink("People who experience {term}coercion often stay."),
          "constructs.md", ["'{term}' is shown to readers as typed"], source="sink", session="sphinx"),
    Fault("image-alt-missing-in-output", drop_alt, "constructs.md", ["has no alt text"], source="sink",
          session="sphinx"),
    # -- what only the PDF shows ----------------------------------------------------------------
    Fault("pdf-overfull-url",
          sink("| Link | Where |\n| --- | --- |\n| `https://example.org/" + "a" * 180 + "` | there |"),
          "constructs.md", ["runs off", "pt too wide"], source="sink", session="pdf",
          needle="https://example.org/aaaa"),
    Fault("pdf-missing-glyph", sink("A face: \U0001F600 and \u4e2d\u6587."), "constructs.md",
          ["U+1F600", "not in the PDF's font"], source="sink", session="pdf"),
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return copy_book(tmp_path_factory.mktemp("pristine") / "book")


def clone(pristine: Path, target: Path) -> Path:
    shutil.copytree(pristine, target)
    return target


def build_with(fault: Fault, pristine: Path, folder: Path) -> tuple[Path, int | None, Result]:
    book = clone(pristine, folder / fault.id)
    line = fault.inject(book)
    if fault.needle:
        line = line_of(book / (SINK if fault.source == "sink" else "") / fault.file, fault.needle)
    if fault.session == "sphinx":
        return book, line, sphinx_only(book, fault.source)
    return book, line, session(book, fault.session, fault.source)


@pytest.fixture(scope="module")
def results(pristine: Path, tmp_path_factory, request) -> dict[str, tuple[Path, int | None, Result]]:
    """Every selected case built once, a few at a time (each build is a separate process)."""
    folder = tmp_path_factory.mktemp("faults")
    selected = {item.callspec.params["fault"].id for item in request.session.items
                if hasattr(item, "callspec") and "fault" in item.callspec.params}
    workers = max(2, min(4, os.cpu_count() or 2))
    with ThreadPoolExecutor(workers) as pool:
        futures = {f.id: pool.submit(build_with, f, pristine, folder) for f in FAULTS if f.id in selected}
        return {key: future.result() for key, future in futures.items()}


def test_every_listed_kind_of_mistake_is_covered():
    assert len({f.id for f in FAULTS}) == len(FAULTS) >= 25


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.id)
def test_mistake_fails_the_build_with_a_plain_message(fault: Fault, results):
    book, line, result = results[fault.id]
    assert result.code != 0, f"the build passed despite the mistake:\n{result}"
    out = result.output
    assert "Traceback" not in out and 'File "' not in out, f"a Python traceback:\n{out}"
    expected = fault.file + (f":{line}" if fault.line and line else "")
    assert expected in out, f"the message does not name {expected}:\n{out}"
    for words in fault.words:
        assert words in out, f"the message does not say {words!r}:\n{out}"
    assert re.search(r"->\s+\S", out), f"the message does not say what to do:\n{out}"
    published = book / "_build" / ("sink" if fault.source == "sink" else "") / fault.session
    assert not published.exists(), "a failed build published an edition"


def test_a_crash_inside_sphinx_is_one_plain_paragraph(tmp_path):
    """Whatever breaks inside Sphinx or an extension, the editor sees no traceback."""
    (tmp_path / "conf.py").write_text("extensions = ['broken']\n", encoding="utf-8")
    (tmp_path / "broken.py").write_text(
        "def boom(app):\n    raise ValueError('chapters/x.md: something the check did not foresee')\n"
        "def setup(app):\n    app.connect('builder-inited', boom)\n", encoding="utf-8")
    (tmp_path / "index.md").write_text("# Title\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "sphinx_run.py"), "-b", "html", "-q",
                             "-d", str(tmp_path / "dt"), str(tmp_path), str(tmp_path / "out")],
                            capture_output=True, text=True, cwd=tmp_path,
                            env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "Traceback" not in out and 'File "' not in out, out
    assert "something the check did not foresee" in out and "-> " in out, out


def test_clean_copy_builds(pristine: Path, tmp_path: Path):
    """The copy itself is fine: every failure above comes from its one mistake."""
    book = clone(pristine, tmp_path / "book")
    assert session(book, "precheck").code == 0
    result = session(book, "html", "sink")
    assert result.code == 0, result

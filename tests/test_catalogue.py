"""The resource catalogue, generated from references.bib: complete in every format, linked both
ways with the chapters, filterable on the website, and guarded by a schema check."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import zipfile

import pytest
import yaml
from bs4 import BeautifulSoup
from pybtex.database import parse_file

from conftest import BOOK, ROOT

BIB = parse_file(str(ROOT / "references.bib"))
CATALOGUE = {k: e for k, e in BIB.entries.items() if "toolkit" in e.fields or "group" in e.fields}
TOOLKIT = {k: e for k, e in CATALOGUE.items() if "toolkit" in e.fields}


def shown_title(entry) -> str:
    title = entry.fields.get("cataloguetitle") or entry.fields["title"]
    return re.sub(r"[{}]", "", title).replace("\\&", "&")


def flat(text: str) -> str:
    text = text.replace("\u2011", "-").replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"[\s\u00ad]+", " ", text.replace("\u201c", '"').replace("\u201d", '"'))


def test_the_catalogue_has_the_toolkit_and_help_now():
    assert len(TOOLKIT) >= 14, sorted(TOOLKIT)
    help_now = [k for k, e in CATALOGUE.items() if e.fields.get("group") == "help-now"]
    assert help_now, "no help-now entry (the hotline)"
    hotline = CATALOGUE[help_now[0]].fields
    # The contact details come from data/facts.yaml, the one place they are written.
    assert hotline.get("contact", "").strip() == "facts:hotline", "the hotline's contact must be facts:hotline"
    facts = yaml.safe_load((ROOT / "data" / "facts.yaml").read_text(encoding="utf-8"))
    page = BeautifulSoup((BOOK.html / "back" / "catalogue.html").read_text(encoding="utf-8"), "lxml").get_text(" ")
    for value in ("hotline_phone", "hotline_text", "hotline_tty", "hotline_hours"):
        assert str(facts[value]) in page, f"catalogue: the hotline's {value} is missing"


@pytest.mark.parametrize("fmt", ["html", "epub", "pdf"])
def test_every_catalogue_entry_renders_in_every_format(fmt):
    if fmt == "html":
        text = BeautifulSoup((BOOK.html / "back" / "catalogue.html").read_text(encoding="utf-8"), "lxml").get_text(" ")
    elif fmt == "epub":
        with zipfile.ZipFile(BOOK.epub) as z:
            text = BeautifulSoup(z.read("back/catalogue.xhtml"), "lxml").get_text(" ")
    else:
        text = subprocess.run(["pdftotext", str(BOOK.pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = flat(text)
    missing = [k for k, e in CATALOGUE.items() if flat(shown_title(e))[:60] not in text]
    assert not missing, missing
    for key, entry in CATALOGUE.items():  # each annotation is shown too (its first words)
        opening = " ".join(flat(entry.fields["annotation"]).split()[:8])
        assert opening in text, f"{key}: annotation not shown in {fmt}"


def test_every_identified_toolkit_resource_is_cited_by_a_chapter():
    """Unconfirmed resources are exempt: the chapters must not lean on an unidentified source."""
    cited = set()
    for path in (ROOT / "chapters").glob("*.md"):
        for roles in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", path.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in roles.split(","))
    uncited = [k for k, e in TOOLKIT.items() if e.fields["verification"] != "unconfirmed" and k not in cited]
    assert not uncited, uncited


def test_catalogue_lists_citing_chapters_and_chapters_link_back():
    page = BeautifulSoup((BOOK.html / "back" / "catalogue.html").read_text(encoding="utf-8"), "lxml")
    entries = page.select(".catalogue-entry")
    assert len(entries) == len(CATALOGUE)
    with_chapters = [e for e in entries if e.find("a", href=re.compile(r"chapters/"))]
    assert with_chapters, "no catalogue entry links to a citing chapter"
    backlinks = 0
    for chapter in (BOOK.html / "chapters").glob("*.html"):
        doc = BeautifulSoup(chapter.read_text(encoding="utf-8"), "lxml")
        for a in doc.select(".reference-list a[href*='catalogue.html#catalogue-']"):
            anchor = a["href"].split("#", 1)[1]
            assert page.find(id=anchor), f"{chapter.name}: {a['href']} has no target"
            backlinks += 1
    assert backlinks >= len([k for k, e in TOOLKIT.items() if e.fields["verification"] != "unconfirmed"])


def test_without_javascript_every_entry_is_shown():
    page = BeautifulSoup((BOOK.html / "back" / "catalogue.html").read_text(encoding="utf-8"), "lxml")
    assert not page.select(".catalogue-entry[hidden], .catalogue-entry[style*='none']")
    assert not page.select("form.catalogue-filter"), "the filter form should be built by the script"


def test_schema_check_fails_the_build_naming_key_and_field(tmp_path):
    (tmp_path / "bad.bib").write_text(textwrap.dedent("""\
        @online{BrokenEntry,
          author = {{Somebody}}, title = {A resource}, url = {https://example.org/x},
          toolkit = {yes}, verification = {verified}, audience = {clinicians},
          topics = {identification, astrology}, annotation = {Text.}
        }
    """))
    (tmp_path / "index.md").write_text("# Test\n\n```{toolkit-catalogue}\n:group: toolkit\n```\n")
    (tmp_path / "conf.py").write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(ROOT / '_ext')!r})
        extensions = ["myst_parser", "sphinxcontrib.bibtex", "handbook_catalogue"]
        bibtex_bibfiles = ["bad.bib"]
    """))
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(tmp_path), str(tmp_path / "out")],
                            capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "BrokenEntry: missing field 'format'" in output
    assert "BrokenEntry: field 'topics' has 'astrology'" in output
    assert "no 'urldate'" in output

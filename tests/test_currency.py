"""Currency: facts that change are defined once, dated for readers, and kept in a register.

- The hotline's details and the edition live in data/facts.yaml and CITATION.cff; no page of any
  edition may carry another (stale) copy of them, and the book's sources never type them out.
- Every fact in the register (data/register/*.yaml) has a source in references.bib, a checked
  date and a next-check date, and the book states it with a reader-visible "as of" date.
- The changelog names this edition.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import BOOK, ROOT

sys.path.insert(0, str(ROOT / "_ext"))

from handbook_register import RegisterError, bib_keys, load_register  # noqa: E402

FACTS = yaml.safe_load((ROOT / "data" / "facts.yaml").read_text(encoding="utf-8"))
CITATION = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
EDITION = str(CITATION["version"])
REGISTER = ROOT / "data" / "register"
ASOF = re.compile(r"\{asof\}`([^`]+)`")


def book_sources() -> list[Path]:
    """Everything a reader sees text from: pages, shared snippets, knowledge checks."""
    return BOOK.sources() + sorted((ROOT / "snippets").glob("*.md")) + sorted((ROOT / "data" / "checks").glob("*.yaml"))


def register() -> dict[str, dict]:
    return load_register(REGISTER, bib_keys(ROOT / "references.bib"))


def used_ids() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for path in book_sources():
        for ident in ASOF.findall(path.read_text(encoding="utf-8")):
            used.setdefault(ident.strip(), []).append(path.relative_to(ROOT).as_posix())
    return used


def built_texts() -> dict[str, str]:
    """Every page of the website, the ePub's documents, and the PDF's text, by name."""
    texts = {p.relative_to(BOOK.html).as_posix(): p.read_text(encoding="utf-8") for p in BOOK.pages()}
    with BOOK.epub_zip() as epub:
        for name in epub.namelist():
            if name.endswith(".xhtml"):
                texts["epub:" + name] = epub.read(name).decode("utf-8")
    pdf = subprocess.run(["pdftotext", "-layout", str(BOOK.pdf), "-"], capture_output=True, text=True, check=True)
    texts["pdf"] = pdf.stdout
    return texts


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- One source of truth ------------------------------------------------------------------------


def test_the_edition_is_stated_once_in_citation_cff():
    assert CITATION["preferred-citation"]["edition"] == CITATION["version"], \
        "CITATION.cff: preferred-citation.edition must equal version"
    assert date.fromisoformat(str(CITATION["date-released"])).strftime("%Y.%m") == EDITION, \
        "CITATION.cff: the edition number is the year and month of date-released"


def test_the_package_version_is_the_edition():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(rf'^version = "{re.escape(EDITION)}"', text, re.M), "pyproject.toml version != CITATION.cff version"


def test_sources_never_type_out_the_hotline_details():
    """Chapters use {{ hotline_phone }} etc., so a change in data/facts.yaml reaches every page."""
    literal = [FACTS["hotline_phone"], FACTS["hotline_phone"].replace("-", ""), FACTS["hotline_text"],
               "373-7888", str(FACTS["hotline_operator"])]
    problems = []
    for path in book_sources():
        text = path.read_text(encoding="utf-8")
        for value in literal:
            if value in text:
                problems.append(f"{path.relative_to(ROOT)}: types out {value!r}; use the substitution from data/facts.yaml")
    assert not problems, "\n".join(problems)


def test_no_edition_carries_a_stale_copy_of_a_recurring_fact():
    phone = re.compile(r"\b1[-. ]?8\d\d[-. ]\d{3}[-. ]\d{4}\b")
    edition = re.compile(r"\b[Ee]dition:?\s+(20\d\d\.\d\d)\b")
    problems = []
    found_phone = found_edition = 0
    for name, text in built_texts().items():
        words = plain(text) if name != "pdf" else re.sub(r"\s+", " ", text)
        for number in phone.findall(words):
            found_phone += 1
            if re.sub(r"\D", "", number) != re.sub(r"\D", "", FACTS["hotline_phone"]):
                problems.append(f"{name}: hotline number {number} is not {FACTS['hotline_phone']}")
        for number in edition.findall(words):
            found_edition += 1
            if number != EDITION:
                problems.append(f"{name}: says edition {number}; this is edition {EDITION}")
        if re.search(r"operated by Polaris|Polaris operates the (National )?Hotline", words, re.I):
            problems.append(f"{name}: names Polaris as the hotline's operator")
    assert found_phone >= 3 and found_edition >= 2, "expected the hotline number and the edition in the editions"
    assert not problems, "\n".join(sorted(set(problems)))


def test_the_pdf_title_page_carries_the_edition_and_the_hotline():
    first_pages = subprocess.run(["pdftotext", "-l", "2", str(BOOK.pdf), "-"], capture_output=True,
                                 text=True, check=True).stdout
    assert f"Edition {EDITION}" in first_pages
    assert FACTS["hotline_phone"] in first_pages and FACTS["hotline_text"] in first_pages


# -- The register -------------------------------------------------------------------------------


def test_every_register_entry_has_sources_and_dates():
    entries = register()
    assert len(entries) >= 20, "the register should hold every time-sensitive fact of the book"
    for entry in entries.values():
        assert entry["sources"] and entry["checked"] and entry["next-check"] > entry["checked"]
        assert entry["checked"] <= date.today(), f"{entry['id']}: checked in the future"


@pytest.mark.parametrize("broken, complaint", [
    ("- id: x-law\n  fact: A law.\n  checked: 2026-12-03\n  next-check: 2027-12-03\n", "'sources' is missing"),
    ("- id: x-law\n  fact: A law.\n  sources: [Hotline]\n  next-check: 2027-12-03\n", "'checked' is missing"),
    ("- id: x-law\n  fact: A law.\n  sources: [NoSuchKey2099]\n  checked: 2026-12-03\n  next-check: 2027-12-03\n", "NoSuchKey2099"),
    ("- id: x-law\n  fact: A law.\n  sources: [Hotline]\n  checked: 2026-13-45\n  next-check: 2027-12-03\n", "date that does not exist"),
    ("- id: x-law\n  fact: A law.\n  sources: [Hotline]\n  checked: soon\n  next-check: 2027-12-03\n", "checked must be a date"),
    ("- id: x-law\n  fact: A law.\n  sources: [Hotline]\n  checked: 2026-12-03\n  next-check: 2026-01-01\n", "must come after"),
])
def test_a_register_entry_without_source_or_date_is_refused(tmp_path, broken, complaint):
    (tmp_path / "area.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(RegisterError) as error:
        load_register(tmp_path, bib_keys(ROOT / "references.bib"))
    assert complaint in str(error.value) and "area.yaml" in str(error.value)


def test_register_facts_were_checked_against_sources_read_that_day_or_later():
    """A fact "checked" on a day rests on sources read then: their urldate is not older."""
    from pybtex.database import parse_file

    bib = parse_file(str(ROOT / "references.bib"))
    stale = []
    for entry in register().values():
        for key in entry["sources"]:
            read = bib.entries[key].fields.get("urldate")
            if read and date.fromisoformat(read) < entry["checked"]:
                stale.append(f"{entry['id']}: checked {entry['checked']}, but {key} was last read {read}")
    assert not stale, "\n".join(stale)


def test_no_register_fact_was_overdue_when_this_edition_was_released():
    released = date.fromisoformat(str(CITATION["date-released"]))
    overdue = [f"{e['id']} (next check {e['next-check']})" for e in register().values() if e["next-check"] <= released]
    assert not overdue, f"re-check these before releasing edition {EDITION}: {overdue}"
    # An edition is named for the month of its full review: every fact was checked that month.
    month = released.replace(day=1)
    early = [e["id"] for e in register().values() if e["checked"] < month]
    assert not early, f"not checked in the review for edition {EDITION} ({month:%B %Y}): {early}"


def test_every_register_fact_is_stated_with_an_as_of_date():
    entries, used = register(), used_ids()
    unknown = {ident: where for ident, where in used.items() if ident not in entries}
    assert not unknown, f"{{asof}} ids not in data/register/: {unknown}"
    unused = sorted(set(entries) - set(used))
    assert not unused, f"register facts the book never states with an {{asof}} date: {unused}"


def test_as_of_dates_are_shown_to_readers():
    entries = register()
    chapters = [p for p in BOOK.pages() if p.parent.name == "chapters"]
    shown = sum(len(re.findall(r'class="as-of"', p.read_text(encoding="utf-8"))) for p in chapters)
    assert shown >= len(entries) // 2
    for page in chapters:
        for text in re.findall(r'<span class="as-of">([^<]+)</span>', page.read_text(encoding="utf-8")):
            assert re.fullmatch(r"as of [A-Z][a-z]+ 20\d\d", text), f"{page.name}: odd as-of text {text!r}"


def test_the_editors_page_lists_every_fact_and_is_not_in_the_readers_book():
    page = BOOK.html / "editors" / "register.html"
    text = page.read_text(encoding="utf-8")
    for ident in register():
        assert f"({ident})" in text, f"editors' register page does not list {ident}"
    with BOOK.epub_zip() as epub:
        assert not [n for n in epub.namelist() if "editors" in n]
    pdf = subprocess.run(["pdftotext", str(BOOK.pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Register of time-sensitive facts" not in pdf


# -- What changed -------------------------------------------------------------------------------


def test_the_changelog_names_this_edition_and_lists_corrections():
    source = (ROOT / "back" / "changes.md").read_text(encoding="utf-8")
    assert "{{ edition }}" in source or EDITION in source
    html = plain((BOOK.html / "back" / "changes.html").read_text(encoding="utf-8"))
    assert EDITION in html
    items = re.findall(r"^\s*[-*] ", source, re.M)
    assert len(items) >= 10, "each correction is one item of the changelog"

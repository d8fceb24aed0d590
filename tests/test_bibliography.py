"""references.bib: every cited key exists, every entry is complete for its type, keys are unique."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from urllib.parse import urlsplit

import pytest
from pybtex.database import parse_file

from bibrules import REQUIRED  # tools/bibrules.py, shared with the start-up check
from conftest import BOOK, ROOT

BIB = ROOT / "references.bib"

CITE = re.compile(r"\{(?:cite|cite:p|cite:t|cite:ps|cite:ts|cite:author|cite:year)\}`([^`]+)`")


@pytest.fixture(scope="module")
def bib():
    return parse_file(str(BIB))


def cited_keys() -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    shared = sorted((ROOT / "snippets").glob("*.md")) + sorted((ROOT / "data").rglob("*.yaml"))
    for path in BOOK.sources() + shared:
        for match in CITE.finditer(path.read_text(encoding="utf-8")):
            for key in match.group(1).split(","):
                keys.setdefault(key.strip(), []).append(path.relative_to(ROOT).as_posix())
    return keys


def test_every_citation_key_resolves(bib):
    keys = cited_keys()
    assert keys, "no citations found in the book"
    missing = {k: v for k, v in keys.items() if k not in bib.entries}
    assert not missing, missing


def test_no_duplicate_keys():
    keys = re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", BIB.read_text(encoding="utf-8"), re.M)
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    # BibTeX keys are case-insensitive in practice, so "Smith2020" and "smith2020" collide too.
    folded = [k.lower() for k in keys]
    duplicates += sorted({k for k in keys if folded.count(k.lower()) > 1} - set(duplicates))
    assert not duplicates, duplicates


def test_every_entry_has_the_fields_its_type_needs(bib):
    problems = []
    for key, entry in bib.entries.items():
        fields = {f.lower() for f in entry.fields} | {r.lower() for r in entry.persons}
        needs = REQUIRED.get(entry.type.lower())
        if entry.fields.get("verification") == "unconfirmed":
            # A catalogue entry for a resource that could not be identified records only what
            # is known; demanding an author or address would force an invention. It must say so.
            if not entry.fields.get("note"):
                problems.append(f"{key}: unconfirmed entries need a note saying what is not confirmed")
            needs = ["title"]
        if needs is None:
            problems.append(f"{key}: entry type @{entry.type} has no rule here; add one")
            continue
        for need in needs:
            options = need if isinstance(need, tuple) else (need,)
            if not fields & set(options):
                problems.append(f"{key} (@{entry.type}): missing {' or '.join(options)}")
        if "url" in fields and "urldate" not in fields:
            problems.append(f"{key}: has a url but no urldate (when it was last checked)")
        if "urldate" in fields and "url" not in fields:
            problems.append(f"{key}: has a urldate but no url (an access date for no address)")
    assert not problems, "\n".join(problems)


def test_dates_are_real_iso_dates_not_in_the_future(bib):
    today = date.today()
    problems = []
    for key, entry in bib.entries.items():
        if "urldate" in entry.fields:
            try:
                checked = date.fromisoformat(entry.fields["urldate"])
            except ValueError:
                problems.append(f"{key}: urldate {entry.fields['urldate']!r} is not YYYY-MM-DD")
                continue
            if checked > today:
                problems.append(f"{key}: urldate {checked} is in the future")
        if "year" in entry.fields and not re.fullmatch(r"(1[89]|20)\d\d", entry.fields["year"]):
            problems.append(f"{key}: year {entry.fields['year']!r} is not a year")
    assert not problems, "\n".join(problems)


def test_every_entry_in_the_file_is_cited_or_catalogued(bib):
    """An entry nobody cites or catalogues is dead weight, or a sign of a mistyped key."""
    cited = set(cited_keys())
    catalogued = {k for k, e in bib.entries.items() if "toolkit" in e.fields or "group" in e.fields}
    unused = sorted(set(bib.entries) - cited - catalogued)
    assert not unused, unused


# -- Quality of what an entry points at -----------------------------------------------------------

# Laws, regulations and bills: recognised by their citation form in the title or howpublished.
LAW = re.compile(r"U\.S\.C\.|\bCFR\b|C\.F\.R\.|Pub\. ?L\.|Public Law|\d+ Stat\. \d|Federal Register|"
                 r"\bH\.R\. ?\d|\bS\. \d+\b|\bS\.B\. ?\d|\bH\.B\. ?\d|Occupations Code|Administrative Code|"
                 r"Public Health Law|Penal Code|Revised Statutes")
# Where official text is published: the US government's .gov sites (govinfo, eCFR, congress.gov,
# the Federal Register, uscode.house.gov, state legislatures and agencies) and the UN's treaty pages.
OFFICIAL = re.compile(r"(^|\.)([a-z0-9-]+\.)*(gov|mil|un\.org|ohchr\.org|unodc\.org)$")


# Articles whose volume, pages or DOI exist but could not be confirmed in the December 2026
# review (every stored copy of the publisher's page, indexes and citing papers was tried; see
# research/currency/bibliography.md and recheck2.md). Listed, not guessed. The test fails when
# one of them gains the details, so the list only shrinks.
UNCONFIRMED_DETAILS = {
    "Dell2022Infrequent": "volume, pages and DOI not in any copy seen",
    "FranchinoOlsen2020Disabilities": "volume, issue, pages and DOI not confirmed (Int J Hum Rights Healthc)",
    "ChisolmStraker2018Supportive": "volume 91 confirmed; pages and DOI not",
    "Todres2011Upstream": "volume 89 (2) confirmed; first page not",
}


def test_journal_articles_can_be_found_volume_and_pages_or_a_doi(bib):
    """An article without volume and pages (or a DOI) cannot be found by a reader or a librarian."""
    problems = []
    for key, entry in bib.entries.items():
        if entry.type.lower() != "article":
            continue
        fields = {f.lower() for f in entry.fields}
        complete = "doi" in fields or {"volume", "pages"} <= fields or {"volume", "eid"} <= fields
        if key in UNCONFIRMED_DETAILS:
            if complete:
                problems.append(f"{key}: now complete; remove it from UNCONFIRMED_DETAILS")
            continue
        if not complete:
            problems.append(f"{key}: article needs volume and pages, or a DOI")
        if "doi" in fields and not re.fullmatch(r"10\.\d{4,9}/\S+", entry.fields["doi"]):
            problems.append(f"{key}: doi {entry.fields['doi']!r} is not a bare DOI (10.xxxx/...)")
    assert not problems, "\n".join(problems)


def test_urls_point_at_the_work_not_a_home_page(bib):
    problems = []
    for key, entry in bib.entries.items():
        url = entry.fields.get("url")
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            problems.append(f"{key}: url {url!r} is not a web address")
        elif parts.path in {"", "/"} and not parts.query:
            problems.append(f"{key}: url {url!r} is a bare domain; point at the work itself")
    assert not problems, "\n".join(problems)


def test_laws_and_regulations_cite_official_text(bib):
    """Statutes, regulations and bills link to official text, never a summary or a firm's copy."""
    laws, problems = [], []
    for key, entry in bib.entries.items():
        described = " ".join(entry.fields.get(f, "") for f in ("title", "howpublished"))
        if not LAW.search(described) or entry.type.lower() == "article":
            continue
        laws.append(key)
        url = entry.fields.get("url")
        if not url:
            problems.append(f"{key}: a law or regulation needs a url to its official text")
        elif not OFFICIAL.search(urlsplit(url).netloc.lower()):
            problems.append(f"{key}: {urlsplit(url).netloc} is not an official publisher of legal text")
    assert len(laws) >= 5, "expected the federal laws and regulations the law chapter cites"
    assert not problems, "\n".join(problems)


def test_an_in_text_citation_names_one_work():
    """The words of a citation identify one work: two works by the same authors in the same year
    (or undated) carry letters after the year, "2025a", "2025b", in the text and the reference
    list alike (_ext/handbook_bibstyle.py)."""
    link = re.compile(r'<span class="bibtex-citation"[^>]*>.*?</span>', re.S)
    target = re.compile(r'<a class="reference internal" href="[^"#]*#cite-\d+-([^"]+)">(.*?)</a>', re.S)
    works: dict[str, set[str]] = {}
    for page in BOOK.pages():
        for span in link.findall(page.read_text(encoding="utf-8")):
            for match in target.finditer(span):
                key, text = match.group(1), " ".join(re.sub(r"<[^>]+>", "", match.group(2)).split())
                if re.fullmatch(r"\d{4}[a-z]?|n\.d\.(-[a-z])?", text):
                    # A textual citation links only its year: "Baldwin et al. (2011)"; the names
                    # are the words before it, back to the previous citation in the same span.
                    before = re.sub(r"<[^>]+>", "", span[:match.start()]).split(";")[-1]
                    text = " ".join(before.replace("(", " ").split()) + " " + text
                works.setdefault(text, set()).add(key)
    assert len(works) > 100, "too few citations found: has the citation markup changed?"
    shared = {text: sorted(keys) for text, keys in works.items() if len(keys) > 1}
    assert not shared, f"citations that read the same but lead to different works: {shared}"
    lettered = [text for text in works if re.search(r"(\d{4}|n\.d\.-)[a-z]$", text)]
    assert lettered, "no lettered years: the book has works by one author in one year"


# -- Notes speak to readers; how an entry was checked is for editors ------------------------------

# `note` is printed in the reference lists (website, PDF, ePub) and in the resource catalogue;
# `checknote` (which copy was consulted, mirrors, dates of checks, the research tools' "stored
# copies") is for editors and no edition prints it. These phrases mark a working note.
WORKING_NOTE_MARKERS = (
    "stored cop", "stored corp", "stored under", "project brief", "copy seen", "copies seen",
    "copy consulted", "copy checked", "seen on", "seen in", "not seen", "was seen", "mirror",
    "scribd", "docslib", "casetext", "public.law", "checked against", "checked on", "checked in",
    "was checked", "were checked", "rechecked", "check on 20", "found on 20", "toolkit item",
)

ANNOTATION_MARKERS = ("stored cop", "stored corp", "project brief", "copy seen", "copies seen",
                      "copy consulted", "mirror", "scribd", "docslib", "toolkit item")


def test_reference_notes_speak_to_readers_not_editors(bib):
    problems = []
    for key, entry in bib.entries.items():
        note = " ".join(entry.fields.get("note", "").lower().split())
        found = [marker for marker in WORKING_NOTE_MARKERS if marker in note]
        if found:
            problems.append(f"{key}: the note reads like a working note ({', '.join(found)}): "
                            "move how the entry was checked to 'checknote' and keep in 'note' only "
                            "what a reader needs to identify, find or use the work")
        # The catalogue prints each toolkit resource's annotation too (fewer markers: an
        # annotation may well say "problems seen in people who have been trafficked").
        annotation = " ".join(entry.fields.get("annotation", "").lower().split())
        found = [m for m in ANNOTATION_MARKERS if m in annotation]
        if found:
            problems.append(f"{key}: the annotation reads like a working note ({', '.join(found)})")
        # A note is read by people, who do not know the file's keys ("see ACF2025HotlineGrant").
        keys = [k for k in bib.entries if k != key and re.search(r"\d|[a-z][A-Z]", k)  # not "Hotline"
                and re.search(rf"\b{re.escape(k)}\b", entry.fields.get("note", ""))]
        if keys:
            problems.append(f"{key}: the note names entries by their keys {keys}: name the works instead")
    assert not problems, "\n".join(problems)
    assert any("checknote" in entry.fields for entry in bib.entries.values()), \
        "no entry has a checknote: has the field been renamed? (the markers above would then test nothing)"


def reader_words(path) -> str:
    """A built page (HTML, or a search snippet's JSON) as lower-case words, " a b c "."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        strings, stack = [], [json.loads(text)]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                strings.append(item)
            elif isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        text = " ".join(strings)
    text = unescape(re.sub(r"<[^>]+>", " ", text))
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def test_no_checknote_is_printed_on_the_website(bib):
    """A checknote is for editors: no reader-facing page or search snippet shows it. The editors'
    pages (editors/: the register, which quotes its own checking notes) are left out."""
    html = BOOK.html
    assert html.is_dir(), f"{html} is missing: run ./handbook test"
    starts = {}
    for key, entry in bib.entries.items():
        if "checknote" in entry.fields:
            plain = re.sub(r"\\[A-Za-z]+", " ", entry.fields["checknote"]).lower()
            starts[key] = " " + " ".join(re.findall(r"[a-z0-9]+", plain)[:8]) + " "
    assert starts, "no entry has a checknote"
    phrases = {" stored cop", " stored corp", " public mirror "}  # as words: "stored copy", "stored corpus"
    files = [p for p in sorted(html.rglob("*")) if p.suffix in {".html", ".json"}
             and not {"editors", "_static"} & set(p.relative_to(html).parts)]
    assert files, f"no pages in {html}: run ./handbook test"
    shown = []
    for path in files:
        words = reader_words(path)
        shown += [f"{path.relative_to(html)}: checknote of {key}" for key, start in starts.items()
                  if start in words]
        shown += [f"{path.relative_to(html)}: {phrase.strip()!r}" for phrase in phrases if phrase in words]
    assert not shown, "working notes printed for readers:\n" + "\n".join(shown)

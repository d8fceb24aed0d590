"""references.bib: every cited key exists, every entry is complete for its type, keys are unique."""

from __future__ import annotations

import re
from datetime import date

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
    for path in BOOK.sources():
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

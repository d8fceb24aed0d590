"""What a references.bib entry needs, shared by the start-up check and the bibliography tests."""

from __future__ import annotations

# Fields each entry type needs before it can be cited (one tuple = any one of these will do).
REQUIRED = {
    "article": ["author", "title", "journal", "year"],
    "book": [("author", "editor"), "title", "publisher", "year"],
    "incollection": ["author", "title", "booktitle", "publisher", "year"],
    "inproceedings": ["author", "title", "booktitle", "year"],
    "report": ["author", "title", "institution", "year"],
    "techreport": ["author", "title", "institution", "year"],
    "online": ["author", "title", "url", "urldate"],
    "misc": ["author", "title", ("url", "howpublished")],
}

"""Kitchen-sink fixture: the handbook's own configuration, pointed at this folder's pages.

It is built to HTML, PDF and ePub by `./handbook test` and checked by the same tests as the
book. It is not part of the book.
"""

from pathlib import Path

_book = Path(__file__).resolve().parents[2]
_here = __file__
__file__ = str(_book / "conf.py")  # the book's conf.py finds _ext/ and tools/ from its own path
exec((_book / "conf.py").read_text(encoding="utf-8"), globals())  # noqa: S102
__file__ = _here

# Paths in the book's conf.py are relative to the book; make them absolute here.
templates_path = [str(_book / "_templates")]
html_static_path = [str(_book / "_static")]
html_favicon = str(_book / "_static" / "favicon.svg")
bibtex_bibfiles = [str(_book / "references.bib"), "kitchen-sink.bib"]
include_patterns = ["*.md"]
exclude_patterns = ["_build"]
project = "Kitchen sink"
html_title = "Kitchen sink: every construct the house style allows"
epub_title = html_title
epub_identifier = "urn:uuid:0d6b3c1a-7f4e-4a55-9b1e-3c2d1e0f9a77"
# The PDF's document properties name this fixture, not the book.
latex_elements["preamble"] = latex_elements["preamble"].replace(
    "pdftitle={" + f"Healthcare and Human Trafficking: {subtitle}" + "}", "pdftitle={" + html_title + "}")
# On the website the fixture's reference list and check become pages of their own, as the book's
# chapters' do (_ext/handbook_ownpages.py), so the tests that build it serially and in parallel,
# fresh and incrementally, cover that too.
handbook_own_pages = {**handbook_own_pages, "documents": ["constructs"]}

"""The three editions agree: the same in-text citations appear in the website, PDF and ePub."""

from __future__ import annotations

import re
import subprocess
import zipfile

from bs4 import BeautifulSoup

from conftest import BOOK


def squash(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u00ad", "")
    return re.sub(r"[\s-]+", "", text)


def without_running_heads(text: str) -> str:
    """pdftotext's text of the book without page numbers and running heads, which a page break
    puts in the middle of a sentence (and of a citation)."""
    heads = re.compile(r"^\s*(\d+|[ivxlc]+|Chapter \d+\. .*|Healthcare and Human Trafficking: A Handbook for Health Professionals.*)\s*$")
    return "\n".join(line for line in text.splitlines() if not heads.match(line))


def html_citations() -> list[str]:
    cites = set()
    for page in (BOOK.html / "chapters").glob("*.html"):
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        cites.update(span.get_text(" ", strip=True) for span in doc.select(".bibtex-citation"))
    return sorted(c for c in cites if c.startswith("("))  # parenthetical ones: "(Author Year)"


def test_parenthetical_citations_read_the_same_in_every_format():
    cites = html_citations()
    assert len(cites) > 50, len(cites)
    pdf = squash(without_running_heads(subprocess.run(["pdftotext", str(BOOK.pdf), "-"], capture_output=True, text=True, check=True).stdout))
    with zipfile.ZipFile(BOOK.epub) as z:
        epub = squash(" ".join(BeautifulSoup(z.read(n), "lxml").get_text(" ")
                               for n in z.namelist() if n.startswith("chapters/") and n.endswith(".xhtml")))
    missing_pdf = [c for c in cites if squash(c) not in pdf]
    missing_epub = [c for c in cites if squash(c) not in epub]
    assert not missing_epub, missing_epub[:10]
    # The PDF breaks lines inside long citations; allow none to be missing.
    assert not missing_pdf, missing_pdf[:10]
    raw = subprocess.run(["pdftotext", str(BOOK.pdf), "-"], capture_output=True, text=True, check=True).stdout
    labels = re.findall(r"\[\d{1,3}\]|\[[A-Z][a-z]{0,3}\d{2}\]", raw)  # "[12]" or "[LW14]"
    assert not labels, f"numeric or alphabetic citation labels in the PDF: {labels[:5]}"

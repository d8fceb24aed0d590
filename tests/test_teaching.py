"""The teaching kit: knowledge checks, one-page job aids, the facilitator guide and its
competency crosswalk, and chapters a reference manager can cite.

Everything here is built from the same sources as the chapters (data/checks, snippets/,
data/competencies.yaml, CITATION.cff and the chapters' front matter); these tests check that the
outputs say what those sources say, in every format, and that a job aid is really one page.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rispy
import yaml
from bs4 import BeautifulSoup
from pybtex.database import parse_string
from pypdf import PdfReader

from conftest import BOOK, ROOT

sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

import handouts as handout_tool  # noqa: E402  (tools/handouts.py)
from handbook_checks import load_checks  # noqa: E402

CORE = ["identification", "trauma-informed-care", "public-health", "policy-law"]
CITATION = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
FACTS = yaml.safe_load((ROOT / "data" / "facts.yaml").read_text(encoding="utf-8"))
HANDOUTS = sorted((ROOT / "handouts").glob("*.md"))
PAPER_POINTS = {"letter": (612, 792), "a4": (595, 842)}


def source(stem: str) -> str:
    return (ROOT / "chapters" / f"{stem}.md").read_text(encoding="utf-8")


def labels(stem: str) -> set[str]:
    return set(re.findall(r"^\(([\w-]+)\)=\s*$", source(stem), re.M))


def objectives(stem: str) -> list[str]:
    text = source(stem).split("## Learning objectives", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^- (.+)$", text, re.M)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", BeautifulSoup(html, "lxml").get_text(" "))


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", out)


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])


# -- Knowledge checks ---------------------------------------------------------------------------


@pytest.mark.parametrize("stem", CORE)
def test_each_core_chapter_has_a_knowledge_check_of_decisions(stem):
    items = load_checks(ROOT / "data" / "checks" / f"{stem}.yaml")
    assert len(items) >= 8, f"{stem}: at least 8 questions"
    assert sum(bool(i.get("case")) for i in items) > len(items) / 2, f"{stem}: mostly case-based"
    goals = objectives(stem)
    assert {i["objective"] for i in items} <= set(range(1, len(goals) + 1)), f"{stem}: objective out of range"
    assert {i["objective"] for i in items} == set(range(1, len(goals) + 1)), f"{stem}: every objective tested"
    missing = {i["id"]: i["section"] for i in items if i["section"] not in labels(stem)}
    assert not missing, f"{stem}: sections not labelled in the chapter: {missing}"
    assert len({i["id"] for i in items}) == len(items), f"{stem}: duplicate ids"
    assert 2 <= sum(bool(i.get("prepost")) for i in items) <= 4, f"{stem}: 2 to 4 pre/post items"
    section = source(stem).split("## Check your understanding", 1)
    assert len(section) == 2 and f"```{{knowledge-check}} {stem}\n" in section[1].split("\n## ", 1)[0], \
        f"{stem}: no knowledge check under '## Check your understanding'"


@pytest.mark.parametrize("stem", CORE)
def test_answers_are_hidden_on_the_website_and_printed_in_pdf_and_epub(stem):
    items = load_checks(ROOT / "data" / "checks" / f"{stem}.yaml")
    # On the website the check is a page of its own, linked from the chapter (handbook_ownpages).
    chapter = BeautifulSoup((BOOK.html / "chapters" / f"{stem}.html").read_text(encoding="utf-8"), "lxml")
    assert chapter.select_one(f"section.own-page-stub a[href='{stem}-check.html']"), f"{stem}: no link to its check"
    soup = BeautifulSoup((BOOK.html / "chapters" / f"{stem}-check.html").read_text(encoding="utf-8"), "lxml")
    questions = soup.select("ol.knowledge-check > li")
    assert len(questions) == len(items)
    for item, question in zip(items, questions):
        details = question.find("details", class_="kc-answer")
        assert details is not None and details.get("open") is None, f"{item['id']}: answer not hidden"
        assert f"Answer: {'abcde'[item['answer'] - 1]}." in details.get_text()
        assert details.find("a", href=True), f"{item['id']}: no link to the section that teaches it"
    assert not soup.select(".knowledge-check-answers"), "the website lists answers twice"
    with BOOK.epub_zip() as epub:
        xhtml = epub.read(f"chapters/{stem}.xhtml").decode("utf-8")
    assert "<details" not in xhtml
    text = words(xhtml)
    pdf = pdf_text(ROOT / "_build" / "pdf" / "chapters" / f"{stem}.pdf")
    for item in items:
        letter = "abcde"[item["answer"] - 1]
        for edition, body in (("ePub", text), ("PDF", pdf)):
            assert f"Answer: {letter}." in body, f"{edition} {stem}: answer to {item['id']} missing"
    # Printed answers come after the last question.
    page = BeautifulSoup(xhtml, "lxml")
    questions = page.select_one("ol.knowledge-check")
    answers = page.select_one("ol.knowledge-check-answers")
    assert questions is not None and answers is not None
    assert answers in questions.find_all_next("ol"), "the answers must follow the questions"
    assert len(answers.find_all("li", recursive=False)) == len(items)


# -- Job aids -----------------------------------------------------------------------------------


def effective_sizes(pdf: Path) -> list[float]:
    sizes = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            sizes.append(size * math.hypot(c, d))

    for page in PdfReader(str(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def greyscale(pdf: Path) -> bool:
    """Rendered at low resolution, every pixel has equal red, green and blue (within 2/255)."""
    ppm = subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", str(pdf)], capture_output=True, check=True).stdout
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
    pixels = ppm[header.end():]
    return all(max(pixels[i:i + 3]) - min(pixels[i:i + 3]) <= 2 for i in range(0, len(pixels), 3))


@pytest.fixture(scope="module")
def a4_aids(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("a4")
    handout_tool.print_all(BOOK.html, out, "a4")
    return out


def test_there_are_the_core_and_at_least_four_role_aids():
    names = {p.stem for p in HANDOUTS}
    assert {"recognize", "respond", "report", "document"} <= names
    assert len([n for n in names if n.startswith("role-")]) >= 4


@pytest.mark.parametrize("handout", HANDOUTS, ids=lambda p: p.stem)
def test_a_job_aid_is_one_readable_black_and_white_page_in_both_sizes(handout, a4_aids):
    for paper, pdf in (("letter", ROOT / "_build" / "pdf" / "handouts" / f"{handout.stem}.pdf"),
                       ("a4", a4_aids / f"{handout.stem}.pdf")):
        reader = PdfReader(str(pdf))
        assert len(reader.pages) == 1, f"{pdf}: {len(reader.pages)} pages"
        box = reader.pages[0].mediabox
        width, height = PAPER_POINTS[paper]
        assert abs(float(box.width) - width) <= 1.5 and abs(float(box.height) - height) <= 1.5, (paper, box)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(r.split()[-5] == "yes" for r in rows), f"{pdf}: a font is not embedded\n{fonts}"
        sizes = effective_sizes(pdf)
        assert sizes and min(sizes) >= 8.95, f"{pdf}: text smaller than 9 pt ({min(sizes):.1f})"
        assert greyscale(pdf), f"{pdf}: uses colour; a job aid must print in black and white"
        assert reader.metadata.title and reader.metadata.author


@pytest.mark.parametrize("handout", HANDOUTS, ids=lambda p: p.stem)
def test_a_job_aid_carries_edition_date_hotline_licence_and_its_chapter(handout):
    text = pdf_text(ROOT / "_build" / "pdf" / "handouts" / f"{handout.stem}.pdf")
    chapter = front_matter(handout)["handout-chapter"]
    for needed in (f"Edition {CITATION['version']}", "facts checked", FACTS["hotline_phone"],
                   str(FACTS["hotline_text"]), "CC BY 4.0", BOOK.titles[f"chapters/{chapter}"][:30]):
        assert needed in text, f"{handout.name}: {needed!r} missing from the printed aid"


@pytest.mark.parametrize("handout", HANDOUTS, ids=lambda p: p.stem)
def test_a_job_aid_takes_its_words_from_the_chapters_own_snippets(handout):
    text = handout.read_text(encoding="utf-8").split("---", 2)[2]
    included = re.findall(r"```\{include\} \.\./snippets/([\w-]+\.md)", text)
    assert included, f"{handout.name}: includes no snippet"
    prose = re.sub(r"```\{include\}[^\n]*\n```|^#.*$|^\s*$", "", text, flags=re.M).strip()
    assert not prose, f"{handout.name}: has its own text; put it in a snippet the chapter includes"
    chapters = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "chapters").glob("*.md")}
    for snippet in included:
        users = [stem for stem, body in chapters.items() if f"../snippets/{snippet}" in body]
        assert users, f"snippets/{snippet} is on a job aid but in no chapter"
        raw = (ROOT / "snippets" / snippet).read_text(encoding="utf-8")
        raw = re.sub(r"^\s*(\d+\.|[-*])\s+", "", raw, flags=re.M)  # list markers are not text
        first = words(re.sub(r"\{[\w:]+\}`[^`]*`|\{\{[^}]*\}\}|\*\*", "", raw))[:40]
        page = words((BOOK.html / "chapters" / f"{users[0]}.html").read_text(encoding="utf-8"))
        assert first.strip()[:30] in page, f"{snippet}: not shown in chapters/{users[0]}"


def test_each_chapter_page_links_to_its_job_aids_and_the_files_are_published():
    for handout in HANDOUTS:
        chapter = front_matter(handout)["handout-chapter"]
        page = (BOOK.html / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
        assert f"editions/handouts/{handout.stem}.pdf" in page, f"{chapter} does not link {handout.stem}"
        assert (BOOK.html / "editions" / "handouts" / f"{handout.stem}.pdf").exists()


# -- Facilitator guide and crosswalk ------------------------------------------------------------


def crosswalk() -> dict:
    return yaml.safe_load((ROOT / "data" / "competencies.yaml").read_text(encoding="utf-8"))


def test_the_crosswalk_covers_every_core_section_and_every_competency():
    data = crosswalk()
    ids = [str(c["id"]) for c in data["competencies"]]
    assert ids == ["1", "2", "3", "4", "5", "6", "U"]
    mapped = {row["section"] for row in data["crosswalk"]}
    every = set().union(*(labels(stem) for stem in CORE))
    assert mapped <= every, f"crosswalk sections that are not labels in the chapters: {sorted(mapped - every)}"
    covered = {str(c) for row in data["crosswalk"] for c in row["competencies"]}
    assert covered == set(ids), f"competencies no section teaches: {set(ids) - covered}"
    for stem in CORE:
        level2 = re.findall(r"^\(([\w-]+)\)=\s*\n## (.+)$", source(stem), re.M)
        skip = {"learning objectives", "key points", "references", "check your understanding"}
        sections = {label for label, title in level2 if title.strip().lower() not in skip}
        assert sections <= mapped, f"{stem}: sections missing from the crosswalk: {sorted(sections - mapped)}"


def test_the_guide_shows_the_crosswalk_and_each_chapter_its_competencies():
    guide = BeautifulSoup((BOOK.html / "teaching" / "facilitator-guide.html").read_text(encoding="utf-8"), "lxml")
    table = guide.select_one("table.competency-crosswalk")
    assert table is not None
    rows = table.select("tbody tr")
    assert len(rows) == len(crosswalk()["crosswalk"])
    assert all(r.find("a", href=True) for r in rows), "every crosswalk row links to its section"
    for stem in CORE:
        page = (BOOK.html / "chapters" / f"{stem}.html").read_text(encoding="utf-8")
        assert "HHS Core Competencies this chapter covers" in page


def test_the_guide_has_both_sessions_the_pre_post_check_and_its_own_pdf():
    text = (ROOT / "teaching" / "facilitator-guide.md").read_text(encoding="utf-8")
    assert re.search(r"60-minute", text) and re.search(r"half-day", text, re.I)
    assert "{job-aids}" in text and ":prepost:" in text
    html = words((BOOK.html / "teaching" / "facilitator-guide.html").read_text(encoding="utf-8"))
    for stem in CORE:
        for item in load_checks(ROOT / "data" / "checks" / f"{stem}.yaml"):
            if item.get("prepost") and f"{{knowledge-check}} {stem}" in text:
                assert words(re.sub(r"\{[\w:]+\}`[^`]*`", "", str(item["question"])))[:30] in html
    assert (ROOT / "_build" / "pdf" / "chapters" / "facilitator-guide.pdf").exists()


# -- Citable chapters ---------------------------------------------------------------------------


@pytest.mark.parametrize("stem", CORE)
def test_citation_files_and_meta_tags_agree_with_each_other_and_citation_cff(stem):
    book = CITATION["preferred-citation"]["title"]
    author = CITATION["preferred-citation"]["authors"][0]["name"]
    reviewed = str(front_matter(ROOT / "chapters" / f"{stem}.md")["last-reviewed"])
    title = BOOK.titles[f"chapters/{stem}"]
    edition = str(CITATION["version"])

    ris = rispy.loads((BOOK.html / "cite" / f"{stem}.ris").read_text(encoding="utf-8"))
    assert len(ris) == 1
    ris = ris[0]
    assert ris["type_of_reference"] == "CHAP"
    assert ris["authors"] == [author], "a corporate author stays one name"
    assert (ris["title"], ris["secondary_title"], ris["edition"]) == (title, book, edition)
    assert ris["year"] == reviewed[:4]

    bib = parse_string((BOOK.html / "cite" / f"{stem}.bib").read_text(encoding="utf-8"), "bibtex")
    (entry,) = bib.entries.values()
    assert entry.type == "incollection"
    assert [str(p) for p in entry.persons["author"]] == ["{" + author + "}"]
    assert entry.fields["title"] == title and entry.fields["booktitle"] == book
    assert entry.fields["edition"] == edition and entry.fields["year"] == reviewed[:4]
    assert reviewed in entry.fields["note"]

    soup = BeautifulSoup((BOOK.html / "chapters" / f"{stem}.html").read_text(encoding="utf-8"), "lxml")
    meta = {}
    for tag in soup.find_all("meta", attrs={"name": True}):
        meta.setdefault(tag["name"], []).append(tag["content"])
    assert meta["citation_title"] == [title] and meta["DC.title"] == [title]
    assert meta["citation_author"] == [author] and meta["DC.creator"] == [author]
    assert meta["citation_inbook_title"] == [book] and meta["citation_edition"] == [edition]
    assert meta["citation_publication_date"] == [reviewed.replace("-", "/")] and meta["DC.date"] == [reviewed]
    assert meta["citation_publisher"] == [CITATION["preferred-citation"]["publisher"]["name"]]

    cite = soup.find(id=f"chapters-{stem}-cite")
    text = cite.get_text(" ")
    for style in ("APA 7", "Chicago author-date"):
        assert style in text
    assert text.count(title) >= 3 and f"{edition}" in text
    links = {a["href"] for a in cite.find_all("a", href=True)}
    assert f"../cite/{stem}.bib" in links and f"../cite/{stem}.ris" in links


def test_citations_carry_the_public_url_when_one_is_configured(tmp_path):
    """With HANDBOOK_URL set, the files and tags name the chapter's address and its PDF."""
    sys.path.insert(0, str(ROOT / "_ext"))
    from datetime import date

    from handbook_citation import ChapterCitation

    cite = ChapterCitation(stem="identification", docname="chapters/identification", title="T",
                           reviewed=date(2026, 12, 3), authors=("Org contributors",), book="B",
                           edition="2026.12", released=date(2026, 12, 3), publisher="Org contributors",
                           url="https://example.org/chapters/identification.html",
                           pdf_url="https://example.org/editions/chapters/identification.pdf", keywords="a, b")
    ris = rispy.loads(cite.ris())[0]
    assert ris["urls"] == ["https://example.org/chapters/identification.html"]
    tags = dict(cite.meta_tags())
    assert tags["citation_pdf_url"].endswith("identification.pdf")
    assert tags["citation_public_url"] == cite.url == tags["DC.identifier"]
    assert "url       = {https://example.org" in cite.bibtex()
    assert cite.url in cite.apa() and cite.url in cite.chicago()

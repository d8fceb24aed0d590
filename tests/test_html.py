"""The website: links resolve, images are described, pages are well formed and self-contained."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from pybtex.database import parse_file

from conftest import BASENAME, BOOK, SINK


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def ids_in(path: Path, cache: dict) -> set[str]:
    if path not in cache:
        page = soup(path)
        cache[path] = {el["id"] for el in page.find_all(id=True)} | {
            a["name"] for a in page.find_all("a", attrs={"name": True})
        }
    return cache[path]


def test_every_internal_link_and_anchor_resolves(edition):
    cache: dict = {}
    broken = []
    for page in edition.pages():
        for a in soup(page).find_all("a", href=True):
            href = a["href"]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("mailto:"):
                continue
            if parts.path.startswith("/"):  # the 404 page's links work at any depth
                prefix = urlsplit(edition.url).path or "/"
                assert parts.path.startswith(prefix), f"{page.name}: {href} outside {prefix}"
                target = edition.html / unquote(parts.path[len(prefix):])
            else:
                target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(edition.html)}: {href} (no file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_in(target, cache):
                broken.append(f"{page.relative_to(edition.html)}: {href} (no anchor)")
    assert not broken, "\n".join(broken)


def test_every_image_has_descriptive_alt_text(edition):
    problems = []
    for page in edition.pages():
        for img in soup(page).find_all("img"):
            alt = (img.get("alt") or "").strip()
            name = Path(urlsplit(img.get("src", "")).path).name
            stem = Path(name).stem
            if not alt:
                problems.append(f"{page.name}: {name} has no alt text")
            elif re.search(r"\.(png|jpe?g|gif|svg|webp)$", alt, re.I) or alt in {name, stem}:
                problems.append(f"{page.name}: {name} has a file name as alt text: {alt!r}")
            elif len(alt.split()) < 3:
                problems.append(f"{page.name}: {name} alt text too short to describe it: {alt!r}")
    assert not problems, "\n".join(problems)


def test_one_h1_per_page(edition):
    counts = {p.relative_to(edition.html).as_posix(): len(soup(p).find_all("h1")) for p in edition.pages()}
    assert all(n == 1 for n in counts.values()), {k: n for k, n in counts.items() if n != 1}


EXTERNAL = re.compile(r"^(https?:)?//", re.I)


def test_no_page_loads_anything_from_another_origin(edition):
    loads = []
    for page in edition.pages():
        doc = soup(page)
        for tag, attr in (("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                          ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data")):
            for el in doc.find_all(tag, attrs={attr: True}):
                if EXTERNAL.match(el[attr]):
                    loads.append(f"{page.name}: <{tag} {attr}={el[attr]}>")
        for link in doc.find_all("link", href=True):
            rel = {r.lower() for r in link.get("rel", [])}
            if rel & {"stylesheet", "preload", "prefetch", "preconnect", "icon", "modulepreload", "manifest"} \
                    and EXTERNAL.match(link["href"]):
                loads.append(f"{page.name}: <link rel={sorted(rel)} href={link['href']}>")
        for style in doc.find_all("style"):
            if re.search(r"url\(\s*['\"]?(https?:)?//|@import", style.get_text()):
                loads.append(f"{page.name}: inline <style> loads a remote resource")
    for css in edition.html.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", text):
            loads.append(f"{css.relative_to(edition.html)}: url({url})")
        if re.search(r"@import\s+(url\()?['\"]?(https?:)?//", text):
            loads.append(f"{css.relative_to(edition.html)}: remote @import")
    assert not loads, "\n".join(loads)


def test_every_page_links_to_the_pdf_and_epub_editions(edition):
    missing = []
    for page in edition.pages():
        if page.parent.name == "handouts":
            continue  # a printable one-page job aid: it links back to its chapter, not to the editions
        hrefs = {a["href"] for a in soup(page).find_all("a", href=True)}
        for suffix in (".pdf", ".epub"):
            if not any(h.endswith(f"editions/{BASENAME}{suffix}") for h in hrefs):
                missing.append(f"{page.name}: no link to the {suffix} edition")
    assert not missing, "\n".join(missing)


def test_the_linked_editions_are_published_with_the_website():
    for suffix in (".pdf", ".epub"):
        published = BOOK.html / "editions" / f"{BASENAME}{suffix}"
        assert published.exists() and published.stat().st_size > 10_000, published


def test_chapters_have_meta_description_and_review_date(edition):
    problems = []
    for docname in edition.titles:
        page = edition.html / f"{docname}.html"
        source = (edition.source / f"{docname}.md").read_text(encoding="utf-8")
        if "last-reviewed:" not in source:
            continue
        doc = soup(page)
        meta = doc.find("meta", attrs={"name": "description"})
        if not meta or len(meta.get("content", "")) < 40:
            problems.append(f"{docname}: no meta description")
        if not doc.select_one(".last-reviewed"):
            problems.append(f"{docname}: no last-reviewed line")
        cite = doc.find(id=re.compile(r"-cite$"))
        if not cite or edition.titles[docname] not in cite.get_text():
            problems.append(f"{docname}: no 'Cite this chapter' section naming the chapter")
    assert not problems, "\n".join(problems)


def test_citations_and_reference_lists_use_the_same_author_year_form():
    """Each in-text citation names the first author's surname and the year of the entry it links to."""
    checked = 0
    problems = []
    for page in BOOK.pages():
        doc = soup(page)
        for span in doc.select(".bibtex-citation"):
            cite_text = span.get_text(" ", strip=True)  # "(Lederer and Wetzel 2014)" or "Baldwin et al. (2011)"
            for link in span.select("a[href^='#']"):
                entry = doc.find(id=link["href"][1:])
                if entry is None:
                    problems.append(f"{page.name}: {link['href']} has no entry on the page")
                    continue
                entry_text = entry.get_text(" ", strip=True)
                # "2014", or with the letter that tells apart one author's works of a year:
                # "2025a", "n.d.-b" (handbook_bibstyle), or plain "n.d."
                year = re.search(r"(?<!\w)(\d{4}[a-z]?|n\.d\.-[a-z]|n\.d)(?!\w)", link.get_text())
                surname = re.split(r"[,.]", entry_text, maxsplit=1)[0].strip()
                if not year or year.group(1) not in entry_text[:400]:
                    problems.append(f"{page.name}: year of {cite_text!r} not in entry {entry_text[:80]!r}")
                if surname.split()[0] not in cite_text:
                    problems.append(f"{page.name}: {cite_text!r} does not name {surname!r}")
                if re.match(r"\[\w+\]", entry_text):
                    problems.append(f"{page.name}: entry starts with a bracketed label: {entry_text[:40]!r}")
                checked += 1
    assert checked > 0, "no citations found"
    assert not problems, "\n".join(sorted(set(problems))[:20])


def test_no_chapter_prose_is_rendered_as_code(edition):
    """Chapters have no code; a <pre> outside the citation BibTeX means broken markup
    (for example a directive fence whose title contains a backtick)."""
    problems = []
    for page in edition.pages():
        for pre in soup(page).find_all("pre"):
            if pre.find_parent(class_="cite-bibtex") or pre.find_parent(class_="highlight-bibtex"):
                continue
            problems.append(f"{page.name}: {pre.get_text()[:70]!r}")
    assert not problems, "\n".join(problems)


def test_every_bibtex_entry_type_renders_as_an_author_year_entry():
    """The kitchen sink cites one entry of each type the house style allows."""
    bib = parse_file(str(SINK.source / "kitchen-sink.bib"))
    bib.add_entries(parse_file(str(BOOK.source / "references.bib")).entries.items())
    page = soup(SINK.html / "constructs-references.html")  # the list's own page (handbook_ownpages)
    rendered = {}
    for item in page.select(".reference-list li[id]"):
        key = next((k for k in bib.entries if item["id"].endswith("-" + k.lower())), None)
        if key:
            rendered[bib.entries[key].type.lower()] = (bib.entries[key], item.get_text(" ", strip=True))
    wanted = {"report", "online", "misc", "article", "inproceedings", "book", "incollection"}
    assert wanted <= set(rendered), wanted - set(rendered)
    for kind, (entry, text) in rendered.items():
        persons = entry.persons.get("author") or entry.persons.get("editor")
        first = persons[0].last_names[0] if persons else entry.fields["author"].strip("{}").split()[0]
        year = entry.fields.get("year", "n.d")
        assert text.startswith(first.strip("{}")), f"@{kind} does not start with {first}: {text[:60]}"
        # (a letter follows the year where two works would otherwise cite alike: 2025a, n.d.-b)
        assert re.search(rf"\.\s{re.escape(year)}(?:[a-z]|\.-[a-z])?\.\s", text[:400]), \
            f"@{kind} lacks 'Names. {year}.': {text[:120]}"


def test_only_a_chapters_title_carries_its_number():
    """Chapters are numbered, their sections are not: no section heading may borrow the chapter's
    number (Sphinx gave "Cite this chapter", added after numbering, the chapter's; handbook_html)."""
    pages = sorted((BOOK.html / "chapters").glob("*.html"))
    titled = [p.name for p in pages if soup(p).select_one("article h1 .section-number")]
    assert titled, "no chapter title is numbered: has the numbering changed?"
    numbered = [f"{p.name}: {h.get_text(' ', strip=True)}" for p in pages
                for h in soup(p).select("article h2, article h3, article h4") if h.select_one(".section-number")]
    assert not numbered, numbered


def test_each_pages_sidebar_marks_that_page_and_no_other():
    """The sidebar's list is made once per folder and marked for each page
    (_ext/handbook_navtree.py): a page in the list is marked there as where the reader is, with a
    link to its top, and no other entry is marked; a page not in the list has no mark."""
    marked_pages = 0
    for page in BOOK.pages():
        here = page.relative_to(BOOK.html).as_posix()
        sidebar = soup(page).select_one(".sidebar-tree")
        if sidebar is None:
            continue
        entries = sidebar.select("li > a.reference")
        assert entries, f"{here}: an empty sidebar"
        marked = [a for a in entries if "current" in a.get("class", [])]
        to_top = [a for a in entries if a["href"] == "#"]
        named = {posixpath.normpath(posixpath.join(posixpath.dirname(here), a["href"]))
                 for a in entries if a["href"] != "#"}
        assert here not in named, f"{here}: the sidebar lists this page without marking it"
        if to_top:
            assert marked == to_top and len(marked) == 1, f"{here}: marks {[a.get_text() for a in marked]}"
            assert "current-page" in marked[0].parent.get("class", []), here
            marked_pages += 1
        elif not here.endswith(("-references.html", "-check.html")):  # own pages: tests/test_ownpages.py
            assert not marked, f"{here}: the sidebar marks {[a.get_text() for a in marked]}"
    assert marked_pages >= 10, f"only {marked_pages} pages are marked in their sidebar"

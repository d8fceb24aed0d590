"""The website as readers and their tools meet it: the hotline on every page, a strict referrer
policy, a favicon, a 404 page, link previews, canonical links and a sitemap only where an address
is published, and the zipped edition for reading offline."""

from __future__ import annotations

import re
import zipfile
from urllib.parse import urlsplit
from xml.etree import ElementTree

import yaml

from conftest import BASENAME, BOOK, ROOT, SINK
from test_html import soup

FACTS = yaml.safe_load((ROOT / "data" / "facts.yaml").read_text(encoding="utf-8"))
ALL_PAGES = lambda edition: sorted(p for p in edition.html.rglob("*.html") if p.name != "genindex.html")  # noqa: E731


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_every_page_offers_the_hotline_to_call_and_to_text(edition):
    """One tap on a phone: a tel: link with the number in data/facts.yaml and an sms: link."""
    problems = []
    for page in ALL_PAGES(edition):
        html = soup(page)
        tel = html.select('a[href^="tel:"]')
        if not tel or not digits(tel[0]["href"]).endswith(digits(FACTS["hotline_phone"])[-10:]):
            problems.append(f"{page.name}: no tel: link to {FACTS['hotline_phone']}")
        elif FACTS["hotline_phone"] not in tel[0].get_text():
            problems.append(f"{page.name}: the call link does not show the number")
        if not html.select(".handout-body"):  # web pages (not the printable job aids): the bar
            sms = html.select('.announcement a[href^="sms:"]')
            if not html.select('.announcement a[href^="tel:"]'):
                problems.append(f"{page.name}: no hotline bar")
            if not sms or digits(sms[0]["href"]) != digits(FACTS["hotline_text"]):
                problems.append(f"{page.name}: no sms: link to {FACTS['hotline_text']}")
    assert not problems, "\n".join(problems)


def test_hotline_numbers_are_not_typed_into_templates():
    """The numbers live in data/facts.yaml only; templates and conf.py read them from there."""
    for path in [*(ROOT / "_templates").glob("*.html"), ROOT / "conf.py"]:
        text = path.read_text(encoding="utf-8")
        for key in ("hotline_phone", "hotline_text"):
            assert str(FACTS[key]) not in text, f"{path.name} types {key} instead of using FACTS"


def test_every_page_sets_a_strict_referrer_policy(edition):
    bad = []
    for page in ALL_PAGES(edition):
        meta = soup(page).find("meta", attrs={"name": "referrer"})
        if meta is None or meta.get("content") not in {"no-referrer", "strict-origin", "same-origin"}:
            bad.append(page.name)
    assert not bad, f"no strict referrer policy: {bad}"


def test_every_page_has_a_favicon_that_exists(edition):
    problems = []
    for page in ALL_PAGES(edition):
        icon = soup(page).find("link", rel=lambda r: r and "icon" in r)
        if icon is None:
            problems.append(f"{page.name}: no icon link")
            continue
        href = urlsplit(icon["href"]).path
        target = (edition.html / href[len(urlsplit(edition.url).path or "/"):]) if href.startswith("/") \
            else (page.parent / href)
        if not target.resolve().is_file():
            problems.append(f"{page.name}: icon {icon['href']} does not exist")
    assert not problems, "\n".join(problems)


def test_404_page_has_a_heading_and_links_that_work_at_any_depth(edition):
    page = edition.html / "404.html"
    assert page.exists(), "no 404 page"
    html = soup(page)
    assert html.find("h1") and "not found" in html.find("h1").get_text().lower()
    prefix = urlsplit(edition.url).path or "/"
    for tag, attr in (("link", "href"), ("script", "src"), ("a", "href")):
        for el in html.find_all(tag, attrs={attr: True}):
            ref = el[attr]
            if urlsplit(ref).scheme or ref.startswith("#"):
                continue
            assert ref.startswith(prefix), f"404.html: relative {tag} {ref!r} breaks below the top folder"


def test_chapters_preview_with_their_title_and_description(edition):
    """OpenGraph tags (sphinxext-opengraph): a shared chapter link shows its title and the
    description from its front matter, not its first paragraph."""
    problems = []
    for docname, title in edition.titles.items():
        source = (edition.source / f"{docname}.md").read_text(encoding="utf-8")
        described = re.search(r"^description:\s*(.+)$", source, re.M)
        if not described or docname == "index":
            continue
        html = soup(edition.html / f"{docname}.html")
        og_title = html.find("meta", property="og:title")
        og_desc = html.find("meta", property="og:description")
        if not og_title or title not in og_title["content"]:
            problems.append(f"{docname}: og:title {og_title and og_title['content']!r} lacks {title!r}")
        if not og_desc or og_desc["content"] != described.group(1).strip().strip("'\""):
            problems.append(f"{docname}: og:description is not the front-matter description")
    assert not problems, "\n".join(problems)


def test_no_address_is_invented_for_an_unpublished_site():
    """Built with no published address, the book carries no canonical link, og:url or sitemap."""
    assert not (BOOK.html / "sitemap.xml").exists()
    for page in ALL_PAGES(BOOK):
        html = soup(page)
        assert not html.find("link", rel="canonical"), page.name
        assert not html.find("meta", property="og:url"), page.name


def test_a_published_site_has_canonical_links_and_a_sitemap_of_every_page():
    """The fixture is built as if published at FIXTURE_URL: each page names its canonical
    address, and sitemap.xml lists every page (not search, index or 404) at that address."""
    base = SINK.url
    pages = [p for p in SINK.pages() if p.name != "404.html"]
    for page in pages:
        rel = page.relative_to(SINK.html).as_posix()
        canonical = soup(page).find("link", rel="canonical")
        assert canonical and canonical["href"] == base + rel, (rel, canonical)
        og_url = soup(page).find("meta", property="og:url")
        assert og_url and og_url["content"] == base + rel, rel
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ElementTree.parse(SINK.html / "sitemap.xml")
    listed = {loc.text for loc in tree.getroot().findall("s:url/s:loc", ns)}
    expected = {base + p.relative_to(SINK.html).as_posix() for p in pages}
    assert expected <= listed, sorted(expected - listed)
    assert not {u for u in listed if u.endswith(("404.html", "search.html"))}, listed


def test_the_offline_edition_holds_every_page_figure_and_the_search_index(edition):
    archive = edition.html / "editions" / f"{BASENAME}-html.zip"
    assert archive.exists(), f"{archive} missing"
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        options = zf.read(f"{BASENAME}-html/_static/documentation_options.js").decode()
    inside = {n.split("/", 1)[1] for n in names}
    assert all(n.startswith(f"{BASENAME}-html/") for n in names), "one top-level folder"
    wanted = {p.relative_to(edition.html).as_posix() for p in edition.pages() if p.name != "404.html"}
    wanted |= {p.relative_to(edition.html).as_posix() for p in (edition.html / "_images").glob("*")}
    wanted |= {"search.html", "searchindex.js", f"editions/{BASENAME}.pdf", f"editions/{BASENAME}.epub"}
    # every download the website offers (PDFs, ePub, chapter PDFs, job aids), so its links work
    wanted |= {p.relative_to(edition.html).as_posix() for p in (edition.html / "editions").rglob("*")
               if p.is_file() and p != archive}
    assert not wanted - inside, sorted(wanted - inside)
    assert "404.html" not in inside and f"editions/{BASENAME}-html.zip" not in inside
    # search summaries are fetched with fetch(), which browsers refuse from file://
    assert "SHOW_SEARCH_SUMMARY: false" in options

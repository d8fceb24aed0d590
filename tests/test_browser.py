"""A real browser: Debian's chromium, driven by Playwright, loads every page of the website.

Each page is served from 127.0.0.1, checked with axe-core (any violation, at every impact level,
fails unless tests/checker-allowlist.yaml shows it is a false positive), in light and dark mode,
and at a 390-pixel phone width, where it must not scroll sideways, the hotline must stay on
screen and the header's title must fit. Any request to another origin fails the test. Printing
hides the navigation and shows external link targets. The zipped offline edition is unzipped
and opened from file://, where its pages, figures and search must work. Screenshots go to
_build/screenshots/ for people to look at.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import re
import threading
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import BASENAME, BOOK, ROOT, SINK, allowlist, excused

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags keep chromium from reaching for the network on its own (updates, sync, field trials).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions"]
SHOTS = ROOT / "_build" / "screenshots"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"  # the path the site is published under (the 404 page's links start with it)

    def log_message(self, *args):  # keep pytest output readable
        pass

    def translate_path(self, path):
        if self.prefix != "/" and path.startswith(self.prefix):
            path = "/" + path[len(self.prefix):]
        return super().translate_path(path)


@pytest.fixture(scope="module")
def server(edition_html):
    """The website at http://127.0.0.1:PORT/, also answering under the path it is published at."""
    edition = BOOK if edition_html == BOOK.html else SINK
    prefix = urlsplit(edition.url).path or "/"
    handler = functools.partial(type("Handler", (QuietHandler,), {"prefix": prefix}),
                                directory=str(edition_html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}" + prefix.rstrip("/")
    httpd.shutdown()


@pytest.fixture(scope="module", params=["book", "kitchen-sink"])
def edition_html(request):
    return {"book": BOOK, "kitchen-sink": SINK}[request.param].html


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def page_urls(html_dir: Path, base: str) -> list[tuple[str, str]]:
    pages = sorted(p for p in html_dir.rglob("*.html") if p.name not in {"genindex.html"})
    assert pages
    return [(p.relative_to(html_dir).as_posix(), f"{base}/{p.relative_to(html_dir).as_posix()}") for p in pages]


def open_page(browser, url, *, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    foreign = []
    origin = url.split("/", 3)[:3]
    page.on("request", lambda r: foreign.append(r.url) if r.url.split("/", 3)[:3] != origin and not r.url.startswith("data:") else None)
    page.goto(url, wait_until="load")
    return context, page, foreign


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_at_any_impact_level(browser, server, edition_html, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for name, url in page_urls(edition_html, server):
        context, page, foreign = open_page(browser, url, width=1280, scheme=scheme)
        # furo keeps the reader's choice in localStorage; follow the system scheme here.
        violations = axe.run(page).response["violations"]
        for v in violations:
            if not excused("axe", v["id"], name):
                targets = [n["target"] for n in v["nodes"]][:3]
                problems.append(f"{name} [{scheme}]: {v['id']} ({v['impact']}): {v['help']} at {targets}")
        if foreign:
            problems.append(f"{name}: requests to another origin: {sorted(set(foreign))[:5]}")
        context.close()
    assert not problems, "\n".join(problems)


def test_pages_fit_a_390px_phone_without_sideways_scrolling(browser, server, edition_html):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, url in page_urls(edition_html, server):
        context, page, _ = open_page(browser, url, width=390, scheme="light")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                          && !e.closest('.table-wrapper, pre, .highlight, .sd-tab-set'))
                .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
            problems.append(f"{name}: {overflow}px wider than the phone screen: {wide}")
        shot = SHOTS / f"{edition_html.parent.name}-{name.replace('/', '-')}-phone.png"
        page.screenshot(path=str(shot), full_page=False)
        context.close()
    assert not problems, "\n".join(problems)


def test_search_works_offline(browser, server, edition_html):
    """Full-text search runs in the page from the local index, with no other origin involved."""
    context, page, foreign = open_page(browser, f"{server}/search.html?q=trafficking", width=1280, scheme="light")
    page.wait_for_selector("#search-results li, #search-results p", timeout=15_000)
    results = page.locator("#search-results li").count()
    context.close()
    if edition_html.parent.name == "kitchen-sink":
        return  # the fixture's text is about constructs; the book must find its subject
    assert results > 0, "search for 'trafficking' found nothing"
    assert not foreign, foreign


@pytest.fixture(scope="module")
def book_site():
    """The book's website at http://127.0.0.1:PORT (no published path), for single-page tests."""
    handler = functools.partial(QuietHandler, directory=str(BOOK.html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_catalogue_filters_narrow_the_list(browser, book_site):
    """On the book's catalogue page, choosing a topic shows only entries with that topic."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{book_site}/back/catalogue.html")
        total = page.locator(".catalogue-entry").count()
        page.select_option("select[name=topic]", "topic-policy-and-law")
        visible = page.locator(".catalogue-entry:visible")
        shown = visible.count()
        assert 0 < shown < total
        for i in range(shown):
            assert "topic-policy-and-law" in visible.nth(i).get_attribute("class")
        assert f"Showing {shown} of {total}" in page.locator(".catalogue-filter-status").inner_text()
        page.select_option("select[name=topic]", "")
        assert page.locator(".catalogue-entry:visible").count() == total
    finally:
        context.close()


def test_the_checker_allowlist_gives_a_reason_for_every_entry():
    for entry in allowlist():
        assert entry.get("checker") in {"axe", "ace"}, entry
        assert entry.get("rule") and entry.get("page"), entry
        assert len(str(entry.get("reason", "")).split()) >= 8, f"explain why it is a false positive: {entry}"


def test_on_a_phone_the_hotline_stays_on_screen_and_the_title_fits(browser, server, edition_html):
    """Scrolled to the end of each page at 390 px, the call link is still in view and big
    enough to tap; the header's book title stays inside the header."""
    problems = []
    for name, url in page_urls(edition_html, server):
        if name.startswith("handouts/"):
            continue  # printable one-page job aids: the hotline is in their text (tests/test_site.py)
        context, page, _ = open_page(browser, url, width=390, scheme="light")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(50)
        box = page.locator('.announcement a[href^="tel:"]').bounding_box()
        # on screen, and at least 24 px high (WCAG 2.2 success criterion 2.5.8, target size)
        if box is None or box["y"] < 0 or box["y"] + box["height"] > 900 or box["height"] < 24:
            problems.append(f"{name}: call link not on screen after scrolling: {box}")
        fits = page.evaluate("""() => {
            const header = document.querySelector('.mobile-header').getBoundingClientRect();
            const brand = document.querySelector('.mobile-header .brand');
            const b = brand.getBoundingClientRect();
            return b.top >= header.top - 1 && b.bottom <= header.bottom + 1
                && b.right <= window.innerWidth && brand.scrollHeight <= brand.clientHeight + 1;
        }""")
        if not fits:
            problems.append(f"{name}: the book title overflows the phone header")
        context.close()
    assert not problems, "\n".join(problems)


def test_printing_a_page_hides_navigation_and_shows_external_link_targets(browser, book_site):
    """In print, no sidebar, header or page-turn links; each external link is followed by its
    address (CSS generated content), so paper says where it points. (A chapter's reference list,
    on its own page on the website, is where its external links are.)"""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{book_site}/chapters/identification-references.html")
        page.emulate_media(media="print")
        hidden = page.evaluate("""() => ['.sidebar-drawer', '.toc-drawer', '.mobile-header',
            '.related-pages', '.content-icon-container'].filter(s => {
              const e = document.querySelector(s);
              return e && getComputedStyle(e).display !== 'none';
            })""")
        assert hidden == [], f"shown in print: {hidden}"
        shown = page.evaluate("""() => {
            const a = document.querySelector('article a.reference.external[href^="http"]:not(.bare-url)');
            return a && [a.href, getComputedStyle(a, '::after').content];
        }""")
        assert shown, "the chapter has no external link to check"
        href, after = shown
        assert href.rstrip("/") in after, (href, after)
    finally:
        context.close()


def words(page: Path) -> set[str]:
    """Long words of a page's running text (paragraphs of the article, not links or markup)."""
    from bs4 import BeautifulSoup

    html = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    text = " ".join(p.get_text(" ") for p in html.select("article p"))
    return set(re.findall(r"\b[a-z]{9,}\b", text.lower()))


def test_the_offline_edition_works_from_disk(browser, tmp_path):
    """Unzipped and opened from file:// (no server): every page loads with its styles, figures
    and scripts and nothing fails; search finds a chapter from a word only its text uses."""
    with zipfile.ZipFile(BOOK.html / "editions" / f"{BASENAME}-html.zip") as zf:
        zf.extractall(tmp_path)
    root = tmp_path / f"{BASENAME}-html"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    failed = []
    # a missing file fails with ERR_FILE_NOT_FOUND; ERR_ABORTED is a request (such as the
    # favicon) that the browser dropped because the test moved on to the next page
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}")
            if "ERR_ABORTED" not in (r.failure or "") else None)
    page.on("request", lambda r: failed.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    problems = []
    for html in sorted(root.glob("**/*.html")):
        if html.name == "genindex.html":
            continue
        page.goto(html.as_uri(), wait_until="load")
        broken = page.evaluate("""() => [...document.images]
            .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)""")
        styled = page.evaluate("() => document.styleSheets.length > 0")  # a missing file fails below
        if broken or not styled:
            problems.append(f"{html.relative_to(root)}: broken images {broken}, styles loaded: {styled}")
    assert not problems and not failed, "\n".join(problems) + f"\nfailed: {failed[:5]}"

    # A word that appears in one chapter's text and on no other page.
    # (not a chapter's reference list, which is a page of its own: class "own-page")
    texts = {p.relative_to(root).as_posix(): words(p) for p in (root / "chapters").glob("*.html")
             if 'class="own-page"' not in p.read_text(encoding="utf-8")}
    others = set().union(*(words(p) for p in root.glob("**/*.html")
                           if p.relative_to(root).as_posix() not in texts))
    chapter = sorted(texts)[0]
    unique = sorted(texts[chapter] - others - set().union(*(t for c, t in texts.items() if c != chapter)))
    assert unique, f"no word only {chapter} uses"
    word = unique[len(unique) // 2]
    page.goto((root / "search.html").as_uri() + f"?q={word}", wait_until="load")
    page.wait_for_selector("#search-results li, #search-results p.search-summary, #search-results p", timeout=15_000)
    page.wait_for_function("() => !document.querySelector('#search-results h2') || "
                           "document.querySelector('#search-results h2').innerText.includes('Results')", timeout=15_000)
    hrefs = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.getAttribute('href'))")
    assert any(h.split("#")[0] == chapter for h in hrefs), f"search for {word!r} from disk: {hrefs}"
    assert not failed, failed
    context.close()


def test_keyboard_focus_is_not_hidden_by_the_hotline_bar(browser, server, edition_html):
    """The first Tab reaches "Skip to content", which must then be visible on top, not under the
    fixed hotline bar (WCAG 2.2, 2.4.11 Focus Not Obscured), on a phone and on a desktop; the
    next Tabs reach the hotline's links."""
    url = dict(page_urls(edition_html, server))["index.html"]
    for width in (390, 1280):
        context, page, _ = open_page(browser, url, width=width, scheme="light")
        page.keyboard.press("Tab")
        page.wait_for_timeout(600)  # furo slides the skip link in
        state = page.evaluate("""() => {
            const e = document.activeElement, r = e.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return [e.textContent.trim(), r.top >= 0, !!top && (top === e || e.contains(top))];
        }""")
        assert state == ["Skip to content", True, True], (width, state)
        hrefs = []
        for _ in range(2):
            page.keyboard.press("Tab")
            hrefs.append(page.evaluate("() => document.activeElement.getAttribute('href') || ''"))
        assert hrefs[0].startswith("tel:") and hrefs[1].startswith("sms:"), (width, hrefs)
        context.close()

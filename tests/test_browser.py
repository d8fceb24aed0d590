"""A real browser: Debian's chromium, driven by Playwright, loads every page of the website.

Each page is served from 127.0.0.1, checked with axe-core (any serious or critical violation
fails), in light and dark mode, and at a 390-pixel phone width, where it must not scroll
sideways. Any request to another origin fails the test. Screenshots go to _build/screenshots/
for people to look at.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from conftest import BOOK, ROOT, SINK

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags keep chromium from reaching for the network on its own (updates, sync, field trials).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions"]
SHOTS = ROOT / "_build" / "screenshots"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="module")
def server(edition_html):
    handler = functools.partial(QuietHandler, directory=str(edition_html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
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
def test_axe_finds_no_serious_or_critical_violations(browser, server, edition_html, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for name, url in page_urls(edition_html, server):
        context, page, foreign = open_page(browser, url, width=1280, scheme=scheme)
        # furo keeps the reader's choice in localStorage; follow the system scheme here.
        violations = axe.run(page).response["violations"]
        for v in violations:
            if v.get("impact") in {"serious", "critical"}:
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


def test_catalogue_filters_narrow_the_list(browser):
    """On the book's catalogue page, choosing a topic shows only entries with that topic."""
    handler = functools.partial(QuietHandler, directory=str(BOOK.html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/back/catalogue.html")
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
        context.close()
    finally:
        httpd.shutdown()

"""Lean web pages: each page links only the assets it uses, and search snippets stay small.

See _ext/handbook_pageassets.py and _ext/handbook_search.py. The browser tests use Debian's
chromium from a local server (tools/bench_web.py, the benchmark's own); sizes and timings are
the benchmark's business (./handbook bench) and are not asserted here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import BOOK, SINK

EDITIONS = {"book": BOOK, "kitchen-sink": SINK}


def stylesheet_links(html: str) -> list[str]:
    head = re.sub(r"<noscript>.*?</noscript>", "", html.split("<body", 1)[0], flags=re.S)
    return [tag for tag in re.findall(r"<link\b[^>]*>", head) if 'rel="stylesheet"' in tag]


@pytest.mark.parametrize("name", EDITIONS)
def test_pages_link_only_the_style_sheets_they_use(name):
    for page in EDITIONS[name].pages():
        html = page.read_text(encoding="utf-8")
        body = html.split("<body", 1)[1]
        links = stylesheet_links(html)
        design = any("sphinx-design" in tag for tag in links)
        assert design == ('class="sd-' in body or " sd-" in body), f"{page.name}: sphinx-design CSS"
        assert not any("pygments.css" in tag for tag in links), f"{page.name}: pygments CSS blocks rendering"
        assert ("design-tabs" in html) == ("sd-tab-set" in body), f"{page.name}: tab script"
        if 'class="highlight' in body:
            assert "pygments.css" in html, f"{page.name}: code but no way to load pygments CSS"


@pytest.mark.parametrize("name", EDITIONS)
def test_every_page_and_section_has_a_snippet(name):
    html = EDITIONS[name].html
    raw = (html / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(raw[len("Search.setIndex("):-1])
    docnames = index["docnames"]
    for doc in docnames:
        data = json.loads((html / "_snippets" / f"{doc}.json").read_text(encoding="utf-8"))
        assert data["s"] and data["s"][0].strip(), f"{doc}: no text for the page itself"
        page = (html / f"{doc}.html").read_text(encoding="utf-8")
        sections = re.findall(r'<section id="([^"]+)"', page)
        missing = [s for s in sections[1:] if s not in data["a"]]
        assert not missing, f"{doc}: sections without a snippet: {missing}"


@pytest.fixture(scope="module")
def chromium():
    pytest.importorskip("playwright.sync_api")
    import bench_web

    with bench_web.browser() as b:
        yield b


def test_search_shows_snippets_without_downloading_pages(chromium):
    import bench_web

    with bench_web.serve(BOOK.html) as base:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{base}/search.html?q=trafficking")
        page.wait_for_function("() => /finished/.test(document.querySelector('#search-results').textContent)",
                               timeout=30_000)
        page.wait_for_load_state("networkidle")
        results = page.locator("#search-results ul.search > li")
        count = results.count()
        assert count > 3
        page.wait_for_function(f"() => document.querySelectorAll('#search-results ul.search > li p.context').length == {count}",
                               timeout=15_000)
        texts = [t.strip() for t in page.locator("#search-results ul.search > li p.context").all_inner_texts()]
        assert all(len(t) > 40 for t in texts), texts
        assert page.locator("#search-results p.context span.highlighted").count() > 0
        pages = [u for u in requests if u.split("?")[0].endswith(".html") and "/search.html" not in u]
        assert pages == [], f"the search downloaded whole pages: {pages}"
        context.close()


def test_chapter_code_is_styled_once_it_is_on_screen(chromium):
    import bench_web

    chapter = next(p for p in BOOK.pages() if "/chapters/" in p.as_posix() and 'class="highlight' in p.read_text())
    with bench_web.serve(BOOK.html) as base:
        context = chromium.new_context(viewport={"width": 390, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/{chapter.relative_to(BOOK.html).as_posix()}")
        page.locator("div.highlight").first.scroll_into_view_if_needed()
        page.wait_for_function("() => [...document.styleSheets].some(s => (s.href || '').includes('pygments.css'))",
                               timeout=10_000)
        background = page.evaluate("() => getComputedStyle(document.querySelector('div.highlight')).backgroundColor")
        assert background not in {"rgba(0, 0, 0, 0)", "transparent"}
        context.close()

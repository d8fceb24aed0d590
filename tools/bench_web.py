"""What readers download: pages and a search, measured in Debian's chromium (for tools/bench.py).

A local server on 127.0.0.1 serves a built website and gzips text files for clients that ask
for it, as any ordinary web host does. Chromium (driven by Playwright; it never downloads a
browser of its own) loads each page in a fresh context (empty cache); the Chrome DevTools
Protocol reports every response's encoded size (bytes on the wire, headers included) and which
style sheets the page used.
"""

from __future__ import annotations

import functools
import gzip
import re
import http.server
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions"]
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".txt", ".xml")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text gzipped (level 6, like nginx's gzip_comp_level default range) when the
    client asks for it and ``compress`` is on (off: as Python's plain file server sends it)."""

    compress = True

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.compress and wants_gzip and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        import io
        return io.BytesIO(body)


@contextmanager
def serve(root: Path, compress: bool = True):
    """A local web server for ``root`` (also used by tools/lighthouse.py); yields its address."""
    handler = functools.partial(type("Handler", (GzipHandler,), {"compress": compress}), directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


@contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


class Recorder:
    """Network traffic and style-sheet use of one page, from the DevTools protocol."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.requests: dict[str, dict] = {}
        self.sheets: dict[str, dict] = {}
        self.first_html = ""
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("CSS.styleSheetAdded", self._sheet)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.cdp.send("DOM.enable")
        self.cdp.send("CSS.enable")
        self.cdp.send("CSS.startRuleUsageTracking")

    def _sent(self, e):
        self.requests.setdefault(e["requestId"], {})["url"] = e["request"]["url"]
        self.requests[e["requestId"]]["start"] = e["timestamp"]

    def _received(self, e):
        r = self.requests.setdefault(e["requestId"], {})
        r["type"] = e.get("type", "")
        r["encoding"] = e["response"].get("headers", {}).get("Content-Encoding", "")

    def _finished(self, e):
        r = self.requests.setdefault(e["requestId"], {})
        r["bytes"] = e["encodedDataLength"]
        r["end"] = e["timestamp"]

    def _sheet(self, e):
        h = e["header"]
        self.sheets[h["styleSheetId"]] = {"url": h.get("sourceURL", ""), "length": h.get("length", 0),
                                          "inline": h.get("isInline", False)}

    def css_use(self, base: str) -> list[dict]:
        usage = self.cdp.send("CSS.stopRuleUsageTracking")["ruleUsage"]
        used: dict[str, int] = {}
        for rule in usage:
            if rule["used"]:
                used[rule["styleSheetId"]] = used.get(rule["styleSheetId"], 0) + rule["endOffset"] - rule["startOffset"]
        # Which sheets block rendering: those linked from the HTML as it arrived (not added
        # later by a script), outside <noscript>, with no media query that excludes the screen.
        html = self.page.evaluate("() => document.documentElement.outerHTML")
        html = re.sub(r"<noscript>.*?</noscript>", "", self.first_html or html, flags=re.S)
        blocking = set()
        for tag in re.findall(r"<link\b[^>]*>", html):
            if 'rel="stylesheet"' in tag and not re.search(r'media="(print|not all)"', tag):
                href = re.search(r'href="([^"]+)"', tag)
                if href:
                    blocking.add(urljoin(self.page.url, href.group(1).replace("&amp;", "&")))
        out = []
        for sid, sheet in self.sheets.items():
            if sheet["inline"] or not sheet["url"].startswith(base):
                continue
            out.append({"sheet": sheet["url"][len(base):].lstrip("/"), "bytes": sheet["length"],
                        "used_fraction": round(used.get(sid, 0) / sheet["length"], 3) if sheet["length"] else 0,
                        "render_blocking": sheet["url"] in blocking})
        return sorted(out, key=lambda s: s["sheet"])

    def total(self, after: float | None = None) -> tuple[int, int]:
        done = [r for r in self.requests.values() if "bytes" in r and not r.get("url", "").startswith("data:")]
        if after is not None:
            done = [r for r in done if r.get("start", 0) >= after]
        return sum(r["bytes"] for r in done), len(done)


def first_load(b, base: str, path: str) -> dict:
    context = b.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    rec = Recorder(page)
    response = page.goto(f"{base}/{path}", wait_until="load")
    rec.first_html = response.text()
    page.wait_for_load_state("networkidle")
    total, count = rec.total()
    sheets = rec.css_use(base)
    context.close()
    return {"page": path, "bytes": total, "requests": count, "stylesheets": sheets}


def search(b, base: str, word: str) -> dict:
    """Bytes a search transfers after the search index itself has arrived."""
    context = b.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    rec = Recorder(page)
    page.goto(f"{base}/search.html?q={word}", wait_until="load")
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary');"
        " return s && s.textContent.includes('finished') || (s && /did not match/.test(s.textContent)); }",
        timeout=60_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    page.wait_for_load_state("networkidle")
    index = [r for r in rec.requests.values() if r.get("url", "").endswith("searchindex.js") and "end" in r]
    after = index[0]["end"] if index else None
    after_bytes, after_count = rec.total(after)
    total, count = rec.total()
    results = page.locator("#search-results ul.search li").count()
    snippets = page.evaluate(
        "() => [...document.querySelectorAll('#search-results ul.search li p.context')]"
        ".filter(p => p.textContent.trim().length > 40).length")
    example = page.evaluate(
        "() => { const p = document.querySelector('#search-results ul.search li p.context');"
        " return p ? p.textContent.trim().slice(0, 200) : ''; }")
    context.close()
    return {"word": word, "bytes_after_index": after_bytes, "requests_after_index": after_count,
            "bytes_total": total, "results": results, "results_with_snippet": snippets,
            "example_snippet": example}


def measure(site: Path, pages: list[str], word: str | None) -> dict:
    with serve(site) as base, browser() as b:
        out = {"pages": [first_load(b, base, p) for p in pages]}
        if word:
            out["search"] = search(b, base, word)
        return out

"""Lighthouse scores for the website, measured the way a phone reader meets it.

Usage: python tools/lighthouse.py [--no-gzip] _build/html [page ...]   (or `./handbook lighthouse`)

Serves the built website from 127.0.0.1 (compressed with gzip, as web hosts serve it), runs the npm `lighthouse` package (pinned in
package.json; install once with `npm ci --ignore-scripts`) with Debian's chromium on the home
page, a chapter and the resource catalogue, using Lighthouse's default mobile settings, and
prints the four category scores per page. Reports go to _build/lighthouse/. Timings are noisy, so
the scores are recorded in the README's development notes, never asserted by a test.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["index.html", "chapters/identification.html", "back/catalogue.html"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
GZIP = True
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking " \
        "--disable-component-update --disable-sync --disable-default-apps --disable-extensions"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the website as a web host does: text compressed with gzip when the browser asks
    (Python's plain file server never compresses, which no real host does)."""

    COMPRESS = {".html", ".css", ".js", ".svg", ".json", ".xml", ".txt"}

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if GZIP and path.suffix in self.COMPRESS and path.is_file() \
                and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(path.read_bytes(), mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def main(html: Path, pages: list[str]) -> int:
    lighthouse = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not lighthouse.exists():
        print("error: Lighthouse is not installed. Run: npm ci --ignore-scripts", file=sys.stderr)
        return 1
    out = ROOT / "_build" / "lighthouse"
    out.mkdir(parents=True, exist_ok=True)
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(html)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    failed = 0
    try:
        print(f"{'page':40} " + " ".join(f"{c:>14}" for c in CATEGORIES))
        for page in pages:
            report = out / (page.replace("/", "-").removesuffix(".html") + ".json")
            result = subprocess.run(
                [str(lighthouse), f"{base}/{page}", "--quiet", "--output=json",
                 f"--output-path={report}", f"--only-categories={','.join(CATEGORIES)}",
                 f"--chrome-flags={FLAGS}"],
                env=env, capture_output=True, text=True)
            if result.returncode != 0 or not report.exists():
                print(f"{page}: lighthouse failed\n{result.stderr[-2000:]}", file=sys.stderr)
                failed += 1
                continue
            data = json.loads(report.read_text(encoding="utf-8"))
            scores = {c: round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES}
            print(f"{page:40} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES))
            for c in CATEGORIES:  # name what cost points, so it can be fixed
                for ref in data["categories"][c]["auditRefs"]:
                    audit = data["audits"][ref["id"]]
                    if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                        print(f"    {c}: {audit['id']} ({audit['score']}) {audit.get('displayValue', '')}")
    finally:
        httpd.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--no-gzip" in args:  # as Python's plain file server sends it, for comparison
        args.remove("--no-gzip")
        GZIP = False
    args = args or [str(ROOT / "_build" / "html")]
    sys.exit(main(Path(args[0]), args[1:] or PAGES))

"""Lighthouse scores for the website, measured the way a phone reader meets it.

Usage: python tools/lighthouse.py [--no-gzip] _build/html [page ...]   (or `./handbook lighthouse`)

Serves the built website from 127.0.0.1 (compressed with gzip, as web hosts serve it), runs the npm `lighthouse` package (pinned in
package.json; install once with `npm ci --ignore-scripts`) with Debian's chromium on the home
page, a chapter and the resource catalogue, using Lighthouse's default mobile settings, and
prints the four category scores per page. Reports go to _build/lighthouse/. Timings are noisy, so
the scores are recorded in the README's development notes, never asserted by a test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import bench_web  # noqa: E402
PAGES = ["index.html", "chapters/identification.html", "back/catalogue.html"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
GZIP = True
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking " \
        "--disable-component-update --disable-sync --disable-default-apps --disable-extensions"


def main(html: Path, pages: list[str]) -> int:
    lighthouse = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not lighthouse.exists():
        print("error: Lighthouse is not installed. Run: npm ci --ignore-scripts", file=sys.stderr)
        return 1
    out = ROOT / "_build" / "lighthouse"
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    failed = 0
    # The benchmark's local server: text gzipped as web hosts serve it (unless --no-gzip).
    with bench_web.serve(html, compress=GZIP) as base:
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
    return 1 if failed else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--no-gzip" in args:  # as Python's plain file server sends it, for comparison
        args.remove("--no-gzip")
        GZIP = False
    args = args or [str(ROOT / "_build" / "html")]
    sys.exit(main(Path(args[0]), args[1:] or PAGES))

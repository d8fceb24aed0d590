"""Print the website's job-aid pages (handouts/*.html) to one-page PDFs with Debian's chromium.

    python tools/handouts.py HTML_DIR OUT_DIR [letter|a4]

Each handouts/<name>.html of the built website becomes OUT_DIR/<name>.pdf in the paper size
asked for (US Letter unless a4; `PAPER=a4` in the noxfile). A job aid must fit exactly one page:
one that runs over fails with a message naming its source file and what to do. Chromium is
driven by Playwright but never downloaded: the executable is /usr/bin/chromium. Fonts are
embedded by chromium's PDF printer.
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

from pypdf import PdfReader, PdfWriter

CHROMIUM = os.environ.get("HANDBOOK_CHROMIUM", "/usr/bin/chromium")
PAPERS = {"letter": "Letter", "a4": "A4"}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


class HandoutError(RuntimeError):
    pass


def paper_from_env() -> str:
    return "a4" if os.environ.get("PAPER", "").lower().startswith("a4") else "letter"


def print_all(html_dir: Path, out_dir: Path, paper: str = "letter") -> list[Path]:
    from playwright.sync_api import sync_playwright

    pages = sorted((html_dir / "handouts").glob("*.html"))
    if not pages:
        return []
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        raise HandoutError(f"{CHROMIUM} not found: install Debian's chromium (tools/system_packages.py pdf)")
    out_dir.mkdir(parents=True, exist_ok=True)
    written, problems = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        for source in pages:
            page.goto(source.resolve().as_uri())
            target = out_dir / f"{source.stem}.pdf"
            page.pdf(path=str(target), format=PAPERS[paper], print_background=True,
                     margin={"top": "0", "bottom": "0", "left": "0", "right": "0"}, prefer_css_page_size=False)
            count = len(PdfReader(str(target)).pages)
            if count != 1:
                problems.append(f"handouts/{source.stem}.md: the job aid prints on {count} pages in "
                                f"{PAPERS[paper]}; a job aid must fit one page. Shorten its text (or the "
                                f"snippets it includes) until it does.")
            stamp(target, source.stem, page.title())
            written.append(target)
        browser.close()
    if problems:
        raise HandoutError("\n".join(problems))
    return written


def stamp(pdf: Path, name: str, title: str) -> None:
    """Document properties, and a creation date from SOURCE_DATE_EPOCH so rebuilds match."""
    reader = PdfReader(str(pdf))
    writer = PdfWriter(clone_from=reader)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    when = datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("D:%Y%m%d%H%M%SZ") if epoch else None
    info = {"/Title": title, "/Author": "The Healthcare and Human Trafficking Handbook contributors",
            "/Subject": f"One-page job aid ({name}) from Healthcare and Human Trafficking: A Handbook for Health Professionals",
            "/Keywords": "human trafficking, health care, job aid", "/Producer": "chromium via tools/handouts.py"}
    if when:
        info.update({"/CreationDate": when, "/ModDate": when})
    writer.metadata = None
    writer.add_metadata(info)
    with pdf.open("wb") as handle:
        writer.write(handle)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    paper = argv[3] if len(argv) > 3 else paper_from_env()
    try:
        for path in print_all(Path(argv[1]), Path(argv[2]), paper):
            print(path)
    except HandoutError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

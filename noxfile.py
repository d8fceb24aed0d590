"""Build and test sessions for the handbook.

Run them through ``./handbook SESSION`` (which prepares the pinned environment in .venv) or,
inside that environment, ``nox --no-venv -s SESSION``. Arguments after ``--`` are passed to
sphinx-build, e.g. ``./handbook pdf -- -D latex_elements.papersize=a4paper``.

Outputs (stable names, documented in README.md):
    _build/html/                                       the website
    _build/pdf/healthcare-and-human-trafficking.pdf    the print edition
    _build/pdf/chapters/<chapter>.pdf                  each chapter's pages of it, for printing
    _build/pdf/handouts/<name>.pdf                     one-page job aids, printed from the website
    _build/epub/healthcare-and-human-trafficking.epub  the e-book
    _build/html/editions/healthcare-and-human-trafficking-html.zip   the website, for offline use
    _build/kitchen-sink/{html,pdf,epub}/               the test fixture, built by `test`
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
BUILD = ROOT / "_build"
sys.path.insert(0, str(ROOT / "tools"))

import chapter_pdfs  # noqa: E402  (tools/chapter_pdfs.py)
import handouts  # noqa: E402  (tools/handouts.py)
import npm_tools  # noqa: E402  (tools/npm_tools.py)
import offline_zip  # noqa: E402  (tools/offline_zip.py)
import system_packages  # noqa: E402  (tools/system_packages.py)
from editions import BASENAME, FIXTURE_URL  # noqa: E402

nox.options.sessions = ["build"]

# Strict: warnings are errors, but keep going to report all of them; nitpicky references.
STRICT = ["-W", "--keep-going", "-n", "-q"]


def sphinx(session: nox.Session, builder: str, source: Path, out: Path, *extra: str) -> None:
    doctrees = out.parent / (out.name + ".doctrees")
    session.run(
        sys.executable, "-m", "sphinx", "-b", builder, "-d", str(doctrees),
        *STRICT, *extra, *session.posargs, str(source), str(out),
    )


def build_html(session: nox.Session, source: Path, out: Path) -> None:
    sphinx(session, "html", source, out / "html")
    # The website links to the PDF and ePub editions; publish whichever exist.
    editions = out / "html" / "editions"
    editions.mkdir(exist_ok=True)
    for built in (out / "pdf" / f"{BASENAME}.pdf", out / "epub" / f"{BASENAME}.epub"):
        if built.exists():
            shutil.copy2(built, editions / built.name)
    if (out / "pdf" / "chapters").is_dir():
        shutil.copytree(out / "pdf" / "chapters", editions / "chapters", dirs_exist_ok=True)


def build_pdf(session: nox.Session, source: Path, out: Path) -> None:
    system_packages.require("pdf")
    latex = out / "latex"
    sphinx(session, "latex", source, latex)
    # Sphinx writes a latexmkrc beside the .tex that selects xelatex and xindy; xindy's options
    # are set in the Makefile it writes too, so take them from there rather than repeat them.
    makefile = (latex / "Makefile").read_text(encoding="utf-8")
    xindyopts = re.search(r"^export XINDYOPTS = (.*)$", makefile, re.M).group(1).strip()
    with session.chdir(latex):
        session.run("latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode",
                    "-halt-on-error", "-silent", f"{BASENAME}.tex", external=True, silent=True,
                    env={"XINDYOPTS": xindyopts})
    (out / "pdf").mkdir(parents=True, exist_ok=True)
    shutil.copy2(latex / f"{BASENAME}.pdf", out / "pdf" / f"{BASENAME}.pdf")
    if (source / "chapters").is_dir():  # one PDF per chapter, for printing
        chapter_pdfs.split(out / "pdf" / f"{BASENAME}.pdf", source, out / "pdf" / "chapters")


def build_epub(session: nox.Session, source: Path, out: Path) -> None:
    sphinx(session, "epub", source, out / "epub")


def build_handouts(session: nox.Session, out: Path) -> None:
    """Print the website's one-page job aids to PDF (PAPER=a4 for A4) and publish them with it."""
    system_packages.require("pdf")
    try:
        printed = handouts.print_all(out / "html", out / "pdf" / "handouts", handouts.paper_from_env())
    except handouts.HandoutError as error:
        session.error(str(error))
    if printed:
        shutil.copytree(out / "pdf" / "handouts", out / "html" / "editions" / "handouts", dirs_exist_ok=True)


def build_offline(out: Path) -> None:
    """The whole website in one zip, to read from disk: made last, as it includes the editions
    and job aids the website links to."""
    offline_zip.make(out / "html", out / "html" / "editions" / f"{BASENAME}-html.zip")


def build_all(session: nox.Session, source: Path, out: Path) -> None:
    build_pdf(session, source, out)
    build_epub(session, source, out)
    build_html(session, source, out)
    build_handouts(session, out)
    build_offline(out)


@nox.session(name="build")
def build(session: nox.Session) -> None:
    """Every format: PDF, ePub, then the website (which links to both)."""
    build_all(session, ROOT, BUILD)


@nox.session
def html(session: nox.Session) -> None:
    """The website only, into _build/html (with its offline zip)."""
    build_html(session, ROOT, BUILD)
    build_offline(BUILD)


@nox.session
def pdf(session: nox.Session) -> None:
    """The PDF only (US Letter; PAPER=a4 for A4), into _build/pdf."""
    build_pdf(session, ROOT, BUILD)


@nox.session
def epub(session: nox.Session) -> None:
    """The ePub only, into _build/epub."""
    build_epub(session, ROOT, BUILD)


@nox.session
def live(session: nox.Session) -> None:
    """Live preview of the website at http://127.0.0.1:8000, rebuilt on every save."""
    session.run(sys.executable, "-m", "sphinx_autobuild", *STRICT, "--host", "127.0.0.1",
                "--ignore", str(BUILD), *session.posargs, str(ROOT), str(BUILD / "live"))


@nox.session
def test(session: nox.Session) -> None:
    """Build the book and the kitchen-sink fixture in every format, then run pytest."""
    system_packages.require("test")
    npm_tools.ensure()  # Ace by DAISY, for the ePub accessibility test
    # The book is built as not yet published (no address), whatever the shell says; the fixture
    # as if published at a reserved example address (never fetched), so the tests can check
    # what only a published site has: canonical links, the sitemap, og:url.
    session.env.update(HANDBOOK_URL="", READTHEDOCS_CANONICAL_URL="")
    build_all(session, ROOT, BUILD)
    session.env["HANDBOOK_URL"] = FIXTURE_URL
    build_all(session, ROOT / "tests" / "kitchen-sink", BUILD / "kitchen-sink")
    session.env["HANDBOOK_URL"] = ""
    session.run(sys.executable, "-m", "pytest", "tests")


@nox.session
def lighthouse(session: nox.Session) -> None:
    """Lighthouse scores (mobile) for the home page, a chapter and the catalogue, from a local
    server, with Debian's chromium; needs `npm ci --ignore-scripts` once. Builds the website
    first unless it exists; the scores go to the README's development notes by hand."""
    npm_tools.ensure()
    if not (BUILD / "html" / "index.html").exists():
        build_html(session, ROOT, BUILD)
    session.run(sys.executable, str(ROOT / "tools" / "lighthouse.py"), str(BUILD / "html"),
                *session.posargs)


@nox.session
def linkcheck(session: nox.Session) -> None:
    """Check external links (needs the network; by hand only, never in CI)."""
    sphinx(session, "linkcheck", ROOT, BUILD / "linkcheck")


@nox.session
def clean(session: nox.Session) -> None:
    """Remove every build output."""
    shutil.rmtree(BUILD, ignore_errors=True)

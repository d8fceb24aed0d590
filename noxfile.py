"""Build and test sessions for the handbook.

Run them through ``./handbook SESSION`` (which prepares the pinned environment in .venv) or,
inside that environment, ``nox --no-venv -s SESSION``. Arguments after ``--`` are passed to
sphinx-build, e.g. ``./handbook pdf -- -D latex_elements.papersize=a4paper``.

Every session that builds runs the start-up check (tools/precheck.py) first, builds into a
scratch folder and publishes only when every build and check of the run passed
(tools/staging.py); sphinx-build runs through tools/sphinx_run.py (plain messages, and a fresh
environment after a run that did not finish cleanly). HANDBOOK_SOURCE and HANDBOOK_BUILD point a
session at another copy of the book (the fault-injection tests use them).

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

import contextlib
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

import nox
from nox.command import CommandFailed

ROOT = Path(__file__).parent
SOURCE = Path(os.environ.get("HANDBOOK_SOURCE", ROOT)).resolve()
BUILD = Path(os.environ.get("HANDBOOK_BUILD", SOURCE / "_build")).resolve()
sys.path.insert(0, str(ROOT / "tools"))

import chapter_pdfs  # noqa: E402  (tools/chapter_pdfs.py)
import handouts  # noqa: E402  (tools/handouts.py)
import latex_log  # noqa: E402
import npm_tools  # noqa: E402  (tools/npm_tools.py)
import offline_zip  # noqa: E402  (tools/offline_zip.py)
import pdf_links  # noqa: E402
import reproducible  # noqa: E402
import staging  # noqa: E402
import system_packages  # noqa: E402  (tools/system_packages.py)
from editions import BASENAME, FIXTURE_URL  # noqa: E402

# Reproducible editions: every date in the outputs comes from the last commit.
os.environ.setdefault("SOURCE_DATE_EPOCH", staging.source_date_epoch(ROOT))

nox.options.sessions = ["build"]

# Strict: warnings are errors, but keep going to report all of them; nitpicky references.
STRICT = ["-W", "--keep-going", "-n", "-q"]


def sphinx_command(builder: str, source: Path, out: Path, *extra: str, doctrees: Path | None = None) -> list[str]:
    """The sphinx-build command for one edition (also used by tools/bench.py).

    It runs through tools/sphinx_run.py (plain messages; a fresh environment after a run that did
    not finish cleanly). The editions share one doctree folder, so a full build reads the sources
    and formats the bibliography once (see _ext/handbook_shared_env.py). Serial by default, which
    is faster for rebuilds and on a busy machine; `./handbook html -- -j auto` reads in parallel
    (every local extension is parallel-safe: tests/test_incremental.py).
    """
    doctrees = doctrees or out.parent / "doctrees"
    return [sys.executable, str(ROOT / "tools" / "sphinx_run.py"), "-b", builder, "-d", str(doctrees),
            *STRICT, *extra, str(source), str(out)]


def sphinx(session: nox.Session, builder: str, source: Path, run: staging.Run, name: str,
           *extra: str) -> None:
    # The environment (doctrees) persists between runs beside the published editions and is
    # shared by them; the output goes to the run's scratch folder, seeded with the published
    # edition so that Sphinx writes only the pages that changed.
    *command, src, dest = sphinx_command(builder, source, run.seed(name), *extra, doctrees=run.out / "doctrees")
    session.run(*command, *session.posargs, src, dest)


def precheck_sources(session: nox.Session, source: Path) -> None:
    """The start-up check: every source file's syntax, data and references, named by file and line."""
    session.run(sys.executable, str(ROOT / "tools" / "precheck.py"), str(source))


@contextlib.contextmanager
def staged(session: nox.Session, source: Path, out: Path):
    """Start-up check, then a scratch run that is published only if everything in it passed."""
    precheck_sources(session, source)
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM = Ctrl-C
    run = staging.Run(out)
    try:
        yield run
        # For tests/test_publishing.py only: hold the finished run so an interrupt surely
        # arrives before publication.
        time.sleep(float(os.environ.get("HANDBOOK_TEST_HOLD_BEFORE_PUBLISH", "0")))
        names = run.publish()
        session.log(f"Published {', '.join(names)} in {out}.")
    except BaseException:
        if not run.published:  # (an interrupt held back during publication arrives after it)
            session.log(f"Nothing was published: the editions in {out} are the last good ones, "
                        f"unchanged. This run's unfinished outputs are in {run.scratch}.")
        raise
    finally:
        run.close()
        signal.signal(signal.SIGTERM, previous)


def build_html(session: nox.Session, source: Path, run: staging.Run) -> None:
    sphinx(session, "html", source, run, "html")
    # The website links to the PDF and ePub editions: this run's, or else the published ones.
    editions = run.path("html") / "editions"
    editions.mkdir(exist_ok=True)
    for built in (run.latest("pdf") / f"{BASENAME}.pdf", run.latest("epub") / f"{BASENAME}.epub"):
        if built.exists():
            shutil.copy2(built, editions / built.name)
    if (run.latest("pdf") / "chapters").is_dir():
        shutil.copytree(run.latest("pdf") / "chapters", editions / "chapters", dirs_exist_ok=True)


def build_pdf(session: nox.Session, source: Path, run: staging.Run) -> None:
    system_packages.require("pdf")
    latex = run.path("latex")
    sphinx(session, "latex", source, run, "latex")
    # Sphinx writes a latexmkrc beside the .tex that selects xelatex and xindy; xindy's options
    # are set in the Makefile it writes too, so take them from there rather than repeat them.
    makefile = (latex / "Makefile").read_text(encoding="utf-8")
    xindyopts = re.search(r"^export XINDYOPTS = (.*)$", makefile, re.M).group(1).strip()
    try:
        with session.chdir(latex):
            session.run("latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode",
                        "-halt-on-error", "-silent", f"{BASENAME}.tex", external=True, silent=True,
                        env={"XINDYOPTS": xindyopts})
    except CommandFailed:
        session.error("\n".join(latex_log.errors(latex, BASENAME, source)) or "LaTeX failed")
    problems = latex_log.check(latex, BASENAME, source)
    if problems:
        session.error("The PDF has problems that ruin a page:\n" + "\n".join(problems))
    pdf_dir = run.path("pdf")
    pdf_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(latex / f"{BASENAME}.pdf", pdf_dir / f"{BASENAME}.pdf")
    if (source / "chapters").is_dir():  # one PDF per chapter, for printing
        chapter_pdfs.split(pdf_dir / f"{BASENAME}.pdf", source, pdf_dir / "chapters")


def build_epub(session: nox.Session, source: Path, run: staging.Run) -> None:
    sphinx(session, "epub", source, run, "epub")
    reproducible.normalise_epub(run.path("epub") / f"{BASENAME}.epub")


def build_handouts(session: nox.Session, run: staging.Run) -> None:
    """Print the website's one-page job aids to PDF (PAPER=a4 for A4) and publish them with it."""
    system_packages.require("pdf")
    try:
        printed = handouts.print_all(run.path("html"), run.path("pdf") / "handouts", handouts.paper_from_env())
    except handouts.HandoutError as error:
        session.error(str(error))
    for printed_pdf in printed:  # links to the website, not to this run's scratch folder
        pdf_links.relink(printed_pdf, run.path("html"))
    if printed:
        shutil.copytree(run.path("pdf") / "handouts", run.path("html") / "editions" / "handouts",
                        dirs_exist_ok=True)


def build_offline(run: staging.Run) -> None:
    """The whole website in one zip, to read from disk: made last, as it includes the editions
    and job aids the website links to."""
    offline_zip.make(run.path("html"), run.path("html") / "editions" / f"{BASENAME}-html.zip")


def build_all(session: nox.Session, source: Path, run: staging.Run) -> None:
    build_pdf(session, source, run)
    build_epub(session, source, run)
    build_html(session, source, run)
    build_handouts(session, run)
    build_offline(run)


@nox.session(name="build")
def build(session: nox.Session) -> None:
    """Every format: PDF, ePub, then the website (which links to both); published together."""
    with staged(session, SOURCE, BUILD) as run:
        build_all(session, SOURCE, run)


@nox.session
def html(session: nox.Session) -> None:
    """The website only, into _build/html (with its offline zip)."""
    with staged(session, SOURCE, BUILD) as run:
        build_html(session, SOURCE, run)
        build_offline(run)


@nox.session
def pdf(session: nox.Session) -> None:
    """The PDF only (US Letter; PAPER=a4 for A4), into _build/pdf."""
    with staged(session, SOURCE, BUILD) as run:
        build_pdf(session, SOURCE, run)


@nox.session
def epub(session: nox.Session) -> None:
    """The ePub only, into _build/epub."""
    with staged(session, SOURCE, BUILD) as run:
        build_epub(session, SOURCE, run)


@nox.session
def precheck(session: nox.Session) -> None:
    """Only the start-up check of the sources (seconds; no build)."""
    precheck_sources(session, SOURCE)


@nox.session
def live(session: nox.Session) -> None:
    """Live preview at http://127.0.0.1:8000, rebuilt on every save; the start-up check runs first."""
    precheck_sources(session, SOURCE)
    session.run(sys.executable, "-m", "sphinx_autobuild", *STRICT, "--host", "127.0.0.1",
                "--ignore", str(BUILD), *session.posargs, str(SOURCE), str(BUILD / "live"))


@nox.session
def test(session: nox.Session) -> None:
    """Build the book and the kitchen-sink fixture in every format, then run pytest."""
    system_packages.require("test")
    npm_tools.ensure()  # Ace by DAISY, for the ePub accessibility test
    # The book is built as not yet published (no address), whatever the shell says; the fixture
    # as if published at a reserved example address (never fetched), so the tests can check
    # what only a published site has: canonical links, the sitemap, og:url.
    session.env.update(HANDBOOK_URL="", READTHEDOCS_CANONICAL_URL="")
    with staged(session, SOURCE, BUILD) as run:
        build_all(session, SOURCE, run)
    session.env["HANDBOOK_URL"] = FIXTURE_URL
    with staged(session, ROOT / "tests" / "kitchen-sink", BUILD / "kitchen-sink") as run:
        build_all(session, ROOT / "tests" / "kitchen-sink", run)
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
    precheck_sources(session, SOURCE)
    session.run(sys.executable, "-m", "sphinx", "-b", "linkcheck", *STRICT, *session.posargs,
                str(SOURCE), str(BUILD / "linkcheck"))


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark editors' rebuilds, editions, pages and search in a scratch copy (tools/bench.py).

    Writes _build/bench/report.json and report.md. `./handbook bench -- --quick` for one round.
    """
    system_packages.require("test")
    session.run(sys.executable, str(ROOT / "tools" / "bench.py"), *session.posargs)


@nox.session
def clean(session: nox.Session) -> None:
    """Remove every build output."""
    shutil.rmtree(BUILD, ignore_errors=True)

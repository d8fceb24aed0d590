"""The benchmark behind ``./handbook bench``: editors' rebuilds, editions, pages, search, scale.

Everything is built in a scratch copy under _build/bench/ (the working tree is never touched),
and the results go to _build/bench/report.json and report.md (a readable table).

* Editors: cold, no-change, one-chapter-edit and one-bib-entry-edit HTML builds, repeated in
  interleaved rounds (cold, no change, chapter edit, bib edit, cold with -j auto, ...); each is
  reported as the median time and the median of its ratio to the cold build of the same round.
* Editions: cold time and peak memory (largest resident set of any process of the run) of the
  html, epub, pdf and full build sessions, and how often each reads a source file and formats
  bibliography entries (counted by tools/bench/probe/sitecustomize.py).
* Readers: first-load bytes (gzipped, as Debian's chromium fetches them from a local server) of
  the home page, a chapter and the catalogue, with the style sheets each page blocks on and how
  much of each it uses; the bytes a search for a common word transfers after the index; the
  index size; PDF and ePub size and page (document) count.
* Comparison: the same chapter built with sphinx-book-theme (what Jupyter Book uses) in its own
  environment (tools/bench/book-theme.lock), and the ratio.
* Scale: a synthetic book about ten times larger (chapters copied under new names), built cold
  in turn with the book as it is, in rounds; how time and memory grow against source size (the
  median of the rounds' ratios).

Timings depend on the machine and its load; they are reported, never asserted by the tests.
Run ``./handbook bench -- --help`` for the options (``--quick`` is one round and no editions'
repeats).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import warnings
import zipfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import bench_book  # noqa: E402
import bench_web  # noqa: E402
from editions import BASENAME  # noqa: E402

PROBE_DIR = ROOT / "tools" / "bench" / "probe"
BOOK_THEME_LOCK = ROOT / "tools" / "bench" / "book-theme.lock"
PAGES = ["index.html", "chapters/identification.html", "back/catalogue.html"]
EDITED_CHAPTER = "chapters/identification.md"


# -- Running things ------------------------------------------------------------------------------

def run(cmd: list[str], cwd: Path, log: Path, env: dict | None = None) -> dict:
    """Run ``cmd``; return wall time and the peak resident memory of its process tree."""
    with open(log, "ab") as out:
        out.write(("\n$ " + " ".join(map(str, cmd)) + "\n").encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
        # wait4's resource usage covers the child and every descendant it waited for.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"bench: command failed ({proc.returncode}), see {log}:\n  {' '.join(map(str, cmd))}")
    return {"seconds": round(seconds, 3), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_mb": round(usage.ru_maxrss / 1024, 1)}


def load_noxfile(src: Path):
    spec = importlib.util.spec_from_file_location(f"noxfile_{abs(hash(src))}", src / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():  # nox warns when a second noxfile registers the same sessions
        warnings.simplefilter("ignore", FutureWarning)
        spec.loader.exec_module(module)
    return module


def probe_env(counts: Path) -> dict:
    counts.unlink(missing_ok=True)
    return {"HANDBOOK_BENCH_PROBE": str(counts),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROBE_DIR), os.environ.get("PYTHONPATH")]))}


def read_counts(counts: Path) -> dict:
    lines = counts.read_text().splitlines() if counts.exists() else []
    reads = [line.split(" ", 1)[1] for line in lines if line.startswith("read ")]
    bib = [int(line.split()[1]) for line in lines if line.startswith("bib ")]
    return {"documents_read": len(reads), "distinct_documents": len(set(reads)),
            "source_reads": round(len(reads) / len(set(reads)), 2) if reads else 0,
            "bibliography_passes": sum(1 for n in bib if n), "entries_formatted": sum(bib)}


def median(values):
    return round(statistics.median(values), 3)


# -- Editors: HTML rebuilds ----------------------------------------------------------------------

def html_rebuilds(src: Path, work: Path, reps: int, log: Path) -> dict:
    nox = load_noxfile(src)
    out = work / "_build" / "html"
    cmd = nox.sphinx_command("html", src, out)
    doctrees = Path(cmd[cmd.index("-d") + 1])
    # The other mode: serial if the build reads in parallel, parallel if not.
    other_jobs = ["-j", "1"] if "-j" in cmd else ["-j", "auto"]
    parallel_out = work / "_build" / "other-jobs" / "html"  # its own doctree folder
    parallel = nox.sphinx_command("html", src, parallel_out, *other_jobs)
    parallel_doctrees = Path(parallel[parallel.index("-d") + 1])
    chapter = src / EDITED_CHAPTER
    bib = src / "references.bib"
    chapter_text, bib_text = chapter.read_text(encoding="utf-8"), bib.read_text(encoding="utf-8")
    # One field of one entry that a chapter cites: the date its link was last checked.
    urldate = re.search(r"(urldate\s*=\s*\{)(\d{4}-\d\d-\d\d)(\})", bib_text)
    rounds = []
    try:
        for r in range(reps):
            for d in (out, doctrees, parallel_out, parallel_doctrees):
                shutil.rmtree(d, ignore_errors=True)
            t = {"cold": run(cmd, src, log), "no_change": run(cmd, src, log)}
            chapter.write_text(chapter_text + f"\nA sentence the benchmark added, round {r + 1}.\n",
                               encoding="utf-8")
            t["chapter_edit"] = run(cmd, src, log)
            bib.write_text(bib_text[:urldate.start(2)] + f"2026-11-{10 + r % 18:02d}"
                           + bib_text[urldate.end(2):], encoding="utf-8")
            t["bib_entry_edit"] = run(cmd, src, log)
            t["cold_other_jobs"] = run(parallel, src, log)
            rounds.append(t)
            print(f"  round {r + 1}/{reps}: " + ", ".join(f"{k} {v['seconds']:.1f}s" for k, v in t.items()),
                  flush=True)
    finally:
        chapter.write_text(chapter_text, encoding="utf-8")
        bib.write_text(bib_text, encoding="utf-8")
    result = {}
    for kind in rounds[0]:
        result[kind] = {
            "seconds": median([t[kind]["seconds"] for t in rounds]),
            "ratio_to_cold": median([t[kind]["seconds"] / t["cold"]["seconds"] for t in rounds]),
            "cpu_seconds": median([t[kind]["cpu_seconds"] for t in rounds]),
            "cpu_ratio_to_cold": median([t[kind]["cpu_seconds"] / t["cold"]["cpu_seconds"] for t in rounds]),
            "peak_mb": median([t[kind]["peak_mb"] for t in rounds]),
            "runs": [t[kind]["seconds"] for t in rounds],
        }
    result["jobs"] = cmd[cmd.index("-j") + 1] if "-j" in cmd else "1"
    result["other_jobs"] = other_jobs[1]
    result["edited_bib_entry"] = re.findall(r"@\w+\{([^,]+),", bib_text[:urldate.start()])[-1]
    return result


# -- Editions ------------------------------------------------------------------------------------

def editions(src: Path, work: Path, reps: int, log: Path) -> dict:
    result = {}
    counts = work / "probe.txt"
    for session in ("html", "epub", "pdf", "build"):
        runs = []
        for _ in range(reps):
            shutil.rmtree(src / "_build", ignore_errors=True)
            measured = run([sys.executable, "-m", "nox", "--no-venv", "-f", "noxfile.py", "-s", session],
                           src, log, probe_env(counts))
            runs.append({**measured, **read_counts(counts)})
        result[session] = {**runs[len(runs) // 2], "seconds": median([r["seconds"] for r in runs]),
                           "peak_mb": median([r["peak_mb"] for r in runs])}
        print(f"  {session}: {result[session]['seconds']:.1f}s, {result[session]['peak_mb']:.0f} MB, "
              f"sources read {result[session]['source_reads']}x, "
              f"bibliography passes {result[session]['bibliography_passes']}", flush=True)
    return result


def files(out: Path) -> dict:
    from pypdf import PdfReader

    result = {}
    pdf = out / "pdf" / f"{BASENAME}.pdf"
    if pdf.exists():
        result["pdf"] = {"bytes": pdf.stat().st_size, "pages": len(PdfReader(pdf).pages)}
    epub = out / "epub" / f"{BASENAME}.epub"
    if epub.exists():
        with zipfile.ZipFile(epub) as z:
            opf = next(n for n in z.namelist() if n.endswith(".opf"))
            spine = len(re.findall(r"<itemref\b", z.read(opf).decode("utf-8")))
        result["epub"] = {"bytes": epub.stat().st_size, "documents": spine}
    index = out / "html" / "searchindex.js"
    if index.exists():
        data = index.read_bytes()
        result["search_index"] = {"bytes": len(data), "gzipped": len(gzip.compress(data, 6, mtime=0))}
    return result


# -- Comparison: sphinx-book-theme ----------------------------------------------------------------

def book_theme_venv(bench: Path, log: Path) -> Path:
    venv = bench / "book-theme-venv"
    stamp = venv / ".installed-lock"
    lock = BOOK_THEME_LOCK.read_text() + (ROOT / "requirements.lock").read_text()
    if not (stamp.exists() and stamp.read_text() == lock):
        shutil.rmtree(venv, ignore_errors=True)
        run(["python3", "-m", "venv", venv], bench, log)
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", BOOK_THEME_LOCK], bench, log)
        stamp.write_text(lock)
    return venv / "bin" / "python"


def book_theme(src: Path, bench: Path, log: Path) -> dict:
    python = book_theme_venv(bench, log)
    bt_src = bench_book.copy_source(src, bench / "book-theme-src")
    with open(bt_src / "conf.py", "a", encoding="utf-8") as conf:
        conf.write("\n# Benchmark only: the same book under sphinx-book-theme's defaults.\n"
                   "html_theme = 'sphinx_book_theme'\nhtml_sidebars = {}\nhtml_theme_options = {}\n")
    out = bench / "book-theme-html"
    shutil.rmtree(out, ignore_errors=True)
    built = run([python, "-m", "sphinx", "-b", "html", "-q", "-d", bench / "book-theme-doctrees", bt_src, out],
                bt_src, log)
    return {"build": built, "site": out}


# -- Report --------------------------------------------------------------------------------------

def kb(n: float) -> str:
    return f"{n / 1000:.1f} KB"


def markdown(r: dict) -> str:
    rows = ["| what | measured | ratio / note |", "| --- | --- | --- |"]

    def row(what, value, note=""):
        rows.append(f"| {what} | {value} | {note} |")

    h = r.get("html")
    if h:
        row(f"cold HTML build (`-j {h['jobs']}`)", f"{h['cold']['seconds']:.1f} s", f"1 (median of {len(h['cold']['runs'])} rounds; "
            f"CPU {h['cold']['cpu_seconds']:.1f} s)")
        for kind, label in (("no_change", "rebuild, nothing changed"),
                            ("chapter_edit", "rebuild after editing one chapter"),
                            ("bib_entry_edit", f"rebuild after editing one field of one bib entry ({h['edited_bib_entry']})"),
                            ("cold_other_jobs", f"cold HTML build with `-j {h['other_jobs']}`")):
            row(label, f"{h[kind]['seconds']:.2f} s", f"**{h[kind]['ratio_to_cold']:.2f}** of cold "
                f"(CPU time: {h[kind]['cpu_ratio_to_cold']:.2f})")
    e = r.get("editions")
    if e:
        cold = h["cold"]["seconds"] if h else None
        for session, label in (("html", "website"), ("epub", "ePub"), ("pdf", "PDF"), ("build", "full build (PDF, ePub, website)")):
            s = e[session]
            ratio = f"{s['seconds'] / cold:.2f} of a cold HTML build; " if cold else ""
            row(f"{label}: cold time, peak memory", f"{s['seconds']:.1f} s, {s['peak_mb']:.0f} MB",
                f"{ratio}sources read {s['source_reads']:g}x ({s['documents_read']} documents), "
                f"bibliography formatted in {s['bibliography_passes']} pass(es), {s['entries_formatted']} entries")
    w = r.get("web")
    if w:
        for p in w["pages"]:
            blocking = [f"{s['sheet']} ({s['used_fraction']:.0%} used)" for s in p["stylesheets"] if s["render_blocking"]]
            row(f"first load, `{p['page']}` (gzipped)", f"{kb(p['bytes'])}, {p['requests']} requests",
                "render-blocking CSS: " + ", ".join(blocking))
        s = w.get("search")
        if s:
            row(f"search for \"{s['word']}\": bytes after the index", f"{kb(s['bytes_after_index'])}, "
                f"{s['requests_after_index']} requests", f"{s['results']} results, {s['results_with_snippet']} with a snippet")
    f = r.get("files", {})
    if "search_index" in f:
        row("search index (`searchindex.js`)", kb(f["search_index"]["bytes"]), f"{kb(f['search_index']['gzipped'])} gzipped")
    if "pdf" in f:
        row("PDF", f"{f['pdf']['bytes'] / 1e6:.2f} MB", f"{f['pdf']['pages']} pages")
    if "epub" in f:
        row("ePub", f"{f['epub']['bytes'] / 1e6:.2f} MB", f"{f['epub']['documents']} documents in its spine (an ePub has no fixed pages)")
    b = r.get("book_theme")
    if b and w:
        ours = next(p for p in w["pages"] if p["page"] == b["page"])
        row(f"`{b['page']}` under sphinx-book-theme {b['version']} (gzipped)", f"{kb(b['bytes'])}, {b['requests']} requests",
            f"this handbook's page is {ours['bytes'] / b['bytes']:.3f} of it")
    s = r.get("scale")
    if s:
        one, big = s["1x"], s["10x"]
        size = big["source_bytes"] / one["source_bytes"]
        row("synthetic book: source size", f"{one['source_bytes'] / 1e6:.2f} MB -> {big['source_bytes'] / 1e6:.2f} MB",
            f"{size:.1f}x ({big['chapters']} chapters)")
        g = s.get("growth") or {k: big[k] / one[k] for k in ("seconds", "cpu_seconds", "peak_mb")}
        rounds = f", median of {one['rounds']} rounds' ratios" if one.get("rounds", 1) > 1 else ""
        row("synthetic book: cold HTML time (serial)", f"{one['seconds']:.1f} s -> {big['seconds']:.1f} s",
            f"{g['seconds']:.1f}x for {size:.1f}x the size{rounds} (CPU time: "
            f"{one['cpu_seconds']:.1f} s -> {big['cpu_seconds']:.1f} s, {g['cpu_seconds']:.1f}x)")
        row("synthetic book: peak memory", f"{one['peak_mb']:.0f} MB -> {big['peak_mb']:.0f} MB",
            f"{g['peak_mb']:.1f}x for {size:.1f}x the size")
        if "parallel_seconds" in big:
            row("synthetic book: cold HTML time with `-j auto`", f"{big['parallel_seconds']:.1f} s",
                f"{big['parallel_seconds'] / big['seconds']:.2f} of serial")
    head = (f"# Benchmark report\n\n{r['when']} on {r['machine']} ({r['cpus']} CPUs), "
            f"commit {r['commit']}; `{r['command']}`.\nRatios are medians of per-round ratios to the cold "
            "HTML build of the same round.\n\n")
    return head + "\n".join(rows) + "\n"


# -- Scale -----------------------------------------------------------------------------------------

def scale_growth(src: Path, bench: Path, factor: int, rounds: int, log: Path) -> dict:
    """The book and a copy grown ``factor`` times, each built cold in turn, ``rounds`` times.

    A shared machine's speed drifts over minutes, so each round compares two builds made one
    after the other, and the report gives the median of the rounds' ratios."""
    books = {}
    for name, f in (("1x", 1), ("10x", factor)):
        s = bench_book.copy_source(src, bench / f"scale-{name}")
        if f > 1:
            bench_book.grow(s, f)
        nox = load_noxfile(s)
        books[name] = (s, nox, [c for c in nox.sphinx_command("html", s, s / "_build" / "html", "-j", "1")
                                if c != "-W"])
    runs: dict[str, list[dict]] = {name: [] for name in books}
    for r in range(rounds):
        for name, (s, _, cmd) in books.items():
            shutil.rmtree(s / "_build", ignore_errors=True)
            runs[name].append(run(cmd, s, log))
        print(f"  round {r + 1}/{rounds}: " + ", ".join(f"{n} {runs[n][-1]['seconds']:.1f}s" for n in books),
              flush=True)
    scale = {}
    for name, (s, _, _) in books.items():
        scale[name] = {**{k: median([x[k] for x in runs[name]]) for k in runs[name][0]},
                       "source_bytes": bench_book.source_bytes(s), "rounds": rounds,
                       "chapters": len(list((s / "chapters").glob("*.md")))}
    scale["growth"] = {k: median([big[k] / one[k] for one, big in zip(runs["1x"], runs["10x"])])
                       for k in ("seconds", "cpu_seconds", "peak_mb")}
    s, nox, _ = books["10x"]
    par = [c for c in nox.sphinx_command("html", s, s / "_build" / "other-jobs" / "html", "-j", "auto") if c != "-W"]
    scale["10x"]["parallel_seconds"] = run(par, s, log)["seconds"]
    return scale


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5, help="rounds of HTML rebuilds (default 5)")
    ap.add_argument("--edition-reps", type=int, default=1, help="cold builds of each edition (default 1)")
    ap.add_argument("--quick", action="store_true", help="one round of everything")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: html,editions,web,book-theme,scale")
    ap.add_argument("--factor", type=int, default=10, help="how many times larger the synthetic book's sources are (default 10)")
    ap.add_argument("--scale-rounds", type=int, default=2, help="rounds of the book and the synthetic book, built in turn (default 2)")
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "bench", help="where to build and report")
    args = ap.parse_args(argv)
    if args.quick:
        args.reps = args.edition_reps = args.scale_rounds = 1
    skip = set(filter(None, args.skip.split(",")))
    bench = args.out.resolve()
    bench.mkdir(parents=True, exist_ok=True)
    log = bench / "bench.log"
    log.write_text("")
    src = bench_book.copy_source(ROOT, bench / "src")
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip() or "unknown"
    report = {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit,
              "machine": f"{platform.system()} {platform.machine()}", "cpus": os.cpu_count(),
              "command": "./handbook bench -- " + " ".join(argv if argv is not None else sys.argv[1:]),
              "load_average": os.getloadavg()}
    if "html" not in skip:
        print(f"HTML rebuilds, {args.reps} round(s) ...", flush=True)
        report["html"] = html_rebuilds(src, bench / "src", args.reps, log)
    if "editions" not in skip:
        print("Editions ...", flush=True)
        report["editions"] = editions(src, bench, args.edition_reps, log)
        report["files"] = files(src / "_build")
    site = src / "_build" / "html"
    if "web" not in skip:
        if not (site / "index.html").exists():
            run(load_noxfile(src).sphinx_command("html", src, site), src, log)
            report.setdefault("files", files(src / "_build"))
        print("Pages and search in chromium ...", flush=True)
        report["web"] = bench_web.measure(site, PAGES, "trafficking")
    if "book-theme" not in skip:
        print("sphinx-book-theme comparison ...", flush=True)
        bt = book_theme(src, bench, log)
        page = "chapters/identification.html"
        measured = bench_web.measure(bt["site"], [page], None)["pages"][0]
        version = next((line.split("==")[1] for line in BOOK_THEME_LOCK.read_text().splitlines()
                        if line.startswith("sphinx-book-theme==")), "?")
        report["book_theme"] = {"page": page, "version": version, "bytes": measured["bytes"],
                                "requests": measured["requests"], "build_seconds": bt["build"]["seconds"]}
    if "scale" not in skip:
        print(f"Synthetic book, {args.factor}x, {args.scale_rounds} round(s) ...", flush=True)
        report["scale"] = scale_growth(src, bench, args.factor, args.scale_rounds, log)
    (bench / "report.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (bench / "report.md").write_text(markdown(report))
    print(markdown(report))
    print(f"Written: {bench / 'report.json'}, {bench / 'report.md'}")


if __name__ == "__main__":
    main()

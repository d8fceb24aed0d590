"""A failed, repeated or interrupted build never publishes, and never passes by being repeated.

* the same mistake fails the build on every run, whatever Sphinx has cached;
* a failed build leaves the last good edition exactly as it was, byte for byte;
* an interrupted build (SIGINT to the whole command, as Ctrl-C sends; SIGTERM to nox) too;
* the editions of one run are published together: an interrupted publication is finished by
  the next run, never left half done.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faults import ROOT, append, copy_book, session, sub

sys.path.insert(0, str(ROOT / "tools"))
import staging  # noqa: E402

SINK_PAGE = "tests/kitchen-sink/constructs.md"


def snapshot(folder: Path) -> dict[str, str]:
    assert folder.is_dir(), f"{folder} was not published"
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return copy_book(tmp_path_factory.mktemp("publishing") / "book")


def clone(pristine: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(pristine, tmp_path / "book"))


@pytest.mark.parametrize("mistake", ["```{nosuchdirective}\nText.\n```", "See {ref}`sink-no-such-label`."],
                         ids=["unknown-directive", "broken-cross-reference"])
def test_a_mistake_fails_every_run_not_only_the_first(mistake, pristine, tmp_path):
    book = clone(pristine, tmp_path)
    assert session(book, "html", "sink").code == 0, "the clean fixture must build"
    sub(book / SINK_PAGE, r"^## Key points$", mistake + "\n\n## Key points")
    for attempt in range(3):
        result = session(book, "html", "sink")
        assert result.code != 0, f"run {attempt + 1} after the mistake passed:\n{result}"
        assert "constructs.md:" in result.output, result.output


def start(book: Path, name: str, source: str = "book") -> subprocess.Popen:
    """Start a build to interrupt. It holds 60 s before publishing, so that the interrupt surely
    comes first, however fast the build and however slow the test."""
    env = dict(os.environ, HANDBOOK_NO_APT="1", HANDBOOK_TEST_HOLD_BEFORE_PUBLISH="60")
    env.setdefault("SOURCE_DATE_EPOCH", "1764547200")
    for key in ("HANDBOOK_SOURCE", "HANDBOOK_BUILD"):
        env.pop(key, None)
    if source == "sink":
        env["HANDBOOK_SOURCE"] = str(book / "tests/kitchen-sink")
        env["HANDBOOK_BUILD"] = str(book / "_build/sink")
    return subprocess.Popen([sys.executable, "-m", "nox", "--no-venv", "-f", str(book / "noxfile.py"),
                             "-s", name], cwd=book, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            # A shell without job control starts background commands with Ctrl-C
                            # ignored, and Python then never turns SIGINT into KeyboardInterrupt:
                            # give the build the default, as a terminal would.
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for(pattern: str, folder: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    """Wait until this run (not an earlier, unfinished one) has made `pattern` in its scratch folder."""
    earlier = set(folder.glob(pattern))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if set(folder.glob(pattern)) - earlier:
            return
        assert proc.poll() is None, f"the build ended before it could be interrupted:\n{proc.stdout.read()}"
        time.sleep(0.05)
    raise AssertionError(f"no {pattern} in {folder} after {timeout} s")


def test_failed_and_interrupted_runs_leave_the_last_good_editions_untouched(pristine, tmp_path):
    """`build` makes the PDF, the ePub, then the website, and publishes them together or not at all."""
    book = clone(pristine, tmp_path)
    out = book / "_build/sink"
    page = book / SINK_PAGE
    good = page.read_text(encoding="utf-8")
    assert session(book, "build", "sink").code == 0
    before = {name: snapshot(out / name) for name in ("pdf", "epub", "html")}

    def unchanged(why: str) -> None:
        assert {name: snapshot(out / name) for name in before} == before, why

    # A failed run: a broken cross-reference.
    append(page, "\nSee {ref}`sink-no-such-label`.\n")
    result = session(book, "build", "sink")
    assert result.code != 0 and "constructs.md:" in result.output, result
    unchanged("a failed build changed the published editions")

    # Interrupted runs of a correct change: Ctrl-C (SIGINT to the whole command) while the
    # website is built (the PDF and ePub of the run are ready by then), and SIGTERM to nox
    # while the ePub is built.
    # (before the check and the references, which the website moves to pages of their own)
    page.write_text(good.replace("\n## Check your understanding", "\nA sentence added after the last good "
                                 "build.\n\n## Check your understanding", 1), encoding="utf-8")
    for scratch, how in (("html", signal.SIGINT), ("epub", signal.SIGTERM)):
        proc = start(book, "build", "sink")
        wait_for(f".staging/run-*/{scratch}", out, proc)
        if how == signal.SIGINT:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=120)
        assert proc.returncode != 0, output
        unchanged(f"a build interrupted by {how.name} changed the published editions")

    # The next run starts afresh, passes and publishes the change in every edition.
    result = session(book, "build", "sink")
    assert result.code == 0, result
    assert "added after the last good build" in (out / "html/constructs.html").read_text(encoding="utf-8")
    assert all(snapshot(out / name) != before[name] for name in before)


def test_a_publication_cut_short_is_finished_by_the_next_run(tmp_path):
    out = tmp_path / "_build"
    for name, text in (("html", "old site"), ("pdf", "old pdf")):
        (out / name).mkdir(parents=True)
        (out / name / "index").write_text(text)
    scratch = out / staging.STAGING / "run-crashed"
    for name, text in (("html", "new site"), ("pdf", "new pdf")):
        (scratch / name).mkdir(parents=True)
        (scratch / name / "index").write_text(text)
    (out / staging.STAGING / staging.JOURNAL).write_text(json.dumps({"scratch": str(scratch),
                                                                    "names": ["html", "pdf"]}))
    # The crash came after the website was moved aside and before anything was moved in.
    (scratch.with_name("run-crashed.replaced")).mkdir()
    os.replace(out / "html", scratch.with_name("run-crashed.replaced") / "html")
    run = staging.Run(out)  # what the next build does first
    run.close()
    assert (out / "html/index").read_text() == "new site"
    assert (out / "pdf/index").read_text() == "new pdf"
    assert not (out / staging.STAGING / staging.JOURNAL).exists()

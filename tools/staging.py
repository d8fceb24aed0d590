"""Staged publishing: a run builds into a scratch folder and publishes only when everything passed.

The published editions live in ``_build/html``, ``_build/pdf``, ``_build/epub`` (and the LaTeX
sources of the PDF in ``_build/latex``). A run (one nox session) builds every edition it makes
into ``_build/.staging/<run>/`` instead. Only when all of its builds and checks have passed are
the new folders moved into place, all editions of the run together, each by a rename:

* a failed run publishes nothing: the last good editions stay exactly as they were, byte for
  byte, and its unfinished outputs stay in ``_build/.staging/`` for inspection until the next run;
* an interrupted run (Ctrl-C, SIGTERM, a crash, a killed machine) is the same as a failed one;
* the renames themselves are short, guarded by a journal (``_build/.staging/publish.json``) and
  run with SIGINT and SIGTERM held back; if the process dies half-way anyway, the next run
  finishes the publication from the journal before it starts, so the editions of one run are
  always published together.

A lock (``_build/.lock``) stops two runs from publishing into the same folder at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

STAGING = ".staging"
JOURNAL = "publish.json"


def source_date_epoch(root: Path) -> str:
    """The time of the last commit (for reproducible editions), or of the newest source file."""
    try:
        result = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                                capture_output=True, text=True, check=True)
        if result.stdout.strip():
            return result.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    newest = max((p.stat().st_mtime for p in root.glob("**/*.md")
                  if "_build" not in p.parts and ".venv" not in p.parts), default=0)
    return str(int(newest))


class Run:
    """One run's scratch folder under ``out`` and the publication of what it built."""

    def __init__(self, out: Path):
        self.out = out
        self.staging = out / STAGING
        self.staging.mkdir(parents=True, exist_ok=True)
        self._lock = open(out / ".lock", "w")  # noqa: SIM115 (held for the run's lifetime)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"error: another build is running in {out}; wait for it to finish.") from None
        recover(out)
        for old in self.staging.iterdir():  # scratch folders of earlier, unfinished runs
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        self.scratch = self.staging / f"run-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        self.scratch.mkdir()
        self.published: list[str] = []

    def path(self, name: str) -> Path:
        """Where this run builds the edition ``name`` (html, pdf, epub, latex)."""
        return self.scratch / name

    def seed(self, name: str) -> Path:
        """This run's folder for ``name``, first filled with a copy of the published edition (a
        copy, never links: the published files must stay untouched if this run fails), so that
        Sphinx rewrites only what changed."""
        staged, published = self.path(name), self.out / name
        if not staged.exists() and published.is_dir():
            shutil.copytree(published, staged, symlinks=True)
        return staged

    def latest(self, name: str) -> Path:
        """This run's edition if it built one, else the published one."""
        staged = self.path(name)
        return staged if staged.exists() else self.out / name

    def publish(self) -> list[str]:
        names = sorted(p.name for p in self.scratch.iterdir() if p.is_dir())
        journal = self.staging / JOURNAL
        plan = {"scratch": str(self.scratch), "names": names}
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            tmp = journal.with_suffix(".tmp")
            tmp.write_text(json.dumps(plan), encoding="utf-8")
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, journal)
            finish(self.out, plan)
            self.published = names
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return names

    def close(self) -> None:
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()


def finish(out: Path, plan: dict) -> None:
    """Move each staged edition into place (idempotent, so it can resume after a crash)."""
    scratch = Path(plan["scratch"])
    trash = scratch.with_name(scratch.name + ".replaced")
    trash.mkdir(exist_ok=True)
    for name in plan["names"]:
        staged, target = scratch / name, out / name
        if not staged.exists():
            continue  # already moved by an earlier, interrupted attempt
        if target.exists():
            os.replace(target, trash / name)
        os.replace(staged, target)
    (out / STAGING / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)


def recover(out: Path) -> None:
    journal = out / STAGING / JOURNAL
    if journal.exists():
        plan = json.loads(journal.read_text(encoding="utf-8"))
        print(f"Finishing the publication that an earlier run started: {', '.join(plan['names'])}.",
              flush=True)
        finish(out, plan)

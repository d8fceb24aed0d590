"""Helpers for the fault-injection tests: a clean copy of the book, one mistake, one build.

A copy holds everything a build needs (the book, the kitchen-sink fixture, conf.py, _ext/,
tools/, the noxfile), never _build/ or .venv/. Builds run the real nox sessions of the copy, with
HANDBOOK_SOURCE pointing at the book or at the (much smaller) kitchen-sink fixture.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "node_modules", ".nox", "__pycache__",
                                ".pytest_cache", "research")


def copy_book(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=IGNORE)
    return target


@dataclass
class Result:
    code: int
    output: str

    def __str__(self) -> str:
        return f"exit {self.code}\n{self.output}"


def session(book: Path, name: str, source: str = "book", timeout: int = 600, **popen) -> Result:
    """Run `nox -s name` of the copy, on the book or on its kitchen-sink fixture."""
    env = dict(os.environ)
    env.pop("HANDBOOK_SOURCE", None)
    env.pop("HANDBOOK_BUILD", None)
    if source == "sink":
        env["HANDBOOK_SOURCE"] = str(book / "tests" / "kitchen-sink")
        env["HANDBOOK_BUILD"] = str(book / "_build" / "sink")
    env.setdefault("SOURCE_DATE_EPOCH", "1764547200")
    env["HANDBOOK_NO_APT"] = "1"
    result = subprocess.run([sys.executable, "-m", "nox", "--no-venv", "-f", str(book / "noxfile.py"),
                             "-s", name], cwd=book, env=env, capture_output=True, text=True,
                            timeout=timeout, **popen)
    return Result(result.returncode, result.stdout + result.stderr)


def sphinx_only(book: Path, source: str = "sink") -> Result:
    """The website build alone, without the start-up check (to test the checks inside Sphinx)."""
    folder = book / "tests" / "kitchen-sink" if source == "sink" else book
    result = subprocess.run([sys.executable, str(book / "tools" / "sphinx_run.py"), "-b", "html",
                             "-d", str(book / "_build" / "only.doctrees"), "-W", "--keep-going", "-n",
                             "-q", str(folder), str(book / "_build" / "only")],
                            cwd=book, capture_output=True, text=True, timeout=600)
    return Result(result.returncode, result.stdout + result.stderr)


# -- Mutations: each returns the (1-based) line number of the change ------------------------------

def append(path: Path, text: str) -> int:
    old = path.read_text(encoding="utf-8")
    if not old.endswith("\n"):
        old += "\n"
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1 + len(text) - len(text.lstrip("\n"))


def sub(path: Path, pattern: str, replacement: str, flags: int = re.M) -> int:
    text = path.read_text(encoding="utf-8")
    match = re.search(pattern, text, flags)
    assert match, f"{pattern!r} not found in {path}: the fault cannot be injected"
    path.write_text(text[:match.start()] + match.expand(replacement) + text[match.end():], encoding="utf-8")
    return text.count("\n", 0, match.start()) + 1


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")

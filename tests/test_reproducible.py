"""Reproducible editions: two builds of the same commit give byte-identical HTML, PDF and ePub.

The book built by `./handbook test` (in _build/) is compared, file by file, with a second build
of the same sources made in another folder, in another time zone, at another time. Every date in
the editions comes from SOURCE_DATE_EPOCH (the last commit's time, set by the noxfile), and the
ePub's zip is normalised (tools/reproducible.py).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import BOOK, ROOT
from faults import copy_book

sys.path.insert(0, str(ROOT / "tools"))
import staging  # noqa: E402


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_of_the_same_sources_are_byte_identical(tmp_path):
    for edition in ("html", "pdf", "epub"):
        assert (BOOK.out / edition).is_dir(), f"{BOOK.out / edition} is missing: run ./handbook test"
    book = copy_book(tmp_path / "another" / "folder")
    env = dict(os.environ, TZ="Pacific/Chatham", HANDBOOK_NO_APT="1")
    env.setdefault("SOURCE_DATE_EPOCH", staging.source_date_epoch(ROOT))
    for key in ("HANDBOOK_SOURCE", "HANDBOOK_BUILD"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-m", "nox", "--no-venv", "-f", str(book / "noxfile.py"),
                             "-s", "build"], cwd=book, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for edition in ("html", "pdf", "epub"):
        first, second = digests(BOOK.out / edition), digests(book / "_build" / edition)
        assert first.keys() == second.keys(), f"{edition}: different files in the two builds"
        differ = sorted(name for name in first if first[name] != second[name])
        assert not differ, (f"{edition}: these files differ between two builds of the same sources "
                            f"(if you changed a source since ./handbook test, run it again): {differ}")


def test_the_epub_zip_is_normalised():
    with zipfile.ZipFile(BOOK.epub) as epub:
        infos = epub.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    names = [i.filename for i in infos[1:]]
    assert names == sorted(names), "the ePub's files are not in name order"
    assert len({i.date_time for i in infos}) == 1, "the ePub's files carry different times"

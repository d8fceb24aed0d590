"""Byte-identical editions: the same commit gives the same HTML, PDF and ePub.

The noxfile sets SOURCE_DATE_EPOCH to the time of the last commit (tools/staging.py); Sphinx
and xelatex take their dates from it. The ePub is a zip file, and zip stores each file's local
modification time and the order files were added; ``normalise_epub`` rewrites it with every
time set to SOURCE_DATE_EPOCH, the ``mimetype`` file first and uncompressed (as the ePub
standard requires), the rest in name order with fixed permissions.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path


def epoch_time() -> tuple[int, int, int, int, int, int]:
    stamp = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01, zip's first day
    return time.gmtime(max(stamp, 315532800))[:6]


def normalise_epub(path: Path) -> None:
    stamp = epoch_time()
    with zipfile.ZipFile(path) as old:
        items = {info.filename: old.read(info) for info in old.infolist() if not info.is_dir()}
    names = sorted(items, key=lambda n: (n != "mimetype", n))
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as new:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            new.writestr(info, items[name], compresslevel=9 if name != "mimetype" else None)
    os.replace(tmp, path)

"""The website as one zip file, for reading from disk with no network (a hospital laptop, a
training room): unzip it and open index.html.

Everything in the built website goes in, under one top-level folder, except what only makes
sense on a web server (the 404 page, whose links are absolute; the sitemap; Sphinx's build
stamp) and the zip itself. Search works from disk because Sphinx loads its index with a script
tag; the one change is that result summaries are switched off, because they are fetched from the
pages with fetch(), which browsers refuse for file:// addresses. Entries are sorted and dated
1980-01-01, so the same website gives the same zip.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

SERVER_ONLY = {"404.html", "sitemap.xml", ".buildinfo", ".nojekyll"}
OPTIONS = "_static/documentation_options.js"


def make(html: Path, dest: Path) -> Path:
    folder = dest.name.removesuffix(".zip")
    files = sorted(
        p for p in html.rglob("*")
        if p.is_file() and p.resolve() != dest.resolve()
        and p.relative_to(html).as_posix() not in SERVER_ONLY
    )
    tmp = dest.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            rel = path.relative_to(html).as_posix()
            data = path.read_bytes()
            if rel == OPTIONS:
                text = data.decode("utf-8")
                if "SHOW_SEARCH_SUMMARY: true" in text:
                    data = text.replace("SHOW_SEARCH_SUMMARY: true", "SHOW_SEARCH_SUMMARY: false").encode()
            info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    tmp.replace(dest)
    return dest

"""The general index page is rendered again only when a page was read.

Sphinx renders genindex.html at the end of every website build, even when nothing changed: a
quarter of a second, a sixth of a rebuild with nothing to do. The index lists the index entries
of the pages (this book's glossary terms), so it can only change when a page is read again or removed (a
change of configuration or theme makes Sphinx read every page). When no page was read and the
file exists, it is left as it is.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.builders.html import StandaloneHTMLBuilder

_read: dict[str, set] = {"docs": {"?"}}  # pages read by this build (main process)
_original = StandaloneHTMLBuilder.write_genindex


def note_removed(app, env, added, changed, removed):
    _read["removed"] = set(removed)
    return []


def note_read(app, env, docnames) -> None:
    _read["docs"] = set(docnames) | _read.get("removed", set())


def write_genindex(self) -> None:
    target = Path(self.get_outfilename("genindex"))
    if not _read["docs"] and target.exists():
        return
    _original(self)


def setup(app):
    StandaloneHTMLBuilder.write_genindex = write_genindex
    app.connect("env-get-outdated", note_removed)
    app.connect("env-before-read-docs", note_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

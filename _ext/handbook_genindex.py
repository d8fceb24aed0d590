"""The general index page is rendered again only when its entries may have changed.

Sphinx renders genindex.html at the end of every website build, even when nothing changed: a
quarter of a second, a sixth of a rebuild with nothing to do. The index lists the index entries
of the pages (this book's glossary terms) under the pages' titles, so it can only change when a
page is removed, added, or read again with other entries or another title (a change of
configuration or theme makes Sphinx read every page). Otherwise the file is left as it is.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.builders.html import StandaloneHTMLBuilder

_run: dict = {"unchanged": False, "before": {}}
_original = StandaloneHTMLBuilder.write_genindex


def _state(env, docname: str):
    entries = env.domains.index_domain.entries.get(docname)
    title = env.titles.get(docname)
    return (list(entries) if entries is not None else None, title.astext() if title is not None else None)


def note_outdated(app, env, added, changed, removed):
    _run["unchanged"] = not added and not removed
    return []


def note_read(app, env, docnames) -> None:
    _run["before"] = {d: _state(env, d) for d in docnames}


def write_genindex(self) -> None:
    target = Path(self.get_outfilename("genindex"))
    before = _run["before"]
    if (_run["unchanged"] and target.exists()
            and all(b[0] is not None and _state(self.env, d) == b for d, b in before.items())):
        return
    _original(self)


def setup(app):
    StandaloneHTMLBuilder.write_genindex = write_genindex
    app.connect("env-get-outdated", note_outdated)
    app.connect("env-before-read-docs", note_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

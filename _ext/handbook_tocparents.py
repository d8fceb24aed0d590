"""A page that lists a chapter in its table of contents is written again only when the chapter's
entry in it could have changed.

When Sphinx reads a page again, it also writes every page whose toctree lists that page (here the
home page), in case the listed page's title or headings changed. A toctree shows of a page only
its title, its headings (the table of contents Sphinx keeps for it) and its ``tocdepth``; so this
extension notes those before the pages are read and compares them after. When nothing was added
or removed and every page read again still has the same title, headings and depth, the pages that
list them would come out as they are, and they are not written again. Otherwise Sphinx proceeds
as usual.

Sphinx adds those pages inside its write step, just after the ``write-started`` event, from
``env.files_to_rebuild``; the pages whose entries cannot have changed are left out of that
mapping for that moment only, and it is put back as soon as the first page is resolved (and in
any case before the build finishes).
"""

from __future__ import annotations

_run: dict = {"before": {}, "unchanged": False, "saved": None}


def _state(env, docname: str):
    title = env.titles.get(docname)
    toc = env.tocs.get(docname)
    return (title.astext() if title is not None else None,
            toc.pformat() if toc is not None else None,
            env.metadata.get(docname, {}).get("tocdepth"))


def note_outdated(app, env, added, changed, removed):
    _run["unchanged"] = not added and not removed
    return []


def note_read(app, env, docnames) -> None:
    _run["before"] = {d: _state(env, d) for d in docnames}


def hide_unchanged(app, builder) -> None:
    env = app.env
    before = _run["before"]
    if not _run["unchanged"] or not before:
        return
    same = {d for d, b in before.items() if b[0] is not None and _state(env, d) == b}
    if not same:
        return
    _run["saved"] = env.files_to_rebuild
    env.files_to_rebuild = {d: parents for d, parents in env.files_to_rebuild.items() if d not in same}


def restore(app, *args) -> list:
    if _run["saved"] is not None:
        app.env.files_to_rebuild, _run["saved"] = _run["saved"], None
    return []  # (html-collect-pages expects a list of pages: none from here)


def setup(app):
    app.connect("env-get-outdated", note_outdated)
    app.connect("env-before-read-docs", note_read)
    app.connect("write-started", hide_unchanged)
    app.connect("doctree-resolved", restore, priority=0)
    app.connect("html-collect-pages", restore, priority=0)
    app.connect("build-finished", restore, priority=0)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

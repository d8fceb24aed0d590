"""One environment for all three editions: each builder writes every page changed since it last wrote.

The website, PDF and ePub builders share one doctree folder (see ``sphinx_command`` in
noxfile.py), so a full build reads the sources and formats the bibliography once, not once per
edition. Nothing this book's extensions do while reading depends on the builder: the
builder-specific work (portable components, breakable tables, plain citations in captions) runs
in post-transforms, when each builder writes.

Sphinx decides what to write from what the current run read, plus each output file's age against
its own source file. With a shared environment that is not enough: when the PDF build reads a
changed page (or a change to references.bib alters a page's reference list), the website build
that follows reads nothing, and a page whose source did not change (a reference list, the
catalogue) would keep its old HTML. So this extension keeps, in the environment, the pages each
builder has not yet written since they changed, and hands them to that builder. A builder this
environment has not seen before writes every page once.
"""

from __future__ import annotations

ATTR = "handbook_unwritten"


def _pending(env) -> dict:
    if not hasattr(env, ATTR):
        setattr(env, ATTR, {})
    return getattr(env, ATTR)


def mark_changed(env, docnames) -> None:
    """Record that ``docnames`` changed, for every builder (including the current one)."""
    docnames = set(docnames)
    for name, docs in _pending(env).items():
        if docs is not None:
            docs |= docnames


def register_builder(app) -> None:
    pending = _pending(app.env)
    if app.builder.name not in pending:
        pending[app.builder.name] = None  # never written from this environment: write all


def note_read(app, env, docnames) -> None:
    mark_changed(env, docnames)


def unwritten(app, env):
    """Pages this builder must write besides those Sphinx already chose."""
    pending = _pending(env)
    docs = pending.get(app.builder.name)
    pending[app.builder.name] = set()
    if docs is None:
        return sorted(env.found_docs)
    return sorted(docs & env.found_docs)


def setup(app):
    app.connect("builder-inited", register_builder)
    app.connect("env-before-read-docs", note_read)
    app.connect("env-get-updated", unwritten)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

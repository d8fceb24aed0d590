"""A numbered cross-reference ({numref}) loads its target page from disk once, not once per use.

To resolve each ``{numref}``, Sphinx unpickles the whole doctree of the page that holds the
target, only to read one node's type and id (``StandardDomain._resolve_numref_xref``). The law
chapter's reporting flow is such a target, referred to from the chapter, its check and the job
aids; in the ten-times synthetic book these loads were 5 s of a 67 s build, the part of it that
grew fastest. This extension lends that method a small cache of the last few pages it loaded, for
the length of one build: the method only reads the page, and the pages on disk do not change
while Sphinx writes. Nothing else in Sphinx sees the cache.
"""

from __future__ import annotations

from collections import OrderedDict

from sphinx.domains.std import StandardDomain

PAGES_KEPT = 4  # the targets of one page's numrefs are usually one or two pages

_cache: OrderedDict = OrderedDict()
_original = StandardDomain._resolve_numref_xref


def _cached_doctree(env, docname: str):
    if docname in _cache:
        _cache.move_to_end(docname)
        return _cache[docname]
    doctree = type(env).get_doctree(env, docname)
    _cache[docname] = doctree
    if len(_cache) > PAGES_KEPT:
        _cache.popitem(last=False)
    return doctree


def _resolve_numref_xref(self, env, *args, **kwargs):
    env.get_doctree = lambda docname: _cached_doctree(env, docname)
    try:
        return _original(self, env, *args, **kwargs)
    finally:
        del env.get_doctree  # the class's method again


def forget(*args) -> None:
    """Pages read again since the last build are different pages: start each build empty."""
    _cache.clear()


def setup(app):
    StandardDomain._resolve_numref_xref = _resolve_numref_xref
    app.connect("env-updated", forget)
    app.connect("build-finished", forget)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

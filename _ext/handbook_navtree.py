"""The sidebar's list of pages built without copying every heading of the book for every page.

furo's sidebar lists the book's pages by title only (``titles_only=True``). To make that list
Sphinx copies each listed page's whole table of contents, every heading, and then throws the
headings away, once for each page it writes. How deep it copies is set by each page's own
``tocdepth`` (unlimited unless a page sets it), not by the call's ``maxdepth``. The work grows with
the number of pages times the number of headings, the square of the book's size: about a sixth
of a cold build of a book ten times this size.

When no page but the home page has a table of contents of its own, a titles-only list holds
nothing below each page's title, so for the duration of the sidebar's call each page is treated
as having ``tocdepth: 1``: Sphinx copies the titles only, and the list is the same. Otherwise (a
chapter that lists sub-pages) furo's call is left as it is. The home page's own table of
contents, which shows headings, is made elsewhere and is not affected.
"""

from __future__ import annotations


def shallow_titles_only(app, pagename, templatename, context, doctree) -> None:
    toctree = context.get("toctree")
    env = app.env
    if toctree is None or set(env.toctree_includes) - {env.config.root_doc}:
        return

    def toctree_titles(**kwargs):
        if not kwargs.get("titles_only"):
            return toctree(**kwargs)
        untouched = [d for d in env.found_docs if "tocdepth" not in env.metadata.get(d, {})]
        for docname in untouched:
            env.metadata.setdefault(docname, {})["tocdepth"] = 1
        try:
            return toctree(**kwargs)
        finally:
            for docname in untouched:
                del env.metadata[docname]["tocdepth"]

    context["toctree"] = toctree_titles


def setup(app):
    # Before furo's own handler (priority 500), which builds the sidebar from context["toctree"].
    app.connect("html-page-context", shallow_titles_only, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

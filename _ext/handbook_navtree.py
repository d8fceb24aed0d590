"""The sidebar's list of pages built without copying every heading of the book for every page.

furo's sidebar lists the book's pages by title only (``titles_only=True``), but asks Sphinx for
the table of contents at full depth (``maxdepth=-1``): Sphinx then copies every heading of every
page before throwing the headings away, once for each page it writes. The work grows with the
number of pages times the number of headings, the square of the book's size: a fifth of a cold
build of a book ten times this size.

When no page but the home page has a table of contents of its own, a titles-only list can only
be one level deep, so the same call with ``maxdepth=1`` gives the same list, from a copy of the
top level only. Otherwise (a chapter that lists sub-pages) furo's call is left as it is.
"""

from __future__ import annotations


def shallow_titles_only(app, pagename, templatename, context, doctree) -> None:
    toctree = context.get("toctree")
    env = app.env
    if toctree is None or set(env.toctree_includes) - {env.config.root_doc}:
        return

    def toctree_titles(**kwargs):
        if kwargs.get("titles_only") and kwargs.get("maxdepth", 0) <= 0:
            kwargs["maxdepth"] = 1
        return toctree(**kwargs)

    context["toctree"] = toctree_titles


def setup(app):
    # Before furo's own handler (priority 500), which builds the sidebar from context["toctree"].
    app.connect("html-page-context", shallow_titles_only, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

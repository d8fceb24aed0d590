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

In such a book the list is also the same on every page of a folder except for which entry is
marked as the page the reader is on (``current``, with a link to the top of the page). Making it
anew for each page is work that grows with the number of pages times the length of the list: the
square of the book. So the list is made once per folder and then marked for each page (one entry
unmarked, one marked); furo still reads each page's list to add its own classes. If the list does not have the form
this expects (one marked entry for a page in it, one plain entry to mark), Sphinx makes the
page's list as before; the website test checks every page's mark.
"""

from __future__ import annotations

import posixpath

from sphinx.util.osutil import relative_uri

MARKED = '<li class="toctree-l1 current"><a class="current reference internal" href="#">'
PLAIN = '<li class="toctree-l1"><a class="reference internal" href="{href}">'


def flat(env) -> bool:
    """No page but the home page has a table of contents of its own."""
    return not set(env.toctree_includes) - {env.config.root_doc}


class SidebarPerFolder:
    """The builder's _get_local_toctree, made once per folder for titles-only lists of a flat book."""

    def __init__(self, builder, original):
        self.builder, self.original, self.made = builder, original, {}

    def __call__(self, docname, collapse=True, **kwargs):
        env = self.builder.env
        if not kwargs.get("titles_only") or not flat(env):
            return self.original(docname, collapse, **kwargs)
        key = (posixpath.dirname(docname), collapse, tuple(sorted(kwargs.items())))
        if key not in self.made:
            html = self.original(docname, collapse, **kwargs)
            self.made[key] = (html, docname)
            return html
        html, marked = self.made[key]
        moved = self.move_mark(html, marked, docname)
        return moved if moved is not None else self.original(docname, collapse, **kwargs)

    def href(self, here: str, docname: str) -> str:
        uri = self.builder.get_target_uri
        return relative_uri(uri(here), uri(docname))

    def move_mark(self, html: str, old: str, new: str) -> str | None:
        """The list made for page ``old``, marked for page ``new`` instead (None: not that form)."""
        if old == new:
            return html
        listed = set(self.builder.env.toctree_includes.get(self.builder.config.root_doc, []))
        if html.count(MARKED) != (old in listed):
            return None
        if old in listed:
            at = html.index(MARKED)
            ul = html.rfind("<ul", 0, at)
            if not html.startswith('<ul class="current">', ul):
                return None
            html = (html[:ul] + "<ul>" + html[ul + len('<ul class="current">'):at]
                    + PLAIN.format(href=self.href(new, old)) + html[at + len(MARKED):])
        if new in listed:
            plain = PLAIN.format(href=self.href(old, new))
            if html.count(plain) != 1:
                return None
            at = html.index(plain)
            ul = html.rfind("<ul", 0, at)
            if not html.startswith("<ul>", ul):
                return None
            html = (html[:ul] + '<ul class="current">' + html[ul + len("<ul>"):at] + MARKED
                    + html[at + len(plain):])
        return html


def per_folder(app) -> None:
    builder = app.builder
    if hasattr(builder, "_get_local_toctree"):
        builder._get_local_toctree = SidebarPerFolder(builder, builder._get_local_toctree)


def shallow_titles_only(app, pagename, templatename, context, doctree) -> None:
    toctree = context.get("toctree")
    env = app.env
    if toctree is None or not flat(env):
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
    app.connect("builder-inited", per_folder)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

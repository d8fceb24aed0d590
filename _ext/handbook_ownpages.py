"""On the website, a chapter's reference list and knowledge check are pages of their own.

Every reader of a chapter page downloads its reference list and its knowledge check, often on a
phone on a hospital network, and few open them: on the largest chapter they were 12 and 6 KB of
its 56 KB of gzipped HTML. On the website (the ``html`` builder) this extension moves each
chapter section named in ``handbook_own_pages`` (conf.py) to a page beside the chapter,
``chapters/<chapter>-<page>.html`` (``-references``, ``-check``), and leaves in its place a
section with the same heading and anchor that says what is there and links to it:

* every link to something in the moved section, from the chapter itself or from any other page
  (the job aids cite the chapters' lists), now points at the new page, including links to
  reference entries, whose ids sphinxcontrib-bibtex fixes when the sources are read;
* links in the moved section back into the chapter (a knowledge check's "Taught in") point at
  the chapter page;
* the new page names its chapter and links back to it, has a description and link-preview tags,
  and (when the site has a published address) a canonical link and a place in the sitemap; it
  is not in the search index (a reference list is not what a search is for);
* its sidebar is the chapter's: the chapter is marked as where the reader is, and its entry
  links to the chapter (on the chapter's own page that entry is a link to the top, ``#``).

The PDF and the ePub are untouched: their chapters end with the check and the list, as the house
style's chapter anatomy asks. A moved section must have no subsections (the chapter's "On this
page" list would link to headings no longer on the page); the build fails if one has.
"""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatchcase

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util.osutil import relative_uri

BUILDERS = {"html"}  # not the ePub, which keeps each chapter whole


def _moved_sections(app, doctree, docname):
    """(name, section) for each top-level section of a chapter that gets a page of its own."""
    config = app.config.handbook_own_pages
    if not any(fnmatchcase(docname, pattern) for pattern in config.get("documents", [])):
        return []
    found = []
    for top in doctree.findall(nodes.section):
        for section in (c for c in top.children if isinstance(c, nodes.section)):
            for name in config.get("sections", {}):
                if name in section["ids"]:
                    found.append((name, section))
        break  # only the chapter's own sections (children of its title section)
    return found


def record(app, doctree) -> None:
    """At read time: which ids each moved section holds (and which reference lists it has)."""
    env = app.env
    docname = env.docname
    data = env.__dict__.setdefault("handbook_own_pages", {})
    data.pop(docname, None)
    parts = []
    for name, section in _moved_sections(app, doctree, docname):
        if any(n is not section for n in section.findall(nodes.section)):
            raise ExtensionError(
                f"{env.doc2path(docname)}: the section {name!r} has subheadings; a section that "
                "becomes a page of its own on the website (handbook_own_pages in conf.py) must "
                "have none. Remove the subheadings or take the section out of handbook_own_pages."
            )
        ids = set()
        for node in section.findall(nodes.Element):
            ids.update(node.get("ids", []))
        bibliographies = [n["ids"][0] for n in section.findall(nodes.Element)
                          if type(n).__name__ == "bibliography" and n.get("ids")]
        parts.append({"name": name, "ids": sorted(ids - set(section["ids"])),
                      "bibliographies": bibliographies})
    if parts:
        data[docname] = parts


def purge(app, env, docname) -> None:
    getattr(env, "handbook_own_pages", {}).pop(docname, None)


def merge(app, env, docnames, other) -> None:
    data = env.__dict__.setdefault("handbook_own_pages", {})
    for docname, parts in getattr(other, "handbook_own_pages", {}).items():
        if docname in docnames:
            data[docname] = parts


def page_of(app, docname: str, name: str) -> str:
    """``chapters/identification-references`` for the section ``references`` (or its ``page``)."""
    return f"{docname}-{app.config.handbook_own_pages['sections'][name].get('page', name)}"


def _targets(app) -> dict:
    """{docname: {id: page}} for every moved id, once per build (the environment is final by
    the time pages are written)."""
    cached = getattr(app, "_handbook_own_page_targets", None)
    if cached is not None:
        return cached
    try:  # the reference lists' entry ids, if sphinxcontrib-bibtex is in use
        from sphinxcontrib.bibtex.directives import BibliographyKey

        domain = app.env.get_domain("cite")
    except (ImportError, ExtensionError):
        domain = None
    targets = {}
    for docname, parts in getattr(app.env, "handbook_own_pages", {}).items():
        ids = {}
        for part in parts:
            page = page_of(app, docname, part["name"])
            ids.update(dict.fromkeys(part["ids"], page))
            for bib_id in part["bibliographies"] if domain else ():
                bibliography = domain.bibliographies.get(BibliographyKey(docname, bib_id))
                for citation in (bibliography.citation_nodes.values() if bibliography else ()):
                    ids.update(dict.fromkeys(citation["ids"], page))
        targets[docname] = ids
    app._handbook_own_page_targets = targets
    # Which document a page address belongs to (links are followed by address, once per link).
    app._handbook_own_page_uris = {app.builder.get_target_uri(d): d for d in targets}
    return targets


def reset(app) -> None:
    app._handbook_own_page_targets = None
    app._handbook_own_page_queue = []


def _doc_of_uri(app, here: str, uri: str) -> str | None:
    """The document a relative link from the page ``here`` points at, if it has moved parts."""
    if "://" in uri or uri.startswith(("mailto:", "/")):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(here), uri)) if uri else here
    return app._handbook_own_page_uris.get(path)


def move(app, doctree, docname) -> None:
    if app.builder.name not in BUILDERS:
        return
    targets = _targets(app)
    builder = app.builder
    here = builder.get_target_uri(docname)
    mine = {}  # section node -> (name, page), for this document's moved sections
    for name, section in _moved_sections(app, doctree, docname):
        mine[section] = (name, page_of(app, docname, name))

    def page_holding(node):
        for parent in _ancestors(node):
            if parent in mine:
                return mine[parent][1]
        return None

    for ref in list(doctree.findall(nodes.reference)):
        if "refid" in ref:
            target_doc, anchor = docname, ref["refid"]
        elif ref.get("internal") or "://" not in ref.get("refuri", "://"):
            uri, _, anchor = ref.get("refuri", "").partition("#")
            if not anchor:
                continue
            target_doc = docname if uri == "" else _doc_of_uri(app, here, uri)
            if target_doc is None:
                continue
        else:
            continue
        target_page = targets.get(target_doc, {}).get(anchor)  # None: the target stays put
        source_page = page_holding(ref) if mine else None  # None: the link stays on this page
        if target_page is None and source_page is None:
            continue
        from_uri = here if source_page is None else _page_uri(builder, source_page)
        to_uri = builder.get_target_uri(target_doc) if target_page is None else _page_uri(builder, target_page)
        if from_uri == to_uri and target_doc == docname:
            new = "#" + anchor
        else:
            new = relative_uri(from_uri, to_uri) + "#" + anchor
        ref.attributes.pop("refid", None)
        ref["refuri"] = new
        ref["internal"] = True

    title = app.env.titles[docname].astext()
    queue = app.__dict__.setdefault("_handbook_own_page_queue", [])
    for section, (name, page) in mine.items():
        words = app.config.handbook_own_pages["sections"][name]
        link = nodes.reference("", "", nodes.Text(words["link"].format(chapter=title)),
                               refuri=relative_uri(here, _page_uri(builder, page)), internal=True)
        stub = nodes.section("", section[0].deepcopy(), ids=list(section["ids"]),
                             names=list(section["names"]), classes=["own-page-stub"])
        stub += nodes.paragraph("", "", nodes.Text(words["stub"] + " "), link, nodes.Text("."))
        section.replace_self(stub)
        queue.append((docname, page, title, section, words))


def _ancestors(node):
    while node is not None:
        yield node
        node = node.parent


def _page_uri(builder, page: str) -> str:
    return page + builder.out_suffix


def pages(app):
    """Write the moved sections as pages (html-collect-pages runs after the chapters)."""
    builder = app.builder
    for docname, page, title, section, words in getattr(app, "_handbook_own_page_queue", []):
        heading = words["title"].format(chapter=title)  # the browser tab's title
        chapter_uri = relative_uri(_page_uri(builder, page), builder.get_target_uri(docname))
        # The page's own heading is the section's ("References"); the next line names the chapter.
        body = nodes.section("", section[0].deepcopy(), ids=list(section["ids"]),
                             classes=["own-page"])
        body += nodes.paragraph("", "", nodes.Text(words["intro"] + " "),
                                nodes.reference("", "", nodes.Text(title), refuri=chapter_uri,
                                                internal=True),
                                nodes.Text("."))
        body.extend(child for child in section.children[1:])
        # Rendered as the chapter's page would be (links and assets relative to its folder, its
        # figure numbers), but with no section number on the heading: it heads a page of its own.
        saved = builder.current_docname, builder.secnumbers, builder.fignumbers
        builder.current_docname, builder.secnumbers = docname, {}
        builder.fignumbers = app.env.toc_fignumbers.get(docname, {})
        try:
            fragment = builder.render_partial(body)["fragment"]
        finally:
            builder.current_docname, builder.secnumbers, builder.fignumbers = saved
        yield page, {
            "title": heading,
            "body": fragment,
            "metatags": _head(app, page, heading, f"{words['intro']} \u201c{title}\u201d."),
            "toc": "",
            "display_toc": False,
            "prev": {"link": chapter_uri, "title": title},
            "meta": {},
            "own_page_of": docname,
        }, "page.html"
    app._handbook_own_page_queue = []


# Sphinx's mark for the page being written (furo then adds "current-page" to that entry).
CURRENT_PAGE = re.compile(r'(<li class="[^"]*\bcurrent">)(<a class="current reference internal" href=")#(")')


def chapter_sidebar(app, pagename, templatename, context, doctree) -> None:
    """An own page's sidebar is its chapter's, with the chapter's entry a link to the chapter."""
    chapter = context.get("own_page_of")
    if not chapter or "toctree" not in context:
        return
    builder = app.builder
    href = relative_uri(_page_uri(builder, pagename), builder.get_target_uri(chapter))

    def toctree(**kwargs):
        html = builder._get_local_toctree(chapter, **kwargs)  # what the chapter's page gets
        return CURRENT_PAGE.sub(lambda m: m[1] + m[2] + href + m[3], html)

    context["toctree"] = toctree


def _head(app, page: str, heading: str, description: str) -> str:
    """The description and link-preview tags a chapter gets from its front matter and
    sphinxext-opengraph, which skips pages that are not documents."""
    from html import escape

    tags = [("name", "description", description), ("property", "og:title", heading),
            ("property", "og:type", "website")]
    site_url = getattr(app.config, "ogp_site_url", "")  # (sphinxext-opengraph's settings)
    if site_url:  # no og:url without a published address (handbook_site)
        tags.append(("property", "og:url", site_url + _page_uri(app.builder, page)))
    tags += [("property", "og:site_name", getattr(app.config, "ogp_site_name", "")),
             ("property", "og:description", description)]
    return "".join(f'<meta {kind}="{name}" content="{escape(str(value))}" />\n'
                   for kind, name, value in tags if value)


def setup(app):
    app.add_config_value("handbook_own_pages", {}, "env")
    app.connect("builder-inited", reset)
    app.connect("doctree-read", record)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("doctree-resolved", move, priority=900)
    app.connect("html-collect-pages", pages)
    # Before handbook_navtree (400) and furo (500), which build the sidebar from context["toctree"].
    app.connect("html-page-context", chapter_sidebar, priority=300)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}

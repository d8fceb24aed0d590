"""Per-chapter metadata from the MyST front matter, shown the same way in every format.

A chapter's front matter carries ``description``, ``keywords`` and ``last-reviewed``
(an ISO date). For every document that has ``last-reviewed`` this extension:

* puts "Last reviewed: <date>" under the chapter title;
* ends the chapter with a "Cite this chapter" section (author-date text and a BibTeX entry) so
  instructors can cite a stable, dated chapter;
* on the website, writes the description and keywords into <meta> tags.

A chapter whose front matter lacks a description, or has a malformed date, fails the build.
"""

from __future__ import annotations

import html
from datetime import date

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class ChapterFrame(SphinxTransform):
    default_priority = 880  # during reading, before the env collectors read the tree

    def apply(self, **kwargs) -> None:
        # myst-parser stores the front matter in env.metadata while parsing.
        meta = {k: str(v) for k, v in self.env.metadata.get(self.env.docname, {}).items()}
        if "last-reviewed" not in meta:
            return
        docname = self.env.docname
        try:
            reviewed = date.fromisoformat(meta["last-reviewed"])
        except ValueError:
            logger.warning("last-reviewed must be a date like 2026-11-23, not %r",
                           meta["last-reviewed"], location=docname)
            return
        if not meta.get("description"):
            logger.warning("a chapter with last-reviewed needs a description", location=docname)
        top = next(self.document.findall(nodes.section), None)
        if top is None:
            return
        title = top[0].astext()
        stamp = nodes.paragraph(classes=["last-reviewed"])
        stamp += nodes.strong(text="Last reviewed: ")
        stamp += nodes.Text(long_date(reviewed))
        top.insert(1, stamp)
        top += self.cite_section(docname, title, reviewed)

    def cite_section(self, docname: str, title: str, reviewed: date) -> nodes.section:
        config = self.config
        url = config.handbook_url.rstrip("/") + "/" + docname + ".html" if config.handbook_url else ""
        book = f"{config.project}: {config.subtitle}"
        section = nodes.section(ids=[f"{docname.replace('/', '-')}-cite"], names=["cite this chapter"])
        section += nodes.title(text="Cite this chapter")
        text = nodes.paragraph(classes=["cite-this-chapter"])
        text += nodes.Text(f"{config.author}. {reviewed.year}. \u201c{title}.\u201d In ")
        text += nodes.emphasis(text=book)
        text += nodes.Text(f", edition {config.release}, last reviewed {long_date(reviewed)}.")
        if url:
            text += nodes.Text(" ")
            text += nodes.reference(url, url, refuri=url)
            text += nodes.Text(".")
        section += text
        key = "HTHandbook" + docname.split("/")[-1].title().replace("-", "") + str(reviewed.year)
        bibtex = (
            f"@incollection{{{key},\n"
            f"  author    = {{{{{config.author}}}}},\n"
            f"  title     = {{{title}}},\n"
            f"  booktitle = {{{book}}},\n"
            f"  edition   = {{{config.release}}},\n"
            f"  year      = {{{reviewed.year}}},\n"
            f"  note      = {{Last reviewed {reviewed.isoformat()}}}"
            + (f",\n  url       = {{{url}}}" if url else "")
            + "\n}"
        )
        section += nodes.literal_block(bibtex, bibtex, language="bibtex", classes=["cite-bibtex"])
        return section


def add_meta_tags(app, pagename, templatename, context, doctree):
    meta = app.env.metadata.get(pagename, {})
    tags = []
    for name in ("description", "keywords"):
        if meta.get(name):
            tags.append(f'<meta name="{name}" content="{html.escape(str(meta[name]), quote=True)}" />')
    if tags:
        context["metatags"] = context.get("metatags", "") + "\n".join(tags) + "\n"


def setup(app):
    app.add_config_value("subtitle", "", "env")
    app.add_config_value("handbook_url", "", "env")
    app.add_transform(ChapterFrame)
    app.connect("html-page-context", add_meta_tags)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Per-chapter metadata from the MyST front matter, shown the same way in every format.

A chapter's front matter carries ``description``, ``keywords`` and ``last-reviewed``
(an ISO date). For every document that has ``last-reviewed`` this extension:

* puts "Last reviewed: <date>" under the chapter title;
* (handbook_citation then ends the chapter with "Cite this chapter", from the same date);
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
        stamp = nodes.paragraph(classes=["last-reviewed"])
        stamp += nodes.strong(text="Last reviewed: ")
        stamp += nodes.Text(long_date(reviewed))
        top.insert(1, stamp)


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

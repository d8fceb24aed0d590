"""The website's reader-facing extras that need page context rather than a template alone.

* Link previews: sphinxext-opengraph takes a page's ``og:description`` from its first paragraph
  unless the page names one; a chapter's front-matter ``description`` is what it is about, so
  name that.
* No address that is not published: without ``handbook_url`` sphinxext-opengraph would still
  write ``og:url`` as a bare relative path, which is not a URL; leave it out.
"""

from __future__ import annotations

import re


def before_opengraph(app, pagename, templatename, context, doctree):
    meta = context.get("meta") or {}
    if meta.get("description") and "og:description" not in meta:
        context["meta"] = {**meta, "og:description": str(meta["description"])}


def after_opengraph(app, pagename, templatename, context, doctree):
    if not app.config.handbook_url and context.get("metatags"):
        context["metatags"] = re.sub(r'<meta property="og:url"[^>]*>\n?', "", context["metatags"])


def setup(app):
    app.connect("html-page-context", before_opengraph, priority=400)
    app.connect("html-page-context", after_opengraph, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

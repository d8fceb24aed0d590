"""The website's reader-facing extras that need page context rather than a template alone.

* ``hotline_tel``: the hotline's number from ``FACTS`` (data/facts.yaml) as a ``tel:`` target
  (``+18883737888`` from ``1-888-373-7888``), for the hotline bar in _templates/hotline.html.
* Link previews: sphinxext-opengraph takes a page's ``og:description`` from its first paragraph
  unless the page names one; a chapter's front-matter ``description`` is what it is about, so
  name that.
* No address that is not published: without ``handbook_url`` sphinxext-opengraph would still
  write ``og:url`` as a bare relative path, which is not a URL; leave it out.
"""

from __future__ import annotations

import re


def tel_target(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):  # North American number with country code
        return "+" + digits
    if len(digits) == 10:
        return "+1" + digits
    return digits


def before_opengraph(app, pagename, templatename, context, doctree):
    facts = app.config.html_context.get("facts") or {}
    if facts.get("hotline_phone"):
        context["hotline_tel"] = tel_target(str(facts["hotline_phone"]))
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

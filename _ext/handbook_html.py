"""Accessibility fixes in the HTML that Sphinx and furo write (website and ePub).

* Sphinx renders a toctree caption ("Chapters", "Back matter") as ``<p role="heading">`` with no
  ``aria-level``; axe-core reports that as a critical violation (aria-required-attr), and screen
  readers cannot place the heading in the outline. Give those captions level 2.
* furo's page has two ``<aside>`` landmarks, the site navigation and "On this page", with no
  names, so a screen reader's list of landmarks shows two identical "complementary" entries
  (axe: landmark-unique). Name them. furo's template has no block for these tags, so the names
  are added to the page furo renders; if furo's markup changes, the build fails here rather than
  shipping unnamed landmarks.
* A heading Sphinx's section numbering does not know (the "Cite this chapter" section, added after
  the tables of contents are collected) no longer borrows the chapter's number ("2. Cite this
  chapter").
* A link whose text is its own address gets the class ``bare-url``, so that the print styles,
  which write each external link's address after it, do not print the address twice.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.writers.html5 import HTML5Translator

LANDMARK_NAMES = {
    '<aside class="sidebar-drawer">': '<aside class="sidebar-drawer" aria-label="Site navigation">',
    '<aside class="toc-drawer': '<aside aria-label="On this page" class="toc-drawer',
    '<aside class="announcement-content">': '<aside class="announcement-content" aria-label="Help now">',
}


class HandbookHTMLTranslator(HTML5Translator):
    def visit_reference(self, node) -> None:
        # A link whose text is its own address (as in reference lists) is marked, so that print
        # styles do not repeat the address after it.
        if node.get("refuri") and node.astext().strip() == node["refuri"]:
            node["classes"].append("bare-url")
        super().visit_reference(node)

    def get_secnumber(self, node):
        # Sphinx gives a heading missing from its numbering the number of the page's first
        # heading (meant for a first heading without an anchor). The "Cite this chapter"
        # section is added after the tables of contents are collected, so it came out as
        # "2. Cite this chapter" on chapter 2. Only a page's top heading may borrow that number.
        section = node.parent
        if (self.builder.name != "singlehtml" and not node.get("secnumber")
                and isinstance(section, nodes.section) and isinstance(section.parent, nodes.section)
                and "#" + section["ids"][0] not in self.builder.secnumbers):
            return None
        return super().get_secnumber(node)

    def visit_title(self, node) -> None:
        start = len(self.body)
        super().visit_title(node)
        for i in range(start, len(self.body)):
            if 'role="heading"' in self.body[i] and "aria-level" not in self.body[i]:
                self.body[i] = self.body[i].replace('role="heading"', 'role="heading" aria-level="2"')


def name_landmarks(app) -> None:
    if app.builder.name not in ("html", "dirhtml") or app.config.html_theme != "furo":
        return
    templates = app.builder.templates
    render = templates.render

    def render_with_names(template, context):
        output = render(template, context)
        if '<aside class="sidebar-drawer">' not in output:  # not a furo page (e.g. a redirect)
            return output
        for old, new in LANDMARK_NAMES.items():
            if old in output:
                output = output.replace(old, new, 1)
            elif old.startswith('<aside class="toc-drawer'):
                raise ExtensionError(f"handbook_html: furo page without {old!r}; update LANDMARK_NAMES")
        return output

    templates.render = render_with_names


def setup(app):
    for builder in ("html", "dirhtml", "singlehtml", "epub"):
        app.set_translator(builder, HandbookHTMLTranslator, override=True)
    app.connect("builder-inited", name_landmarks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

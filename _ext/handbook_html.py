"""Accessibility fixes in the HTML that Sphinx writes (website and ePub).

Sphinx renders a toctree caption ("Chapters", "Back matter") as ``<p role="heading">`` with no
``aria-level``; axe-core reports that as a critical violation (aria-required-attr), and screen
readers cannot place the heading in the outline. Give those captions level 2.
"""

from __future__ import annotations

from sphinx.writers.html5 import HTML5Translator


class HandbookHTMLTranslator(HTML5Translator):
    def visit_title(self, node) -> None:
        start = len(self.body)
        super().visit_title(node)
        for i in range(start, len(self.body)):
            if 'role="heading"' in self.body[i] and "aria-level" not in self.body[i]:
                self.body[i] = self.body[i].replace('role="heading"', 'role="heading" aria-level="2"')


def setup(app):
    for builder in ("html", "dirhtml", "singlehtml", "epub"):
        app.set_translator(builder, HandbookHTMLTranslator, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""ePub fixes, so that epubcheck reports no errors and no warnings and Ace by DAISY no findings.

* Sphinx writes the NCX's ``dtb:uid`` from ``epub_uid`` (the XML id of the identifier element)
  rather than from ``epub_identifier`` (the identifier itself); epubcheck then reports NCX-001
  ("NCX identifier does not match OPF identifier"). Give the NCX the identifier.
* Sphinx's ePub pages start with ``<html xmlns=... xmlns:epub=...>`` and no language, so a screen
  reader may read them with the wrong voice (Ace: html-has-lang). Add ``lang`` and ``xml:lang``.
* The package file gets the schema.org accessibility metadata that reading systems and
  bookshops show to readers (``epub_accessibility`` in conf.py: accessMode, accessModeSufficient,
  accessibilityFeature, accessibilityHazard, accessibilitySummary) and the book's keywords as
  ``dc:subject`` (``epub_subjects``). Sphinx's template for content.opf has no place for them,
  so they are written into the file Sphinx made, before it is zipped. (The stale build stamp
  ``.buildinfo.bak`` that Sphinx leaves after a configuration change is removed first: Sphinx
  would warn that the ePub cannot hold it.)
* The navigation document's ``<nav epub:type="toc">`` gets the matching ARIA role ``doc-toc``
  (Ace: epub-type-has-matching-role).
"""

from __future__ import annotations

import html
from pathlib import Path

from sphinx.errors import ExtensionError


def use_identifier_in_ncx(app) -> None:
    original = app.builder.toc_metadata

    def toc_metadata(level, navpoints):
        metadata = original(level, navpoints)
        metadata["uid"] = app.config.epub_identifier
        return metadata

    app.builder.toc_metadata = toc_metadata


def add_language_to_pages(app) -> None:
    lang = html.escape(app.config.epub_language)
    tag = app.builder.html_tag
    if "lang=" not in tag:
        app.builder.html_tag = tag[:-1] + f' lang="{lang}" xml:lang="{lang}">'


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:  # Sphinx changed its template: fail loudly rather than ship without
        raise ExtensionError(f"handbook_epub: {old!r} not found in {path.name}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_package_metadata(app) -> None:
    builder = app.builder
    original = builder.build_content

    def build_content():
        # Sphinx keeps a stale build stamp as .buildinfo.bak when the configuration changed, and
        # then warns that the ePub cannot hold it (unknown mimetype), which fails a strict build.
        (Path(builder.outdir) / ".buildinfo.bak").unlink(missing_ok=True)
        original()
        lines = []
        for prop, values in app.config.epub_accessibility.items():
            for value in [values] if isinstance(values, str) else values:
                lines.append(f'<meta property="schema:{prop}">{html.escape(value)}</meta>')
        for subject in app.config.epub_subjects:
            lines.append(f"<dc:subject>{html.escape(subject)}</dc:subject>")
        opf = Path(builder.outdir) / "content.opf"
        _edit(opf, "  </metadata>", "    " + "\n    ".join(lines) + "\n  </metadata>")
        # schema: is a reserved prefix in EPUB 3, so no prefix declaration is needed.

    builder.build_content = build_content


def add_role_to_nav(app) -> None:
    builder = app.builder
    original = builder.build_navigation_doc

    def build_navigation_doc():
        original()
        _edit(Path(builder.outdir) / "nav.xhtml", '<nav epub:type="toc">',
              '<nav epub:type="toc" role="doc-toc">')

    builder.build_navigation_doc = build_navigation_doc


def on_builder_inited(app) -> None:
    if app.builder.name != "epub":
        return
    use_identifier_in_ncx(app)
    add_language_to_pages(app)
    add_package_metadata(app)
    add_role_to_nav(app)


def setup(app):
    app.add_config_value("epub_accessibility", {}, "epub", types=frozenset({dict}))
    app.add_config_value("epub_subjects", [], "epub", types=frozenset({list, tuple}))
    app.connect("builder-inited", on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

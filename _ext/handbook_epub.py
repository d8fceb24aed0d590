"""ePub fixes, so that epubcheck reports no errors and no warnings.

Sphinx writes the NCX's ``dtb:uid`` from ``epub_uid`` (the XML id of the identifier element)
rather than from ``epub_identifier`` (the identifier itself); epubcheck then reports NCX-001
("NCX identifier does not match OPF identifier"). Give the NCX the identifier.
"""

from __future__ import annotations


def use_identifier_in_ncx(app) -> None:
    if app.builder.name != "epub":
        return
    original = app.builder.toc_metadata

    def toc_metadata(level, navpoints):
        metadata = original(level, navpoints)
        metadata["uid"] = app.config.epub_identifier
        return metadata

    app.builder.toc_metadata = toc_metadata


def setup(app):
    app.connect("builder-inited", use_identifier_in_ncx)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

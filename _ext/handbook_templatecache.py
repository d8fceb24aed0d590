"""The website's page templates compiled once, not on every build.

Sphinx gives Jinja no bytecode cache, so every run parses and compiles furo's templates again
before it writes its first page: on this book that was about a tenth of a rebuild after a
one-chapter edit. Jinja's own ``FileSystemBytecodeCache`` keeps the compiled templates beside
the environment (``<doctrees>/jinja``), so they go when the environment goes (``./handbook
clean``, a cold build). Each cached template carries a checksum of its source and the Python
version, so an edited template, a new furo or a new Python is compiled again; the pages written
are the same either way.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache


def use_cache(app) -> None:
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is None:  # a builder without HTML templates (LaTeX)
        return
    folder = Path(app.doctreedir) / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder), "%s.cache")


def setup(app):
    app.connect("builder-inited", use_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

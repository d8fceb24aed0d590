"""Counters for the benchmark (tools/bench.py); loaded only when the bench puts this folder on
PYTHONPATH and sets HANDBOOK_BENCH_PROBE to a file name.

Every Python process of the build (nox, each sphinx-build, their parallel workers) appends one
line per event to that file:

    read <docname>       Sphinx parsed a source file (Builder.read_doc)
    bib <n>              an 'env-updated' pass formatted n bibliography entries (pybtex
                         Style.format_entry calls, cached results not counted)

Nothing is patched until the module concerned is imported, so processes that never import
Sphinx are not slowed down.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys

PROBE = os.environ.get("HANDBOOK_BENCH_PROBE")


def _note(line: str) -> None:
    with open(PROBE, "a", encoding="utf-8") as f:  # O_APPEND: whole lines, also across forks
        f.write(line + "\n")


_formatted = [0]


def _patch_builders(module) -> None:
    original = module.Builder.read_doc

    def read_doc(self, docname, *args, **kwargs):
        _note(f"read {docname}")
        return original(self, docname, *args, **kwargs)

    module.Builder.read_doc = read_doc


def _patch_events(module) -> None:
    original = module.EventManager.emit

    def emit(self, name, *args, **kwargs):
        if name != "env-updated":
            return original(self, name, *args, **kwargs)
        before = _formatted[0]
        try:
            return original(self, name, *args, **kwargs)
        finally:
            _note(f"bib {_formatted[0] - before}")

    module.EventManager.emit = emit


def _patch_formatting(module) -> None:
    original = module.BaseStyle.format_entry

    def format_entry(self, *args, **kwargs):
        _formatted[0] += 1
        return original(self, *args, **kwargs)

    module.BaseStyle.format_entry = format_entry


PATCHES = {
    "sphinx.builders": _patch_builders,
    "sphinx.events": _patch_events,
    "pybtex.style.formatting": _patch_formatting,
}


class _Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name not in PATCHES:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def patched_exec(module, _exec=exec_module, _name=name):
            _exec(module)
            PATCHES[_name](module)

        spec.loader.exec_module = patched_exec
        return spec


if PROBE:
    sys.meta_path.insert(0, _Hook())

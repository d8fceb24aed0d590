"""Figure and table numbers recomputed only when something that numbers them changed.

With ``numfig`` on, Sphinx renumbers every figure, table and code block after every build that
read anything, and to do so it loads every page's doctree from disk: on this book that was the
largest single cost of rebuilding after a one-sentence edit. The numbers depend only on the
table of contents and, in each page, on the order of its sections and numbered items. So this
extension keeps a signature of those for each page (its sections, the ids of its figures,
tables and containers, and its toctrees); when no page was added or removed, the section
numbers did not change and every page read again has the signature it had before, the numbers
cannot have changed and the previous ones are kept. Otherwise Sphinx renumbers as usual.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors.toctree import TocTreeCollector

SIGNATURES = "handbook_numbering_signatures"
NUMBERED = (nodes.figure, nodes.table, nodes.container, nodes.literal_block, nodes.math_block)


def signature(doctree: nodes.document) -> tuple:
    items = []
    for node in doctree.findall(nodes.Element):
        if isinstance(node, nodes.section):
            items.append(("s", tuple(node["ids"])))
        elif isinstance(node, addnodes.toctree):
            items.append(("t", tuple(node.get("entries", ())), node.get("numbered", 0)))
        elif isinstance(node, NUMBERED) and node["ids"]:
            items.append((type(node).__name__, tuple(node["ids"])))
    return tuple(items)


def _signatures(env) -> dict:
    if not hasattr(env, SIGNATURES):
        setattr(env, SIGNATURES, {})
    return getattr(env, SIGNATURES)


# State of the current run (main process only).
_run = {"structure_changed": True, "before": {}, "stash": {}, "stash_sections": {},
        "sections_changed": True}


def note_outdated(app, env, added, changed, removed):
    _run["structure_changed"] = bool(added or removed)
    _run["stash"], _run["stash_sections"] = {}, {}
    return []


def before_read(app, env, docnames):
    sigs = _signatures(env)
    _run["before"] = {d: sigs.get(d) for d in docnames}


def keep_old_numbers(app, env, docname):
    """Runs before Sphinx forgets a page's figure numbers (env-purge-doc)."""
    if docname in env.toc_fignumbers:
        _run["stash"][docname] = env.toc_fignumbers[docname]
    if docname in env.toc_secnumbers:
        _run["stash_sections"][docname] = env.toc_secnumbers[docname]


def record(app, doctree):
    _signatures(app.env)[app.env.docname] = signature(doctree)


def merge(app, env, docnames, other):
    theirs = _signatures(other)
    _signatures(env).update({d: theirs[d] for d in docnames if d in theirs})


_original_sections = TocTreeCollector.assign_section_numbers
_original_figures = TocTreeCollector.assign_figure_numbers


def assign_section_numbers(self, env):
    changed = _original_sections(self, env)
    # Sphinx counts every page read again as changed (its old numbers were purged with it), so
    # compare those pages with the numbers they had before they were purged.
    old = _run["stash_sections"]
    _run["sections_changed"] = any(d not in old or env.toc_secnumbers.get(d) != old[d] for d in changed)
    return changed


def assign_figure_numbers(self, env):
    sigs = _signatures(env)
    before, stash = _run["before"], _run["stash"]
    unchanged = (not _run["structure_changed"] and not _run["sections_changed"]
                 and all(before[d] is not None and sigs.get(d) == before[d] for d in before))
    if not unchanged or not env.config.numfig:
        return _original_figures(self, env)
    for docname, numbers in stash.items():
        env.toc_fignumbers[docname] = numbers
    return []


def setup(app):
    TocTreeCollector.assign_section_numbers = assign_section_numbers
    TocTreeCollector.assign_figure_numbers = assign_figure_numbers
    app.connect("env-get-outdated", note_outdated)
    app.connect("env-before-read-docs", before_read)
    app.connect("env-purge-doc", keep_old_numbers, priority=100)
    app.connect("doctree-read", record)
    app.connect("env-merge-info", merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Search-result snippets from small per-page files instead of whole pages.

Sphinx's search shows a snippet under each result by downloading the whole page and cutting
the text around the search word; a common word matches every chapter, so a search downloaded
the book (over 1 MB). This extension writes, for each page, ``_snippets/<page>.json``: the
page's description and the opening text of each section (at most SECTION_CHARS characters
each, section titles left out because the result already shows them). The search page's
script (``_static/handbook-search.js``) fetches that file once per page and shows the passage
around the first match, with the search words highlighted, or the section's opening words.
Sphinx's own page download is turned off (``html_show_search_summary = False`` in conf.py).

Format: ``{"s": [text, ...], "a": {"anchor": index into s}}``; ``s[0]`` is the page itself.

It also mends the search index of incremental builds: Sphinx 9.0 reloads the previous index
without its index entries (the glossary's terms), so a rebuild that does not rewrite the
glossary would drop its terms from search. They are restored from the previous index. And a
word that an edit removed from the last page that had it stayed in the index with no pages (an
empty list), so an incremental build's index differed from a fresh one; such words are dropped.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from docutils import nodes
from sphinx.search import IndexBuilder

SECTION_CHARS = 360
SCRIPT = "handbook-search.js"


def clip(text: str, limit: int = SECTION_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + " \u2026"


def own_text(section: nodes.Element) -> str:
    """Text of a section without its title and without its subsections."""
    parts = []
    for child in section.children:
        if isinstance(child, (nodes.title, nodes.section)):
            continue
        if isinstance(child, (nodes.target, nodes.comment, nodes.raw)):
            continue
        if "last-reviewed" in child.get("classes", []):  # the date stamp under a chapter title
            continue
        parts.append(child.astext())
    return " ".join(parts)


def snippets(doctree: nodes.document, description: str) -> dict:
    texts, anchors = [], {}
    sections = list(doctree.findall(nodes.section))
    first = own_text(sections[0]) if sections else doctree.astext()
    texts.append(clip(" ".join(filter(None, [description, first]))))
    for section in sections[1:]:
        # A heading straight followed by subheadings: its subsections' opening text.
        text = own_text(section).strip() or " ".join(
            c.astext() for c in section.children if not isinstance(c, nodes.title))
        for anchor in section["ids"]:
            anchors[anchor] = len(texts)
        texts.append(clip(text))
    # Glossary terms are results of their own: show the term's definition.
    for term in doctree.findall(nodes.term):
        item = term.parent
        definition = next((c for c in item.children if isinstance(c, nodes.definition)), None)
        if definition is None or not term["ids"]:
            continue
        for anchor in term["ids"]:
            anchors[anchor] = len(texts)
        texts.append(clip(definition.astext()))
    return {"s": texts, "a": anchors}


def write_snippets(app, pagename, templatename, context, doctree) -> None:
    if app.builder.name != "html":
        return
    if pagename == "search":
        from sphinx.builders.html._assets import _JavaScript

        context["script_files"] = [*context.get("script_files", []),
                                   _JavaScript(context["pathto"]("_static/" + SCRIPT, resource=True),
                                               priority=900)]
        return
    if doctree is None:
        return
    description = str(app.env.metadata.get(pagename, {}).get("description", ""))
    out = Path(app.outdir, "_snippets", pagename + ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(snippets(doctree, description), ensure_ascii=False, separators=(",", ":")),
                   encoding="utf-8")


_original_load = IndexBuilder.load
_original_prune = IndexBuilder.prune


def load_with_index_entries(self, stream, format) -> None:
    data = stream.read()
    _original_load(self, io.StringIO(data) if isinstance(data, str) else io.BytesIO(data), format)
    frozen = (self.formats[format] if isinstance(format, str) else format).loads(data)
    names = frozen["docnames"]
    restored: dict[str, list] = {}
    for entry, places in frozen.get("indexentries", {}).items():
        for doc, target, main in places:
            restored.setdefault(names[doc], []).append((entry, target, "main" if main else ""))
    for docname, entries in restored.items():
        self._index_entries.setdefault(docname, sorted(entries))


def prune_index_entries(self, docnames) -> None:
    docnames = set(docnames)
    _original_prune(self, docnames)
    for docname in [d for d in self._index_entries if d not in docnames]:
        del self._index_entries[docname]


_original_get_terms = IndexBuilder.get_terms


def get_terms_without_empty(self, fn2index):
    return tuple({word: docs for word, docs in terms.items() if docs != []}
                 for terms in _original_get_terms(self, fn2index))


def setup(app):
    IndexBuilder.get_terms = get_terms_without_empty
    IndexBuilder.load = load_with_index_entries
    IndexBuilder.prune = prune_index_entries
    app.connect("html-page-context", write_snippets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

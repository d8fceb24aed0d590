"""Bibliography work done once, and only for what changed (sphinxcontrib-bibtex internals).

sphinxcontrib-bibtex 2.7 formats every entry of every reference list on every build, in its
``env-updated`` handler, whether or not anything changed; pybtex looks its plugins up by scanning
the installed packages' entry points each time one is asked for (once per in-text citation for
the ``plaintext`` backend); and one changed field in references.bib makes every page with a
reference list out of date, so it is read again. This extension keeps the same output and
removes that work:

* **plugins registered once**: the pybtex plugins the build uses are looked up once at start-up
  and registered at run time, so later look-ups are a dictionary access;
* **formatting cached**: a formatted entry is kept in the environment (it is saved with the
  doctrees) under its style, label and a fingerprint of the entry's type, fields and people; an
  entry is formatted again only when one of those changed;
* **no work that grows with the square of the book**: each reference list's filter reads a map
  of where each key is cited (instead of scanning every citation for every entry), the cited
  keys are put in document order once per build (not once per list), each in-text citation
  is resolved against the citations of its own keys (not every citation of every list), and a
  page's reference list is filled from that page's citations only;
* **in-text citations remembered**: a resolved citation is kept (beside the doctrees) under its
  builder, text, page and the fingerprints and places of its entries, so a page written again
  after an edit does not format its unchanged citations again;
* **edits to references.bib**: a page with a reference list is read again only when the set of
  keys in the file changed (its directive makes one placeholder per key); otherwise it is only
  written again, and only if one of its entries or in-text citations changed. The catalogue,
  which renders fields itself, still depends on the file as a whole.

The output is byte-identical to sphinxcontrib-bibtex's own; the tests compare the reference lists
and citations of all three editions, and the benchmark (./handbook bench) reports the effect.
"""

from __future__ import annotations

from pathlib import Path

import handbook_shared_env
import pybtex.plugin
from pybtex.richtext import Text
from sphinxcontrib.bibtex.directives import BibliographyDirective
from sphinxcontrib.bibtex.domain import BibtexDomain, _FilterVisitor, logger as bibtex_logger
from sphinxcontrib.bibtex.nodes import bibliography as bibliography_node
from sphinxcontrib.bibtex.transforms import BibliographyTransform

#: The pybtex plugins the build looks up while it runs (group, name): the plain-text backend
#: (for each in-text citation), the docutils backend, and the name and sorting styles that
#: every formatting style instantiates.
PLUGINS = [
    ("pybtex.backends", "plaintext"),
    ("pybtex.backends", "docutils"),
    ("pybtex.style.names", "lastfirst"),
    ("pybtex.style.names", "plain"),
    ("pybtex.style.sorting", "author_year_title"),
]


def register_plugins_once() -> None:
    """Look the plugins up in one scan of the entry points and register them at run time.

    pybtex.plugin.register_plugin scans the entry points itself even with force=True, so the
    classes go straight into its run-time registry, which find_plugin consults first.
    """
    from importlib.metadata import entry_points

    installed = entry_points()
    for group, name in PLUGINS:
        found = installed.select(group=group, name=name)
        if found:
            klass = next(iter(found)).load()
            pybtex.plugin._RUNTIME_PLUGINS.setdefault(group, {}).setdefault(name, klass)


# -- Formatting cache --------------------------------------------------------------------------

_fingerprints: dict[int, tuple] = {}  # id(entry) -> (entry, fingerprint), for one build


def fingerprint(entry) -> tuple:
    """Everything about an entry that formatting can read (computed once per entry per build)."""
    cached = _fingerprints.get(id(entry))
    if cached is not None and cached[0] is entry:
        return cached[1]
    print_ = _fingerprint(entry)
    _fingerprints[id(entry)] = (entry, print_)
    return print_


def _fingerprint(entry) -> tuple:
    persons = tuple((role, tuple((tuple(p.first_names), tuple(p.middle_names), tuple(p.prelast_names),
                                  tuple(p.last_names), tuple(p.lineage_names)) for p in people))
                    for role, people in entry.persons.items())
    return (entry.type, tuple((k, v) for k, v in entry.fields.items()), persons)


_styles: dict[str, object] = {}


def style_named(name: str):
    if name not in _styles:
        _styles[name] = pybtex.plugin.find_plugin("pybtex.style.formatting", name)()
    return _styles[name]


def cache_of(domain: BibtexDomain) -> dict:
    return domain.data.setdefault("handbook_formatted", {})


def get_formatted_entries(self, bibliography_key, docnames, tooltips, tooltips_style):
    """sphinxcontrib-bibtex's get_formatted_entries, with each formatted entry cached."""
    from pybtex.richtext import Tag
    from pybtex.style import FormattedEntry
    from pybtex.style.template import FieldIsMissing

    bibliography = self.bibliographies[bibliography_key]
    entries = dict(self.get_sorted_entries(bibliography_key, docnames))
    style = style_named(bibliography.style)
    style2 = (style_named(tooltips_style) if tooltips_style else style) if tooltips else None
    cache = cache_of(self)
    used = self.data.setdefault("handbook_formatted_used", set())
    sorted_entries = style.sort(entries.values())
    labels = style.format_labels(sorted_entries)
    for label, entry in zip(labels, sorted_entries):
        full_label = bibliography.labelprefix + label
        print_ = fingerprint(entry)
        try:
            formatted = []
            for s, name in ((style, bibliography.style), (style2, tooltips_style or bibliography.style)):
                if s is None:
                    formatted.append(None)
                    continue
                key = (name, full_label, entry.key, print_)
                used.add(key)
                if key not in cache:
                    cache[key] = s.format_entry(full_label, entry)
                formatted.append(cache[key])
            yield entry, formatted[0], formatted[1]
        except FieldIsMissing as exc:
            bibtex_logger.warning(str(exc), location=(bibliography_key.docname, bibliography.line),
                                  type="bibtex", subtype="missing_field")
            yield entry, FormattedEntry(entry.key, Tag("b", str(exc)), full_label), None


def cited_docnames_by_key(domain: BibtexDomain) -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for ref in domain.citation_refs:
        for target in ref.targets:
            cited.setdefault(target.key, set()).add(ref.docname)
    return cited


def get_filtered_entries(self, bibliography_key):
    """sphinxcontrib-bibtex's get_filtered_entries, reading a map of where each key is cited."""
    bibliography = self.bibliographies[bibliography_key]
    cited = _cited.get(id(self))
    if cited is None:
        cited = cited_docnames_by_key(self)
    for entry in self.get_entries(bibliography.bibfiles):
        key = bibliography.keyprefix + entry.key
        visitor = _FilterVisitor(entry=entry, docname=bibliography_key.docname,
                                 cited_docnames=cited.get(key, set()))
        try:
            success = visitor.visit(bibliography.filter_)
        except ValueError as err:
            bibtex_logger.warning("syntax error in :filter: expression; %s" % err,
                                  location=(bibliography_key.docname, bibliography.line),
                                  type="bibtex", subtype="filter_syntax_error")
            success = bool(cited.get(key))
        if success or entry.key in bibliography.keys:
            yield key, entry


def get_all_cited_keys(self, docnames):
    """sphinxcontrib-bibtex's get_all_cited_keys (cited keys in document order), computed once
    per build instead of once per reference list, with a position map instead of list.index."""
    cached = _cited_order.get(id(self))
    if cached is None:
        position = {docname: i for i, docname in enumerate(docnames)}
        cached = [target.key for ref in sorted(self.citation_refs, key=lambda c: position[c.docname])
                  for target in ref.targets]
        if id(self) in _cited:  # inside env_updated, where docnames do not change
            _cited_order[id(self)] = cached
    return iter(cached)


_original_resolve_xref = BibtexDomain.resolve_xref
_citation_index: dict[int, tuple] = {}  # domain -> (citations list, its length, key -> [(position, citation)])


def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):
    """sphinxcontrib-bibtex's resolve_xref, shown only the citations of the keys it resolves.

    The original scans every citation of every reference list for each in-text citation, which
    grows with the square of the book's size; here an index by key (kept in the original order)
    hands it the few that match.
    """
    from sphinxcontrib.bibtex.citation_target import parse_citation_targets

    citations = self.data["citations"]
    cached = _citation_index.get(id(self))
    if cached is None or cached[0] is not citations or cached[1] != len(citations):
        # For each key, its first and last citation in a citation list anywhere, and on each page.
        anywhere: dict[str, list] = {}
        on_page: dict[tuple, list] = {}
        for position, citation in enumerate(citations):
            if self.bibliographies[citation.bibliography_key].list_ != "citation":
                continue
            for index, at in ((anywhere, citation.key),
                              (on_page, (citation.key, citation.bibliography_key.docname))):
                if at in index:
                    index[at][1] = (position, citation)
                else:
                    index[at] = [(position, citation), (position, citation)]
        cached = _citation_index[id(self)] = (citations, len(citations), anywhere, on_page)
    keys = {t.key for t in parse_citation_targets(target)}
    # The original links each key to the last citation of it in a citation list on the same page,
    # or else to the last one anywhere, and orders the keys by their first such citation (on the
    # same page first). Those first and last citations are all it is given (and all the memo key
    # is made of), so its work does not grow with the number of lists that repeat an entry, nor
    # (looked up by key and page) with the number of lists in the book.
    ends: dict[tuple, tuple] = {}
    for key in keys:
        for scope, first_last in (("any", cached[2].get(key)), ("here", cached[3].get((key, fromdocname)))):
            if first_last:
                ends[(scope, "first", key)], ends[(scope, "last", key)] = first_last
    matching = sorted({pc[0]: pc for pc in ends.values()}.values(), key=lambda pc: pc[0])
    # Same citation, same entries, same lists, same builder: the same nodes as last time.
    memo_key = None
    if keys <= {c.key for _, c in matching}:  # (a missing key must be warned about again)
        memo_key = (builder.name, env.config.bibtex_reference_style, typ, target, tuple(
            (c.key, fingerprint(c.entry), c.citation_id, c.bibliography_key.docname,
             self.bibliographies[c.bibliography_key].list_) for _, c in matching))
        # (also within one build: a page that cites the same work ten times formats it once)
        hit = _xref_memo["new"].get(fromdocname, {}).get(memo_key)
        if hit is None:
            hit = _xref_memo["old"].get(fromdocname, {}).get(memo_key)
        if hit is not None:
            _xref_memo["new"].setdefault(fromdocname, {})[memo_key] = hit
            return hit.deepcopy()
    self.data["citations"] = [citation for _, citation in matching]
    try:
        result = _original_resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode)
    finally:
        self.data["citations"] = citations
    if memo_key is not None and result is not None:
        _xref_memo["new"].setdefault(fromdocname, {})[memo_key] = result.deepcopy()
        _xref_memo["added"] = True
    return result


_original_bibliography_run = BibliographyTransform.run


def bibliography_transform_run(self, **kwargs) -> None:
    """sphinxcontrib-bibtex's BibliographyTransform, shown only the citations and references of
    the pages whose reference lists it fills (it matched every entry of a list against every
    citation of the book: work that grows with the square of the book's size)."""
    docnames = {node["docname"] for node in self.document.findall(bibliography_node)}
    if not docnames:
        return
    domain = self.env.get_domain("cite")
    citations, refs = domain.data["citations"], domain.data["citation_refs"]
    domain.data["citations"] = [c for c in citations if c.bibliography_key.docname in docnames]
    domain.data["citation_refs"] = [r for r in refs if r.docname in docnames]
    try:
        _original_bibliography_run(self, **kwargs)
    finally:
        domain.data["citations"], domain.data["citation_refs"] = citations, refs


# In-text citations resolved in earlier builds, by page; kept beside the doctrees.
_xref_memo: dict[str, dict] = {"old": {}, "new": {}, "added": False}
MEMO_FILE = "handbook-citations.pickle"
MEMO_VERSION = 1


def load_memo(app) -> None:
    import pickle

    _xref_memo["old"], _xref_memo["new"], _xref_memo["added"] = {}, {}, False
    path = Path(app.doctreedir, MEMO_FILE)
    try:
        with open(path, "rb") as f:
            version, memo = pickle.load(f)
        if version == MEMO_VERSION:
            _xref_memo["old"] = memo
    except Exception:  # missing or unreadable: start afresh
        pass


def save_memo(app, exception) -> None:
    import pickle

    if exception is not None or app.builder.name == "linkcheck":
        return
    old, new = _xref_memo["old"], _xref_memo["new"]
    memo = {doc: refs for doc, refs in {**old, **new}.items() if doc in app.env.found_docs}
    # Written again only when it changed: a citation resolved anew, one no longer made, a page gone.
    if (not _xref_memo["added"] and memo.keys() == old.keys()
            and all(refs.keys() == old[doc].keys() for doc, refs in new.items())):
        return
    with open(Path(app.doctreedir, MEMO_FILE), "wb") as f:
        pickle.dump((MEMO_VERSION, memo), f, pickle.HIGHEST_PROTOCOL)


_original_env_updated = BibtexDomain.env_updated
_cited_order: dict[int, list[str]] = {}  # domain -> cited keys in document order, during env_updated
_cited: dict[int, dict[str, set[str]]] = {}  # domain -> where each key is cited, during env_updated


def env_updated(self):
    """Format (from the cache) and keep only the cache entries this build used."""
    _fingerprints.clear()
    # Reference lists in document-name order, as a cold serial build reads them: a citation
    # with no list in its own page links to the last list that has the entry, and which one that
    # is must not depend on which pages an incremental or parallel build happened to read last.
    ordered = sorted(self.bibliographies.items(), key=lambda item: item[0].docname)
    self.bibliographies.clear()
    self.bibliographies.update(ordered)
    _cited[id(self)] = cited_docnames_by_key(self)
    self.data["handbook_formatted_used"] = set()
    try:
        return _original_env_updated(self)
    finally:
        _cited.pop(id(self), None)
        _cited_order.pop(id(self), None)
        _citation_index.pop(id(self), None)
        used = self.data.pop("handbook_formatted_used")
        cache = cache_of(self)
        for key in [k for k in cache if k not in used]:
            del cache[key]


# -- LaTeX decoding memoized ------------------------------------------------------------------

_latex: dict[tuple, object] = {}
_original_from_latex = Text.from_latex.__func__


def from_latex(cls, latex):
    """pybtex's Text.from_latex (a LaTeX decoder run for every field and name of every entry and
    in-text citation), once per distinct string: rich-text objects are never changed in place."""
    key = (cls, latex)
    try:
        return _latex[key]
    except (KeyError, TypeError):
        text = _original_from_latex(cls, latex)
        try:
            _latex[key] = text
        except TypeError:
            pass
        return text


# -- Edits to references.bib -------------------------------------------------------------------

class Bibliography(BibliographyDirective):
    """The bibliography directive without a dependency on the contents of the .bib files."""

    def run(self):
        env = self.env
        before = set(env.dependencies.get(env.docname, set()))
        result = super().run()
        domain = env.get_domain("cite")
        bibfiles = {str(path) for path in domain.bibdata.bibfiles}
        deps = env.dependencies.get(env.docname, set())
        for dep in list(deps):
            if dep not in before and str(Path(env.srcdir, dep).resolve()) in bibfiles:
                deps.discard(dep)
        return result


def keys_in(domain: BibtexDomain, bibliography) -> list[str]:
    return [bibliography.keyprefix + key for path in bibliography.bibfiles
            for key in domain.bibdata.bibfiles[path].keys] if all(
        path in domain.bibdata.bibfiles for path in bibliography.bibfiles) else []


def reread_when_keys_change(app, env, added, changed, removed):
    """A page whose reference lists were made for another set of keys is read again."""
    domain = env.get_domain("cite")
    return sorted({key.docname for key, bibliography in domain.bibliographies.items()
                   if key.docname not in removed
                   and list(bibliography.citation_nodes) != keys_in(domain, bibliography)})


def rewrite_what_changed(app, env):
    """Pages whose reference lists or in-text citations changed are written again."""
    domain = env.get_domain("cite")
    lists: dict = {key: [] for key in domain.bibliographies}
    for c in domain.citations:
        lists.setdefault(c.bibliography_key, []).append((c.key, fingerprint(c.entry)))
    lists = {key: tuple(value) for key, value in lists.items()}
    prints = {c.key: fingerprint(c.entry) for c in domain.citations}
    old_lists = domain.data.get("handbook_lists", {})
    old_prints = domain.data.get("handbook_prints", {})
    changed_keys = {k for k in prints.keys() | old_prints.keys() if prints.get(k) != old_prints.get(k)}
    docs = {key.docname for key, value in lists.items() if old_lists.get(key) != value}
    docs |= {ref.docname for ref in domain.citation_refs
             if any(t.key in changed_keys for t in ref.targets)}
    domain.data["handbook_lists"], domain.data["handbook_prints"] = lists, prints
    if not old_lists:  # first build: everything is written anyway
        return []
    docs = sorted(d for d in docs if d in env.all_docs)
    handbook_shared_env.mark_changed(env, docs)  # for the other editions' builders, too
    return docs


def setup(app):
    register_plugins_once()
    BibtexDomain.get_formatted_entries = get_formatted_entries
    BibtexDomain.get_filtered_entries = get_filtered_entries
    BibtexDomain.env_updated = env_updated
    Text.from_latex = classmethod(from_latex)
    BibtexDomain.get_all_cited_keys = get_all_cited_keys
    BibtexDomain.resolve_xref = resolve_xref
    BibliographyTransform.run = bibliography_transform_run
    app.add_directive("bibliography", Bibliography, override=True)
    app.connect("builder-inited", load_memo)
    app.connect("build-finished", save_memo)
    app.connect("env-get-outdated", reread_when_keys_change)
    app.connect("env-updated", rewrite_what_changed, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

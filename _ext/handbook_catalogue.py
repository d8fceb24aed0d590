"""The toolkit resource catalogue, generated from references.bib at build time.

Catalogue entries are ordinary BibTeX entries with extra fields (see CATALOGUE_FIELDS). The
``{toolkit-catalogue}`` directive renders one group of them (``:group: toolkit``,
``help-now`` or ``key-resource``) as plain docutils nodes, so the website, the PDF and the
ePub show the same complete catalogue. On the website a small script adds filters by topic,
audience and format; without JavaScript every entry is simply shown.

The extension also

* fails the build when a catalogue entry lacks a required field or uses a value outside the
  allowed lists, naming the entry's key and the field;
* lists under each entry the chapters that cite it, and
* adds a "Catalogue entry" link to every reference-list entry for a catalogued work, so each
  chapter's citation of a resource leads back to the catalogue.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from pybtex.database import parse_file
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

ALLOWED = {
    "format": ["fact sheet", "report", "journal article", "webinar", "online module", "talk",
               "training standard", "assessment tool", "policy statement", "resource collection",
               "video series", "hotline", "screening tool", "guidance", "book"],
    "audience": ["clinicians", "nurses", "social workers", "public health", "students", "educators",
                 "administrators", "policymakers", "all health professionals", "anyone"],
    "topics": ["identification", "trauma-informed care", "public health framework",
               "policy and law", "training design", "help now"],
    "verification": ["verified", "partly verified", "unconfirmed"],
    "toolkit": ["yes", "unconfirmed"],
    "group": ["toolkit", "help-now", "key-resource"],
}
MULTI = {"audience", "topics"}  # comma-separated lists
REQUIRED = ["title", "format", "audience", "topics", "verification", "annotation"]
VERIFICATION_TEXT = {
    "verified": "Verified: title, source, date and address checked against the resource itself.",
    "partly verified": "Partly verified: the resource was found, but some details are unconfirmed (see the note).",
    "unconfirmed": "Unconfirmed: the exact resource could not be identified; what is known is shown, and it is not cited as a source.",
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def label_for(key: str) -> str:
    return "catalogue-" + slug(key)


def values(entry, field: str) -> list[str]:
    raw = entry.fields.get(field, "")
    return [v.strip() for v in raw.split(",")] if field in MULTI else [raw.strip()]


def group_of(entry) -> str | None:
    if "group" in entry.fields:
        return entry.fields["group"].strip()
    return "toolkit" if "toolkit" in entry.fields else None


def load_catalogue(app) -> dict:
    """Key -> pybtex entry for every catalogue entry, after checking the schema."""
    entries, problems = {}, []
    # sphinxcontrib-bibtex has parsed the files already (and keeps them while they are unchanged).
    bibdata = app.env.get_domain("cite").bibdata
    for bibfile in app.config.bibtex_bibfiles:
        parsed = bibdata.bibfiles.get((Path(app.confdir) / bibfile).resolve())
        if parsed is not None:
            data_entries = {key: bibdata.data.entries[key] for key in parsed.keys}
        else:
            data_entries = parse_file(str(Path(app.srcdir, bibfile))).entries
        for key, entry in data_entries.items():
            group = group_of(entry)
            if group is None:
                continue
            entries[key] = entry
            problems.extend(check_entry(key, entry))
    if problems:
        raise ExtensionError("catalogue entries in references.bib fail the schema:\n  "
                             + "\n  ".join(problems))
    return entries


def check_entry(key: str, entry) -> list[str]:
    problems = []
    fields = {f.lower() for f in entry.fields}
    identified = entry.fields.get("verification") != "unconfirmed"
    if identified and not (entry.persons.get("author") or entry.persons.get("editor") or "author" in fields):
        problems.append(f"{key}: missing field 'author' (a person or an organization in double braces)")
    for field in REQUIRED:
        if not entry.fields.get(field, "").strip():
            problems.append(f"{key}: missing field '{field}'")
    for field, allowed in ALLOWED.items():
        if field in entry.fields:
            for value in values(entry, field):
                if value not in allowed:
                    problems.append(f"{key}: field '{field}' has '{value}', allowed: {', '.join(allowed)}")
    if "url" in fields and "urldate" not in fields:
        problems.append(f"{key}: has 'url' but no 'urldate' (the date the link was last checked)")
    if group_of(entry) == "toolkit" and "toolkit" not in fields:
        problems.append(f"{key}: toolkit entries need 'toolkit' (yes or unconfirmed)")
    return problems


def people(entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    if persons:
        names = [" ".join(p.first_names + p.middle_names + p.prelast_names + p.last_names) for p in persons]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return entry.fields.get("author", "").strip("{}") or "Producer not confirmed"


def contact_text(app, contact: str) -> str:
    """A catalogue contact line; ``facts:hotline`` takes the hotline's details from data/facts.yaml."""
    if contact.strip() != "facts:hotline":
        return plain(contact)
    facts = app.config.myst_substitutions
    entry = getattr(app, "handbook_register", {}).get("hotline-contact")
    as_of = f" (as of {entry['checked']:%B %Y})" if entry else ""
    return (f"Call {facts['hotline_phone']}; text {facts['hotline_text']}; TTY {facts['hotline_tty']}; "
            f"live chat at {facts['hotline_chat']}. Answered {facts['hotline_hours']}{as_of}.")


def plain(text: str) -> str:
    return text.replace("{", "").replace("}", "").replace("\\&", "&").replace("--", "\u2013")


class catalogue_cited_in(nodes.Inline, nodes.TextElement):
    """Placeholder filled with links to the chapters citing ``key`` once all are read."""


class ToolkitCatalogue(SphinxDirective):
    option_spec = {"group": lambda arg: directives.choice(arg, ALLOWED["group"])}

    def run(self) -> list[nodes.Node]:
        group = self.options.get("group", "toolkit")
        entries = self.env.app.handbook_catalogue
        chosen = sorted((k for k, e in entries.items() if group_of(e) == group),
                        key=lambda k: plain(entries[k].fields["title"]).strip("[").lower())
        self.env.note_dependency(str(Path(self.env.srcdir, self.config.bibtex_bibfiles[0])))
        for register in sorted(Path(self.env.srcdir, "data", "register").glob("*.yaml")):
            self.env.note_dependency(str(register))  # the hotline's "as of" date
        result = []
        for key in chosen:
            target = nodes.target("", "", ids=[label_for(key)], names=[label_for(key)])
            self.state.document.note_explicit_target(target)
            result.append(target)
            result.append(self.render(key, entries[key]))
        if not chosen:
            result.append(nodes.paragraph(text="No entries in this group yet."))
        return result

    def render(self, key: str, entry) -> nodes.container:
        f = entry.fields
        classes = ["catalogue-entry", "format-" + slug(f["format"])]
        classes += ["topic-" + slug(v) for v in values(entry, "topics")]
        classes += ["audience-" + slug(v) for v in values(entry, "audience")]
        box = nodes.container(classes=classes)
        # An optional cataloguetitle names a resource better than its page title ("What We Do").
        title = plain(f.get("cataloguetitle") or f["title"])
        heading = nodes.rubric(classes=["catalogue-title"])
        if f.get("url"):
            heading += nodes.reference(title, title, refuri=f["url"])
        else:
            heading += nodes.Text(title)
        box += heading

        who = [plain(people(entry))]
        undated = "undated web page" if entry.type.lower() in {"online", "misc"} else "date not confirmed"
        year = f.get("year", "")
        who.append(undated if not year or year.startswith("n.d.") else year)  # ("n.d.-a": handbook_bibstyle)
        if f.get("cataloguetitle"):
            who.append(f"Page: {plain(f['title'])}")
        where = f.get("journal") or f.get("institution") or f.get("organization") or f.get("publisher") or f.get("howpublished")
        if where and plain(where) != who[0]:
            who.append(plain(where))
        box += nodes.paragraph(text=". ".join(plain(w) for w in who if w) + ".", classes=["catalogue-byline"])
        box += nodes.paragraph(text=plain(f["annotation"]), classes=["catalogue-annotation"])

        rows = [("Contact", contact_text(self.env.app, f["contact"]))] if f.get("contact") else []
        rows += [("Format", f["format"]), ("For", ", ".join(values(entry, "audience"))),
                ("Topics", ", ".join(values(entry, "topics")))]
        if f.get("length"):
            rows.append(("Length", plain(f["length"])))
        if "toolkit" in f:
            rows.append(("In the toolkit", "listed" if f["toolkit"] == "yes"
                         else "probably; the toolkit page could not be read in full to confirm"))
        rows.append(("Verification", VERIFICATION_TEXT[f["verification"]]))
        if f.get("url"):
            rows.append(("Link last checked", f.get("urldate", "")))
        if f.get("note"):
            rows.append(("Note", plain(f["note"])))
        fields = nodes.field_list(classes=["catalogue-fields"])
        for name, value in rows:
            fields += nodes.field("", nodes.field_name(text=name), nodes.field_body("", nodes.paragraph(text=value)))
        cited = catalogue_cited_in(key=key)
        fields += nodes.field("", nodes.field_name(text="Cited in"), nodes.field_body("", nodes.paragraph("", "", cited)))
        box += fields
        return box


class FillCatalogue(SphinxPostTransform):
    """Before references resolve: list citing chapters; link reference entries to the catalogue."""

    default_priority = 7  # after sphinxcontrib-bibtex fills the lists (5), before resolving (10)

    def run(self, **kwargs) -> None:
        domain = self.env.get_domain("cite")
        catalogue = self.app.handbook_catalogue
        for node in list(self.document.findall(catalogue_cited_in)):
            docs = sorted({ref.docname for ref in domain.citation_refs
                           if any(t.key == node["key"] for t in ref.targets)
                           and ref.docname.startswith("chapters/")})
            replacement = nodes.inline()
            if not docs:
                unconfirmed = catalogue[node["key"]].fields.get("verification") == "unconfirmed"
                replacement += nodes.Text("not cited: its details are unconfirmed" if unconfirmed
                                          else "no chapter yet")
            for i, doc in enumerate(docs):
                if i:
                    replacement += nodes.Text("; ")
                xref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget="/" + doc,
                                             refexplicit=False, refdoc=self.env.docname, refwarn=True)
                xref += nodes.inline(text=doc)
                replacement += xref
            node.replace_self(replacement)
        by_id = {c.citation_id: c.key for c in domain.citations}
        for citation in self.document.findall(nodes.citation):
            key = next((by_id[i] for i in citation["ids"] if i in by_id), None)
            if key not in catalogue or not citation.children:
                continue
            if label_for(key) not in self.env.get_domain("std").anonlabels:
                continue  # this project has no catalogue page listing the entry
            para = citation.children[-1]
            if not isinstance(para, nodes.paragraph):
                continue
            xref = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=label_for(key),
                                         refexplicit=True, refdoc=self.env.docname, refwarn=True)
            xref += nodes.inline(text="Catalogue entry")
            para += [nodes.Text(" "), xref, nodes.Text(".")]


def load(app) -> None:
    app.handbook_catalogue = load_catalogue(app)


def add_filter_script(app, pagename, templatename, context, doctree) -> None:
    if app.builder.name != "html" or doctree is None:
        return
    if not any("catalogue-entry" in n["classes"] for n in doctree.findall(nodes.container)):
        return
    labels = {f"{prefix}-{slug(v)}": v for prefix, field in
              (("topic", "topics"), ("audience", "audience"), ("format", "format"))
              for v in ALLOWED[field]}
    app.add_js_file(None, body="window.catalogueLabels = " + json.dumps(labels) + ";")
    app.add_js_file("catalogue-filter.js")


def setup(app):
    app.add_node(catalogue_cited_in)
    app.add_directive("toolkit-catalogue", ToolkitCatalogue)
    app.add_post_transform(FillCatalogue)
    app.connect("builder-inited", load)
    app.connect("html-page-context", add_filter_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

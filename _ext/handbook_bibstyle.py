"""Author-year citations and reference lists that look the same in HTML, PDF and ePub.

* In the text: ``{cite:p}`Key``` gives "(Lederer and Wetzel 2014)", ``{cite:t}`Key``` gives
  "Lederer and Wetzel (2014)" (Chicago author-date, round brackets, no comma).
* In a reference list: entries start with the same names and year ("Lederer, Laura J., and
  Christopher A. Wetzel. 2014. ...") and are shown as a plain list, never with "[1]" or
  "[LW14]" labels. A plain list also keeps each chapter's references in place in the PDF:
  Sphinx's LaTeX writer would otherwise move every citation node into one list at the end
  (and leave an empty "References" chapter behind).
* pybtex has no templates for the biblatex types @report and @online; they are defined here.
* Two works whose in-text citations would read the same (same names as the citation shows them,
  same year, as with two 2025 pages by one agency or two undated pages by one organization) get
  letters after the year, in the order of their titles: "(United States Code 2026a)",
  "(United States Code 2026b)"; undated ones "n.d.-a", "n.d.-b" (Chicago author-date). The
  letters are given when references.bib is read, from the whole file, so the citation, the
  reference list and every format agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pybtex.plugin import register_plugin as register_pybtex_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.formatting.unsrt import pages
from pybtex.style.template import (
    field as bibfield,
    first_of,
    href,
    join,
    names,
    optional,
    optional_field,
    sentence,
    tag,
    words,
)
from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinxcontrib.bibtex import bibfile as bibtex_bibfile
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle


def _round() -> BracketStyle:
    return BracketStyle(left="(", right=")")


@dataclass
class HandbookReferenceStyle(AuthorYearReferenceStyle):
    """(Author Year); Author (Year); several works separated by semicolons."""

    bracket_textual: BracketStyle = field(default_factory=_round)
    bracket_parenthetical: BracketStyle = field(default_factory=_round)
    bracket_author: BracketStyle = field(default_factory=_round)
    bracket_label: BracketStyle = field(default_factory=_round)
    bracket_year: BracketStyle = field(default_factory=_round)
    person: PersonStyle = field(default_factory=lambda: PersonStyle(style="last"))
    author_year_sep: str = " "


class KeyLabelStyle(BaseLabelStyle):
    """Label each entry with its own key: labels are never shown (see AuthorDateReferenceList),
    but sphinxcontrib-bibtex needs them unique across all reference lists."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield entry.key


class HandbookStyle(UnsrtStyle):
    """Chicago-like author-date entries: Names. Year. Title. Container. Link."""

    default_name_style = "lastfirst"
    default_label_style = "handbook_key"
    default_sorting_style = "author_year_title"

    # Shared pieces --------------------------------------------------------------------------

    def names_and_year(self, e):
        editors = ", eds." if len(e.persons.get("editor", [])) > 1 else ", ed."
        who = first_of[
            optional[names("author", sep=", ", sep2=", and ", last_sep=", and ")],
            optional[join[names("editor", sep=", ", sep2=", and ", last_sep=", and "), editors]],
        ]
        # sentence[] adds a period unless the names already end with one ("Burr, V.");
        # "n.d" comes without its dot because the entry template adds the final ".".
        return join(sep=" ")[sentence[who], first_of[optional_field("year"), "n.d"]]

    def link(self):
        return optional[
            join[
                href[bibfield("url", raw=True), bibfield("url", raw=True)],
                optional[" (accessed ", bibfield("urldate"), ")"],
            ]
        ]

    def quoted_title(self):
        return join["\u201c", bibfield("title"), ".\u201d"]

    def doi(self):
        return optional[join["doi:", href[join["https://doi.org/", bibfield("doi", raw=True)],
                                           bibfield("doi", raw=True)]]]

    def entry(self, e, *parts):
        return join(sep=" ")[join[self.names_and_year(e), "."], *parts]

    # Templates per entry type -------------------------------------------------------------

    def get_article_template(self, e):
        # Journal 23 (1): 61-91.
        source = join[
            tag("em")[bibfield("journal")],
            optional[" ", bibfield("volume")],
            optional[" (", bibfield("number"), ")"],
            optional[": ", pages],
        ]
        where = self.doi() if "doi" in e.fields else self.link()
        return self.entry(e, self.quoted_title(), sentence[source], sentence[where])

    def get_book_template(self, e):
        return self.entry(e, 
            sentence[tag("em")[bibfield("title")]],
            sentence[optional_field("address"), optional_field("publisher")],
            sentence[self.link()],
        )

    def get_incollection_template(self, e):
        return self.entry(e, 
            self.quoted_title(),
            sentence[words["In", tag("em")[bibfield("booktitle")]],
                     optional[words["edited by", names("editor", sep=", ", last_sep=", and ")]],
                     optional_field("pages")],
            sentence[optional_field("address"), optional_field("publisher")],
            sentence[self.link()],
        )

    def get_inproceedings_template(self, e):
        return self.entry(e, 
            self.quoted_title(),
            sentence[words["In", tag("em")[bibfield("booktitle")]], optional_field("pages")],
            sentence[optional_field("organization"), optional_field("publisher")],
            sentence[self.link()],
        )

    def get_report_template(self, e):
        return self.entry(e, 
            sentence[tag("em")[bibfield("title")]],
            sentence[optional_field("type"), optional_field("number")],
            sentence[first_of[optional_field("institution"), optional_field("publisher")],
                     optional_field("address")],
            sentence[self.link()],
        )

    get_techreport_template = get_report_template

    def get_online_template(self, e):
        return self.entry(e, 
            sentence[tag("em")[bibfield("title")]],
            sentence[first_of[optional_field("organization"), optional_field("publisher")]],
            sentence[optional_field("note")],
            sentence[self.link()],
        )

    def get_misc_template(self, e):
        return self.entry(e, 
            sentence[tag("em")[bibfield("title")]],
            sentence[optional_field("howpublished"),
                     first_of[optional_field("organization"), optional_field("publisher")]],
            sentence[optional_field("note")],
            sentence[self.link()],
        )


def cited_names(entry) -> tuple:
    """The names an in-text citation shows (HandbookReferenceStyle): each author's last name, or
    the first one and "et al." for three or more; the editors when there is no author; else the
    title."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    if not persons:
        return ("title", entry.fields.get("title", ""))
    last = tuple(" ".join(p.prelast_names + p.last_names) or " ".join(p.first_names) for p in persons)
    return last if len(last) < 3 else (last[0], "et al.")


def _plain(text: str) -> str:
    return "".join(ch for ch in text if ch not in "{}").casefold()


def disambiguate_years(entries) -> None:
    """Give letters to the years of works whose citations would otherwise read the same."""
    groups: dict[tuple, list] = {}
    for entry in entries.values():
        groups.setdefault((cited_names(entry), entry.fields.get("year")), []).append(entry)
    for (_, year), group in groups.items():
        if len(group) < 2:
            continue
        if len(group) > 26:
            raise ValueError(f"references.bib: more than 26 works would be cited as {group[0].key} is; "
                             "give them distinct years or authors, or split the group")
        group.sort(key=lambda e: (_plain(e.fields.get("title", "")), e.key))
        for letter, entry in zip("abcdefghijklmnopqrstuvwxyz", group):
            entry.fields["year"] = f"{year}{letter}" if year else f"n.d.-{letter}"


_original_parse_bibdata = bibtex_bibfile.parse_bibdata


def parse_bibdata(bibfilenames, encoding):
    bibdata = _original_parse_bibdata(bibfilenames, encoding)
    disambiguate_years(bibdata.data.entries)
    return bibdata


class AuthorDateReferenceList(SphinxPostTransform):
    """Turn each resolved citation list into a plain list of author-date entries.

    Runs after sphinxcontrib-bibtex has filled in the entries (priority 5) and citations were
    resolved (10), and before Sphinx's LaTeX writer would gather every citation node into one
    list at the end of the PDF (750). Each entry keeps its id, so in-text citations still link
    to it in every format; the "[label]" is dropped because the entry itself starts with the
    same author and year as the in-text citation.
    """

    default_priority = 20

    def run(self, **kwargs) -> None:
        parents = {id(c.parent): c.parent for c in self.document.findall(nodes.citation)}
        for parent in parents.values():
            new_children, current = [], None
            for child in parent.children:
                if isinstance(child, nodes.citation):
                    if current is None:
                        current = nodes.bullet_list(classes=["reference-list"])
                        new_children.append(current)
                    item = nodes.list_item(ids=child["ids"], classes=["reference"])
                    item.extend(c for c in child.children if not isinstance(c, nodes.label))
                    current += item
                else:
                    current = None
                    new_children.append(child)
            parent.children = []
            parent.extend(new_children)


class CitationsWithoutBackrefIds(SphinxPostTransform):
    """Drop the id sphinxcontrib-bibtex gives each in-text citation.

    The id is there for back-links from a reference entry to the places that cite it; the
    author-year lists above have none, so nothing links to it. On the largest chapter page the
    289 unused ids were 1 KB of its gzipped bytes. An id that something does link to is kept.
    """

    default_priority = 21  # after AuthorDateReferenceList

    def run(self, **kwargs) -> None:
        linked = set()
        for node in self.document.findall(nodes.Element):
            if node.get("refid"):
                linked.add(node["refid"])
            linked.update(node.get("backrefs", ()))
        for cite in self.document.findall(nodes.inline):
            if "bibtex-citation" in cite["classes"] and cite["ids"]:
                cite["ids"] = [i for i in cite["ids"] if i in linked]


class PlainCitationsInLatexCaptions(SphinxPostTransform):
    """In the PDF, print citations inside captions and titles as plain text.

    A hyperlink inside ``\\caption{...}`` breaks hyperref ("Argument of \\Hy@tempa has an
    extra }"). The citation text is kept; only the link is dropped, and the chapter's reference
    list is a few pages away.
    """

    default_priority = 30  # after references are resolved
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        captions = [n for n in self.document.findall(nodes.Element)
                    if isinstance(n, (nodes.caption, nodes.title))]
        for caption in captions:
            for cite in list(caption.findall(nodes.inline)):
                if "bibtex-citation" in cite["classes"]:
                    # pybtex-docutils writes the LaTeX link as raw nodes; keep only the words.
                    words = "".join(t.astext() for t in cite.findall(nodes.Text)
                                    if not isinstance(t.parent, nodes.raw))
                    cite.replace_self(nodes.inline(words, words, classes=["bibtex-citation"]))


def setup(app):
    # sphinxcontrib-bibtex reads the .bib files through this module-level function.
    bibtex_bibfile.parse_bibdata = parse_bibdata
    register_pybtex_plugin("pybtex.style.labels", "handbook_key", KeyLabelStyle)
    register_pybtex_plugin("pybtex.style.formatting", "handbook", HandbookStyle)
    register_bibtex_plugin(
        "sphinxcontrib.bibtex.style.referencing", "handbook_author_year", HandbookReferenceStyle
    )
    app.add_post_transform(AuthorDateReferenceList)
    app.add_post_transform(CitationsWithoutBackrefIds)
    app.add_post_transform(PlainCitationsInLatexCaptions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

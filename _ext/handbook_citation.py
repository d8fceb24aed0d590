"""Chapters a reference manager can cite: one metadata source, every citation form.

The book's metadata (authors, title, edition, publisher, licence) comes from CITATION.cff; a
chapter's from its front matter (title, last-reviewed, keywords, description). From those alone
this extension makes, for every chapter (a page with ``last-reviewed``):

* a "Cite this chapter" section at its end with APA 7 and Chicago author-date forms and a
  BibTeX entry, and (on the website) links to the chapter's ``.bib`` and ``.ris`` files;
* those files, written to ``cite/<chapter>.bib`` and ``cite/<chapter>.ris`` in the website;
* ``citation_*`` (Highwire Press) and Dublin Core meta tags, which Zotero and Google Scholar read.

The chapter's address comes from ``handbook_url`` (HANDBOOK_URL, or the hosting service's
canonical URL); without one, every form is still complete, just without an address. Corporate
authors stay whole: BibTeX wraps them in double braces, RIS writes them as one name.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

# libyaml's parser when PyYAML has it (the wheels do): the same data, several times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FOLDER = "cite"  # in the website: cite/<chapter>.bib and cite/<chapter>.ris


@dataclass(frozen=True)
class ChapterCitation:
    stem: str            # identification
    docname: str         # chapters/identification
    title: str           # the chapter's title
    reviewed: date       # last-reviewed
    authors: tuple[str, ...]
    book: str
    edition: str
    released: date
    publisher: str
    url: str             # the chapter's public URL, or ""
    pdf_url: str         # the chapter's PDF, or ""
    keywords: str
    language: str = "en"

    @property
    def key(self) -> str:
        return "HTHandbook" + self.stem.title().replace("-", "") + str(self.reviewed.year)

    def apa(self) -> str:
        where = f" {self.url}" if self.url else ""
        return (f"{self.author_text()}. ({self.reviewed.year}). {self.title}. In *{self.book}* "
                f"(Edition {self.edition}; last reviewed {long_date(self.reviewed)}). {self.publisher_if_not_author()}"
                f"{where}").replace(". . ", ". ").rstrip()

    def chicago(self) -> str:
        where = f" {self.url}." if self.url else ""
        return (f"{self.author_text()}. {self.reviewed.year}. \u201c{self.title}.\u201d In *{self.book}*, "
                f"edition {self.edition}. {self.publisher_if_not_author()}Last reviewed "
                f"{long_date(self.reviewed)}.{where}")

    def author_text(self) -> str:
        return ", ".join(self.authors)

    def publisher_if_not_author(self) -> str:
        # APA and Chicago leave out a publisher that is also the author.
        return "" if self.publisher in self.authors else f"{self.publisher}. "

    def bibtex(self) -> str:
        fields = [("author", " and ".join("{" + a + "}" for a in self.authors)), ("title", self.title),
                  ("booktitle", self.book), ("edition", self.edition), ("publisher", self.publisher),
                  ("year", str(self.reviewed.year)), ("month", self.reviewed.strftime("%b").lower()),
                  ("note", f"Last reviewed {self.reviewed.isoformat()}"), ("language", "english")]
        if self.url:
            fields += [("url", self.url), ("urldate", self.reviewed.isoformat())]
        body = ",\n".join(f"  {name:<9} = {{{value}}}" for name, value in fields)
        return f"@incollection{{{self.key},\n{body}\n}}\n"

    def ris(self) -> str:
        lines = [("TY", "CHAP")] + [("AU", a) for a in self.authors] + [
            ("TI", self.title), ("T2", self.book), ("ET", self.edition), ("PB", self.publisher),
            ("PY", str(self.reviewed.year)), ("DA", self.reviewed.strftime("%Y/%m/%d")),
            ("N1", f"Last reviewed {self.reviewed.isoformat()}"), ("LA", "en")]
        lines += [("KW", k.strip()) for k in self.keywords.split(",") if k.strip()]
        if self.url:
            lines.append(("UR", self.url))
        if self.pdf_url:
            lines.append(("L1", self.pdf_url))
        lines.append(("ER", ""))
        return "\r\n".join(f"{tag}  - {value}".rstrip() if tag == "ER" else f"{tag}  - {value}"
                           for tag, value in lines) + "\r\n"

    def meta_tags(self) -> list[tuple[str, str]]:
        tags = [("citation_title", self.title)] + [("citation_author", a) for a in self.authors] + [
            ("citation_inbook_title", self.book), ("citation_book_title", self.book),
            ("citation_publisher", self.publisher), ("citation_date", self.reviewed.strftime("%Y/%m/%d")),
            ("citation_publication_date", self.reviewed.strftime("%Y/%m/%d")),
            ("citation_online_date", self.reviewed.strftime("%Y/%m/%d")),
            ("citation_edition", self.edition), ("citation_language", self.language),
            ("citation_keywords", self.keywords)]
        if self.pdf_url:
            tags.append(("citation_pdf_url", self.pdf_url))
        if self.url:
            tags += [("citation_public_url", self.url), ("citation_abstract_html_url", self.url)]
        tags += [("DC.title", self.title)] + [("DC.creator", a) for a in self.authors] + [
            ("DC.relation.ispartof", self.book), ("DC.publisher", self.publisher),
            ("DC.date", self.reviewed.isoformat()), ("DC.type", "Text"), ("DC.format", "text/html"),
            ("DC.language", self.language), ("DC.rights", "CC BY 4.0"),
            ("DC.hasVersion", f"Edition {self.edition}")]
        if self.url:
            tags.append(("DC.identifier", self.url))
        return tags


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def book_metadata(srcdir: Path) -> dict:
    """The book's citation metadata from CITATION.cff (found at the book's root)."""
    for folder in (srcdir, *srcdir.parents):
        if (folder / "CITATION.cff").exists():
            return yaml.load((folder / "CITATION.cff").read_text(encoding="utf-8"), Loader=YAML_LOADER)
    raise FileNotFoundError("CITATION.cff not found beside the book's source")


def chapter_citation(app, docname: str) -> ChapterCitation | None:
    meta = app.env.metadata.get(docname, {})
    if "last-reviewed" not in meta or docname not in app.env.titles:
        return None
    try:
        reviewed = date.fromisoformat(str(meta["last-reviewed"]))
    except ValueError:
        return None  # handbook_chapter reports the malformed date
    cff = book_metadata(Path(app.srcdir))
    preferred = cff.get("preferred-citation", {})
    authors = tuple(a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}".strip(", ")
                    for a in preferred.get("authors", cff["authors"]))
    publisher = (preferred.get("publisher") or {}).get("name", authors[0])
    base = app.config.handbook_url.rstrip("/")
    stem = docname.split("/")[-1]
    return ChapterCitation(
        stem=stem, docname=docname, title=app.env.titles[docname].astext(), reviewed=reviewed,
        authors=authors, book=preferred.get("title", cff["title"]), edition=str(cff["version"]),
        released=date.fromisoformat(str(cff["date-released"])), publisher=publisher,
        url=f"{base}/{docname}.html" if base else "",
        pdf_url=f"{base}/editions/chapters/{stem}.pdf" if base and docname.startswith("chapters/") else "",
        keywords=str(meta.get("keywords", "")))


class cite_downloads(nodes.General, nodes.Element):
    """Links to the chapter's .bib and .ris files: on the website only."""


class CiteThisChapter(SphinxTransform):
    """Append "Cite this chapter" to every page with a last-reviewed date."""

    default_priority = 881  # after handbook_chapter's ChapterFrame (880)

    def apply(self, **kwargs) -> None:
        docname = self.env.docname
        meta = self.env.metadata.get(docname, {})
        top = next(self.document.findall(nodes.section), None)
        if "last-reviewed" not in meta or top is None:
            return
        try:
            reviewed = date.fromisoformat(str(meta["last-reviewed"]))
        except ValueError:
            return
        # The title is known while reading; env.titles is filled after this transform.
        self.env.titles.setdefault(docname, nodes.title(text=top[0].astext()))
        cite = chapter_citation(self.app, docname)
        if cite is None:
            return
        assert cite.reviewed == reviewed
        section = nodes.section(ids=[f"{docname.replace('/', '-')}-cite"], names=["cite this chapter"])
        section += nodes.title(text="Cite this chapter")
        for style, text in (("APA 7", cite.apa()), ("Chicago author-date", cite.chicago())):
            para = nodes.paragraph(classes=["cite-this-chapter", "cite-" + style.split()[0].lower()])
            para += nodes.strong(text=f"{style}: ")
            para.extend(styled(text))
            section += para
        downloads = cite_downloads()
        para = nodes.paragraph(classes=["cite-downloads"])
        para += nodes.strong(text="For a reference manager: ")
        stem = docname.split("/")[-1]
        depth = "../" * docname.count("/")
        para += nodes.reference("", f"{stem}.bib (BibTeX)", refuri=f"{depth}{FOLDER}/{stem}.bib")
        para += nodes.Text(", ")
        para += nodes.reference("", f"{stem}.ris (RIS: Zotero, EndNote, Mendeley)", refuri=f"{depth}{FOLDER}/{stem}.ris")
        para += nodes.Text(".")
        downloads += para
        section += downloads
        section += nodes.paragraph(text="BibTeX:", classes=["cite-bibtex-label"])
        bibtex = cite.bibtex().rstrip()
        section += nodes.literal_block(bibtex, bibtex, language="bibtex", classes=["cite-bibtex"])
        top += section


def styled(text: str) -> list[nodes.Node]:
    """Text with *italic* spans (the book title) as emphasis nodes."""
    parts = text.split("*")
    return [nodes.emphasis(text=p) if i % 2 else nodes.Text(p) for i, p in enumerate(parts) if p]


class DropDownloads(SphinxPostTransform):
    """The .bib and .ris files exist on the website only; print and e-book show the BibTeX."""

    default_priority = 5

    def run(self, **kwargs) -> None:
        website = self.app.builder.format == "html" and self.app.builder.name not in {"epub", "epub3"}
        for node in list(self.document.findall(cite_downloads)):
            if website:
                node.replace_self(node.children)
            else:
                node.parent.remove(node)


def add_meta_tags(app, pagename, templatename, context, doctree):
    cite = chapter_citation(app, pagename)
    if cite is None:
        return
    tags = "\n".join(f'<meta name="{name}" content="{html.escape(value, quote=True)}" />'
                     for name, value in cite.meta_tags())
    context["metatags"] = context.get("metatags", "") + tags + "\n"


def write_files(app, exception) -> None:
    if exception is not None or app.builder.name not in {"html", "dirhtml"}:
        return
    folder = Path(app.outdir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for docname in sorted(app.env.found_docs):
        cite = chapter_citation(app, docname)
        if cite is None:
            continue
        (folder / f"{cite.stem}.bib").write_text(cite.bibtex(), encoding="utf-8")
        (folder / f"{cite.stem}.ris").write_bytes(cite.ris().encode("utf-8"))


def setup(app):
    app.add_node(cite_downloads)
    app.add_transform(CiteThisChapter)
    app.add_post_transform(DropDownloads)
    app.connect("html-page-context", add_meta_tags)
    app.connect("build-finished", write_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Sphinx configuration for *Healthcare and Human Trafficking: A Handbook for Health Professionals*.

One MyST source builds three editions: the website (furo), the PDF (LaTeX via xelatex) and the
ePub. The local extensions in _ext/ make the three agree (see each module's docstring).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE / "tools"))

from book_metadata import description_and_keywords  # noqa: E402
from editions import BASENAME  # noqa: E402

# libyaml's parser when PyYAML has it (the wheels do): the same data, several times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# -- Project ------------------------------------------------------------------------------------

project = "Healthcare and Human Trafficking"
subtitle = "A Handbook for Health Professionals"
author = "The Healthcare and Human Trafficking Handbook contributors"
copyright = "2026, " + author + ". Text CC BY 4.0; code MIT"
# The edition (the month of the last full review) and its date come from CITATION.cff, and the
# facts that recur (the hotline's operator, numbers and hours) from data/facts.yaml: each is
# defined once, and every page, the PDF title page and the citation files take it from here.
_citation = yaml.load((HERE / "CITATION.cff").read_text(encoding="utf-8"), Loader=YAML_LOADER)
release = version = str(_citation["version"])
edition_date = date.fromisoformat(str(_citation["date-released"]))
_facts = yaml.load((HERE / "data" / "facts.yaml").read_text(encoding="utf-8"), Loader=YAML_LOADER)
FACTS = {k: str(v) for k, v in _facts.items()}
FACTS.update(edition=release, edition_date=edition_date.isoformat(),
             edition_month=edition_date.strftime("%B %Y"))
# Where the website is published (never fetched), for "Cite this chapter", the citation files,
# canonical links, link previews and the sitemap: Read the Docs gives it to the build as
# READTHEDOCS_CANONICAL_URL; elsewhere set HANDBOOK_URL. No address is published yet, so without
# either the pages carry no canonical URL, citations no link, and there is no sitemap.
handbook_url = os.environ.get("READTHEDOCS_CANONICAL_URL") or os.environ.get("HANDBOOK_URL", "")
handbook_url = handbook_url.rstrip("/") + "/" if handbook_url else ""
description, keywords = description_and_keywords(HERE)
language = "en"

# -- Sources ------------------------------------------------------------------------------------

root_doc = "index"
source_suffix = {".md": "markdown"}
# The book is exactly these files; everything else in the repository (README, tests, caches)
# is not a page of the book.
include_patterns = ["index.md", "chapters/**", "back/**", "teaching/**", "handouts/**", "editors/**"]
# Folders that are never pages: pruned, so Sphinx does not walk them looking for sources.
exclude_patterns = ["_build", ".venv", ".git", ".nox", "node_modules", "tests", "tools", "research"]
templates_path = ["_templates"]
# Internal references that must resolve (nitpicky builds fail on any that do not).
nitpicky = True
# Number figures and tables per chapter ("Table 5.2"), so text, print and e-book agree.
numfig = True
numfig_secnum_depth = 1

# -- Extensions ---------------------------------------------------------------------------------

extensions = [
    "handbook_gc",  # first: the garbage collector tuned before the rest loads (see its docstring)
    "myst_parser",
    "sphinx_design",
    "sphinxcontrib.bibtex",
    "sphinxcontrib.rsvgconverter",  # SVG figures -> PDF for LaTeX (rsvg-convert)
    "handbook_bibstyle",  # author-year reference list and citations, same in all formats
    "handbook_bibspeed",  # bibliography formatted once, and only what changed
    "handbook_shared_env",  # one environment for all editions; each writes what changed
    "handbook_numbering",  # figure numbers recomputed only when something numbered changed
    "handbook_numref",  # a {numref} target's page loaded from disk once, not once per use
    "handbook_genindex",  # the general index rendered again only when a page was read
    "handbook_tocparents",  # the home page written again only when a chapter's entry changed
    "handbook_navtree",  # the sidebar's page list without copying every heading for every page
    "handbook_templatecache",  # page templates compiled once, kept beside the environment
    "handbook_portable",  # tabs, dropdowns, cards shown in full in PDF and ePub
    "handbook_ownpages",  # on the website, each chapter's reference list is a page of its own
    "handbook_catalogue",  # toolkit catalogue generated from references.bib
    "handbook_chapter",  # meta description, last-reviewed date
    "handbook_citation",  # "Cite this chapter": APA, Chicago, BibTeX, .bib/.ris, citation_* tags
    "handbook_epub",  # ePub metadata fixes for epubcheck
    "handbook_html",  # accessibility fixes in the HTML Sphinx writes
    "handbook_register",  # register of time-sensitive facts; the {asof} role; editors' page
    "handbook_checks",  # "Check your understanding" from data/checks/*.yaml
    "handbook_handouts",  # one-page job aids (handouts/) and their links
    "handbook_competencies",  # HHS Core Competencies crosswalk and each chapter's competencies
    "handbook_houserules",  # raw HTML, stray role or fence syntax, alt text: fail the build
    "handbook_pageassets",  # each web page loads only the CSS and scripts it uses
    "handbook_search",  # search snippets from small per-page files, not whole pages
    "handbook_site",  # link previews use the front-matter description; no unpublished URL
    "sphinxext.opengraph",  # link previews (OpenGraph tags) with each chapter's description
    "notfound.extension",  # a 404 page whose links work at any depth
] + (["sphinx_sitemap"] if handbook_url else [])  # a sitemap needs the published address

# -- MyST ---------------------------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist", "attrs_inline", "attrs_block", "substitution"]
# {{ hotline_phone }}, {{ edition }} ... in the book's text (see data/facts.yaml).
myst_substitutions = FACTS
myst_heading_anchors = 3
# Front-matter keys that become page metadata (description, keywords, last-reviewed).
myst_title_to_header = False

# -- Citations ----------------------------------------------------------------------------------

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "handbook"  # registered by _ext/handbook_bibstyle.py
bibtex_reference_style = "handbook_author_year"
bibtex_cite_id = "cite-{bibliography_count}-{key}"
bibtex_bibliography_id = "bibliography-{bibliography_count}"
bibtex_footbibliography_id = "footbibliography-{footbibliography_count}"
# No tooltips: sphinxcontrib-bibtex would repeat the full reference in a title attribute on every
# in-text citation (a tenth of a chapter page's bytes), which keyboard and touch users cannot
# reach anyway; each citation links to the full entry in the chapter's reference list.
bibtex_tooltips = False
# Each chapter lists the works it cites and the back matter lists them all, so the same entry
# appearing in several reference lists is the design, not a mistake. In-text citations link to
# the list in their own chapter first. Only this one subtype is silenced.
suppress_warnings = ["bibtex.duplicate_citation"]

# -- HTML (furo) --------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"{project}: {subtitle}"
html_short_title = project
html_static_path = ["_static"]
html_css_files = ["handbook.css", "handbook-web.css"]  # the second is for the website only
html_last_updated_fmt = None  # chapters show their own last-reviewed date
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": True,
    "top_of_page_buttons": [],
}
# Relative to this folder: an absolute path would enter the build's configuration hash and make
# two builds of the same sources in different folders differ (.buildinfo).
html_favicon = "_static/favicon.svg"
html_baseurl = handbook_url  # <link rel="canonical"> and the sitemap's addresses
html_context = {"edition_basename": BASENAME, "facts": FACTS, "subtitle": subtitle}
# furo shows its announcement bar only when this is set; _templates/page.html fills it with the
# hotline (from FACTS) on every page.
html_theme_options["announcement"] = "hotline"
html_sidebars = {
    "**": [
        "sidebar/brand.html",
        "sidebar/search.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "editions.html",
        "sidebar/scroll-end.html",
    ]
}
# Search runs in the browser from a local index; nothing is loaded from another origin.
html_search_language = "en"
# Snippets under search results come from _snippets/*.json (_ext/handbook_search.py), not from
# downloading every matching page.
html_show_search_summary = False

# -- Website: parts of a chapter on a page of their own (_ext/handbook_ownpages.py) ------------
# A chapter's reference list is a quarter of its page's bytes and few readers open it, so on the
# website it is a page beside the chapter (chapters/<chapter>-references.html); the chapter keeps
# a "References" section that links to it, and every citation links to its entry there. The PDF
# and the ePub keep the list at the chapter's end. Keys: the section's anchor; "page", the new
# page's name after "<chapter>-" (default: the anchor); the words of the stub and its link; the
# new page's title (browser tab, search engines; its heading is the section's own) and its
# opening words, which end with a link back to the chapter.
handbook_own_pages = {
    "documents": ["chapters/*"],
    "sections": {
        "references": {
            "stub": "The works this chapter cites are listed, with links, on a page of their own:",
            "link": "References: {chapter}",
            "title": "References: {chapter}",
            "intro": "The works cited in the chapter",
        },
        # The knowledge check, for the same reason (a tenth of the page): readers come to it
        # when they have read the chapter, and instructors can link to it directly.
        "check-your-understanding": {
            "page": "check",  # chapters/<chapter>-check.html
            "stub": "Questions on this chapter, each with its answer and the section that teaches "
            "it, are on a page of their own:",
            "link": "Check your understanding: {chapter}",
            "title": "Check your understanding: {chapter}",
            "intro": "Questions on the chapter",
        },
    },
}

# -- Findable and shareable (sphinx-sitemap, sphinxext-opengraph, sphinx-notfound-page) ----------

sitemap_url_scheme = "{link}"  # the published address already names the language and version
sitemap_excludes = ["search.html", "genindex.html", "404.html"]  # not pages to find
ogp_site_url = handbook_url
ogp_site_name = html_title
ogp_social_cards = {"enable": False}  # no generated images (they would need matplotlib)
ogp_enable_meta_description = False  # chapters write their own (handbook_chapter)
notfound_urls_prefix = urlparse(handbook_url).path or "/"
notfound_context = {
    "title": "Page not found",
    "body": "<h1>Page not found</h1>\n<p>There is no page at this address; it may have moved in a "
    "new edition. Find it in the contents or with the search box, or start from the "
    '<a href="' + notfound_urls_prefix + 'index.html">home page</a>.</p>',
}

# -- LaTeX / PDF --------------------------------------------------------------------------------

latex_engine = "xelatex"
latex_documents = [
    (root_doc, f"{BASENAME}.tex", f"{project}: {subtitle}", author, "manual", False)
]
latex_toplevel_sectioning = "chapter"
latex_show_urls = "no"
latex_show_pagerefs = False
latex_domain_indices = False
# US Letter by default; `PAPER=a4 ./handbook pdf` (or -D latex_elements.papersize=a4paper) for A4.
_paper = "a4paper" if os.environ.get("PAPER", "").lower().startswith("a4") else "letterpaper"
latex_elements = {
    "papersize": _paper,
    "pointsize": "11pt",
    "fontpkg": r"""
\setmainfont{FreeSerif}
\setsansfont{FreeSans}
\setmonofont{FreeMono}[Scale=0.9]
""",
    "fncychap": r"\usepackage[Bjornstrup]{fncychap}",
    "printindex": "",
    "releasename": "Edition",
    # Sphinx names the contents page after the first toctree caption ("Chapters"); the PDF's
    # contents also list the back matter, so call it what it is.
    "tableofcontents": r"\renewcommand{\contentsname}{Contents}\sphinxtableofcontents",
    "maketitle": r"""
\begin{titlepage}
  \centering
  \vspace*{0.18\textheight}
  {\sffamily\bfseries\Huge Healthcare and Human Trafficking\par}
  \vspace{1em}
  {\sffamily\LARGE A Handbook for Health Professionals\par}
  \vspace{3em}
  {\large \textit{The Healthcare and Human Trafficking Handbook contributors}\par}
  \vfill
  {\large Edition """ + release + r""" \quad(reviewed """ + FACTS["edition_month"] + r""")\par}
  \vspace{1em}
  {\small Text: CC BY 4.0. Code: MIT. Education, not legal or medical advice.\par}
  {\small Help now (United States): """ + FACTS["hotline_name"] + r""", call """ + FACTS["hotline_phone"]
    + r""" or text """ + FACTS["hotline_text"] + r""" (details as of """ + FACTS["edition_month"] + r""").\par}
\end{titlepage}
""",
    "preamble": r"""
\usepackage{xurl}
\setcounter{tocdepth}{1}
% Document properties: what a PDF reader shows under File > Properties; the language tells
% assistive technology which voice to use.
\hypersetup{pdftitle={""" + html_title + r"""}, pdfauthor={""" + author + r"""},
  pdfsubject={""" + description + r"""}, pdfkeywords={""" + ", ".join(keywords) + r"""},
  pdflang=en-US}
""",
    "sphinxsetup": "TitleColor={rgb}{0.10,0.20,0.35}, InnerLinkColor={rgb}{0.05,0.25,0.50}, "
    "OuterLinkColor={rgb}{0.05,0.25,0.50}",
}

# -- ePub ---------------------------------------------------------------------------------------

epub_basename = BASENAME
epub_title = f"{project}: {subtitle}"
epub_author = author
epub_publisher = author
epub_copyright = copyright
epub_identifier = "urn:uuid:6f1d7c1e-2c1b-4f5e-9a55-8f0e2b3d4c61"
epub_scheme = "UUID"
epub_uid = "handbook"
epub_tocdepth = 2
epub_tocdup = False
epub_show_urls = "no"
# The editors' pages (editors/) are for the people who keep the book current, not its readers:
# on the website only (they are in no table of contents, so the PDF never has them).
epub_exclude_files = ["search.html", "genindex.html", "editors/register.xhtml"] + [
    f"handouts/{p.stem}.xhtml" for p in sorted((HERE / "handouts").glob("*.md"))]  # printed job aids
epub_use_index = False
epub_css_files = ["handbook.css"]  # not the hotline bar, header or print rules
epub_description = description
epub_contributor = author
epub_subjects = keywords
# schema.org accessibility metadata for reading systems and bookshops (written by handbook_epub).
epub_accessibility = {
    "accessMode": ["textual", "visual"],
    "accessModeSufficient": ["textual"],
    "accessibilityFeature": ["structuralNavigation", "tableOfContents", "alternativeText",
                             "readingOrder", "displayTransformability"],
    "accessibilityHazard": ["none"],
    "accessibilitySummary": "Text with headings in reading order and a navigable table of "
    "contents. Every figure has a text description, and what it shows is also said in the text; "
    "tables have header rows. Nothing flashes, plays sound or moves. Each edition is checked "
    "with epubcheck and Ace by DAISY.",
}

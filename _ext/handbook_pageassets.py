"""Each web page loads only the style sheets and scripts it uses, and none blocks it needlessly.

Sphinx and its extensions add their assets to every page. On this book's pages that meant two
render-blocking style sheets most pages do not use at all: sphinx-design's (tabs, cards, grids,
dropdowns) and pygments' (colours for code). This extension, on the website only:

* keeps sphinx-design's style sheet on pages whose HTML has a sphinx-design component
  (``class="sd-...``), and its tab script on pages that have tabs;
* keeps furo's style sheet for other extensions (``furo-extensions.css``: sphinx-design colours
  and shadows, tabs, copy buttons, the Read the Docs version menu) only where one of those is
  on the page: on a chapter, its only rules that matched were declarations of sphinx-design's
  colour variables, which nothing there reads;
* keeps pygments' style sheet only on pages with highlighted code (``class="highlight``), and
  there loads it when the code comes near the screen (the only code on a chapter is the "Cite
  this chapter" BibTeX at its end); without JavaScript a ``<noscript>`` link loads it at once;
* loads Sphinx's search-term highlighter (``sphinx_highlight.js``) on other pages only when the
  reader arrives from a search, which is the only time it has anything to do; the search page
  keeps it, since the search script uses it.

Whatever the page does not contain it cannot use, so nothing looks different.
"""

from __future__ import annotations

import re

DESIGN_CSS = "sphinx-design.min.css"
DESIGN_TABS_JS = "design-tabs.js"
PYGMENTS_CSS = "pygments.css"
FURO_EXTENSIONS_CSS = "furo-extensions.css"
# What furo-extensions.css styles: sphinx-design, sphinx-inline-tabs, sphinx-tabs, sphinx-copybutton,
# the Read the Docs flyout, sphinx-panels/bootstrap cards, docutils "shadow" boxes.
FURO_EXTENSIONS_USERS = re.compile(
    r'class="(?:[^"]*\s)?(?:sd-|tab-set|sphinx-tabs|copybtn|sphinx-bs|shadow\b)|id="furo-readthedocs')
HIGHLIGHT_JS = "sphinx_highlight.js"


def _name(asset) -> str:
    return str(getattr(asset, "filename", asset) or "")


LAZY_CSS = (
    "(function(){var c=document.querySelector('div.highlight');if(!c)return;"
    "function load(){var l=document.createElement('link');l.rel='stylesheet';l.href='%s';"
    # before the other style sheets, where Sphinx would have linked it, so the cascade is the same
    "document.head.insertBefore(l,document.querySelector('link[rel=stylesheet]'))}"
    "if(!('IntersectionObserver' in window))return load();"
    "var o=new IntersectionObserver(function(e){if(e.some(function(x){return x.isIntersecting}))"
    "{o.disconnect();load()}},{rootMargin:'800px'});o.observe(c)})();"
)
LAZY_HIGHLIGHT = (
    "if(localStorage.getItem('sphinx_highlight_terms')||/[?&]highlight=/.test(location.search))"
    "{var s=document.createElement('script');s.src='%s';document.head.appendChild(s)}"
)


def trim_assets(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or app.builder.name.startswith("epub") or "body" not in context:
        return
    from sphinx.builders.html._assets import _JavaScript

    body = context["body"]
    uses_design = 'class="sd-' in body or ' sd-' in body
    uses_tabs = "sd-tab-set" in body
    uses_code = 'class="highlight' in body
    pathto = context["pathto"]
    css, late = [], []
    for asset in context.get("css_files", []):
        name = _name(asset)
        if name.endswith(DESIGN_CSS) and not uses_design:
            continue
        if name.endswith(FURO_EXTENSIONS_CSS) and not FURO_EXTENSIONS_USERS.search(body):
            continue
        if name.endswith(PYGMENTS_CSS):
            if uses_code:
                url = pathto(name, resource=True)
                late.append(_JavaScript(None, body=LAZY_CSS % url, priority=900))
                context["metatags"] = (context.get("metatags", "")
                                       + f'<noscript><link rel="stylesheet" href="{url}"></noscript>\n')
            continue
        css.append(asset)
    context["css_files"] = css
    if "script_files" in context:
        scripts = []
        for script in context["script_files"]:
            name = _name(script)
            if name.endswith(DESIGN_TABS_JS) and not uses_tabs:
                continue
            if name.endswith(HIGHLIGHT_JS) and pagename != "search":
                late.append(_JavaScript(None, body=LAZY_HIGHLIGHT % pathto(name, resource=True),
                                        priority=900))
                continue
            scripts.append(script)
        context["script_files"] = scripts + late


def setup(app):
    app.connect("html-page-context", trim_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

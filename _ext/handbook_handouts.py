"""One-page job aids (handouts) for print, written as pages in handouts/ of the book's source.

A handout is a short MyST page whose text is included from snippets/ - the same files the
chapters include - so the aid and the chapter can never disagree. Its front matter names the
chapter it comes from::

    ---
    orphan: true
    handout-chapter: identification
    description: ...
    ---

This extension

* renders handout pages on the website with their own print-ready template
  (_templates/handout.html): the aid's title, its text, and a footer with the edition, the date
  its facts were last checked (the latest "checked" date of the register facts it states, or the
  chapter's review date), the hotline's details from data/facts.yaml, the licence and the way
  back to the chapter; tools/handouts.py prints these pages to one-page PDFs;
* lists each chapter's aids in the website's sidebar (context ``job_aids``);
* provides ``{job-aids}`` with ``:names: recognize, respond`` (or no option: every aid), a list
  of aids with links to their PDFs on the website and their file names in print, and puts the
  same list of a chapter's own aids under its learning objectives.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

logger = logging.getLogger(__name__)

FOLDER = "handouts"
PDF_FOLDER = "editions/handouts"  # where the website publishes the printed aids


def handouts(env) -> dict[str, dict]:
    """Handout name -> its title and chapter, for every handout page read so far."""
    found = {}
    for docname in sorted(env.found_docs):
        if not docname.startswith(FOLDER + "/"):
            continue
        meta = env.metadata.get(docname, {})
        title = env.titles[docname].astext() if docname in env.titles else docname
        found[docname.split("/", 1)[1]] = {"docname": docname, "title": title,
                                           "chapter": str(meta.get("handout-chapter", ""))}
    return found


def check_handout(app, env, docname) -> None:
    """Each handout names an existing chapter (warning otherwise: the build fails)."""
    if not docname.startswith(FOLDER + "/"):
        return
    chapter = str(env.metadata.get(docname, {}).get("handout-chapter", ""))
    if not chapter or f"chapters/{chapter}" not in env.found_docs:
        logger.warning("a handout needs 'handout-chapter:' in its front matter naming a chapter "
                       "file in chapters/ (for example identification)", location=docname)


def page_context(app, pagename, templatename, context, doctree):
    env = app.env
    if pagename.startswith(FOLDER + "/") and app.builder.name == "html":
        meta = env.metadata.get(pagename, {})
        chapter = "chapters/" + str(meta.get("handout-chapter", ""))
        chapter_meta = env.metadata.get(chapter, {})
        register = getattr(app, "handbook_register", {})
        dates = [register[i]["checked"] for i in getattr(env, "handbook_asof", {}).get(pagename, ())
                 if i in register]
        if not dates and chapter_meta.get("last-reviewed"):
            dates = [date.fromisoformat(str(chapter_meta["last-reviewed"]))]
        context["handout"] = {
            "chapter_title": env.titles[chapter].astext() if chapter in env.titles else "",
            "chapter_number": ".".join(map(str, env.toc_secnumbers.get(chapter, {}).get("", ()))),
            "chapter_uri": app.builder.get_relative_uri(pagename, chapter),
            "chapter_url": (app.config.handbook_url.rstrip("/") + "/" + chapter + ".html")
            if app.config.handbook_url else "",
            "checked": f"{max(dates):%d %B %Y}".lstrip("0") if dates else "",
        }
        return "handout.html"
    if pagename.startswith("chapters/"):
        stem = pagename.split("/", 1)[1]
        context["job_aids"] = [(name, info["title"]) for name, info in handouts(env).items()
                               if info["chapter"] == stem]
    return None


class job_aids_list(nodes.General, nodes.Element):
    """Placeholder for the list of aids, filled when every page has been read."""


class JobAids(SphinxDirective):
    option_spec = {"names": directives.unchanged}

    def run(self):
        names = [n.strip() for n in self.options.get("names", "").split(",") if n.strip()]
        return [job_aids_list(aids=names)]


class FillJobAids(SphinxPostTransform):
    default_priority = 5

    def run(self, **kwargs) -> None:
        known = handouts(self.env)
        html = self.app.builder.format == "html" and self.app.builder.name not in {"epub", "epub3"}
        for node in list(self.document.findall(job_aids_list)):
            names = node["aids"] or list(known)
            bullets = nodes.bullet_list(classes=["job-aids"])
            for name in names:
                if name not in known:
                    logger.warning("{job-aids}: no handout called %r in handouts/ (known: %s)",
                                   name, ", ".join(known), location=node)
                    continue
                para = nodes.paragraph()
                title = known[name]["title"]
                if html:
                    target = PDF_FOLDER + f"/{name}.pdf"
                    uri = relative_uri(self.app.builder.get_target_uri(self.env.docname), target)
                    para += nodes.reference("", title + " (PDF, one page)", refuri=uri)
                else:
                    para += nodes.strong(text=title)
                    para += nodes.Text(f" (one page; file {name}.pdf)")
                bullets += nodes.list_item("", para)
            # An empty list breaks LaTeX ("missing \item"); the warning above already failed the build.
            node.replace_self(bullets if len(bullets) else [])


class ChapterJobAids(SphinxPostTransform):
    """Under a chapter's learning objectives: the job aids printed from it (phones see no sidebar)."""

    default_priority = 4  # before FillJobAids fills the list

    def run(self, **kwargs) -> None:
        docname = self.env.docname
        if not docname.startswith("chapters/"):
            return
        stem = docname.split("/", 1)[1]
        names = [name for name, info in handouts(self.env).items() if info["chapter"] == stem]
        objectives = next((s for s in self.document.findall(nodes.section)
                           if s[0].astext().strip().lower() == "learning objectives"), None)
        if not names or objectives is None:
            return
        para = nodes.paragraph(classes=["chapter-job-aids"])
        para += nodes.strong(text="One-page job aids from this chapter, to print:")
        objectives += para
        objectives += job_aids_list(aids=names)


def setup(app):
    app.add_node(job_aids_list)
    app.add_directive("job-aids", JobAids)
    app.add_post_transform(ChapterJobAids)
    app.add_post_transform(FillJobAids)
    app.connect("env-check-consistency", lambda app, env: [check_handout(app, env, d) for d in sorted(env.found_docs)])
    app.connect("html-page-context", page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

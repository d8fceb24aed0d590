"""The HHS Core Competencies crosswalk, rendered from data/competencies.yaml.

The data file lists the competencies (id, title, summary) and, for every section of the core
chapters (by its label), the competencies it teaches. From it this extension makes:

* ``{competency-crosswalk}``: a table with one row per section (its chapter and title, linked)
  and one column per competency, for the facilitator guide, followed by the competencies'
  titles and the source;
* under each chapter's learning objectives, a line naming the competencies that chapter covers
  (the union over its sections), linked to the crosswalk.

A section label that does not exist fails the build (the reference cannot resolve), so the
crosswalk can never point at a section that was renamed or removed.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

# libyaml's parser when PyYAML has it (the wheels do): the same data, several times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

logger = logging.getLogger(__name__)

DATA = Path("data") / "competencies.yaml"
CROSSWALK_LABEL = "competency-crosswalk"


def load(srcdir: str) -> dict | None:
    path = Path(srcdir) / DATA
    if not path.exists():
        return None
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    ids = [str(c["id"]) for c in data.get("competencies", [])]
    for row in data.get("crosswalk", []):
        unknown = [str(c) for c in row.get("competencies", []) if str(c) not in ids]
        if unknown:
            raise ValueError(f"{path}: section {row.get('section')!r} names unknown competencies {unknown}")
    return data


class crosswalk_table(nodes.General, nodes.Element):
    """Placeholder: filled when every label in the book is known."""


class CompetencyCrosswalk(SphinxDirective):
    def run(self):
        self.env.note_dependency(str(Path(self.env.srcdir) / DATA))
        data = load(self.env.srcdir)
        if data is None:
            logger.warning("{competency-crosswalk}: %s is missing", DATA, location=self.get_location())
            return []
        target = nodes.target("", "", ids=[CROSSWALK_LABEL], names=[CROSSWALK_LABEL])
        self.state.document.note_explicit_target(target)
        legend = nodes.definition_list(classes=["competency-legend"])
        for comp in data["competencies"]:
            item = nodes.definition_list_item()
            item += nodes.term(text=f"Competency {comp['id']}" if comp["id"] != "U" else "Universal competency (U)")
            body = nodes.definition()
            body += nodes.paragraph(text=f"{comp['title']}. {comp.get('summary', '')}".strip())
            item += body
            legend += item
        source = self.parse_text_to_nodes(
            f"Competency titles from {{cite:t}}`{data['source']}`"
            + (f" as listed in {{cite:t}}`{data['press-release']}`" if data.get("press-release") else "")
            + "; the summaries and the crosswalk are this handbook's own reading.")
        return [target, crosswalk_table(), legend, *source]


class FillCrosswalk(SphinxPostTransform):
    default_priority = 5

    def run(self, **kwargs) -> None:
        placeholders = list(self.document.findall(crosswalk_table))
        if not placeholders:
            return
        data = load(self.env.srcdir)
        labels = self.env.get_domain("std").labels
        ids = [str(c["id"]) for c in data["competencies"]]
        table = nodes.table(classes=["competency-crosswalk"])
        title = nodes.title(text="Where each HHS Core Competency is taught (section by section)")
        table += title
        group = nodes.tgroup(cols=2 + len(ids))
        table += group
        group += nodes.colspec(colwidth=22)
        group += nodes.colspec(colwidth=40)
        for _ in ids:
            group += nodes.colspec(colwidth=5)
        head = nodes.thead()
        group += head
        head += row([nodes.Text("Chapter"), nodes.Text("Section")] + [nodes.Text(i) for i in ids])
        body = nodes.tbody()
        group += body
        for entry in data.get("crosswalk", []):
            label = str(entry["section"])
            docname = labels.get(label, (None,))[0]
            chapter = self.env.titles[docname].astext() if docname in self.env.titles else ""
            xref = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=label,
                                         refexplicit=False, refwarn=True, refdoc=self.env.docname)
            xref += nodes.inline(text=label)
            marks = [str(c) for c in entry.get("competencies", [])]
            body += row([nodes.Text(chapter), xref] + [nodes.Text("yes" if i in marks else "") for i in ids])
        for node in placeholders:
            node.replace_self(table.deepcopy())


def row(cells: list[nodes.Node]) -> nodes.row:
    result = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", cell)
        result += entry
    return result


class ChapterCompetencies(SphinxTransform):
    """Under a chapter's learning objectives: the competencies its sections teach."""

    default_priority = 882

    def apply(self, **kwargs) -> None:
        if not self.env.docname.startswith("chapters/"):
            return
        try:
            data = load(self.env.srcdir)
        except ValueError as error:
            logger.warning(str(error), location=self.env.docname)
            return
        if data is None:
            return
        self.env.note_dependency(str(Path(self.env.srcdir) / DATA))
        here = set(self.document.nameids)
        covered = {str(c) for e in data.get("crosswalk", []) if e["section"] in here for c in e.get("competencies", [])}
        if not covered:
            return
        objectives = next((s for s in self.document.findall(nodes.section)
                           if s[0].astext().strip().lower() == "learning objectives"), None)
        if objectives is None:
            return
        para = nodes.paragraph(classes=["chapter-competencies"])
        para += nodes.strong(text="HHS Core Competencies this chapter covers: ")
        names = [f"{c['id']} ({c['title'][0].lower() + c['title'][1:]})" for c in data["competencies"]
                 if str(c["id"]) in covered]
        para += nodes.Text("; ".join(names) + ". See the ")
        xref = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=CROSSWALK_LABEL,
                                     refexplicit=True, refwarn=True, refdoc=self.env.docname)
        xref += nodes.inline(text="crosswalk in the facilitator guide")
        para += xref
        para += nodes.Text(".")
        objectives += para


def setup(app):
    app.add_node(crosswalk_table)
    app.add_directive("competency-crosswalk", CompetencyCrosswalk)
    app.add_post_transform(FillCrosswalk)
    app.add_transform(ChapterCompetencies)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

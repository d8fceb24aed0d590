"""Show sphinx-design components in full in the PDF and the ePub.

On the website, tabs, dropdowns, cards and grids are interactive. A printed page cannot click
and many e-readers ignore the CSS that shows hidden tab panels, so for the LaTeX and ePub builders
this transform runs *before* sphinx-design's HTML transforms and rewrites each component as plain
docutils nodes that every writer understands:

* a tab set becomes its tabs one after another, each under its label as a heading-like rubric;
* a dropdown becomes an open admonition whose title is the dropdown's title;
* a card's title becomes a rubric, and cards and grids become plain containers that stack.

Nothing is dropped: every child node of a component ends up in the output. In the PDF, tables
outside boxes may also break across pages (BreakableTables).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

PRINT_BUILDERS = ("latex", "epub")


def component(node: nodes.Node) -> str | None:
    return node.get("design_component") if isinstance(node, nodes.Element) else None


def plain_container(name: str, children: list[nodes.Node], ids=()) -> nodes.container:
    box = nodes.container(classes=[f"portable-{name}"], ids=list(ids))
    box.extend(children)
    return box


class PortableComponents(SphinxPostTransform):
    default_priority = 150  # sphinx-design's own HTML transforms run at 199 and 200
    builders = PRINT_BUILDERS

    def run(self, **kwargs) -> None:
        # Deepest first, so nested components are rewritten before their parents move them.
        found = [n for n in self.document.findall(nodes.Element) if component(n)]
        for node in reversed(found):
            name = component(node)
            handler = getattr(self, "rewrite_" + name.replace("-", "_"), None)
            replacement = handler(node) if handler else plain_container(
                name, list(node.children), node["ids"]
            )
            classes = list(replacement["classes"])
            node.replace_self(replacement)
            # replace_self copies the old node's classes (sphinx-design's flex layout classes)
            # onto the replacement; keep only the portable ones.
            replacement["classes"] = classes

    @staticmethod
    def rewrite_tab_item(node: nodes.Element) -> nodes.container:
        children = []
        for child in node.children:
            if isinstance(child, nodes.rubric):
                child["classes"] = ["portable-tab-label"]
                children.append(child)
            elif isinstance(child, nodes.container):  # already-rewritten tab-content
                children.extend(child.children)
            else:
                children.append(child)
        return plain_container("tab", children, node["ids"])

    @staticmethod
    def rewrite_dropdown(node: nodes.Element) -> nodes.Element:
        children = list(node.children)
        if node.get("has_title") and children and isinstance(children[0], nodes.rubric):
            rubric = children.pop(0)
            box = nodes.admonition(classes=["portable-dropdown"], ids=node["ids"] + rubric["ids"])
            box += nodes.title(rubric.rawsource, "", *rubric.children)
            box.extend(children)
            return box
        return plain_container("dropdown", children, node["ids"])

    @staticmethod
    def rewrite_card_title(node: nodes.Element) -> nodes.rubric:
        inline = []
        for child in node.children:
            inline.extend(child.children if isinstance(child, nodes.TextElement) else [child])
        return nodes.rubric("", "", *inline, classes=["portable-card-title"], ids=node["ids"])


class BreakableTables(SphinxPostTransform):
    """In the PDF, let tables break across pages (with their header row repeated).

    Sphinx's LaTeX writer uses a tabular, which cannot break, unless a table has more than 30
    rows or the class "longtable"; a 12-row table of long cells then runs off the page. Tables
    inside boxes (admonitions) stay tabular, because longtable cannot live in a box.
    """

    default_priority = 150
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        for table in self.document.findall(nodes.table):
            boxed = any(isinstance(a, (nodes.Admonition, nodes.container)) for a in _ancestors(table))
            if not boxed and "longtable" not in table["classes"]:
                table["classes"].append("longtable")


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def setup(app):
    app.add_post_transform(PortableComponents)
    app.add_post_transform(BreakableTables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

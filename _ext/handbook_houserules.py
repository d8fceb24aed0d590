"""House rules checked on what Sphinx actually parsed, so that nothing broken reaches readers.

tools/precheck.py checks the sources as text before the build; this extension checks the parsed
pages, in every builder (website, PDF, ePub), and fails the strict build with the file and line:

* raw HTML (a ``raw`` node for HTML): it shows on the website and vanishes from the PDF and ePub;
* role syntax left in the text, such as ``{term}coercion``: the role was not recognised and
  readers would see the braces;
* fence markers left in the text (a line of backticks or colons): a block was not closed or was
  mistyped;
* images without alt text, or whose alt text is a file name.

Each message starts with "handbook:" and ends with "=> what to do".
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROLE_TEXT = re.compile(r"\{[a-z][\w:.-]*\}(?=\S)")
FENCE_TEXT = re.compile(r"(^|\n)\s*(`{3,}|:{3,})")
LITERAL = (nodes.literal, nodes.literal_block, nodes.raw, nodes.comment, nodes.doctest_block,
           nodes.math, nodes.math_block, nodes.system_message)


def inside_literal(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, LITERAL):
            return True
        parent = parent.parent
    return False


def where(node: nodes.Node):
    while node is not None and not node.line:
        node = node.parent
    return node


def warn(message: str, node: nodes.Node) -> None:
    logger.warning("handbook: " + message, location=where(node) or node, type="handbook",
                   subtype="houserule")


def check(app, doctree: nodes.document) -> None:
    for node in doctree.findall(nodes.raw):
        if "html" in node.get("format", "").split():
            warn("raw HTML: it shows on the website but vanishes from the PDF and the ePub => "
                 "use MyST Markdown instead (bold, lists, an admonition, a figure).", node)
    for node in doctree.findall(nodes.Text):
        if inside_literal(node):
            continue
        text = node.astext()
        role = ROLE_TEXT.search(text)
        if role:
            warn(f"'{role.group(0)}' is shown to readers as typed: the role was not applied => "
                 f"write the target in backticks right after it: {role.group(0)}`target`.", node.parent)
        if FENCE_TEXT.search(text):
            warn("a fence marker (``` or :::) is shown to readers as text: a block above it is not "
                 "closed, or its closing line is mistyped => close each block with the same marker "
                 "that opened it, on a line of its own.", node.parent)
    for node in doctree.findall(nodes.image):
        alt = (node.get("alt") or "").strip()
        name = PurePosixPath(node.get("uri", "")).name
        if not alt:
            warn(f"the image '{name}' has no alt text => add ':alt:' with a sentence that describes it.", node)
        elif alt.lower() in {name.lower(), PurePosixPath(name).stem.lower()}:
            warn(f"the alt text of '{name}' is its file name => describe what the image shows.", node)


def setup(app):
    app.connect("doctree-read", check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

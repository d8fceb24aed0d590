"""Knowledge checks ("Check your understanding"), rendered from data/checks/<chapter>.yaml.

The questions are data, so a chapter and the facilitator guide draw on the same items. Each
item is::

    - id: identification-1
      objective: 2          # 1-based number of the chapter's learning objective it tests
      case: true            # a short case (most items) or a direct question
      question: "MyST text"
      options: ["...", "...", "..."]   # 3 to 5 plausible choices
      answer: 2             # 1-based number of the right option
      reason: "why, in MyST text (may cite)"
      section: identification-screening   # label of the section that teaches it
      prepost: true         # offered to the facilitator guide's pre/post check

``{knowledge-check} identification`` renders every item of data/checks/identification.yaml;
``:prepost:`` renders only the items marked for the pre/post check. On the website each answer
sits in a closed ``<details>`` under its question, shown when asked for. A printed page and an
e-reader cannot open anything, so in the PDF and ePub the answers are printed in full in an
"Answers" list after the questions. A malformed item fails the build, naming the file and item.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

# libyaml's parser when PyYAML has it (the wheels do): the same data, several times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

logger = logging.getLogger(__name__)

CHECKS_DIR = Path("data") / "checks"
LETTERS = "abcde"
FIELDS = {"id", "objective", "case", "question", "options", "answer", "reason", "section", "prepost"}


class kc_answer(nodes.General, nodes.Element):
    """One answer under its question: a closed <details> on the website, dropped in print."""


class kc_answers(nodes.General, nodes.Element):
    """The answers after all the questions: printed in the PDF and ePub, dropped on the website."""


def check_item(item, where: str) -> list[str]:
    """What is wrong with one item (an empty list when nothing is)."""
    if not isinstance(item, dict):
        return [f"{where}: each item is a mapping (id, objective, question, options, answer, reason, section)"]
    problems = []
    unknown = set(item) - FIELDS
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for field in ("id", "objective", "question", "options", "answer", "reason", "section"):
        if item.get(field) in (None, "", []):
            problems.append(f"{where}: '{field}' is missing")
    options = item.get("options") or []
    if not isinstance(options, list) or not 3 <= len(options) <= 5:
        problems.append(f"{where}: give 3 to 5 options")
    elif not isinstance(item.get("answer"), int) or not 1 <= item["answer"] <= len(options):
        problems.append(f"{where}: answer must be the number of one of the {len(options)} options")
    if not isinstance(item.get("objective"), int) or item["objective"] < 1:
        problems.append(f"{where}: objective must be the number of a learning objective (1, 2, ...)")
    return problems


def load_checks(path: Path) -> list[dict]:
    try:
        items = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or []
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(items, list):
        raise ValueError(f"{path}: must be a list of questions, each starting with '- id:'")
    problems = [p for n, item in enumerate(items, 1) for p in check_item(item, f"{path}, question {n}")]
    if problems:
        raise ValueError("\n".join(problems))
    return items


def objectives_of(document: nodes.document) -> list[str]:
    """The chapter's learning objectives, read from the section the directive's page already has."""
    for section in document.findall(nodes.section):
        if section[0].astext().strip().lower() == "learning objectives":
            for bullets in section.findall(nodes.bullet_list):
                return [item.astext() for item in bullets.children]
    return []


class KnowledgeCheck(SphinxDirective):
    required_arguments = 1
    option_spec = {"prepost": directives.flag}

    def run(self):
        chapter = self.arguments[0]
        path = Path(self.env.srcdir) / CHECKS_DIR / f"{chapter}.yaml"
        self.env.note_dependency(str(path))
        if not path.exists():
            logger.warning("knowledge check: %s does not exist; write the questions there", path,
                           location=self.get_location())
            return []
        try:
            items = load_checks(path)
        except ValueError as error:
            for line in str(error).splitlines():
                logger.warning("knowledge check: %s", line, location=self.get_location())
            return []
        prepost = "prepost" in self.options
        if prepost:
            items = [item for item in items if item.get("prepost")]
        objectives = objectives_of(self.state.document) if not prepost else []
        questions = nodes.enumerated_list(enumtype="arabic", classes=["knowledge-check"])
        answers = nodes.enumerated_list(enumtype="arabic", classes=["knowledge-check-answers"])
        for item in items:
            if objectives and item["objective"] > len(objectives):
                logger.warning("knowledge check %s: objective %d, but the chapter lists %d objectives",
                               item["id"], item["objective"], len(objectives), location=self.get_location())
            questions += self.question(item, chapter, prepost)
            answers += nodes.list_item("", *self.answer(item))
        box = kc_answers()
        box += nodes.rubric(text="Answers")
        box += answers
        return [questions, box]

    def question(self, item: dict, chapter: str, prepost: bool) -> nodes.list_item:
        # A pre/post check may show the same item twice on one page: only the chapter's copy has an id.
        entry = nodes.list_item(ids=[] if prepost else [f"kc-{item['id']}"])
        tag = nodes.paragraph(classes=["kc-objective"])
        source = f"{chapter.replace('-', ' ').capitalize()}, " if prepost else ""
        tag += nodes.Text(f"{source}objective {item['objective']}" + (" \u00b7 case" if item.get("case") else ""))
        entry += tag
        entry.extend(self.parse_text_to_nodes(str(item["question"])))
        options = nodes.enumerated_list(enumtype="loweralpha", classes=["kc-options"])
        for option in item["options"]:
            options += nodes.list_item("", *self.parse_text_to_nodes(str(option)))
        entry += options
        hidden = kc_answer()
        hidden.extend(self.answer(item))
        entry += hidden
        return entry

    def answer(self, item: dict) -> list[nodes.Node]:
        letter = LETTERS[item["answer"] - 1]
        lead = nodes.paragraph(classes=["kc-answer-text"])
        lead += nodes.strong(text=f"Answer: {letter}. ")
        reason = self.parse_text_to_nodes(str(item["reason"]))
        if reason and isinstance(reason[0], nodes.paragraph):
            lead.extend(reason.pop(0).children)
        see = nodes.paragraph(classes=["kc-see"])
        see += nodes.Text("Taught in: ")
        xref = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=item["section"],
                                     refexplicit=False, refwarn=True, refdoc=self.env.docname)
        xref += nodes.inline(text=item["section"])
        see += xref
        see += nodes.Text(".")
        return [lead, *reason, see]


class PlaceAnswers(SphinxPostTransform):
    """Website: answers under each question, closed. PDF and ePub: answers listed after."""

    default_priority = 5

    def run(self, **kwargs) -> None:
        interactive = self.app.builder.format == "html" and self.app.builder.name not in {"epub", "epub3"}
        drop = kc_answers if interactive else kc_answer
        for node in list(self.document.findall(drop)):
            node.parent.remove(node)
        if not interactive:
            for node in list(self.document.findall(kc_answers)):
                node.replace_self(node.children)


def visit_answer_html(self, node):
    self.body.append('<details class="kc-answer"><summary>Show the answer</summary>')


def depart_answer_html(self, node):
    self.body.append("</details>")


def skip(self, node):
    raise nodes.SkipNode


def setup(app):
    app.add_node(kc_answer, html=(visit_answer_html, depart_answer_html), latex=(skip, None),
                 text=(skip, None))
    app.add_node(kc_answers)
    app.add_directive("knowledge-check", KnowledgeCheck)
    app.add_post_transform(PlaceAnswers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Every chapter follows the house style's anatomy (../shared/STYLE.md, section 5).

Chapters are the files in chapters/. "About this handbook" is front matter of the book, so the
practice-box, case and length rules apply to the core chapters, which are all the others.
"""

from __future__ import annotations

import re

import pytest

from chapter_source import FIGURE, Chapter
from conftest import ROOT

CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
CORE = [p for p in CHAPTERS if p.stem != "about"]
LABELS = {p.stem for p in CHAPTERS}


@pytest.fixture(params=CHAPTERS, ids=lambda p: p.stem)
def chapter(request) -> Chapter:
    return Chapter(request.param)


@pytest.fixture(params=CORE, ids=lambda p: p.stem)
def core(request) -> Chapter:
    return Chapter(request.param)


def test_core_chapters_exist():
    assert len(CORE) >= 4, [p.stem for p in CORE]


def test_front_matter_has_description_keywords_and_review_date(chapter):
    fm = chapter.front_matter
    assert 40 <= len(fm.get("description", "").strip()) <= 200, "description (meta) missing or not 40-200 characters"
    assert fm.get("keywords", "").strip(), "keywords missing"
    assert re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", fm.get("last-reviewed", "")), "last-reviewed YYYY-MM-DD missing"


def test_label_matches_file_and_one_title(chapter):
    assert re.search(rf"^\({re.escape(chapter.name)}\)=\n# ", chapter.body, re.M), "label line before the title"
    assert len(re.findall(r"^# ", chapter.body, re.M)) == 1


def test_heading_levels_never_skip(chapter):
    levels = [len(m.group(1)) for m in re.finditer(r"^(#{1,6}) ", chapter.body, re.M)]
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not jumps, jumps


def test_three_to_six_learning_objectives(chapter):
    objectives = chapter.bullets("Learning objectives")
    assert 3 <= len(objectives) <= 6, objectives


def test_five_to_eight_key_points(chapter):
    points = chapter.bullets("Key points")
    assert 5 <= len(points) <= 8, len(points)


def test_references_section_lists_the_chapter_citations(chapter):
    refs = chapter.section("References")
    assert "{bibliography}" in refs and "docname in docnames" in refs
    assert "{cite" in chapter.body, "a chapter with no citations"


def test_sections_after_title_are_in_anatomy_order(chapter):
    heads = re.findall(r"^## (.+)$", chapter.body, re.M)
    assert heads[0] == "Learning objectives", heads[:1]
    assert heads[-2:] == ["Key points", "References"], heads[-2:]


def test_core_chapter_has_each_kind_of_practice_box(core):
    for kind in ("what-to-say", "what-to-check", "what-to-do-next"):
        assert core.admonitions(kind), f"no '{kind}' practice box"


def test_core_chapter_has_a_composite_case_after_a_content_note(core):
    cases = core.admonitions("composite-case")
    assert cases, "no composite case"
    for case in cases:
        assert re.search(r"composite", case, re.I), "the case does not say it is a composite"
        assert re.search(r"discussion questions", case, re.I), "no discussion questions"
        assert re.search(r"^\s*\d+\. ", case, re.M), "discussion questions are not a numbered list"
    body = core.body
    first_case = body.find(":class: composite-case")
    first_note = body.find(":class: content-note")
    assert 0 <= first_note < first_case, "a content note must come before the first case"


def test_core_chapter_has_at_least_4000_words_of_body_text(core):
    assert core.prose_words >= 4000, core.prose_words


def test_core_chapter_has_a_captioned_table_or_figure(core):
    captioned = [h for h, _ in core.directives("list-table") + core.directives("table") if h.split("\n")[0].strip()]
    figures = core.directives("figure")
    assert captioned or figures, "no captioned table or figure"
    for head, content in figures:
        alt = re.search(r"^:alt:\s*(.+)$", content, re.M)
        assert alt and len(alt.group(1).split()) >= 5, f"figure without real alt text: {head[:60]}"


def test_every_figure_has_a_text_alternative(core):
    for head, _ in core.directives("figure"):
        after = core.body[core.body.find(head):][:6000]
        assert re.search(r"text alternative|text version", after, re.I), f"figure {head[:50]} has no text alternative after it"


def test_core_chapter_links_other_chapters_by_label(core):
    linked = set(re.findall(r"\{ref\}`(?:[^`<]*<)?([\w-]+)>?`", core.body)) & LABELS
    linked.discard(core.name)
    assert len(linked) >= 2, f"links to {sorted(linked)} only"


def test_no_paragraph_of_figures_without_a_citation(chapter):
    def prose(paragraph: str) -> str:  # directive options (":width: 100%") are not claims
        return re.sub(r"^:[\w-]+:.*$", "", paragraph, flags=re.M)

    uncited = [p.strip()[:100] for p in chapter.paragraphs()
               if FIGURE.search(prose(p)) and "{cite" not in p and not p.lstrip().startswith(("#", "(", "---"))]
    assert not uncited, "\n".join(uncited)

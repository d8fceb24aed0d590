"""The glossary: every term defined with a source, and linked from chapters on first use.

The rule (documented in README.md): in each chapter, the first mention of a glossary term in the
text after the learning objectives must be a {term} link to the glossary. Not mentions: headings,
directive lines, citation and cross-reference roles, quotations (block quotes and text in
quotation marks), titles in italics, and proper names that contain a term ("National Human
Trafficking Hotline", or any capitalized mention inside a run of capitalized words). A plural
("T visas") counts as a mention.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import BOOK, ROOT

GLOSSARY = ROOT / "back" / "glossary.md"
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


def glossary_entries() -> dict[str, str]:
    text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    entries, terms, defining = {}, [], False
    for line in block.splitlines():
        if line.startswith(":") or not line.strip():
            continue
        if not line.startswith(" "):
            if defining:  # a new entry starts; several term lines may share one definition
                terms, defining = [], False
            terms.append(line.strip())
            entries[line.strip()] = ""
        else:
            defining = True
            for term in terms:
                entries[term] += line.strip() + " "
    return entries


TERMS = glossary_entries()


def test_glossary_has_terms_each_defined_with_a_source():
    assert len(TERMS) >= 15, len(TERMS)
    problems = [t for t, d in TERMS.items() if len(d.split()) < 8 or "{cite" not in d]
    assert not problems, problems


def mention_pattern(term: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", re.I)


def masked(text: str) -> str:
    """The chapter text with everything that is not a 'mention' blanked (same length)."""
    def blank(m):
        return " " * len(m.group(0))
    text = re.sub(r"\A---\n.*?\n---\n", blank, text, flags=re.S)
    start = text.find("## Learning objectives")
    end = text.find("\n## ", start + 5) if start >= 0 else -1
    if start >= 0 and end > 0:
        text = text[:start] + " " * (end - start) + text[end:]
    text = re.sub(r"^#.*$|^:[\w-]+:.*$|^\(.*\)=$|^(`{3,}|:{3,}).*$", blank, text, flags=re.M)
    text = re.sub(r"\{(?:cite(?::\w+)?|ref|numref|doc)\}`[^`]*`", blank, text)
    text = re.sub(r"^>.*$", blank, text, flags=re.M)  # block quotes (statutes are quoted)
    text = re.sub(r"[\"\u201c][^\"\u201d\n]{1,300}[\"\u201d]", blank, text)  # quoted words
    text = re.sub(r"(?<![*\w])\*(?!\*)[^*\n]+\*(?!\*)", blank, text)  # *Titles in italics*
    text = PROPER_NAMES.sub(blank, text)
    return text


# Names of organizations, laws, programs and tools that contain a glossary term.
PROPER_NAMES = re.compile(
    r"(?:National\s+)?Human\s+Trafficking\s+(?:Hotline|Legal\s+Center|Search|Prevention|Task\s+Force|"
    r"Training|Response|Is\s+a\s+Public|Screening)\w*"
    r"|Laboratory\s+to\s+Combat\s+Human\s+Trafficking"
    r"|(?:Trafficking\s+Victims\s+Protection|Victims\s+of\s+Trafficking)[\w\s]*?Act"
    r"|Office\s+(?:on|to\s+Monitor\s+and\s+Combat)\s+Trafficking\s+in\s+Persons"
    r"|SOAR\s+to\s+Health\s+and\s+Wellness\s+Act(?:\s+of\s+2018)?"
    r"|Forced\s+Labour\s+Convention|HEAL\s+Trafficking",
    re.I,
)


def is_part_of_a_name(text: str, start: int, end: int) -> bool:
    """'Modern Slavery Research Project': a capitalized mention next to capitalized words."""
    if not text[start].isupper():
        return False
    after = re.match(r"\s+(?:and\s+|of\s+|for\s+|to\s+)?([A-Z][\w-]*)", text[end:end + 40])
    before = re.search(r"([A-Z][\w'’-]*)\s+$", text[max(0, start - 40):start])
    sentence_start = re.search(r"(^|[.!?:]\s+|\n\s*[-*]?\s*)$", text[max(0, start - 4):start])
    return bool(after) or (bool(before) and not sentence_start)


def first_mention(text: str, term: str):
    for match in mention_pattern(term).finditer(text):
        if not is_part_of_a_name(text, match.start(), match.end()):
            return match
    return None


def first_mentions_unlinked(path: Path) -> list[str]:
    original = path.read_text(encoding="utf-8")
    text = masked(original)
    links = [(m.start(), m.end(), m.group(1)) for m in re.finditer(r"\{term\}`([^`]*)`", text)]
    problems = []
    for term in TERMS:
        match = first_mention(text, term)
        if not match:
            continue
        inside = next((l for l in links if l[0] <= match.start() < l[1]), None)
        if inside is None:
            line = original.count("\n", 0, match.start()) + 1
            problems.append(f"{path.stem}.md:{line}: first mention of {term!r} is not a glossary link")
        else:
            target = re.search(r"<([^>]+)>$", inside[2])
            target = (target.group(1) if target else inside[2]).strip()
            if target.lower() not in {t.lower() for t in TERMS}:
                problems.append(f"{path.stem}.md: link {inside[2]!r} points to no glossary term")
    return problems


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_first_use_of_each_term_links_to_the_glossary(path):
    problems = first_mentions_unlinked(path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("fmt", ["html", "epub", "pdf"])
def test_glossary_appears_in_every_format(fmt):
    import subprocess
    import zipfile

    if fmt == "html":
        text = (BOOK.html / "back" / "glossary.html").read_text(encoding="utf-8")
    elif fmt == "epub":
        with zipfile.ZipFile(BOOK.epub) as z:
            text = z.read("back/glossary.xhtml").decode()
    else:
        text = subprocess.run(["pdftotext", str(BOOK.pdf), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", " ", text)
    missing = [t for t in TERMS if t.split()[0] not in flat]
    assert not missing, missing

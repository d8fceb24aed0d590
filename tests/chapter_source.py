"""Reading a chapter's MyST source: its front matter, sections, prose and directives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

ROLE = re.compile(r"\{(?:cite(?::\w+)?|ref|term|numref|doc)\}`([^`]*)`")
FIGURE = re.compile(r"\d+(\.\d+)?\s?(%|percent|per cent|million|billion)", re.I)


@dataclass
class Chapter:
    path: Path

    @cached_property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @cached_property
    def front_matter(self) -> dict[str, str]:
        match = re.match(r"---\n(.*?)\n---\n", self.text, re.S)
        if not match:
            return {}
        return dict(line.split(":", 1) for line in match.group(1).splitlines() if ":" in line)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def body(self) -> str:
        return re.sub(r"\A---\n.*?\n---\n", "", self.text, flags=re.S)

    def section(self, title: str) -> str:
        """Text of the '## title' section, up to the next '## ' heading."""
        match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", self.body, re.M | re.S)
        return match.group(1) if match else ""

    def bullets(self, title: str) -> list[str]:
        return re.findall(r"^[-*] (.+)$", self.section(title), re.M)

    def directives(self, name: str) -> list[tuple[str, str]]:
        """(argument line and options, content) of each ```{name} or :::{name} block."""
        blocks = []
        for match in re.finditer(rf"^(`{{3,}}|:{{3,}})\{{{re.escape(name)}\}}(.*?)\n(.*?)^\1\s*$", self.body, re.M | re.S):
            blocks.append((match.group(2) + "\n" + "\n".join(
                l for l in match.group(3).splitlines() if l.startswith(":")), match.group(3)))
        return blocks

    def admonitions(self, css_class: str) -> list[str]:
        return [content for head, content in self.directives("admonition")
                if re.search(rf"^:class:.*\b{re.escape(css_class)}\b", content, re.M)]

    @cached_property
    def prose_words(self) -> int:
        """Words of body text between the learning objectives and the key points."""
        start = self.body.find("## Learning objectives")
        end = self.body.find("## Key points")
        text = self.body[start:end] if start >= 0 and end > start else ""
        text = re.sub(r"\{cite(?::\w+)?\}`[^`]*`", " ", text)  # citations are not prose
        text = ROLE.sub(lambda m: re.sub(r"<[^>]*>", "", m.group(1)), text)
        text = re.sub(r"^(`{3,}|:{3,}).*$|^:\w[\w-]*:.*$|^\(.*\)=$", " ", text, flags=re.M)
        return len(re.findall(r"[A-Za-z][A-Za-z'’-]*", text))

    def paragraphs(self) -> list[str]:
        return [p for p in re.split(r"\n\s*\n", self.body) if p.strip()]

"""The book's description and keywords, read once from index.md's front matter.

conf.py gives them to the PDF's document properties (subject, keywords) and the ePub's package
metadata (dc:description, dc:subject), so the three editions describe the book in the same words.
"""

from __future__ import annotations

import re
from pathlib import Path


def front_matter(path: Path) -> dict[str, str]:
    """Simple ``key: value`` lines of a Markdown file's YAML front matter."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not match:
        return {}
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and not line.startswith((" ", "#")):
            fields[key.strip()] = value.strip().strip("'\"")
    return fields


def description_and_keywords(root: Path) -> tuple[str, list[str]]:
    fields = front_matter(root / "index.md")
    keywords = [k.strip() for k in fields.get("keywords", "").split(",") if k.strip()]
    return fields.get("description", ""), keywords

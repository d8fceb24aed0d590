"""Read xelatex's log after the PDF build and fail on problems that ruin a printed page.

* **Overfull boxes** wider (or taller) than TOLERANCE_PT: text, a table or a long URL running
  off the page. The log gives lines of the generated .tex file; they are traced back to the
  chapter they come from through the labels Sphinx writes for each page.
* **Missing characters**: a character the PDF's fonts do not have (emoji, CJK, Arabic, ...),
  which xelatex silently leaves out. The character is looked up in the sources to name the
  file and line.
* **LaTeX errors** (when latexmk fails): the error line and the chapter it comes from.

Exempt, with the reason: the 10 pt overfull box that the fncychap "Bjornstrup" chapter heading
draws on every ``\\chapter`` line (the design reaches into the margin on purpose).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TOLERANCE_PT = 5.0

OVERFULL = re.compile(r"^Overfull \\([hv])box \(([\d.]+)pt too (?:wide|high)\) "
                      r"(?:in paragraph at lines (\d+)--(\d+)|in alignment at lines (\d+)--(\d+)|detected at line (\d+))")
MISSING = re.compile(r"^Missing character: There is no (.+?) \(U\+([0-9A-Fa-f]+)\) in font ([^:!]+)")
LABEL = re.compile(r"\\label\{\\detokenize\{([^:}]+):")


def docs_by_line(tex: Path) -> list[str | None]:
    """For each line of the .tex file (1-based index), the page (docname) it belongs to."""
    current, result = None, [None]
    for line in tex.read_text(encoding="utf-8", errors="replace").splitlines():
        match = LABEL.search(line)
        if match and ("\\chapter" in line or "\\section" in line or line.startswith("\\label")):
            current = match.group(1)
        result.append(current)
    return result


def source_of(doc: str | None, source: Path) -> str:
    if not doc:
        return "the book's front matter (index.md or conf.py)"
    for suffix in (".md", ".rst"):
        if (source / (doc + suffix)).exists():
            return doc + suffix
    return doc


def box_text(lines: list[str], start: int) -> str:
    """The text of an overfull box: the log lines after the warning, joined, without font names."""
    parts = []
    for line in lines[start + 1:start + 40]:
        if not line.strip() or line.strip() == "[]":
            break
        parts.append(line)
    text = "".join(parts)  # TeX wraps log lines at 79 characters
    return re.sub(r"\\\S+/\S+/[\d.]+ ?|\[\]", " ", text)


def locate(text: str, doc: str | None, source: Path) -> str | None:
    """file:line of the longest word of an overfull box, searched in the page's source."""
    words = sorted(re.findall(r"\S{10,}", text), key=len, reverse=True)
    if not words or not doc:
        return None
    path = next((source / (doc + s) for s in (".md", ".rst") if (source / (doc + s)).exists()), None)
    if path is None:
        return None
    needle = words[0][:40]
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if needle in line:
            return f"{path.relative_to(source).as_posix()}:{number}"
    return None


def find_char(char: str, source: Path) -> list[str]:
    hits = []
    for path in sorted(source.rglob("*.md")):
        if "_build" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if char in line:
                hits.append(f"{path.relative_to(source).as_posix()}:{number}")
    bib = source / "references.bib"
    if bib.exists():
        for number, line in enumerate(bib.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if char in line:
                hits.append(f"references.bib:{number}")
    return hits


def check(latex_dir: Path, basename: str, source: Path) -> list[str]:
    log = (latex_dir / f"{basename}.log").read_text(encoding="utf-8", errors="replace")
    tex = latex_dir / f"{basename}.tex"
    docs = docs_by_line(tex)
    tex_lines = tex.read_text(encoding="utf-8", errors="replace").splitlines()
    problems, seen = [], set()
    log_lines = log.splitlines()
    for index, line in enumerate(log_lines):
        match = OVERFULL.match(line)
        if match:
            size = float(match.group(2))
            first = int(next(g for g in match.groups()[2:] if g))
            if size <= TOLERANCE_PT:
                continue
            if 0 < first <= len(tex_lines) and tex_lines[first - 1].startswith("\\chapter"):
                continue  # fncychap's chapter heading (see the module docstring)
            doc = docs[first] if first < len(docs) else None
            if (doc, round(size)) in seen:
                continue  # the same box, reported again for the page it ends on
            seen.add((doc, round(size)))
            kind = "too wide" if match.group(1) == "h" else "too tall"
            where = locate(box_text(log_lines, index), doc, source) or source_of(doc, source)
            problems.append(
                f"{where}: something on a PDF page is {size:.0f} pt {kind} and runs off "
                f"the page (LaTeX: {line.strip()}, in {tex.name}).\n"
                "    -> usually a long URL, code line or word in a table or list: shorten it, let it "
                "break (put a URL in a link with text, e.g. [the report](https://...)), or split the "
                "table's columns")
        match = MISSING.match(line)
        if match:
            char = chr(int(match.group(2), 16))
            if char in seen:
                continue
            seen.add(char)
            places = find_char(char, source) or ["(not found in the sources: it may come from conf.py)"]
            problems.append(
                f"{', '.join(places[:5])}: the character {char!r} (U+{match.group(2).upper()}) is not in the "
                f"PDF's font ({match.group(3).strip()}), so the PDF would silently leave it out.\n"
                "    -> replace it with words or a character the fonts have (emoji, Chinese, Japanese, "
                "Korean and Arabic script are not available), or leave it out")
    return problems


def errors(latex_dir: Path, basename: str, source: Path) -> list[str]:
    """LaTeX's own errors (lines starting with '!') with the chapter they come from."""
    path = latex_dir / f"{basename}.log"
    if not path.exists():
        return []
    log = path.read_text(encoding="utf-8", errors="replace").splitlines()
    tex = latex_dir / f"{basename}.tex"
    docs = docs_by_line(tex) if tex.exists() else []
    problems = []
    for i, line in enumerate(log):
        if line.startswith("! "):
            where = next((re.match(r"l\.(\d+)", l) for l in log[i:i + 30] if re.match(r"l\.\d+", l)), None)
            number = int(where.group(1)) if where else 0
            doc = docs[number] if 0 < number < len(docs) else None
            problems.append(f"{source_of(doc, source)}: LaTeX could not typeset the PDF: {line[2:].strip()} "
                            f"({tex.name}, line {number}).\n"
                            "    -> look for unusual markup or characters in that chapter; the full log is "
                            f"{path}")
    return problems


if __name__ == "__main__":
    latex, base, src = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    found = check(latex, base, src)
    print("\n".join(found) or "no problems")
    sys.exit(1 if found else 0)

"""Start-up check: the mistakes editors make most, found before Sphinx runs, in plain words.

    python tools/precheck.py [SOURCE]       (SOURCE: the book's folder; default: this repository)

Every build runs it first (noxfile.py). It reads the sources as text and reports every problem
it finds, each with the file, the line and what to do, then exits 1; it never stops at the
first one, so one mistake does not hide the others. It checks:

* encodings: every source, bibliography, data and SVG file is UTF-8;
* front matter: valid YAML; chapters have a description and a real ``last-reviewed`` date;
* references.bib: syntax (unclosed braces), duplicate keys, the fields each entry type needs,
  real dates in ``year``, ``date`` and ``urldate``, the catalogue's allowed values;
* citations: every cited key is in the bibliography;
* markup: fences that are never closed, skipped heading levels, roles written without
  backticks, raw HTML (it shows on the website only), images without real alt text or whose
  file is missing;
* data/*.yaml: valid YAML with real dates; SVG files: well-formed SVG;
* words: the house style's avoid list (data/avoid-words.yaml), outside quotations and titles.

Problems that only Sphinx can see (a label that does not exist, an unknown directive, a page
outside the table of contents) are reported by the Sphinx build that follows, through
tools/sphinx_run.py, in the same form.
"""

from __future__ import annotations

import ast
import difflib
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "_ext"))

from bibrules import REQUIRED  # noqa: E402

SKIP_DIRS = {"_build", ".venv", ".git", "node_modules", "__pycache__", ".nox", ".pytest_cache"}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    what: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.what}\n    -> {self.fix}"


class Book:
    """The files of one book (the handbook, or a fixture such as the kitchen sink)."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.problems: list[Problem] = []
        self.texts: dict[Path, str] = {}  # files that decoded as UTF-8

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def report(self, path: Path, line: int | None, what: str, fix: str) -> None:
        self.problems.append(Problem(self.rel(path), line, what, fix))

    def walk(self, pattern: str) -> list[Path]:
        return sorted(p for p in self.root.glob(pattern)
                      if p.is_file() and not SKIP_DIRS & set(p.relative_to(self.root).parts))

    def include_patterns(self) -> list[str] | None:
        """conf.py's include_patterns, read without running conf.py."""
        conf = self.root / "conf.py"
        if not conf.exists():
            return None
        try:
            tree = ast.parse(conf.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            return None
        for node in tree.body:
            if (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "include_patterns" for t in node.targets)):
                try:
                    return [p for p in ast.literal_eval(node.value) if isinstance(p, str)]
                except ValueError:
                    return None
        return None

    def sources(self) -> list[Path]:
        """The book's Markdown: what conf.py includes, plus snippets/ (included from chapters)."""
        patterns = self.include_patterns() or ["**"]
        globs = [p + "/*.md" if p.endswith("**") else p for p in patterns] + ["snippets/**/*.md"]
        globs = [g for g in globs if g.endswith(".md")]
        seen = []
        for pattern in globs:
            seen += [p for p in self.walk(pattern) if p not in seen]
        return seen

    def chapters(self) -> list[Path]:
        if (self.root / "chapters").is_dir():
            return self.walk("chapters/**/*.md")
        # A fixture: every page that carries front matter is held to the chapter rules.
        return [p for p in self.sources() if self.texts.get(p, "").startswith("---\n")]

    def bibfiles(self) -> list[Path]:
        return self.walk("*.bib")

    def datafiles(self) -> list[Path]:
        return self.walk("data/**/*.yaml") + self.walk("data/**/*.yml")

    def svgfiles(self) -> list[Path]:
        return self.walk("**/*.svg")


# -- Encodings ------------------------------------------------------------------------------------

def check_encoding(book: Book, path: Path) -> str | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        guess = data[err.start:err.start + 1].decode("latin-1")
        book.report(path, line, f"the file is not UTF-8 text: byte 0x{data[err.start]:02X} in column "
                    f"{column} (perhaps {guess!r} saved as Latin-1 or Windows-1252)",
                    "save the file as UTF-8 (in most editors: 'Save with encoding' > UTF-8), "
                    "then retype that character if it changed")
        return None
    if text.startswith("\ufeff"):
        book.report(path, 1, "the file starts with a byte-order mark (BOM)",
                    "save it as UTF-8 without BOM")
        text = text[1:]
    text = text.replace("\r\n", "\n")
    book.texts[path] = text
    return text


# -- YAML with dates kept as text, so that impossible dates are reported, not crashes -------------

class TextDateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser if present
    pass


TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def real_date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def load_yaml(book: Book, path: Path, text: str, first_line: int = 1):
    """Parse YAML; report a syntax error with its line. Returns (ok, data)."""
    try:
        return True, yaml.load(text, Loader=TextDateLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        context = getattr(err, "context_mark", None)
        line = first_line + mark.line if mark else first_line
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        if context is not None and context.line < (mark.line if mark else context.line + 1):
            # Report where the open construct (a quote, a bracket, a mapping) started.
            problem += f"; what starts on line {first_line + context.line} is still open on line {line}"
            line = first_line + context.line
        book.report(path, line, f"the YAML is not valid ({problem})",
                    "check the indentation and the colons on this line and the one before; "
                    "put text that contains ': ' or starts with a special character in quotes")
        return False, None


def key_line(text: str, key: str, first_line: int) -> int:
    for number, line in enumerate(text.splitlines()):
        if re.match(rf"\s*-?\s*{re.escape(key)}\s*:", line):
            return first_line + number
    return first_line


def check_dates_in(book: Book, path: Path, text: str, data, first_line: int) -> None:
    """Any value that looks like a date (2026-13-45) must be a real one."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, str) and DATE_LIKE.match(value) and real_date(value) is None:
                    book.report(path, key_line(text, str(key), first_line),
                                f"'{key}: {value}' is not a real date",
                                "write the date as YYYY-MM-DD with a real month and day, e.g. 2026-12-03")
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def check_data_file(book: Book, path: Path) -> None:
    text = check_encoding(book, path)
    if text is None:
        return
    ok, data = load_yaml(book, path, text)
    if ok:
        check_dates_in(book, path, text, data, 1)


# -- Front matter ---------------------------------------------------------------------------------

def front_matter(book: Book, path: Path, text: str) -> dict | None:
    if not text.startswith("---\n"):
        return None
    end = re.search(r"^---\s*$", text[4:], re.M)
    if end is None:
        book.report(path, 1, "the front matter that starts with '---' on line 1 is never closed",
                    "end it with a line holding only '---', before the page's label and title")
        return {}
    block = text[4:4 + end.start()]
    ok, data = load_yaml(book, path, block, first_line=2)
    if not ok:
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        book.report(path, 2, "the front matter is not a list of 'key: value' lines",
                    "write each entry as 'key: value', e.g. 'last-reviewed: 2026-12-03'")
        return {}
    data["__block__"] = block
    check_dates_in(book, path, block, {k: v for k, v in data.items() if k != "last-reviewed"}, 2)
    return data


def check_chapter_front_matter(book: Book, path: Path, meta: dict | None, today: date) -> None:
    if meta is None:
        book.report(path, 1, "the chapter has no front matter",
                    "start the file with '---', then 'description: ...', 'keywords: ...', "
                    "'last-reviewed: YYYY-MM-DD', then '---'")
        return
    if not meta:  # already reported
        return
    block = meta["__block__"]
    reviewed = meta.get("last-reviewed")
    if reviewed is None:
        near = [k for k in meta if k != "__block__" and difflib.get_close_matches(str(k), ["last-reviewed"], cutoff=0.7)]
        hint = f" ('{near[0]}' looks like a misspelling of it)" if near else ""
        book.report(path, 1, f"the chapter's front matter has no 'last-reviewed' date{hint}; without it "
                    "the chapter loses 'Last reviewed' and 'Cite this chapter'",
                    "add 'last-reviewed: YYYY-MM-DD' (the day the chapter was last reviewed)")
    else:
        line = key_line(block, "last-reviewed", 2)
        day = real_date(str(reviewed))
        if day is None:
            book.report(path, line, f"last-reviewed '{reviewed}' is not a real date",
                        "write the date as YYYY-MM-DD with a real month and day, e.g. 2026-12-03")
        elif day > today:
            book.report(path, line, f"last-reviewed {day} is in the future",
                        "use the day the chapter was actually reviewed")
    description = meta.get("description")
    if not isinstance(description, str) or not description.strip():
        book.report(path, 1, "the chapter's front matter has no 'description' (the page's summary "
                    "for search engines)", "add 'description: one sentence saying what the chapter covers'")


# -- Bibliography ---------------------------------------------------------------------------------

@dataclass
class BibEntry:
    path: Path
    line: int
    type: str
    key: str
    text: str


def scan_bib(book: Book, path: Path, text: str) -> list[BibEntry]:
    """Split a .bib file into entries by brace matching; report unclosed ones with their line."""
    entries = []
    starts = [m for m in re.finditer(r"^[ \t]*@(\w+)\s*([{(])", text, re.M)]
    for i, match in enumerate(starts):
        kind = match.group(1).lower()
        start = match.start()
        line = text.count("\n", 0, start) + 1
        limit = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        depth, pos, end = 0, match.end() - 1, None
        opener, closer = match.group(2), "}" if match.group(2) == "{" else ")"
        while pos < limit:
            char = text[pos]
            if char == "\\":
                pos += 2
                continue
            if char == opener or (char == "{" and opener == "("):
                depth += 1
            elif char == closer or (char == "}" and opener == "("):
                depth -= 1
                if depth == 0:
                    end = pos + 1
                    break
            pos += 1
        head = text[match.end():limit]
        key_match = re.match(r"\s*([^,\s{}()]+)\s*,", head)
        key = key_match.group(1) if key_match else ""
        name = f"entry '{key}'" if key else f"the @{kind} entry"
        if end is None:
            book.report(path, line, f"{name} starting on this line is not closed: a '}}' is missing "
                        f"(the braces of its fields do not balance before the next entry)",
                        "count the braces in this entry: every field is written  name = {value},  "
                        "and the entry ends with a line holding only '}'")
            continue
        if depth < 0:
            continue
        if kind in {"comment", "preamble", "string"}:
            continue
        if not key:
            book.report(path, line, f"the @{kind} entry on this line has no key",
                        "write the key after the opening brace, then a comma: @article{Author2024Word,")
            continue
        trailing = text[end:limit]
        stray = re.search(r"[{}]", re.sub(r"^%.*$", "", trailing, flags=re.M))
        if stray:
            stray_line = text.count("\n", 0, end + stray.start()) + 1
            book.report(path, stray_line, f"a stray '{stray.group()}' after the end of entry '{key}'",
                        "the entry closed earlier than intended: check the braces of its fields")
        entries.append(BibEntry(path, line, kind, key, text[start:end]))
    return entries


def check_bib(book: Book, known_keys: dict[str, BibEntry], today: date) -> None:
    # pybtex's own parse_string(text, "bibtex") looks its parser up among the installed packages'
    # entry points on every call (a second per build); the parser class is the same.
    from pybtex.database.input.bibtex import Parser
    from pybtex.scanner import PybtexSyntaxError

    try:
        from handbook_catalogue import check_entry, group_of
    except ImportError:  # a fixture without the catalogue extension
        check_entry = group_of = None

    for path in book.bibfiles():
        text = check_encoding(book, path)
        if text is None:
            continue
        for entry in scan_bib(book, path, text):
            folded = entry.key.lower()
            if folded in known_keys:
                first = known_keys[folded]
                book.report(path, entry.line, f"duplicate key '{entry.key}': it is already used on line "
                            f"{first.line} of {book.rel(first.path)}",
                            "give each work one entry: delete this one, or rename its key if it is a "
                            "different work (keys are compared without regard to case)")
                continue
            known_keys[folded] = entry
            try:
                parsed = Parser().parse_string(entry.text)
            except PybtexSyntaxError as err:
                line = entry.line + (getattr(err, "lineno", 1) or 1) - 1
                book.report(path, line, f"entry '{entry.key}' cannot be read: {err.message if hasattr(err, 'message') else err}",
                            "write each field as  name = {value},  with a comma between fields")
                continue
            except Exception as err:  # noqa: BLE001 (pybtex has several error types)
                book.report(path, entry.line, f"entry '{entry.key}' cannot be read: {err}",
                            "write each field as  name = {value},  with a comma between fields")
                continue
            if not parsed.entries:
                continue
            bib = next(iter(parsed.entries.values()))
            check_bib_entry(book, entry, bib, today, check_entry, group_of)


def field_line(entry: BibEntry, field: str) -> int:
    match = re.search(rf"^\s*{re.escape(field)}\s*=", entry.text, re.M | re.I)
    return entry.line + entry.text.count("\n", 0, match.start()) if match else entry.line


def check_bib_entry(book: Book, entry: BibEntry, bib, today: date, check_entry, group_of) -> None:
    key, path = entry.key, entry.path
    fields = {f.lower(): v for f, v in bib.fields.items()}
    names = set(fields) | {r.lower() for r in bib.persons}
    needs = REQUIRED.get(entry.type)
    if fields.get("verification") == "unconfirmed":
        if not fields.get("note"):
            book.report(path, entry.line, f"entry '{key}' is marked unconfirmed but has no 'note'",
                        "add  note = {what could not be confirmed},")
        needs = ["title"]
    if needs is None:
        book.report(path, entry.line, f"entry '{key}' has the type @{entry.type}, which the handbook "
                    "does not use", "use one of: " + ", ".join("@" + t for t in REQUIRED))
        needs = []
    for need in needs:
        options = need if isinstance(need, tuple) else (need,)
        if not names & set(options):
            book.report(path, entry.line, f"entry '{key}' (@{entry.type}) has no "
                        f"'{' or '.join(options)}' field",
                        f"add  {options[0]} = {{...}},  (every @{entry.type} needs it)")
    if "url" in fields and "urldate" not in fields:
        book.report(path, field_line(entry, "url"), f"entry '{key}' has a url but no urldate",
                    "add  urldate = {YYYY-MM-DD},  the day you last opened the link")
    if "urldate" in fields and "url" not in fields:
        book.report(path, field_line(entry, "urldate"), f"entry '{key}' has a urldate but no url",
                    "an access date needs the address that was opened: add  url = {https://...}, "
                    "or move the date into checknote")
    if "urldate" in fields:
        day = real_date(fields["urldate"].strip())
        if day is None:
            book.report(path, field_line(entry, "urldate"), f"entry '{key}': urldate "
                        f"'{fields['urldate']}' is not a real date",
                        "write it as YYYY-MM-DD with a real month and day, e.g. 2026-12-03")
        elif day > today:
            book.report(path, field_line(entry, "urldate"), f"entry '{key}': urldate {day} is in the future",
                        "use the day you last opened the link")
    if "year" in fields and not re.fullmatch(r"(1[5-9]|20)\d\d", fields["year"].strip()):
        book.report(path, field_line(entry, "year"), f"entry '{key}': year '{fields['year']}' is not a year",
                    "write four digits, e.g. 2019")
    if "date" in fields:
        value = fields["date"].strip()
        ok = re.fullmatch(r"\d{4}(-\d{2})?", value) and (len(value) == 4 or 1 <= int(value[5:7]) <= 12)
        if not ok and real_date(value) is None:
            book.report(path, field_line(entry, "date"), f"entry '{key}': date '{value}' is not a real date",
                        "write YYYY, YYYY-MM or YYYY-MM-DD with a real month and day")
    if check_entry is not None and group_of(bib) is not None:
        for problem in check_entry(key, bib):
            field = re.search(r"field '(\w+)'", problem)
            book.report(path, field_line(entry, field.group(1)) if field else entry.line,
                        "catalogue entry " + problem,
                        "use one of the allowed values listed in the message (they are listed at the "
                        "top of _ext/handbook_catalogue.py), spelled exactly")


# -- Markdown sources -----------------------------------------------------------------------------

FENCE = re.compile(r"^(\s*)(`{3,}|:{3,})(.*)$")
LITERAL_DIRECTIVES = {"code-block", "code", "sourcecode", "literalinclude", "math", "raw",
                      "bibliography", "eval-rst", "csv-table", "mermaid", "graphviz"}
ROLE_NO_BACKTICKS = re.compile(r"(?<![{`\\])\{([a-z][\w:.-]*)\}(?=[^`\s:]|\s+[A-Za-z])")
HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>")
IMAGE_MD = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?[^)]*\)")
PLACEHOLDER_ALT = {"image", "figure", "picture", "photo", "diagram", "graphic", "chart", "alt",
                   "alt text", "todo", "tbd", "placeholder", "xxx", "untitled", "screenshot",
                   "img", "icon", "logo", "..."}
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]*)`")


@dataclass
class Fence:
    line: int
    marker: str
    info: str
    indent: int

    @property
    def name(self) -> str:
        match = re.match(r"\{([^}]*)\}", self.info.strip())
        return match.group(1) if match else ""

    @property
    def literal(self) -> bool:
        return not self.name or self.name in LITERAL_DIRECTIVES


def scan_markdown(book: Book, path: Path, text: str) -> list[tuple[int, str, list[Fence]]]:
    """Lines with the stack of fences they sit in; reports fences that are never closed.

    A fence closes at a line of the same character, at least as long, with nothing after it
    (as in markdown-it). A directive fence that opens inside another one of the same character
    and the same length cannot nest: the outer one is almost always missing its closing line.
    """
    lines = text.split("\n")
    body_start = 0
    if text.startswith("---\n"):
        end = next((i for i, l in enumerate(lines[1:], 1) if l.strip() == "---"), None)
        body_start = (end + 1) if end is not None else len(lines)
    stack: list[Fence] = []
    result = []
    for number in range(body_start, len(lines)):
        line = lines[number]
        match = FENCE.match(line)
        if match:
            indent, marker, info = len(match.group(1)), match.group(2), match.group(3)
            top = stack[-1] if stack else None
            if top and marker[0] == top.marker[0] and len(marker) >= len(top.marker) and not info.strip():
                stack.pop()
                result.append((number + 1, line, list(stack)))
                continue
            if top and top.literal:
                result.append((number + 1, line, list(stack)))
                continue
            if marker[0] == ":" and not info.strip().startswith("{"):
                result.append((number + 1, line, list(stack)))
                continue
            if top and marker[0] == top.marker[0] and len(marker) >= len(top.marker) and info.strip():
                book.report(path, top.line, f"the '{top.marker}{top.info.strip()}' block opened on this line "
                            f"is not closed before the '{marker}{info.strip()}' block on line {number + 1} starts",
                            f"close it with a line holding only '{top.marker}' where it should end "
                            f"(a block inside another needs a longer outer fence, such as '{top.marker[0] * (len(top.marker) + 1)}')")
                stack.pop()
            stack.append(Fence(number + 1, marker, info, indent))
            result.append((number + 1, line, list(stack[:-1])))
            continue
        result.append((number + 1, line, list(stack)))
    for fence in stack:
        book.report(path, fence.line, f"the '{fence.marker}{fence.info.strip()}' block opened on this line "
                    "is never closed, so it swallows the rest of the file",
                    f"close it with a line holding only '{fence.marker}' where the block should end")
    return result


def strip_code(line: str, keep_roles: bool = False) -> str:
    """The line without inline code spans and role contents (the parts in backticks).

    With keep_roles, a role's backticks stay (as blanks between backticks), so that
    "{term}`x`" can be told from "{term}x".
    """
    if keep_roles:
        return re.sub(r"(`+)(.+?)\1", lambda m: m.group(1) + " " * len(m.group(2)) + m.group(1), line)
    return re.sub(r"(`+)(.+?)\1", lambda m: " " * len(m.group(0)), line)


def check_markdown(book: Book, path: Path, text: str, keys: set[str], avoid) -> None:
    lines = scan_markdown(book, path, text)
    level = None
    prose: list[tuple[int, str, list[Fence]]] = []
    for number, line, stack in lines:
        literal = any(f.literal for f in stack)
        if FENCE.match(line) or literal:
            if FENCE.match(line) and not literal:
                check_fence_line(book, path, number, line)
            continue
        if any(f.name in {"figure", "image"} for f in stack) and re.match(r"\s*:\w", line):
            continue  # options of an image are checked with the image
        code_free = strip_code(line)
        for match in CITE.finditer(line):
            for key in match.group(1).split(","):
                key = key.strip()
                if key and key not in keys:
                    close = difflib.get_close_matches(key, keys, n=1)
                    book.report(path, number, f"citation key '{key}' is not in the bibliography",
                                f"did you mean '{close[0]}'? Keys are case-sensitive" if close else
                                "check the spelling (keys are case-sensitive) or add the work to references.bib")
        heading = re.match(r"^(#{1,6})\s", line)
        if heading and not stack:
            depth = len(heading.group(1))
            if level is not None and depth > level + 1:
                book.report(path, number, f"the heading jumps from level {level} ({'#' * level}) to level "
                            f"{depth} ({'#' * depth})", f"use {'#' * (level + 1)} here: heading levels never skip")
            level = depth
        with_roles = strip_code(line, keep_roles=True)
        for match in ROLE_NO_BACKTICKS.finditer(with_roles):
            if match.start() and with_roles[match.start() - 1] in "`":
                continue
            book.report(path, number, f"the role '{{{match.group(1)}}}' is not followed by backticks, so "
                        "readers would see it as it is typed",
                        f"write it as {{{match.group(1)}}}`target`, with the target in backticks")
        for match in HTML_TAG.finditer(code_free):
            book.report(path, number, f"raw HTML ('{match.group(0)[:40]}'): it shows on the website but "
                        "vanishes from the PDF and the ePub",
                        "use MyST Markdown instead (e.g. **bold**, a list, an admonition, a {figure})")
        for match in IMAGE_MD.finditer(code_free):
            check_image(book, path, number, match.group(2), match.group(1))
        prose.append((number, line, stack))
    for index, (number, line, stack) in enumerate(lines):
        if not FENCE.match(line):
            continue
        fence = FENCE.match(line)
        info = fence.group(3).strip()
        directive = re.match(r"\{(figure|image)\}\s*(\S*)", info)
        if directive and not any(f.literal for f in stack):
            options = []
            for option_line, option, _ in lines[index + 1:]:
                if not re.match(r"\s*:[\w-]+:", option):
                    break
                options.append((option_line, option))
            alt = next(((n, re.sub(r"^\s*:alt:\s*", "", o)) for n, o in options if re.match(r"\s*:alt:", o)), None)
            check_image(book, path, number, directive.group(2), alt[1] if alt else None,
                        alt[0] if alt else number)
    check_avoid_words(book, path, prose, avoid)


def check_fence_line(book: Book, path: Path, number: int, line: str) -> None:
    info = FENCE.match(line).group(3).strip()
    if info.startswith("{") and "}" not in info:
        book.report(path, number, f"the directive name in '{line.strip()}' has no closing brace",
                    "write it as ```{name} or :::{name}")


def check_image(book: Book, path: Path, number: int, target: str, alt: str | None,
                alt_number: int | None = None) -> None:
    if target and not re.match(r"[a-z]+://", target):
        base = book.root if target.startswith("/") else path.parent
        if not (base / target.lstrip("/")).exists():
            book.report(path, number, f"the image file '{target}' does not exist",
                        "check the path: it is relative to this file (e.g. ../_static/figures/name.svg)")
    name = Path(target).name.lower()
    text = (alt or "").strip().strip('"').strip()
    if not text:
        book.report(path, number, f"the image '{target}' has no alt text",
                    "add ':alt: ' (or ![alt text](...)) with a sentence describing what the image shows")
    elif text.lower() in PLACEHOLDER_ALT or text.lower() in {name, Path(name).stem} \
            or re.search(r"\.(svg|png|jpe?g|gif|webp|pdf)\b", text, re.I):
        book.report(path, alt_number or number, f"the alt text of '{target}' is '{text}', a file name or placeholder",
                    "describe what the image shows, in a sentence, for readers who cannot see it")


def avoid_data(root: Path) -> dict:
    for candidate in (root / "data" / "avoid-words.yaml", HERE.parent / "data" / "avoid-words.yaml"):
        if candidate.exists():
            try:
                data = yaml.safe_load(candidate.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                return {}  # reported as a data file with its line
            return data if isinstance(data, dict) else {}
    return {}


def check_avoid_words(book: Book, path: Path, prose, avoid: dict) -> None:
    words = avoid.get("words") or []
    if not words:
        return
    rel = book.rel(path)
    exceptions = [e for e in avoid.get("exceptions") or [] if e.get("file") == rel]
    # Paragraphs: consecutive prose lines, so quotations that wrap are seen whole.
    paragraphs: list[list[tuple[int, str, list[Fence]]]] = []
    for item in prose:
        if paragraphs and paragraphs[-1][-1][0] == item[0] - 1 and item[1].strip():
            paragraphs[-1].append(item)
        elif item[1].strip():
            paragraphs.append([item])
    for para in paragraphs:
        text = "\n".join(strip_code(l) for _, l, _ in para)
        text = re.sub(r"\]\([^)]*\)", "]", text)  # link addresses
        blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731 (keep line breaks)
        text = re.sub(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d", blank, text, flags=re.S)  # quotations
        text = re.sub(r"(?<![*\w])\*(?!\*)[^*]+\*(?!\*)|(?<!\w)_[^_]+_(?!\w)", blank, text)  # titles
        for word in words:
            for match in re.finditer(rf"\b(?:{word['pattern']})\b", text, re.I):
                offset = text.count("\n", 0, match.start())
                number, line, stack = para[offset]
                if excepted(exceptions, line, stack):
                    continue
                book.report(path, number, f"'{match.group(0)}' is on the house style's avoid list "
                            "(STYLE.md section 2, data/avoid-words.yaml)",
                            f"write '{word['prefer']}' instead; if you quote a source or a title, put "
                            "the words in quotation marks or italics; if it is right here, add an "
                            "exception with its reason to data/avoid-words.yaml")


def excepted(exceptions, line: str, stack: list[Fence]) -> bool:
    for exception in exceptions:
        if "line" in exception and exception["line"] in line:
            return True
        if "block" in exception and any(exception["block"] in f.info for f in stack):
            return True
    return False


# -- SVG ------------------------------------------------------------------------------------------

def check_svg(book: Book, path: Path) -> None:
    text = check_encoding(book, path)
    if text is None:
        return
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as err:
        book.report(path, err.position[0], f"the SVG file is damaged or truncated ({err.msg if hasattr(err, 'msg') else err})",
                    "export the figure again from its drawing program, or restore it from git")
        return
    if root.tag not in {"{http://www.w3.org/2000/svg}svg", "svg"}:
        book.report(path, 1, f"the file is XML but not SVG (its root element is <{root.tag}>)",
                    "export the figure as SVG")
    elif "viewBox" not in root.attrib and not {"width", "height"} <= set(root.attrib):
        book.report(path, 1, "the SVG has neither a viewBox nor a width and height, so its size is unknown",
                    "add a viewBox attribute to the <svg> element")


# -- Everything -----------------------------------------------------------------------------------

def guarded(book: Book, path: Path, check, *args) -> None:
    """Run one check on one file; a bug in a check is reported as a problem, never a traceback."""
    try:
        check(*args)
    except Exception as err:  # noqa: BLE001
        book.report(path, None, f"the start-up check could not read this file ({type(err).__name__}: {err})",
                    "look for unusual markup in it; if it looks right, this is a bug in tools/precheck.py")


def run(root: Path, today: date | None = None) -> list[Problem]:
    today = today or date.today()
    book = Book(root)
    keys: dict[str, BibEntry] = {}
    guarded(book, root / "references.bib", check_bib, book, keys, today)
    real_keys = {e.key for e in keys.values()}
    shared = HERE.parent / "references.bib"
    if not (book.root / "references.bib").exists() and shared.exists():
        # A fixture inside the repository (the kitchen sink) cites the book's bibliography too;
        # that file is the book's to check, so only its keys are read here.
        real_keys |= {e.key for e in scan_bib(Book(HERE.parent), shared, shared.read_text(encoding="utf-8"))}
    for path in book.datafiles():
        guarded(book, path, check_data_file, book, path)
    for path in book.svgfiles():
        guarded(book, path, check_svg, book, path)
    avoid = avoid_data(book.root)
    metas = {}
    for path in book.sources():
        text = check_encoding(book, path)
        if text is None:
            continue
        guarded(book, path, lambda: metas.__setitem__(path, front_matter(book, path, text)))
        guarded(book, path, check_markdown, book, path, text, real_keys, avoid)
    for path in book.chapters():
        if path in book.texts:
            guarded(book, path, check_chapter_front_matter, book, path, metas.get(path, {}), today)
    return book.problems


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else HERE.parent
    try:
        problems = run(root)
    except Exception as err:  # noqa: BLE001 (never a traceback for an editor)
        print(f"The start-up check failed ({type(err).__name__}: {err}). This is a bug in "
              "tools/precheck.py; the Sphinx build will still report problems.", file=sys.stderr)
        return 1
    if not problems:
        return 0
    order = sorted(problems, key=lambda p: (p.path, p.line or 0))
    print(f"The start-up check found {len(order)} problem{'s' * (len(order) != 1)} in {root}:\n",
          file=sys.stderr)
    for problem in order:
        print(problem, file=sys.stderr)
    print("\nFix each one, then build again. README.md ('When the build fails') explains the "
          "messages.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

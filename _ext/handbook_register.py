"""The register of time-sensitive facts, and the reader-visible "as of" dates that come from it.

Laws, programme operators, contact details and "latest" figures change. Each such fact is an
entry in ``data/register/*.yaml`` (one file per area of the book)::

    - id: hotline-operator
      fact: "The hotline is operated by ... under an HHS grant."
      sources: [ACF2025HotlineGrant]      # keys in references.bib
      checked: 2026-12-03                 # the day it was checked against those sources
      next-check: 2027-06-01              # when an editor should check it again
      note: "what to look at when re-checking (optional)"

This extension

* checks every entry when the build starts (an id, a fact, at least one source that exists in
  references.bib, real dates, next-check after checked) and fails the build naming the file,
  the entry and what to fix;
* adds the role ``{asof}`hotline-operator``` which prints "as of December 2026" (the month the
  fact was last checked) beside the statement in every format, and fails the build for an id
  that is not in the register;
* fills the ``{register-table}`` directive on the editors' page (editors/register.md, not part
  of the reader's book) with every fact, where the book states it, and whether it is due.

"Due" is reckoned from the date of the build's source: SOURCE_DATE_EPOCH when set (the noxfile
sets it from the last commit), otherwise today.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date, datetime, timezone
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

# libyaml's parser when PyYAML has it (the wheels do): the same data, several times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

logger = logging.getLogger(__name__)

REGISTER_DIR = Path("data") / "register"
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FIELDS = {"id", "fact", "sources", "checked", "next-check", "note"}


class RegisterError(ValueError):
    """A register entry that breaks the rules; the message names the file and the entry."""


def bib_keys(bibfile: Path) -> set[str]:
    text = bibfile.read_text(encoding="utf-8")
    return set(re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", text, re.M))


def as_date(value, field: str, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RegisterError(f"{where}: {field} must be a date like 2026-12-03, not {value!r}") from None


def load_register(folder: Path, keys: set[str]) -> dict[str, dict]:
    """Every entry of every YAML file in ``folder``, checked, by id."""
    entries: dict[str, dict] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            items = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or []
        except yaml.YAMLError as error:
            problems.append(f"{path}: not valid YAML ({error}). Fix the indentation or quoting.")
            continue
        except ValueError as error:  # YAML reads 2026-13-45 as a date and fails
            problems.append(f"{path}: a date that does not exist ({error}); write real dates as 2026-12-03.")
            continue
        if not isinstance(items, list):
            problems.append(f"{path}: must be a list of entries, each starting with '- id:'.")
            continue
        for number, item in enumerate(items, 1):
            where = f"{path}, entry {number}"
            try:
                entry = check_entry(item, where, keys)
            except RegisterError as error:
                problems.append(str(error))
                continue
            if entry["id"] in entries:
                problems.append(f"{where}: id {entry['id']!r} is already used in {entries[entry['id']]['file']}.")
                continue
            entry["file"] = str(path)
            entries[entry["id"]] = entry
    if problems:
        raise RegisterError("\n".join(problems))
    return entries


def check_entry(item, where: str, keys: set[str]) -> dict:
    if not isinstance(item, dict):
        raise RegisterError(f"{where}: each entry is a mapping with id, fact, sources, checked, next-check.")
    ident = str(item.get("id", ""))
    if ident:
        where = f"{where} ({ident})"
    unknown = set(item) - FIELDS
    if unknown:
        raise RegisterError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(FIELDS))}.")
    if not ID_PATTERN.match(ident):
        raise RegisterError(f"{where}: id must be lowercase words joined by hyphens, e.g. hotline-operator.")
    if not str(item.get("fact", "")).strip():
        raise RegisterError(f"{where}: 'fact' is missing: state the fact as the book states it.")
    sources = item.get("sources")
    if isinstance(sources, str):
        sources = [sources]
    if not sources:
        raise RegisterError(f"{where}: 'sources' is missing: list the references.bib key(s) it was checked against.")
    missing = [key for key in sources if key not in keys]
    if missing:
        raise RegisterError(f"{where}: source key(s) {', '.join(missing)} not found in references.bib.")
    if "checked" not in item:
        raise RegisterError(f"{where}: 'checked' is missing: the date the fact was last checked.")
    checked = as_date(item["checked"], "checked", where)
    if "next-check" not in item:
        raise RegisterError(f"{where}: 'next-check' is missing: when an editor should check it again.")
    next_check = as_date(item["next-check"], "next-check", where)
    if next_check <= checked:
        raise RegisterError(f"{where}: next-check ({next_check}) must come after checked ({checked}).")
    return {"id": ident, "fact": str(item["fact"]).strip(), "sources": list(sources), "checked": checked,
            "next-check": next_check, "note": str(item.get("note", "") or "").strip()}


def reference_day() -> date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return date.today()


def as_of_text(entry: dict) -> str:
    return f"as of {entry['checked']:%B %Y}"


class AsOfRole(SphinxRole):
    """``{asof}`fact-id``` -> "as of December 2026", from the register."""

    def run(self):
        ident = self.text.strip()
        register = getattr(self.env.app, "handbook_register", {})
        used = self.env.__dict__.setdefault("handbook_asof", {})
        used.setdefault(self.env.docname, set()).add(ident)
        entry = register.get(ident)
        # Re-read this page when the register entry behind its date changes.
        for path in sorted((Path(self.env.srcdir) / REGISTER_DIR).glob("*.yaml")):
            if entry is None or str(path) == entry["file"]:
                self.env.note_dependency(str(path))
        if entry is None:
            logger.warning("{asof}`%s`: no fact with this id in data/register/*.yaml; add it there "
                           "(with its sources and checked date) or fix the id", ident,
                           location=self.get_location())
            return [nodes.inline(self.rawtext, f"as of {ident}?")], []
        node = nodes.inline(self.rawtext, as_of_text(entry), classes=["as-of"])
        return [node], []


class register_table(nodes.General, nodes.Element):
    """Placeholder, filled once every document has been read (where each fact is used)."""


class RegisterTable(SphinxDirective):
    has_content = False

    def run(self):
        self.env.__dict__.setdefault("handbook_register_pages", set()).add(self.env.docname)
        return [register_table()]


def load(app) -> None:
    root = Path(app.srcdir)
    folder = root / REGISTER_DIR
    if not folder.is_dir():
        app.handbook_register = {}
        return
    try:
        keys = set().union(*(bib_keys(root / bib) for bib in app.config.bibtex_bibfiles))
        app.handbook_register = load_register(folder, keys)
    except RegisterError as error:
        app.handbook_register = {}
        for line in str(error).splitlines():
            logger.error("register of time-sensitive facts: %s", line)


def purge(app, env, docname):
    getattr(env, "handbook_asof", {}).pop(docname, None)
    getattr(env, "handbook_register_pages", set()).discard(docname)


def rewrite_when_table_changes(app, env):
    """Write the editors' page again when its table would change, though the page was not read.

    The table (filled in when the page is written) depends on the register, on where each fact
    is used in the book and on the day of the build. Their digest is kept, per builder, in the
    environment, so a rebuild that changes none of them does not write the page again.
    """
    pages = sorted(getattr(env, "handbook_register_pages", set()) & env.found_docs)
    if not pages:
        return []
    inputs = (sorted((d, sorted(ids)) for d, ids in getattr(env, "handbook_asof", {}).items()),
              sorted((k, sorted(v.items())) for k, v in getattr(app, "handbook_register", {}).items()),
              reference_day())
    digest = hashlib.sha256(repr(inputs).encode("utf-8")).hexdigest()
    written = env.__dict__.setdefault("handbook_register_written", {})
    if written.get(app.builder.name) == digest:
        return []
    written[app.builder.name] = digest
    return pages


def merge(app, env, docnames, other):
    mine = env.__dict__.setdefault("handbook_asof", {})
    for docname, ids in getattr(other, "handbook_asof", {}).items():
        if docname in docnames:
            mine[docname] = ids
    pages = env.__dict__.setdefault("handbook_register_pages", set())
    pages.update(set(getattr(other, "handbook_register_pages", set())) & set(docnames))


def fill_table(app, doctree, docname):
    for placeholder in list(doctree.findall(register_table)):
        placeholder.replace_self(build_table(app, app.env))


def build_table(app, env) -> nodes.Node:
    today = reference_day()
    used: dict[str, list[str]] = {}
    for docname, ids in sorted(getattr(env, "handbook_asof", {}).items()):
        for ident in ids:
            used.setdefault(ident, []).append(docname)
    rows = sorted(app.handbook_register.values(), key=lambda e: (e["next-check"], e["id"]))
    due = [e for e in rows if e["next-check"] <= today]
    container = nodes.container()
    summary = nodes.paragraph()
    summary += nodes.Text(f"{len(rows)} facts in the register; {len(due)} due for checking on {today:%d %B %Y}. ")
    unused = [e["id"] for e in rows if e["id"] not in used]
    if unused:
        summary += nodes.Text("Not stated with an 'as of' date anywhere in the book: " + ", ".join(unused) + ".")
    container += summary
    table = nodes.table(classes=["register"])
    group = nodes.tgroup(cols=6)
    table += group
    for width in (10, 34, 14, 10, 10, 22):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += row(["Status", "Fact", "Sources", "Checked", "Next check", "Where (id)"])
    body = nodes.tbody()
    group += body
    for entry in rows:
        status = "DUE" if entry["next-check"] <= today else "ok"
        where = ", ".join(used.get(entry["id"], ["not used"])) + f" ({entry['id']})"
        fact = entry["fact"] + (f" Note: {entry['note']}" if entry["note"] else "")
        body += row([status, fact, ", ".join(entry["sources"]), entry["checked"].isoformat(),
                     entry["next-check"].isoformat(), where])
    container += table
    return container


def row(cells: list[str]) -> nodes.row:
    result = nodes.row()
    for text in cells:
        entry = nodes.entry()
        entry += nodes.paragraph(text=text)
        result += entry
    return result


def setup(app):
    app.connect("builder-inited", load)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-get-updated", rewrite_when_table_changes)
    app.connect("doctree-resolved", fill_table)
    app.add_role("asof", AsOfRole())
    app.add_node(register_table)
    app.add_directive("register-table", RegisterTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

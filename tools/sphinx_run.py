"""Run sphinx-build so that every problem is reported on every run, in plain words.

    python tools/sphinx_run.py [sphinx-build arguments]     (the same arguments as sphinx-build)

* **No problem is forgotten.** Sphinx reports a warning only while it reads a file, and later
  runs reuse its cached environment (the doctrees folder, ``-d``). So a build that did not
  finish cleanly leaves a marker beside the doctrees (``<doctrees>.unfinished``), and the next
  run starts from a fresh environment: the same mistake fails the build again, however often the
  command is repeated. The marker is removed only by a run that passes.
* **Plain messages.** Each warning is printed as ``file:line: what is wrong`` with the path
  relative to the book, followed by ``-> what to do``. A crash inside Sphinx or an extension is
  reported in one paragraph (the error and where the technical report was saved), never as a
  Python traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
WARNING = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+))?: (?P<level>WARNING|ERROR|CRITICAL|SEVERE): "
                     r"(?P<msg>.*?)(?: \[(?P<type>[\w.]+)\])?$")

# What to do, by Sphinx's warning type (shown in brackets at the end of its messages).
HINTS = {
    "ref.ref": "no label of that name exists: check the spelling, or define the label with a line "
               "'(label-name)=' just above the heading it names",
    "ref.numref": "no figure or table has that label: check the spelling, or give it one with ':name:'",
    "ref.term": "the glossary (back/glossary.md) has no such term: check the spelling, link a different "
                "wording with {term}`text <glossary term>`, or add the term to the glossary",
    "ref.doc": "no page has that name: write the path without '.md', relative to this file "
               "(or starting with / from the book's folder)",
    "ref.any": "nothing has that name: check the spelling of the label",
    "bibtex.key_not_found": "add the work to references.bib, or correct the key (keys are case-sensitive)",
    "myst.directive_unknown": "check the directive's name: the book uses note, admonition, figure, "
                              "table, list-table, glossary, bibliography, grid, card, tab-set, dropdown",
    "myst.role_unknown": "check the role's name: the book uses cite:p, cite:t, ref, numref, term, doc",
    "myst.header": "headings go down one level at a time: # for the title, then ##, then ###",
    "myst.xref_missing": "the link target does not exist: use a label, {ref}`label`, not a file path",
    "myst.invalid_attribute": "check the option names of this directive",
    "myst.topmatter": "the front matter is not valid YAML: see the start-up check's message",
    "toc.not_readable": "the table of contents names a page that does not exist: correct the name "
                        "(a path without '.md') or add the page",
    "toc.not_included": "the page is in no table of contents, so readers cannot reach it: add it to a "
                        "{toctree} in index.md, or delete the file",
    "toc.excluded": "the table of contents names a page outside the book's folders (chapters/, back/)",
    "toc.circular": "a page lists itself, directly or indirectly, in its own table of contents",
    "myst.substitution": "no fact of that name: the names are the keys of data/facts.yaml (plus edition, "
                         "edition_date, edition_month); check the spelling inside {{ }}",
    "ref.duplicate": "two places define the same label: rename one of them",
    "image.not_readable": "the image file does not exist: check the path, relative to this file",
    "docutils": "the markup on this line is malformed: compare it with the same construct in "
                "tests/kitchen-sink/constructs.md",
    "handbook": "",  # the handbook's own checks say what to do in the message itself
}
DEFAULT_HINT = "see README.md, 'When the build fails', for what this message means"


def parse_args(args: list[str]) -> tuple[Path | None, Path | None]:
    """(source folder, doctrees folder) from sphinx-build arguments."""
    doctrees, positional, skip = None, [], False
    takes_value = {"-b", "-d", "-c", "-D", "-A", "-t", "-j", "-w", "--doctree-dir", "--jobs",
                   "--builder", "--conf-dir", "--define", "--html-define", "--tag", "--warning-file"}
    for i, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg in takes_value:
            skip = True
            if arg in {"-d", "--doctree-dir"}:
                doctrees = Path(args[i + 1])
            continue
        if not arg.startswith("-"):
            positional.append(arg)
    source = Path(positional[-2]) if len(positional) >= 2 else None
    return source, doctrees


def relative(path: str, source: Path | None) -> str:
    if source is None:
        return path
    try:
        return Path(path).resolve().relative_to(source.resolve()).as_posix()
    except ValueError:
        return path


# What to do, by the words of the message, where the type is too general.
MESSAGE_HINTS = {
    "Duplicate explicit target name": "two labels have the same name: rename one, and the references "
                                      "that mean it",
    "Duplicate implicit target name": "two headings on this page have the same title: make them "
                                      "different, or give each its own label",
}


def hint_for(kind: str | None, msg: str) -> str:
    for words, hint in MESSAGE_HINTS.items():
        if words in msg:
            return hint
    if kind is None:
        if "Unknown directive type" in msg:
            kind = "myst.directive_unknown"
        elif "Unknown interpreted text role" in msg:
            kind = "myst.role_unknown"
        elif msg.startswith("handbook: "):
            kind = "handbook"
    if kind in HINTS:
        return HINTS[kind]
    family = (kind or "").split(".")[0]
    return HINTS.get(family, DEFAULT_HINT)


def run(args: list[str]) -> int:
    source, doctrees = parse_args(args)
    marker = doctrees.with_name(doctrees.name + ".unfinished") if doctrees else None
    if marker is not None and marker.exists():
        print("The last build did not finish cleanly: starting from a fresh environment, so that "
              "every problem is reported again.", file=sys.stderr, flush=True)
        shutil.rmtree(doctrees, ignore_errors=True)
    if marker is not None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    # No colour codes: they would hide the messages from the patterns below (Sphinx colours its
    # output on some CI systems even when it is not a terminal).
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
    proc = subprocess.Popen([sys.executable, "-m", "sphinx", "--no-color", *args], stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", errors="replace", env=env)
    problems, crash = 0, []
    try:
        for raw in proc.stderr:
            line = ANSI.sub("", raw.rstrip("\n"))
            if crash or is_crash_start(line):
                crash.append(line)
                continue
            match = WARNING.match(line)
            if match:
                problems += 1
                where = relative(match["path"], source)
                if match["line"]:
                    where += ":" + match["line"]
                msg, _, fix = match["msg"].removeprefix("handbook: ").partition(" => ")
                print(f"{where}: {msg}", file=sys.stderr)
                hint = fix or hint_for(match["type"], match["msg"])
                if hint:
                    print(f"    -> {hint}", file=sys.stderr)
            elif line.startswith("build finished with problems") or not line.strip():
                continue
            else:
                print(line, file=sys.stderr)
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        raise
    if crash:
        report_crash(crash, source)
    if code == 0 and marker is not None:
        marker.unlink(missing_ok=True)
    elif problems:
        print(f"\n{problems} problem{'s' * (problems != 1)} above: fix each one and run the command "
              "again. Until they are fixed, every run reports them again.", file=sys.stderr)
    return code


def is_crash_start(line: str) -> bool:
    return bool(re.match(r"^(\w+ error( \([^)]*\))?!?|Exception occurred:|Traceback \(most recent call last\):)$",
                         line.strip()))


def report_crash(lines: list[str], source: Path | None) -> None:
    """One paragraph instead of Sphinx's crash report: the error, and where the details are."""
    text = "\n".join(lines)
    saved = re.search(r"(/\S*sphinx-err-\S+\.log)", text)
    errors = [l.strip() for l in lines if re.match(r"^\s*([\w.]+(Error|Exception|Warning)|[\w.]+\.\w+Error):", l)]
    detail = errors[-1] if errors else next((l.strip() for l in lines if l.strip()), "unknown error")
    detail = re.sub(r"^[\w.]+\.(?=\w+(Error|Exception):)", "", detail)
    inner = re.search(r"threw an exception \(exception: (.*)\)$", detail)
    if inner:  # an extension's handler failed: its own message is the useful part
        detail = inner.group(1)
    if source is not None:
        detail = detail.replace(str(source.resolve()) + "/", "")
    print("\nThe build stopped with an error it could not recover from:\n    " + detail, file=sys.stderr)
    print("    -> this is usually a mistake in a source file that the start-up check does not "
          "recognise: look at the file and line the message names, or the last file you changed. "
          + (f"The technical report is in {saved.group(1)}." if saved else ""), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))

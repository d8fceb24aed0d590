"""The ePub: valid under epubcheck, no findings from Ace by DAISY, a navigation that lists every
chapter, content in full."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from conftest import ROOT, SINK, excused, markers

EPUBCHECK = ["java", "-jar", "/usr/share/java/epubcheck.jar"]


def test_epubcheck_reports_no_errors_and_no_warnings(edition):
    assert edition.epub.exists(), f"{edition.epub} missing: run ./handbook test"
    result = subprocess.run([*EPUBCHECK, str(edition.epub)], capture_output=True, text=True)
    report = result.stdout + result.stderr
    summary = re.search(r"Messages: (\d+) fatals / (\d+) errors / (\d+) warnings", report)
    assert summary, report
    assert summary.groups() == ("0", "0", "0"), report


def test_navigation_lists_every_chapter(edition):
    with edition.epub_zip() as epub:
        nav = epub.read(next(n for n in epub.namelist() if n.endswith("nav.xhtml"))).decode()
        ncx = epub.read(next(n for n in epub.namelist() if n.endswith("toc.ncx"))).decode()
    for docname, title in edition.titles.items():
        if docname == "index":
            continue
        assert f'href="{docname}.xhtml"' in nav, f"nav.xhtml lacks {docname}"
        assert title in nav.replace("&amp;", "&"), f"nav.xhtml lacks the title {title!r}"
        assert f"{docname}.xhtml" in ncx, f"toc.ncx lacks {docname}"


def test_interactive_components_are_shown_in_full():
    with SINK.epub_zip() as epub:
        text = " ".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    missing = [m for m in markers() if m not in text]
    assert not missing, missing
    assert "<input" not in text, "tab radio buttons leaked into the ePub"
    assert "<details" not in text, "a collapsed dropdown leaked into the ePub"


def test_tabs_are_stacked_label_then_body_without_flex_layout():
    """Each tab's label is followed by its own body, in order, with no sphinx-design layout
    classes left to lay them side by side in readers that apply CSS."""
    with SINK.epub_zip() as epub:
        page = epub.read("constructs.xhtml").decode()
    order = [page.find(m) for m in ("SINK-TAB-ONE-LABEL", "SINK-TAB-ONE-BODY",
                                    "SINK-TAB-TWO-LABEL", "SINK-TAB-TWO-BODY")]
    assert -1 not in order and order == sorted(order), order
    leftovers = re.findall(r'class="[^"]*\b(sd-tab-set|sd-row|sd-col|sd-d-flex-row)\b', page)
    assert not leftovers, leftovers


ACE = ROOT / "node_modules" / ".bin" / "ace-cli"


def test_ace_by_daisy_reports_no_findings(edition):
    """Ace by DAISY (pinned in package.json; its axe runner drives Debian's chromium through
    puppeteer) checks every content document and the package metadata. Any finding, at any
    impact, fails, unless tests/checker-allowlist.yaml shows it is a false positive."""
    assert ACE.exists(), "Ace by DAISY is not installed: run npm ci --ignore-scripts (./handbook test does)"
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=shutil.which("chromium") or "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run([str(ACE), "--silent", "--force", "--outdir", out, str(edition.epub)],
                                capture_output=True, text=True, env=env, timeout=600)
        report_path = Path(out) / "report.json"
        assert report_path.exists(), f"Ace did not run:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        report = json.loads(report_path.read_text(encoding="utf-8"))
    findings = []
    for subject in report["assertions"]:
        where = subject["earl:testSubject"]["url"]
        for check in subject.get("assertions", []):
            rule = check["earl:test"]["dct:title"]
            if check["earl:result"]["earl:outcome"] == "fail" and not excused("ace", rule, where):
                findings.append(f"{where}: {rule} ({check['earl:test']['earl:impact']}): "
                                f"{check['earl:result'].get('dct:description', '')[:200]}")
    assert not findings, "\n".join(findings)
    assert report["earl:result"]["earl:outcome"] == "pass" or not findings


def test_package_declares_accessibility_metadata(edition):
    """What reading systems and bookshops show readers: access modes, features, hazards and a
    summary (schema.org), and a language on every content document."""
    with edition.epub_zip() as epub:
        opf = epub.read(next(n for n in epub.namelist() if n.endswith(".opf"))).decode()
        pages = {n: epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml")}
    for prop in ("accessMode", "accessModeSufficient", "accessibilityFeature",
                 "accessibilityHazard", "accessibilitySummary"):
        assert re.search(rf'<meta property="schema:{prop}">[^<]+</meta>', opf), prop
    no_lang = [n for n, text in pages.items() if not re.search(r"<html[^>]*\slang=\"en", text)]
    assert not no_lang, no_lang

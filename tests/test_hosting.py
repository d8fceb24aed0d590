"""Read the Docs builds with the project's own command and publishes what the README says:
.readthedocs.yaml is checked against README.md, pyproject.toml and tools/system_packages.py, so
the hosting set-up cannot drift from the documented build."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib

import yaml

import system_packages
from conftest import BASENAME, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
RTD = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
COMMANDS = RTD["build"]["commands"]


def readme_build_command() -> str:
    quick_start = README.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", quick_start, re.S).group(1)
    return next(line.strip() for line in block.splitlines() if "build" in line)


def readme_output(kind: str) -> str:
    """The path the README's output table gives for Website, PDF or ePub."""
    return re.search(rf"^\| {kind} \| `([^`]+)`", README, re.M).group(1)


def test_read_the_docs_runs_the_readme_build_command():
    assert RTD["version"] == 2
    assert COMMANDS[0] == readme_build_command() == "./handbook build"
    # build.commands replaces Read the Docs' own Sphinx build; nothing else may build the book
    assert not {"sphinx", "formats", "python", "conda", "mkdocs"} & set(RTD), set(RTD)


def test_read_the_docs_publishes_the_website_pdf_and_epub_the_readme_names():
    website = readme_output("Website").rsplit("/", 1)[0]  # _build/html/index.html -> _build/html
    pdf, epub = readme_output("PDF"), readme_output("ePub")
    assert pdf.endswith(f"{BASENAME}.pdf") and epub.endswith(f"{BASENAME}.epub")
    script = "\n".join(COMMANDS)
    assert re.search(rf"cp -r {re.escape(website)}/\. \$READTHEDOCS_OUTPUT/html/", script), script
    assert re.search(rf"cp {re.escape(pdf)} \$READTHEDOCS_OUTPUT/pdf/", script), script
    assert re.search(rf"cp {re.escape(epub)} \$READTHEDOCS_OUTPUT/epub/", script), script
    assert "$READTHEDOCS_OUTPUT/pdf/$READTHEDOCS_PROJECT.pdf" in script  # the name the flyout links


def test_read_the_docs_has_the_system_packages_and_python_the_build_needs():
    assert set(RTD["build"]["apt_packages"]) == set(system_packages.NEEDS["pdf"])
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    minimum = re.search(r">=\s*([\d.]+)", pyproject["project"]["requires-python"]).group(1)
    assert str(RTD["build"]["tools"]["python"]) == minimum


def test_the_canonical_address_comes_from_read_the_docs():
    """With Read the Docs' variable set, conf.py publishes that address (canonical links,
    sitemap, link previews, citations); it wins over HANDBOOK_URL."""
    rtd = "https://handbook.example/en/2026.11/"
    probe = ("import runpy, json; c = runpy.run_path('conf.py'); print(json.dumps([c['html_baseurl'], "
             "c['handbook_url'], c['ogp_site_url'], 'sphinx_sitemap' in c['extensions'], c['notfound_urls_prefix']]))")
    env = dict(os.environ, READTHEDOCS_CANONICAL_URL=rtd, HANDBOOK_URL="https://other.example/")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [rtd, rtd, rtd, True, "/en/2026.11/"]

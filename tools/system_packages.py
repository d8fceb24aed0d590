"""Check (and, as root on Debian, install) the system packages a build or test needs.

Python packages come from requirements.lock; these come from Debian because they are not on PyPI
(TeX Live, xindy, librsvg, poppler, epubcheck, chromium). When one is missing and we cannot
install it, stop with one message that gives the exact command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# Debian package -> why it is needed. Installed with --no-install-recommends.
NEEDS = {
    "pdf": {
        "latexmk": "runs xelatex until cross-references settle",
        "texlive-xetex": "xelatex, the PDF engine (Unicode text, system fonts)",
        "texlive-latex-recommended": "LaTeX packages Sphinx's LaTeX writer loads",
        "texlive-latex-extra": "more LaTeX packages Sphinx loads (fncychap, tabulary, ...)",
        "texlive-fonts-recommended": "standard fonts for LaTeX",
        "fonts-freefont-otf": "FreeSerif/FreeSans, the PDF's text fonts",
        "xindy": "the index processor Sphinx uses with xelatex",
        "librsvg2-bin": "rsvg-convert: SVG figures to PDF",
        "chromium": "prints the one-page job aids to PDF (tools/handouts.py); the browser tests use it too",
        "fonts-dejavu-core": "the job aids' and the browser's font (chromium's own font package is only recommended)",
    },
    "test": {
        "poppler-utils": "pdffonts and pdftotext for the PDF tests; pdftoppm for looking at pages",
        "epubcheck": "validates the ePub",
        "default-jre-headless": "runs epubcheck",
    },
}


def missing(packages: list[str]) -> list[str]:
    """Packages dpkg does not list as installed (all of them when dpkg is absent)."""
    if shutil.which("dpkg-query") is None:
        return list(packages)
    absent = []
    for pkg in packages:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True
        )
        if "install ok installed" not in result.stdout:
            absent.append(pkg)
    return absent


def require(kind: str) -> None:
    kinds = ["pdf", "test"] if kind == "test" else [kind]
    packages = [pkg for k in kinds for pkg in NEEDS[k]]
    absent = missing(packages)
    if not absent:
        return
    command = "apt-get install -y --no-install-recommends " + " ".join(absent)
    can_install = (
        shutil.which("apt-get") is not None
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
        and os.environ.get("HANDBOOK_NO_APT") != "1"
    )
    if not can_install:
        sys.exit(
            "error: missing system packages: " + ", ".join(absent) + "\n"
            f"Install them with:\n    sudo apt-get update && sudo {command}\n"
        )
    print(f"Installing system packages: {' '.join(absent)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(command.split() + ["-qq"], check=True, env=env)


if __name__ == "__main__":
    # `python3 tools/system_packages.py [pdf|test]`: check or install before a build.
    require(sys.argv[1] if len(sys.argv) > 1 else "test")
    print("System packages: all present.")

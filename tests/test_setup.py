"""Set-up: missing system packages stop the build with one message giving the exact command;
CITATION.cff stays valid and agrees with the book's edition."""

from __future__ import annotations

import re

import pytest
import yaml

import system_packages
from conftest import ROOT


def test_missing_packages_stop_with_the_exact_install_command(monkeypatch):
    monkeypatch.setitem(system_packages.NEEDS, "pdf", {"no-such-package-hhth": "test", "latexmk": "ok"})
    monkeypatch.setattr(system_packages, "missing", lambda pkgs: [p for p in pkgs if "no-such" in p])
    monkeypatch.setenv("HANDBOOK_NO_APT", "1")  # as if not root: never install
    with pytest.raises(SystemExit) as stop:
        system_packages.require("pdf")
    message = str(stop.value)
    assert "missing system packages: no-such-package-hhth" in message
    assert "apt-get install -y --no-install-recommends no-such-package-hhth" in message
    assert "latexmk" not in message.split("Install")[1], "only the missing packages are named"


def test_every_needed_package_is_installed_here():
    """The machine that ran the build has them all (as .ci/run ensures on a fresh one)."""
    needed = [p for kind in system_packages.NEEDS.values() for p in kind]
    assert system_packages.missing(needed) == []


def test_citation_cff_is_valid_and_matches_the_edition():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for field in ("cff-version", "message", "title", "authors", "version", "date-released", "license"):
        assert cff.get(field), field
    assert cff["cff-version"] == "1.2.0"
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    conf = (ROOT / "conf.py").read_text(encoding="utf-8")
    # The edition is defined once, in CITATION.cff; conf.py reads it rather than repeating it.
    assert re.search(r'^release = version = str\(_citation\["version"\]\)', conf, re.M)
    assert not re.search(r'^release = version = "', conf, re.M)
    assert str(cff["preferred-citation"]["edition"]) == str(cff["version"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))
    assert cff["preferred-citation"]["type"] == "book"

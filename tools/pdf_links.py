"""Links in the printed job aids that point at the website, not at the folder they were built in.

Chromium prints each job aid from the built website on disk, so its links come out as
``file:///<build folder>/html/<page>.html``: useless to a reader, different in every folder (so
two builds would never be byte-identical), and, in a staged build, pointing at a scratch folder
that no longer exists. ``relink`` rewrites each such link to the same page on the website: to
HANDBOOK_URL when it is set, else relative to where the website publishes the job aids
(``editions/handouts/<name>.pdf``, hence ``../../<page>.html``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject


def website_base() -> str:
    url = os.environ.get("HANDBOOK_URL") or os.environ.get("READTHEDOCS_CANONICAL_URL", "")
    return url.rstrip("/") + "/" if url else "../../"


def relink(pdf: Path, html_dir: Path, base: str | None = None) -> int:
    """Rewrite file:// links into html_dir; returns how many were rewritten."""
    base = website_base() if base is None else base
    prefixes = {html_dir.resolve().as_uri() + "/", html_dir.absolute().as_uri() + "/"}
    writer = PdfWriter(clone_from=PdfReader(str(pdf)))
    count = 0
    for page in writer.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is None:
                continue
            action = action.get_object()
            uri = str(action.get("/URI", ""))
            prefix = next((p for p in prefixes if uri.startswith(p)), None)
            if prefix:
                action[NameObject("/URI")] = TextStringObject(base + uri[len(prefix):])
                count += 1
            elif uri.startswith("file:"):
                raise ValueError(f"{pdf.name}: a link to {uri} is outside the website")
    if count:
        with pdf.open("wb") as handle:
            writer.write(handle)
    return count

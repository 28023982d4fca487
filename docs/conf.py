"""Sphinx configuration of calmkit's documentation site.

Built by CI (.ci/quality.sh, gate "docs") with warnings as errors:

    sphinx-build -W --keep-going -b html docs build-docs/site

from the guides (docs/*.md, MyST Markdown), the Python reference (autodoc,
from the docstrings of the package on PYTHONPATH) and the C++ reference
(Doxygen's HTML: CALMKIT_DOCS_EXTRA names a folder holding it as cpp/, whose
contents are copied into the site).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_cmake = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
release = re.search(r"project\(calmkit\s+VERSION\s+([0-9][0-9.]*)", _cmake).group(1)
version = ".".join(release.split(".")[:2])

project = "calmkit"
author = "The calmkit authors"
copyright = "The calmkit authors, Apache-2.0"  # noqa: A001 (Sphinx's name)

extensions = ["myst_parser", "sphinx.ext.autodoc"]
source_suffix = {".md": "markdown"}
root_doc = "index"
# guides.md is the Doxygen guides page; CMakeLists.txt and the schema are not pages.
exclude_patterns = ["guides.md", "CMakeLists.txt", "conf.py"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"

html_theme = "alabaster"
html_title = f"calmkit {release}"
# The C++ reference: Doxygen's HTML, as cpp/ in the site.
_extra = os.environ.get("CALMKIT_DOCS_EXTRA")
html_extra_path = [_extra] if _extra else []


def _drop_doxygen_anchors(app, docname, source):
    """The guides' ``# Title {#id}`` anchors are Doxygen's syntax (the C++
    reference shows the guides too); MyST would print them as text."""
    source[0] = re.sub(r"^(#+ .*?)\s*\{#[A-Za-z0-9_-]+\}\s*$", r"\1", source[0], flags=re.M)


def setup(app):
    app.connect("source-read", _drop_doxygen_anchors)

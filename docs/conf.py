"""Sphinx configuration: MyST Markdown pages, the furo theme, and reference pages read from the code.

Build with warnings as errors: ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE / "_ext")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")  # autodoc imports the Django layer
os.environ.setdefault("COLUMNS", "100")  # commands' --help wraps the same on every machine
django.setup()

import rix_auth  # noqa: E402  (needs the path and settings above)

project = "rix_auth"
author = "the rix_auth authors"
copyright = f"2026, {author}"
release = rix_auth.__version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "rix_docs"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "description"
autodoc_typehints_format = "short"

html_theme = "furo"
html_title = f"rix_auth {release}"

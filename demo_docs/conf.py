"""The demo site of sphinxext-params: every page is built by the extension it documents."""

from __future__ import annotations

import sys
from pathlib import Path

# Build the checkout this site belongs to, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sphinxext_params import __version__  # noqa: E402

project = "sphinxext-params"
author = "the sphinxext-params authors"
copyright = "2025, the sphinxext-params authors"
version = release = __version__

extensions = ["sphinxext_params", "myst_parser"]
myst_enable_extensions = ["colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}

root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
numfig = True
numfig_format = {"table": "Table %s"}

# The defaults, spelled out: what every model-summary shows unless its options say otherwise.
params_derivations = "params"
params_columns = ["layer", "output", "params"]
params_thousands_separator = ","
params_dtype = "float32"

html_theme = "alabaster"
html_title = f"sphinxext-params {version}"
html_static_path = ["_static"] if (Path(__file__).parent / "_static").is_dir() else []

latex_documents = [(root_doc, "sphinxext-params.tex", "sphinxext-params demo", author, "manual")]
man_pages = [(root_doc, "sphinxext-params", "parameter counts of neural networks", [author], 7)]
epub_show_urls = "no"

"""Renderings of a :class:`~sphinxext_params.core.summary.Summary` for people.

``text`` and ``markdown`` depend on the core only (the CLI uses them); a docutils
rendering for Sphinx may live here too, but nothing in this package's top level
imports docutils.
"""

from __future__ import annotations

from .markdown import render_markdown
from .text import render_text

__all__ = ["render_text", "render_markdown"]

"""sphinxext_params: parameter counts and output shapes of neural networks, for Sphinx.

``summarize(text)`` counts a layer list (Keras or PyTorch) without importing either
framework; ``extensions = ["sphinxext_params"]`` adds the ``model-summary``
directive and the ``params`` role to a Sphinx project.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .core import Summary, summarize  # noqa: E402
from .errors import ParamsError  # noqa: E402


def setup(app):
    """Sphinx entry point (the glue lives in :mod:`sphinxext_params.extension`)."""
    from .extension import setup as _setup
    return _setup(app)


__all__ = ["summarize", "Summary", "ParamsError", "setup", "__version__"]

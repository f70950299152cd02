"""Keras 3 conventions: the layer catalogue, one module per layer family."""

from . import core, reshaping  # noqa: F401  (importing a family registers its layers)
from .base import CATALOGUE
from .model import build

__all__ = ["CATALOGUE", "build"]

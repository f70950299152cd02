"""The layer-list language: text in, an inert tree out (see :mod:`.parser`)."""

from .parser import MAX_CHARS, MAX_DEPTH, MAX_INT, normalize, parse

__all__ = ["parse", "normalize", "MAX_CHARS", "MAX_DEPTH", "MAX_INT"]

"""The layer-list language: text in, an inert tree out (see :mod:`.parser`)."""

from .parser import MAX_CALLS, MAX_CHARS, MAX_DEPTH, MAX_INT, MAX_ITEMS, MAX_TOKENS, normalize, parse

__all__ = ["parse", "normalize", "MAX_CHARS", "MAX_DEPTH", "MAX_INT", "MAX_ITEMS", "MAX_TOKENS", "MAX_CALLS"]

"""Keras 3 conventions: the layer catalogue, one module per layer family."""

# Importing a family registers its layers.
from . import (activations, attention, augmentation, convolutional, core, einsum_dense, merging,  # noqa: F401
               normalization, pooling, preprocessing, recurrent, regularization, reshaping, wrappers)
from .base import CATALOGUE
from .model import build

__all__ = ["CATALOGUE", "build"]

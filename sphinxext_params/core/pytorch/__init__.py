"""PyTorch conventions: the torch.nn module catalogue, one module per family."""

from . import (  # noqa: F401  (importing a family registers its modules)
    activation,
    attention,
    containers,
    conv,
    dropout,
    linear,
    normalization,
    padding,
    pooling,
    recurrent,
    reshape,
    sparse,
    transformer,
)
from .base import CATALOGUE
from .model import build

__all__ = ["CATALOGUE", "build"]

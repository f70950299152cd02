"""torch.nn dropout modules: no parameters, the output has the input's shape."""

from __future__ import annotations

from typing import ClassVar

from .. import args as a
from ..layer import Arg, ArgError
from .base import TorchLayer, register


def probability(v):
    v = a.number(v)
    if not 0 <= v <= 1:
        raise ArgError(f"must be a probability between 0 and 1, not {v}")
    return v


class Dropout(TorchLayer):
    p = Arg(probability, 0.5)
    inplace = Arg(a.boolean, False)
    #: Input ranks PyTorch accepts (Dropout1d refuses others; the rest accept any rank).
    ranks: ClassVar[tuple[int, ...] | None] = None

    def output_shape(self, shape):
        if self.ranks is not None:
            self.require_ranks(shape, self.ranks, "(N, C, L) or (C, L)")
        return shape


register(Dropout)


@register
class Dropout1d(Dropout):
    ranks = (2, 3)


@register
class Dropout2d(Dropout):
    pass


@register
class Dropout3d(Dropout):
    pass


@register
class AlphaDropout(Dropout):
    pass


@register
class FeatureAlphaDropout(Dropout):
    pass

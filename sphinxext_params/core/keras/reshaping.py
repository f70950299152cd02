"""Keras reshaping layers: Flatten, Reshape, Permute, RepeatVector, and the padding,
cropping and up-sampling families."""

from __future__ import annotations

import math

from .. import args as a
from ..layer import Arg
from .base import KerasLayer, register


@register
class Flatten(KerasLayer):
    data_format = Arg(a.optional(a.one_of("channels_last", "channels_first")), None)

    def output_shape(self, shape):
        rest = shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (shape[0], size)

"""Keras regularization layers: the dropouts, Gaussian noise, ActivityRegularization.

They change neither the shape nor the parameter count; the spatial dropouts check
the input's rank, as Keras does.
"""

from __future__ import annotations

from .. import args as a
from ..layer import Arg, ArgError
from .base import KerasLayer, register
from .convolutional import data_format_arg

fraction = a.number_in(0, 1)


def noise_shape(v):
    """Dropout's noise_shape: None, or a tuple of positive sizes and Nones (not checked
    against the input: Keras broadcasts it when the layer runs)."""
    if v is None:
        return None
    if not isinstance(v, (tuple, list)):
        raise ArgError(f"must be a tuple of sizes, not {v!r}", hint="write e.g. noise_shape=(None, 1, 64)")
    for d in v:
        if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d <= 0):
            raise ArgError(f"must hold positive sizes or None, got {d!r} in {tuple(v)!r}")
    return tuple(v)


class RandomLayer(KerasLayer):
    """Active only in training; the output has the input's shape."""


@register
class Dropout(RandomLayer):
    rate = Arg(fraction)
    noise_shape = Arg(noise_shape, None)
    seed = Arg(a.anything, None)


class SpatialDropout(RandomLayer):
    """Drops whole channels: the input must be ``(batch, *spatial, channels)`` of its rank."""

    rate = Arg(fraction)
    spatial_rank = 1

    def output_shape(self, shape):
        self.require_rank(shape, self.spatial_rank + 2)
        return shape


@register
class SpatialDropout1D(SpatialDropout):
    seed = Arg(a.anything, None)


class ImageSpatialDropout(SpatialDropout):
    data_format = data_format_arg()  # which axis holds the channels; the shape is kept
    seed = Arg(a.anything, None)


@register
class SpatialDropout2D(ImageSpatialDropout):
    spatial_rank = 2


@register
class SpatialDropout3D(ImageSpatialDropout):
    spatial_rank = 3


@register
class GaussianNoise(RandomLayer):
    stddev = Arg(fraction)
    seed = Arg(a.anything, None)


@register
class GaussianDropout(RandomLayer):
    rate = Arg(fraction)
    seed = Arg(a.anything, None)


@register
class AlphaDropout(RandomLayer):
    rate = Arg(fraction)
    noise_shape = Arg(a.anything, None)  # Keras takes it unchecked
    seed = Arg(a.anything, None)


@register
class ActivityRegularization(KerasLayer):
    """Adds ``l1 Σ|x| + l2 Σx²`` of its input to the loss; no weights."""

    l1 = Arg(a.optional(a.number_in(0)), 0.0)
    l2 = Arg(a.optional(a.number_in(0)), 0.0)

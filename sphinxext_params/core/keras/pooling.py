"""Keras pooling layers: max and average pooling (windowed, global, adaptive), 1D to 3D.

None has weights; each keeps the channels and changes the spatial sizes.
"""

from __future__ import annotations

from .. import args as a
from ..layer import Arg
from ..shapes import pool_output_length
from .base import register
from .convolutional import AXES, SpatialLayer, data_format_arg


class Pooling(SpatialLayer):
    """A window of ``pool_size`` sliding by ``strides`` (by default, by its own size)."""

    pool_size = Arg(default=2)
    strides = Arg(default=None)
    # Unlike convolutions, Keras's pooling layers take the padding mode in lower case only.
    padding = Arg(a.one_of("valid", "same"), "valid")
    data_format = data_format_arg()

    too_small_hint = "the input is smaller than the pool; use padding='same' or a smaller pool_size"

    def check(self) -> None:
        self.pool_size = self.per_axis("pool_size")
        self.strides = self.pool_size if self.strides is None else self.per_axis("strides")

    def lengths(self, shape):
        return [pool_output_length(n, k, s, self.padding, sub=sub)
                for n, k, s, (sub, _, _) in zip(self.spatial(shape), self.pool_size, self.strides,
                                                AXES[self.rank])]

    def output_shape(self, shape):
        self.expect_rank(shape)
        return self.assemble(shape, self.output_sizes(shape), shape[self.channel_axis])


class AveragePooling(Pooling):
    pool_size = Arg()  # Keras gives average pooling no default pool size


class MaxPooling1D(Pooling):
    rank = 1


class MaxPooling2D(Pooling):
    rank = 2


class MaxPooling3D(Pooling):
    rank = 3


class AveragePooling1D(AveragePooling):
    rank = 1


class AveragePooling2D(AveragePooling):
    rank = 2


class AveragePooling3D(AveragePooling):
    rank = 3


class GlobalPooling(SpatialLayer):
    """One value per channel: the spatial axes are reduced (kept as 1s with ``keepdims``)."""

    data_format = data_format_arg()
    keepdims = Arg(a.boolean, False)

    def output_shape(self, shape):
        self.expect_rank(shape)
        channels = shape[self.channel_axis]
        if self.keepdims:
            return self.assemble(shape, [1] * self.rank, channels)
        return (shape[0], channels)


class GlobalMaxPooling1D(GlobalPooling):
    rank = 1


class GlobalMaxPooling2D(GlobalPooling):
    rank = 2


class GlobalMaxPooling3D(GlobalPooling):
    rank = 3


class GlobalAveragePooling1D(GlobalPooling):
    rank = 1


class GlobalAveragePooling2D(GlobalPooling):
    rank = 2


class GlobalAveragePooling3D(GlobalPooling):
    rank = 3


class AdaptivePooling(SpatialLayer):
    """Pooling to a fixed ``output_size``, whatever the input's spatial sizes."""

    output_size = Arg()
    # Keras's adaptive pooling takes data_format exactly as written (no lower-casing).
    data_format = Arg(a.optional(a.one_of("channels_last", "channels_first")), None)

    def check(self) -> None:
        self.output_size = self.per_axis("output_size")

    def output_shape(self, shape):
        self.expect_rank(shape)
        return self.assemble(shape, self.output_size, shape[self.channel_axis])


class AdaptiveMaxPooling1D(AdaptivePooling):
    rank = 1


class AdaptiveMaxPooling2D(AdaptivePooling):
    rank = 2


class AdaptiveMaxPooling3D(AdaptivePooling):
    rank = 3


class AdaptiveAveragePooling1D(AdaptivePooling):
    rank = 1


class AdaptiveAveragePooling2D(AdaptivePooling):
    rank = 2


class AdaptiveAveragePooling3D(AdaptivePooling):
    rank = 3


register(MaxPooling1D, aliases=("MaxPool1D",))
register(MaxPooling2D, aliases=("MaxPool2D",))
register(MaxPooling3D, aliases=("MaxPool3D",))
register(AveragePooling1D, aliases=("AvgPool1D",))
register(AveragePooling2D, aliases=("AvgPool2D",))
register(AveragePooling3D, aliases=("AvgPool3D",))
register(GlobalMaxPooling1D, aliases=("GlobalMaxPool1D",))
register(GlobalMaxPooling2D, aliases=("GlobalMaxPool2D",))
register(GlobalMaxPooling3D, aliases=("GlobalMaxPool3D",))
register(GlobalAveragePooling1D, aliases=("GlobalAvgPool1D",))
register(GlobalAveragePooling2D, aliases=("GlobalAvgPool2D",))
register(GlobalAveragePooling3D, aliases=("GlobalAvgPool3D",))
register(AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D,
         AdaptiveAveragePooling1D, AdaptiveAveragePooling2D, AdaptiveAveragePooling3D)

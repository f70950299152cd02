"""Keras preprocessing layers: Rescaling, CenterCrop, Resizing and Normalization.

CenterCrop and Resizing set the height and width; Rescaling and Normalization keep the
shape.  Only Normalization has weights: the statistics that ``adapt()`` fills in.
"""

from __future__ import annotations

import math

from .. import args as a
from ..expr import Num, Step, Sym, product
from ..layer import Arg, ArgError, Weight, format_shape
from .base import KerasLayer, register
from .convolutional import data_format_arg


@register
class Rescaling(KerasLayer):
    """``x · scale + offset``; scale and offset may be numbers or per-channel lists."""

    scale = Arg(a.anything)
    offset = Arg(a.anything, 0.0)


class ImageResizing(KerasLayer):
    """A layer whose output images are ``height`` × ``width``, whatever the input's size.

    Keras reads a rank-4 shape as a batch of images and any other rank as one image
    without a batch axis, so ``Input(shape=(10, 3))`` (rank 3 with the batch) gives
    ``(height, width, 3)``: the first axis is taken for the height.  That is what
    Keras reports, and so what we report.
    """

    def size_axes(self, shape) -> tuple[int, int]:
        first = (1 if len(shape) == 4 else 0) + (1 if self.data_format == "channels_first" else 0)
        return first, first + 1

    def output_shape(self, shape):
        height_axis, width_axis = self.size_axes(shape)
        if width_axis >= len(shape):
            self.fail(f"expects images (batch, height, width, channels), got shape {format_shape(shape)}",
                      hint="give the Input an image shape such as (224, 224, 3)")
        out = list(shape)
        out[height_axis], out[width_axis] = self.height, self.width
        return tuple(out)


@register
class CenterCrop(ImageResizing):
    height = Arg(a.positive_int)
    width = Arg(a.positive_int)
    data_format = data_format_arg()
    ignored = KerasLayer.ignored | {"bounding_box_format"}

    def output_shape(self, shape):
        if len(shape) not in (3, 4):
            self.fail(f"expects images of rank 3 or 4, got shape {format_shape(shape)}",
                      hint="give the Input an image shape such as (224, 224, 3)")
        return super().output_shape(shape)


@register
class Resizing(ImageResizing):
    height = Arg(a.positive_int)
    width = Arg(a.positive_int)
    # How pixels are computed; none changes the output size (cropping or padding to
    # the aspect ratio happens before the resize to height × width).
    interpolation = Arg(a.string, "bilinear")
    crop_to_aspect_ratio = Arg(a.boolean, False)
    pad_to_aspect_ratio = Arg(a.boolean, False)
    fill_mode = Arg(a.string, "constant")
    fill_value = Arg(a.number, 0.0)
    antialias = Arg(a.anything, False)
    data_format = data_format_arg()
    ignored = KerasLayer.ignored | {"bounding_box_format"}


def normalization_axes(v):
    """Normalization's ``axis``: an axis, a tuple or list of axes (kept as given, repeats
    included, as Keras keeps them), or None for one mean and variance over everything."""
    if v is None:
        return ()
    try:
        return a.axes(v)
    except ArgError:
        raise ArgError(f"must be an axis, a tuple of axes or None, not {v!r}",
                       hint="write e.g. axis=-1 for one mean and variance per feature") from None


def statistic_shape(v):
    """A ``mean=`` or ``variance=`` value: None (learned by ``adapt()``), a number or a
    nested list of numbers; returns its array shape (``np.shape``), or None."""
    if v is None:
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return ()
    if isinstance(v, (list, tuple)) and v:
        shapes = {statistic_shape(x) for x in v}
        if len(shapes) == 1 and None not in shapes:
            return (len(v), *shapes.pop())
    raise ArgError(f"must be a number or a (nested) list of numbers of one shape, not {v!r}")


@register
class Normalization(KerasLayer):
    """``(x − mean) / √variance`` with one mean and variance per index of the kept axes.

    Without ``mean`` and ``variance`` the layer holds them as non-trainable weights for
    ``adapt()`` to fill, shaped like the input's kept axes (sorted, repeats kept), plus an
    integer ``count`` (shape ``()``) that Keras keeps for old saved models and counts as
    one parameter.  Given values are constants: no weights.
    """

    axis = Arg(normalization_axes, (-1,))
    # Only the shapes of given statistics matter (None: adapt() learns them into weights).
    mean_shape = Arg(statistic_shape, None, keyword="mean")
    variance_shape = Arg(statistic_shape, None, keyword="variance")
    invert = Arg(a.boolean, False)

    def check(self) -> None:
        if (self.mean_shape is None) != (self.variance_shape is None):
            self.fail("needs both mean and variance, or neither (adapt() then learns them)", kind="argument",
                      arg="variance" if self.variance_shape is None else "mean")
        if self.mean_shape is not None:
            if self.mean_shape != self.variance_shape:
                self.fail(f"mean and variance must have the same shape, got {format_shape(self.mean_shape)} "
                          f"and {format_shape(self.variance_shape)}", kind="argument", arg="variance")
            if len(self.mean_shape) > len(self.axis):
                self.fail(f"the rank of mean ({len(self.mean_shape)}) must be at most the number of axes "
                          f"({len(self.axis)}, axis={self.axis})", kind="argument", arg="mean")

    def kept_axes(self, shape) -> list[int]:
        """The axes with their own statistics, as non-negative indices (batch = 0), sorted."""
        rank = len(shape)
        for axis in self.axis:
            if not -rank <= axis < rank:
                self.fail(f"axis {axis} is out of bounds for an input of rank {rank} "
                          f"(shape {format_shape(shape)})", arg="axis", hint=f"use an axis from {-rank} to {rank - 1}")
        kept = sorted(axis % rank for axis in self.axis)
        for axis in kept:
            self.known(shape, axis, f"the kept axis {axis}")
        return kept

    def output_shape(self, shape):
        kept = self.kept_axes(shape)
        if self.mean_shape is not None:
            self.check_broadcast(shape, kept)
        elif len(set(kept)) < len(kept):
            # Keras sizes the weights with the axis twice, then cannot reshape them to the input.
            self.fail(f"axis={self.axis} names an axis twice", kind="argument", arg="axis",
                      hint="list each axis once")
        return shape

    def check_broadcast(self, shape, kept) -> None:
        """Keras aligns the given statistics' axes with the kept axes from the right and
        broadcasts them to the input's sizes there (1 on the other axes)."""
        expanded = [1] * len(shape)
        for axis, size in zip(reversed(kept), reversed(self.mean_shape)):
            expanded[axis] = size
        target = [shape[d] if d in kept else 1 for d in range(len(shape))]
        if math.prod(expanded) != math.prod(self.mean_shape) or \
                any(e not in (1, t) for e, t in zip(expanded, target)):
            self.fail(f"mean and variance of shape {format_shape(self.mean_shape)} cannot be broadcast to "
                      f"{format_shape(tuple(target))}, the input's sizes on axis={self.axis}", kind="shape",
                      arg="mean", hint="give one value per index of the kept axes, or a single number")

    def statistics_shape(self, shape) -> tuple[int, ...]:
        return tuple(shape[axis] for axis in self.kept_axes(shape))

    def weights(self, shape):
        if self.mean_shape is not None:  # constants, not weights
            self.output_shape(shape)
            return []
        size = self.statistics_shape(shape)
        return [Weight("mean", size, False), Weight("variance", size, False), Weight("count", (), False)]

    def derivation(self, shape):
        sizes = self.statistics_shape(shape)
        if not sizes:  # axis=None: one mean and one variance for every value
            return [Step("N", Num(2) + 1, "a mean, a variance and the count")]
        if len(sizes) == 1:
            d = Sym("d", sizes[0])
        else:
            d = product([Sym(f"d_{i + 1}", n) for i, n in enumerate(sizes)])
        return [Step("N", 2 * d + 1, "a mean and a variance per index of the kept axes, and the count")]

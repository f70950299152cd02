"""Keras preprocessing layers that shape images: Rescaling, CenterCrop, Resizing.

None has weights.  CenterCrop and Resizing set the height and width; Rescaling keeps
the shape.
"""

from __future__ import annotations

from .. import args as a
from ..layer import Arg, format_shape
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

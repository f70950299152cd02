"""Keras image augmentation layers: RandomFlip, RandomRotation, RandomZoom, RandomCrop, ...

None has weights: the random state Keras keeps for them (a ``SeedGenerator``) is not
among the layer's weights, so ``model.summary()`` counts 0 parameters.  Every layer but
RandomCrop keeps its input's shape, of any rank (Keras checks neither the rank nor the
channels when it builds a model; a wrong image only fails once data flows), except
RandomColorDegeneration, which wants RGB images of rank 3 or 4.  RandomCrop sets the
height and width, which Keras finds at fixed places from the end of the shape
(``(..., height, width, channels)``, or ``(..., height, width)`` channels first).

What Keras checks when the layer is made is checked here too: factors within their
ranges, ``fill_mode`` and ``interpolation`` among the supported ones, ``value_range``
a pair where Keras reads it, an integer ``seed``.  A few arguments Keras only reads
when images flow (RandomFlip's ``mode``) are taken as they are, as Keras takes them.
"""

from __future__ import annotations

from .. import args as a
from ..layer import Arg, ArgError, format_shape
from .base import KerasLayer, register
from .convolutional import data_format_arg

INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _pair(v) -> bool:
    return isinstance(v, (tuple, list)) and len(v) == 2 and all(_is_number(x) for x in v)


def _bounds(low, high, low_open: bool = False) -> str:
    return f"{'(' if low_open else '['}{low}, {high}]"


def factor_range(low, high):
    """A factor as Keras's image layers check it by default: a number in [low, high], or a
    pair of numbers whose range meets [low, high] (Keras checks a pair no further)."""
    def convert(v):
        if _pair(v):
            if v[0] <= high and v[1] >= low:
                return tuple(v)
        elif _is_number(v) and low <= v <= high:
            return v
        raise ArgError(f"must be a number in {_bounds(low, high)} or a pair of numbers (lower, upper) "
                       f"that meets that range, not {v!r}")
    return convert


def strict_factor(low, high, *, low_open: bool = False):
    """A factor of which each number, alone or in a pair, must lie in [low, high] (or
    (low, high] for RandomZoom): RandomZoom, RandomTranslation, RandomShear, Solarization."""
    def inside(x) -> bool:
        return (low < x if low_open else low <= x) and x <= high

    def convert(v):
        if (_pair(v) and all(inside(x) for x in v)) or (_is_number(v) and inside(v)):
            return tuple(v) if isinstance(v, (tuple, list)) else v
        raise ArgError(f"must be a number in {_bounds(low, high, low_open)} or a pair of such numbers, not {v!r}")
    return convert


def value_range(v):
    """The ``(min, max)`` of the pixel values, where Keras checks that it is a pair."""
    if _pair(v):
        return tuple(v)
    raise ArgError(f"must be a pair of numbers (low, high), not {v!r}", hint="write e.g. value_range=(0, 255)")


def kernel_size(v):
    """RandomGaussianBlur's kernel size: an odd number, or a pair of odd numbers."""
    if (_pair(v) and all(x % 2 != 0 for x in v)) or (_is_number(v) and v % 2 != 0):
        return v
    raise ArgError(f"must be an odd number or a pair of odd numbers, not {v!r}", hint="write e.g. kernel_size=3")


interpolation = a.one_of(*INTERPOLATIONS)
fill_mode = a.one_of(*FILL_MODES)
seed = a.optional(a.integer)


class ImageAugmentation(KerasLayer):
    """Random changes to images (only in training) that keep the input's shape."""

    ignored = KerasLayer.ignored | {"bounding_box_format"}


# -- geometry --------------------------------------------------------------------------------------
@register
class RandomFlip(ImageAugmentation):
    # "horizontal", "vertical" or "horizontal_and_vertical"; Keras reads it only when
    # images flow, so a model with any other value still builds.
    mode = Arg(a.anything, "horizontal_and_vertical")
    seed = Arg(seed, None)
    data_format = data_format_arg()


@register
class RandomRotation(ImageAugmentation):
    factor = Arg(factor_range(-1, 1))  # a fraction of a full turn
    fill_mode = Arg(fill_mode, "reflect")
    interpolation = Arg(interpolation, "bilinear")
    seed = Arg(seed, None)
    fill_value = Arg(a.anything, 0.0)
    data_format = data_format_arg()


@register
class RandomZoom(ImageAugmentation):
    height_factor = Arg(strict_factor(-1, 1, low_open=True))
    width_factor = Arg(a.optional(strict_factor(-1, 1, low_open=True)), None)
    fill_mode = Arg(fill_mode, "reflect")
    interpolation = Arg(interpolation, "bilinear")
    seed = Arg(seed, None)
    fill_value = Arg(a.anything, 0.0)
    data_format = data_format_arg()


@register
class RandomTranslation(ImageAugmentation):
    height_factor = Arg(strict_factor(-1, 1))
    width_factor = Arg(strict_factor(-1, 1))
    fill_mode = Arg(fill_mode, "reflect")
    interpolation = Arg(interpolation, "bilinear")
    seed = Arg(seed, None)
    fill_value = Arg(a.anything, 0.0)
    data_format = data_format_arg()


@register
class RandomShear(ImageAugmentation):
    x_factor = Arg(strict_factor(0, 1), 0.0)
    y_factor = Arg(strict_factor(0, 1), 0.0)
    interpolation = Arg(interpolation, "bilinear")
    fill_mode = Arg(fill_mode, "reflect")
    fill_value = Arg(a.anything, 0.0)
    data_format = data_format_arg()
    seed = Arg(seed, None)


@register
class RandomPerspective(ImageAugmentation):
    factor = Arg(factor_range(0, 1), 1.0)
    scale = Arg(a.number_in(0, 1), 1.0)
    interpolation = Arg(interpolation, "bilinear")
    fill_value = Arg(a.anything, 0.0)
    seed = Arg(seed, None)
    data_format = data_format_arg()


@register
class RandomElasticTransform(ImageAugmentation):
    factor = Arg(factor_range(0, 1), 1.0)
    scale = Arg(factor_range(0, 1), 1.0)
    interpolation = Arg(interpolation, "bilinear")
    fill_mode = Arg(a.one_of(*FILL_MODES, "mirror"), "reflect")
    fill_value = Arg(a.anything, 0.0)
    value_range = Arg(a.anything, (0, 255))
    seed = Arg(seed, None)
    data_format = data_format_arg()


@register
class RandomCrop(ImageAugmentation):
    """Crops a random ``height`` × ``width`` window (at inference, resizes to it).

    Keras takes the height and width at fixed places from the end of the shape, whatever
    its rank: ``(..., height, width, channels)``, or ``(..., height, width)`` channels
    first.  So an input ``(None, 6, 5)`` channels last is read as one image of height
    None (the batch axis), and a rank-2 input has no room for the height.
    """

    height = Arg(a.non_negative_int)  # Keras lets a 0 through, not a negative size
    width = Arg(a.non_negative_int)
    seed = Arg(seed, None)
    data_format = data_format_arg()

    def output_shape(self, shape):
        first = -2 if self.data_format == "channels_first" else -3
        if len(shape) < -first:
            layout = "(height, width)" if first == -2 else "(height, width, channels)"
            self.fail(f"expects images ending in {layout}, got shape {format_shape(shape)}",
                      hint="give the Input an image shape such as (224, 224, 3)")
        out = list(shape)
        out[first], out[first + 1] = self.height, self.width
        return tuple(out)


# -- colours ---------------------------------------------------------------------------------------
@register
class RandomBrightness(ImageAugmentation):
    factor = Arg(factor_range(-1, 1))
    value_range = Arg(value_range, (0, 255))
    seed = Arg(seed, None)
    data_format = data_format_arg(keyword_only=True)


@register
class RandomContrast(ImageAugmentation):
    factor = Arg(factor_range(0, 1))
    value_range = Arg(a.anything, (0, 255))
    seed = Arg(seed, None)
    data_format = data_format_arg(keyword_only=True)


@register
class RandomGrayscale(ImageAugmentation):
    factor = Arg(a.number_in(0, 1), 0.5)  # the probability of turning an image grey
    data_format = data_format_arg()
    seed = Arg(seed, None)


@register
class RandomHue(ImageAugmentation):
    factor = Arg(factor_range(0, 1))
    value_range = Arg(a.anything, (0, 255))
    data_format = data_format_arg()
    seed = Arg(seed, None)


@register
class RandomSaturation(ImageAugmentation):
    factor = Arg(factor_range(-1, 1))
    value_range = Arg(value_range, (0, 255))
    data_format = data_format_arg()
    seed = Arg(seed, None)


@register
class RandomSharpness(ImageAugmentation):
    factor = Arg(factor_range(0, 1))
    value_range = Arg(value_range, (0, 255))
    data_format = data_format_arg()
    seed = Arg(seed, None)


@register
class RandomColorDegeneration(ImageAugmentation):
    """Blends each RGB image with its grey version: Keras wants images of rank 3 or 4
    (batch included) with 3 channels, or channels of unknown size."""

    factor = Arg(factor_range(-1, 1))
    value_range = Arg(value_range, (0, 255))
    data_format = data_format_arg()
    seed = Arg(seed, None)

    def output_shape(self, shape):
        if len(shape) not in (3, 4):
            self.fail(f"expects images of rank 3 or 4, got shape {format_shape(shape)}",
                      hint="give the Input an image shape such as (224, 224, 3)")
        channels = shape[-3 if self.data_format == "channels_first" else -1]
        if channels is not None and channels != 3:
            self.fail(f"expects RGB images with 3 channels, got {channels} channels in shape {format_shape(shape)}",
                      hint="the channels are the last axis, or the one before height and width "
                           "with data_format='channels_first'")
        return shape


@register
class RandomPosterization(ImageAugmentation):
    factor = Arg(factor_range(1, 8))  # bits kept per channel
    value_range = Arg(value_range, (0, 255))
    data_format = data_format_arg()
    seed = Arg(seed, None)


@register
class RandomInvert(ImageAugmentation):
    factor = Arg(factor_range(0, 1), 1.0)
    value_range = Arg(a.anything, (0, 255))
    seed = Arg(seed, None)
    data_format = data_format_arg()


@register
class Solarization(ImageAugmentation):
    addition_factor = Arg(strict_factor(0, 1), 0.0)
    threshold_factor = Arg(strict_factor(0, 1), 0.0)
    value_range = Arg(value_range, (0, 255))
    seed = Arg(seed, None)
    data_format = data_format_arg(keyword_only=True)


@register
class AutoContrast(ImageAugmentation):
    ignored = ImageAugmentation.ignored - {"seed"}  # not random: Keras refuses a seed
    value_range = Arg(value_range, (0, 255))
    data_format = data_format_arg(keyword_only=True)


# -- erasing, blurring, mixing ---------------------------------------------------------------------
@register
class RandomErasing(ImageAugmentation):
    factor = Arg(factor_range(0, 1), 1.0)
    scale = Arg(factor_range(0, 1), (0.02, 0.33))
    fill_value = Arg(a.anything, None)
    value_range = Arg(a.anything, (0, 255))
    seed = Arg(seed, None)
    data_format = data_format_arg()


@register
class RandomGaussianBlur(ImageAugmentation):
    factor = Arg(factor_range(0, 1), 1.0)
    kernel_size = Arg(kernel_size, 3)
    sigma = Arg(factor_range(0, 1), 1.0)
    value_range = Arg(a.anything, (0, 255))
    data_format = data_format_arg()
    seed = Arg(seed, None)


@register
class MixUp(ImageAugmentation):
    """Mixes pairs of images (and their labels, when called on a dict)."""

    alpha = Arg(a.anything, 0.2)
    data_format = data_format_arg()
    seed = Arg(seed, None)


@register
class CutMix(ImageAugmentation):
    factor = Arg(factor_range(0, 1), 1.0)
    seed = Arg(seed, None)
    data_format = data_format_arg()

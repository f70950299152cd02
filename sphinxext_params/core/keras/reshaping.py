"""Keras reshaping layers: Flatten, Reshape, Permute, RepeatVector, and the padding,
cropping and up-sampling families."""

from __future__ import annotations

import math

from .. import args as a
from ..expr import Step, Sym, product
from ..layer import Arg, ArgError, format_shape
from ..shapes import cropped_length, padded_length, upsampled_length
from .base import KerasLayer, register
from .convolutional import AXES, SpatialLayer, data_format_arg


def element_count(dims) -> Step | None:
    """``n = d_1 d_2 d_3``: how many values one sample holds (None if a size is unknown)."""
    if len(dims) < 2 or any(d is None for d in dims):
        return None
    return Step("n", product([Sym(f"d_{i}", d) for i, d in enumerate(dims, 1)]), "values per sample")


@register
class Flatten(KerasLayer):
    data_format = data_format_arg()

    def output_shape(self, shape):
        rest = shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (shape[0], size)

    def shape_derivation(self, shape):
        step = element_count(shape[1:])
        return [step] if step else []


def target_shape(v):
    """Reshape's target: sizes (0 and None are accepted, as Keras does) and at most one -1."""
    if not isinstance(v, (tuple, list)):
        raise ArgError(f"must be a tuple of sizes, not {v!r}", hint="write e.g. Reshape((7, 4, 28))")
    for d in v:
        if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d < -1):
            raise ArgError(f"must hold sizes >= 0, None or one -1, got {d!r} in {tuple(v)!r}")
    if list(v).count(-1) > 1:
        raise ArgError(f"may hold at most one -1, got {tuple(v)!r}", hint="-1 stands for the one size inferred")
    return tuple(v)


@register
class Reshape(KerasLayer):
    """A new shape for each sample, with the same number of values; -1 is inferred."""

    target_shape = Arg(target_shape)

    def inferred(self, shape):
        """The input's value count and the product of the known target sizes, when -1 is solvable."""
        rest = shape[1:]
        if -1 not in self.target_shape or None in rest or None in self.target_shape:
            return None
        return math.prod(rest), math.prod(d for d in self.target_shape if d != -1)

    def output_shape(self, shape):
        rest = shape[1:]
        if None in rest or None in self.target_shape:  # nothing to check or infer
            return (shape[0], *(None if d == -1 else d for d in self.target_shape))
        size = math.prod(rest)
        if -1 not in self.target_shape:
            if math.prod(self.target_shape) != size:
                self.fail(f"cannot reshape {format_shape(shape)} ({size:,} values per sample) to "
                          f"{format_shape(self.target_shape)} ({math.prod(self.target_shape):,} values)",
                          hint="the target sizes must multiply to the input's size; -1 infers one of them")
            return (shape[0], *self.target_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        if known == 0 or size % known:
            self.fail(f"cannot reshape {format_shape(shape)} ({size:,} values per sample) to "
                      f"{format_shape(self.target_shape)}: {size:,} is not a multiple of {known:,}",
                      hint="the known target sizes must divide the input's size")
        return (shape[0], *(size // known if d == -1 else d for d in self.target_shape))

    def shape_derivation(self, shape):
        if self.inferred(shape) is None:
            return []
        size = math.prod(shape[1:])
        count = element_count(shape[1:])
        known = [Sym(f"t_{i}", d) for i, d in enumerate(self.target_shape, 1) if d != -1]
        if not known:
            return [count] if count else []
        inferred = Step(f"t_{self.target_shape.index(-1) + 1}", Sym("n", size) / product(known), "the -1 size")
        return [count, inferred] if count else [inferred]


def permutation(v):
    if not isinstance(v, (tuple, list)) or not all(isinstance(d, int) and not isinstance(d, bool) for d in v):
        raise ArgError(f"must be a tuple of axes, not {v!r}", hint="write e.g. Permute((2, 1))")
    if sorted(v) != list(range(1, len(v) + 1)):
        raise ArgError(f"must order the axes 1 to {len(v)}, each once, got {tuple(v)!r}",
                       hint="axis 0, the batch, never moves: Permute((2, 1)) swaps the two others")
    return tuple(v)


@register
class Permute(KerasLayer):
    dims = Arg(permutation)

    def output_shape(self, shape):
        self.require_rank(shape, len(self.dims) + 1)
        return (shape[0], *(shape[d] for d in self.dims))


@register
class RepeatVector(KerasLayer):
    n = Arg(a.positive_int)

    def output_shape(self, shape):
        self.require_rank(shape, 2, what=" (batch, features)")
        return (shape[0], self.n, shape[1])


def edge_pairs(value, rank: int) -> tuple:
    """Padding or cropping, as Keras reads it: one (before, after) pair per spatial axis.

    1D takes an int or one pair; 2D and 3D an int, or one entry per axis that is an
    int (both sides) or a pair.
    """
    def pair(entry):
        if isinstance(entry, int) and not isinstance(entry, bool):
            entry = (entry, entry)
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2 and
                all(isinstance(x, int) and not isinstance(x, bool) for x in entry)):
            raise ArgError(f"must be an integer or a (before, after) pair for each axis, not {value!r}")
        if min(entry) < 0:
            raise ArgError(f"must not be negative, got {value!r}")
        return tuple(entry)

    if rank == 1 or isinstance(value, int):
        return (pair(value),) * rank
    if not isinstance(value, (tuple, list)) or len(value) != rank:
        raise ArgError(f"must be an integer or {rank} entries (one per axis), not {value!r}")
    return tuple(pair(entry) for entry in value)


class EdgeLayer(SpatialLayer):
    """Padding or cropping: a (before, after) pair of sizes for each spatial axis."""

    edges_arg = ""  # the Arg holding the pairs

    def check(self) -> None:
        try:
            setattr(self, self.edges_arg, edge_pairs(getattr(self, self.edges_arg), self.rank))
        except ArgError as exc:
            self.fail(f"{self.edges_arg} {exc}", kind="argument", arg=self.edges_arg, hint=exc.hint)

    def output_shape(self, shape):
        self.expect_rank(shape)
        return self.assemble(shape, self.output_sizes(shape), shape[self.channel_axis])


class ZeroPadding(EdgeLayer):
    padding = Arg(default=1)
    data_format = data_format_arg()
    edges_arg = "padding"

    def lengths(self, shape):
        return [padded_length(n, before, after, sub=sub)
                for n, (before, after), (sub, _, _) in zip(self.spatial(shape), self.padding, AXES[self.rank])]


@register
class ZeroPadding1D(ZeroPadding):
    rank = 1


@register
class ZeroPadding2D(ZeroPadding):
    rank = 2


@register
class ZeroPadding3D(ZeroPadding):
    rank = 3


class Cropping(EdgeLayer):
    cropping = Arg(default=1)
    edges_arg = "cropping"
    too_small_hint = "the cropping must leave at least one element on each axis"

    def lengths(self, shape):
        return [cropped_length(n, before, after, sub=sub)
                for n, (before, after), (sub, _, _) in zip(self.spatial(shape), self.cropping, AXES[self.rank])]


@register
class Cropping1D(Cropping):
    rank = 1


class ImageCropping(Cropping):
    data_format = data_format_arg()


@register
class Cropping2D(ImageCropping):
    rank = 2
    cropping = Arg(default=0)


@register
class Cropping3D(ImageCropping):
    rank = 3


class UpSampling(SpatialLayer):
    """Each element repeated ``size`` times along each spatial axis."""

    size = Arg(default=2)

    def check(self) -> None:
        self.size = self.per_axis("size")

    def lengths(self, shape):
        return [upsampled_length(n, f, sub=sub)
                for n, f, (sub, _, _) in zip(self.spatial(shape), self.size, AXES[self.rank])]

    def output_shape(self, shape):
        self.expect_rank(shape)
        return self.assemble(shape, self.output_sizes(shape), shape[self.channel_axis])


@register
class UpSampling1D(UpSampling):
    rank = 1
    size = Arg(a.positive_int, 2)  # one int: Keras's UpSampling1D takes no tuple


class ImageUpSampling(UpSampling):
    data_format = data_format_arg()


@register
class UpSampling2D(ImageUpSampling):
    rank = 2
    interpolation = Arg(a.string, "nearest")  # how new values are filled; sizes are the same


@register
class UpSampling3D(ImageUpSampling):
    rank = 3

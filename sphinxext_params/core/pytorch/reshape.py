"""torch.nn modules that rearrange without parameters: Flatten, Unflatten, Upsample,
PixelShuffle, PixelUnshuffle, ChannelShuffle."""

from __future__ import annotations

import math

from .. import args as a
from ..expr import Div, Step, Sym, product
from ..layer import Arg, ArgError, format_shape
from ..shapes import upsampled_length
from .base import TorchLayer, axis_steps, register, subscripts


def _dim(shape, dim: int) -> int:
    """A possibly negative dimension index, as an index into ``shape``."""
    return dim + len(shape) if dim < 0 else dim


class _AxisLayer(TorchLayer):
    def axis_index(self, shape, dim: int, arg: str) -> int:
        index = _dim(shape, dim)
        if not 0 <= index < len(shape):
            self.fail(f"{arg}={dim} is out of range for an input of rank {len(shape)} ({format_shape(shape)})",
                      arg=arg, hint=f"dimensions go from {-len(shape)} to {len(shape) - 1}; 0 is the batch")
        return index


@register
class Flatten(_AxisLayer):
    """Merges the axes ``start_dim`` to ``end_dim`` (defaults: all but the batch)."""

    start_dim = Arg(a.integer, 1)
    end_dim = Arg(a.integer, -1)

    def span(self, shape) -> tuple[int, int]:
        start = self.axis_index(shape, self.start_dim, "start_dim")
        end = self.axis_index(shape, self.end_dim, "end_dim")
        if start > end:
            self.fail(f"start_dim ({self.start_dim}) comes after end_dim ({self.end_dim}) on an input of "
                      f"rank {len(shape)}", arg="start_dim")
        return start, end

    def output_shape(self, shape):
        start, end = self.span(shape)
        merged = shape[start:end + 1]
        size = None if None in merged else math.prod(merged)
        return (*shape[:start], size, *shape[end + 1:])

    def shape_derivation(self, input_shape):
        if input_shape is None:
            return []
        start, end = self.span(input_shape)
        merged = input_shape[start:end + 1]
        if len(merged) < 2 or None in merged:
            return []
        return [Step("n_out", product([Sym(f"n_{i}", n) for i, n in enumerate(merged, start)]),
                     "flattened size")]


@register
class Unflatten(_AxisLayer):
    """Splits axis ``dim`` into ``unflattened_size`` (one entry may be -1)."""

    dim = Arg(a.integer)
    unflattened_size = Arg(lambda v: a.shape(v, allow_none=False, allow_minus_one=True))

    def check(self) -> None:
        if list(self.unflattened_size).count(-1) > 1:
            self.fail("unflattened_size may hold -1 only once", kind="argument", arg="unflattened_size")

    def output_shape(self, shape):
        index = self.axis_index(shape, self.dim, "dim")
        n = shape[index]
        sizes = list(self.unflattened_size)
        known = math.prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if n is None:
                sizes[sizes.index(-1)] = None
            elif n % known:
                self.fail(f"cannot split axis {self.dim} of size {n} into {tuple(self.unflattened_size)}",
                          arg="unflattened_size")
            else:
                sizes[sizes.index(-1)] = n // known
        elif n is not None and known != n:
            self.fail(f"unflattened_size {tuple(sizes)} holds {known} elements, but axis {self.dim} of the input "
                      f"{format_shape(shape)} has {n}", arg="unflattened_size")
        return (*shape[:index], *sizes, *shape[index + 1:])


class _Resize(TorchLayer):
    """Interpolation to a stated size or by a scale factor on the axes after (N, C)."""

    #: Input ranks a mode works on; None means any of 3, 4, 5.
    MODE_RANKS = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
    mode = "nearest"
    align_corners = None

    def check(self) -> None:
        if self.size is not None and self.scale_factor is not None:
            self.fail("takes size or scale_factor, not both", kind="argument", arg="scale_factor")
        if self.mode not in ("nearest", "nearest-exact", "area", *self.MODE_RANKS):
            self.fail(f"mode {self.mode!r} is not one of 'nearest', 'nearest-exact', 'linear', 'bilinear', "
                      "'bicubic', 'trilinear', 'area'", kind="argument", arg="mode")

    def per_axis(self, value, rank: int, name: str, convert):
        if isinstance(value, (tuple, list)):
            if len(value) != rank:
                self.fail(f"{name} {tuple(value)} has {len(value)} entries but the input has {rank} spatial axes",
                          arg=name)
            return tuple(self.converted_value(name, convert, v) for v in value)
        return (self.converted_value(name, convert, value),) * rank

    def converted_value(self, name, convert, v):
        try:
            return convert(v)
        except ArgError as exc:
            self.fail(f"{name} {exc}", kind="argument", arg=name)

    def resized(self, shape):
        """The spatial output sizes, with the expression for each where there is a formula."""
        rank = len(shape) - 2
        if self.size is not None:
            sizes = self.per_axis(self.size, rank, "size", a.positive_int)
            return list(sizes), [None] * rank
        if self.scale_factor is None:
            self.fail("needs size or scale_factor", kind="argument")
        scales = self.per_axis(self.scale_factor, rank, "scale_factor", a.number)
        sizes, exprs = [], []
        for n, scale, sub in zip(shape[2:], scales, subscripts(rank)):
            if n is None:
                sizes.append(None)
                exprs.append(None)
            elif float(scale).is_integer():
                expr = upsampled_length(n, int(scale), sub=sub)
                sizes.append(expr.value)
                exprs.append(expr)
            else:
                sizes.append(math.floor(float(n) * scale))  # PyTorch: floor(n · scale) in double
                exprs.append(None)
        return sizes, exprs

    def output_shape(self, shape):
        needed = self.MODE_RANKS.get(self.mode)
        if needed is not None and len(shape) != needed:
            self.fail(f"mode {self.mode!r} needs an input of rank {needed}, got {format_shape(shape)}")
        self.require_ranks(shape, (3, 4, 5), "(N, C, L), (N, C, H, W) or (N, C, D, H, W)")
        if self.align_corners is not None and needed is None:
            self.fail("align_corners can only be set with the interpolating modes linear, bilinear, bicubic "
                      "and trilinear", arg="align_corners")
        sizes, _ = self.resized(shape)
        for n in sizes:
            if n is not None and n < 1:
                self.fail(f"its output would be empty on the input {format_shape(shape)}")
        return (*shape[:2], *sizes)

    def shape_derivation(self, input_shape):
        if input_shape is None or len(input_shape) not in (3, 4, 5):
            return []
        return axis_steps(len(input_shape) - 2, self.resized(input_shape)[1])


@register
class Upsample(_Resize):
    size = Arg(default=None)
    scale_factor = Arg(default=None)
    mode = Arg(a.string, "nearest")
    align_corners = Arg(a.optional(a.boolean), None)
    recompute_scale_factor = Arg(a.optional(a.boolean), None)


@register
class UpsamplingNearest2d(_Resize):
    size = Arg(default=None)
    scale_factor = Arg(default=None)
    MODE_RANKS = {"nearest": 4}


@register
class UpsamplingBilinear2d(_Resize):
    size = Arg(default=None)
    scale_factor = Arg(default=None)
    mode = "bilinear"
    align_corners = True


class _Shuffle(TorchLayer):
    """Pixel (un)shuffle: moves a factor r² between the channels and the last two axes."""

    up = True

    def output_shape(self, shape):
        self.require_rank(shape, 3, at_least=True)
        (c, h, w), r = shape[-3:], self.factor
        if self.up:
            if c is not None and c % (r * r):
                self.fail(f"needs channels divisible by {self.factor_name}² = {r * r}, got {c}")
            return (*shape[:-3], None if c is None else c // (r * r), _times(h, r), _times(w, r))
        for axis, n in zip(("height", "width"), (h, w)):
            if n is not None and n % r:
                self.fail(f"needs the {axis} ({n}) divisible by {self.factor_name} ({r})")
        return (*shape[:-3], _times(c, r * r), None if h is None else h // r, None if w is None else w // r)

    def shape_derivation(self, input_shape):
        if input_shape is None or len(input_shape) < 3 or None in input_shape[-3:]:
            return []
        (c, h, w), r = input_shape[-3:], Sym("r", self.factor)
        C, H, W = Sym("C", c), Sym("h", h), Sym("w", w)
        if self.up:
            return [Step("C_out", Div(C, r * r), "output channels"), Step("h_out", H * r, "output h"),
                    Step("w_out", W * r, "output w")]
        return [Step("C_out", C * r * r, "output channels"), Step("h_out", Div(H, r), "output h"),
                Step("w_out", Div(W, r), "output w")]

    @property
    def factor(self) -> int:
        return getattr(self, self.factor_name)


def _times(n, k):
    return None if n is None else n * k


@register
class PixelShuffle(_Shuffle):
    upscale_factor = Arg(a.positive_int)
    factor_name = "upscale_factor"


@register
class PixelUnshuffle(_Shuffle):
    downscale_factor = Arg(a.positive_int)
    factor_name = "downscale_factor"
    up = False


@register
class ChannelShuffle(TorchLayer):
    """Reorders channels in ``groups``; the shape stays."""

    groups = Arg(a.positive_int)

    def output_shape(self, shape):
        self.require_rank(shape, 3, at_least=True)
        if shape[1] is not None and shape[1] % self.groups:
            self.fail(f"needs channels ({shape[1]}) divisible by groups ({self.groups})", arg="groups")
        return shape

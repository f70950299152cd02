"""torch.nn pooling: Max/Avg/LP pooling and their adaptive forms, 1d to 3d.

None has parameters.  A window slides over the last ``rank`` axes exactly as a
convolution's kernel does (one shared formula, :func:`~..shapes.pool_output_length`);
the leading axes pass through, so an unbatched ``(C, H, W)`` input works as in PyTorch.
"""

from __future__ import annotations

from .. import args as a
from ..layer import Arg, ArgError
from ..shapes import pool_output_length
from .base import AXES, Spatial, register, subscripts, window_padding


class _Window(Spatial):
    """A pooling window: kernel, stride (defaults to the kernel), padding, dilation, ceil_mode."""

    dilation = 1  # average pooling has no dilation argument; this stands in for it

    def check(self) -> None:
        self.kernel_size = self.converted("kernel_size", a.ints(self.rank))
        self.stride = self.kernel_size if self.stride is None else self.converted("stride", a.ints(self.rank))
        self.padding = self.converted("padding", a.ints(self.rank, minimum=0))
        self.dilation = self.converted("dilation", a.ints(self.rank))

    def lengths(self, spatial) -> list:
        return [pool_output_length(n, k, s, window_padding(p), dilation=d, ceil_mode=self.ceil_mode, sub=sub)
                for n, k, s, p, d, sub in zip(spatial, self.kernel_size, self.stride, self.padding,
                                              self.dilation, subscripts(self.rank))]

    def output_lengths(self, spatial):
        # PyTorch checks this in the forward pass, against the kernel size even when dilated.
        for axis, k, p in zip(AXES[self.rank], self.kernel_size, self.padding):
            if 2 * p > k:
                self.fail(f"padding ({p}) along {axis} must be at most half of the kernel size ({k})",
                          arg="padding", hint="PyTorch refuses pads wider than half a window")
        return super().output_lengths(spatial)


class MaxPool(_Window):
    kernel_size = Arg()
    stride = Arg(default=None)
    padding = Arg(default=0)
    dilation = Arg(default=1)
    return_indices = Arg(a.boolean, False)
    ceil_mode = Arg(a.boolean, False)


class AvgPool(_Window):
    kernel_size = Arg()
    stride = Arg(default=None)
    padding = Arg(default=0)
    ceil_mode = Arg(a.boolean, False)
    count_include_pad = Arg(a.boolean, True)


class LPPool(_Window):
    """Power-average pooling: ``avg_pool`` of ``x^p`` without padding, so the same formula."""

    norm_type = Arg(a.number)
    kernel_size = Arg()
    stride = Arg(default=None)
    ceil_mode = Arg(a.boolean, False)

    def check(self) -> None:
        self.kernel_size = self.converted("kernel_size", a.ints(self.rank))
        self.stride = self.kernel_size if self.stride is None else self.converted("stride", a.ints(self.rank))
        self.padding = (0,) * self.rank
        self.dilation = (1,) * self.rank


def output_sizes(rank: int):
    """An adaptive pool's output_size: an int, or ``rank`` ints where None keeps the input's size
    (PyTorch's 1-d pools take no None)."""
    def convert(v):
        if isinstance(v, int) and not isinstance(v, bool):
            v = (v,) * rank
        allowed = (lambda x: isinstance(x, int) and not isinstance(x, bool) and x >= 0) if rank == 1 else \
            (lambda x: x is None or (isinstance(x, int) and not isinstance(x, bool) and x >= 0))
        if not isinstance(v, (tuple, list)) or len(v) != rank or not all(allowed(x) for x in v):
            keeps = "" if rank == 1 else " (None keeps the input's)"
            raise ArgError(f"must be an integer or a tuple of {rank} sizes{keeps}, not {v!r}")
        return tuple(v)
    return convert


class AdaptivePool(Spatial):
    """Adaptive pooling: the output size is stated; None in it keeps the input's size."""

    output_size = Arg()

    def check(self) -> None:
        self.output_size = self.converted("output_size", output_sizes(self.rank))

    def output_lengths(self, spatial):
        return [n if out is None else out for n, out in zip(spatial, self.output_size)]


class AdaptiveMaxPool(AdaptivePool):
    return_indices = Arg(a.boolean, False)


@register
class MaxPool1d(MaxPool):
    rank = 1


@register
class MaxPool2d(MaxPool):
    rank = 2


@register
class MaxPool3d(MaxPool):
    rank = 3


@register
class AvgPool1d(AvgPool):
    rank = 1


@register
class AvgPool2d(AvgPool):
    rank = 2
    divisor_override = Arg(a.optional(a.positive_int), None)


@register
class AvgPool3d(AvgPool):
    rank = 3
    divisor_override = Arg(a.optional(a.positive_int), None)


@register
class LPPool1d(LPPool):
    rank = 1


@register
class LPPool2d(LPPool):
    rank = 2


@register
class LPPool3d(LPPool):
    rank = 3


@register
class AdaptiveAvgPool1d(AdaptivePool):
    rank = 1


@register
class AdaptiveAvgPool2d(AdaptivePool):
    rank = 2


@register
class AdaptiveAvgPool3d(AdaptivePool):
    rank = 3


@register
class AdaptiveMaxPool1d(AdaptiveMaxPool):
    rank = 1


@register
class AdaptiveMaxPool2d(AdaptiveMaxPool):
    rank = 2


@register
class AdaptiveMaxPool3d(AdaptiveMaxPool):
    rank = 3

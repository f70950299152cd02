"""torch.nn convolutions: Conv1d/2d/3d and ConvTranspose1d/2d/3d.

Both families keep one ``weight`` with the kernel's spatial sizes last; a convolution's
is (C_out, C_in / g, *k), a transposed convolution's (C_in, C_out / g, *k).  Either way
the count is ``C_out (k C_in / g + 1)`` with the bias, which is how it is derived.
"""

from __future__ import annotations

from typing import ClassVar

from .. import args as a
from ..expr import Step, Sym, product
from ..layer import Arg, ArgError, Weight, format_shape
from ..shapes import conv_output_length, deconv_output_length
from .base import AXES, FACTORY, TorchLayer, axis_steps, register, spatial_value, subscripts, window_padding

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def conv_padding(rank: int):
    """Conv padding: ``'valid'``, ``'same'``, an int or a tuple of ``rank`` ints."""
    sizes = a.ints(rank, minimum=0)

    def convert(v):
        if isinstance(v, str):
            if v not in ("valid", "same"):
                raise ArgError(f"must be 'valid', 'same', an integer or a tuple of {rank} integers, not {v!r}")
            return v
        return sizes(v)
    return convert


class _Convolution(TorchLayer):
    """What convolutions and transposed convolutions share: the kernel, the channels check, the count."""

    rank: ClassVar[int] = 2
    transposed: ClassVar[bool] = False
    ignored = FACTORY

    def check(self) -> None:
        self.kernel_size = self.converted("kernel_size", a.ints(self.rank))
        self.stride = self.converted("stride", a.ints(self.rank))
        self.dilation = self.converted("dilation", a.ints(self.rank))
        for name in ("in_channels", "out_channels"):
            if getattr(self, name) % self.groups:
                self.fail(f"{name} ({getattr(self, name)}) must be divisible by groups ({self.groups})",
                          kind="argument", arg="groups")

    def own_weights(self):
        k = tuple(self.kernel_size)
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *k)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *k)
        out = [Weight("weight", shape)]
        if self.bias:
            out.append(Weight("bias", (self.out_channels,)))
        return out

    def derivation(self, input_shape=None):
        c_in, c_out, g = Sym("C_in", self.in_channels), Sym("C_out", self.out_channels), Sym("g", self.groups)
        window = product([Sym(f"k_{axis}" if self.rank > 1 else "k", k)
                          for axis, k in zip(AXES[self.rank], self.kernel_size)])
        per_output = c_in * window if self.groups == 1 else window * c_in / g
        shape = "C_in × C_out / g" if self.transposed else "C_out × C_in / g"
        if self.groups == 1:
            shape = shape.replace(" / g", "")
        kernel = " × ".join(f"k_{axis}" for axis in AXES[self.rank]) if self.rank > 1 else "k"
        if self.bias:
            return [Step("N", c_out * (per_output + 1), f"weight {shape} × {kernel}, bias C_out")]
        return [Step("N", c_out * per_output, f"weight {shape} × {kernel}")]

    # -- shapes -----------------------------------------------------------------------------
    def lengths(self, shape) -> list:
        """The output length of each spatial axis as an expression (None where unknown)."""
        raise NotImplementedError

    def output_shape(self, shape):
        layout = "(N, C, " + ", ".join(a.upper() for a in AXES[self.rank]) + ")"
        if len(shape) != self.rank + 2:
            self.fail(f"expects an input of rank {self.rank + 2} {layout}, got shape {format_shape(shape)}",
                      hint="input_shape is one sample without the batch, channels first, e.g. "
                           + str((3,) + (32,) * self.rank))
        self.expect_size(shape, 1, self.in_channels, "in_channels (its input's axis 1)", arg="in_channels")
        self.check_input(shape)
        sizes = self.output_lengths(shape)
        for axis, n in zip(AXES[self.rank], sizes):
            if n is not None and n < 1:
                self.fail(f"its output would be empty ({axis}_out = {n}) on the input {format_shape(shape)}",
                          hint="the input is too small for this kernel size, dilation and padding")
        return (shape[0], self.out_channels, *sizes)

    def output_lengths(self, shape) -> list:
        return [spatial_value(e) for e in self.lengths(shape)]

    def check_input(self, shape) -> None:
        """Checks of the spatial sizes against the arguments, before the formula."""

    def shape_derivation(self, input_shape):
        if input_shape is None or len(input_shape) != self.rank + 2:
            return []
        return axis_steps(self.rank, self.lengths(input_shape))


class Conv(_Convolution):
    """``nn.Conv1d/2d/3d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
    padding_mode)``."""

    in_channels = Arg(a.positive_int)
    out_channels = Arg(a.positive_int)
    kernel_size = Arg()
    stride = Arg(default=1)
    padding = Arg(default=0)
    dilation = Arg(default=1)
    groups = Arg(a.positive_int, 1)
    bias = Arg(a.boolean, True)
    padding_mode = Arg(a.one_of(*PADDING_MODES), "zeros")

    def check(self) -> None:
        super().check()
        self.padding = self.converted("padding", conv_padding(self.rank))
        if self.padding == "same" and any(s != 1 for s in self.stride):
            self.fail("padding='same' is not supported for strided convolutions", kind="argument",
                      arg="padding", hint="use stride=1, or give the padding as a number")

    def lengths(self, shape):
        if self.padding == "same":
            return [None] * self.rank  # no formula: PyTorch pads so that every axis keeps its size
        padding = (0,) * self.rank if self.padding == "valid" else self.padding
        return [conv_output_length(n, k, s, d, window_padding(p), sub=sub)
                for n, k, s, d, p, sub in zip(shape[2:], self.kernel_size, self.stride, self.dilation,
                                              padding, subscripts(self.rank))]

    def output_lengths(self, shape):
        return list(shape[2:]) if self.padding == "same" else super().output_lengths(shape)

    def check_input(self, shape):
        if self.padding_mode in ("reflect", "circular") and isinstance(self.padding, tuple):
            for axis, n, p in zip(AXES[self.rank], shape[2:], self.padding):
                limit = n if self.padding_mode == "circular" else (n - 1 if n is not None else None)
                if limit is not None and p > limit:
                    self.fail(f"padding_mode={self.padding_mode!r} needs padding ({p}) "
                              f"{'at most' if self.padding_mode == 'circular' else 'below'} the input size "
                              f"along {axis} ({n})", arg="padding")


class ConvTranspose(_Convolution):
    """``nn.ConvTranspose1d/2d/3d(in_channels, out_channels, kernel_size, stride, padding, output_padding,
    groups, bias, dilation, padding_mode)``."""

    transposed = True
    in_channels = Arg(a.positive_int)
    out_channels = Arg(a.positive_int)
    kernel_size = Arg()
    stride = Arg(default=1)
    padding = Arg(default=0)
    output_padding = Arg(default=0)
    groups = Arg(a.positive_int, 1)
    bias = Arg(a.boolean, True)
    dilation = Arg(default=1)
    padding_mode = Arg(a.one_of("zeros"), "zeros")

    def check(self) -> None:
        super().check()
        self.padding = self.converted("padding", a.ints(self.rank, minimum=0))
        self.output_padding = self.converted("output_padding", a.ints(self.rank, minimum=0))

    def check_input(self, shape):
        # PyTorch checks this in forward(), so a count without an input shape never sees it.
        for axis, op, s, d in zip(AXES[self.rank], self.output_padding, self.stride, self.dilation):
            if op >= max(s, d):
                self.fail(f"output_padding ({op}) along {axis} must be smaller than the stride ({s}) "
                          f"or the dilation ({d})", arg="output_padding")

    def lengths(self, shape):
        return [deconv_output_length(n, k, s, d, p, op or None, sub=sub)
                for n, k, s, d, p, op, sub in zip(shape[2:], self.kernel_size, self.stride, self.dilation,
                                                  self.padding, self.output_padding, subscripts(self.rank))]


@register
class Conv1d(Conv):
    rank = 1


@register
class Conv2d(Conv):
    rank = 2


@register
class Conv3d(Conv):
    rank = 3


@register
class ConvTranspose1d(ConvTranspose):
    rank = 1


@register
class ConvTranspose2d(ConvTranspose):
    rank = 2


@register
class ConvTranspose3d(ConvTranspose):
    rank = 3

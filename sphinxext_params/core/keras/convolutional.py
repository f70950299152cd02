"""Keras convolution layers: Conv1D/2D/3D, their transposes, separable and depthwise convs.

Also home of :class:`SpatialLayer`, what every layer over ``rank`` spatial axes shares
(pooling, padding, cropping, up-sampling, ...): where ``data_format`` puts the
channels, the names of the axes, and one shape-derivation step per axis.
"""

from __future__ import annotations

from typing import ClassVar

from .. import args as a
from ..expr import Expr, Step, Sym, product
from ..layer import Arg, ArgError, Weight, format_shape
from ..shapes import conv_output_length, deconv_output_length
from .base import KerasLayer, activation_value, register

#: The spatial axes by rank: their subscript in derivations and their name in words.
#: (One axis needs no subscript: ``n``, ``k``, ``s`` are unambiguous.)
AXES = {
    1: (("", "l", "length"),),
    2: (("h", "h", "height"), ("w", "w", "width")),
    3: (("d", "d", "depth"), ("h", "h", "height"), ("w", "w", "width")),
}


def data_format_arg(*, keyword_only: bool = False) -> Arg:
    """Keras's ``data_format``: any case; None means the default, ``"channels_last"``."""
    return Arg(a.optional(a.one_of("channels_last", "channels_first", lower=True)), None,
               keyword_only=keyword_only)


class SpatialLayer(KerasLayer):
    """A layer whose input is ``(batch, *spatial, channels)``, or channels first.

    Subclasses set ``rank`` (the number of spatial axes) and declare ``data_format``
    among their Args when Keras takes it (Cropping1D, UpSampling1D do not); the
    helpers here read ``self.data_format``, which is None or absent for channels last.
    """

    rank: ClassVar[int] = 2
    #: What to suggest when an output size comes out below 1.
    too_small_hint: ClassVar[str] = ("the input is smaller than the window; "
                                     "use padding='same' or a smaller kernel or stride")

    # -- layout ----------------------------------------------------------------------------
    @property
    def channels_first(self) -> bool:
        return getattr(self, "data_format", None) == "channels_first"

    @property
    def channel_axis(self) -> int:
        return 1 if self.channels_first else -1

    def spatial_axes(self) -> range:
        start = 2 if self.channels_first else 1
        return range(start, start + self.rank)

    def spatial(self, shape) -> list:
        return [shape[i] for i in self.spatial_axes()]

    def layout_text(self) -> str:
        names = ["steps"] if self.rank == 1 else [name for _, _, name in AXES[self.rank]]
        return "(batch, channels, " + ", ".join(names) + ")" if self.channels_first else \
            "(batch, " + ", ".join(names) + ", channels)"

    def expect_rank(self, shape) -> None:
        if len(shape) != self.rank + 2:  # the message's layout text only when it is needed
            self.require_rank(shape, self.rank + 2, what=f" {self.layout_text()}")

    def assemble(self, shape, sizes, channels) -> tuple:
        """The output shape: the input's batch, the new spatial sizes and channel count."""
        if self.channels_first:
            return (shape[0], channels, *sizes)
        return (shape[0], *sizes, channels)

    def per_axis(self, name: str, *, minimum: int = 1) -> tuple:
        """An int-or-tuple argument expanded to one value per spatial axis."""
        try:
            return a.ints(self.rank, minimum=minimum)(getattr(self, name))
        except ArgError as exc:
            self.fail(f"{name} {exc}", kind="argument", arg=name, hint=exc.hint)

    # -- sizes with a formula --------------------------------------------------------------
    def lengths(self, shape) -> list[Expr | None]:
        """One expression per spatial axis for its output size (None where unknown);
        layers whose sizes have no formula (global pooling) keep this empty list."""
        return []

    def output_sizes(self, shape) -> list:
        """The spatial output sizes; a size below 1 means the input is too small."""
        sizes = []
        for (_, axis, name), expr in zip(AXES[self.rank], self.lengths(shape)):
            if expr is None:
                sizes.append(None)
                continue
            if expr.value <= 0:
                self.fail(f"the output {name} would be {expr.value} ({axis}_out = {expr.text()} = "
                          f"{expr.numbers()}) for the input shape {format_shape(shape)}",
                          hint=self.too_small_hint)
            sizes.append(expr.value)
        return sizes

    def shape_derivation(self, shape) -> list[Step]:
        return [Step(f"{axis}_out", expr, f"output {name}")
                for (_, axis, name), expr in zip(AXES[self.rank], self.lengths(shape)) if expr is not None]

    def syms(self, base: str, values) -> list[Sym]:
        """``k_h``, ``k_w`` (or plain ``k`` in 1D) with the given values."""
        return [Sym(f"{base}_{sub}" if sub else base, v) for (sub, _, _), v in zip(AXES[self.rank], values)]


class ConvBase(SpatialLayer):
    """What every convolution family shares: a kernel sliding over the spatial axes.

    Families declare their Args in Keras's order (it differs between them) and state
    how many output channels they make and which weights they own.
    """

    #: Whether strides > 1 may go with dilation_rate > 1: separable and depthwise convs
    #: allow it, Conv and ConvTranspose refuse it.
    strided_dilation: ClassVar[bool] = False
    #: Only Conv1D accepts padding="causal".
    causal: ClassVar[bool] = False

    def check(self) -> None:
        self.kernel_size = self.per_axis("kernel_size")
        self.strides = self.per_axis("strides")
        self.dilation_rate = self.per_axis("dilation_rate")
        if self.padding == "causal" and not self.causal:
            self.fail("padding='causal' is only for Conv1D", kind="argument", arg="padding",
                      hint="use padding='valid' or 'same'")
        if not self.strided_dilation and max(self.strides) > 1 and max(self.dilation_rate) > 1:
            self.fail(f"strides > 1 cannot be combined with dilation_rate > 1 (strides={self.strides}, "
                      f"dilation_rate={self.dilation_rate})", kind="argument", arg="dilation_rate",
                      hint="Keras supports either a stride or a dilation, not both")

    def lengths(self, shape):
        return [conv_output_length(n, k, s, d, self.padding, sub=sub)
                for n, k, s, d, (sub, _, _) in zip(self.spatial(shape), self.kernel_size, self.strides,
                                                   self.dilation_rate, AXES[self.rank])]

    def in_channels(self, shape) -> int:
        return self.known(shape, self.channel_axis, "the channels axis")

    def out_channels(self, shape) -> int:
        return self.filters

    def output_shape(self, shape):
        self.expect_rank(shape)
        return self.assemble(shape, self.output_sizes(shape), self.out_channels(shape))

    def kernel_syms(self) -> Expr:
        return product(self.syms("k", self.kernel_size))


def padding_arg(*modes) -> Arg:
    return Arg(a.one_of(*modes, lower=True), "valid")


class Conv(ConvBase):
    """Conv1D/2D/3D: ``filters`` kernels over all (or a group of) the input channels."""

    filters = Arg(a.positive_int)
    kernel_size = Arg()
    strides = Arg(default=1)
    padding = padding_arg("valid", "same", "causal")
    data_format = data_format_arg()
    dilation_rate = Arg(default=1)
    groups = Arg(a.positive_int, 1)
    activation = Arg(activation_value, None)
    use_bias = Arg(a.boolean, True)
    lora_rank = Arg(a.optional(a.positive_int), None, keyword_only=True)
    ignored = KerasLayer.ignored | {"lora_alpha"}

    def check(self) -> None:
        super().check()
        if self.filters % self.groups:
            self.fail(f"filters={self.filters} is not divisible by groups={self.groups}", kind="argument",
                      arg="groups", hint="each group makes filters / groups output channels")

    def weights(self, shape):
        c = self.in_channels(shape)
        if c % self.groups:
            self.fail(f"the input's {c} channels are not divisible by groups={self.groups}",
                      hint="each group convolves channels / groups input channels")
        kernel = Weight("kernel", (*self.kernel_size, c // self.groups, self.filters))
        out = [kernel]
        if self.use_bias:
            out.append(Weight("bias", (self.filters,)))
        if self.lora_rank:
            out[0] = kernel.frozen()
            out += [Weight("lora_kernel_a", (*kernel.shape[:-1], self.lora_rank)),
                    Weight("lora_kernel_b", (self.lora_rank, self.filters))]
        return out

    def derivation(self, shape):
        if self.lora_rank:
            return super().derivation(shape)
        c, f = Sym("c", shape[self.channel_axis]), Sym("f", self.filters)
        per_filter = self.kernel_syms() * (c if self.groups == 1 else c / Sym("g", self.groups))
        return [Step("N", f * (per_filter + 1) if self.use_bias else per_filter * f)]


class Conv1D(Conv):
    rank = 1
    causal = True


class Conv2D(Conv):
    rank = 2


class Conv3D(Conv):
    rank = 3


register(Conv1D, aliases=("Convolution1D",))
register(Conv2D, aliases=("Convolution2D",))
register(Conv3D, aliases=("Convolution3D",))


class ConvTranspose(ConvBase):
    """Conv1DTranspose/2D/3D: each input position spreads a kernel over a strided output."""

    filters = Arg(a.positive_int)
    kernel_size = Arg()
    strides = Arg(default=1)
    padding = padding_arg("valid", "same")
    output_padding = Arg(default=None)
    data_format = data_format_arg()
    dilation_rate = Arg(default=1)
    activation = Arg(activation_value, None)
    use_bias = Arg(a.boolean, True)

    def check(self) -> None:
        super().check()
        if self.output_padding is not None:
            self.output_padding = self.per_axis("output_padding", minimum=0)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                self.fail(f"output_padding={self.output_padding} must be less than strides={self.strides} "
                          "on every axis", kind="argument", arg="output_padding",
                          hint="output padding only picks among the sizes a stride can give")

    def lengths(self, shape):
        paddings = self.output_padding or (None,) * self.rank
        return [deconv_output_length(n, k, s, d, self.padding, p, sub=sub)
                for n, k, s, d, p, (sub, _, _) in zip(self.spatial(shape), self.kernel_size, self.strides,
                                                      self.dilation_rate, paddings, AXES[self.rank])]

    def weights(self, shape):
        c = self.in_channels(shape)
        out = [Weight("kernel", (*self.kernel_size, self.filters, c))]
        if self.use_bias:
            out.append(Weight("bias", (self.filters,)))
        return out

    def derivation(self, shape):
        c, f = Sym("c", shape[self.channel_axis]), Sym("f", self.filters)
        per_filter = self.kernel_syms() * c
        return [Step("N", f * (per_filter + 1) if self.use_bias else per_filter * f)]


class Conv1DTranspose(ConvTranspose):
    rank = 1


class Conv2DTranspose(ConvTranspose):
    rank = 2


class Conv3DTranspose(ConvTranspose):
    rank = 3


def _move_after(cls, name: str, after: str) -> None:
    """Change one Arg's positional place, for a class whose order departs from its family's."""
    rest = [arg for arg in cls.arguments if arg.name != name]
    moved = next(arg for arg in cls.arguments if arg.name == name)
    at = next(i for i, arg in enumerate(rest) if arg.name == after) + 1
    cls.arguments = (*rest[:at], moved, *rest[at:])


# Conv3DTranspose alone takes data_format before output_padding.
_move_after(Conv3DTranspose, "output_padding", after="data_format")

register(Conv1DTranspose, aliases=("Convolution1DTranspose",))
register(Conv2DTranspose, aliases=("Convolution2DTranspose",))
register(Conv3DTranspose, aliases=("Convolution3DTranspose",))


class DepthwiseWeights:
    """A depthwise kernel: ``depth_multiplier`` filters of its own for each input channel."""

    depthwise_options = frozenset({"depthwise_initializer", "depthwise_regularizer", "depthwise_constraint"})

    def depthwise_shape(self, c: int) -> tuple:
        return (*self.kernel_size, c, self.depth_multiplier)


class SeparableConv(DepthwiseWeights, ConvBase):
    """SeparableConv1D/2D: a depthwise conv, then a 1×1 conv mixing the channels into filters."""

    filters = Arg(a.positive_int)
    kernel_size = Arg()
    strides = Arg(default=1)
    padding = padding_arg("valid", "same")
    data_format = data_format_arg()
    dilation_rate = Arg(default=1)
    depth_multiplier = Arg(a.positive_int, 1)
    activation = Arg(activation_value, None)
    use_bias = Arg(a.boolean, True)
    ignored = KerasLayer.ignored | DepthwiseWeights.depthwise_options | {
        "pointwise_initializer", "pointwise_regularizer", "pointwise_constraint"}
    strided_dilation = True

    def weights(self, shape):
        c = self.in_channels(shape)
        out = [Weight("depthwise_kernel", self.depthwise_shape(c)),
               Weight("pointwise_kernel", ((1,) * self.rank + (c * self.depth_multiplier, self.filters)))]
        if self.use_bias:
            out.append(Weight("bias", (self.filters,)))
        return out

    def derivation(self, shape):
        c, m, f = Sym("c", shape[self.channel_axis]), Sym("m", self.depth_multiplier), Sym("f", self.filters)
        depthwise, pointwise = self.kernel_syms() * c * m, c * m * f
        return [Step("N", depthwise + pointwise + f if self.use_bias else depthwise + pointwise)]


class SeparableConv1D(SeparableConv):
    rank = 1


class SeparableConv2D(SeparableConv):
    rank = 2


register(SeparableConv1D, aliases=("SeparableConvolution1D",))
register(SeparableConv2D, aliases=("SeparableConvolution2D",))


class DepthwiseConv(DepthwiseWeights, ConvBase):
    """DepthwiseConv1D/2D: each input channel convolved on its own, ``depth_multiplier`` times."""

    kernel_size = Arg()
    strides = Arg(default=1)
    padding = padding_arg("valid", "same")
    depth_multiplier = Arg(a.positive_int, 1)
    data_format = data_format_arg()
    dilation_rate = Arg(default=1)
    activation = Arg(activation_value, None)
    use_bias = Arg(a.boolean, True)
    ignored = KerasLayer.ignored | DepthwiseWeights.depthwise_options
    strided_dilation = True

    def out_channels(self, shape):
        return self.in_channels(shape) * self.depth_multiplier

    def weights(self, shape):
        c = self.in_channels(shape)
        out = [Weight("kernel", self.depthwise_shape(c))]
        if self.use_bias:
            out.append(Weight("bias", (c * self.depth_multiplier,)))
        return out

    def derivation(self, shape):
        c, m = Sym("c", shape[self.channel_axis]), Sym("m", self.depth_multiplier)
        kernel = self.kernel_syms()
        return [Step("N", c * m * (kernel + 1) if self.use_bias else kernel * c * m)]


@register
class DepthwiseConv1D(DepthwiseConv):
    rank = 1


@register
class DepthwiseConv2D(DepthwiseConv):
    rank = 2

"""torch.nn activations: shape-preserving functions, and PReLU's learned slopes."""

from __future__ import annotations

from .. import args as a
from ..expr import Step, Sym
from ..layer import Arg, Weight, format_shape
from .base import FACTORY, TorchLayer, register


class Activation(TorchLayer):
    """An element-wise function: no parameters, the output has the input's shape."""


class InPlace(Activation):
    inplace = Arg(a.boolean, False)


class OnAxis(Activation):
    """A function along one axis (softmax and friends); ``dim`` must exist in the input."""

    dim = Arg(a.optional(a.integer), None)

    def output_shape(self, shape):
        if self.dim is not None and not -len(shape) <= self.dim < len(shape):
            self.fail(f"dim={self.dim} is out of range for an input of rank {len(shape)} ({format_shape(shape)})",
                      arg="dim")
        return shape


@register
class ReLU(InPlace):
    pass


@register
class ReLU6(InPlace):
    pass


@register
class SELU(InPlace):
    pass


@register
class SiLU(InPlace):
    pass


@register
class Mish(InPlace):
    pass


@register
class Hardswish(InPlace):
    pass


@register
class Hardsigmoid(InPlace):
    pass


@register
class ELU(Activation):
    alpha = Arg(a.number, 1.0)
    inplace = Arg(a.boolean, False)


@register
class CELU(ELU):
    pass


@register
class LeakyReLU(Activation):
    negative_slope = Arg(a.number, 0.01)
    inplace = Arg(a.boolean, False)


@register
class GELU(Activation):
    approximate = Arg(a.one_of("none", "tanh"), "none")


@register
class Tanh(Activation):
    pass


@register
class Sigmoid(Activation):
    pass


@register
class LogSigmoid(Activation):
    pass


@register
class Softsign(Activation):
    pass


@register
class Tanhshrink(Activation):
    pass


@register
class Softplus(Activation):
    beta = Arg(a.number, 1.0)
    threshold = Arg(a.number, 20.0)


@register
class Softshrink(Activation):
    lambd = Arg(a.number, 0.5)


@register
class Hardshrink(Softshrink):
    pass


@register
class Hardtanh(Activation):
    min_val = Arg(a.number, -1.0)
    max_val = Arg(a.number, 1.0)
    inplace = Arg(a.boolean, False)
    ignored = frozenset({"min_value", "max_value"})  # deprecated spellings of min_val, max_val


@register
class Threshold(Activation):
    threshold = Arg(a.number)
    value = Arg(a.number)
    inplace = Arg(a.boolean, False)


@register
class RReLU(Activation):
    lower = Arg(a.number, 1 / 8)
    upper = Arg(a.number, 1 / 3)
    inplace = Arg(a.boolean, False)


@register
class Softmax(OnAxis):
    pass


@register
class LogSoftmax(OnAxis):
    pass


@register
class Softmin(OnAxis):
    pass


@register
class Softmax2d(Activation):
    def output_shape(self, shape):
        self.require_ranks(shape, (3, 4), "(N, C, H, W) or (C, H, W)")
        return shape


@register
class GLU(OnAxis):
    """Gated linear unit: halves axis ``dim`` (one half gates the other)."""

    dim = Arg(a.integer, -1)

    def output_shape(self, shape):
        super().output_shape(shape)
        axis = self.dim % len(shape)
        n = shape[axis]
        if n is not None and n % 2:
            self.fail(f"halves axis {self.dim}, whose size {n} is odd", arg="dim")
        return (*shape[:axis], None if n is None else n // 2, *shape[axis + 1:])


@register
class PReLU(TorchLayer):
    """A ReLU whose negative slope is learned: one slope, or one per channel (axis 1)."""

    num_parameters = Arg(a.positive_int, 1)
    init = Arg(a.number, 0.25)
    ignored = FACTORY

    def output_shape(self, shape):
        if self.num_parameters > 1:
            channel = 1 if len(shape) >= 2 else 0
            self.expect_size(shape, channel, self.num_parameters, "num_parameters channels (axis 1)",
                             arg="num_parameters")
        return shape

    def own_weights(self):
        return [Weight("weight", (self.num_parameters,))]

    def derivation(self, input_shape=None):
        return [Step("N", Sym("a", self.num_parameters), "one slope a per channel" if self.num_parameters > 1
                     else "one shared slope")]

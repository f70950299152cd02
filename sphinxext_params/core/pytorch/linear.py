"""torch.nn linear modules: Identity, Linear, Bilinear."""

from __future__ import annotations

from .. import args as a
from ..expr import Step, Sym
from ..layer import Arg, Weight
from .base import FACTORY, TorchLayer, register


@register
class Identity(TorchLayer):
    """Returns its input; like PyTorch it accepts any arguments and ignores them."""

    @classmethod
    def bind(cls, args, kwargs, **base):
        return super().bind([], {}, **base)


@register
class Linear(TorchLayer):
    """``y = x Wᵀ + b`` on the last axis; ``weight`` is (out_features, in_features)."""

    in_features = Arg(a.non_negative_int)
    out_features = Arg(a.non_negative_int)
    bias = Arg(a.boolean, True)
    ignored = FACTORY

    def output_shape(self, shape):
        self.require_rank(shape, 2, at_least=True)
        self.expect_size(shape, -1, self.in_features, "in_features", arg="in_features")
        return (*shape[:-1], self.out_features)

    def own_weights(self):
        out = [Weight("weight", (self.out_features, self.in_features))]
        if self.bias:
            out.append(Weight("bias", (self.out_features,)))
        return out

    def derivation(self, input_shape=None):
        i, o = Sym("i", self.in_features), Sym("o", self.out_features)
        if self.bias:
            return [Step("N", o * (i + 1), "weight o × i, bias o")]
        return [Step("N", o * i, "weight o × i")]


@register
class Bilinear(TorchLayer):
    """``y = x₁ᵀ A x₂ + b``: one i₁ × i₂ matrix per output feature.

    It takes two tensors, so it cannot be a step of ``nn.Sequential``; with an input
    shape it fails as PyTorch does at run time.
    """

    in1_features = Arg(a.non_negative_int)
    in2_features = Arg(a.non_negative_int)
    out_features = Arg(a.non_negative_int)
    bias = Arg(a.boolean, True)
    ignored = FACTORY

    def output_shape(self, shape):
        self.fail("takes two input tensors (input1, input2), so it cannot follow another module in "
                  "a sequence", hint="leave out input_shape to count its parameters")

    def own_weights(self):
        out = [Weight("weight", (self.out_features, self.in1_features, self.in2_features))]
        if self.bias:
            out.append(Weight("bias", (self.out_features,)))
        return out

    def derivation(self, input_shape=None):
        i1, i2, o = Sym("i_1", self.in1_features), Sym("i_2", self.in2_features), Sym("o", self.out_features)
        if self.bias:
            return [Step("N", o * (i1 * i2 + 1), "weight o × i₁ × i₂, bias o")]
        return [Step("N", o * i1 * i2, "weight o × i₁ × i₂")]

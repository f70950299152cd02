"""Keras core layers: Input, Dense, EinsumDense, Activation, Embedding, Masking, Identity."""

from __future__ import annotations

from .. import args as a
from ..expr import Step, Sym
from ..layer import Arg, Weight
from .base import KerasLayer, activation_value, register


@register
class InputLayer(KerasLayer):
    """The model's input; ``Input(shape=...)`` makes one and returns its tensor."""

    shape = Arg(a.optional(a.shape), None)
    batch_size = Arg(a.optional(a.positive_int), None)
    dtype = Arg(a.anything, None)
    sparse = Arg(a.anything, None)
    batch_shape = Arg(a.optional(lambda v: a.shape(v)), None)
    ignored = frozenset({"tensor", "optional", "ragged", "input_tensor"})

    def check(self) -> None:
        if self.shape is None and self.batch_shape is None:
            self.fail("needs shape=(...)", kind="argument",
                      hint="write Input(shape=(28, 28)), the shape of one sample without the batch size")

    def input_shape(self) -> tuple:
        if self.batch_shape is not None:
            return tuple(self.batch_shape)
        return (self.batch_size, *self.shape)

    def output_shape(self, input_shape):
        return self.input_shape()


@register
class Dense(KerasLayer):
    """A fully connected layer on the last axis: ``y = x W + b``."""

    units = Arg(a.positive_int)
    activation = Arg(activation_value, None)
    use_bias = Arg(a.boolean, True)
    ignored = KerasLayer.ignored | {"lora_alpha"}
    lora_rank = Arg(a.optional(a.positive_int), None, keyword_only=True)

    def output_shape(self, shape):
        self.require_rank(shape, 2, at_least=True)
        return (*shape[:-1], self.units)

    def weights(self, shape):
        i = self.known(shape, -1, "the last axis of its input")
        out = [Weight("kernel", (i, self.units))]
        if self.use_bias:
            out.append(Weight("bias", (self.units,)))
        if self.lora_rank:
            out[0] = out[0].frozen()
            out += [Weight("lora_kernel_a", (i, self.lora_rank)), Weight("lora_kernel_b", (self.lora_rank, self.units))]
        return out

    def derivation(self, shape):
        if self.lora_rank:
            return super().derivation(shape)
        i, u = Sym("i", shape[-1]), Sym("u", self.units)
        return [Step("N", u * (i + 1) if self.use_bias else i * u)]


@register
class Activation(KerasLayer):
    activation = Arg(activation_value)


@register
class Identity(KerasLayer):
    pass


@register
class Masking(KerasLayer):
    mask_value = Arg(a.number, 0.0)


@register
class Embedding(KerasLayer):
    """A lookup table: one vector of ``output_dim`` values per token of the vocabulary."""

    input_dim = Arg(a.positive_int)
    output_dim = Arg(a.positive_int)
    embeddings_initializer = Arg(a.anything, "uniform")
    embeddings_regularizer = Arg(a.anything, None)
    embeddings_constraint = Arg(a.anything, None)
    mask_zero = Arg(a.boolean, False)
    ignored = KerasLayer.ignored | {"input_length", "lora_alpha", "sparse", "embeddings_initializer"}
    lora_rank = Arg(a.optional(a.positive_int), None, keyword_only=True)

    def output_shape(self, shape):
        return (*shape, self.output_dim)

    def weights(self, shape):
        out = [Weight("embeddings", (self.input_dim, self.output_dim))]
        if self.lora_rank:
            out[0] = out[0].frozen()
            out += [Weight("lora_embeddings_a", (self.input_dim, self.lora_rank)),
                    Weight("lora_embeddings_b", (self.lora_rank, self.output_dim))]
        return out

    def derivation(self, shape):
        if self.lora_rank:
            return super().derivation(shape)
        return [Step("N", Sym("v", self.input_dim) * Sym("d", self.output_dim))]

"""torch.nn lookup tables: Embedding and EmbeddingBag."""

from __future__ import annotations

from .. import args as a
from ..expr import Step, Sym
from ..layer import Arg, ArgError, Weight, format_shape
from .base import FACTORY, TorchLayer, register


def no_tensor(v):
    if v is not None:
        raise ArgError("cannot be given in a layer list (it is a tensor)", hint="leave it out; the count is the same")
    return v


class _Table(TorchLayer):
    """A ``weight`` table of num_embeddings rows of embedding_dim values."""

    ignored = FACTORY

    def check(self) -> None:
        if self.padding_idx is not None and not -self.num_embeddings <= self.padding_idx < self.num_embeddings:
            self.fail(f"padding_idx ({self.padding_idx}) must be within num_embeddings ({self.num_embeddings})",
                      kind="argument", arg="padding_idx")

    def own_weights(self):
        return [Weight("weight", (self.num_embeddings, self.embedding_dim))]

    def derivation(self, input_shape=None):
        return [Step("N", Sym("n", self.num_embeddings) * Sym("d", self.embedding_dim),
                     "one row of d values per each of n indices")]


@register
class Embedding(_Table):
    """Looks up each index: an input of any shape gains a last axis of embedding_dim."""

    num_embeddings = Arg(a.positive_int)
    embedding_dim = Arg(a.positive_int)
    padding_idx = Arg(a.optional(a.integer), None)
    max_norm = Arg(a.optional(a.number), None)
    norm_type = Arg(a.number, 2.0)
    scale_grad_by_freq = Arg(a.boolean, False)
    sparse = Arg(a.boolean, False)
    _weight = Arg(no_tensor, None)
    _freeze = Arg(a.boolean, False)

    def check(self) -> None:
        super().check()
        if self._freeze:
            self.trainable = False

    def output_shape(self, shape):
        return (*shape, self.embedding_dim)


@register
class EmbeddingBag(_Table):
    """Sums, averages or takes the max of each bag's embeddings: (B, L) indices give (B, embedding_dim)."""

    num_embeddings = Arg(a.positive_int)
    embedding_dim = Arg(a.positive_int)
    max_norm = Arg(a.optional(a.number), None)
    norm_type = Arg(a.number, 2.0)
    scale_grad_by_freq = Arg(a.boolean, False)
    mode = Arg(a.one_of("sum", "mean", "max"), "mean")
    sparse = Arg(a.boolean, False)
    _weight = Arg(no_tensor, None)
    include_last_offset = Arg(a.boolean, False)
    padding_idx = Arg(a.optional(a.integer), None)

    def output_shape(self, shape):
        if len(shape) != 2:
            self.fail(f"takes bags as a 2-D input (B, L) of indices, got {format_shape(shape)}",
                      hint="give input_shape as (L,), the length of each bag; a 1-D input needs offsets")
        return (shape[0], self.embedding_dim)

"""torch.nn.MultiheadAttention.

Query, key and value are projected by one packed ``in_proj_weight`` (3E × E) when key
and value have the query's width E, else by three matrices ``q_proj_weight`` (E × E),
``k_proj_weight`` (E × kdim) and ``v_proj_weight`` (E × vdim); one ``in_proj_bias`` of
3E serves all three.  ``out_proj`` is a Linear(E, E).  The heads split E, so they add
no parameters.
"""

from __future__ import annotations

from .. import args as a
from ..expr import Step, Sym
from ..layer import Arg, Weight
from .base import FACTORY, TorchLayer, register
from .dropout import probability
from .linear import Linear


@register
class MultiheadAttention(TorchLayer):
    embed_dim = Arg(a.positive_int)
    num_heads = Arg(a.positive_int)
    dropout = Arg(probability, 0.0)
    bias = Arg(a.boolean, True)
    add_bias_kv = Arg(a.boolean, False)
    add_zero_attn = Arg(a.boolean, False)
    kdim = Arg(a.optional(a.positive_int), None)
    vdim = Arg(a.optional(a.positive_int), None)
    batch_first = Arg(a.boolean, False)
    ignored = FACTORY

    def check(self) -> None:
        if self.embed_dim % self.num_heads:
            self.fail(f"embed_dim ({self.embed_dim}) must be divisible by num_heads ({self.num_heads})",
                      kind="argument", arg="num_heads")
        self.kdim = self.kdim or self.embed_dim
        self.vdim = self.vdim or self.embed_dim
        self.submodules["out_proj"] = self.make(Linear, in_features=self.embed_dim, out_features=self.embed_dim,
                                                bias=self.bias)

    @property
    def packed(self) -> bool:
        """PyTorch's ``_qkv_same_embed_dim``: one packed input projection."""
        return self.kdim == self.embed_dim and self.vdim == self.embed_dim

    def own_weights(self):
        e = self.embed_dim
        if self.packed:
            out = [Weight("in_proj_weight", (3 * e, e))]
        else:
            out = [Weight("q_proj_weight", (e, e)), Weight("k_proj_weight", (e, self.kdim)),
                   Weight("v_proj_weight", (e, self.vdim))]
        if self.bias:
            out.append(Weight("in_proj_bias", (3 * e,)))
        if self.add_bias_kv:
            out += [Weight("bias_k", (1, 1, e)), Weight("bias_v", (1, 1, e))]
        return out

    def count_expr(self):
        """``3E (E + 1) + E (E + 1)``: the input projections, then out_proj (and bias_k, bias_v)."""
        e = Sym("E", self.embed_dim)
        if self.packed:
            inputs = 3 * e * (e + 1) if self.bias else 3 * e * e
        else:
            inputs = e * (e + Sym("d_k", self.kdim) + Sym("d_v", self.vdim))
            if self.bias:
                inputs = inputs + 3 * e
        out = e * (e + 1) if self.bias else e * e
        count = inputs + out
        return count + 2 * e if self.add_bias_kv else count

    def derivation(self, input_shape=None):
        return [Step("N", self.count_expr(), "input projections, out_proj" +
                     (", bias_k and bias_v" if self.add_bias_kv else ""))]

    def output_shape(self, shape):
        self.require_ranks(shape, (2, 3), "(L, N, E), (N, L, E) with batch_first, or unbatched (L, E)")
        self.expect_size(shape, -1, self.embed_dim, "embed_dim features (last axis)", arg="embed_dim")
        # In a sequence the module sees one tensor, used as query, key and value alike.
        for name in ("kdim", "vdim"):
            self.expect_size(shape, -1, getattr(self, name), f"{name} features as key and value", arg=name)
        return shape

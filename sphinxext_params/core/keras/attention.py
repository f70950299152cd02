"""Keras attention layers: MultiHeadAttention, GroupedQueryAttention, Attention and
AdditiveAttention.

The multi-head layers project query, key and value into heads with EinsumDense
sublayers named ``query``, ``key``, ``value`` (and ``gate``), and the heads back with
``attention_output``; each projection is a kernel ``(d, heads, head size)`` and a bias
``(heads, head size)``.  Attention and AdditiveAttention are called on a list
``[query, value]`` or ``[query, value, key]`` and learn at most a scale.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import args as a
from ..expr import Expr, Step, Sym, product, total
from ..layer import Arg, ArgError, Weight, format_shape
from .base import KerasLayer, register

ATTENTION_CALL_OPTIONS = frozenset({"return_attention_scores", "training", "use_causal_mask"})


def projection_shape(v):
    """MultiHeadAttention's ``output_shape``: an int or a tuple of sizes; empty means none."""
    if not v:
        return None
    try:
        return a.shape(v, allow_none=False)
    except ArgError:
        raise ArgError(f"must be an int or a tuple of sizes, not {v!r}") from None


def optional_axes(v):
    return None if v is None else a.axes(v)


@dataclass(frozen=True)
class Projection:
    """One EinsumDense sublayer: ``d`` input features into ``heads × size`` values."""

    name: str
    input_symbol: str  # d_q, d_k or d_v
    input_size: int
    heads: Sym
    size: Sym

    def weights(self, use_bias: bool) -> list[Weight]:
        shape = (self.heads.value, self.size.value)
        out = [Weight(f"{self.name}/kernel", (self.input_size, *shape))]
        if use_bias:
            out.append(Weight(f"{self.name}/bias", shape))
        return out

    def count(self, use_bias: bool) -> Expr:
        d = Sym(self.input_symbol, self.input_size)
        return self.heads * self.size * ((d + 1) if use_bias else d)


class ProjectedAttention(KerasLayer):
    """What MultiHeadAttention and GroupedQueryAttention share: the call
    ``layer(query, value, key=None)``, the projections and the output projection."""

    call_tensors = ("query", "value", "key")
    call_side_tensors = ("query_mask", "value_mask", "key_mask", "attention_mask")
    call_options = ATTENTION_CALL_OPTIONS
    # Keras makes an unnamed Softmax and Dropout when it first builds the layer.
    build_names = ("softmax", "dropout")
    freezes_variables = False  # the projections are made at build time, unaware of trainable=False
    sublayers_made_at_build = True

    def split(self, shapes):
        """(query, value, key) shapes; key defaults to value, as in Keras."""
        if len(shapes) < 2:
            self.fail("is called on a query and a value", kind="syntax",
                      hint=f"write {self.type_name}(...)(query, value), e.g. (x, x) for self-attention")
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        if tuple(value[1:-1]) != tuple(key[1:-1]):
            self.fail(f"value {format_shape(value)} and key {format_shape(key)} must agree on every axis "
                      "but the last", hint="give key and value the same sequence length")
        return query, value, key

    def projections(self, shapes) -> list[Projection]:
        raise NotImplementedError

    def output_sizes(self, query) -> tuple[int, ...]:
        """The output projection's sizes: the query's features unless output_shape is given."""
        return (self.known(query, -1, "the query's features"),)

    def scores_shape(self, query, key):
        raise NotImplementedError

    def output_shape(self, shapes):
        query, value, key = self.split(shapes)
        out = (*query[:-1], *self.output_sizes(query))
        if self.options.get("return_attention_scores"):
            return [out, self.scores_shape(query, key)]
        return out

    def output_heads(self) -> tuple[Sym, Sym]:
        """The heads and per-head size the output projection reads."""
        raise NotImplementedError

    def weights(self, shapes):
        query, _, _ = self.split(shapes)
        out = [w for p in self.projections(shapes) for w in p.weights(self.use_bias)]
        heads, size = self.output_heads()
        sizes = self.output_sizes(query)
        out.append(Weight("attention_output/kernel", (heads.value, size.value, *sizes)))
        if self.use_bias:
            out.append(Weight("attention_output/bias", sizes))
        return out

    def derivation(self, shapes):
        query, _, _ = self.split(shapes)
        steps = [Step(f"N_{p.name}", p.count(self.use_bias), f"{p.name} projection")
                 for p in self.projections(shapes)]
        heads, size = self.output_heads()
        sizes = self.output_sizes(query)
        d_out = Sym("d_out", sizes[0]) if len(sizes) == 1 else \
            product([Sym(f"d_out{i + 1}", s) for i, s in enumerate(sizes)])
        steps.append(Step("N_output", d_out * ((heads * size + 1) if self.use_bias else heads * size),
                          "attention_output projection"))
        steps.append(Step("N", total([Sym(s.symbol, s.value) for s in steps]), "all projections"))
        return steps


@register
class MultiHeadAttention(ProjectedAttention):
    """``h`` heads of scaled dot-product attention, each with its own projections of size
    ``key_dim`` (query, key) and ``value_dim`` (value, default key_dim)."""

    num_heads = Arg(a.positive_int)
    key_dim = Arg(a.positive_int)
    value_dim = Arg(a.optional(a.positive_int), None)
    dropout = Arg(a.number, 0.0)
    use_bias = Arg(a.boolean, True)
    output_sizes_arg = Arg(projection_shape, None, keyword="output_shape")
    attention_axes = Arg(optional_axes, None)
    sliding_window = Arg(a.optional(a.positive_int), None)
    flash_attention = Arg(a.optional(a.boolean), None)
    kernel_initializer = Arg(a.anything, "glorot_uniform")
    bias_initializer = Arg(a.anything, "zeros")
    kernel_regularizer = Arg(a.anything, None)
    bias_regularizer = Arg(a.anything, None)
    activity_regularizer = Arg(a.anything, None)
    kernel_constraint = Arg(a.anything, None)
    bias_constraint = Arg(a.anything, None)
    use_gate = Arg(a.boolean, False)
    seed = Arg(a.anything, None)

    def check(self) -> None:
        if self.flash_attention and self.dropout > 0:
            self.fail("flash attention does not support dropout", kind="argument", arg="dropout",
                      hint="set dropout=0.0 or flash_attention=False")

    @property
    def heads(self) -> Sym:
        return Sym("h", self.num_heads)

    @property
    def value_size(self) -> Sym:
        return Sym("v", self.value_dim or self.key_dim)

    def projections(self, shapes):
        query, value, key = self.split(shapes)
        k = Sym("k", self.key_dim)
        out = [Projection("query", "d_q", self.known(query, -1, "the query's features"), self.heads, k),
               Projection("key", "d_k", self.known(key, -1, "the key's features"), self.heads, k)]
        if self.use_gate:
            out.append(Projection("gate", "d_q", query[-1], self.heads, self.value_size))
        out.append(Projection("value", "d_v", self.known(value, -1, "the value's features"), self.heads,
                              self.value_size))
        return out

    def output_heads(self):
        return self.heads, self.value_size

    def output_sizes(self, query):
        if self.output_sizes_arg:
            return self.output_sizes_arg
        return super().output_sizes(query)

    def scores_shape(self, query, key):
        # Keras's symbolic shape repeats the query length for the key axis: (B, h, T, T).
        return (query[0], self.num_heads, query[1], query[1])


class GroupedQueryAttention(ProjectedAttention):
    """Attention whose ``num_query_heads`` share ``num_key_value_heads`` key/value heads.

    Keras exports it as ``keras.layers.GroupQueryAttention`` while its class, which the
    summary shows (and which names the layer ``grouped_query_attention``), is
    ``GroupedQueryAttention``: both spellings are catalogued (below)."""

    head_dim = Arg(a.positive_int)
    num_query_heads = Arg(a.positive_int)
    num_key_value_heads = Arg(a.positive_int)
    dropout = Arg(a.number, 0.0)
    use_bias = Arg(a.boolean, True)
    sliding_window = Arg(a.optional(a.positive_int), None)
    flash_attention = Arg(a.optional(a.boolean), None)
    kernel_initializer = Arg(a.anything, "glorot_uniform")
    bias_initializer = Arg(a.anything, "zeros")
    kernel_regularizer = Arg(a.anything, None)
    bias_regularizer = Arg(a.anything, None)
    activity_regularizer = Arg(a.anything, None)
    kernel_constraint = Arg(a.anything, None)
    bias_constraint = Arg(a.anything, None)
    use_gate = Arg(a.boolean, False)
    seed = Arg(a.anything, None)

    def check(self) -> None:
        if self.num_query_heads % self.num_key_value_heads:
            self.fail(f"num_query_heads ({self.num_query_heads}) must be a multiple of num_key_value_heads "
                      f"({self.num_key_value_heads})", kind="argument", arg="num_key_value_heads")

    def split(self, shapes):
        query, value, key = super().split(shapes)
        for what, shape in (("query", query), ("value", value), ("key", key)):
            self.require_rank(shape, 3, what=f" for the {what} (batch, length, features)")
        if query[-1] != value[-1]:
            self.fail(f"the query's features ({query[-1]}) and the value's ({value[-1]}) must be equal",
                      hint="give query and value the same last axis")
        return query, value, key

    def projections(self, shapes):
        query, value, key = self.split(shapes)
        size = Sym("h_dim", self.head_dim)
        q_heads, kv_heads = Sym("h_q", self.num_query_heads), Sym("h_kv", self.num_key_value_heads)
        out = [Projection("query", "d_q", self.known(query, -1, "the query's features"), q_heads, size),
               Projection("key", "d_k", self.known(key, -1, "the key's features"), kv_heads, size)]
        if self.use_gate:
            out.append(Projection("gate", "d_q", query[-1], q_heads, size))
        out.append(Projection("value", "d_v", self.known(value, -1, "the value's features"), kv_heads, size))
        return out

    def output_heads(self):
        return Sym("h_q", self.num_query_heads), Sym("h_dim", self.head_dim)

    def scores_shape(self, query, key):
        return (query[0], self.num_query_heads, query[1], key[1])


# Written GroupQueryAttention (the name keras.layers exports) or as the summary shows its type.
register(GroupedQueryAttention, aliases=("GroupQueryAttention",))


class DotAttention(KerasLayer):
    """What Attention and AdditiveAttention share: the call on ``[query, value]`` or
    ``[query, value, key]`` and the output ``(*query[:-1], value features)``."""

    inputs = "many"
    call_side_tensors = ("mask",)
    call_options = ATTENTION_CALL_OPTIONS

    def split(self, shapes):
        if not 2 <= len(shapes) <= 3:
            self.fail(f"is called on a list of 2 or 3 tensors ([query, value] or [query, value, key]), "
                      f"got {len(shapes)}", kind="shape", hint="write Attention()([query, value])")
        query, value = shapes[0], shapes[1]
        return query, value, shapes[2] if len(shapes) > 2 else value

    def output_shape(self, shapes):
        query, value, key = self.split(shapes)
        out = (*query[:-1], value[-1])
        if self.options.get("return_attention_scores"):
            if len(key) < 2:
                self.fail(f"needs a key of rank 2 or more for the scores, got {format_shape(key)}")
            return [out, (*query[:-1], key[-2])]
        return out

    def derivation(self, shapes):
        weights = self.weights(shapes)
        if not weights:
            return []
        return [Step("N", total([Sym(w.name, w.size) for w in weights]), "learned scalars")]


@register
class Attention(DotAttention):
    """Luong-style dot-product attention; ``use_scale`` learns one scalar that multiplies
    the scores, ``score_mode="concat"`` one more."""

    use_scale = Arg(a.boolean, False)
    score_mode = Arg(a.one_of("dot", "concat"), "dot")
    dropout = Arg(a.number, 0.0)
    seed = Arg(a.anything, None)

    def weights(self, shapes):
        self.split(shapes)
        out = []
        if self.use_scale:
            out.append(Weight("scale", ()))
        if self.score_mode == "concat":
            out.append(Weight("concat_score_weight", ()))
        return out


@register
class AdditiveAttention(DotAttention):
    """Bahdanau-style attention; ``use_scale`` (the default) learns one scale per feature."""

    use_scale = Arg(a.boolean, True)
    dropout = Arg(a.number, 0.0)
    ignored = KerasLayer.ignored | {"score_mode"}

    def weights(self, shapes):
        query, _, _ = self.split(shapes)
        if not self.use_scale:
            return []
        return [Weight("scale", (self.known(query, -1, "the query's features"),))]

    def derivation(self, shapes):
        if not self.use_scale:
            return []
        return [Step("N", Sym("d", self.weights(shapes)[0].size), "one scale per feature")]


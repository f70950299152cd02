"""torch.nn transformer modules: the encoder and decoder layers, their stacks, Transformer.

A layer is attention plus a two-layer feed-forward block (``linear1`` E → F,
``linear2`` F → E) plus LayerNorms, each a submodule whose parameters are named under
it (``self_attn.in_proj_weight``, ``linear1.weight``, ``norm1.bias``).  A stack holds
``num_layers`` deep copies of the layer it is given, under ``layers.0.``, ``layers.1.``...
"""

from __future__ import annotations

from typing import ClassVar

from ...errors import did_you_mean
from .. import args as a
from ..expr import Num, Step, Sym
from ..interpreter import Opaque
from ..layer import Arg, ArgError
from .attention import MultiheadAttention
from .base import FACTORY, TorchLayer, register
from .containers import Repeated
from .dropout import probability
from .linear import Linear
from .normalization import LayerNorm


def activation(v):
    """``activation=``: a name torch knows ("relu" or "gelu"; others fail in the constructor),
    or a function or module (``F.gelu``, ``nn.GELU()``); anything else fails in the forward."""
    if isinstance(v, (Opaque, TorchLayer)):
        return v
    if isinstance(v, str):
        if v in ("relu", "gelu"):
            return v
        raise ArgError(f"should be relu/gelu, not {v}", hint=did_you_mean(v, ["relu", "gelu"]))
    raise ArgError(f"must be 'relu', 'gelu', a function such as F.gelu or a module such as nn.GELU(), not {v!r}")


def module_or_none(v):
    if v is not None and not isinstance(v, TorchLayer):
        raise ArgError(f"must be a module such as nn.LayerNorm(512), not {v!r}")
    return v


def module(v):
    if not isinstance(v, TorchLayer):
        raise ArgError(f"must be a module (a layer written before, e.g. encoder_layer), not {v!r}")
    return v


class _SequenceModule(TorchLayer):
    """Takes a (L, N, E) / (N, L, E) / unbatched (L, E) sequence of d_model features; keeps its shape."""

    def output_shape(self, shape):
        self.require_ranks(shape, (2, 3), "(L, N, E), (N, L, E) with batch_first, or unbatched (L, E)")
        self.expect_size(shape, -1, self.d_model, "d_model features (last axis)", arg="d_model")
        return shape


class _TransformerLayer(_SequenceModule):
    """What the encoder and decoder layers share: attention blocks, feed-forward, norms."""

    #: Attention blocks (self-attention; the decoder adds cross-attention), and LayerNorms.
    attentions: ClassVar[tuple[str, ...]] = ("self_attn",)
    norms: ClassVar[int] = 2
    ignored = FACTORY

    d_model = Arg(a.positive_int)
    nhead = Arg(a.positive_int)
    dim_feedforward = Arg(a.positive_int, 2048)
    dropout = Arg(probability, 0.1)
    activation = Arg(activation, "relu")
    layer_norm_eps = Arg(a.number, 1e-5)
    batch_first = Arg(a.boolean, False)
    norm_first = Arg(a.boolean, False)
    bias = Arg(a.boolean, True)

    def check(self) -> None:
        e, f = self.d_model, self.dim_feedforward
        for name in self.attentions:
            self.submodules[name] = self.make(MultiheadAttention, embed_dim=e, num_heads=self.nhead,
                                              dropout=self.dropout, bias=self.bias, batch_first=self.batch_first)
        self.submodules["linear1"] = self.make(Linear, in_features=e, out_features=f, bias=self.bias)
        self.submodules["linear2"] = self.make(Linear, in_features=f, out_features=e, bias=self.bias)
        for i in range(1, self.norms + 1):
            self.submodules[f"norm{i}"] = self.make(LayerNorm, normalized_shape=(e,), eps=self.layer_norm_eps,
                                                    bias=self.bias)
        if isinstance(self.activation, TorchLayer):  # a module given as activation is registered too
            self.submodules["activation"] = self.activation

    def block_exprs(self):
        """The attention block's and the feed-forward block's counts, in terms of E and F."""
        e, f = Sym("E", self.d_model), Sym("F", self.dim_feedforward)
        attn = self.submodules[self.attentions[0]].count_expr()
        ff = f * (e + 1) + e * (f + 1) if self.bias else 2 * e * f
        return attn, ff

    def layer_total(self, n_attn: Sym, n_ff: Sym):
        """``N_attn + N_ff + 2 · 2E``: the layer's count given its blocks' counts."""
        e = Sym("E", self.d_model)
        attention = n_attn if len(self.attentions) == 1 else len(self.attentions) * n_attn
        total = attention + n_ff + self.norms * (2 * e if self.bias else e)
        extra = self.submodules.get("activation")
        if extra is not None and extra.param_count():
            total = total + extra.count_sym("N_act")
        return total

    def derivation(self, input_shape=None):
        attn, ff = self.block_exprs()
        return [Step("N_attn", attn, "one attention block: input projections and out_proj"),
                Step("N_ff", ff, "linear1 (E → F) and linear2 (F → E)"),
                Step("N", self.layer_total(Sym("N_attn", attn.value), Sym("N_ff", ff.value)),
                     " + ".join(self.attentions) + f", feed-forward, {self.norms} LayerNorms")]


@register
class TransformerEncoderLayer(_TransformerLayer):
    pass


@register
class TransformerDecoderLayer(_TransformerLayer):
    """Self-attention, cross-attention over the encoder's output (``multihead_attn``), feed-forward."""

    attentions = ("self_attn", "multihead_attn")
    norms = 3


class _Stack(TorchLayer):
    """``num_layers`` deep copies of one layer, then an optional final norm."""

    layer_kind: ClassVar[str] = "encoder_layer"

    def check(self) -> None:
        self.submodules["layers"] = Repeated(getattr(self, self.layer_kind), self.num_layers,
                                             location=self.location)
        if self.norm is not None:
            self.submodules["norm"] = self.norm

    def output_shape(self, shape):
        for child in self.submodules.values():  # the layers (a ModuleList runs them in turn), then the norm
            shape = child.output_shape(shape)
        return shape

    def derivation(self, input_shape=None):
        sub = self.submodules["layers"].module.derivation(None)  # the copies', as made
        if not sub:
            return []
        steps = sub[:-1] + [Step("N_layer", sub[-1].expr, sub[-1].label)]
        total = Sym("L", self.num_layers) * Sym("N_layer", sub[-1].value)
        if self.norm is not None and self.norm.param_count():
            norm = self.norm.derivation(None)
            steps.append(Step("N_norm", norm[-1].expr if len(norm) == 1 else Num(norm[-1].value), "final norm"))
            total = total + Sym("N_norm", norm[-1].value)
        return steps + [Step("N", total, f"{self.num_layers} copies of the layer" +
                             (" and the final norm" if self.norm is not None else ""))]


@register
class TransformerEncoder(_Stack):
    encoder_layer = Arg(module)
    num_layers = Arg(a.positive_int)
    norm = Arg(module_or_none, None)
    enable_nested_tensor = Arg(a.boolean, True)
    mask_check = Arg(a.boolean, True)


@register
class TransformerDecoder(_Stack):
    layer_kind = "decoder_layer"
    decoder_layer = Arg(module)
    num_layers = Arg(a.positive_int)
    norm = Arg(module_or_none, None)


@register
class Transformer(_SequenceModule):
    """An encoder stack and a decoder stack, each with a final LayerNorm; called as (src, tgt)."""

    d_model = Arg(a.positive_int, 512)
    nhead = Arg(a.positive_int, 8)
    num_encoder_layers = Arg(a.positive_int, 6)
    num_decoder_layers = Arg(a.positive_int, 6)
    dim_feedforward = Arg(a.positive_int, 2048)
    dropout = Arg(probability, 0.1)
    activation = Arg(activation, "relu")
    custom_encoder = Arg(module_or_none, None)
    custom_decoder = Arg(module_or_none, None)
    layer_norm_eps = Arg(a.number, 1e-5)
    batch_first = Arg(a.boolean, False)
    norm_first = Arg(a.boolean, False)
    bias = Arg(a.boolean, True)
    ignored = FACTORY

    def check(self) -> None:
        options = dict(d_model=self.d_model, nhead=self.nhead, dim_feedforward=self.dim_feedforward,
                       dropout=self.dropout, activation=self.activation, layer_norm_eps=self.layer_norm_eps,
                       batch_first=self.batch_first, norm_first=self.norm_first, bias=self.bias)
        for kind, layer_cls, stack_cls, count, custom in (
                ("encoder", TransformerEncoderLayer, TransformerEncoder, self.num_encoder_layers,
                 self.custom_encoder),
                ("decoder", TransformerDecoderLayer, TransformerDecoder, self.num_decoder_layers,
                 self.custom_decoder)):
            if custom is None:
                norm = self.make(LayerNorm, normalized_shape=(self.d_model,), eps=self.layer_norm_eps,
                                 bias=self.bias)
                custom = self.make(stack_cls, **{f"{kind}_layer": self.make(layer_cls, **options),
                                                 "num_layers": count, "norm": norm})
            self.submodules[kind] = custom

    def derivation(self, input_shape=None):
        encoder, decoder = self.submodules["encoder"], self.submodules["decoder"]
        if self.custom_encoder is not None or self.custom_decoder is not None:
            return self.parts_derivation([("N_enc", encoder), ("N_dec", decoder)], "encoder and decoder")
        # Both stacks share the blocks' formulas; only the number of blocks and norms differ.
        enc_layer, dec_layer = encoder.encoder_layer, decoder.decoder_layer
        attn, ff = enc_layer.block_exprs()
        n_attn, n_ff = Sym("N_attn", attn.value), Sym("N_ff", ff.value)
        enc, dec = enc_layer.layer_total(n_attn, n_ff), dec_layer.layer_total(n_attn, n_ff)
        e = Sym("E", self.d_model)
        final_norms = 2 * (2 * e if self.bias else e)
        total = (Sym("L_enc", self.num_encoder_layers) * Sym("N_enc", enc.value) +
                 Sym("L_dec", self.num_decoder_layers) * Sym("N_dec", dec.value) + final_norms)
        return [Step("N_attn", attn, "one attention block: input projections and out_proj"),
                Step("N_ff", ff, "linear1 (E → F) and linear2 (F → E)"),
                Step("N_enc", enc, "one encoder layer: self_attn, feed-forward, 2 LayerNorms"),
                Step("N_dec", dec, "one decoder layer: self_attn, multihead_attn, feed-forward, 3 LayerNorms"),
                Step("N", total, "the layers of both stacks and their final LayerNorms")]

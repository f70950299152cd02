"""MultiheadAttention and the transformer modules against real PyTorch."""

from __future__ import annotations

import itertools

import pytest

from .compare import assert_both_fail, assert_matches_torch, ours


@pytest.mark.parametrize("heads, bias, bias_kv, zero_attn, batch_first", list(itertools.product(
    [1, 4], [True, False], [True, False], [True, False], [True, False])))
def test_multihead_attention(heads, bias, bias_kv, zero_attn, batch_first):
    text = (f"nn.MultiheadAttention(8, {heads}, dropout=0.1, bias={bias}, add_bias_kv={bias_kv}, "
            f"add_zero_attn={zero_attn}, batch_first={batch_first})")
    assert_matches_torch(text, input_shape=(5, 8))


@pytest.mark.parametrize("kdim, vdim, bias, bias_kv", list(itertools.product(
    [None, 8, 3], [None, 8, 5], [True, False], [True, False])))
def test_multihead_attention_key_value_widths(kdim, vdim, bias, bias_kv):
    summary = assert_matches_torch(
        f"nn.MultiheadAttention(8, 2, bias={bias}, add_bias_kv={bias_kv}, kdim={kdim}, vdim={vdim})")
    names = [w.name for w in summary.layers[0].weights]
    assert ("in_proj_weight" in names) == (kdim in (None, 8) and vdim in (None, 8))


def test_multihead_attention_derivation():
    summary = ours("nn.MultiheadAttention(512, 8)")
    assert summary.layers[0].derivation[-1].text() == (
        "N = 3E (E + 1) + E (E + 1) = 3 × 512 × (512 + 1) + 512 × (512 + 1) = 1,050,624")


@pytest.mark.parametrize("text, shape, kind", [
    ("nn.MultiheadAttention(8, 3)", (5, 8), "argument"),
    ("nn.MultiheadAttention(8, 2)", (5, 6), "shape"),
    ("nn.MultiheadAttention(8, 2, kdim=4)", (5, 8), "shape"),
])
def test_multihead_attention_errors(text, shape, kind):
    assert_both_fail(text, input_shape=shape, kind=kind)


LAYER_OPTIONS = ["", "dim_feedforward=32", "activation='gelu'", "bias=False", "norm_first=True",
                 "batch_first=True, dropout=0.0", "layer_norm_eps=1e-6, dim_feedforward=8, bias=False",
                 "activation=F.gelu", "activation=nn.GELU()"]


@pytest.mark.parametrize("kind, options", list(itertools.product(["Encoder", "Decoder"], LAYER_OPTIONS)))
def test_transformer_layers(kind, options):
    text = f"nn.Transformer{kind}Layer(16, 4{', ' + options if options else ''})"
    assert_matches_torch(text, input_shape=(3, 16))


@pytest.mark.parametrize("kind, layers, norm", list(itertools.product(["Encoder", "Decoder"], [1, 3], [False, True])))
def test_transformer_stacks(kind, layers, norm):
    text = (f"layer = nn.Transformer{kind}Layer(d_model=16, nhead=2, dim_feedforward=24)\n"
            f"nn.Transformer{kind}(layer, num_layers={layers}{', norm=nn.LayerNorm(16)' if norm else ''})")
    assert_matches_torch(text, input_shape=(3, 16))


def test_encoder_pasted_from_code():
    text = """
encoder_layer = nn.TransformerEncoderLayer(d_model=512, nhead=8)
transformer_encoder = nn.TransformerEncoder(encoder_layer, num_layers=6)
"""
    summary = assert_matches_torch(text, device="meta")
    assert [(r.name, r.type) for r in summary.layers] == [("transformer_encoder", "TransformerEncoder")]
    assert summary.total_params == 18_914_304
    steps = [s.symbol for s in summary.layers[0].derivation]
    assert steps == ["N_attn", "N_ff", "N_layer", "N"]


def test_encoder_of_a_frozen_layer_stays_frozen():
    text = ("layer = nn.TransformerEncoderLayer(8, 2, 16, trainable=False)\n"
            "nn.TransformerEncoder(layer, 2)\nnn.Linear(8, 3)")
    summary = assert_matches_torch(text, input_shape=(4, 8))
    assert summary.layers[0].trainable == 0 and summary.layers[1].trainable == 27


@pytest.mark.parametrize("options", ["", "num_encoder_layers=1, num_decoder_layers=2", "bias=False",
                                     "batch_first=True, norm_first=True", "activation='gelu'"])
def test_full_transformer(options):
    text = f"nn.Transformer(d_model=16, nhead=4, dim_feedforward=20{', ' + options if options else ''})"
    summary = assert_matches_torch(text, input_shape=(3, 16))
    assert summary.layers[0].derivation[-1].symbol == "N"


def test_default_transformer_count():
    summary = assert_matches_torch("nn.Transformer()", device="meta")
    assert summary.total_params == 44_140_544
    assert summary.layers[0].derivation[-1].text().startswith("N = L_enc N_enc + L_dec N_dec + 2 · 2E")


def test_transformer_with_custom_encoder():
    text = ("enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2)\n"
            "nn.Transformer(d_model=8, nhead=2, num_decoder_layers=1, dim_feedforward=16, custom_encoder=enc)")
    assert_matches_torch(text, input_shape=(3, 8))


@pytest.mark.parametrize("text, shape, kind", [
    ("nn.TransformerEncoderLayer(16, 3)", (3, 16), "argument"),
    ("nn.TransformerEncoderLayer(16, 4)", (3, 12), "shape"),
    ("nn.TransformerEncoderLayer(16, 4, activation='tanh')", (3, 16), "argument"),
    ("nn.TransformerEncoderLayer(16, 4, activation='GELU')", (3, 16), "argument"),
    ("nn.TransformerDecoderLayer(16, 4, activation='silu')", None, "argument"),
    ("nn.Transformer(16, 4, 1, 1, 32, activation='Relu')", None, "argument"),
    # Not a function: torch's constructor keeps it, its forward fails.
    ("nn.TransformerEncoderLayer(16, 4, activation=None)", (3, 16), "argument"),
    ("nn.TransformerEncoderLayer(16, 4, 32, 0.1, 3)", (3, 16), "argument"),
    ("nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4), 2)", (3, 12), "shape"),
])
def test_transformer_errors(text, shape, kind):
    assert_both_fail(text, input_shape=shape, kind=kind)

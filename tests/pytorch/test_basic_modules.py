"""Linear, Bilinear, Identity, activations, dropout, Flatten/Unflatten, Upsample, pixel shuffles,
checked against real PyTorch."""

from __future__ import annotations

import itertools

import pytest

from .compare import assert_both_fail, assert_matches_torch, ours


@pytest.mark.parametrize("in_f, out_f, bias", list(itertools.product([1, 7, 784], [1, 10, 128], [True, False])))
def test_linear(in_f, out_f, bias):
    assert_matches_torch(f"nn.Linear({in_f}, {out_f}, bias={bias})", input_shape=(in_f,))


@pytest.mark.parametrize("input_shape", [(5, 16), (2, 3, 16)])
def test_linear_on_higher_rank_inputs(input_shape):
    assert_matches_torch("nn.Linear(16, 4)\nnn.Linear(4, 2, False)", input_shape=input_shape)


def test_linear_counts_without_input_shape():
    summary = assert_matches_torch("nn.Linear(784, 128)\nnn.ReLU()\nnn.Linear(128, 10)")
    assert [r.output_shape for r in summary.layers] == [None, None, None]
    assert summary.total_params == 101_770
    assert summary.layers[0].derivation[-1].text() == "N = o (i + 1) = 128 × (784 + 1) = 100,480"


@pytest.mark.parametrize("in1, in2, out, bias", [(3, 4, 5, True), (3, 4, 5, False), (10, 1, 7, True)])
def test_bilinear_counts(in1, in2, out, bias):
    assert_matches_torch(f"nn.Bilinear({in1}, {in2}, {out}, bias={bias})")


def test_bilinear_takes_two_tensors():
    assert_both_fail("nn.Bilinear(4, 4, 2)", input_shape=(4,), match="two input tensors")


def test_identity_takes_any_arguments():
    assert_matches_torch("nn.Identity(54, unused_argument1=0.1)\nnn.Linear(3, 2)", input_shape=(3,))


ACTIVATIONS = [
    "nn.ReLU()", "nn.ReLU(inplace=True)", "nn.ReLU6()", "nn.GELU()", "nn.GELU(approximate='tanh')", "nn.SiLU()",
    "nn.Mish()", "nn.Tanh()", "nn.Sigmoid()", "nn.Hardswish()", "nn.Hardsigmoid()", "nn.LeakyReLU(0.2)",
    "nn.LeakyReLU(negative_slope=0.1, inplace=True)", "nn.ELU(alpha=0.5)", "nn.CELU()", "nn.SELU()",
    "nn.Softmax(dim=1)", "nn.Softmax(-1)", "nn.LogSoftmax(dim=1)", "nn.Softmin(dim=0)", "nn.LogSigmoid()",
    "nn.Softplus(beta=2)", "nn.Softsign()", "nn.Tanhshrink()", "nn.Softshrink(0.3)", "nn.Hardshrink()",
    "nn.Hardtanh(-2.0, 2.0)", "nn.Threshold(0.1, 20)", "nn.RReLU()", "nn.Softmax2d()", "nn.GLU()", "nn.GLU(dim=1)",
    "nn.PReLU()", "nn.PReLU(num_parameters=6)", "nn.PReLU(6, init=0.1)",
    "nn.Dropout()", "nn.Dropout(0.2)", "nn.Dropout(p=0.0, inplace=True)", "nn.Dropout1d(0.1)", "nn.Dropout2d()",
    "nn.Dropout3d()", "nn.AlphaDropout(0.3)", "nn.FeatureAlphaDropout()",
]


@pytest.mark.parametrize("module", ACTIVATIONS)
def test_shape_preserving_modules(module):
    shape = (6, 4, 8) if "Dropout3d" in module else (6, 4) if "Dropout1d" in module else (6, 4, 4)
    assert_matches_torch(f"nn.Conv{len(shape) - 1}d(6, 6, 1)\n{module}", input_shape=shape)


@pytest.mark.parametrize("n", [1, 3, 64])
def test_prelu_derivation(n):
    summary = assert_matches_torch(f"nn.PReLU({n})", input_shape=(n, 5))
    assert summary.layers[0].derivation[-1].value == n


def test_prelu_channels_must_match():
    assert_both_fail("nn.PReLU(3)", input_shape=(4, 5), match="num_parameters")


@pytest.mark.parametrize("start, end, shape", [
    (1, -1, (3, 4, 5)), (2, -1, (3, 4, 5)), (1, 2, (3, 4, 5)), (0, -1, (3, 4)), (-2, -1, (3, 4, 5)), (2, 3, (3, 4, 5)),
])
def test_flatten(start, end, shape):
    summary = assert_matches_torch(f"nn.Flatten({start}, {end})", input_shape=shape)
    if start == 0:
        assert summary.layers[0].output_shape == (None,)


@pytest.mark.parametrize("dim, sizes, shape", [
    (1, (2, 6), (12,)), (1, (3, -1), (12,)), (-1, (2, 2), (3, 4)), (2, (1, 4, 1), (3, 4)), (1, [4, 3], (12, 5)),
])
def test_unflatten(dim, sizes, shape):
    assert_matches_torch(f"nn.Unflatten({dim}, {sizes!r})", input_shape=shape)


@pytest.mark.parametrize("module, shape", [
    ("nn.Flatten(3)", (3, 4)),
    ("nn.Flatten(2, 1)", (3, 4, 5)),
    ("nn.Unflatten(1, (5, 5))", (24,)),
    ("nn.Unflatten(1, (5, -1))", (24,)),
])
def test_reshape_errors(module, shape):
    assert_both_fail(module, input_shape=shape)


UPSAMPLES = [
    ("nn.Upsample(scale_factor=2)", (3, 5)),
    ("nn.Upsample(scale_factor=2)", (3, 5, 6)),
    ("nn.Upsample(scale_factor=3, mode='nearest')", (2, 3, 4, 5)),
    ("nn.Upsample(scale_factor=1.5, mode='bilinear')", (3, 5, 7)),
    ("nn.Upsample(scale_factor=(2, 1.7), mode='bicubic', align_corners=True)", (3, 5, 7)),
    ("nn.Upsample(scale_factor=0.5)", (3, 9, 7)),
    ("nn.Upsample(size=10, mode='linear')", (3, 5)),
    ("nn.Upsample(size=(10, 12))", (3, 5, 7)),
    ("nn.Upsample(size=(4, 10, 12), mode='trilinear')", (3, 2, 5, 7)),
    ("nn.Upsample(scale_factor=2.5, mode='nearest-exact')", (3, 5, 7)),
    ("nn.Upsample(scale_factor=2, mode='area')", (3, 5, 7)),
    ("nn.UpsamplingNearest2d(scale_factor=2)", (3, 5, 7)),
    ("nn.UpsamplingBilinear2d(size=(8, 9))", (3, 5, 7)),
    ("nn.UpsamplingBilinear2d(scale_factor=3)", (3, 5, 7)),
]


@pytest.mark.parametrize("module, shape", UPSAMPLES)
def test_upsample(module, shape):
    assert_matches_torch(module, input_shape=shape)


@pytest.mark.parametrize("module, shape", [
    ("nn.Upsample(scale_factor=2, mode='bilinear')", (3, 5)),
    ("nn.Upsample(scale_factor=2, mode='linear')", (3, 5, 5)),
    ("nn.Upsample(size=(3, 4))", (3, 5)),
    ("nn.Upsample(scale_factor=2, align_corners=True)", (3, 5, 5)),
    ("nn.Upsample()", (3, 5, 5)),
])
def test_upsample_errors(module, shape):
    assert_both_fail(module, input_shape=shape, kind=("shape", "argument"))


@pytest.mark.parametrize("module, shape", [
    ("nn.PixelShuffle(2)", (8, 3, 4)), ("nn.PixelShuffle(3)", (18, 2, 2)), ("nn.PixelShuffle(1)", (5, 2, 3)),
    ("nn.PixelUnshuffle(2)", (3, 4, 6)), ("nn.PixelUnshuffle(3)", (1, 9, 3)), ("nn.ChannelShuffle(2)", (4, 3, 3)),
    ("nn.PixelShuffle(2)", (2, 8, 3, 4)),
])
def test_pixel_shuffles(module, shape):
    assert_matches_torch(module, input_shape=shape)


@pytest.mark.parametrize("module, shape", [
    ("nn.PixelShuffle(2)", (6, 3, 4)), ("nn.PixelUnshuffle(2)", (3, 5, 6)), ("nn.ChannelShuffle(2)", (3, 3, 3)),
])
def test_pixel_shuffle_errors(module, shape):
    assert_both_fail(module, input_shape=shape)


def test_linear_size_mismatch_names_both_sizes():
    error = assert_both_fail("nn.Flatten()\nnn.Linear(100, 10)", input_shape=(1, 28, 28))
    assert "100" in error.message and "784" in error.message
    assert error.line == 2


def test_bad_arguments_are_argument_errors():
    for text in ("nn.Linear(10)", "nn.Linear('a', 3)", "nn.Dropout(1.5)", "nn.Linear(3, 4, biass=True)",
                 "nn.Linear(1, 2, True, None, None, 5)"):
        with pytest.raises(Exception):  # noqa: B017
            from tests.oracle.torch_oracle import torch_summary
            torch_summary(text)
        with pytest.raises(Exception) as info:
            ours(text)
        assert type(info.value).__name__ == "ParamsError", text
        assert info.value.kind in ("argument", "unknown"), (text, info.value.kind)


def test_gelu_approximation_is_checked():
    # PyTorch checks it in the forward pass; we check it at once.
    assert_both_fail("nn.GELU(approximate='fast')", input_shape=(3,), kind="argument")

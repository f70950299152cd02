"""Convolutions, transposed convolutions, pooling and padding modules against real PyTorch."""

from __future__ import annotations

import itertools
import random

import pytest

from tests.oracle.torch_oracle import torch_summary

from .compare import assert_both_fail, assert_matches_torch, ours

SPATIAL = {1: (11,), 2: (9, 12), 3: (5, 6, 7)}


def conv_cases():
    """A grid over every argument that changes a count or a shape, for each rank."""
    options = [
        "", "stride=2", "padding=1", "padding=2, stride=3", "dilation=2", "padding='same'", "padding='valid'",
        "padding='same', dilation=2", "groups=2", "groups=4, bias=False", "bias=False",
        "padding=1, padding_mode='reflect'", "padding=2, padding_mode='replicate'",
        "padding=1, padding_mode='circular', stride=2", "padding='same', padding_mode='reflect'",
    ]
    for rank, opts, kernel in itertools.product((1, 2, 3), options, (1, 3)):
        yield rank, opts, kernel
    for rank in (2, 3):
        kernel = tuple(range(2, 2 + rank))
        yield rank, "stride=" + str(tuple(range(1, 1 + rank))), kernel
        yield rank, "padding=" + str(tuple(range(rank))) + ", dilation=" + str((1,) * (rank - 1) + (2,)), kernel
        yield rank, "padding='same'", kernel  # an even kernel: PyTorch pads one side more


@pytest.mark.parametrize("rank, options, kernel", list(conv_cases()))
def test_conv(rank, options, kernel):
    text = f"nn.Conv{rank}d(4, 8, {kernel}{', ' + options if options else ''})"
    assert_matches_torch(text, input_shape=(4, *SPATIAL[rank]))


def deconv_cases():
    options = ["", "stride=2", "stride=2, output_padding=1", "padding=1", "padding=2, stride=3, output_padding=2",
               "dilation=2", "dilation=3, output_padding=2", "groups=2", "groups=4, bias=False",
               "stride=2, padding=1, output_padding=1, dilation=2"]
    for rank, opts, kernel in itertools.product((1, 2, 3), options, (1, 3)):
        yield rank, opts, kernel


@pytest.mark.parametrize("rank, options, kernel", list(deconv_cases()))
def test_conv_transpose(rank, options, kernel):
    text = f"nn.ConvTranspose{rank}d(4, 8, {kernel}{', ' + options if options else ''})"
    assert_matches_torch(text, input_shape=(4, *SPATIAL[rank]))


def test_conv_derivation_text():
    summary = ours("nn.Conv2d(3, 64, 3, groups=1)\nnn.Conv2d(64, 64, (3, 5), groups=4, bias=False)",
                   input_shape=(3, 32, 32))
    first, grouped = summary.layers
    assert first.derivation[-1].text() == "N = C_out (C_in k_h k_w + 1) = 64 × (3 × 3 × 3 + 1) = 1,792"
    assert grouped.derivation[-1].text() == "N = C_out k_h k_w C_in / g = 64 × 3 × 5 × 64 / 4 = 15,360"
    assert [s.text() for s in first.shape_derivation] == [
        "h_out = ⌊(n_h − k_h) / s_h⌋ + 1 = ⌊(32 − 3) / 1⌋ + 1 = 30",
        "w_out = ⌊(n_w − k_w) / s_w⌋ + 1 = ⌊(32 − 3) / 1⌋ + 1 = 30"]


def test_conv_without_input_shape_counts():
    summary = assert_matches_torch("nn.Conv2d(3, 16, 5)\nnn.ConvTranspose3d(16, 8, 2, groups=2)")
    assert [r.output_shape for r in summary.layers] == [None, None]


@pytest.mark.parametrize("text, shape, kind", [
    ("nn.Conv2d(3, 8, 3)", (1, 28, 28), "shape"),  # in_channels
    ("nn.Conv2d(3, 8, 3)", (28, 28), "shape"),  # no channel axis
    ("nn.Conv2d(3, 8, 9)", (3, 8, 8), "shape"),  # kernel larger than the input
    ("nn.Conv1d(3, 8, 3, stride=2, padding='same')", (3, 8), "argument"),
    ("nn.Conv2d(3, 8, 3, groups=2)", (3, 8, 8), "argument"),
    ("nn.Conv2d(4, 6, 3, groups=4)", (4, 8, 8), "argument"),
    ("nn.Conv2d(3, 8, 3, padding='full')", (3, 8, 8), "argument"),
    ("nn.Conv2d(3, 8, 3, padding_mode='mirror')", (3, 8, 8), "argument"),
    ("nn.Conv2d(3, 8, (3, 3, 3))", (3, 8, 8), "argument"),
    ("nn.Conv2d(3, 8, 3, padding=4, padding_mode='reflect')", (3, 4, 4), "shape"),
    ("nn.ConvTranspose2d(3, 8, 3, output_padding=1)", (3, 4, 4), "shape"),
    ("nn.ConvTranspose2d(3, 8, 3, padding_mode='reflect')", (3, 4, 4), "argument"),
])
def test_conv_errors(text, shape, kind):
    assert_both_fail(text, input_shape=shape, kind=kind)


def test_conv_channel_error_names_both_sizes():
    error = assert_both_fail("nn.Conv2d(1, 8, 3)\nnn.Conv2d(16, 8, 3)", input_shape=(1, 28, 28))
    assert "16" in error.message and "8" in error.message and error.line == 2


def per_axis(values, rank):
    """A tuple argument with one entry per spatial axis: ``(2, 1, 3)`` cut to the rank."""
    return "(" + ", ".join(str(v) for v in values[:rank]) + ("," if rank == 1 else "") + ")"


def pool_options(family, rank):
    if family == "MaxPool":
        return ["2", "3", "3, stride=1", "2, stride=1, padding=1", "3, padding=1, dilation=2", "3, ceil_mode=True",
                "3, stride=2, ceil_mode=True, padding=1", "2, return_indices=True", per_axis((2, 1, 3), rank)]
    if family == "AvgPool":
        return ["2", "3, stride=2", "3, padding=1", "3, stride=2, padding=1, ceil_mode=True", "2, ceil_mode=True",
                "3, count_include_pad=False", f"{per_axis((3, 2, 1), rank)}, stride={per_axis((1, 2, 1), rank)}"]
    if family == "LPPool":
        return ["2, 2", "1, 3, stride=1", "3, 2, ceil_mode=True", "2.5, 3, 2"]
    options = ["1", "3", "7", per_axis((1, 2, 3), rank), "2, return_indices=True"]
    if family == "AdaptiveAvgPool":
        options.remove("2, return_indices=True")
    if rank > 1:
        options += [per_axis((2, None, 4), rank), per_axis((None, None, None), rank)]
    return options


FAMILIES = ["MaxPool", "AvgPool", "LPPool", "AdaptiveAvgPool", "AdaptiveMaxPool"]


@pytest.mark.parametrize("family, rank, option, batched", [
    (family, rank, option, batched) for family in FAMILIES for rank in (1, 2, 3)
    for option in pool_options(family, rank) for batched in (True, False)])
def test_pooling(family, rank, option, batched):
    shape = (3, *SPATIAL[rank]) if batched else SPATIAL[rank]  # (C, *spatial) or unbatched (*spatial)
    assert_matches_torch(f"nn.{family}{rank}d({option})", input_shape=shape)


@pytest.mark.parametrize("text, shape", [
    ("nn.MaxPool2d(3, padding=2)", (3, 8, 8)),
    ("nn.AvgPool2d(3, padding=2)", (3, 8, 8)),
    ("nn.AvgPool2d(2, padding=2)", (3, 8, 8)),
    ("nn.MaxPool2d(9)", (3, 8, 8)),
    ("nn.MaxPool2d(2)", (8,)),
    ("nn.AvgPool1d(4)", (3, 3)),
])
def test_pooling_errors(text, shape):
    assert_both_fail(text, input_shape=shape)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_max_pool_padding_limit_ignores_dilation(rank):
    assert_both_fail(f"nn.MaxPool{rank}d(3, padding=2, dilation=3)", input_shape=(2, *(12,) * rank))
    assert_matches_torch(f"nn.MaxPool{rank}d(2, padding=1, dilation=3)", input_shape=(2, *(12,) * rank))


PADS = {
    1: ["1", "(2, 0)", "(0, 3)"],
    2: ["1", "(1, 2, 3, 0)", "(0, 0, 2, 2)"],
    3: ["1", "(1, 2, 0, 1, 2, 0)", "(0, 0, 0, 0, 1, 1)"],
}


@pytest.mark.parametrize("kind, rank, padding, batched", list(itertools.product(
    ["Zero", "Constant", "Reflection", "Replication", "Circular"], (1, 2, 3), range(3), (True, False))))
def test_padding_modules(kind, rank, padding, batched):
    value = ", 0.5" if kind == "Constant" else ""
    shape = (3, *SPATIAL[rank]) if batched else SPATIAL[rank]
    assert_matches_torch(f"nn.{kind}Pad{rank}d({PADS[rank][padding]}{value})", input_shape=shape)


@pytest.mark.parametrize("text, shape", [
    ("nn.ZeroPad2d(-1)", (3, 8, 8)), ("nn.ConstantPad1d((-2, 1), 3.0)", (3, 8)), ("nn.ZeroPad2d(-4)", (3, 8, 8)),
    ("nn.ReplicationPad2d(-1)", (3, 8, 8)), ("nn.ReflectionPad1d(-2)", (3, 8)), ("nn.CircularPad2d(8)", (3, 8, 8)),
])
def test_negative_and_extreme_padding(text, shape):
    assert_matches_torch(text, input_shape=shape)


@pytest.mark.parametrize("text, shape", [
    ("nn.ReflectionPad2d(8)", (3, 8, 8)), ("nn.CircularPad2d(9)", (3, 8, 8)), ("nn.ZeroPad2d(-5)", (3, 8, 8)),
    ("nn.ReplicationPad2d(-4)", (3, 8, 8)), ("nn.ZeroPad2d((1, 2, 3))", (3, 8, 8)),
])
def test_padding_errors(text, shape):
    assert_both_fail(text, input_shape=shape, kind=("shape", "argument"))


def test_random_conv_stacks():
    """Seeded random conv/pool/pad chains on small images: every shape rule in combination."""
    rng = random.Random(1234)
    for _ in range(40):
        channels, size = rng.choice([1, 3, 4]), rng.randint(12, 24)
        lines, c = [], channels
        for _ in range(rng.randint(1, 5)):
            choice = rng.random()
            if choice < 0.45:
                out = rng.choice([2, 4, 6, 8])
                groups = rng.choice([g for g in (1, 2) if c % g == 0 and out % g == 0])
                lines.append(f"nn.Conv2d({c}, {out}, {rng.choice([1, 2, 3])}, stride={rng.choice([1, 2])}, "
                             f"padding={rng.choice([0, 1])}, dilation={rng.choice([1, 2])}, groups={groups})")
                c = out
            elif choice < 0.6:
                out = rng.choice([2, 4])
                lines.append(f"nn.ConvTranspose2d({c}, {out}, {rng.choice([2, 3])}, stride={rng.choice([1, 2])}, "
                             f"padding={rng.choice([0, 1])})")
                c = out
            elif choice < 0.75:
                lines.append(f"nn.MaxPool2d({rng.choice([2, 3])}, ceil_mode={rng.choice([True, False])})")
            elif choice < 0.85:
                lines.append(f"nn.AvgPool2d(2, stride=1, padding={rng.choice([0, 1])})")
            else:
                lines.append(f"nn.ZeroPad2d({rng.choice([1, 2])})")
        text = "\n".join(lines)
        try:
            torch_summary(text, input_shape=(channels, size, size))
        except RuntimeError:
            assert_both_fail(text, input_shape=(channels, size, size))
            continue
        assert_matches_torch(text, input_shape=(channels, size, size), weights=False)

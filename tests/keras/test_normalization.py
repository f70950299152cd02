"""Keras normalization layers against real Keras 3: BatchNormalization, LayerNormalization,
RMSNormalization, GroupNormalization, UnitNormalization."""

from __future__ import annotations

import random

import pytest

from sphinxext_params import summarize
from tests.keras.oracle_compare import check, check_error

SHAPES = [(8,), (4, 6), (3, 5, 6)]


def model(shape, layer: str, extra: str = "") -> str:
    return f"Input(shape={shape!r})\n{layer}\n{extra}"


# -- BatchNormalization --------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", ["", "center=False", "scale=False", "center=False, scale=False",
                                     "renorm=True", "momentum=0.9, epsilon=1e-5", "trainable=False"])
def test_batch_normalization(shape, options):
    out = check(model(shape, f"BatchNormalization({options})"))
    row = out["layers"][-1]
    channels = shape[-1]
    assert row["non_trainable"] >= 2 * channels  # the moving statistics are never trained


@pytest.mark.parametrize("shape,axis", [((4, 6), 1), ((4, 6), -2), ((3, 5, 6), 1), ((3, 5, 6), 2),
                                        ((3, 5, 6), -3)])
def test_batch_normalization_axis(shape, axis):
    check(model(shape, f"BatchNormalization(axis={axis})"))


def test_batch_normalization_channels_first_after_conv():
    check("Input(shape=(3, 16, 16))\nConv2D(8, 3, data_format='channels_first')\nBatchNormalization(axis=1)\n")


def test_batch_normalization_positional_axis_and_derivation():
    s = summarize("Input(shape=(10,))\nBatchNormalization(-1, 0.9, 1e-3, False)")
    row = s.layers[-1]
    assert [w.name for w in row.weights] == ["gamma", "moving_mean", "moving_variance"]
    assert row.derivation[-1].text() == "N = 3C = 3 × 10 = 30"
    assert row.trainable == 10 and row.non_trainable == 20


@pytest.mark.parametrize("text", [
    "Input(shape=(4, 6))\nBatchNormalization(axis=3)",
    "Input(shape=(4, 6))\nBatchNormalization(axis=-3)",
    "Input(shape=(None,))\nBatchNormalization()",
])
def test_batch_normalization_errors(text):
    check_error(text)


# -- LayerNormalization and RMSNormalization -------------------------------------------------
@pytest.mark.parametrize("axis", ["-1", "[1, 2]", "(-1, 1)", "[-2, -1]", "[2]", "1", "[3, 1]"])
@pytest.mark.parametrize("options", ["", "center=False", "scale=False", "rms_scaling=True",
                                     "center=False, scale=False"])
def test_layer_normalization(axis, options):
    sep = ", " if options else ""
    check(model((3, 5, 6), f"LayerNormalization(axis={axis}{sep}{options})"))


@pytest.mark.parametrize("axis", ["-1", "[1, 2]", "[-1, 1]", "1"])
def test_rms_normalization(axis):
    check(model((3, 5, 6), f"RMSNormalization(axis={axis})"))


@pytest.mark.parametrize("text", [
    "Input(shape=(5, 6))\nLayerNormalization(axis=3)",
    "Input(shape=(5, 6))\nLayerNormalization(axis=[1, -4])",
    "Input(shape=(5, 6))\nRMSNormalization(axis=5)",
    "Input(shape=(5, None))\nLayerNormalization()",
])
def test_layer_normalization_errors(text):
    check_error(text)


@pytest.mark.parametrize("text", [
    "Input(shape=(5, None))\nLayerNormalization(center=False, scale=False)",
    "Input(shape=(None, 4))\nLayerNormalization(axis=1, center=False, scale=False)",
    "Input(shape=(5, None))\nUnitNormalization()",
])
def test_unknown_axis_without_weights(text):
    check(text)


def test_group_normalization_checks_groups_without_weights():
    check_error("Input(shape=(6,))\nGroupNormalization(groups=4, center=False, scale=False)")
    check_error("Input(shape=(None,))\nGroupNormalization(groups=2, center=False, scale=False)")


def test_layer_normalization_derivation_over_two_axes():
    row = summarize("Input(shape=(3, 5, 6))\nLayerNormalization(axis=[1, 2])").layers[-1]
    assert row.derivation[-1].text() == "N = 2 · d_1 d_2 = 2 × 3 × 5 = 30"


# -- GroupNormalization -------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(12,), (5, 12), (4, 4, 12)])
@pytest.mark.parametrize("options", ["groups=1", "groups=3", "groups=12", "groups=-1", "4, center=False",
                                     "6, scale=False", "groups=2, center=False, scale=False"])
def test_group_normalization(shape, options):
    check(model(shape, f"GroupNormalization({options})"))


def test_group_normalization_axis():
    check("Input(shape=(6, 5, 5))\nGroupNormalization(groups=3, axis=1)")


@pytest.mark.parametrize("text,match", [
    ("Input(shape=(6,))\nGroupNormalization(groups=4)", "equal groups"),
    ("Input(shape=(6,))\nGroupNormalization()", "32 groups but only 6 channels"),
    ("Input(shape=(None,))\nGroupNormalization(groups=2)", "known size"),
    ("Input(shape=(6,))\nGroupNormalization(groups=0)", "groups"),
])
def test_group_normalization_errors(text, match):
    check_error(text, match=match)


# -- UnitNormalization --------------------------------------------------------------------------
@pytest.mark.parametrize("axis", ["-1", "1", "[1, 2]", "(-2, -1)"])
def test_unit_normalization(axis):
    check(model((3, 5, 6), f"UnitNormalization(axis={axis})"))


def test_unit_normalization_axis_out_of_bounds():
    check_error("Input(shape=(5,))\nUnitNormalization(axis=2)")


# -- generated stacks -------------------------------------------------------------------------
def random_norm_layer(rng: random.Random, shape: tuple) -> str:
    rank = len(shape) + 1
    kind = rng.choice(["BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
                       "RMSNormalization"])
    if kind == "BatchNormalization":
        axis = rng.choice([-1, rng.randrange(1, rank)])
        opts = [f"axis={axis}"] + rng.sample(["center=False", "scale=False", "renorm=True"], rng.randint(0, 2))
    elif kind == "GroupNormalization":
        channels = shape[-1]
        groups = rng.choice([g for g in range(1, channels + 1) if channels % g == 0] + [-1])
        opts = [f"groups={groups}"] + rng.sample(["center=False", "scale=False"], rng.randint(0, 1))
    elif kind in ("LayerNormalization", "RMSNormalization", "UnitNormalization"):
        axes = rng.sample(range(1, rank), rng.randint(1, rank - 1))
        axes = [a - rank if rng.random() < 0.3 else a for a in axes]
        opts = [f"axis={axes if len(axes) > 1 else axes[0]}"]
        if kind == "LayerNormalization":
            opts += rng.sample(["center=False", "scale=False", "rms_scaling=True"], rng.randint(0, 1))
    if rng.random() < 0.15:
        opts.append("trainable=False")
    return f"{kind}({', '.join(opts)})"


@pytest.mark.parametrize("seed", range(12))
def test_random_normalization_stacks(seed):
    rng = random.Random(seed)
    shape = tuple(rng.choice([2, 3, 4, 6, 8]) for _ in range(rng.randint(1, 3)))
    lines = [f"Input(shape={shape!r})"]
    for _ in range(rng.randint(1, 4)):
        lines.append(random_norm_layer(rng, shape))
        if rng.random() < 0.3:
            shape = (*shape[:-1], rng.choice([4, 6, 8]))
            lines.append(f"Dense({shape[-1]})")
    check("\n".join(lines))

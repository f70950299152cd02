"""Keras convolution layers against real Keras: option grids, None sizes, errors, random stacks."""

from __future__ import annotations

import itertools
import random

import pytest

from sphinxext_params import summarize
from tests.keras.layer_oracle import call, check_against_keras, expect_error, model_text

CHANNELS = 4


def spatial_input(rank: int, channels_first: bool, sizes=None, channels=CHANNELS) -> tuple:
    if sizes is None:
        sizes = (9, 8)[:rank] if rank < 3 else (7, 6, 5)
    return (channels, *sizes) if channels_first else (*sizes, channels)


def per_axis_choices(rank: int, values) -> list:
    """Ints, plus one tuple per rank mixing the values (``(1, 2)``, ``(2, 1, 3)``)."""
    choices = list(values)
    if rank > 1:
        choices.append(tuple(values[i % len(values)] for i in range(1, rank + 1)))
    return choices


# One list of options per family: Keras's own argument names and values.
def conv_options(rank: int) -> dict:
    return {
        "filters": [4, 6],
        "kernel_size": per_axis_choices(rank, [1, 3, 2]),
        "strides": per_axis_choices(rank, [1, 2]),
        "padding": ["valid", "same"] + (["causal"] if rank == 1 else []),
        "dilation_rate": per_axis_choices(rank, [1, 2]),
        "groups": [1, 2],
        "use_bias": [True, False],
        "data_format": ["channels_last", "channels_first"],
    }


def transpose_options(rank: int) -> dict:
    return {
        "filters": [3, 5],
        "kernel_size": per_axis_choices(rank, [1, 3, 2]),
        "strides": per_axis_choices(rank, [1, 2, 3]),
        "padding": ["valid", "same"],
        "output_padding": [None, 0, 1] + ([(0, 1, 0)[:rank]] if rank > 1 else []),
        "dilation_rate": [1, 2],
        "use_bias": [True, False],
        "data_format": ["channels_last", "channels_first"],
    }


def separable_options(rank: int) -> dict:
    return {
        "filters": [5],
        "kernel_size": per_axis_choices(rank, [1, 3, 2]),
        "strides": per_axis_choices(rank, [1, 2]),
        "padding": ["valid", "same"],
        "dilation_rate": [1, 2],
        "depth_multiplier": [1, 3],
        "use_bias": [True, False],
        "data_format": ["channels_last", "channels_first"],
    }


def depthwise_options(rank: int) -> dict:
    options = separable_options(rank)
    del options["filters"]
    return options


FAMILIES = [
    ("Conv1D", 1, conv_options), ("Conv2D", 2, conv_options), ("Conv3D", 3, conv_options),
    ("Conv1DTranspose", 1, transpose_options), ("Conv2DTranspose", 2, transpose_options),
    ("Conv3DTranspose", 3, transpose_options),
    ("SeparableConv1D", 1, separable_options), ("SeparableConv2D", 2, separable_options),
    ("DepthwiseConv1D", 1, depthwise_options), ("DepthwiseConv2D", 2, depthwise_options),
]


def sample_grid(options: dict, count: int, seed: int) -> list[dict]:
    """``count`` distinct combinations of the options, drawn with a fixed seed."""
    combos = list(itertools.product(*options.values()))
    picked = random.Random(seed).sample(combos, min(count, len(combos)))
    return [dict(zip(options, combo)) for combo in picked]


def grid_cases():
    for seed, (type_name, rank, options) in enumerate(FAMILIES):
        for kwargs in sample_grid(options(rank), 24, seed):
            shape = spatial_input(rank, kwargs["data_format"] == "channels_first")
            positional = [kwargs.pop("filters")] if "filters" in kwargs else []
            positional.append(kwargs.pop("kernel_size"))
            yield model_text(shape, call(type_name, *positional, **kwargs))


@pytest.mark.parametrize("text", list(grid_cases()))
def test_option_grid(text):
    check_against_keras(text)


def test_option_grid_is_mostly_valid():
    """The grid exercises real counts, not only refusals."""
    accepted = sum(check_against_keras(text) for text in list(grid_cases())[::12])
    assert accepted >= 12


@pytest.mark.parametrize("type_name,rank,_", FAMILIES)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_unknown_spatial_sizes(type_name, rank, _, data_format, padding):
    """Input(shape=(None, None, 3)): the spatial sizes stay None; the counts need only channels."""
    shape = spatial_input(rank, data_format == "channels_first", sizes=(None,) * rank)
    args = [] if type_name.startswith("Depthwise") else [4]
    pool = f"GlobalAveragePooling{rank}D(data_format={data_format!r})"
    text = model_text(shape, call(type_name, *args, 3, strides=2, padding=padding, data_format=data_format), pool)
    assert check_against_keras(text)


def test_none_channels_need_a_size():
    for layer in ("Conv2D(4, 3)", "DepthwiseConv2D(3)", "SeparableConv2D(4, 3)", "Conv2DTranspose(4, 3)"):
        expect_error(model_text((8, 8, None), layer), "channels")


@pytest.mark.parametrize("text", [
    # Keras's aliases keep the class name in the summary.
    model_text((16, 16, 3), "Convolution2D(8, 3)", "Convolution2DTranspose(4, 2, strides=2)"),
    model_text((16, 3), "Convolution1D(8, 3)", "SeparableConvolution1D(4, 3)", "Convolution1DTranspose(2, 3)"),
    model_text((6, 6, 6, 2), "Convolution3D(4, 3)", "Convolution3DTranspose(2, 3)"),
    model_text((16, 16, 3), "SeparableConvolution2D(4, 3)"),
    # Positional arguments, in each family's own order (Conv3DTranspose puts data_format
    # before output_padding; DepthwiseConv puts depth_multiplier before data_format).
    model_text((3, 5, 6, 7), "Conv3DTranspose(4, 3, 2, 'same', 'channels_first', 1)"),
    model_text((5, 6, 3), "Conv2DTranspose(4, 3, 2, 'valid', 1, 'channels_last', 1)"),
    model_text((9, 9, 3), "DepthwiseConv2D(3, 1, 'valid', 2, 'channels_last', 2)"),
    model_text((9, 9, 3), "SeparableConv2D(8, 3, 1, 'valid', None, 1, 2, 'relu', False)"),
    model_text((9, 9, 4), "Conv2D(8, 3, 1, 'valid', None, 1, 2, 'relu', False)"),
    # Upper-case padding and data_format are read as Keras reads them.
    model_text((9, 9, 3), "Conv2D(8, 3, padding='SAME', data_format='Channels_Last')"),
    # LoRA freezes the kernel and adds two small trainable factors.
    model_text((9, 9, 3), "Conv2D(8, 3, lora_rank=2)", "Flatten()"),
    model_text((9, 4), "Conv1D(6, 2, lora_rank=1, groups=2)"),
    # Initializers and regularizers change nothing.
    model_text((9, 9, 3), "Conv2D(8, 3, kernel_initializer='he_normal', bias_regularizer=None)",
               "DepthwiseConv2D(3, depthwise_initializer='ones', depthwise_constraint=None)",
               "SeparableConv2D(4, 1, pointwise_initializer='zeros', depthwise_regularizer=None)"),
    # trainable=False moves the weights to the non-trainable count.
    model_text((9, 9, 3), "Conv2D(8, 3, trainable=False)", "SeparableConv2D(4, 3, trainable=False)"),
    # A functional graph sharing a convolution.
    "a = Input(shape=(9, 9, 3))\nb = Input(shape=(9, 9, 3))\nconv = Conv2D(8, 3)\n"
    "x = conv(a)\ny = conv(b)\nModel([a, b], [x, y])",
])
def test_named_cases(text):
    assert check_against_keras(text)


@pytest.mark.parametrize("text,words", [
    (model_text((16, 16, 3), "Conv2D(4, 3, strides=2, dilation_rate=2)"), ["strides", "dilation_rate"]),
    (model_text((16, 16, 3), "Conv2DTranspose(4, 3, strides=(2, 1), dilation_rate=(1, 2))"), ["dilation_rate"]),
    (model_text((16, 16, 3), "Conv2D(4, 3, padding='causal')"), ["causal"]),
    (model_text((16, 3), "SeparableConv1D(4, 3, padding='causal')"), ["padding"]),
    (model_text((16, 3), "Conv1DTranspose(4, 3, padding='causal')"), ["padding"]),
    (model_text((16, 16, 4), "Conv2D(6, 3, groups=4)"), ["groups"]),
    (model_text((16, 16, 6), "Conv2D(4, 3, groups=4)"), ["channels", "groups"]),
    (model_text((16, 16), "Conv2D(4, 3)"), ["rank 4"]),
    (model_text((4, 16, 16, 3), "Conv2D(4, 3)"), ["rank 4"]),
    (model_text((16, 16, 3), "Conv3D(4, 3)"), ["rank 5"]),
    (model_text((3, 3, 3), "Conv2D(4, 5)"), ["would be -1"]),
    (model_text((8, 3), "Conv1D(4, 3, dilation_rate=4)"), ["length would be"]),
    (model_text((3, 3, 3, 3), "Conv3D(4, (1, 1, 4))"), ["width"]),
    (model_text((3, 3, 3), "DepthwiseConv2D(4)"), ["height"]),
    (model_text((8, 8, 3), "Conv2DTranspose(4, 3, strides=2, output_padding=2)"), ["output_padding"]),
    (model_text((8, 8, 3), "Conv2DTranspose(4, 3, output_padding=(0, 1))"), ["output_padding"]),
    (model_text((8, 8, 3), "Conv2D(4, (3, 3, 3))"), ["kernel_size"]),
    (model_text((8, 8, 3), "Conv2D(4, 0)"), ["kernel_size"]),
    (model_text((8, 8, 3), "Conv2D(0, 3)"), ["filters"]),
    (model_text((8, 8, 3), "Conv2D(4, 3, strides=0)"), ["strides"]),
    (model_text((8, 8, 3), "Conv2D(4, 3, padding='full')"), ["padding"]),
    (model_text((8, 8, 3), "Conv2D(4, 3, data_format='NHWC')"), ["data_format"]),
    (model_text((8, 8, 3), "DepthwiseConv2D(3, depth_multiplier=0)"), ["depth_multiplier"]),
    (model_text((8, 8, 3), "Conv2D(4)"), ["kernel_size"]),
])
def test_errors(text, words):
    expect_error(text, *words)


def test_derivation_text():
    text = model_text((224, 224, 3), "Conv2D(64, 3)", "Conv2D(32, (3, 5), groups=2, padding='same', strides=2)",
                      "SeparableConv2D(16, 3, depth_multiplier=2)", "DepthwiseConv2D(3, use_bias=False)",
                      "Conv2DTranspose(8, 3, strides=2)")
    assert check_against_keras(text)
    rows = {r.name: r for r in summarize(text).layers}
    assert rows["conv2d"].derivation[-1].text() == "N = f (k_h k_w c + 1) = 64 × (3 × 3 × 3 + 1) = 1,792"
    assert [s.text() for s in rows["conv2d"].shape_derivation] == [
        "h_out = ⌊(n_h − k_h) / s_h⌋ + 1 = ⌊(224 − 3) / 1⌋ + 1 = 222",
        "w_out = ⌊(n_w − k_w) / s_w⌋ + 1 = ⌊(224 − 3) / 1⌋ + 1 = 222"]
    assert rows["conv2d_1"].derivation[-1].text() == "N = f (k_h k_w c / g + 1) = 32 × (3 × 5 × 64 / 2 + 1) = 15,392"
    assert rows["conv2d_1"].shape_derivation[0].text() == "h_out = ⌈n_h / s_h⌉ = ⌈222 / 2⌉ = 111"
    assert rows["separable_conv2d"].derivation[-1].text().startswith("N = k_h k_w c m + c m f + f = ")
    assert rows["depthwise_conv2d"].derivation[-1].text() == "N = k_h k_w c m = 3 × 3 × 16 × 1 = 144"
    assert rows["conv2d_transpose"].shape_derivation[0].text().startswith("h_out = (n_h − 1) s_h + k_h = ")


def test_conv1d_derivation_has_no_subscripts():
    text = model_text((100, 8), "Conv1D(16, 5, dilation_rate=2)")
    assert check_against_keras(text)
    row = summarize(text).layers[0]
    assert row.derivation[-1].text() == "N = f (k c + 1) = 16 × (5 × 8 + 1) = 656"
    assert row.shape_derivation[0].text() == (
        "l_out = ⌊(n − d (k − 1) − 1) / s⌋ + 1 = ⌊(100 − 2 × (5 − 1) − 1) / 1⌋ + 1 = 92")


# -- random stacks ------------------------------------------------------------------------------
def random_conv_layer(rng: random.Random, rank: int, channels_first: bool) -> str:
    data_format = "channels_first" if channels_first else rng.choice([None, "channels_last"])
    fmt = {"data_format": data_format} if data_format else {}
    kernel = rng.choice([1, 2, 3]) if rng.random() < 0.7 else tuple(rng.choice([1, 2, 3]) for _ in range(rank))
    strides = rng.choice([1, 1, 2])
    padding = rng.choice(["valid", "same"])
    dilation = {"dilation_rate": 2} if strides == 1 and rng.random() < 0.2 else {}
    bias = {} if rng.random() < 0.8 else {"use_bias": False}
    kinds = ["Conv", "Conv", "Transpose", "Pool"] + (["Separable", "Depthwise"] if rank < 3 else [])
    kind = rng.choice(kinds)
    if kind == "Conv":
        groups = {"groups": 2} if rng.random() < 0.2 else {}
        return call(f"Conv{rank}D", rng.choice([2, 4, 8]), kernel, strides=strides, padding=padding,
                    **fmt, **dilation, **groups, **bias)
    if kind == "Transpose":
        return call(f"Conv{rank}DTranspose", rng.choice([2, 4]), kernel, strides=strides, padding=padding,
                    **fmt, **dilation, **bias)
    if kind == "Separable":
        return call(f"SeparableConv{rank}D", rng.choice([2, 4]), kernel, strides=strides, padding=padding,
                    depth_multiplier=rng.choice([1, 2]), **fmt, **dilation, **bias)
    if kind == "Depthwise":
        return call(f"DepthwiseConv{rank}D", kernel, strides=strides, padding=padding,
                    depth_multiplier=rng.choice([1, 2]), **fmt, **dilation, **bias)
    pool = rng.choice(["MaxPooling", "AveragePooling"])
    return call(f"{pool}{rank}D", rng.choice([2, 3]), strides=rng.choice([None, 1, 2]), padding=padding, **fmt)


def random_conv_stack(seed: int) -> str:
    rng = random.Random(seed)
    rank = rng.choice([1, 2, 2, 3])
    channels_first = rng.random() < 0.3
    sizes = tuple(rng.choice([None, 5, 8, 12]) if rng.random() < 0.15 else rng.choice([5, 8, 12, 16])
                  for _ in range(rank))
    shape = spatial_input(rank, channels_first, sizes=sizes, channels=rng.choice([2, 3, 4]))
    layers = [random_conv_layer(rng, rank, channels_first) for _ in range(rng.randint(2, 5))]
    data_format = "channels_first" if channels_first else "channels_last"
    tail = rng.choice(["Flatten()", call(f"GlobalMaxPooling{rank}D", data_format=data_format)])
    if tail == "Flatten()" and None in sizes:  # Dense needs a known size
        tail = call(f"GlobalAveragePooling{rank}D", data_format=data_format)
    return model_text(shape, *layers, tail, "Dense(3)")


def test_random_conv_stacks():
    accepted = sum(check_against_keras(random_conv_stack(seed)) for seed in range(40))
    assert accepted >= 15, "the generator should mostly make models Keras accepts"

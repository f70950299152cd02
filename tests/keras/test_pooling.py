"""Keras pooling layers against real Keras: option grids, None sizes, errors, random stacks."""

from __future__ import annotations

import itertools
import random

import pytest

from sphinxext_params import summarize
from tests.keras.layer_oracle import call, check_against_keras, expect_error, model_text

SIZES = {1: (9,), 2: (9, 7), 3: (7, 6, 5)}


def image(rank: int, data_format, sizes=None, channels: int = 3) -> tuple:
    sizes = SIZES[rank] if sizes is None else sizes
    return (channels, *sizes) if data_format == "channels_first" else (*sizes, channels)


def pooling_cases():
    for rank, kind in itertools.product((1, 2, 3), ("MaxPooling", "AveragePooling")):
        pools = [1, 2, 3] + ([(2, 3, 1)[:rank]] if rank > 1 else [])
        strides = [None, 1, 2] + ([(1, 2, 3)[:rank]] if rank > 1 else [])
        for pool, stride, padding, data_format in itertools.product(pools, strides, ["valid", "same"],
                                                                    [None, "channels_first"]):
            kwargs = {"strides": stride, "padding": padding}
            if data_format:
                kwargs["data_format"] = data_format
            yield model_text(image(rank, data_format), call(f"{kind}{rank}D", pool, **kwargs))


@pytest.mark.parametrize("text", list(pooling_cases())[::2])
def test_pooling_grid(text):
    assert check_against_keras(text)


def global_cases():
    for rank, kind, keepdims, data_format in itertools.product(
            (1, 2, 3), ("GlobalMaxPooling", "GlobalAveragePooling", "GlobalMaxPool", "GlobalAvgPool"),
            (False, True), ("channels_last", "channels_first")):
        layer = call(f"{kind}{rank}D", data_format=data_format, keepdims=keepdims)
        yield model_text(image(rank, data_format), layer)
        yield model_text(image(rank, data_format, sizes=(None,) * rank), layer)


@pytest.mark.parametrize("text", list(global_cases()))
def test_global_pooling(text):
    assert check_against_keras(text)


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("kind", ["AdaptiveMaxPooling", "AdaptiveAveragePooling"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_adaptive_pooling(rank, kind, data_format):
    for size in (1, 2, (3, 2, 1)[:rank]):
        assert check_against_keras(model_text(image(rank, data_format), call(f"{kind}{rank}D", size, data_format)))


@pytest.mark.parametrize("text", [
    # Aliases report the class name.
    model_text((9, 9, 3), "MaxPool2D()", "AvgPool2D(2)", "GlobalMaxPool2D()"),
    model_text((9, 3), "MaxPool1D(3, 1)", "AvgPool1D(2, padding='same')", "GlobalAvgPool1D()"),
    model_text((5, 5, 5, 2), "MaxPool3D()", "AvgPool3D(1)"),
    # Defaults: MaxPooling's pool size is 2; strides default to the pool size.
    model_text((9, 9, 3), "MaxPooling2D()", "MaxPooling2D(pool_size=(1, 2))"),
    # Unknown spatial sizes, then a global pool gives a known size.
    model_text((None, None, 3), "Conv2D(8, 3)", "MaxPooling2D()", "AveragePooling2D(2, padding='same')",
               "GlobalAveragePooling2D()", "Dense(2)"),
    model_text((None, 3), "MaxPooling1D(2)", "GlobalMaxPooling1D(keepdims=True)"),
    # Positional data_format on global pooling.
    model_text((3, 8, 8), "GlobalAveragePooling2D('channels_first', True)"),
])
def test_named_cases(text):
    assert check_against_keras(text)


@pytest.mark.parametrize("text,words", [
    (model_text((7, 3), "MaxPooling1D(8)"), ["length would be 0"]),
    (model_text((7, 7, 3), "AveragePooling2D((2, 8))"), ["width would be 0"]),
    (model_text((7, 7, 3), "MaxPooling2D(2, padding='SAME')"), ["padding"]),
    (model_text((7, 7, 3), "MaxPooling2D(2, padding='causal')"), ["padding"]),
    (model_text((7, 3), "MaxPooling2D()"), ["rank 4"]),
    (model_text((7, 7, 7, 3), "MaxPooling2D()"), ["rank 4"]),
    (model_text((7, 7, 3), "GlobalAveragePooling1D()"), ["rank 3"]),
    (model_text((7, 7, 3), "AveragePooling2D()"), ["pool_size"]),
    (model_text((7, 7, 3), "MaxPooling2D((2, 2, 2))"), ["pool_size"]),
    (model_text((7, 7, 3), "MaxPooling2D(0)"), ["pool_size"]),
    (model_text((7, 7, 3), "MaxPooling2D(2, strides=0)"), ["strides"]),
    (model_text((7, 7, 3), "MaxPooling2D(data_format='channels_middle')"), ["data_format"]),
    (model_text((7, 7, 3), "AdaptiveMaxPooling2D((2, 2, 2))"), ["output_size"]),
])
def test_errors(text, words):
    expect_error(text, *words)


def test_shape_derivation():
    text = model_text((28, 28, 3), "MaxPooling2D()", "AveragePooling2D(3, strides=2, padding='same')")
    assert check_against_keras(text)
    rows = summarize(text).layers
    assert [s.text() for s in rows[0].shape_derivation] == [
        "h_out = ⌊(n_h − k_h) / s_h⌋ + 1 = ⌊(28 − 2) / 2⌋ + 1 = 14",
        "w_out = ⌊(n_w − k_w) / s_w⌋ + 1 = ⌊(28 − 2) / 2⌋ + 1 = 14"]
    assert rows[1].shape_derivation[0].text() == "h_out = ⌈n_h / s_h⌉ = ⌈14 / 2⌉ = 7"


def test_global_pooling_has_no_shape_formula():
    assert summarize(model_text((8, 8, 3), "GlobalMaxPooling2D()")).layers[0].shape_derivation == ()


# -- random stacks ------------------------------------------------------------------------------
def random_pool_layer(rng: random.Random, rank: int, data_format: str | None) -> str:
    fmt = {"data_format": data_format} if data_format else {}
    kind = rng.choice(["MaxPooling", "AveragePooling", "MaxPooling", "Conv"])
    if kind == "Conv":
        return call(f"Conv{rank}D", rng.choice([2, 4]), rng.choice([1, 2, 3]), padding=rng.choice(["valid", "same"]),
                    **fmt)
    pool = rng.choice([1, 2, 3]) if rng.random() < 0.8 else tuple(rng.choice([1, 2, 3]) for _ in range(rank))
    strides = rng.choice([None, None, 1, 2, 3])
    return call(f"{kind}{rank}D", pool, strides=strides, padding=rng.choice(["valid", "same"]), **fmt)


def random_pool_stack(seed: int) -> str:
    rng = random.Random(seed)
    rank = rng.choice([1, 2, 2, 3])
    data_format = rng.choice([None, None, "channels_last", "channels_first"])
    sizes = tuple(None if rng.random() < 0.1 else rng.choice([4, 6, 9, 13]) for _ in range(rank))
    shape = image(rank, data_format, sizes=sizes, channels=rng.choice([1, 3]))
    layers = [random_pool_layer(rng, rank, data_format) for _ in range(rng.randint(1, 4))]
    kind = rng.choice(["GlobalMaxPooling", "GlobalAveragePooling"])
    tail = call(f"{kind}{rank}D", keepdims=rng.random() < 0.3, **({"data_format": data_format} if data_format else {}))
    return model_text(shape, *layers, tail)


def test_random_pool_stacks():
    accepted = sum(check_against_keras(random_pool_stack(seed)) for seed in range(40))
    assert accepted >= 15, "the generator should mostly make models Keras accepts"

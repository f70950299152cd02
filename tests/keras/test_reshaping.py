"""Keras reshaping layers against real Keras: option grids, None sizes, errors, random stacks."""

from __future__ import annotations

import itertools
import random

import pytest

from sphinxext_params import summarize
from tests.keras.layer_oracle import call, check_against_keras, expect_error, model_text

SIZES = {1: (9,), 2: (9, 7), 3: (7, 6, 8)}


def image(rank: int, data_format, sizes=None, channels: int = 3) -> tuple:
    sizes = SIZES[rank] if sizes is None else sizes
    return (channels, *sizes) if data_format == "channels_first" else (*sizes, channels)


# -- Flatten, Reshape, Permute, RepeatVector --------------------------------------------------------
@pytest.mark.parametrize("shape,target", [
    ((28, 28), (784,)), ((28, 28), (-1,)), ((28, 28), (7, 4, 28)), ((28, 28), (7, -1, 4)),
    ((28, 28), (-1, 2, 2)), ((12,), (3, 4)), ((12,), (2, -1, 3)), ((2, 3, 4), (24, 1)),
    ((2, 3, 4), [4, 6]), ((None, 4), (-1, 2)), ((None, 4), (2, 2, -1)), ((10,), (None, 5)),
    ((6,), (6, 1, 1)),
])
def test_reshape(shape, target):
    assert check_against_keras(model_text(shape, call("Reshape", target)))


@pytest.mark.parametrize("shape", [(5,), (28, 28), (3, 4, 5), (None, 4), (2, 3, 4, 5)])
@pytest.mark.parametrize("data_format", [None, "channels_first"])
def test_flatten(shape, data_format):
    layer = call("Flatten", data_format=data_format) if data_format else "Flatten()"
    assert check_against_keras(model_text(shape, layer))


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (None, 3, 5), (2, 3, 4, 5)])
def test_permute_every_order(shape):
    for dims in itertools.permutations(range(1, len(shape) + 1)):
        assert check_against_keras(model_text(shape, call("Permute", dims)))


@pytest.mark.parametrize("shape,n", [((5,), 1), ((5,), 3), ((None,), 4)])
def test_repeat_vector(shape, n):
    assert check_against_keras(model_text(shape, call("RepeatVector", n), "Flatten()"))


# -- padding, cropping, up-sampling ---------------------------------------------------------------
def edge_values(rank: int) -> list:
    """Every form Keras reads: an int, one entry per axis (ints, pairs, or a mix)."""
    if rank == 1:
        return [0, 1, 2, (0, 2), (3, 1)]
    return [0, 1, tuple(range(1, rank + 1)), tuple((i, 1) for i in range(rank)),
            (1, (2, 0), 0)[:rank] if rank == 3 else (1, (2, 0))]


def edge_cases():
    for rank, data_format in itertools.product((1, 2, 3), (None, "channels_last", "channels_first")):
        fmt = {"data_format": data_format} if data_format else {}
        for value in edge_values(rank):
            yield model_text(image(rank, data_format), call(f"ZeroPadding{rank}D", value, **fmt))
            # Cropping1D takes no data_format: it always crops axis 1.
            crop = call("Cropping1D", value) if rank == 1 else call(f"Cropping{rank}D", value, **fmt)
            yield model_text(image(rank, None if rank == 1 else data_format), crop)
        for size in [1, 2, 3] + ([(2, 1, 3)[:rank]] if rank > 1 else []):
            up = call("UpSampling1D", size) if rank == 1 else call(f"UpSampling{rank}D", size, **fmt)
            yield model_text(image(rank, None if rank == 1 else data_format), up)


@pytest.mark.parametrize("text", list(edge_cases()))
def test_padding_cropping_upsampling(text):
    assert check_against_keras(text)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_unknown_sizes_stay_unknown(rank):
    shape = image(rank, None, sizes=(None,) * rank)
    layers = [call(f"ZeroPadding{rank}D", 2), call(f"Cropping{rank}D", 1), call(f"UpSampling{rank}D", 2)]
    assert check_against_keras(model_text(shape, *layers))


@pytest.mark.parametrize("text", [
    model_text((9, 9, 3), "UpSampling2D(2, 'channels_last', 'bilinear')"),
    model_text((9, 9, 3), "ZeroPadding2D()", "Cropping2D()", "UpSampling2D()"),  # defaults
    model_text((5, 5, 5, 3), "ZeroPadding3D()", "Cropping3D()", "UpSampling3D()"),
    model_text((9, 3), "ZeroPadding1D()", "Cropping1D()", "UpSampling1D()"),
    model_text((3, 9, 9), "ZeroPadding2D(1, 'channels_first')", "Cropping2D(1, 'channels_first')"),
])
def test_named_cases(text):
    assert check_against_keras(text)


@pytest.mark.parametrize("text,words", [
    (model_text((28, 28), "Reshape((5, 5))"), ["784", "25"]),
    (model_text((28, 28), "Reshape((5, -1))"), ["not a multiple of 5"]),
    (model_text((28, 28), "Reshape((0, -1))"), ["not a multiple of 0"]),
    (model_text((28, 28), "Reshape((-1, -1))"), ["one -1"]),
    (model_text((28, 28), "Reshape((-2, 4))"), ["-2"]),
    (model_text((28, 28), "Reshape(784)"), ["target_shape"]),
    (model_text((3, 4), "Permute((1, 3))"), ["dims"]),
    (model_text((3, 4), "Permute((0, 1))"), ["dims"]),
    (model_text((3, 4), "Permute((2, 1, 3))"), ["rank 4"]),
    (model_text((3, 4), "RepeatVector(2)"), ["rank 2"]),
    (model_text((3,), "RepeatVector(0)"), ["n"]),
    (model_text((10, 3), "Cropping1D(5)"), ["length would be 0"]),
    (model_text((10, 3), "Cropping1D((4, 7))"), ["length would be -1"]),
    (model_text((10, 6, 3), "Cropping2D(((5, 5), 0))"), ["height would be 0"]),
    (model_text((3, 10, 6), "Cropping2D((0, 3), data_format='channels_first')"), ["width would be 0"]),
    (model_text((4, 4, 4, 3), "Cropping3D(2)"), ["depth would be 0"]),
    (model_text((10, 3), "Cropping1D(-1)"), ["negative"]),
    (model_text((10, 3), "Cropping1D((1, 2, 3))"), ["cropping"]),
    (model_text((10, 3), "Cropping2D(1)"), ["rank 4"]),
    (model_text((10, 10, 3), "ZeroPadding2D((1, 2, 3))"), ["padding"]),
    (model_text((10, 10, 3), "ZeroPadding2D(((1, 2, 3), 1))"), ["padding"]),
    (model_text((10, 10, 3), "ZeroPadding3D(1)"), ["rank 5"]),
    (model_text((10, 3), "UpSampling1D((2,))"), ["size"]),
    (model_text((10, 3), "UpSampling1D(0)"), ["size"]),
    (model_text((10, 10, 3), "UpSampling2D((2, 2, 2))"), ["size"]),
    (model_text((10, 10, 3), "UpSampling3D()"), ["rank 5"]),
])
def test_errors(text, words):
    expect_error(text, *words)


def test_shape_derivations():
    text = model_text((28, 28), "Reshape((7, -1, 4))", "Flatten()", "Reshape((-1,))")
    assert check_against_keras(text)
    rows = summarize(text).layers
    assert [s.text() for s in rows[0].shape_derivation] == [
        "n = d_1 d_2 = 28 × 28 = 784", "t_2 = n / (t_1 t_3) = 784 / (7 × 4) = 28"]
    assert [s.text() for s in rows[1].shape_derivation] == ["n = d_1 d_2 d_3 = 7 × 28 × 4 = 784"]
    assert rows[2].shape_derivation == ()
    text = model_text((10, 6, 3), "ZeroPadding2D((1, (2, 3)))", "Cropping2D(((1, 2), 3))", "UpSampling2D((2, 3))")
    assert check_against_keras(text)
    rows = summarize(text).layers
    assert rows[0].shape_derivation[1].text() == "w_out = n_w + p_l,w + p_r,w = 6 + 2 + 3 = 11"
    assert rows[1].shape_derivation[0].text() == "h_out = n_h − c_l,h − c_r,h = 12 − 1 − 2 = 9"
    assert rows[2].shape_derivation[1].text() == "w_out = n_w f_w = 5 × 3 = 15"


# -- random stacks ------------------------------------------------------------------------------
def random_spatial_layer(rng: random.Random, rank: int, data_format: str | None) -> str:
    fmt = {"data_format": data_format} if data_format else {}
    kind = rng.choice(["ZeroPadding", "Cropping", "UpSampling", "MaxPooling", "Conv"])
    if kind == "Conv":
        return call(f"Conv{rank}D", 2, rng.choice([1, 3]), **fmt)
    if kind == "MaxPooling":
        return call(f"MaxPooling{rank}D", rng.choice([1, 2]), padding=rng.choice(["valid", "same"]), **fmt)
    if kind == "UpSampling":
        size = rng.choice([1, 2, 3])
        if rank > 1 and rng.random() < 0.4:
            size = tuple(rng.choice([1, 2]) for _ in range(rank))
        return call("UpSampling1D", size) if rank == 1 else call(f"UpSampling{rank}D", size, **fmt)
    value = rng.choice(edge_values(rank) + [rng.choice([2, 3, 4])])
    if kind == "Cropping" and rank == 1:
        return call("Cropping1D", value)
    return call(f"{kind}{rank}D", value, **fmt)


def random_reshape_stack(seed: int) -> str:
    rng = random.Random(seed)
    rank = rng.choice([1, 2, 3])
    # Cropping1D and UpSampling1D know only channels last.
    data_format = None if rank == 1 else rng.choice([None, "channels_last", "channels_first"])
    sizes = tuple(rng.choice([3, 4, 6, 8]) for _ in range(rank))
    shape = image(rank, data_format, sizes=sizes, channels=rng.choice([1, 2, 3]))
    layers = [random_spatial_layer(rng, rank, data_format) for _ in range(rng.randint(1, 4))]
    layers.append("Flatten()")
    if rng.random() < 0.5:
        layers.append(call("Reshape", (-1, rng.choice([1, 2, 3, 4]))))
        layers.append(call("Permute", (2, 1)))
    else:
        layers.append(call("RepeatVector", rng.choice([1, 2])))
    return model_text(shape, *layers)


def test_random_reshape_stacks():
    accepted = sum(check_against_keras(random_reshape_stack(seed)) for seed in range(40))
    assert accepted >= 12, "the generator should mostly make models Keras accepts"

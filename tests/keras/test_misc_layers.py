"""Keras preprocessing, regularization and activation layers against real Keras."""

from __future__ import annotations

import itertools
import random

import pytest

from sphinxext_params import summarize
from tests.keras.layer_oracle import call, check_against_keras, expect_error, model_text

SHAPES = [(6,), (5, 4), (None, 4), (6, 5, 3), (None, None, 3), (3, 4, 5, 2)]


# -- preprocessing ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
def test_rescaling(shape):
    for args, kwargs in [((0.5,), {}), ((2,), {"offset": -1}), ((1.0, 0.5), {}), (([1.0, 2.0, 3.0],), {})]:
        assert check_against_keras(model_text(shape, call("Rescaling", *args, **kwargs)))


def image_resizing_cases():
    shapes = [(8, 6, 3), (3, 8, 6), (None, None, 3), (8, 3), (8,), (4, 8, 6, 3)]
    for shape, data_format, (height, width) in itertools.product(shapes, [None, "channels_first"],
                                                               [(4, 5), (10, 2)]):
        fmt = {"data_format": data_format} if data_format else {}
        yield model_text(shape, call("CenterCrop", height, width, **fmt))
        for options in [{}, {"crop_to_aspect_ratio": True}, {"pad_to_aspect_ratio": True, "fill_value": 1.0},
                        {"interpolation": "nearest", "antialias": True}]:
            yield model_text(shape, call("Resizing", height, width, **options, **fmt))


@pytest.mark.parametrize("text", list(image_resizing_cases()))
def test_center_crop_and_resizing(text):
    """Keras reads any rank but 4 as one unbatched image, so the batch axis may become the
    height: we report exactly what Keras reports, and refuse what it refuses."""
    check_against_keras(text)


def test_center_crop_and_resizing_mostly_accepted():
    assert sum(check_against_keras(text) for text in list(image_resizing_cases())[::8]) >= 8


# -- Normalization ------------------------------------------------------------------------------
NORMALIZATION_SHAPES = [(4,), (3, 4), (None, 4), (3, None), (2, 3, 4), (None, None, 3)]
NORMALIZATION_AXES = [-1, 1, 2, -2, None, (1,), (1, 2), [2, 1], (-1, 1), (1, 1), (2, 1, 2), 0, 3, -4, ()]


def nested(rng: random.Random, shape: tuple):
    """A nested list of numbers of the given array shape (a number for ``()``)."""
    if not shape:
        return rng.choice([0.5, 2, 1.25])
    return [nested(rng, shape[1:]) for _ in range(shape[0])]


def statistics_shape(rng: random.Random, shape: tuple) -> tuple:
    """The array shape of a given mean: mostly one that broadcasts, sometimes not."""
    last = shape[-1] or 3
    return rng.choice([(), (), (last,), (1,), (2,), (1, last), (shape[-2] or 2, last) if len(shape) > 1 else (last,)])


def normalization_cases(count: int = 150):
    rng = random.Random(2024)
    for _ in range(count):
        shape = rng.choice(NORMALIZATION_SHAPES)
        kwargs = {}
        if rng.random() < 0.8:
            kwargs["axis"] = rng.choice(NORMALIZATION_AXES)
        if rng.random() < 0.4:
            stats = statistics_shape(rng, shape)
            kwargs["mean"] = nested(rng, stats)
            other = stats if rng.random() < 0.85 else statistics_shape(rng, shape)
            if rng.random() < 0.9:  # now and then only the mean, which Keras refuses
                kwargs["variance"] = nested(rng, other)
        if rng.random() < 0.2:
            kwargs["invert"] = True
        yield model_text(shape, call("Normalization", **kwargs))


@pytest.mark.parametrize("text", list(normalization_cases()))
def test_normalization(text):
    check_against_keras(text)


def test_normalization_mostly_accepted():
    accepted = sum(check_against_keras(text) for text in list(normalization_cases())[::3])
    assert accepted >= 20


@pytest.mark.parametrize("text", [
    "Input(shape=(2, 3))\nNormalization(axis=(1, 2))\nNormalization(None, 0.5, 2.0)\nDense(2)",
    "Input(batch_shape=(5, 3))\nNormalization(axis=0)",  # the batch axis, known here
    "Input(batch_shape=(5, 3))\nNormalization(axis=(0, 1), mean=[1, 2, 3], variance=[1, 1, 1])",
    "Input(shape=(4,))\nNormalization(-1, [1, 2, 3, 4], [1, 1, 1, 1], True, name='norm')",
    "Input(shape=(3, 4))\nNormalization(axis=(1, 2), mean=[[1], [2], [3]], variance=[[1], [1], [1]])",
    "Input(shape=(4,))\nNormalization(trainable=False)\nNormalization(axis=[1])",
    "x = Input(shape=(8, 8, 3))\ny = Rescaling(1 / 255)(x)\ny = Normalization(axis=3)(y)\nModel(x, y)",
])
def test_normalization_examples(text):
    assert check_against_keras(text)


@pytest.mark.parametrize("text, words", [
    ("Input(shape=(4,))\nNormalization(mean=0.5)", ["mean and variance"]),
    ("Input(shape=(4,))\nNormalization(variance=[1, 2, 3, 4])", ["mean and variance"]),
    ("Input(shape=(4,))\nNormalization(mean=[1, 2], variance=[1, 2, 3])", ["same shape"]),
    ("Input(shape=(3, 4))\nNormalization(mean=[[1]], variance=[[1]])", ["rank of mean"]),
    ("Input(shape=(4,))\nNormalization(axis=None, mean=[1], variance=[1])", ["rank of mean"]),
    ("Input(shape=(4,))\nNormalization(mean=[1, 2, 3], variance=[1, 2, 3])", ["broadcast"]),
    ("Input(shape=(4,))\nNormalization(axis=2)", ["out of bounds"]),
    ("Input(shape=(None,))\nNormalization()", ["known size"]),
    ("Input(shape=(4,))\nNormalization(axis=0)", ["known size"]),
    ("Input(shape=(4,))\nNormalization(mean=[[1, 2], [3]], variance=[[1, 2], [3]])", ["list of numbers"]),
    ("Input(shape=(4,))\nNormalization(mean='a', variance='b')", ["number"]),
    ("Input(shape=(4,))\nNormalization(axis='x')", ["axis"]),
])
def test_normalization_errors(text, words):
    expect_error(text, *words)


def test_normalization_weights_and_derivation():
    summary = summarize("Input(shape=(3, 4))\nNormalization(axis=(1, 2))\nNormalization(axis=None)")
    kept, scalar = summary.layers
    assert [(w.name, w.shape, w.trainable) for w in kept.weights] == [
        ("mean", (3, 4), False), ("variance", (3, 4), False), ("count", (), False)]
    assert (kept.params, kept.non_trainable) == (25, 25)
    assert kept.derivation[-1].text() == "N = 2 · d_1 d_2 + 1 = 2 × 3 × 4 + 1 = 25"
    assert scalar.derivation[-1].value == scalar.params == 3


# -- regularization ---------------------------------------------------------------------------------
def regularization_layers() -> list[str]:
    return [
        "Dropout(0.5)", "Dropout(0)", "Dropout(1)", "Dropout(0.2, seed=1)", "Dropout(0.3, (None, 1, 3))",
        "Dropout(0.3, noise_shape=[2, 4])", "Dropout(rate=0.1, noise_shape=None, seed=None)",
        "AlphaDropout(0.2)", "AlphaDropout(0.2, noise_shape=(1, 2, 3, 4), seed=3)",
        "GaussianNoise(0.1)", "GaussianNoise(1, seed=2)", "GaussianDropout(0.4)", "GaussianDropout(0, 7)",
        "ActivityRegularization()", "ActivityRegularization(0.01)", "ActivityRegularization(l2=1e-4)",
        "ActivityRegularization(None, 2)",
    ]


@pytest.mark.parametrize("shape", SHAPES)
def test_regularization(shape):
    for layer in regularization_layers():
        assert check_against_keras(model_text(shape, layer))


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("sizes", ["known", "unknown"])
def test_spatial_dropout(rank, sizes):
    spatial = (None,) * rank if sizes == "unknown" else (5, 4, 3)[:rank]
    layers = ["SpatialDropout1D(0.2)", "SpatialDropout1D(0.5, seed=1)"] if rank == 1 else [
        f"SpatialDropout{rank}D(0.3)", f"SpatialDropout{rank}D(0.3, 'channels_first')",
        f"SpatialDropout{rank}D(rate=0.1, data_format='channels_last', seed=4)"]
    for layer in layers:
        assert check_against_keras(model_text((*spatial, 2), layer))


# -- activations ------------------------------------------------------------------------------------
def activation_layers() -> list[str]:
    return [
        "ReLU()", "ReLU(6)", "ReLU(6.0, 0.1, 0.5)", "ReLU(max_value=None, negative_slope=0.2)", "ReLU(threshold=1)",
        "LeakyReLU()", "LeakyReLU(0.1)", "LeakyReLU(negative_slope=0)", "LeakyReLU(alpha=0.2)",
        "ELU()", "ELU(0.5)", "ELU(alpha=-1)", "Softmax()", "Softmax(1)", "Softmax(axis=-2)",
    ]


@pytest.mark.parametrize("shape", [s for s in SHAPES if len(s) >= 2])
def test_activations(shape):
    for layer in activation_layers():
        assert check_against_keras(model_text(shape, layer))


def test_softmax_over_several_axes():
    assert check_against_keras(model_text((4, 5, 3), "Softmax(axis=(1, 2))"))


def prelu_cases():
    shapes = [(6,), (5, 4), (6, 5, 3), (None, 4), (None, None, 3), (4, None, 2), (3, 1, 2)]
    shared = [None, 1, 2, 3, -1, 0, [1, 2], (1, 3), [2, 3]]
    for shape, axes in itertools.product(shapes, shared):
        yield model_text(shape, call("PReLU", shared_axes=axes) if axes is not None else "PReLU()")


@pytest.mark.parametrize("text", list(prelu_cases()))
def test_prelu(text):
    """One alpha per input value, except along shared axes (out-of-range axes and unknown
    unshared sizes are refused, as Keras refuses them)."""
    check_against_keras(text)


def test_prelu_mostly_accepted():
    assert sum(check_against_keras(text) for text in prelu_cases()) >= 35


def test_prelu_derivation():
    text = model_text((10, 8, 3), "PReLU()", "PReLU(shared_axes=[1, 2])", "PReLU(shared_axes=-1)",
                      "PReLU(shared_axes=[1, 2, 3])")
    assert check_against_keras(text)
    rows = summarize(text).layers
    assert rows[0].derivation[-1].text() == "N = d_1 d_2 d_3 = 10 × 8 × 3 = 240"
    assert rows[1].derivation[-1].text() == "N = d_3 = 3"
    assert rows[2].derivation[-1].text() == "N = d_1 d_3 = 10 × 3 = 30"  # Keras's axis − 1 indexing
    assert rows[3].derivation[-1].text() == "N = 1"
    assert [w.shape for w in rows[2].weights] == [(10, 1, 3)]


@pytest.mark.parametrize("text,words", [
    (model_text((5,), "Dropout(1.5)"), ["rate"]),
    (model_text((5,), "Dropout(-0.1)"), ["rate"]),
    (model_text((5,), "Dropout('half')"), ["rate"]),
    (model_text((5,), "Dropout(0.5, noise_shape='batch')"), ["noise_shape"]),
    (model_text((5,), "Dropout(0.5, noise_shape=(None, 0))"), ["noise_shape"]),
    (model_text((5,), "Dropout()"), ["rate"]),
    (model_text((5,), "AlphaDropout(2)"), ["rate"]),
    (model_text((5,), "GaussianNoise(1.5)"), ["stddev"]),
    (model_text((5,), "GaussianDropout(-1)"), ["rate"]),
    (model_text((5,), "ActivityRegularization(l1=-1)"), ["l1"]),
    (model_text((5,), "ActivityRegularization(l2='a')"), ["l2"]),
    (model_text((5, 3), "SpatialDropout2D(0.5)"), ["rank 4"]),
    (model_text((5, 4, 3), "SpatialDropout1D(0.5)"), ["rank 3"]),
    (model_text((5, 4, 3), "SpatialDropout3D(0.5)"), ["rank 5"]),
    (model_text((5, 4, 3), "SpatialDropout2D(0.5, data_format='nhwc')"), ["data_format"]),
    (model_text((5,), "ReLU(-1)"), ["max_value"]),
    (model_text((5,), "ReLU(negative_slope=-0.1)"), ["negative_slope"]),
    (model_text((5,), "ReLU(threshold=-1)"), ["threshold"]),
    (model_text((5,), "ReLU(threshold=None)"), ["threshold"]),
    (model_text((5,), "LeakyReLU(-0.2)"), ["negative_slope"]),
    (model_text((5,), "LeakyReLU(alpha=-0.2)"), ["alpha"]),
    (model_text((5,), "LeakyReLU(None)"), ["negative_slope"]),
    (model_text((None, 4), "PReLU()"), ["known size"]),
    (model_text((None, 4), "PReLU(shared_axes=2)"), ["known size"]),
    (model_text((5, 4), "PReLU(shared_axes=3)"), ["shared_axes"]),
    (model_text((5, 4), "PReLU(shared_axes=-2)"), ["shared_axes"]),
    (model_text((5, 4), "PReLU(shared_axes='all')"), ["shared_axes"]),
    (model_text((8, 6, 3, 2, 1), "CenterCrop(4, 4)"), ["rank 3 or 4"]),
    (model_text((8,), "CenterCrop(4, 4)"), ["rank 3 or 4"]),
    (model_text((8,), "Resizing(4, 4, data_format='channels_first')"), ["images"]),
    (model_text((8, 8, 3), "Resizing(4)"), ["width"]),
    (model_text((8, 8, 3), "CenterCrop(4, 4, 'channels_middle')"), ["data_format"]),
])
def test_errors(text, words):
    expect_error(text, *words)


# -- random stacks ------------------------------------------------------------------------------
def random_misc_layer(rng: random.Random, rank: int) -> str:
    """A shape-keeping layer (or a Dense, to vary the sizes) that fits an input of ``rank`` axes."""
    choices = regularization_layers() + activation_layers() + [
        "Rescaling(1.5, offset=0.5)", "Dense(4)", "Dense(2, use_bias=False)",
        call("PReLU", shared_axes=rng.choice([None, 1, list(range(1, rank))])),
    ]
    if rank == 3:
        choices += ["SpatialDropout1D(0.1)"]
    if rank == 4:
        choices += ["SpatialDropout2D(0.1)", "CenterCrop(3, 2)", "Resizing(7, 5)",
                    call("Resizing", 4, 4, crop_to_aspect_ratio=True)]
    return rng.choice(choices)


def random_misc_stack(seed: int) -> str:
    rng = random.Random(seed)
    rank = rng.choice([2, 3, 4])
    shape = tuple(rng.choice([2, 3, 5]) for _ in range(rank - 1))
    layers = [random_misc_layer(rng, rank) for _ in range(rng.randint(2, 6))]
    return model_text(shape, *layers)


def test_random_misc_stacks():
    accepted = sum(check_against_keras(random_misc_stack(seed)) for seed in range(40))
    assert accepted >= 20, "the generator should mostly make models Keras accepts"

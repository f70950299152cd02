"""Keras image augmentation layers (RandomFlip, RandomRotation, RandomCrop, ...) against real Keras."""

from __future__ import annotations

import inspect
import random

import pytest

from sphinxext_params import summarize
from sphinxext_params.core.keras import CATALOGUE, augmentation
from sphinxext_params.core.layer import REQUIRED
from tests.keras.layer_oracle import check_against_keras, expect_error, model_text
from tests.oracle.keras_oracle import get_keras

#: Each layer in several forms: defaults, every argument by position, by keyword, edge values.
VARIANTS = {
    "RandomFlip": ["RandomFlip()", "RandomFlip('horizontal')", "RandomFlip('vertical', 42)",
                   "RandomFlip(mode='horizontal_and_vertical', seed=1)",
                   "RandomFlip('diagonal')"],  # Keras reads the mode only when images flow
    "RandomRotation": ["RandomRotation(0.1)", "RandomRotation((-0.2, 0.3), 'constant', 'nearest', 7, 0.5)",
                       "RandomRotation(factor=0.25, fill_mode='wrap', interpolation='bilinear', fill_value=1.0)",
                       "RandomRotation(-1)", "RandomRotation((-3, 0.5))"],  # a pair meeting [-1, 1] will do
    "RandomZoom": ["RandomZoom(0.2)", "RandomZoom(0.2, 0.3)",
                   "RandomZoom((-0.3, 0.2), None, 'nearest', 'nearest', 3, 0.0)",
                   "RandomZoom(height_factor=1, width_factor=(-0.5, 0.5), fill_mode='constant', fill_value=2)"],
    "RandomTranslation": ["RandomTranslation(0.1, 0.2)",
                          "RandomTranslation((-0.2, 0.2), (0, 0.1), 'nearest', 'bilinear', 5, 0.0)",
                          "RandomTranslation(height_factor=-1, width_factor=1, fill_mode='wrap')"],
    "RandomCrop": ["RandomCrop(4, 3)", "RandomCrop(2, 2, 5)", "RandomCrop(height=10, width=1, seed=None)",
                   "RandomCrop(0, 2)"],  # Keras lets a zero size through
    "RandomContrast": ["RandomContrast(0.2)", "RandomContrast((0.1, 0.5), (0, 1), 3)",
                       "RandomContrast(factor=1, value_range=[-1, 1])", "RandomContrast((-5, 0.5))"],
    "RandomBrightness": ["RandomBrightness(0.2)", "RandomBrightness((-0.2, 0.4), (0, 1), 1)",
                         "RandomBrightness(factor=-1, value_range=[0, 255])"],
    "RandomGrayscale": ["RandomGrayscale()", "RandomGrayscale(0.2)", "RandomGrayscale(1, 'channels_last', 3)",
                        "RandomGrayscale(factor=0, seed=2)"],
    "RandomHue": ["RandomHue(0.5)", "RandomHue((0.1, 0.9), (0, 1))", "RandomHue(factor=1, value_range=5)"],
    "RandomSaturation": ["RandomSaturation(0.5)", "RandomSaturation((-0.2, 0.8), [0, 1])",
                         "RandomSaturation(factor=-1)"],
    "RandomSharpness": ["RandomSharpness(0.3)", "RandomSharpness((0.1, 0.4), (0, 1), 'channels_last', 4)",
                        "RandomSharpness(factor=1)"],
    "RandomShear": ["RandomShear()", "RandomShear(0.2)", "RandomShear(0.1, (0.2, 0.3), 'nearest', 'constant', 0.5)",
                    "RandomShear(y_factor=1, fill_mode='wrap', seed=3)"],
    "RandomColorDegeneration": ["RandomColorDegeneration(0.5)", "RandomColorDegeneration((-0.5, 0.5), (0, 1))",
                                "RandomColorDegeneration(factor=1, seed=2)"],
    "RandomPosterization": ["RandomPosterization(4)", "RandomPosterization((2, 6), (0, 1))",
                            "RandomPosterization(factor=8)"],
    "RandomInvert": ["RandomInvert()", "RandomInvert(0.5, (0, 1), 3)", "RandomInvert(factor=(0.2, 0.8))"],
    "RandomErasing": ["RandomErasing()", "RandomErasing(0.5, (0.1, 0.2), 0.0, (0, 1), 4)",
                      "RandomErasing(scale=0.3, fill_value=[1, 2, 3])"],
    "RandomGaussianBlur": ["RandomGaussianBlur()", "RandomGaussianBlur(0.5, 5, 0.5)",
                           "RandomGaussianBlur(kernel_size=(3, 7), sigma=(0.1, 0.9))"],
    "RandomPerspective": ["RandomPerspective()", "RandomPerspective(0.5, 0.3, 'nearest', 1.0, 2)",
                          "RandomPerspective(factor=(0.1, 0.4), scale=0)"],
    "RandomElasticTransform": ["RandomElasticTransform()",
                               "RandomElasticTransform(0.5, 0.5, 'nearest', 'mirror', 0.0, (0, 1), 3)",
                               "RandomElasticTransform(scale=(0.2, 0.4), fill_mode='constant')"],
    "AutoContrast": ["AutoContrast()", "AutoContrast((0, 1))", "AutoContrast(value_range=[-1, 1])"],
    "Solarization": ["Solarization()", "Solarization(0.5, 0.2)", "Solarization((0.1, 0.2), (0.3, 0.4), (0, 1), 4)",
                     "Solarization(addition_factor=1, threshold_factor=0)"],
    "MixUp": ["MixUp()", "MixUp(0.4)", "MixUp(0.5, 'channels_last', 3)", "MixUp(alpha=1.0, seed=1)"],
    "CutMix": ["CutMix()", "CutMix(0.5, 2)", "CutMix(factor=(0.1, 0.9))"],
}

LAYERS = sorted(VARIANTS)
#: Input shapes (batch excluded): images channels last and first, unknown sizes, and the
#: ranks Keras also takes (a rank-3 tensor, a batch of volumes).
SHAPES = [(6, 5, 3), (3, 6, 5), (None, None, 3), (6, None, None), (6, 5, 1), (6, 5), (5,), (4, 6, 5, 3)]
FORMATS = [None, "channels_first", "CHANNELS_LAST"]


def with_format(layer: str, data_format: str | None) -> str:
    if data_format is None or "channels_" in layer:
        return layer
    return layer[:-1] + ("" if layer.endswith("()") else ", ") + f"data_format={data_format!r})"


def test_the_catalogue_holds_every_layer():
    keras = get_keras()
    for name in LAYERS:
        assert CATALOGUE[name].__module__ == augmentation.__name__
        assert hasattr(keras.layers, name)


@pytest.mark.parametrize("name", LAYERS)
def test_arguments_follow_keras_signature(name):
    """Our positional order and defaults are those of the installed Keras constructor; the
    keyword-only ones are what Keras takes through ``**kwargs``."""
    keras = get_keras()
    params = [p for p in inspect.signature(getattr(keras.layers, name).__init__).parameters.values()
              if p.name not in ("self", "name") and p.kind is not p.VAR_KEYWORD]
    ours = CATALOGUE[name].arguments
    assert [arg.name for arg in ours if not arg.keyword_only] == [p.name for p in params]
    for arg, param in zip([arg for arg in ours if not arg.keyword_only], params):
        expected = REQUIRED if param.default is param.empty else param.default
        assert arg.default == expected, (name, arg.name)
    assert all(arg.name == "data_format" for arg in ours if arg.keyword_only)


@pytest.mark.parametrize("name", LAYERS)
def test_layer_grid(name):
    """Every variant on every shape and data format: Keras's shapes, 0 parameters, the
    same refusals (RandomCrop's and RandomColorDegeneration's)."""
    accepted = 0
    for layer in VARIANTS[name]:
        for data_format in FORMATS:
            for shape in SHAPES:
                accepted += check_against_keras(model_text(shape, with_format(layer, data_format), "Flatten()"))
    assert accepted >= len(VARIANTS[name]) * len(FORMATS) * 2


def test_random_crop_reads_height_and_width_from_the_end():
    """Keras takes the height at ``-3`` (channels last) or ``-2``, whatever the rank: so a
    rank-3 input's batch axis becomes the height, as in CenterCrop's unbatched quirk."""
    cases = {
        ((6, 5), "RandomCrop(2, 3)"): (2, 3, 5),
        ((6, 5), "RandomCrop(2, 3, data_format='channels_first')"): (None, 2, 3),
        ((5,), "RandomCrop(2, 3, data_format='channels_first')"): (2, 3),
        ((4, 6, 5, 3), "RandomCrop(2, 3)"): (None, 4, 2, 3, 3),
        ((None, None, 3), "RandomCrop(7, 7)"): (None, 7, 7, 3),
    }
    for (shape, layer), expected in cases.items():
        text = model_text(shape, layer)
        assert check_against_keras(text)
        assert summarize(text).layers[0].output_shape == expected


def test_default_names_count_per_class():
    text = model_text((8, 8, 3), "RandomFlip()", "RandomFlip('horizontal')", "RandomRotation(0.1)",
                      "RandomFlip(name='flip')", "RandomRotation(0.2)", "RandomZoom(0.1)", "MixUp()", "CutMix()")
    assert check_against_keras(text)
    assert [row.name for row in summarize(text).layers] == [
        "random_flip", "random_flip_1", "random_rotation", "flip", "random_rotation_1", "random_zoom",
        "mix_up", "cut_mix"]


TUTORIAL = """
import keras
from keras import layers

data_augmentation = keras.Sequential(
    [
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.1),
        layers.RandomZoom(0.1),
        layers.RandomContrast(0.2),
    ]
)

model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    data_augmentation,
    layers.Rescaling(1.0 / 255),
    layers.Conv2D(16, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(32, 3, padding="same", activation="relu"),
    layers.RandomCrop(12, 12),
    layers.Flatten(),
    layers.Dense(10),
])
"""


def test_nested_augmentation_sequential_before_convolutions():
    assert check_against_keras(TUTORIAL)
    rows = summarize(TUTORIAL).layers
    assert (rows[0].type, rows[0].output_shape, rows[0].params) == ("Sequential", (None, 32, 32, 3), 0)
    assert rows[-3].output_shape == (None, 12, 12, 32)


@pytest.mark.parametrize("text", [
    model_text((32, 32, 3), "RandomFlip('horizontal')", "RandomRotation(0.1)", "Conv2D(8, 3)", "RandomCrop(20, 20)",
               "GlobalAveragePooling2D()", "Dense(2)"),
    model_text((3, 32, 32), "RandomFlip(data_format='channels_first')", "RandomTranslation(0.1, 0.1, data_format="
               "'channels_first')", "Conv2D(4, 3, data_format='channels_first')",
               "RandomCrop(10, 12, data_format='channels_first')", "Flatten()", "Dense(3)"),
    "x = Input(shape=(16, 16, 3))\ny = RandomFlip()(x)\ny = RandomColorDegeneration(0.2)(y)\n"
    "y = Conv2D(4, 3)(y)\nz = RandomCrop(8, 8)(x)\nz = Conv2D(4, 1)(z)\nModel(x, [y, z])",
    model_text((8, 8, 3), "RandomFlip(trainable=False)", "Conv2D(2, 3, trainable=False)", "RandomZoom(0.1)"),
])
def test_models_with_augmentation(text):
    assert check_against_keras(text)


def random_augmentation_stack(seed: int) -> str:
    rng = random.Random(seed)
    data_format = rng.choice([None, "channels_first"])
    shape = rng.choice([(8, 8, 3), (None, None, 3), (12, 10, 1)])
    if data_format:
        shape = (shape[2], *shape[:2])
    layers = []
    for _ in range(rng.randint(2, 6)):
        kind = rng.random()
        if kind < 0.7:
            # (not RandomCrop(0, 2): a zero size is RandomCrop's to report, not the next layer's)
            variants = [v for v in VARIANTS[rng.choice(LAYERS)] if "(0," not in v]
            layers.append(with_format(rng.choice(variants), data_format))
        elif kind < 0.85:
            layers.append(with_format(f"Conv2D({rng.choice([2, 3])}, {rng.choice([1, 3])}, padding='same')",
                                      data_format))
        else:
            layers.append(with_format(f"RandomCrop({rng.choice([4, 6])}, {rng.choice([4, 6])})", data_format))
    return model_text(shape, *layers, "Flatten()")


def test_random_stacks():
    accepted = sum(check_against_keras(random_augmentation_stack(seed)) for seed in range(60))
    assert accepted >= 30, "the generator should mostly make models Keras accepts"


@pytest.mark.parametrize("layer, words", [
    ("RandomRotation()", ["factor"]),
    ("RandomRotation(1.5)", ["factor", "[-1, 1]"]),
    ("RandomRotation((0.1, 0.2, 0.3))", ["factor"]),
    ("RandomRotation('a')", ["factor"]),
    ("RandomRotation(0.1, fill_mode='mirror')", ["fill_mode"]),
    ("RandomRotation(0.1, 'reflect', 'bicubic')", ["interpolation"]),
    ("RandomZoom(-1)", ["height_factor", "(-1, 1]"]),
    ("RandomZoom(0.1, (0.1, 1.5))", ["width_factor"]),
    ("RandomZoom(0.1, fill_mode='mirror')", ["fill_mode"]),
    ("RandomTranslation(0.1)", ["width_factor"]),
    ("RandomTranslation(1.5, 0)", ["height_factor"]),
    ("RandomTranslation((-2, 0), 0)", ["height_factor"]),
    ("RandomContrast(1.5)", ["factor", "[0, 1]"]),
    ("RandomContrast(-0.2)", ["factor"]),
    ("RandomContrast((2, 3))", ["factor"]),
    ("RandomBrightness(2)", ["factor"]),
    ("RandomBrightness(0.1, value_range=5)", ["value_range"]),
    ("RandomBrightness(0.1, value_range=(0, 1, 2))", ["value_range"]),
    ("RandomCrop(-1, 2)", ["height"]),
    ("RandomCrop(2.5, 2)", ["height"]),
    ("RandomCrop(2)", ["width"]),
    ("RandomCrop(2, 2, 'x')", ["seed"]),
    ("RandomFlip(data_format='nhwc')", ["data_format"]),
    ("RandomFlip(seed=1.5)", ["seed"]),
    ("RandomFlip(flip='horizontal')", ["flip"]),
    ("RandomGrayscale(1.5)", ["factor"]),
    ("RandomGrayscale((0.1, 0.2))", ["factor"]),
    ("RandomHue(-0.1)", ["factor"]),
    ("RandomSaturation(0.1, value_range=(1, 2, 3))", ["value_range"]),
    ("RandomSharpness(1.5)", ["factor"]),
    ("RandomShear(x_factor=-0.1)", ["x_factor"]),
    ("RandomShear(0.1, (0.5, 1.5))", ["y_factor"]),
    ("RandomColorDegeneration(2)", ["factor"]),
    ("RandomPosterization(0)", ["factor"]),
    ("RandomPosterization(9)", ["factor"]),
    ("RandomInvert(2)", ["factor"]),
    ("RandomErasing(scale=2)", ["scale"]),
    ("RandomGaussianBlur(kernel_size=4)", ["kernel_size", "odd"]),
    ("RandomGaussianBlur(kernel_size=(3, 4))", ["kernel_size"]),
    ("RandomGaussianBlur(sigma=2)", ["sigma"]),
    ("RandomPerspective(scale=1.5)", ["scale"]),
    ("RandomPerspective(interpolation='area')", ["interpolation"]),
    ("RandomElasticTransform(fill_mode='edge')", ["fill_mode"]),
    ("Solarization(addition_factor=1.5)", ["addition_factor"]),
    ("Solarization(threshold_factor=(0.1, 2))", ["threshold_factor"]),
    ("AutoContrast(value_range=1)", ["value_range"]),
    ("AutoContrast(data_format='nchw')", ["data_format"]),
    ("AutoContrast(seed=1)", ["seed"]),
    ("CutMix(factor=2)", ["factor"]),
])
def test_refused_arguments(layer, words):
    expect_error(model_text((8, 8, 3), layer), layer.split("(")[0], *words)


@pytest.mark.parametrize("shape, layer, words", [
    ((5,), "RandomCrop(2, 2)", ["(height, width, channels)"]),
    ((5,), "RandomCrop(2, 2, data_format='channels_first')", []),  # accepted: see the grid
    ((6, 5, 1), "RandomColorDegeneration(0.5)", ["3 channels"]),
    ((3, 6, 5), "RandomColorDegeneration(0.5)", ["3 channels"]),
    ((6, 5, 3), "RandomColorDegeneration(0.5, data_format='channels_first')", ["3 channels"]),
    ((4, 6, 5, 3), "RandomColorDegeneration(0.5)", ["rank 3 or 4"]),
    ((5,), "RandomColorDegeneration(0.5)", ["rank 3 or 4"]),
])
def test_refused_shapes(shape, layer, words):
    text = model_text(shape, layer)
    if not words:
        assert check_against_keras(text)
        return
    expect_error(text, *words)

"""``activation=`` arguments against real Keras: every name Keras accepts is accepted, a
misspelt one is refused (by Keras and by us) with a hint naming the right one."""

from __future__ import annotations

import random

import pytest

from sphinxext_params import ParamsError, summarize
from sphinxext_params.core.keras.base import ACTIVATIONS
from tests.keras.oracle_compare import check, check_error
from tests.oracle.keras_oracle import get_keras

#: One of each kind of layer that takes an activation, on a (batch, 6, 4) input, with
#: ``{a}`` for the activation; the RNNs take two.
LAYERS_TAKING_ACTIVATIONS = [
    "Dense(3, activation={a})",
    "EinsumDense('abc,cd->abd', output_shape=(6, 3), bias_axes='d', activation={a})",
    "Activation({a})",
    "Conv1D(4, 3, activation={a})",
    "Conv1DTranspose(2, 3, activation={a})",
    "SeparableConv1D(4, 3, activation={a})",
    "DepthwiseConv1D(3, activation={a})",
    "SimpleRNN(3, activation={a}, return_sequences=True)",
    "LSTM(3, activation={a}, recurrent_activation={a}, return_sequences=True)",
    "GRU(3, activation={a}, recurrent_activation={a}, return_sequences=True)",
]
IMAGE_LAYERS_TAKING_ACTIVATIONS = [  # on a (batch, 5, 5, 2) input
    "Conv2D(3, 2, activation={a})",
    "Conv2DTranspose(3, 2, activation={a})",
    "SeparableConv2D(3, 2, activation={a})",
    "DepthwiseConv2D(2, activation={a})",
    "Reshape((5, 5, 2, 1))\nConvLSTM2D(2, 2, activation={a}, recurrent_activation={a})",
]


def keras_activation_names() -> list[str]:
    """The strings real Keras's ``keras.activations.get`` resolves."""
    get_keras()
    from keras.src.activations import ALL_OBJECTS_DICT  # noqa: PLC0415

    return sorted(ALL_OBJECTS_DICT)


def model_with(activation: str, layers=None, shape=(6, 4)) -> str:
    layers = LAYERS_TAKING_ACTIVATIONS if layers is None else layers
    if len(shape) == 2:
        # Sequence layers in turn, each on the same input, so that every layer sees (6, 4).
        lines = [f"x = Input(shape={shape})"]
        lines += [f"y{i} = {layer.format(a=activation)}(x)" for i, layer in enumerate(layers)]
        return "\n".join(lines) + "\n"
    return f"Input(shape={shape})\n" + "\n".join(layer.format(a=activation) for layer in layers) + "\n"


def test_our_names_are_exactly_the_keras_names():
    assert sorted(ACTIVATIONS) == keras_activation_names()


def test_every_keras_activation_name_is_accepted_by_every_layer_taking_one():
    for name in keras_activation_names():
        check(model_with(repr(name)))


@pytest.mark.parametrize("layer", IMAGE_LAYERS_TAKING_ACTIVATIONS)
@pytest.mark.parametrize("name", ["relu", "hard_swish", None])
def test_image_layers_accept_activations(layer, name):
    check(model_with(repr(name), [layer], shape=(5, 5, 2)))


#: Misspellings a person makes, with the name the hint must suggest.
MISSPELT = {
    "Relu": "relu", "ReLU": "relu", "rleu": "relu", "sigmoind": "sigmoid", "Sigmoid": "sigmoid",
    "hardsigmoid": "hard_sigmoid", "hard-sigmoid": "hard_sigmoid", "leakyrelu": "leaky_relu",
    "LeakyReLU": "leaky_relu", "softmx": "softmax", "tahn": "tanh", "Tanh": "tanh", "gelu ": "gelu",
    "swich": "swish", "log_softmx": "log_softmax", "selu6": "relu6", "eluu": "elu",
}
NOT_NAMES = ["nonsense", "", "zzz", "relu,sigmoid", "activations.relu"]
WRONG_VALUES = ["3", "0.5", "True", "(1, 2)", "['relu']"]


def wrong_cases():
    rng = random.Random(7)
    layers = LAYERS_TAKING_ACTIVATIONS
    for value in [repr(w) for w in MISSPELT] + [repr(w) for w in NOT_NAMES] + WRONG_VALUES:
        yield rng.choice(layers), value


@pytest.mark.parametrize("layer, value", list(wrong_cases()))
def test_wrong_activations_are_refused_like_keras(layer, value):
    error = check_error(model_with(value, [layer]), match="activation")
    assert error.kind == "argument" and error.line == 2


@pytest.mark.parametrize("wrong, right", MISSPELT.items())
def test_the_hint_names_the_right_activation(wrong, right):
    with pytest.raises(ParamsError) as info:
        summarize(f"Input(shape=(4,))\nDense(3, activation={wrong!r})")
    assert repr(right) in info.value.hint
    assert info.value.column == len("Dense(3, activation=") + 1  # the caret is on the value


def test_a_name_nothing_resembles_gets_the_list_of_names():
    with pytest.raises(ParamsError) as info:
        summarize("Input(shape=(4,))\nDense(3, activation='zzz')")
    assert all(repr(name) in info.value.hint for name in ACTIVATIONS)


@pytest.mark.parametrize("text", [
    "Input(shape=(4,))\nDense(3, 'nonsense')",  # by position
    "Input(shape=(6, 4))\nSimpleRNN(3, 'sigmoind')",
    "Input(shape=(6, 4))\nLSTM(3, 'tanh', 'hard_sigmiod')",
    "Input(shape=(6, 4))\nGRU(3, recurrent_activation='Sigmoid')",
    "Input(shape=(6, 4))\nConvLSTM1D(2, 3, recurrent_activation='sigmoidd')",
    "Input(shape=(6, 4))\nDense(3, activation=None)\nActivation('nonsense')",
])
def test_wrong_activations_by_position_and_in_rnns(text):
    check_error(text, match="activation")


@pytest.mark.parametrize("text", [
    'act = "relu"\nx = Input(shape=(4,))\ny = Dense(3, activation=act)(x)',
    "x = Input(shape=(4,))\ny = Dense(3, activation=ReLU())(x)",
    "x = Input(shape=(4,))\ny = Dense(3, activation=PReLU())(x)\nz = Dense(2, activation=LeakyReLU(0.1))(y)",
    "relu = ReLU()\nx = Input(shape=(4,))\ny = Dense(3, activation=relu)(x)",
    "Input(shape=(4,))\nActivation(None)",
])
def test_variables_and_layers_as_activations(text):
    check(text)


def test_a_variable_holding_a_wrong_name_is_refused():
    check_error('act = "rleu"\nx = Input(shape=(4,))\ny = Dense(3, activation=act)(x)', match="rleu")


@pytest.mark.parametrize("reference", ["tf.nn.relu", "keras.activations.relu", "activations.gelu",
                                       "keras.activations.get('relu')", "tf.keras.activations.swish"])
@pytest.mark.parametrize("layer", ["Dense(3, activation={a})", "LSTM(3, recurrent_activation={a})",
                                   "Activation({a})", "Conv1D(2, 3, activation={a})"])
def test_framework_functions_are_named_not_checked(reference, layer):
    # ``activation=tf.nn.relu`` names a function: accepted by name (never looked up), as
    # Keras accepts any callable; the counts are those of the plain layer.
    plain = summarize("Input(shape=(6, 4))\n" + layer.format(a="'relu'")).to_dict()["layers"]
    named = summarize("Input(shape=(6, 4))\n" + layer.format(a=reference)).to_dict()["layers"]
    assert named == plain

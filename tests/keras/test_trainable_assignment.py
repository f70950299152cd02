"""``layer.trainable = ...`` and ``model.trainable = ...`` assignments, against real Keras 3.

Keras's setter, unlike the constructor's ``trainable=`` argument, reaches every variable
made trainable and every sublayer that exists by then, whether the layer was built or
not (MultiHeadAttention's projections, made at build time, only once it is built); a
model's own flag also decides its totals: with ``model.trainable = False`` they count
nothing as trainable, whatever its layers' flags.
"""

from __future__ import annotations

import random

import pytest

from sphinxext_params import ParamsError, summarize
from tests.keras.oracle_compare import check

CASES = [
    'd = layers.Dense(4)\nd.trainable = False\ni = keras.Input(shape=(3,))\nm = keras.Model(i, layers.Dense(2)(d(i)))',
    'd = layers.Dense(4)\ni = keras.Input(shape=(3,))\no = layers.Dense(2)(d(i))\nd.trainable = False\nm = keras.Model(i, o)',
    'b = keras.Sequential([layers.Dense(4), layers.BatchNormalization()])\nb.trainable = False\ni = keras.Input(shape=(3,))\nm = keras.Model(i, layers.Dense(2)(b(i)))',
    'b = keras.Sequential([layers.Dense(4), layers.BatchNormalization()])\ni = keras.Input(shape=(3,))\no = layers.Dense(2)(b(i))\nb.trainable = False\nm = keras.Model(i, o)',
    'm = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4), layers.Dense(2)])\nm.trainable = False',
    'l = layers.LSTM(3)\nl.trainable = False\nm = keras.Sequential([keras.Input(shape=(5, 3)), layers.Bidirectional(l)])',
    'b = layers.Bidirectional(layers.LSTM(3))\nb.trainable = False\nm = keras.Sequential([keras.Input(shape=(5, 3)), b, layers.Dense(2)])',
    't = layers.TimeDistributed(layers.Dense(3, trainable=False))\nt.trainable = True\nm = keras.Sequential([keras.Input(shape=(5, 3)), t])',
    'bn = layers.BatchNormalization(trainable=False)\nbn.trainable = True\nm = keras.Sequential([keras.Input(shape=(5, 3)), bn])',
    'a = layers.MultiHeadAttention(2, 4)\na.trainable = False\ni = keras.Input(shape=(5, 8))\nm = keras.Model(i, a(i, i))',
    'i = keras.Input(shape=(3,))\nx = layers.Dense(4)(i)\nhead = layers.Dense(2)\nm = keras.Model(i, head(x))\nm.trainable = False\nhead.trainable = True',
    'm = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4)], trainable=False)\nm.trainable = True',
]



@pytest.mark.parametrize("text", CASES)
def test_trainable_assignment(text):
    check(text)


def random_model(seed: int) -> str:
    """A small functional or Sequential model with assignments to layers' and models'
    ``trainable`` flags at random places (before and after the layers are called)."""
    rng = random.Random(seed)
    makers = ["Dense({u})", "Dense({u}, trainable=False)", "BatchNormalization()", "LayerNormalization()",
              "Dense({u}, use_bias=False)"]
    lines, layers = [], []
    features = rng.randint(2, 6)
    if rng.random() < 0.3:  # a Sequential model, flags set on its layers or on the model
        for i in range(rng.randint(2, 4)):
            lines.append(f"l{i} = {rng.choice(makers).format(u=rng.randint(2, 6))}")
            layers.append(f"l{i}")
        if rng.random() < 0.5:
            lines.append(f"block = Sequential([{', '.join(layers[1:])}])")
            items = [layers[0], "block"]
            layers.append("block")
        else:
            items = layers
        lines.append(f"model = Sequential([Input(shape=({features},)), {', '.join(items)}])")
        layers.append("model")
        for _ in range(rng.randint(1, 3)):
            target = rng.choice(layers)
            before_model = target != "model" and rng.random() < 0.5  # before the model is made
            lines.insert(len(lines) - 1 if before_model else len(lines), f"{target}.trainable = {rng.random() < 0.3}")
        return "\n".join(lines)
    lines.append(f"inputs = Input(shape=({features},))")
    x = "inputs"
    for i in range(rng.randint(2, 4)):
        name = f"l{i}"
        lines.append(f"{name} = {rng.choice(makers).format(u=rng.randint(2, 6))}")
        if rng.random() < 0.4:
            lines.append(f"{name}.trainable = {rng.random() < 0.3}")  # before the call
        lines.append(f"x{i} = {name}({x})")
        x = f"x{i}"
        layers.append(name)
    lines.append(f"model = Model(inputs, {x})")
    for _ in range(rng.randint(0, 2)):  # after the calls, on a layer or the whole model
        lines.append(f"{rng.choice(layers + ['model'])}.trainable = {rng.random() < 0.5}")
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(30))
def test_random_trainable_assignments(seed):
    check(random_model(seed))


@pytest.mark.parametrize("text, words", [
    ("x = Input(shape=(3,))\nx.trainable = False\nDense(2)(x)", ["not a layer or a model"]),
    ("d = Dense(2)\nd.trainable = 'no'", ["trainable must be True or False"]),
    ("model.trainable = False\nDense(2)", ["'model' is used before it is assigned"]),
])
def test_trainable_assignment_errors(text, words):
    with pytest.raises(ParamsError) as info:
        summarize(text)
    for word in words:
        assert word in str(info.value)

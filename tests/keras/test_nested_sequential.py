"""A Sequential model used as a layer of another model, against real Keras 3.

Keras lists it as one row, ``sequential (Sequential)``: its last layer's output shape and
the parameters of all its layers.  Its layers take their default names when they are made
(before the model, whose own name comes from the ``sequential`` counter).
"""

from __future__ import annotations

import random

import pytest

from sphinxext_params import summarize
from tests.keras.oracle_compare import check, check_error

MODELS = {
    "block_in_functional": """
block = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(4)])
inputs = keras.Input(shape=(16,))
outputs = block(inputs)
model = keras.Model(inputs, outputs)
""",
    "block_shared_twice": """
inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(8, 3)(inputs)
block = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(8)])
y = block(layers.GlobalAveragePooling2D()(x))
z = block(layers.Dense(8)(y))
model = keras.Model(inputs, z)
""",
    "block_with_its_own_input": """
encoder = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(6), layers.BatchNormalization()], name="encoder")
inputs = keras.Input(shape=(10,))
x = encoder(inputs)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
""",
    "frozen_block": """
base = keras.Sequential([layers.Dense(8), layers.Dense(8)], trainable=False)
inputs = keras.Input(shape=(4,))
outputs = layers.Dense(2)(base(inputs))
model = keras.Model(inputs, outputs)
""",
    "block_with_a_frozen_layer": """
base = keras.Sequential([layers.Dense(8, trainable=False), layers.BatchNormalization(), layers.Dense(3)])
inputs = keras.Input(shape=(5,))
outputs = base(inputs)
model = keras.Model(inputs, outputs)
""",
    "sequential_in_sequential": """
features = keras.Sequential([layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D()])
model = keras.Sequential([keras.Input(shape=(12, 12, 1)), features, layers.Flatten(), layers.Dense(10)])
""",
    "sequential_added_to_sequential": """
head = keras.Sequential([layers.Dense(16), layers.Dropout(0.2), layers.Dense(2)])
model = keras.Sequential()
model.add(keras.Input(shape=(7,)))
model.add(layers.Dense(16))
model.add(head)
""",
    "nested_twice": """
inner = keras.Sequential([layers.Dense(3)])
middle = keras.Sequential([layers.Dense(5), inner])
inputs = keras.Input(shape=(6,))
outputs = middle(inputs)
model = keras.Model(inputs, outputs)
""",
    "two_blocks_in_branches": """
left = keras.Sequential([layers.Dense(4)])
right = keras.Sequential([layers.Dense(4), layers.LayerNormalization()])
inputs = keras.Input(shape=(8,))
merged = layers.Add()([left(inputs), right(inputs)])
model = keras.Model(inputs, layers.Dense(1)(merged))
""",
    "frozen_top_level_model": """
model = Sequential([Input(shape=(4,)), Dense(3), Sequential([Dense(2)])], trainable=False)
""",
    "positional_trainable_and_name": """
block = keras.Sequential([layers.Dense(4), layers.Dense(2)], False, "block")
inputs = keras.Input(shape=(3,))
model = keras.Model(inputs, block(inputs))
""",
    "recurrent_block": """
encoder = keras.Sequential([layers.Embedding(100, 8), layers.LSTM(6)])
inputs = keras.Input(shape=(None,))
model = keras.Model(inputs, layers.Dense(1)(encoder(inputs)))
""",
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_nested_sequential(name):
    check(MODELS[name])


def test_nested_row_counts_all_its_layers():
    summary = summarize(MODELS["block_in_functional"])
    row = summary.layer("sequential")
    assert row.type == "Sequential" and row.output_shape == (None, 4)
    dense = [8 * (16 + 1), 4 * (8 + 1)]
    assert row.params == sum(dense)
    # Its derivation names each layer, and its last step is the row's count.
    assert [s.label for s in row.derivation] == ["dense", "dense_1", "all its layers"]
    assert [s.value for s in row.derivation] == [*dense, sum(dense)]


def nested_model(seed: int) -> str:
    """A random Dense/normalization block used once or twice in a functional graph, or as
    an item of a Sequential model."""
    rng = random.Random(seed)
    features = rng.randint(2, 8)
    width = rng.randint(2, 6)
    inner = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.5:
            width = rng.randint(2, 6)
            frozen = ", trainable=False" if rng.random() < 0.2 else ""
            inner.append(f"Dense({width}{frozen})")
        elif kind < 0.7:
            inner.append(rng.choice(["BatchNormalization()", "LayerNormalization()", "Dropout(0.1)"]))
        else:
            inner.append(rng.choice(["Activation('relu')", "UnitNormalization()"]))
    if not any(i.startswith("Dense") for i in inner):
        inner.append(f"Dense({width})")
    block_args = []
    if rng.random() < 0.2:
        block_args.append("trainable=False")
    if rng.random() < 0.2:
        block_args.append("name='block'")
    block = f"block = Sequential([{', '.join(inner)}]{''.join(', ' + a for a in block_args)})"
    if rng.random() < 0.4:
        return "\n".join([block, f"model = Sequential([Input(shape=({features},)), Dense({features}), block, "
                                 "Dense(1)])"])
    lines = [f"inputs = Input(shape=({features},))", block, "x = block(inputs)"]
    if rng.random() < 0.5:  # used again, on a tensor of the size it was built for
        lines += [f"y = Dense({features})(x)", "x = block(y)"]
    lines += ["outputs = Dense(2)(x)", "model = Model(inputs, outputs)"]
    rng.shuffle(lines[:2])  # the block made before or after the Input
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(25))
def test_random_nested_sequential(seed):
    check(nested_model(seed))


@pytest.mark.parametrize("text", [
    # Sequential's signature: (layers, trainable, name)
    "block = Sequential([Dense(3)], True, 'b', 4)\ninputs = Input(shape=(4,))\nmodel = Model(inputs, block(inputs))",
    "block = Sequential([Dense(3)], layers=[Dense(2)])\ninputs = Input(shape=(4,))\n"
    "model = Model(inputs, block(inputs))",
    # built for 10 features by its Input, called on 4
    "block = Sequential([Input(shape=(10,)), Dense(3)])\ninputs = Input(shape=(4,))\n"
    "model = Model(inputs, block(inputs))",
    # shared, then called on a tensor of another size
    "block = Sequential([Dense(3)])\na = Input(shape=(4,))\nb = Input(shape=(5,))\n"
    "model = Model([a, b], [block(a), block(b)])",
])
def test_nested_sequential_errors(text):
    check_error(text)

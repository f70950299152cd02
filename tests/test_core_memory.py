"""What counting leaves behind: no reference cycles, and layers that store only what was written.

Counting pauses Python's cyclic garbage collector (see ``core._gc_paused``); whatever
cyclic garbage it made would be found by the next collection, a few milliseconds per
thousand layers.  The Keras graph replica (tensor → node → tensor, node → layer → node)
is untangled once the rows are made, so reference counting frees everything at once.
"""

from __future__ import annotations

import gc

import pytest

from sphinxext_params import summarize
from sphinxext_params.core.keras.base import CATALOGUE

MODELS = {
    "keras sequential": ("Input(shape=(8, 8, 3))\nConv2D(4, 3)\nBatchNormalization()\nFlatten()\nDense(2)", {}),
    "keras model.add": ("model = Sequential()\nmodel.add(Dense(4, input_dim=3))\nmodel.add(Dense(2))", {}),
    "keras functional": (
        "inputs = Input(shape=(16,))\n"
        "x = Dense(16)(inputs)\n"
        "y = Dense(16)(x)\n"
        "z = Add()([x, y])\n"
        "shared = Dense(4)\n"
        "a = shared(z)\n"
        "b = shared(y)\n"
        "outputs = Concatenate()([a, b])\n"
        "Model(inputs, outputs)", {}),
    "keras attention and wrappers": (
        "x = Input(shape=(6, 8))\n"
        "y = MultiHeadAttention(num_heads=2, key_dim=4)(x, x)\n"
        "z = Bidirectional(LSTM(3, return_sequences=True))(y)\n"
        "w = TimeDistributed(Dense(2))(z)", {}),
    "pytorch": ("nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))", {"input_shape": "(4,)"}),
}


@pytest.mark.parametrize("name", MODELS)
def test_counting_leaves_no_cyclic_garbage(name):
    text, options = MODELS[name]
    was_enabled = gc.isenabled()
    gc.disable()  # no automatic collection may hide the garbage before it is counted
    try:
        gc.collect()
        summary = summarize(text, **options)
        assert summary.total_params > 0
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


def test_layers_store_only_the_arguments_given():
    """An argument left out reads as its default without being stored on the layer."""
    summary = summarize("Input(shape=(8, 8, 3))\nConv2D(4, 3, name='c')")
    layer = summary.layer("c").layer
    conv = CATALOGUE["Conv2D"]
    assert "padding" not in vars(layer) and layer.padding == conv.padding.default == "valid"
    assert layer.filters == 4 and "filters" in vars(layer)
    # On the class, the attribute is still the declared argument.
    assert conv.padding.name == "padding"

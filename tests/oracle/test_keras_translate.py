"""Self-checks of the translator: its text, run by real Keras, rebuilds the model it came from
(same rows, same wiring); and ``summarize`` of that text agrees with Keras."""

from __future__ import annotations

import pytest

from sphinxext_params import summarize
from tests.oracle.keras_oracle import get_keras, keras_summary, summarize_keras_model
from tests.oracle.keras_translate import (UntranslatableModel, compare_summaries, format_literal,
                                          translate)


def _shared_dense(keras, L):
    a, b = keras.Input((5, 8), name="a"), keras.Input((5, 8), name="b")
    shared = L.Dense(8, name="shared")
    z = L.Add()([shared(a), shared(b)])
    return keras.Model([a, b], L.GlobalAveragePooling1D()(z))


def _attention_block(keras, L):
    x = keras.Input((6, 16))
    h = L.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(x, x)
    h = L.LayerNormalization()(L.Add()([x, h]))
    scores = L.MultiHeadAttention(2, 3, value_dim=5, output_shape=7)(query=h, value=x, key=x,
                                                                     return_attention_scores=True)
    a = L.Attention()([h, x])
    b = L.AdditiveAttention()([h, x])
    return keras.Model(x, [scores[0], scores[1], L.Concatenate()([a, b])])


def _recurrent(keras, L):
    x = keras.Input((None, 4))
    seq, h, c = L.LSTM(3, return_sequences=True, return_state=True)(x)
    y = L.Bidirectional(L.GRU(5, reset_after=False), merge_mode="sum")(seq)
    t = L.TimeDistributed(L.Dense(2, use_bias=False))(seq)
    dot = L.Dot(axes=1)([h, c])
    return keras.Model(x, [y, t, dot])


def _frozen_and_odd_names(keras, L):
    x = keras.Input((4, 4, 3), name="in")
    y = L.Conv2D(4, 3, padding="same", name="Dense", trainable=False)(x)  # a name that is a layer type
    y = L.BatchNormalization(name="class")(y)  # a Python keyword
    y = L.Conv2D(2, 1, name="2nd-conv")(y)
    return keras.Model(x, y)


def _sequential(keras, L):
    return keras.Sequential([keras.Input((10,)), L.Dense(4, activation="relu"),
                             L.Dense(3, trainable=False), L.Reshape((3, 1)),
                             L.Bidirectional(L.LSTM(2, return_sequences=True))])


MODELS = {f.__name__.lstrip("_"): f for f in
          (_shared_dense, _attention_block, _recurrent, _frozen_and_odd_names, _sequential)}


@pytest.mark.parametrize("keep_defaults", [False, True])
@pytest.mark.parametrize("name", MODELS)
def test_translation_rebuilds_the_model(name, keep_defaults):
    keras = get_keras()
    keras.backend.clear_session(free_memory=False)
    model = MODELS[name](keras, keras.layers)
    expected = summarize_keras_model(model)
    text = translate(model, keep_defaults=keep_defaults)
    rebuilt = keras_summary(text)
    assert compare_summaries(expected, rebuilt, text) == [], text
    assert [r["connected_to"] for r in rebuilt["layers"]] == [r["connected_to"] for r in expected["layers"]]
    problems = compare_summaries(expected, summarize(text, framework="keras").to_dict(), text)
    assert problems == [], "\n".join(problems) + "\n" + text


def test_shared_layer_is_made_once_and_called_twice():
    keras = get_keras()
    keras.backend.clear_session(free_memory=False)
    text = translate(_shared_dense(keras, keras.layers))
    assert 'shared = Dense(8, name="shared")\n' in text
    assert "shared_call = shared(a)" in text and "shared_call_1 = shared(b)" in text


def test_untranslatable_models_say_why():
    keras = get_keras()
    keras.backend.clear_session(free_memory=False)
    x = keras.Input((4,))
    with pytest.raises(UntranslatableModel, match="not a layer"):
        translate(keras.Model(x, keras.layers.Dense(2)(x) + 1.0))
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(UntranslatableModel, match="model used as a layer"):
        translate(keras.Model(x, inner(x)))
    with pytest.raises(UntranslatableModel, match="not built"):
        translate(keras.Sequential([keras.layers.Dense(2)]))


@pytest.mark.parametrize("value, text", [
    ((3,), "(3,)"), ((None, 2), "(None, 2)"), ([1, 2], "[1, 2]"), ('a"b', '"a\\"b"'),
    (1e-05, "1e-05"), (-1, "-1"), ({"x": (1, 2)}, '{"x": (1, 2)}'), (False, "False"),
])
def test_literals(value, text):
    assert format_literal(value) == text


def test_compare_summaries_names_every_difference():
    row = {"name": "d", "type": "Dense", "output_shape": [None, 2], "params": 6, "trainable": 6, "non_trainable": 0}
    keras_side = {"layers": [row], "total_params": 6, "trainable_params": 6, "non_trainable_params": 0}
    assert compare_summaries(keras_side, keras_side) == []
    ours = {"layers": [dict(row, output_shape=[None, 3], params=8)],
            "total_params": 8, "trainable_params": 6, "non_trainable_params": 0}
    problems = compare_summaries(keras_side, ours, 'Dense(2, name="d")\n')
    assert problems[0] == ("row 0 'd': output_shape: keras [None, 2] vs ours [None, 3], params: keras 6 vs ours 8"
                           '\n    from: Dense(2, name="d")')
    assert problems[1] == "total_params: keras 6 vs ours 8"
    assert "1 rows expected, got 0" in compare_summaries(keras_side, dict(ours, layers=[]))[0]

"""Functional Keras graphs end to end against real Keras 3: row order (Keras's
``map_graph``: deepest first, ties in the order a walk from the outputs meets them),
default names, types, shapes and counts."""

from __future__ import annotations

import random
import re

import pytest

from tests.keras.oracle_compare import check, check_error

GRAPHS = {
    "residual_add": """
inputs = Input(shape=(32,))
x = Dense(32, activation='relu')(inputs)
y = Dense(32)(x)
y = Add()([x, y])
outputs = Dense(10)(y)
model = Model(inputs, outputs)
""",
    "concatenate_branches": """
inputs = Input(shape=(16,))
a = Dense(8)(inputs)
b = Dense(4)(inputs)
b = Dense(4)(b)
c = Dropout(0.5)(inputs)
merged = Concatenate()([a, b, c])
outputs = Dense(1, activation='sigmoid')(merged)
model = Model(inputs=inputs, outputs=outputs)
""",
    "multi_input_multi_output": """
title = Input(shape=(None,), name='title')
body = Input(shape=(None,), name='body')
tags = Input(shape=(12,), name='tags')
t = Embedding(1000, 64)(title)
b = Embedding(1000, 64)(body)
t = LSTM(128)(t)
b = LSTM(32)(b)
x = Concatenate()([t, b, tags])
priority = Dense(1, name='priority')(x)
department = Dense(4, name='department')(x)
model = Model(inputs=[title, body, tags], outputs=[priority, department])
""",
    "self_attention_block": """
inputs = Input(shape=(20, 64))
attn = MultiHeadAttention(num_heads=4, key_dim=16)(inputs, inputs)
attn = Dropout(0.1)(attn)
x = LayerNormalization(epsilon=1e-6)(Add()([inputs, attn]))
ffn = Dense(128, activation='relu')(x)
ffn = Dense(64)(ffn)
x = LayerNormalization(epsilon=1e-6)(Add()([x, ffn]))
x = GlobalAveragePooling1D()(x)
outputs = Dense(2, activation='softmax')(x)
model = Model(inputs, outputs)
""",
    "shared_layer_called_twice": """
a = Input(shape=(10,))
b = Input(shape=(10,))
shared = Dense(6)
x = shared(a)
y = shared(b)
z = Concatenate()([x, y])
out = Dense(1)(z)
model = Model([a, b], out)
""",
    "shared_layer_at_different_depths": """
inputs = Input(shape=(8,))
d = Dense(8)
x = d(inputs)
x = Dense(8)(x)
x = Dense(8)(x)
y = d(x)
z = Add()([x, y])
model = Model(inputs, z)
""",
    "outputs_in_another_order": """
inputs = Input(shape=(8,))
a = Dense(4, name='first')(inputs)
b = Dense(3, name='second')(inputs)
c = Dense(2)(b)
model = Model(inputs, [c, a])
""",
    "inputs_in_another_order": """
a = Input(shape=(4,))
b = Input(shape=(5,))
x = Dense(3)(a)
y = Dense(3)(b)
z = Add()([x, y])
model = Model([b, a], z)
""",
    "return_state_unpacked": """
encoder_inputs = Input(shape=(None, 20))
encoder_outputs, state_h, state_c = LSTM(64, return_state=True)(encoder_inputs)
encoder_states = [state_h, state_c]
decoder_inputs = Input(shape=(None, 30))
decoder_lstm = LSTM(64, return_sequences=True, return_state=True)
decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
decoder_outputs = Dense(30, activation='softmax')(decoder_outputs)
model = Model([encoder_inputs, decoder_inputs], decoder_outputs)
""",
    "unused_input": """
a = Input(shape=(4,))
unused = Input(shape=(7,))
x = Dense(3)(a)
model = Model([a, unused], x)
""",
    "unused_branch": """
a = Input(shape=(4,))
x = Dense(3)(a)
dead = Dense(9)(x)
y = Dense(2)(x)
model = Model(a, y)
""",
    "cross_attention_keyword_order": """
q = Input(shape=(5, 16))
s = Input(shape=(7, 16))
v = Dense(16)(s)
k = Dense(16)(Dense(16)(s))
y = MultiHeadAttention(2, 4)(q, value=v, key=k)
model = Model([q, s], y)
""",
    "attention_scores_output": """
q = Input(shape=(5, 16))
v = Input(shape=(7, 12))
out, scores = MultiHeadAttention(2, 4)(q, v, return_attention_scores=True)
d = Dense(3)(out)
model = Model([q, v], [d, scores])
""",
    "bidirectional_and_time_distributed": """
inputs = Input(shape=(12, 8))
x = Bidirectional(LSTM(16, return_sequences=True))(inputs)
x = TimeDistributed(Dense(4))(x)
y = Bidirectional(GRU(4), merge_mode=None)(x)
z = Concatenate()(y)
model = Model(inputs, z)
""",
    "inferred_model_without_model_call": """
a = Input(shape=(6,))
b = Dense(4)(a)
c = Dense(4)(a)
d = Multiply()([b, c])
""",
    "merge_functions_and_bidirectional_state": """
inputs = Input(shape=(10, 6))
seq, fh, fc, bh, bc = Bidirectional(LSTM(8, return_sequences=True, return_state=True))(inputs)
h = concatenate([fh, bh])
c = layers.concatenate([fc, bc], name='cells')
dec = LSTM(16)(seq, initial_state=[h, c])
out = add([dec, Dense(16)(h)])
model = Model(inputs, out)
""",
    "diamond_with_normalization": """
inputs = Input(shape=(6, 6, 3))
x = Conv2D(8, 3, padding='same')(inputs)
x = BatchNormalization()(x)
a = Conv2D(8, 1)(x)
b = Conv2D(8, 3, padding='same')(x)
b = GroupNormalization(groups=4)(b)
x = Add()([a, b, x])
x = GlobalAveragePooling2D()(x)
model = Model(inputs, Dense(2)(x))
""",
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_functional_graph(name):
    check(GRAPHS[name])


def test_shared_layer_is_counted_once():
    out = check(GRAPHS["shared_layer_called_twice"])
    assert [r["name"] for r in out["layers"]].count("dense") == 1
    assert out["total_params"] == (10 * 6 + 6) + (12 + 1)


# -- generated graphs --------------------------------------------------------------------------
class GraphMaker:
    """Writes a random functional graph of Dense layers, merges, normalizations, shared
    layers and the occasional sequence branch, as layer-list text."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.lines: list[str] = []
        self.tensors: list[tuple[str, int]] = []  # (variable, features) of rank-2 tensors
        self.inputs: list[str] = []
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def emit(self, features: int, expr: str) -> str:
        var = self.name("t")
        self.lines.append(f"{var} = {expr}")
        self.tensors.append((var, features))
        return var

    def add_input(self) -> None:
        var = self.name("in")
        if self.rng.random() < 0.25:  # a sequence input, reduced to a vector
            steps, features = self.rng.choice([None, 4, 6]), self.rng.randint(2, 6)
            self.lines.append(f"{var} = Input(shape=({steps}, {features}))")
            units = self.rng.randint(2, 6)
            kind = self.rng.choice(["LSTM", "GRU", "SimpleRNN", "Bidirectional(LSTM", "attention"])
            if kind == "attention":
                heads = self.rng.randint(1, 3)
                seq = self.name("s")
                self.lines.append(f"{seq} = MultiHeadAttention({heads}, {units})({var}, {var})")
                self.emit(features, f"GlobalAveragePooling1D()({seq})")
            elif kind.startswith("Bidirectional"):
                self.emit(2 * units, f"Bidirectional(LSTM({units}))({var})")
            else:
                self.emit(units, f"{kind}({units})({var})")
        else:
            features = self.rng.randint(2, 8)
            self.lines.append(f"{var} = Input(shape=({features},))")
            self.tensors.append((var, features))
        self.inputs.append(var)

    def step(self) -> None:
        rng = self.rng
        choice = rng.random()
        var, features = rng.choice(self.tensors)
        if choice < 0.35:
            units = rng.randint(1, 8)
            self.emit(units, f"Dense({units})({var})")
        elif choice < 0.5:
            same = [t for t in self.tensors if t[1] == features]
            picked = [rng.choice(same)[0] for _ in range(rng.randint(2, 3))]
            kind = rng.choice(["Add", "Multiply", "Average", "Maximum", "Minimum"])
            self.emit(features, f"{kind}()([{', '.join(picked)}])")
        elif choice < 0.65:
            picked = rng.sample(self.tensors, min(len(self.tensors), rng.randint(2, 3)))
            self.emit(sum(f for _, f in picked), f"Concatenate()([{', '.join(v for v, _ in picked)}])")
        elif choice < 0.75:
            layer = rng.choice(["Dropout(0.2)", "BatchNormalization()", "LayerNormalization()", "Activation('relu')",
                                "UnitNormalization()"])
            self.emit(features, f"{layer}({var})")
        elif choice < 0.9:
            # a shared layer, applied to two tensors of the same size (maybe at different depths)
            same = [t for t in self.tensors if t[1] == features]
            units = rng.randint(1, 6)
            layer = self.name("shared")
            self.lines.append(f"{layer} = Dense({units})")
            self.emit(units, f"{layer}({var})")
            self.emit(units, f"{layer}({rng.choice(same)[0]})")
        else:
            other, other_features = rng.choice(self.tensors)
            if other_features == features:
                self.emit(1, f"Dot(axes=1)([{var}, {other}])")
            else:
                self.emit(features + other_features, f"Concatenate(axis=-1)([{var}, {other}])")

    def text(self) -> str:
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            self.add_input()
        for _ in range(rng.randint(3, 14)):
            self.step()
        produced = [v for v, _ in self.tensors if v not in self.inputs]
        consumed = {v for line in self.lines for v in re.findall(r"[\[(, ](\w+)(?=[\]),])", line.split("=", 1)[1])}
        leaves = [v for v in produced if v not in consumed]
        pool = leaves if leaves and rng.random() < 0.8 else produced
        outputs = rng.sample(pool, rng.randint(1, min(3, len(pool))))
        inputs = list(self.inputs)
        rng.shuffle(inputs)
        if rng.random() < 0.5:
            outputs = [outputs[-1]] + outputs[:-1]
        used = "\n".join(self.lines)
        ins = inputs[0] if len(inputs) == 1 else "[" + ", ".join(inputs) + "]"
        outs = outputs[0] if len(outputs) == 1 else "[" + ", ".join(outputs) + "]"
        return f"{used}\nmodel = Model({ins}, {outs})\n"


@pytest.mark.parametrize("seed", range(30))
def test_random_functional_graph(seed):
    check(GraphMaker(seed).text())


@pytest.mark.parametrize("text", [
    # a shared layer must see inputs of one size
    "a = Input(shape=(4,))\nb = Input(shape=(5,))\nd = Dense(3)\nx = d(a)\ny = d(b)\nmodel = Model([a, b], [x, y])",
    # an output that needs an input the model does not list
    "a = Input(shape=(4,))\nb = Input(shape=(4,))\nx = Add()([a, b])\nmodel = Model(a, x)",
    # two layers with one name
    "a = Input(shape=(4,))\nx = Dense(3, name='d')(a)\ny = Dense(3, name='d')(x)\nmodel = Model(a, y)",
    # an Input listed nowhere, deeper in the graph
    "a = Input(shape=(4,))\nb = Input(shape=(3,))\nx = Concatenate()([Dense(2)(a), Dense(2)(b)])\n"
    "model = Model(inputs=[a], outputs=[Dense(1)(x)])",
])
def test_functional_errors(text):
    check_error(text)

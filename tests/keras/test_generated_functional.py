"""Random functional Keras graphs of image and sequence branches, against real Keras 3.

``test_functional.py`` generates graphs of Dense layers and merges; these mix the families:
convolutions (strides, padding, dilation, groups, separable and depthwise), pooling,
upsampling and cropping on image branches; embeddings, recurrent layers, 1-D
convolutions and attention on sequence branches; branches merged by Add, Concatenate
(on any axis that fits), Multiply and Average; global pooling, Flatten and Dense heads,
several inputs and outputs, and layers shared between branches.
"""

from __future__ import annotations

import random

import pytest

from tests.keras.oracle_compare import check


class ImageGraph:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.lines: list[str] = []
        self.count = 0

    def var(self) -> str:
        self.count += 1
        return f"t{self.count}"

    def emit(self, expr: str) -> str:
        v = self.var()
        self.lines.append(f"{v} = {expr}")
        return v

    def image_block(self, x: str, size: int, channels: int) -> tuple[str, int, int]:
        """One layer on a (size, size, channels) tensor: (variable, size, channels) after it."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.35:
            filters = rng.choice([4, 6, 8])
            k = rng.choice([1, 3])
            strides = rng.choice([1, 1, 2])
            padding = rng.choice(["same", "valid"])
            dilation = 2 if strides == 1 and k == 3 and rng.random() < 0.2 else 1
            groups = 2 if channels % 2 == 0 and filters % 2 == 0 and rng.random() < 0.2 else 1
            extra = (f", dilation_rate={dilation}" if dilation > 1 else "") + (f", groups={groups}" if groups > 1 else "")
            extra += rng.choice(["", ", use_bias=False", ", activation='relu'"])
            span = dilation * (k - 1) + 1
            new = -(-size // strides) if padding == "same" else (size - span) // strides + 1
            if new < 1:
                return x, size, channels
            return self.emit(f"Conv2D({filters}, {k}, strides={strides}, padding='{padding}'{extra})({x})"), new, filters
        if kind < 0.45:
            mult = rng.choice([1, 2])
            return self.emit(f"DepthwiseConv2D(3, padding='same', depth_multiplier={mult})({x})"), size, channels * mult
        if kind < 0.55:
            filters = rng.choice([4, 8])
            return self.emit(f"SeparableConv2D({filters}, 3, padding='same')({x})"), size, filters
        if kind < 0.65 and size >= 2:
            pool = rng.choice(["MaxPooling2D()", "AveragePooling2D(2)"])  # Keras 3: AveragePooling's pool_size is required
            return self.emit(f"{pool}({x})"), size // 2, channels
        if kind < 0.72:
            return self.emit(f"BatchNormalization()({x})"), size, channels
        if kind < 0.78 and size <= 8:
            return self.emit(f"UpSampling2D()({x})"), size * 2, channels
        if kind < 0.84 and size >= 4:
            return self.emit(f"Cropping2D(1)({x})"), size - 2, channels
        if kind < 0.9:
            return self.emit(f"ZeroPadding2D(1)({x})"), size + 2, channels
        if kind < 0.95:
            return self.emit(f"Conv2DTranspose({channels}, 3, strides=2, padding='same')({x})"), size * 2, channels
        return self.emit(f"Activation('relu')({x})"), size, channels

    def image_branch(self) -> tuple[str, str]:
        rng = self.rng
        size, channels = rng.choice([8, 12, 16]), rng.choice([1, 3, 4])
        inp = self.var()
        self.lines.append(f"{inp} = Input(shape=({size}, {size}, {channels}))")
        x, s, c = inp, size, channels
        tensors = [(x, s, c)]
        for _ in range(rng.randint(2, 6)):
            if rng.random() < 0.25 and len(tensors) > 1:
                same = [t for t in tensors if t[1] == s and t[0] != x]
                if same:
                    other = rng.choice(same)
                    if other[2] == c and rng.random() < 0.5:
                        x = self.emit(f"{rng.choice(['Add', 'Multiply', 'Average', 'Maximum'])}()([{x}, {other[0]}])")
                    else:
                        x = self.emit(f"Concatenate()([{x}, {other[0]}])")
                        c = c + other[2]
                    tensors.append((x, s, c))
                    continue
            x, s, c = self.image_block(x, s, c)
            tensors.append((x, s, c))
        head = rng.choice(["GlobalAveragePooling2D()", "GlobalMaxPooling2D()", "Flatten()"])
        return inp, self.emit(f"{head}({x})")

    def sequence_branch(self) -> tuple[str, str]:
        rng = self.rng
        steps = rng.choice([None, 6, 10])
        inp = self.var()
        if rng.random() < 0.5:
            self.lines.append(f"{inp} = Input(shape=({steps},))")
            x = self.emit(f"Embedding({rng.choice([50, 100])}, {rng.choice([4, 8])})({inp})")
            features = None
        else:
            features = rng.choice([3, 5])
            self.lines.append(f"{inp} = Input(shape=({steps}, {features}))")
            x = inp
        for _ in range(rng.randint(1, 3)):
            kind = rng.random()
            units = rng.choice([4, 6])
            if kind < 0.3:
                layer = rng.choice(["LSTM", "GRU", "SimpleRNN"])
                x = self.emit(f"{layer}({units}, return_sequences=True)({x})")
            elif kind < 0.45:
                x = self.emit(f"Bidirectional(LSTM({units}, return_sequences=True))({x})")
            elif kind < 0.6:
                x = self.emit(f"Conv1D({units}, 3, padding='{'same' if steps is None else rng.choice(['same', 'causal'])}')({x})")
            elif kind < 0.75:
                x = self.emit(f"MultiHeadAttention({rng.choice([1, 2])}, {rng.choice([2, 4])})({x}, {x})")
            elif kind < 0.85:
                x = self.emit(f"LayerNormalization()({x})")
            else:
                x = self.emit(f"TimeDistributed(Dense({units}))({x})")
        head = rng.choice(["GlobalAveragePooling1D()", "GlobalMaxPooling1D()", f"LSTM({rng.choice([3, 5])})",
                           f"GRU({rng.choice([3, 5])})"])
        return inp, self.emit(f"{head}({x})")

    def text(self) -> str:
        rng = self.rng
        inputs, features = [], []
        for _ in range(rng.randint(1, 3)):
            inp, out = self.image_branch() if rng.random() < 0.6 else self.sequence_branch()
            inputs.append(inp)
            features.append(out)
        x = features[0] if len(features) == 1 else self.emit(f"Concatenate()([{', '.join(features)}])")
        if rng.random() < 0.3:
            shared = self.var()
            self.lines.append(f"{shared} = Dense(6)")
            a = self.emit(f"{shared}(Dense(6)({x}))")
            b = self.emit(f"{shared}(Dense(6)({x}))")
            x = self.emit(f"Add()([{a}, {b}])")
        outputs = [self.emit(f"Dense({rng.choice([1, 3, 10])})({x})") for _ in range(rng.randint(1, 2))]
        ins = inputs[0] if len(inputs) == 1 else "[" + ", ".join(inputs) + "]"
        outs = outputs[0] if len(outputs) == 1 else "[" + ", ".join(outputs) + "]"
        return "\n".join(self.lines + [f"model = Model({ins}, {outs})"])


@pytest.mark.parametrize("seed", range(100))
def test_random_image_and_sequence_graph(seed):
    check(ImageGraph(seed).text())

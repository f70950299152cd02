"""Inputs for fuzzing the parser and the core (tests only), without hypothesis.

``benchmarks/fuzz_long.py`` draws from these with a seeded ``random.Random``;
``tests/test_fuzz.py`` wraps the same ideas as hypothesis strategies.  The invariant
both check is in :func:`check_invariant`.
"""

from __future__ import annotations

import random
import time

from sphinxext_params import ParamsError, summarize
from sphinxext_params.errors import KINDS
from sphinxext_params.render import render_markdown, render_text

from tests.layer_calls import random_model

#: Valid layer lists to mutate: the seeds' models and the issue's forms.
CORPUS = (
    'Input(shape=(784,))\nDense(10, activation="softmax")\n',
    "model = Sequential()\nmodel.add(Dense(514, input_dim=514))\nmodel.add(Activation('relu'))\n"
    "model.add(Dense(257))\nmodel.compile(loss='mse', optimizer='adam')\n",
    "model = Sequential()\nmodel.add(SimpleRNN(10, input_shape=(3, 1)))\nmodel.add(Dense(1, activation='linear'))\n",
    "Input(shape=(None, 32))\nLSTM(100)\n",
    "Dense(3, input_dim=2)\nDense(2)\n",
    "Input(shape=(32, 32, 3))\nConv2D(32, (3, 3), activation='relu')\nMaxPooling2D((2, 2))\n"
    "Conv2D(64, (3, 3), activation='relu')\nFlatten()\nDense(10)\n",
    "inputs = Input(shape=(32, 32, 3))\nx = Conv2D(16, 3, padding='same')(inputs)\n"
    "y = Conv2D(16, 3, padding='same')(x)\nz = Add()([x, y])\noutputs = Dense(10)(GlobalAveragePooling2D()(z))\n"
    "Model(inputs, outputs)\n",
    "a = Input(shape=(8,))\nb = Input(shape=(8,))\nshared = Dense(4)\nx = shared(a)\ny = shared(b)\n"
    "z = Concatenate()([x, y])\nModel([a, b], z)\n",
    "x = Input(shape=(16, 32))\ny = MultiHeadAttention(num_heads=4, key_dim=8)(x, x)\nz = LayerNormalization()(y)\n",
    "Input(shape=(20, 8))\nBidirectional(LSTM(16, return_sequences=True))\nTimeDistributed(Dense(4))\nGRU(8)\n",
    "Input(shape=(28, 28, 1))\nConv2D(8, 3, strides=2, padding='same')\nBatchNormalization()\nReLU()\n"
    "DepthwiseConv2D(3)\nSeparableConv2D(16, 3)\nGlobalMaxPooling2D()\nDropout(0.2)\nDense(10)\n",
    "import torch.nn as nn\nmodel = nn.Sequential(\n    nn.Conv2d(1, 8, 3, padding=1),\n    nn.BatchNorm2d(8),\n"
    "    nn.ReLU(),\n    nn.MaxPool2d(2),\n    nn.Flatten(),\n    nn.Linear(8 * 14 * 14, 10),\n)\n",
    "self.fc1 = nn.Linear(784, 128)\nself.drop = nn.Dropout(0.2)\nself.fc2 = nn.Linear(128, 10)\n",
    "nn.LSTM(32, 64, num_layers=2, batch_first=True, bidirectional=True)\n",
    "nn.Embedding(1000, 64)\nnn.TransformerEncoder(nn.TransformerEncoderLayer(64, 4), num_layers=2)\n",
)

#: Pieces of Python and of layer lists that random text is made of.
TOKENS = ("Dense", "Conv2D", "Input", "LSTM", "nn.Linear", "nn.Conv2d", "Sequential", "Model", "keras.layers.",
          "layers.", "model.add", "x", "y", "inputs", "shape", "units", "name", "=", "(", ")", "[", "]", "{", "}",
          ",", ":", ".", "+", "-", "*", "//", "/", "**", "%", "@", "lambda", "import", "os", "__import__",
          "__class__", "for", "in", "if", "else", "not", "and", "yield", "await", "def", "class", "f'", "'", '"',
          '"""', "#", "\\", "\n", "\n    ", "\t", " ", ";", "0", "1", "3", "-1", "28", "784", "10**10",
          "99999999999999999999", "1e309", "0.5", "None", "True", "'same'", "'relu'", "'x'", "input_shape=",
          "input_dim=", "trainable=False", "\r\n", "\ufeff", "\x00", "é", "\u2028", "\udcff")


def random_text(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:  # characters of every kind
        return "".join(chr(rng.choice((rng.randrange(32, 127), rng.randrange(0, 0x3000), 10, 40, 41)))
                       for _ in range(rng.randrange(0, 80)))
    if kind == 1:  # Python-looking characters
        alphabet = "()[]{}.,:=+-*/#'\"\n\t 0123456789abcxyDenseInput_"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))
    return "".join(rng.choice(TOKENS) for _ in range(rng.randrange(0, 40)))


def mutate(rng: random.Random, text: str, count: int | None = None) -> str:
    """``text`` with a few random edits: deletions, duplications, insertions, swaps, new numbers."""
    for _ in range(count if count is not None else rng.randrange(1, 5)):
        n = len(text)
        i, j = sorted((rng.randrange(n + 1), rng.randrange(n + 1)))
        op = rng.randrange(7)
        if op == 0:
            text = text[:i] + text[j:]
        elif op == 1:
            text = text[:j] + text[i:j] + text[j:]
        elif op == 2:
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif op == 3:
            lines = text.split("\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        elif op == 4:
            digits = [k for k, c in enumerate(text) if c.isdigit()]
            if digits:
                k = rng.choice(digits)
                text = text[:k] + str(rng.choice((0, 1, -1, 7, 10**6, 10**13, 2**64))) + text[k + 1:]
        elif op == 5:
            text = text[:i] + text[i:j].upper() + text[j:]
        else:
            text = text[:i] + "\n" + text[i:]
    return text


def random_input(rng: random.Random) -> tuple[str, str, dict]:
    """One fuzz input: (strategy name, text, summarize options)."""
    kind = rng.randrange(10)
    if kind < 2:
        return "text", random_text(rng), {}
    if kind < 5:
        return "mutation", mutate(rng, rng.choice(CORPUS)), {}
    if kind < 6:
        text, options = random_model(rng)
        return "mutated call", mutate(rng, text, 1), options
    text, options = random_model(rng, wild=rng.choice((0.0, 0.15, 0.5)))
    return "call", text, options


def check_invariant(text: str, **options):
    """Count ``text``: a Summary that renders, or a ParamsError that is located; nothing else.

    Returns (the Summary or ParamsError, CPU seconds spent counting).
    """
    start = time.thread_time()
    try:
        result = summarize(text, **options)
    except ParamsError as exc:
        seconds = time.thread_time() - start
        assert exc.kind in KINDS
        if exc.kind != "option":
            assert exc.line is not None and exc.line >= 1, exc.format()
        exc.format("fuzz.txt")
        return exc, seconds
    seconds = time.thread_time() - start
    result.to_dict()
    render_text(result, derivations=True)
    render_text(result, derivations=True, ascii=True)
    render_markdown(result, derivations=True)
    for row in result.layers:
        if row.params:
            assert row.derivation and row.derivation[-1].value == row.params, (row.name, text)
        for step in (*row.derivation, *row.shape_derivation):
            step.text()
            step.latex()
    return result, seconds

"""Every derivation of every layer type re-evaluates to the number it derives (issue 2 §3).

For many random configurations of every layer in both catalogues, the *rendered*
substituted text of each step (``10 × (784 + 1)``, ``⌊(28 − 3) / 2⌋ + 1``) is evaluated
by the small arithmetic evaluator below, which shares nothing with the core: it must give
the step's value.  The last count step must be the layer's parameter count, and each
shape step must be one of the layer's output sizes.
"""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

import pytest

from sphinxext_params import ParamsError, summarize
from sphinxext_params.core.expr import format_int
from tests.layer_calls import KERAS, KERAS_SPECIAL, TORCH, keras_model, torch_model

CONFIGURATIONS = 12  # valid models per layer type
ATTEMPTS = 250  # random calls tried per layer type to find them


# -- an independent evaluator of the rendered arithmetic ------------------------------------------

_TOKEN = re.compile(r"\s*(\d{1,3}(?:,\d{3})+|\d+|[-+*/()⌊⌋⌈⌉])")
_SIGNS = str.maketrans({"×": "*", "·": "*", "−": "-"})


def tokens(text: str) -> list[str]:
    text = text.translate(_SIGNS)
    out, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        assert match, f"cannot read {text[position:]!r} in {text!r}"
        out.append(match.group(1))
        position = match.end()
    return out


def evaluate(text: str) -> Fraction:
    """``10 × (784 + 1)`` → 7850, with exact fractions, floors and ceilings."""
    items = tokens(text)
    position = 0

    def peek():
        return items[position] if position < len(items) else None

    def take(expected=None):
        nonlocal position
        token = peek()
        assert token is not None and (expected is None or token == expected), (expected, token, text)
        position += 1
        return token

    def expression():
        value = term()
        while peek() in ("+", "-"):
            value = value + term() if take() == "+" else value - term()
        return value

    def term():
        value = unary()
        while peek() in ("*", "/"):
            if take() == "*":
                value = value * unary()
            else:
                divisor = unary()
                assert divisor != 0, text
                value = value / divisor
        return value

    def unary():
        if peek() == "-":
            take()
            return -unary()
        return atom()

    def atom():
        token = take()
        if token == "(":
            value = expression()
            take(")")
            return value
        if token == "⌊":
            value = expression()
            take("⌋")
            return Fraction(math.floor(value))
        if token == "⌈":
            value = expression()
            take("⌉")
            return Fraction(math.ceil(value))
        assert token[0].isdigit(), (token, text)
        return Fraction(int(token.replace(",", "")))

    value = expression()
    assert position == len(items), f"unread {items[position:]} in {text!r}"
    return value


def test_the_evaluator():
    assert evaluate("10 × (784 + 1)") == 7850
    assert evaluate("4 × (100 × (32 + 100) + 100)") == 53_200
    assert evaluate("⌊(224 − 3) / 2⌋ + 1") == 111
    assert evaluate("⌈28 / 3⌉") == 10
    assert evaluate("2 · 3 − 4 − 5") == -3
    assert evaluate("12 / 4 / 3") == 1
    assert evaluate("1,234,567 + 1") == 1_234_568
    assert evaluate("-5 × 2") == -10


# -- the models ------------------------------------------------------------------------------------

def valid_models(framework: str, name: str) -> list:
    """Up to CONFIGURATIONS summaries of random valid models around layer ``name`` (seeded)."""
    rng = random.Random(f"{framework}:{name}")
    make = keras_model if framework == "keras" else torch_model
    found, seen = [], set()
    for _ in range(ATTEMPTS):
        text, options = make(rng, name, wild=0.0)
        if (text, str(options)) in seen:
            continue
        seen.add((text, str(options)))
        try:
            found.append((text, summarize(text, **options)))
        except ParamsError:
            continue
        if len(found) == CONFIGURATIONS:
            break
    return found


def dimensions(shape) -> set:
    if isinstance(shape, (list, tuple)):
        out = set()
        for item in shape:
            out |= dimensions(item)
        return out
    return {shape} if isinstance(shape, int) else set()


def check_row(row, text: str) -> None:
    where = f"{row.name} ({row.type}) in\n{text}"
    for step in (*row.shape_derivation, *row.derivation):
        substituted = step.expr.numbers()
        assert evaluate(substituted) == step.value, f"{step.text()}: {where}"
        forms = step.text().split(" = ")
        assert forms[0] == step.symbol and forms[-1] == format_int(step.value), f"{step.text()}: {where}"
        assert substituted in forms or substituted == format_int(step.value), where
    if row.params:
        assert row.derivation, f"no derivation for {row.params} parameters: {where}"
    if row.derivation:
        assert row.derivation[-1].value == row.params, f"{row.derivation[-1].text()} vs {row.params}: {where}"
    sizes = dimensions(row.output_shape)
    for step in row.shape_derivation:
        assert step.value in sizes, f"{step.text()} is not a size of {row.output_shape_text}: {where}"


@pytest.mark.parametrize("name", sorted(set(KERAS) - KERAS_SPECIAL))
def test_keras_derivations(name):
    models = valid_models("keras", name)
    assert models, f"no valid random model of {name}"
    for text, summary in models:
        for row in summary.layers:
            check_row(row, text)


@pytest.mark.parametrize("name", sorted(TORCH))
def test_pytorch_derivations(name):
    models = valid_models("pytorch", name)
    assert models, f"no valid random model of {name}"
    for text, summary in models:
        for row in summary.layers:
            check_row(row, text)


@pytest.mark.parametrize("text, options", [
    ("Input(shape=(784,))\nDense(10)", {}),
    ("Input(shape=(None, 32))\nLSTM(100)", {}),
    ("Input(shape=(3, 1))\nSimpleRNN(10)", {}),
    ("Input(shape=(224, 224, 3))\nConv2D(64, 3, strides=2)\nMaxPooling2D(3, strides=2, padding='same')", {}),
    ("x = Input(shape=(16, 32))\nMultiHeadAttention(num_heads=4, key_dim=8, value_dim=6)(x, x)", {}),
    ("nn.LSTM(32, 64, num_layers=3, bidirectional=True)", {"input_shape": "(10, 32)"}),
    ("nn.Conv2d(3, 64, 7, stride=2, padding=3)\nnn.MaxPool2d(3, 2, 1, ceil_mode=True)",
     {"input_shape": "(3, 224, 224)"}),
])
def test_derivations_of_the_seed_models(text, options):
    summary = summarize(text, **options)
    for row in summary.layers:
        check_row(row, text)

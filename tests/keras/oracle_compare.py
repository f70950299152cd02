"""Compare our Keras summary of a layer list with real Keras 3 (tests only).

``check(text)`` builds the text with both, and asserts that every row agrees on name,
type, output shape, parameter counts and weights (names, shapes, trainable), that the
totals agree, and that each layer's derivation ends in its parameter count.
"""

from __future__ import annotations

import pytest

from sphinxext_params import ParamsError, summarize
from tests.oracle.keras_oracle import build_keras_model, summarize_keras_model, summary_layers

ROW_KEYS = ("name", "type", "output_shape", "params", "trainable", "non_trainable")


def keras_weight_name(layer_name: str, path: str) -> str:
    """A Keras variable path below its summary row's layer, without RNN cell scopes:
    ``functional/bidirectional/forward_lstm/lstm_cell/kernel`` -> ``forward_lstm/kernel``."""
    parts = path.split("/")
    if layer_name in parts:
        parts = parts[parts.index(layer_name) + 1:]
    return "/".join(p for p in parts if not p.endswith("_cell"))


def oracle(text: str, input_shape=None) -> tuple[dict, list]:
    model = build_keras_model(text, input_shape)
    summary = summarize_keras_model(model)
    weights = []
    for layer in summary_layers(model):
        # The variable's own flag: what the model's totals count (a row made with
        # trainable=False lists everything as non-trainable regardless).
        weights.append([(keras_weight_name(layer.name, getattr(w, "path", w.name)),
                         tuple(int(d) for d in w.shape), bool(w.trainable))
                        for w in getattr(layer, "weights", [])])
    return summary, weights


def check(text: str, input_shape=None, *, weights: bool = True, built=None) -> dict:
    """Assert that our summary of ``text`` matches real Keras; returns ours as a dict.

    ``built`` is the oracle's result when the caller already has it (Keras builds are
    the slow part of these tests).
    """
    ours = summarize(text, framework="keras", input_shape=input_shape)
    mine = ours.to_dict()
    theirs, their_weights = built or oracle(text, input_shape)
    got = [{k: row[k] for k in ROW_KEYS} for row in mine["layers"]]
    want = [{k: row[k] for k in ROW_KEYS} for row in theirs["layers"]]
    assert got == want, _diff(text, got, want)
    for key in ("total_params", "trainable_params", "non_trainable_params"):
        assert mine[key] == theirs[key], key
    if weights:
        for row, expected in zip(ours.layers, their_weights):
            assert [(w.name, tuple(w.shape), w.trainable) for w in row.weights] == expected, row.name
    for row in ours.layers:
        if row.params:
            assert row.derivation, f"{row.name} has no derivation"
            assert row.derivation[-1].value == row.params, row.name
    return mine


def check_error(text: str, input_shape=None, match: str | None = None) -> ParamsError:
    """Assert that real Keras rejects ``text`` and that we raise a ParamsError for it."""
    with pytest.raises(Exception):
        oracle(text, input_shape)
    with pytest.raises(ParamsError, match=match) as info:
        summarize(text, framework="keras", input_shape=input_shape)
    return info.value


def _diff(text, got, want) -> str:
    lines = [text, "ours vs keras:"]
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        mark = "  " if g == w else "!!"
        lines.append(f"{mark} {g}\n   {w}")
    return "\n".join(lines)


def agree(text: str, input_shape=None) -> bool:
    """Either both accept ``text`` and agree (as :func:`check`), or both reject it.
    Returns whether Keras accepted it."""
    try:
        built = oracle(text, input_shape)
    except Exception:  # noqa: BLE001 - any Keras failure means "rejected"
        with pytest.raises(ParamsError):
            summarize(text, framework="keras", input_shape=input_shape)
        return False
    check(text, input_shape, built=built)
    return True

"""Compare our PyTorch summary of a layer-list text with real PyTorch's (tests/oracle)."""

from __future__ import annotations

import pytest

from sphinxext_params import ParamsError, summarize
from tests.oracle.torch_oracle import torch_layer_weights, torch_summary

ROW_KEYS = ("name", "type", "output_shape", "params", "trainable", "non_trainable", "buffers")
TOTAL_KEYS = ("total_params", "trainable_params", "non_trainable_params", "buffers")


def ours(text: str, input_shape=None):
    return summarize(text, framework="pytorch", input_shape=input_shape)


def rows(summary_dict) -> list[dict]:
    return [{k: r[k] for k in ROW_KEYS} for r in summary_dict["layers"]]


def check_derivations(summary) -> None:
    """Every count's derivation ends in the count; every derived size is one of the output's."""
    for row in summary.layers:
        if row.params:
            assert row.derivation, f"{row.name} ({row.type}) has parameters but no derivation"
            assert row.derivation[-1].value == row.params, (row.name, [s.text() for s in row.derivation])
        else:
            assert not row.derivation
        for step in row.derivation:
            step.text(), step.latex()  # every form renders
        for step in row.shape_derivation:
            assert row.output_shape is not None and step.value in row.output_shape, (
                row.name, step.text(), row.output_shape)


def our_weights(summary) -> list[dict]:
    return [{"name": r.name, "type": r.type,
             "weights": [(w.name, tuple(w.shape), w.trainable if not w.buffer else False, w.buffer)
                         for w in r.weights]}
            for r in summary.layers]


def assert_matches_torch(text: str, input_shape=None, *, weights: bool = True, device=None,
                         torch_text: str | None = None):
    """Rows, totals and (optionally) every weight's name, shape and trainability agree with PyTorch.

    ``torch_text`` is what the oracle builds instead of ``text``, for lines that the oracle
    treats differently from a model (``model.train()`` evaluates to the model there).
    """
    summary = ours(text, input_shape)
    got = summary.to_dict()
    text = torch_text or text
    expected = torch_summary(text, input_shape=input_shape, device=device)
    assert got["framework"] == "pytorch"
    assert rows(got) == rows(expected), text
    assert {k: got[k] for k in TOTAL_KEYS} == {k: expected[k] for k in TOTAL_KEYS}, text
    check_derivations(summary)
    if weights:
        assert our_weights(summary) == torch_layer_weights(text, device=device), text
    return summary


def assert_both_fail(text: str, input_shape=None, *, match: str | None = None,
                     kind: str | tuple[str, ...] = "shape") -> ParamsError:
    """PyTorch refuses the model (at construction or in the forward pass), and so do we, with a
    ParamsError of the given kind whose message matches ``match``."""
    with pytest.raises(Exception):  # noqa: B017 - PyTorch raises ValueError, RuntimeError, TypeError, ...
        torch_summary(text, input_shape=input_shape)
    with pytest.raises(ParamsError, match=match) as info:
        ours(text, input_shape)
    assert info.value.kind in ((kind,) if isinstance(kind, str) else kind), (info.value.kind, str(info.value))
    return info.value

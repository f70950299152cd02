"""Shared by the Keras layer-family tests (convolution, pooling, reshaping, misc layers).

The comparison itself is :mod:`tests.keras.oracle_compare`'s; this adds what option
grids and random generators need: writing layer calls from Python values, and a
closer look at the derivations (shape steps that agree with the output shape, LaTeX
that renders).

``check_against_keras(text)`` returns whether Keras accepted ``text``: if so, every row
and total matched; if not, we raised a ParamsError too.
"""

from __future__ import annotations

from sphinxext_params import summarize
from tests.keras.oracle_compare import agree, check_error


def call(type_name: str, *args, **kwargs) -> str:
    """``Conv2D(8, (3, 3), strides=2)``: Python literals, as the layer list writes them."""
    parts = [repr(v) for v in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{type_name}({', '.join(parts)})"


def model_text(input_shape, *layers: str) -> str:
    return "\n".join([f"Input(shape={tuple(input_shape)!r})", *layers])


def check_derivations(text: str, input_shape=None) -> None:
    """Every step renders (text and LaTeX); each ``*_out`` step is a size of the output."""
    for row in summarize(text, framework="keras", input_shape=input_shape).layers:
        for step in row.derivation + row.shape_derivation:
            assert step.text() and step.latex()
        if isinstance(row.output_shape, tuple):
            sizes = {d for d in row.output_shape if d is not None}
            for step in row.shape_derivation:
                if step.symbol.endswith("_out"):
                    assert step.value in sizes, (row.name, step.text(), row.output_shape)


def check_against_keras(text: str, input_shape=None) -> bool:
    accepted = agree(text, input_shape)
    if accepted:
        check_derivations(text, input_shape)
    return accepted


def expect_error(text: str, *words: str):
    """Real Keras refuses ``text``, and so do we, with a message holding ``words``."""
    error = check_error(text)
    for word in words:
        assert word in str(error), str(error)
    return error

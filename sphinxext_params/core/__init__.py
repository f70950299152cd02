"""The counting core: layers, shapes, weights and derivations, with no ML framework.

Depends only on :mod:`sphinxext_params.language`; knows nothing of docutils or Sphinx.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager

from ..errors import Location, ParamsError
from ..language import nodes, parse
from .summary import DTYPE_BYTES, LayerSummary, Summary

FRAMEWORKS = ("keras", "pytorch")


#: Words without which a text cannot be PyTorch: a quick answer for long Keras lists.
_TORCH_WORDS = re.compile(r"\b(?:nn|torch)\b")


def detect_framework(program: nodes.Program) -> str:
    """``pytorch`` when layers are written ``nn.X(...)`` / ``torch.nn.X(...)``, else ``keras``."""
    if not any(_TORCH_WORDS.search(line) for line in program.lines):
        return "keras"

    for stmt in program.statements:
        if isinstance(stmt, nodes.Import) and stmt.module.split(".")[0] == "torch":
            return "pytorch"
        value = getattr(stmt, "value", None)
        for name in _names(value) if value is not None else ():
            if name.parts[0] == "nn" or name.parts[:2] == ("torch", "nn"):
                return "pytorch"
    return "keras"


def _names(node):
    """The names in an expression, depth first.  (A module-level function: a nested one
    that calls itself is a reference cycle, left for the garbage collector.)"""
    if isinstance(node, nodes.Name):
        yield node
    elif isinstance(node, nodes.Call):
        yield from _names(node.func)
        for a in node.args:
            yield from _names(a)
        for _, v in node.kwargs:
            yield from _names(v)
    elif isinstance(node, nodes.Sequence):
        for i in node.items:
            yield from _names(i)
    elif isinstance(node, nodes.Attribute):
        yield from _names(node.value)


def parse_input_shape(value) -> tuple | None:
    """``"(28, 28)"``, ``"28, 28"``, ``(28, 28)`` or ``28`` as a shape tuple (None stays None)."""
    from . import args
    from .layer import ArgError
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        program = parse(text if text.startswith(("(", "[")) else f"({text},)")
        stmt = program.statements[0] if len(program.statements) == 1 else None
        if not isinstance(stmt, nodes.Expression) or not isinstance(stmt.value, nodes.Literal):
            raise ParamsError(f"the input shape {value!r} is not a tuple of sizes", kind="option",
                              hint='write it like "(28, 28)"')
        value = stmt.value.value
    try:
        return args.shape(value)
    except ArgError as exc:
        raise ParamsError(f"the input shape {exc}", kind="option", hint='write it like "(28, 28)"') from None


@contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector while counting.

    Counting a 10,000-layer model allocates a few hundred thousand small objects that all
    stay alive until the summary is made; each automatic collection re-scans them, which
    made counting twice as slow and its cost grow faster than the number of layers.  The
    work is bounded by the language's limits, so the pause is too; the collector catches up
    when it is switched back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def summarize(text: str, framework: str | None = None, input_shape=None, dtype: str = "float32") -> Summary:
    """Count a layer list: every layer's output shape, weights and derivation, and the totals.

    Raises :class:`~sphinxext_params.errors.ParamsError` for any bad input.
    """
    with _gc_paused():
        return _summarize(text, framework, input_shape, dtype)


def _summarize(text: str, framework: str | None, input_shape, dtype: str) -> Summary:
    if dtype not in DTYPE_BYTES:
        raise ParamsError(f"unknown dtype {dtype!r}", kind="option", hint="one of " + ", ".join(DTYPE_BYTES))
    if framework is not None and framework not in FRAMEWORKS:
        raise ParamsError(f"unknown framework {framework!r}", kind="option", hint="use keras or pytorch")
    program = parse(text)
    shape = parse_input_shape(input_shape)
    framework = framework or detect_framework(program)
    if framework == "keras":
        from .keras import build
    else:
        from .pytorch import build
    try:
        rows = build(program, shape)
    except RecursionError:
        raise ParamsError("the model is nested too deeply", kind="limit", location=Location(1)) from None
    return Summary(framework=framework, layers=rows, dtype=dtype)


__all__ = ["summarize", "Summary", "LayerSummary", "ParamsError", "FRAMEWORKS"]

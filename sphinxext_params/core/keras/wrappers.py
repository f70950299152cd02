"""Keras wrapper layers: Bidirectional and TimeDistributed.

A wrapper takes another layer object as its first argument (``Bidirectional(LSTM(64))``);
that inner layer is made first, so it takes its default name (``lstm``) before the
wrapper takes its own.  The wrapper's weights are the inner layers' weights, named by
their path below the wrapper (``forward_lstm/kernel``, ``dense/kernel``).
"""

from __future__ import annotations

import copy

from .. import args as a
from ..expr import Step, Sym
from ..layer import Arg, ArgError, format_shape
from .base import KerasLayer, register
from .recurrent import Recurrent


def layer_object(v):
    if isinstance(v, KerasLayer):
        return v
    raise ArgError(f"must be a layer such as LSTM(64), not {v!r}")


def inner_weights(layer: KerasLayer, shape) -> list:
    """An inner layer's variables, named by the path below the wrapper."""
    return [w.renamed(f"{layer.name}/") for w in layer.variables(shape)]


def renamed_last_step(steps: list[Step], symbol: str, label: str) -> list[Step]:
    """An inner layer's derivation, its final ``N`` renamed so the wrapper can refer to it."""
    *head, last = steps
    return [*head, Step(symbol, last.expr, label)]


@register
class Bidirectional(KerasLayer):
    """Runs a copy of a recurrent layer forwards and another backwards, then merges them.

    Keras rebuilds the forward copy as ``forward_<name>`` and, unless ``backward_layer``
    is given, the backward copy as ``backward_<name>`` with ``go_backwards=True``; both
    keep the wrapped layer's configuration, so the count doubles.
    """

    freezes_variables = False  # the copies are made after trainable=False is set
    call_side_tensors = ("initial_state", "mask")
    layer = Arg(layer_object)
    merge_mode = Arg(a.one_of("concat", "sum", "mul", "ave", None), "concat")
    #: Keras's ``weights`` (initial values): an attribute of that name would hide the hook.
    initial_weights = Arg(a.anything, None, keyword="weights")
    backward_layer = Arg(a.optional(layer_object), None)

    def check(self) -> None:
        for arg in ("layer", "backward_layer"):
            inner = getattr(self, arg)
            if inner is not None and not isinstance(inner, Recurrent):
                self.fail(f"wraps a recurrent layer (SimpleRNN, LSTM, GRU, ConvLSTM), not {inner.type_name}",
                          kind="argument", arg=arg)
        self.forward = copy.copy(self.layer)
        self.forward.name = "forward_" + self.layer.name.removeprefix("forward_")
        if self.backward_layer is None:
            self.backward = copy.copy(self.layer)
            self.backward.name = "backward_" + self.layer.name.removeprefix("backward_")
            self.backward.go_backwards = True
        else:
            self.backward = self.backward_layer
        if self.forward.go_backwards == self.backward.go_backwards:
            self.fail(f"the forward and backward layers both have go_backwards={self.forward.go_backwards}",
                      kind="argument", arg="backward_layer" if self.backward_layer is not None else "layer",
                      hint="the wrapped layer goes forwards; a backward_layer needs go_backwards=True")
        for option in ("stateful", "return_sequences", "return_state"):
            if getattr(self.forward, option) != getattr(self.backward, option):
                self.fail(f"the forward and backward layers differ in {option} "
                          f"({getattr(self.forward, option)} and {getattr(self.backward, option)})",
                          kind="argument", arg="backward_layer", hint=f"give both the same {option}")

    def output_shape(self, shape):
        out = self.forward.output_shape(shape)
        states = []
        if self.forward.return_state:
            out, states = out[0], out[1:]
        if self.merge_mode == "concat":
            out = (*out[:-1], None if out[-1] is None else 2 * out[-1])
        outputs = [out, out] if self.merge_mode is None else [out]
        if self.forward.return_state:
            return outputs + states + states
        return outputs if self.merge_mode is None else out

    def weights(self, shape):
        return inner_weights(self.forward, shape) + inner_weights(self.backward, shape)

    def derivation(self, shape):
        forward = renamed_last_step(self.forward.derivation(shape), "N_forward", f"one direction ({self.forward.name})")
        if self.backward_layer is None:
            return forward + [Step("N", 2 * Sym("N_forward", forward[-1].value), "forward and backward copies")]
        backward = renamed_last_step(self.backward.derivation(shape), "N_backward", self.backward.name)
        return forward + backward + [Step("N", Sym("N_forward", forward[-1].value) +
                                          Sym("N_backward", backward[-1].value), "both directions")]

    def shape_derivation(self, shape):
        return self.forward.shape_derivation(shape)


@register
class TimeDistributed(KerasLayer):
    """Applies the same layer to every time step ``input[:, t]``: one set of weights, and
    the output ``(batch, time, *inner output)``."""

    freezes_variables = False  # the inner layer is attached after trainable=False is set
    call_side_tensors = ("mask",)
    layer = Arg(layer_object)

    def step_shape(self, shape):
        if len(shape) < 3:
            self.fail(f"expects an input of rank at least 3 (batch, time, ...), got shape {format_shape(shape)}",
                      hint="check the Input shape or the layers before it")
        return (shape[0], *shape[2:])

    def output_shape(self, shape):
        inner = self.layer.output_shape(self.step_shape(shape))
        if isinstance(inner, list):
            self.fail(f"cannot wrap {self.layer.type_name}, which returns several outputs", arg="layer")
        return (inner[0], shape[1], *inner[1:])

    def weights(self, shape):
        return inner_weights(self.layer, self.step_shape(shape))

    def derivation(self, shape):
        return self.layer.derivation(self.step_shape(shape)) if self.weights(shape) else []

    def shape_derivation(self, shape):
        return self.layer.shape_derivation(self.step_shape(shape))

"""Keras layers made of layers: Bidirectional, TimeDistributed, and a Sequential model
used as a layer of another model.

A wrapper takes another layer object as its first argument (``Bidirectional(LSTM(64))``);
that inner layer is made first, so it takes its default name (``lstm``) before the
wrapper takes its own.  The wrapper's weights are the inner layers' weights, named by
their path below the wrapper (``forward_lstm/kernel``, ``dense/kernel``).
"""

from __future__ import annotations

import copy

from .. import args as a
from ..expr import Step, Sym, total
from ..layer import NOTHING, Arg, ArgError, format_shape
from ..limits import check_output_shape
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

    def sublayers(self):
        return (self.forward, self.backward)

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

    def sublayers(self):
        return (self.layer,)

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


class NestedSequential(KerasLayer):
    """A Sequential model used as a layer: ``block = Sequential([...])`` then ``block(x)``,
    or ``Sequential([augmentation, Conv2D(...)])``.

    Keras lists it as one row, ``sequential (Sequential)``, with its last layer's output
    shape and the parameters of all its layers.  It is not in the catalogue: it is made
    from a ``Sequential(...)`` value, never written as a layer call.
    """

    type_name = "Sequential"
    # Sequential(..., trainable=False) sets the model's flag before its layers are added:
    # Keras lists the row as non-trainable, while the totals count each variable's own flag.
    freezes_variables = False

    def __init__(self, layers: list[KerasLayer], declared_input_shape=None, **base) -> None:
        super().__init__(**base)
        self.layers = layers
        #: The shape its Input (or first layer's ``input_shape=``) gives, batch included; as
        #: for any layer, a Sequential model holding it first starts from this shape.
        self.declared_input_shape = declared_input_shape

    def sublayers(self):
        return tuple(self.layers)

    def steps(self, shape) -> tuple[list, object]:
        """Each layer with the shape it is called on, and the last output shape."""
        self.check_input(shape)
        calls = []
        for layer in self.layers:
            if isinstance(shape, list):
                self.fail(f"the layer before {layer.name!r} returns several outputs, which a Sequential "
                          "model cannot pass on", hint="use the functional style and pick one output with [0]")
            layer.options = NOTHING
            calls.append((layer, shape))
            shape = layer.output_shape(shape)
            check_output_shape(layer, shape)
        return calls, shape

    def check_input(self, shape) -> None:
        declared = self.declared_input_shape
        if declared is None or isinstance(shape, list):
            return
        if len(declared) != len(shape) or any(d is not None and s is not None and d != s
                                              for d, s in zip(declared, shape)):
            self.fail(f"was built for input shape {format_shape(declared)} and cannot be called on "
                      f"{format_shape(shape)}", hint="call it on tensors of the shape its Input gives")

    def output_shape(self, shape):
        return self.steps(shape)[1]

    def weights(self, shape):
        return [w for layer, s in self.steps(shape)[0] for w in inner_weights(layer, s)]

    def derivation(self, shape):
        steps, terms = [], []
        for layer, s in self.steps(shape)[0]:
            if not any(not w.buffer for w in layer.weights(s)):
                continue
            symbol = f"N_{len(terms) + 1}"
            inner = renamed_last_step(layer.derivation(s), symbol, layer.name)
            steps += inner
            terms.append(Sym(symbol, inner[-1].value))
        if len(terms) <= 1:  # one layer with weights: its own derivation is the count
            return steps[:-1] + [Step("N", steps[-1].expr, steps[-1].label)] if terms else []
        return steps + [Step("N", total(terms), "all its layers")]

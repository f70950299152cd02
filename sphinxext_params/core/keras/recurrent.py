"""Keras recurrent layers: SimpleRNN, LSTM, GRU and ConvLSTM1D/2D/3D.

A recurrent layer runs one cell over the time axis of a ``(batch, time, features)``
input.  The cell has ``g`` gates (1 for SimpleRNN, 4 for LSTM, 3 for GRU), and each
gate sees the input through ``kernel`` and the previous output through
``recurrent_kernel``; the bias adds one vector per gate (GRU's default
``reset_after=True`` adds a second, for the recurrent branch).
"""

from __future__ import annotations

from typing import ClassVar

from .. import args as a
from ..expr import Step, Sym, product
from ..layer import Arg, ArgError, Weight, format_shape
from ..shapes import conv_output_length
from .base import KerasLayer, activation_value, register

#: Initializer, regularizer and constraint arguments of the recurrent layers.
RECURRENT_OPTIONS = KerasLayer.ignored | {
    "recurrent_initializer", "recurrent_regularizer", "recurrent_constraint", "zero_output_for_mask",
}


def use_cudnn_value(v):
    if v in ("auto", True, False) and not (isinstance(v, int) and not isinstance(v, bool)):
        return v
    raise ArgError(f"must be 'auto', True or False, not {v!r}")


class Recurrent(KerasLayer):
    """What SimpleRNN, LSTM, GRU and the ConvLSTMs share: the RNN wrapper's options and
    its output shapes.  Each subclass lists its constructor's positional order in
    ``signature``; the Args below are picked and ordered from it."""

    ignored = RECURRENT_OPTIONS
    call_side_tensors = ("initial_state", "mask")
    #: The constructor's arguments in Keras's positional order.
    signature: ClassVar[tuple[str, ...]] = ()
    #: Gates of the cell: the kernels hold one block of columns per gate.
    gates: ClassVar[int] = 1
    #: State tensors the cell carries (LSTM: the output h and the carry c).
    state_count: ClassVar[int] = 1

    units = Arg(a.positive_int)
    # (ConvLSTM's: filters to dilation_rate; each class takes the ones its signature names)
    filters = Arg(a.positive_int)
    kernel_size = Arg(a.anything)  # converted per rank in ConvLSTM.check
    strides = Arg(a.anything, 1)
    padding = Arg(a.one_of("valid", "same", lower=True), "valid")
    data_format = Arg(a.optional(a.one_of("channels_last", "channels_first", lower=True)), None)
    dilation_rate = Arg(a.anything, 1)
    activation = Arg(activation_value, "tanh")
    recurrent_activation = Arg(activation_value, "sigmoid")
    use_bias = Arg(a.boolean, True)
    kernel_initializer = Arg(a.anything, "glorot_uniform")
    recurrent_initializer = Arg(a.anything, "orthogonal")
    bias_initializer = Arg(a.anything, "zeros")
    unit_forget_bias = Arg(a.boolean, True)
    kernel_regularizer = Arg(a.anything, None)
    recurrent_regularizer = Arg(a.anything, None)
    bias_regularizer = Arg(a.anything, None)
    activity_regularizer = Arg(a.anything, None)
    kernel_constraint = Arg(a.anything, None)
    recurrent_constraint = Arg(a.anything, None)
    bias_constraint = Arg(a.anything, None)
    dropout = Arg(a.number, 0.0)
    recurrent_dropout = Arg(a.number, 0.0)
    seed = Arg(a.anything, None)
    return_sequences = Arg(a.boolean, False)
    return_state = Arg(a.boolean, False)
    go_backwards = Arg(a.boolean, False)
    stateful = Arg(a.boolean, False)
    unroll = Arg(a.boolean, False)
    reset_after = Arg(a.boolean, True)
    use_cudnn = Arg(use_cudnn_value, "auto")

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.signature:
            by_name = {arg.name: arg for arg in cls.arguments}
            cls.arguments = tuple(by_name[name] for name in cls.signature)

    # -- shapes ----------------------------------------------------------------------------
    @property
    def input_rank(self) -> int:
        """(batch, time, features) for the plain RNNs; ConvLSTMs add their spatial axes."""
        return 3

    def step_output_shape(self, step_shape) -> tuple:
        """The cell's output for one time step's input ``(batch, *features)``."""
        return (step_shape[0], self.units)

    def output_shape(self, shape):
        self.require_rank(shape, self.input_rank, what=" (batch, time, features...)")
        batch, time = shape[0], shape[1]
        step = self.step_output_shape((batch, *shape[2:]))
        if self.stateful and batch is None:
            self.fail("stateful=True needs a fixed batch size", arg="stateful",
                      hint="give the batch size, e.g. Input(shape=(...), batch_size=32)")
        out = (batch, time, *step[1:]) if self.return_sequences else step
        if self.return_state:
            return [out] + [step] * self.state_count
        return out

    # -- weights ---------------------------------------------------------------------------
    def input_features(self, shape) -> int:
        return self.known(shape, -1, "the features axis")

    def bias_shape(self, width: int) -> tuple[int, ...]:
        return (width,)

    def weights(self, shape):
        self.output_shape(shape)
        i, u = self.input_features(shape), self.units
        width = self.gates * u
        out = [Weight("kernel", (i, width)), Weight("recurrent_kernel", (u, width))]
        if self.use_bias:
            out.append(Weight("bias", self.bias_shape(width)))
        return out

    def bias_vectors(self) -> int:
        """Bias vectors of length ``u`` per gate: 1, or 2 for GRU's reset_after."""
        return 1 if self.use_bias else 0

    def derivation(self, shape):
        i, u = Sym("i", self.input_features(shape)), Sym("u", self.units)
        per_gate = u * (i + u)  # input and recurrent weights of one gate
        if self.bias_vectors() == 1:
            per_gate = per_gate + u
        elif self.bias_vectors() == 2:
            per_gate = per_gate + 2 * u
        g = self.gates
        label = f"{g} gates × (input + recurrent weights + bias)" if self.use_bias else \
            f"{g} gates × (input + recurrent weights)"
        return [Step("N", per_gate if g == 1 else g * per_gate, label)]


@register
class SimpleRNN(Recurrent):
    """``h_t = tanh(x_t W + h_{t−1} U + b)``: one gate."""

    signature = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                 "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                 "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
                 "dropout", "recurrent_dropout", "return_sequences", "return_state", "go_backwards",
                 "stateful", "unroll", "seed")

    def derivation(self, shape):
        i, u = Sym("i", self.input_features(shape)), Sym("u", self.units)
        if self.use_bias:
            return [Step("N", u * (i + u + 1), "input weights, recurrent weights and bias per unit")]
        return [Step("N", u * (i + u), "input and recurrent weights per unit")]


_GATED_SIGNATURE = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer")
_GATED_TAIL = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
               "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
               "seed", "return_sequences", "return_state", "go_backwards", "stateful", "unroll")


@register
class LSTM(Recurrent):
    """Four gates (input, forget, cell, output) and two states (h and c)."""

    gates = 4
    state_count = 2
    signature = _GATED_SIGNATURE + ("unit_forget_bias",) + _GATED_TAIL + ("use_cudnn",)


@register
class GRU(Recurrent):
    """Three gates (update, reset, candidate); with ``reset_after=True`` (the default,
    cuDNN-compatible) the recurrent branch has its own bias, so the bias is ``(2, 3u)``."""

    gates = 3
    signature = _GATED_SIGNATURE + _GATED_TAIL + ("reset_after", "use_cudnn")

    def bias_shape(self, width):
        return (2, width) if self.reset_after else (width,)

    def bias_vectors(self):
        if not self.use_bias:
            return 0
        return 2 if self.reset_after else 1


class ConvLSTM(Recurrent):
    """An LSTM whose gates are convolutions over a ``rank``-D grid: the kernels have the
    shape ``(*kernel_size, channels, 4 · filters)`` and ``(*kernel_size, filters, 4 · filters)``."""

    gates = 4
    state_count = 2
    rank: ClassVar[int] = 2
    ignored = RECURRENT_OPTIONS | {"unroll"}
    freezes_variables = False  # Keras makes the cell without passing it trainable=False
    signature = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
                 "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                 "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                 "bias_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint",
                 "bias_constraint", "dropout", "recurrent_dropout", "seed", "return_sequences", "return_state",
                 "go_backwards", "stateful")

    def check(self) -> None:
        for name, minimum in (("kernel_size", 1), ("strides", 1), ("dilation_rate", 1)):
            try:
                setattr(self, name, a.ints(self.rank, minimum=minimum)(getattr(self, name)))
            except ArgError as exc:
                self.fail(f"{name} {exc}", kind="argument", arg=name)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            self.fail("strides > 1 cannot be combined with dilation_rate > 1", kind="argument", arg="strides",
                      hint="use strides=1 or dilation_rate=1")

    @property
    def channels_first(self) -> bool:
        return self.data_format == "channels_first"

    @property
    def input_rank(self) -> int:
        return self.rank + 3

    @property
    def units(self) -> int:  # the state's channels play the part of an LSTM's units
        return self.filters

    def spatial_axes(self, step_shape) -> tuple:
        return step_shape[2:] if self.channels_first else step_shape[1:-1]

    def input_features(self, shape) -> int:
        return self.known(shape, 2 if self.channels_first else -1, "the channels axis")

    def spatial_lengths(self, step_shape):
        """One output-size expression per spatial axis (None where the input size is unknown)."""
        subs = {1: ("",), 2: ("h", "w"), 3: ("d", "h", "w")}[self.rank]
        return [conv_output_length(n, k, s, d, self.padding, sub=sub)
                for n, k, s, d, sub in zip(self.spatial_axes(step_shape), self.kernel_size, self.strides,
                                           self.dilation_rate, subs)]

    def step_output_shape(self, step_shape):
        sizes = self.spatial_axes(step_shape)
        if None in sizes:
            self.fail(f"needs known spatial sizes, but one time step has shape {format_shape(step_shape)}",
                      hint="give every spatial size in Input(shape=...)")
        lengths = [e.value for e in self.spatial_lengths(step_shape)]
        if any(n <= 0 for n in lengths):
            self.fail(f"the kernel does not fit: the output size would be {tuple(lengths)} for "
                      f"a time step of shape {format_shape(step_shape)}", arg="kernel_size",
                      hint="use a smaller kernel_size or padding='same'")
        if self.channels_first:
            return (step_shape[0], self.filters, *lengths)
        return (step_shape[0], *lengths, self.filters)

    def weights(self, shape):
        self.output_shape(shape)
        c, f = self.input_features(shape), self.filters
        out = [Weight("kernel", (*self.kernel_size, c, 4 * f)),
               Weight("recurrent_kernel", (*self.kernel_size, f, 4 * f))]
        if self.use_bias:
            out.append(Weight("bias", (4 * f,)))
        return out

    def kernel_area(self):
        subs = {1: ("k",), 2: ("k_h", "k_w"), 3: ("k_d", "k_h", "k_w")}[self.rank]
        return product([Sym(s, k) for s, k in zip(subs, self.kernel_size)])

    def derivation(self, shape):
        c, f = Sym("c", self.input_features(shape)), Sym("f", self.filters)
        per_gate = self.kernel_area() * (c + f) * f
        if self.use_bias:
            per_gate = per_gate + f
        return [Step("N", 4 * per_gate, "4 gates × (input + recurrent kernels" +
                     (" + bias)" if self.use_bias else ")"))]

    def shape_derivation(self, shape):
        if len(shape) != self.input_rank:
            return []
        names = {1: ("n_out",), 2: ("h_out", "w_out"), 3: ("d_out", "h_out", "w_out")}[self.rank]
        labels = {1: ("output length",), 2: ("output height", "output width"),
                  3: ("output depth", "output height", "output width")}[self.rank]
        exprs = self.spatial_lengths((shape[0], *shape[2:]))
        return [Step(n, e, label) for n, e, label in zip(names, exprs, labels) if e is not None]


@register
class ConvLSTM1D(ConvLSTM):
    rank = 1


@register
class ConvLSTM2D(ConvLSTM):
    rank = 2


@register
class ConvLSTM3D(ConvLSTM):
    rank = 3

"""torch.nn recurrent modules: RNN, LSTM, GRU.

PyTorch keeps two bias vectors per gate block (``bias_ih`` and ``bias_hh``), so an
``nn.LSTM(32, 100)`` has ``4 · (H (i + H) + 2H)`` = 53,600 parameters where Keras's
``LSTM(100)`` on 32 features has 53,200.  Stacked layers (``num_layers``) read the
previous layer's output, ``D · H`` wide for D directions; an LSTM with ``proj_size`` P
projects its hidden state to P values with ``weight_hr``.  The output reported is the
sequence output (the first element of the returned tuple).
"""

from __future__ import annotations

from typing import ClassVar

from .. import args as a
from ..expr import Step, Sym
from ..layer import Arg, Weight
from .base import FACTORY, TorchLayer, register
from .dropout import probability


class _Gates(TorchLayer):
    """What a recurrent cell holds: input-hidden and hidden-hidden weights for each gate block,
    and two bias vectors (``bias_ih``, ``bias_hh``), where Keras keeps one."""

    #: Gate blocks per cell: 1 (Elman RNN), 3 (GRU: reset, update, new), 4 (LSTM: i, f, g, o).
    gates: ClassVar[int] = 1
    ignored = FACTORY
    proj_size = 0

    @property
    def state_size(self) -> int:
        """The size of the hidden state h: the projection's when there is one."""
        return self.proj_size or self.hidden_size

    def cell_weights(self, suffix: str, input_size: int) -> list[Weight]:
        g, h, p = self.gates * self.hidden_size, self.hidden_size, self.proj_size
        out = [Weight(f"weight_ih{suffix}", (g, input_size)), Weight(f"weight_hh{suffix}", (g, self.state_size))]
        if self.bias:
            out += [Weight(f"bias_ih{suffix}", (g,)), Weight(f"bias_hh{suffix}", (g,))]
        if p:
            out.append(Weight(f"weight_hr{suffix}", (p, h)))
        return out

    def cell(self, i) -> object:
        """One cell: ``G · (H (i + H) + 2H)``, plus ``P H`` for a projection."""
        h = Sym("H", self.hidden_size)
        state = Sym("P", self.proj_size) if self.proj_size else h
        block = h * (i + state) + 2 * h if self.bias else h * (i + state)
        count = block if self.gates == 1 else self.gates * block
        return count + state * h if self.proj_size else count


class _Recurrent(_Gates):
    def check(self) -> None:
        if self.proj_size >= self.hidden_size:
            self.fail(f"proj_size ({self.proj_size}) must be smaller than hidden_size ({self.hidden_size})",
                      kind="argument", arg="proj_size")

    def module_count(self) -> int:
        return self.num_layers * self.directions  # one cell per layer and direction

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def layer_input(self, layer: int) -> int:
        return self.input_size if layer == 0 else self.directions * self.state_size

    def own_weights(self):
        return [w for layer in range(self.num_layers) for direction in ("", "_reverse")[:self.directions]
                for w in self.cell_weights(f"_l{layer}{direction}", self.layer_input(layer))]

    def derivation(self, input_shape=None):
        first = self.cell(Sym("i", self.input_size))
        if self.num_layers == 1 and self.directions == 1:
            return [Step("N", first, "input-hidden and hidden-hidden weights, two biases")]
        steps = [Step("N_1", first, "layer 1, one direction")]
        n1 = Sym("N_1", first.value)
        total = n1
        if self.num_layers > 1:
            state = Sym("P", self.proj_size) if self.proj_size else Sym("H", self.hidden_size)
            upper = self.cell(Sym("D", 2) * state if self.directions == 2 else state)
            steps.append(Step("N_2", upper, "each later layer, one direction (input D · H wide)"
                              if self.directions == 2 else "each later layer (input H wide)"))
            total = n1 + (Sym("L", self.num_layers) - 1) * Sym("N_2", upper.value)
        if self.directions == 2:
            total = Sym("D", 2) * total
        steps.append(Step("N", total, "all layers and directions"))
        return steps

    def output_shape(self, shape):
        self.require_ranks(shape, (2, 3), "(L, N, H_in), (N, L, H_in) with batch_first, or unbatched (L, H_in)")
        self.expect_size(shape, -1, self.input_size, "input_size features (last axis)", arg="input_size")
        return (*shape[:-1], self.directions * self.state_size)

    def shape_derivation(self, input_shape):
        if self.directions == 1:
            return []
        h = Sym("P", self.proj_size) if self.proj_size else Sym("H", self.hidden_size)
        return [Step("H_out", Sym("D", 2) * h, "both directions' outputs side by side")]


@register
class RNN(_Recurrent):
    input_size = Arg(a.positive_int)
    hidden_size = Arg(a.positive_int)
    num_layers = Arg(a.positive_int, 1)
    nonlinearity = Arg(a.one_of("tanh", "relu"), "tanh")
    bias = Arg(a.boolean, True)
    batch_first = Arg(a.boolean, False)
    dropout = Arg(probability, 0.0)
    bidirectional = Arg(a.boolean, False)


class _Gated(_Recurrent):
    """GRU and LSTM: the same arguments (no nonlinearity), and more gate blocks."""

    input_size = Arg(a.positive_int)
    hidden_size = Arg(a.positive_int)
    num_layers = Arg(a.positive_int, 1)
    bias = Arg(a.boolean, True)
    batch_first = Arg(a.boolean, False)
    dropout = Arg(probability, 0.0)
    bidirectional = Arg(a.boolean, False)


@register
class GRU(_Gated):
    gates = 3


@register
class LSTM(_Gated):
    gates = 4
    proj_size = Arg(a.non_negative_int, 0)



class _Cell(_Gates):
    """One step of a recurrent cell: (N, input_size) in, (N, hidden_size) out (an LSTMCell's h)."""

    def own_weights(self):
        return self.cell_weights("", self.input_size)

    def derivation(self, input_shape=None):
        return [Step("N", self.cell(Sym("i", self.input_size)), "input-hidden and hidden-hidden weights, two biases")]

    def output_shape(self, shape):
        self.require_ranks(shape, (1, 2), "(N, input_size) or unbatched (input_size)")
        self.expect_size(shape, -1, self.input_size, "input_size features (last axis)", arg="input_size")
        return (*shape[:-1], self.hidden_size)


@register
class RNNCell(_Cell):
    input_size = Arg(a.positive_int)
    hidden_size = Arg(a.positive_int)
    bias = Arg(a.boolean, True)
    nonlinearity = Arg(a.one_of("tanh", "relu"), "tanh")


class _GatedCell(_Cell):
    input_size = Arg(a.positive_int)
    hidden_size = Arg(a.positive_int)
    bias = Arg(a.boolean, True)


@register
class GRUCell(_GatedCell):
    gates = 3


@register
class LSTMCell(_GatedCell):
    gates = 4

"""What every PyTorch module shares: the framework tag, the catalogue, submodules.

A PyTorch module states its own sizes (``nn.Linear(784, 128)``), so its weights never
depend on the input: ``weights()`` ignores the input shape and counts work without one.
The input shape only decides the output shape and whether the module fits its input.
Shapes carry the batch dimension first (``None``), channels next, as PyTorch lays out
tensors.
"""

from __future__ import annotations

from typing import ClassVar

from ...errors import ParamsError
from ..expr import Num, Step, Sym, total
from ..layer import ArgError, Layer, Weight, format_shape

#: Every torch.nn module class by its class name (``Linear``, ``Conv2d``).
CATALOGUE: dict[str, type[TorchLayer]] = {}

#: Factory keyword arguments every module with parameters takes; they change no count.
FACTORY = frozenset({"device", "dtype"})


class TorchLayer(Layer):
    """A torch.nn module: its own parameters and buffers, and its registered submodules."""

    framework = "pytorch"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        #: Registered child modules by attribute name, in registration order (as
        #: ``named_children()`` lists them); composite modules fill it in ``check()``.
        self.submodules: dict[str, TorchLayer] = {}

    # -- weights ------------------------------------------------------------------------
    def own_weights(self) -> list[Weight]:
        """This module's own parameters and buffers (not its submodules'), as PyTorch names them."""
        return []

    def weights(self, input_shape=None) -> list[Weight]:
        """``named_parameters()`` then ``named_buffers()``: own entries first, then each
        submodule's under its attribute name (``self_attn.in_proj_weight``)."""
        params, buffers = [], []
        for w in self.own_weights():
            if w.buffer:
                buffers.append(Weight(w.name, w.shape, False, True))
            else:
                params.append(w if self.trainable else w.frozen())
        for name, child in self.submodules.items():
            for w in child.weights():
                (buffers if w.buffer else params).append(w.renamed(f"{name}."))
        return params + buffers

    def param_count(self) -> int:
        return sum(w.size for w in self.weights() if not w.buffer)

    def requires_grad_(self, requires_grad: bool) -> None:
        """``module.requires_grad_(flag)``: sets the flag on every parameter, submodules included."""
        self.trainable = requires_grad
        for child in self.submodules.values():
            child.requires_grad_(requires_grad)

    def module_count(self) -> int:
        """How many modules this one stands for, itself and its submodules included: what the
        limit on a model's size counts (a 1,000-layer transformer stack is thousands)."""
        return 1 + sum(child.module_count() for child in self.submodules.values())

    def count_sym(self, symbol: str) -> Sym:
        """This module's parameter count as a named quantity, for a parent's derivation."""
        return Sym(symbol, self.param_count())

    def parts_derivation(self, parts: list[tuple[str, TorchLayer]], label: str = "") -> list[Step]:
        """A composite's count: one line per part with parameters, then their sum.

        A part with a one-line formula shows it (``N_0 = o (i + 1)``); a part that is itself
        composite shows its total, since its own lines use its own symbols.
        """
        steps, terms = [], []
        for symbol, part in parts:
            sub = part.derivation(None)
            if not sub:
                continue
            expr = sub[0].expr if len(sub) == 1 else Num(sub[-1].value)
            steps.append(Step(symbol, expr, sub[-1].label if len(sub) == 1 else part.type_name))
            terms.append(Sym(symbol, sub[-1].value))
        if len(terms) == 1:
            return [Step("N", steps[0].expr, steps[0].label)]
        return steps + [Step("N", total(terms), label)] if terms else []

    # -- shapes -------------------------------------------------------------------------
    def expect_size(self, shape, axis: int, expected: int, what: str, arg: str | None = None) -> None:
        """A size the module states (``in_features``) must match its input, as PyTorch checks
        at run time; unknown input sizes pass."""
        got = shape[axis]
        if got is not None and got != expected:
            self.fail(f"expects {what} of size {expected}, but its input {format_shape(shape)} has {got}",
                      arg=arg, hint=f"the module before it produces {got}; make the two sizes agree")

    def require_ranks(self, shape, ranks: tuple[int, ...], layout: str) -> None:
        """The input must have one of ``ranks`` (batch included); ``layout`` names the axes."""
        if len(shape) not in ranks:
            expected = " or ".join(str(r) for r in ranks)
            self.fail(f"expects an input of rank {expected} {layout}, got shape {format_shape(shape)}",
                      hint="input_shape is one sample without the batch, channels first, e.g. (3, 32, 32)")

    # -- argument conversion that needs the class (rank) ---------------------------------
    def converted(self, name: str, convert):
        """Convert argument ``name`` with a converter chosen after binding (per rank)."""
        try:
            return convert(getattr(self, name))
        except ArgError as exc:
            raise ParamsError(f"{self.type_name}(): {name} {exc}", kind="argument",
                              location=self.arg_location(name), hint=exc.hint) from None

    def make(self, cls: type[TorchLayer], **values) -> TorchLayer:
        """A submodule this module builds itself (``self.linear1 = Linear(d_model, ...)``)."""
        return cls.bind([], values, location=self.location)


def register(*classes):
    """Add module classes to the PyTorch catalogue (as a decorator, or called with several)."""
    for cls in classes:
        CATALOGUE[cls.type_name] = cls
    return classes[0] if len(classes) == 1 else classes


#: Names of the spatial axes of 1-, 2- and 3-dimensional modules (``L``, ``H × W``, ``D × H × W``),
#: used as subscripts in shape derivations (``n_h``, ``k_w``) and as the derived symbol (``h_out``).
AXES = {1: ("l",), 2: ("h", "w"), 3: ("d", "h", "w")}


def subscripts(rank: int) -> tuple[str, ...]:
    """Subscripts for the shared shape formulas: none for one axis, ``h``/``w``/``d`` otherwise."""
    return ("",) if rank == 1 else AXES[rank]


def axis_steps(rank: int, lengths) -> list[Step]:
    """One derivation line per spatial axis whose output length has a formula."""
    return [Step(f"{axis}_out", expr, f"output {axis}") for axis, expr in zip(AXES[rank], lengths)
            if expr is not None]


def spatial_value(expr) -> int | None:
    return None if expr is None else expr.value


def window_padding(p: int):
    """An axis's zero padding for the shared window formula; none gives the formula without a
    padding term, ``⌊(n − k) / s⌋ + 1``."""
    return p or "valid"


class Spatial(TorchLayer):
    """A module acting on the last ``rank`` axes of a (N, C, *spatial) or (C, *spatial) input:
    pooling and padding; the leading axes pass through."""

    rank: ClassVar[int] = 2
    #: Whether an axis may come out with size 0 (constant padding that crops everything).
    allow_empty: ClassVar[bool] = False

    def require_spatial(self, shape) -> None:
        names = ", ".join(x.upper() for x in AXES[self.rank])
        self.require_ranks(shape, (self.rank + 1, self.rank + 2), f"(N, C, {names}) or (C, {names})")

    def output_shape(self, shape):
        self.require_spatial(shape)
        lead = len(shape) - self.rank
        sizes = self.output_lengths(shape[lead:])
        for axis, n in zip(AXES[self.rank], sizes):
            if n is not None and n < (0 if self.allow_empty else 1):
                self.fail(f"its output would be empty ({axis}_out = {n}) on the input {format_shape(shape)}",
                          hint="the input is too small for this window, stride and padding")
        return (*shape[:lead], *sizes)

    def lengths(self, spatial) -> list:
        """Each spatial axis's output length as an expression; None where there is no formula."""
        return [None] * self.rank

    def output_lengths(self, spatial) -> list:
        return [spatial_value(e) for e in self.lengths(spatial)]

    def shape_derivation(self, input_shape):
        if input_shape is None or len(input_shape) not in (self.rank + 1, self.rank + 2):
            return []
        return axis_steps(self.rank, self.lengths(input_shape[-self.rank:]))

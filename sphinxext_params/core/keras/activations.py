"""Keras activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax.

Only PReLU has weights: a learned slope ``alpha`` for each input value, shared along
``shared_axes``.
"""

from __future__ import annotations

from .. import args as a
from ..expr import Num, Step, Sym, product
from ..layer import Arg, ArgError, Weight, format_shape
from .base import KerasLayer, register

non_negative = a.number_in(0)


@register
class ReLU(KerasLayer):
    max_value = Arg(a.optional(non_negative), None)
    negative_slope = Arg(non_negative, 0.0)
    threshold = Arg(non_negative, 0.0)


@register
class LeakyReLU(KerasLayer):
    negative_slope = Arg(non_negative, 0.3)
    # Keras 2's name for negative_slope, still accepted (with a deprecation warning).
    alpha = Arg(a.optional(non_negative), None, keyword_only=True)

    def check(self) -> None:
        if self.alpha is not None:
            self.negative_slope = self.alpha


@register
class ELU(KerasLayer):
    alpha = Arg(a.number, 1.0)


@register
class Softmax(KerasLayer):
    axis = Arg(a.axes, -1)


def shared_axes(v):
    if v is None:
        return None
    try:
        return a.axes(v)
    except ArgError:
        raise ArgError(f"must be an axis or a tuple of axes, not {v!r}",
                       hint="write e.g. shared_axes=[1, 2] to share the slope over height and width") from None


@register
class PReLU(KerasLayer):
    """``max(x, 0) + alpha · min(x, 0)`` with one learned alpha per input value,
    except along ``shared_axes``, where one alpha serves the whole axis."""

    alpha_initializer = Arg(a.anything, "zeros")
    alpha_regularizer = Arg(a.anything, None)
    alpha_constraint = Arg(a.anything, None)
    shared_axes = Arg(shared_axes, None)

    def shared_positions(self, shape) -> set[int]:
        """Which entries of the alpha shape (the input's without the batch) are shared.

        Keras sets entry ``axis − 1`` of that list with Python's indexing, so axis 0 and
        negative axes land on the last entries; we follow it.
        """
        count = len(shape) - 1
        positions = set()
        for axis in self.shared_axes or ():
            if not -count <= axis - 1 < count:
                self.fail(f"shared_axes={list(self.shared_axes)} names axis {axis}, but the input "
                          f"{format_shape(shape)} has axes 1 to {count} after the batch",
                          kind="argument", arg="shared_axes")
            positions.add((axis - 1) % count)
        return positions

    def weights(self, shape):
        shared = self.shared_positions(shape)
        sizes = [1 if i in shared else d for i, d in enumerate(shape[1:])]
        if None in sizes:
            self.fail(f"needs a known size on every axis it does not share, but the input shape is "
                      f"{format_shape(shape)}", hint="give the Input's full shape, or list the unknown axes "
                      "in shared_axes")
        return [Weight("alpha", tuple(sizes))]

    def derivation(self, shape):
        shared = self.shared_positions(shape)
        own = [Sym(f"d_{i + 1}", d) for i, d in enumerate(shape[1:]) if i not in shared]
        return [Step("N", product(own) if own else Num(1))]

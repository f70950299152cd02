"""Keras merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate
and Dot.  Each is called on a list of tensors (``Add()([x, y])``) and has no weights."""

from __future__ import annotations

from .. import args as a
from ..expr import Step, Sym, total
from ..layer import Arg, ArgError, format_shape
from .base import KerasLayer, register


def _shapes_text(shapes) -> str:
    return ", ".join(format_shape(s) for s in shapes)


class Merge(KerasLayer):
    """A layer called on a list of tensors."""

    inputs = "many"
    #: How many tensors the list must hold (None: any number).
    arity: int | None = None

    def check_count(self, shapes) -> None:
        if self.arity is not None and len(shapes) != self.arity:
            self.fail(f"is called on exactly {self.arity} tensors, got {len(shapes)}",
                      hint=f"write {self.type_name}()([x, y])")

    def batch_size(self, shapes):
        """The batch size the inputs agree on (None when all are unknown)."""
        sizes = {s[0] for s in shapes if s} - {None}
        if len(sizes) > 1:
            self.fail(f"cannot merge tensors with different batch sizes: {_shapes_text(shapes)}")
        return sizes.pop() if sizes else None


class Elementwise(Merge):
    """Element-wise merges broadcast the inputs' shapes without their batch axis, as NumPy
    does: aligned from the right, a size 1 stretches to the other size, an unknown size
    stays unknown, and any other pair of different sizes is an error.  The longer shape's
    leading axes are kept."""

    def broadcast(self, left: tuple, right: tuple, shapes) -> tuple:
        if len(left) < len(right):
            left, right = right, left
        if not right:
            return left
        out = list(left[:len(left) - len(right)])
        for i, j in zip(left[len(left) - len(right):], right):
            if i is None or j is None:
                out.append(None)
            elif i == 1 or j == 1:
                out.append(j if i == 1 else i)
            elif i != j:
                self.fail(f"cannot combine sizes {i} and {j} element-wise; the inputs have shapes "
                          f"{_shapes_text(shapes)}", hint="the sizes must match, or one of them must be 1")
            else:
                out.append(i)
        return tuple(out)

    def output_shape(self, shapes):
        self.check_count(shapes)
        batch = self.batch_size(shapes)
        out = tuple(shapes[0][1:])
        for shape in shapes[1:]:
            out = self.broadcast(out, tuple(shape[1:]), shapes)
        return (batch, *out)


@register
class Add(Elementwise):
    pass


@register
class Subtract(Elementwise):
    arity = 2


@register
class Multiply(Elementwise):
    pass


@register
class Average(Elementwise):
    pass


@register
class Maximum(Elementwise):
    pass


@register
class Minimum(Elementwise):
    pass


@register
class Concatenate(Merge):
    """Joins the inputs along ``axis``; every other axis must agree where its sizes are
    known (the batch axis included)."""

    axis = Arg(a.axis, -1)

    def others(self, shape) -> tuple:
        """The shape without the concatenation axis, as Keras compares them.

        (Keras removes a positive axis only when the shape has it, and removes a negative
        one counting from the end.)"""
        rest = list(shape)
        if self.axis >= 0 and self.axis >= len(rest):
            return tuple(rest)
        if self.axis < -len(rest):
            self.fail(f"axis {self.axis} is out of bounds for the input shape {format_shape(shape)}", arg="axis")
        del rest[self.axis]
        return tuple(rest)

    def output_shape(self, shapes):
        rests = {self.others(s) for s in shapes}
        if len(rests) > 1:
            if len({len(r) for r in rests}) > 1:
                self.fail(f"needs inputs of the same rank, got {_shapes_text(shapes)}",
                          hint="reshape the inputs to the same number of axes")
            for sizes in zip(*rests):
                if len(set(sizes) - {None}) > 1:
                    self.fail(f"needs inputs whose shapes match except on axis {self.axis}, got "
                              f"{_shapes_text(shapes)}", hint="use the axis along which the shapes differ")
        for shape in shapes:
            if not -len(shape) <= self.axis < len(shape):
                self.fail(f"axis {self.axis} is out of bounds for the input shape {format_shape(shape)}",
                          arg="axis")
        out = list(shapes[0])
        sizes = [s[self.axis] for s in shapes]
        out[self.axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def shape_derivation(self, shapes):
        sizes = [s[self.axis] for s in shapes if -len(s) <= self.axis < len(s)]
        if len(shapes) < 2 or len(sizes) != len(shapes) or None in sizes:
            return []
        return [Step("n_out", total([Sym(f"n_{i + 1}", n) for i, n in enumerate(sizes)]),
                     f"size of axis {self.axis}")]


def dot_axes(v):
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                                            for x in v):
        return tuple(v)
    raise ArgError(f"must be an axis or a pair of axes, not {v!r}")


@register
class Dot(Merge):
    """The dot product of two tensors along ``axes`` (one axis per input), per sample: the
    result keeps the first input's other axes, then the second's other non-batch axes."""

    axes = Arg(dot_axes)
    normalize = Arg(a.boolean, False)
    arity = 2

    def pair(self, first, second) -> tuple[int, int]:
        """The two contracted axes; a negative int counts from each input's end."""
        if isinstance(self.axes, tuple):
            pair = self.axes
        elif self.axes < 0:
            pair = (self.axes % len(first), self.axes % len(second))
        else:
            pair = (self.axes, self.axes)
        for axis, shape in zip(pair, (first, second)):
            if not -len(shape) <= axis < len(shape):
                self.fail(f"axis {axis} is out of bounds for the input shape {format_shape(shape)}", arg="axes")
        return pair

    def output_shape(self, shapes):
        self.check_count(shapes)
        first, second = shapes
        i, j = self.pair(first, second)
        if first[i] != second[j]:
            self.fail(f"cannot contract axis {i} of size {first[i]} with axis {j} of size {second[j]} "
                      f"(input shapes {_shapes_text(shapes)})", hint="the contracted sizes must be equal and known")
        left = [d for k, d in enumerate(first) if k != i % len(first)]
        right = [d for k, d in enumerate(second) if k != j % len(second)][1:]
        out = left + right
        return tuple(out + [1] if len(out) == 1 else out)


#: Keras's functional forms, ``add([x, y])`` for ``Add()([x, y])``: the layer class and the
#: function's own defaults (``dot`` has ``axes=-1``, which ``Dot`` requires); the other
#: arguments (``axis``, ``axes``, ``name``) go to the layer.
MERGE_FUNCTIONS = {"add": (Add, {}), "subtract": (Subtract, {}), "multiply": (Multiply, {}),
                   "average": (Average, {}), "maximum": (Maximum, {}), "minimum": (Minimum, {}),
                   "concatenate": (Concatenate, {}), "dot": (Dot, {"axes": -1})}

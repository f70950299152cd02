"""torch.nn padding modules: Zero, Constant, Reflection, Replication and Circular, 1d to 3d.

``padding`` is an int (every side) or ``2 · rank`` ints starting with the *last* axis:
``(left, right, top, bottom, front, back)``.  Constant (and zero) padding may be
negative, which crops, as ``F.pad`` allows.
"""

from __future__ import annotations

from typing import ClassVar

from .. import args as a
from ..layer import Arg, ArgError
from ..shapes import padded_length
from .base import AXES, Spatial, register, subscripts


def pad_sides(rank: int):
    """PyTorch's pad tuple, returned as (before, after) per spatial axis in axis order."""
    def convert(v):
        if isinstance(v, int) and not isinstance(v, bool):
            return ((v, v),) * rank
        if isinstance(v, (tuple, list)) and len(v) == 2 * rank and \
                all(isinstance(x, int) and not isinstance(x, bool) for x in v):
            pairs = [(v[2 * i], v[2 * i + 1]) for i in range(rank)]  # last axis first
            return tuple(reversed(pairs))
        raise ArgError(f"must be an integer or a tuple of {2 * rank} integers "
                       f"({', '.join(_SIDES[:2 * rank])}), not {v!r}")
    return convert


_SIDES = ("left", "right", "top", "bottom", "front", "back")


class Pad(Spatial):
    """A padding module; ``mode`` says how the new elements are filled, which decides the limits."""

    mode: ClassVar[str] = "constant"
    allow_empty = True  # PyTorch returns an empty axis when constant padding crops it all
    padding = Arg()

    def check(self) -> None:
        self.padding = self.converted("padding", pad_sides(self.rank))

    def lengths(self, spatial):
        return [padded_length(n, before, after, sub=sub)
                for n, (before, after), sub in zip(spatial, self.padding, subscripts(self.rank))]

    def output_lengths(self, spatial):
        for axis, n, (before, after) in zip(AXES[self.rank], spatial, self.padding):
            if n is None:
                continue
            for p in (before, after):
                if self.mode == "reflect" and p >= n:
                    self.fail(f"reflection padding ({p}) along {axis} must be smaller than the input size ({n})",
                              arg="padding", hint="a reflection cannot reach past the far edge")
                if self.mode == "circular" and p > n:
                    self.fail(f"circular padding ({p}) along {axis} must be at most the input size ({n})",
                              arg="padding", hint="circular padding cannot wrap around more than once")
            if self.mode == "constant" and n + before + after < 0:
                self.fail(f"the negative padding along {axis} crops more than the input's {n}", arg="padding")
        return super().output_lengths(spatial)


class ConstantPad(Pad):
    padding = Arg()
    value = Arg(a.number)


class ReflectionPad(Pad):
    mode = "reflect"
    allow_empty = False


class ReplicationPad(Pad):
    mode = "replicate"
    allow_empty = False


class CircularPad(Pad):
    mode = "circular"
    allow_empty = False


@register
class ZeroPad1d(Pad):
    rank = 1


@register
class ZeroPad2d(Pad):
    rank = 2


@register
class ZeroPad3d(Pad):
    rank = 3


@register
class ConstantPad1d(ConstantPad):
    rank = 1


@register
class ConstantPad2d(ConstantPad):
    rank = 2


@register
class ConstantPad3d(ConstantPad):
    rank = 3


@register
class ReflectionPad1d(ReflectionPad):
    rank = 1


@register
class ReflectionPad2d(ReflectionPad):
    rank = 2


@register
class ReflectionPad3d(ReflectionPad):
    rank = 3


@register
class ReplicationPad1d(ReplicationPad):
    rank = 1


@register
class ReplicationPad2d(ReplicationPad):
    rank = 2


@register
class ReplicationPad3d(ReplicationPad):
    rank = 3


@register
class CircularPad1d(CircularPad):
    rank = 1


@register
class CircularPad2d(CircularPad):
    rank = 2


@register
class CircularPad3d(CircularPad):
    rank = 3

"""Keras normalization layers: BatchNormalization, LayerNormalization, RMSNormalization,
GroupNormalization and UnitNormalization.

Each learns (or tracks) one value per feature along its normalized axis or axes; the
input shape passes through unchanged.
"""

from __future__ import annotations

from typing import ClassVar

from .. import args as a
from ..expr import Step, Sym, product
from ..layer import Arg, ArgError, Weight, format_shape
from .base import KerasLayer, register

#: Initializer, regularizer and constraint arguments of the normalization layers.
NORM_OPTIONS = KerasLayer.ignored | {
    "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
    "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint",
}


def axis_or_axes(v):
    """LayerNormalization's ``axis``: an int, or a list/tuple of ints (kept as a list)."""
    if isinstance(v, (list, tuple)):
        return list(a.axes(v))
    return a.axis(v)


def groups_value(v):
    """GroupNormalization's ``groups``: a positive int, or -1 for one group per channel."""
    if isinstance(v, int) and not isinstance(v, bool) and (v > 0 or v == -1):
        return v
    raise ArgError(f"must be a positive integer or -1 (one group per channel), not {v!r}")


class Normalization(KerasLayer):
    """What the normalization layers share: an axis (or axes) that must exist in the input,
    whose sizes give the shape of each per-feature weight."""

    ignored = NORM_OPTIONS
    #: The symbol for the size of one normalized axis in derivations.
    feature_symbol: ClassVar[str] = "d"

    def axes_list(self) -> list[int]:
        """The normalized axes in the order Keras indexes them (a list is sorted first)."""
        return sorted(self.axis) if isinstance(self.axis, list) else [self.axis]

    def output_shape(self, shape):
        rank = len(shape)
        for axis in self.axes_list():
            if not -rank <= axis < rank:
                self.fail(f"axis {axis} is out of bounds for an input of rank {rank} "
                          f"(shape {format_shape(shape)})", arg="axis",
                          hint=f"use an axis from {-rank} to {rank - 1}")
        return shape

    def feature_shape(self, shape) -> tuple[int, ...]:
        """The shape of each per-feature weight: the input's sizes on the normalized axes."""
        self.output_shape(shape)
        return tuple(self.known(shape, axis, f"the normalized axis {axis}") for axis in self.axes_list())

    def feature_size(self, shape):
        """``d`` for one axis, ``d_1 d_2`` for several: the number of values per weight."""
        dims = self.feature_shape(shape)
        if len(dims) == 1:
            return Sym(self.feature_symbol, dims[0])
        if not dims:
            return Sym(self.feature_symbol, 1)
        return product([Sym(f"{self.feature_symbol}_{i + 1}", d) for i, d in enumerate(dims)])

    def vector_names(self) -> list[tuple[str, bool]]:
        """The per-feature weights as (name, trainable), in the order Keras creates them."""
        return []

    def weights(self, shape):
        vectors = self.vector_names()
        if not vectors:  # nothing to size, so the normalized axes may be unknown
            self.output_shape(shape)
            return []
        dims = self.feature_shape(shape)
        return [Weight(name, dims, trainable) for name, trainable in vectors]

    def derivation(self, shape):
        vectors = self.vector_names()
        if not vectors:
            return []
        labels = ", ".join(name for name, _ in vectors)
        size = self.feature_size(shape)
        return [Step("N", size if len(vectors) == 1 else len(vectors) * size, f"one value per feature for {labels}")]


@register
class BatchNormalization(Normalization):
    """Normalizes over the batch: γ and β are learned; the moving mean and variance are
    statistics updated during training, so Keras counts them as non-trainable."""

    feature_symbol = "C"
    axis = Arg(a.axis, -1)
    momentum = Arg(a.number, 0.99)
    epsilon = Arg(a.number, 1e-3)
    center = Arg(a.boolean, True)
    scale = Arg(a.boolean, True)
    beta_initializer = Arg(a.anything, "zeros")
    gamma_initializer = Arg(a.anything, "ones")
    moving_mean_initializer = Arg(a.anything, "zeros")
    moving_variance_initializer = Arg(a.anything, "ones")
    beta_regularizer = Arg(a.anything, None)
    gamma_regularizer = Arg(a.anything, None)
    beta_constraint = Arg(a.anything, None)
    gamma_constraint = Arg(a.anything, None)
    renorm = Arg(a.boolean, False)
    renorm_clipping = Arg(a.anything, None)
    renorm_momentum = Arg(a.number, 0.99)
    synchronized = Arg(a.boolean, False)

    def check(self) -> None:
        if self.synchronized:
            self.fail("synchronized=True needs the TensorFlow backend", kind="argument", arg="synchronized",
                      hint="leave synchronized=False; it changes no count")

    def vector_names(self):
        out = []
        if self.scale:
            out.append(("gamma", True))
        if self.center:
            out.append(("beta", True))
        out += [("moving_mean", False), ("moving_variance", False)]
        if self.renorm:  # batch renormalization tracks three more statistics
            out += [("moving_stddev", False), ("renorm_mean", False), ("renorm_stddev", False)]
        return out

    def derivation(self, shape):
        c = self.feature_size(shape)
        learned = [n for n, t in self.vector_names() if t]
        tracked = [n for n, t in self.vector_names() if not t]
        steps = []
        if learned:
            steps.append(Step("N_trainable", c if len(learned) == 1 else len(learned) * c,
                              "learned: " + ", ".join(learned)))
        steps.append(Step("N_non_trainable", len(tracked) * c, "statistics: " + ", ".join(tracked)))
        steps.append(Step("N", len(self.vector_names()) * c, "total"))
        return steps


@register
class LayerNormalization(Normalization):
    """Normalizes each sample over its feature axis (or axes), then scales by γ and
    shifts by β, each shaped like those axes."""

    axis = Arg(axis_or_axes, -1)
    epsilon = Arg(a.number, 1e-3)
    center = Arg(a.boolean, True)
    scale = Arg(a.boolean, True)
    beta_initializer = Arg(a.anything, "zeros")
    gamma_initializer = Arg(a.anything, "ones")
    beta_regularizer = Arg(a.anything, None)
    gamma_regularizer = Arg(a.anything, None)
    beta_constraint = Arg(a.anything, None)
    gamma_constraint = Arg(a.anything, None)
    #: Deprecated in Keras 3 (taken from **kwargs); it keeps γ and drops β.
    rms_scaling = Arg(a.boolean, False, keyword_only=True)

    def vector_names(self):
        out = []
        if self.scale or self.rms_scaling:
            out.append(("gamma", True))
        if self.center and not self.rms_scaling:
            out.append(("beta", True))
        return out


@register
class RMSNormalization(Normalization):
    """Scales each sample by the inverse root mean square of its features, times ``scale``."""

    axis = Arg(axis_or_axes, -1)
    epsilon = Arg(a.number, 1e-6)

    def vector_names(self):
        return [("scale", True)]


@register
class GroupNormalization(Normalization):
    """Normalizes groups of channels; γ and β still hold one value per channel."""

    feature_symbol = "C"
    groups = Arg(groups_value, 32)
    axis = Arg(a.axis, -1)
    epsilon = Arg(a.number, 1e-3)
    center = Arg(a.boolean, True)
    scale = Arg(a.boolean, True)
    beta_initializer = Arg(a.anything, "zeros")
    gamma_initializer = Arg(a.anything, "ones")
    beta_regularizer = Arg(a.anything, None)
    gamma_regularizer = Arg(a.anything, None)
    beta_constraint = Arg(a.anything, None)
    gamma_constraint = Arg(a.anything, None)

    def feature_shape(self, shape):
        (channels,) = super().feature_shape(shape)
        groups = channels if self.groups == -1 else self.groups
        if channels < groups:
            self.fail(f"has {groups} groups but only {channels} channels on axis {self.axis}",
                      arg="groups", hint="use at most as many groups as channels")
        if channels % groups:
            self.fail(f"cannot split {channels} channels into {groups} equal groups", arg="groups",
                      hint=f"choose groups that divide {channels}, e.g. "
                           + ", ".join(str(g) for g in _divisors(channels)[-4:]))
        return (channels,)

    def vector_names(self):
        out = []
        if self.scale:
            out.append(("gamma", True))
        if self.center:
            out.append(("beta", True))
        return out

    def weights(self, shape):
        self.feature_shape(shape)  # the groups are checked even when there is nothing to learn
        return super().weights(shape)


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@register
class UnitNormalization(Normalization):
    """Divides each sample by its L2 norm over ``axis``; no weights."""

    axis = Arg(axis_or_axes, -1)

    def weights(self, shape):
        return []

"""torch.nn normalization: BatchNorm, InstanceNorm, LayerNorm, GroupNorm, RMSNorm,
LocalResponseNorm.

PyTorch keeps the running statistics as *buffers*, not parameters: a BatchNorm2d(C)
has 2C parameters (``weight`` γ, ``bias`` β) and 2C + 1 buffers (``running_mean``,
``running_var``, ``num_batches_tracked``), where Keras's BatchNormalization reports
4C weights of which 2C are non-trainable.
"""

from __future__ import annotations

from typing import ClassVar

from .. import args as a
from ..expr import Step, Sym, product
from ..layer import Arg, ArgError, Weight, format_shape
from .base import AXES, FACTORY, TorchLayer, register


class _Affine(TorchLayer):
    """A per-channel scale ``weight`` (γ) and shift ``bias`` (β), when ``affine``; PyTorch 2.13's
    keyword-only ``bias=False`` keeps only the scale."""

    ignored = FACTORY
    channels_arg: ClassVar[str] = "num_features"

    @property
    def channels(self) -> int:
        return getattr(self, self.channels_arg)

    def own_weights(self):
        if not self.affine:
            return []
        c = self.channels
        return [Weight("weight", (c,))] + ([Weight("bias", (c,))] if self.bias else [])

    def derivation(self, input_shape=None):
        if not self.affine:
            return []
        c = Sym("C", self.channels)
        if self.bias:
            return [Step("N", 2 * c, "weight γ and bias β, C each")]
        return [Step("N", c, "weight γ, one per channel")]


class _Norm(_Affine):
    """BatchNorm and InstanceNorm: the affine parameters and, when tracked, running statistics."""

    num_features = Arg(a.positive_int)
    eps = Arg(a.number, 1e-5)
    momentum = Arg(a.optional(a.number), 0.1)

    def own_weights(self):
        out = super().own_weights()
        if self.track_running_stats:
            c = self.num_features
            out += [Weight("running_mean", (c,), buffer=True), Weight("running_var", (c,), buffer=True),
                    Weight("num_batches_tracked", (), buffer=True)]
        return out


class BatchNorm(_Norm):
    affine = Arg(a.boolean, True)
    track_running_stats = Arg(a.boolean, True)
    bias = Arg(a.boolean, True, keyword_only=True)
    #: Input ranks (batch included) and how the axes are laid out.
    ranks: ClassVar[tuple[int, ...]] = (4,)
    layout: ClassVar[str] = "(N, C, H, W)"

    def output_shape(self, shape):
        self.require_ranks(shape, self.ranks, self.layout)
        self.expect_size(shape, 1, self.num_features, "num_features channels (axis 1)", arg="num_features")
        return shape


@register
class BatchNorm1d(BatchNorm):
    ranks = (2, 3)
    layout = "(N, C) or (N, C, L)"


@register
class BatchNorm2d(BatchNorm):
    pass


@register
class BatchNorm3d(BatchNorm):
    ranks = (5,)
    layout = "(N, C, D, H, W)"


class InstanceNorm(_Norm):
    """Normalizes each sample's channel over its spatial axes; an unbatched input works too."""

    affine = Arg(a.boolean, False)
    track_running_stats = Arg(a.boolean, False)
    bias = Arg(a.boolean, True, keyword_only=True)
    rank: ClassVar[int] = 2

    def output_shape(self, shape):
        spatial = ", ".join(axis.upper() for axis in AXES[self.rank])
        self.require_ranks(shape, (self.rank + 1, self.rank + 2), f"(N, C, {spatial}) or (C, {spatial})")
        if self.affine or self.track_running_stats:  # otherwise PyTorch only warns
            self.expect_size(shape, len(shape) - self.rank - 1, self.num_features, "num_features channels",
                             arg="num_features")
        return shape


@register
class InstanceNorm1d(InstanceNorm):
    rank = 1


@register
class InstanceNorm2d(InstanceNorm):
    rank = 2


@register
class InstanceNorm3d(InstanceNorm):
    rank = 3


def normalized_shape(v):
    shape = a.shape(v, allow_none=False)
    if not shape:
        raise ArgError("must hold at least one size", hint="normalized_shape is the trailing part of the input "
                                                             "shape, e.g. 512 for 512 features")
    return shape


class _LastAxesNorm(TorchLayer):
    """Normalizes over the last axes, which must equal ``normalized_shape``."""

    ignored = FACTORY

    def output_shape(self, shape):
        k = len(self.normalized_shape)
        if len(shape) < k + 1 or any(n is not None and n != m for n, m in zip(shape[-k:], self.normalized_shape)):
            self.fail(f"normalizes over the last axes {tuple(self.normalized_shape)} (normalized_shape), but its "
                      f"input is {format_shape(shape)}", arg="normalized_shape",
                      hint="normalized_shape is the trailing part of the input shape, e.g. the features")
        return shape

    def size_expr(self):
        if len(self.normalized_shape) == 1:
            return Sym("d", self.normalized_shape[0])
        return product([Sym(f"d_{i + 1}", n) for i, n in enumerate(self.normalized_shape)])


@register
class LayerNorm(_LastAxesNorm):
    normalized_shape = Arg(normalized_shape)
    eps = Arg(a.number, 1e-5)
    elementwise_affine = Arg(a.boolean, True)
    bias = Arg(a.boolean, True)

    def own_weights(self):
        if not self.elementwise_affine:
            return []
        out = [Weight("weight", self.normalized_shape)]
        if self.bias:
            out.append(Weight("bias", self.normalized_shape))
        return out

    def derivation(self, input_shape=None):
        if not self.elementwise_affine:
            return []
        if self.bias:
            return [Step("N", 2 * self.size_expr(), "weight γ and bias β over normalized_shape")]
        return [Step("N", self.size_expr(), "weight γ over normalized_shape")]


@register
class RMSNorm(_LastAxesNorm):
    normalized_shape = Arg(normalized_shape)
    eps = Arg(a.optional(a.number), None)
    elementwise_affine = Arg(a.boolean, True)

    def own_weights(self):
        return [Weight("weight", self.normalized_shape)] if self.elementwise_affine else []

    def derivation(self, input_shape=None):
        if not self.elementwise_affine:
            return []
        return [Step("N", self.size_expr(), "weight γ over normalized_shape")]


@register
class GroupNorm(_Affine):
    num_groups = Arg(a.positive_int)
    num_channels = Arg(a.positive_int)
    eps = Arg(a.number, 1e-5)
    affine = Arg(a.boolean, True)
    bias = Arg(a.boolean, True, keyword_only=True)
    channels_arg = "num_channels"

    def check(self):
        if self.num_channels % self.num_groups:
            self.fail(f"num_channels ({self.num_channels}) must be divisible by num_groups ({self.num_groups})",
                      kind="argument", arg="num_groups")

    def output_shape(self, shape):
        self.require_rank(shape, 2, at_least=True)
        self.expect_size(shape, 1, self.num_channels, "num_channels (axis 1)", arg="num_channels")
        return shape


@register
class LocalResponseNorm(TorchLayer):
    size = Arg(a.positive_int)
    alpha = Arg(a.number, 1e-4)
    beta = Arg(a.number, 0.75)
    k = Arg(a.number, 1.0)

    def output_shape(self, shape):
        self.require_rank(shape, 3, at_least=True)
        return shape



"""Output-size formulas of sliding-window layers, shared by every framework.

Each function takes the sizes along one spatial axis (ints; an unknown input size
``None`` gives ``None``) and returns an :class:`~.expr.Expr` built from named
quantities, so a layer's shape and its derivation come from the same tree::

    conv_output_length(224, 3).text()     ->  ⌊(n − k) / s⌋ + 1
    conv_output_length(224, 3).numbers()  ->  ⌊(224 − 3) / 1⌋ + 1          (value 222)

The symbols are ``n`` (input size), ``k`` (kernel or pool size), ``s`` (stride),
``d`` (dilation), ``p`` (padding on each side), ``p_out`` (output padding); pass
``sub="h"`` to get ``n_h``, ``k_h``, ... when several axes share one derivation.

``padding`` is a Keras padding mode (``"valid"``, ``"same"``, ``"causal"``; PyTorch's
``padding="valid"``/``"same"`` strings mean the same) or an explicit number of zeros
added on *each* side, as PyTorch's integer ``padding`` is.  The formulas here are the
frameworks' own; whether a combination is allowed (a size below 1, ``"same"`` with a
stride in PyTorch, ...) is for the layer to check, since the frameworks differ there.
"""

from __future__ import annotations

import functools

from .expr import Ceil, Div, Expr, Floor, Num, Sym, ceil_div


def _shared(formula):
    """Keep the expressions a formula made, by its arguments.

    The formulas are pure and their expressions never change, so layers asking the same
    question (every 3×3 "same" convolution of a 32×32 input in a CNN) share one answer.
    Arguments that cannot be a key (never the case for the layers' own values) are
    computed afresh, so the formula's own checks still speak.
    """
    cached = functools.lru_cache(maxsize=4096, typed=True)(formula)  # typed: 1 is not True

    @functools.wraps(formula)
    def shared(*args, **kwargs):
        try:
            return cached(*args, **kwargs)
        except TypeError:  # an unhashable argument
            return formula(*args, **kwargs)
    return shared


class _Names:
    """The symbols of one axis: ``n`` or ``n_h`` and so on."""

    def __init__(self, sub: str) -> None:
        self.sub = sub

    def __call__(self, base: str, value: int) -> Sym:
        if not self.sub:
            return Sym(base, value)
        # p_out on the height axis is p_out,h: one subscript, so LaTeX stays well formed.
        return Sym(f"{base},{self.sub}" if "_" in base else f"{base}_{self.sub}", value)


def _check_padding(padding) -> None:
    if isinstance(padding, bool) or not (isinstance(padding, int) or padding in ("valid", "same", "causal")):
        raise ValueError(f"padding must be 'valid', 'same', 'causal' or an int, not {padding!r}")


def _window_reach(sym: _Names, kernel: int, dilation: int) -> Expr:
    """The part of the input one window spans beyond its first element: ``d (k − 1)``.

    Subtracting it plus one is the textbook ``− d (k − 1) − 1``; without dilation the
    two terms fold into ``− k``, which is how the undilated formula is usually written.
    """
    return sym("d", dilation) * (sym("k", kernel) - 1)


def _minus_window(sym: _Names, top: Expr, kernel: int, dilation: int) -> Expr:
    """``top − k`` or, dilated, ``top − d (k − 1) − 1``: the room left for strides."""
    if dilation == 1:
        return top - sym("k", kernel)
    return top - _window_reach(sym, kernel, dilation) - 1


@_shared
def conv_output_length(n: int | None, kernel: int, stride: int = 1, dilation: int = 1,
                       padding="valid", *, ceil_mode: bool = False, sub: str = "") -> Expr | None:
    """The size along one axis after a convolution or pooling window slides over it.

    - ``"valid"`` (no padding): ``⌊(n − d (k − 1) − 1) / s⌋ + 1``, i.e. ``⌊(n − k) / s⌋ + 1``
      without dilation.
    - ``"same"`` and ``"causal"`` (Keras pads so that only the stride shrinks the axis):
      ``⌈n / s⌉`` (Keras writes it ``⌊(n − 1) / s⌋ + 1``, the same number).
    - an int ``p`` (PyTorch's zeros on both sides): ``⌊(n + 2p − d (k − 1) − 1) / s⌋ + 1``;
      ``ceil_mode=True`` (PyTorch pooling) rounds up instead, and then drops the last
      window if it would start beyond the input and its left padding, as PyTorch does:
      the expression gains a final ``− 1`` exactly when that happens.
    """
    _check_padding(padding)
    if n is None:
        return None
    sym = _Names(sub)
    size, s = sym("n", n), sym("s", stride)
    if padding in ("same", "causal"):
        return ceil_div(size, s)
    top = size if padding == "valid" else size + 2 * sym("p", padding)
    room = _minus_window(sym, top, kernel, dilation)
    if not ceil_mode:
        return Floor(Div(room, s)) + 1
    out = Ceil(Div(room, s)) + 1
    pad = 0 if padding == "valid" else padding
    if (out.value - 1) * stride >= n + pad:  # the last window would see only padding
        out = out - 1
    return out


@_shared
def pool_output_length(n: int | None, pool: int, stride: int | None = None, padding="valid", *,
                       dilation: int = 1, ceil_mode: bool = False, sub: str = "") -> Expr | None:
    """The size along one axis after pooling: a window slides just as a kernel does.

    The stride defaults to the pool size (Keras's ``strides=None``, PyTorch's
    ``stride=None``).  See :func:`conv_output_length` for the padding modes.
    """
    return conv_output_length(n, pool, pool if stride is None else stride, dilation, padding,
                              ceil_mode=ceil_mode, sub=sub)


@_shared
def deconv_output_length(n: int | None, kernel: int, stride: int = 1, dilation: int = 1,
                         padding="valid", output_padding: int | None = None, *,
                         sub: str = "") -> Expr | None:
    """The size along one axis after a transposed convolution.

    With an int ``p`` (PyTorch's ``ConvTranspose``): ``(n − 1) s − 2p + d (k − 1) + p_out + 1``
    (``output_padding=None`` leaves out the ``p_out`` term; PyTorch's default 0 adds 0).

    With Keras's modes, where ``K = d (k − 1) + 1`` is the dilated kernel size:

    - ``"valid"``: ``(n − 1) s + K + p_out``; without ``output_padding`` Keras takes
      ``p_out = max(K, s) − K``, so the size is ``(n − 1) s + K`` when ``K ≥ s`` and
      ``(n − 1) s + s = n s`` otherwise (each written in its own form);
    - ``"same"``: ``n s`` without ``output_padding``, else ``(n − 1) s + (K mod 2) + p_out``
      (the parity of ``K`` appears as its number, 0 or 1).
    """
    _check_padding(padding)
    if padding == "causal":
        raise ValueError("transposed convolutions take padding 'valid' or 'same', not 'causal'")
    if n is None:
        return None
    sym = _Names(sub)
    size, s = sym("n", n), sym("s", stride)
    spread = (size - 1) * s  # where the last input element's copy of the kernel starts
    window = dilation * (kernel - 1) + 1
    extra = None if output_padding is None else sym("p_out", output_padding)
    if isinstance(padding, int):
        out = spread - 2 * sym("p", padding) + _window_reach(sym, kernel, dilation)
        if extra is not None:
            out = out + extra
        return out + 1
    if padding == "same":
        if extra is None:
            return size * s
        return spread + Num(window % 2) + extra
    # "valid"
    kernel_expr = sym("k", kernel) if dilation == 1 else _window_reach(sym, kernel, dilation) + 1
    if extra is not None:
        return spread + kernel_expr + extra
    return spread + kernel_expr if window >= stride else size * s


@_shared
def padded_length(n: int | None, before: int, after: int, *, sub: str = "") -> Expr | None:
    """An axis with zeros added: ``n + p_l + p_r`` (ZeroPadding, PyTorch's pad layers)."""
    if n is None:
        return None
    sym = _Names(sub)
    return sym("n", n) + sym("p_l", before) + sym("p_r", after)


@_shared
def cropped_length(n: int | None, before: int, after: int, *, sub: str = "") -> Expr | None:
    """An axis with elements cut from both ends: ``n − c_l − c_r`` (Cropping layers)."""
    if n is None:
        return None
    sym = _Names(sub)
    return sym("n", n) - sym("c_l", before) - sym("c_r", after)


@_shared
def upsampled_length(n: int | None, factor: int, *, sub: str = "") -> Expr | None:
    """An axis with each element repeated ``f`` times: ``n f`` (UpSampling, nearest Upsample)."""
    if n is None:
        return None
    sym = _Names(sub)
    return sym("n", n) * sym("f", factor)

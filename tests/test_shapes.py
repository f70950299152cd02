"""core/shapes.py against the frameworks' own shape rules, over exhaustive small grids.

Keras's rules are its pure shape functions (``compute_conv_output_shape`` and friends);
PyTorch's are what its functional ops return on tiny tensors.
"""

from __future__ import annotations

import itertools
import warnings

import pytest

from sphinxext_params.core.shapes import (conv_output_length, cropped_length, deconv_output_length,
                                          padded_length, pool_output_length, upsampled_length)
from tests.oracle.keras_oracle import get_keras

SIZES, KERNELS, STRIDES, DILATIONS = range(1, 11), range(1, 5), range(1, 4), range(1, 3)


@pytest.fixture(scope="module")
def keras_rules():
    get_keras()
    from keras.src.backend.common.backend_utils import compute_conv_transpose_output_shape
    from keras.src.ops.operation_utils import compute_conv_output_shape, compute_pooling_output_shape
    return compute_conv_output_shape, compute_pooling_output_shape, compute_conv_transpose_output_shape


def keras_length(rule, *args, **kwargs):
    """The spatial size Keras computes for a (batch, n, channels) input, or None if it refuses."""
    try:
        return rule(*args, **kwargs)[1]
    except ValueError:
        return None


def ours(expr):
    """Our size, or None where Keras refuses (a size below 1)."""
    return expr.value if expr.value > 0 else None


def test_keras_conv(keras_rules):
    conv, _, _ = keras_rules
    for n, k, s, d, padding in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS, ["valid", "same", "causal"]):
        expected = keras_length(conv, (None, n, 3), 4, (k,), strides=s, padding=padding, dilation_rate=d)
        assert ours(conv_output_length(n, k, s, d, padding)) == expected, (n, k, s, d, padding)


def test_keras_pool(keras_rules):
    _, pool, _ = keras_rules
    for n, k, s, padding in itertools.product(SIZES, KERNELS, [None, *STRIDES], ["valid", "same"]):
        expected = keras_length(pool, (None, n, 3), (k,), (k,) if s is None else (s,), padding)
        assert ours(pool_output_length(n, k, s, padding)) == expected, (n, k, s, padding)


def test_keras_deconv(keras_rules):
    _, _, deconv = keras_rules
    for n, k, s, d, padding in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS, ["valid", "same"]):
        for output_padding in [None, *range(s)]:
            expected = deconv((None, n, 3), (k,), 4, s, padding, output_padding=output_padding,
                              dilation_rate=d)[1]
            assert deconv_output_length(n, k, s, d, padding, output_padding).value == expected, \
                (n, k, s, d, padding, output_padding)


@pytest.fixture(scope="module")
def torch():
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # thousands of tiny ops: threads only add overhead
    yield torch
    torch.set_num_threads(threads)


def torch_length(op, n, *args, **kwargs):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return op(torch_zeros(n), *args, **kwargs).shape[-1]
    except RuntimeError:
        return None


def torch_zeros(n):
    import torch
    return torch.zeros(1, 1, n)


def test_torch_conv(torch):
    weight = {k: torch.zeros(1, 1, k) for k in KERNELS}
    for n, k, s, d, p in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS, range(3)):
        expected = torch_length(torch.nn.functional.conv1d, n, weight[k], None, s, p, d)
        assert ours(conv_output_length(n, k, s, d, p)) == expected, (n, k, s, d, p)


def test_torch_same_and_valid_strings(torch):
    weight = {k: torch.zeros(1, 1, k) for k in KERNELS}
    for n, k, d, padding in itertools.product(SIZES, KERNELS, DILATIONS, ["valid", "same"]):
        expected = torch_length(torch.nn.functional.conv1d, n, weight[k], None, 1, padding, d)
        assert ours(conv_output_length(n, k, 1, d, padding)) == expected, (n, k, d, padding)


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_torch_pool(torch, ceil_mode):
    for n, k, s, d, p in itertools.product(SIZES, KERNELS, [None, *STRIDES], DILATIONS, range(3)):
        if p > k // 2:  # PyTorch's own limit: padding at most half the window
            continue
        expected = torch_length(torch.nn.functional.max_pool1d, n, k, s, p, d, ceil_mode=ceil_mode)
        got = pool_output_length(n, k, s, p, dilation=d, ceil_mode=ceil_mode)
        assert ours(got) == expected, (n, k, s, d, p, ceil_mode)
        if d == 1:
            expected = torch_length(torch.nn.functional.avg_pool1d, n, k, s, p, ceil_mode=ceil_mode)
            assert ours(got) == expected, ("avg", n, k, s, p, ceil_mode)


def test_torch_deconv(torch):
    weight = {k: torch.zeros(1, 1, k) for k in KERNELS}
    for n, k, s, d, p in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS, range(3)):
        for output_padding in range(max(s, d)):
            expected = torch_length(torch.nn.functional.conv_transpose1d, n, weight[k], None, s, p,
                                    output_padding, 1, d)
            assert ours(deconv_output_length(n, k, s, d, p, output_padding)) == expected, \
                (n, k, s, d, p, output_padding)


def test_unknown_sizes_stay_unknown():
    assert conv_output_length(None, 3, 2, 1, "same") is None
    assert pool_output_length(None, 2) is None
    assert deconv_output_length(None, 3, 2) is None
    assert padded_length(None, 1, 2) is None
    assert cropped_length(None, 1, 2) is None
    assert upsampled_length(None, 2) is None


@pytest.mark.parametrize("expr,text,numbers", [
    (conv_output_length(224, 3), "⌊(n − k) / s⌋ + 1", "⌊(224 − 3) / 1⌋ + 1"),
    (conv_output_length(224, 3, 1, 2),
     "⌊(n − d (k − 1) − 1) / s⌋ + 1", "⌊(224 − 2 × (3 − 1) − 1) / 1⌋ + 1"),
    (conv_output_length(224, 7, 2, 1, 3), "⌊(n + 2p − k) / s⌋ + 1", "⌊(224 + 2 × 3 − 7) / 2⌋ + 1"),
    (conv_output_length(224, 3, 2, padding="same", sub="h"), "⌈n_h / s_h⌉", "⌈224 / 2⌉"),
    (pool_output_length(6, 3, 3, 1, ceil_mode=True),
     "⌈(n + 2p − k) / s⌉ + 1", "⌈(6 + 2 × 1 − 3) / 3⌉ + 1"),
    # PyTorch drops a last window that would start in the right padding.
    (pool_output_length(5, 2, 2, 1, ceil_mode=True),
     "⌈(n + 2p − k) / s⌉ + 1 − 1", "⌈(5 + 2 × 1 − 2) / 2⌉ + 1 − 1"),
    (deconv_output_length(7, 3, 2), "(n − 1) s + k", "(7 − 1) × 2 + 3"),
    (deconv_output_length(7, 1, 2), "n s", "7 × 2"),
    (deconv_output_length(7, 3, 2, padding="same", output_padding=1),
     "(n − 1) s + 1 + p_out", "(7 − 1) × 2 + 1 + 1"),
    (deconv_output_length(7, 3, 2, 1, 1, 1), "(n − 1) s − 2p + d (k − 1) + p_out + 1",
     "(7 − 1) × 2 − 2 × 1 + 1 × (3 − 1) + 1 + 1"),
    (padded_length(5, 1, 2, sub="w"), "n_w + p_l,w + p_r,w", "5 + 1 + 2"),
    (cropped_length(5, 1, 2), "n − c_l − c_r", "5 − 1 − 2"),
    (upsampled_length(5, 3), "n f", "5 × 3"),
])
def test_rendering(expr, text, numbers):
    assert (expr.text(), expr.numbers()) == (text, numbers)
    expr.latex()
    expr.latex_numbers()


def test_bad_padding_mode():
    with pytest.raises(ValueError):
        conv_output_length(5, 3, padding="full")
    with pytest.raises(ValueError):
        deconv_output_length(5, 3, padding="causal")

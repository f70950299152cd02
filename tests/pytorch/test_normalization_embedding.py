"""Normalization (parameters vs buffers) and lookup tables against real PyTorch."""

from __future__ import annotations

import itertools

import pytest

from .compare import assert_both_fail, assert_matches_torch, ours

BN_SHAPES = {1: [(6,), (6, 5)], 2: [(6, 4, 5)], 3: [(6, 2, 3, 4)]}


@pytest.mark.parametrize("rank, shape_index, affine, track, bias", [
    (rank, i, affine, track, bias) for rank in (1, 2, 3) for i in range(len(BN_SHAPES[rank]))
    for affine, track, bias in itertools.product([True, False], repeat=3)])
def test_batch_norm(rank, shape_index, affine, track, bias):
    summary = assert_matches_torch(
        f"nn.BatchNorm{rank}d(6, eps=1e-3, momentum=0.01, affine={affine}, track_running_stats={track}, bias={bias})",
        input_shape=BN_SHAPES[rank][shape_index])
    row = summary.layers[0]
    assert row.buffers == (13 if track else 0)


def test_batch_norm_differs_from_keras_as_documented():
    summary = ours("nn.BatchNorm2d(64)")
    assert summary.total_params == 128 and summary.buffers == 129
    assert summary.layers[0].derivation[-1].text() == "N = 2C = 2 × 64 = 128"
    assert summary.to_dict()["layers"][0]["weights"][-1] == {
        "name": "num_batches_tracked", "shape": [], "trainable": False, "buffer": True}


# Unbatched inputs only without stated channels: unbatched, the channel axis is the oracle's batch.
@pytest.mark.parametrize("rank, batched, affine, track, bias", [
    (rank, batched, affine, track, bias) for rank, batched, affine, track, bias in itertools.product(
        (1, 2, 3), (True, False), (True, False), (True, False), (True, False)) if batched or not (affine or track)])
def test_instance_norm(rank, batched, affine, track, bias):
    spatial = {1: (7,), 2: (4, 5), 3: (2, 3, 4)}[rank]
    shape = (5, *spatial) if batched else spatial
    assert_matches_torch(f"nn.InstanceNorm{rank}d(5, affine={affine}, track_running_stats={track}, bias={bias})",
                         input_shape=shape)


@pytest.mark.parametrize("shape, normalized, affine, bias", [
    ((10,), 10, True, True), ((10,), 10, False, True), ((10,), (10,), True, False), ((3, 4, 5), (4, 5), True, True),
    ((3, 4, 5), [3, 4, 5], True, False), ((7, 16), 16, True, True),
])
def test_layer_norm(shape, normalized, affine, bias):
    assert_matches_torch(f"nn.LayerNorm({normalized!r}, elementwise_affine={affine}, bias={bias})", input_shape=shape)


@pytest.mark.parametrize("shape, normalized, affine", [((10,), 10, True), ((3, 4), (3, 4), False), ((5, 6), 6, True)])
def test_rms_norm(shape, normalized, affine):
    assert_matches_torch(f"nn.RMSNorm({normalized!r}, elementwise_affine={affine})", input_shape=shape)


@pytest.mark.parametrize("groups, channels, affine, bias, shape", [
    (1, 6, True, True, (6,)), (2, 6, True, False, (6, 5)), (3, 6, False, True, (6, 2, 2)),
    (6, 6, True, True, (6, 3, 2, 2)), (3, 6, False, False, (6, 4)),
])
def test_group_norm(groups, channels, affine, bias, shape):
    assert_matches_torch(f"nn.GroupNorm({groups}, {channels}, affine={affine}, bias={bias})", input_shape=shape)


@pytest.mark.parametrize("shape", [(4, 5), (4, 5, 6), (4, 2, 3, 3)])
def test_local_response_norm(shape):
    assert_matches_torch("nn.LocalResponseNorm(3, alpha=1e-3, beta=0.5, k=2.0)", input_shape=shape)


@pytest.mark.parametrize("text, shape, kind", [
    ("nn.BatchNorm2d(6)", (5, 4, 4), "shape"),
    ("nn.BatchNorm2d(6)", (6, 4), "shape"),
    ("nn.BatchNorm1d(6)", (6, 4, 4), "shape"),
    ("nn.InstanceNorm2d(6, affine=True)", (5, 4, 4), "shape"),
    ("nn.LayerNorm(8)", (5, 4), "shape"),
    ("nn.LayerNorm((4, 8))", (5, 8), "shape"),
    ("nn.GroupNorm(4, 6)", (6, 3), "argument"),
    ("nn.GroupNorm(2, 6)", (8, 3), "shape"),
])
def test_normalization_errors(text, shape, kind):
    assert_both_fail(text, input_shape=shape, kind=kind)


@pytest.mark.parametrize("options, shape", [
    ("", (7,)), ("padding_idx=0", (3, 4)), ("padding_idx=-1, max_norm=1.0", (5,)), ("sparse=True", (2,)),
    ("scale_grad_by_freq=True, norm_type=1.0", (7,)), ("_freeze=True", (3,)),
])
def test_embedding(options, shape):
    assert_matches_torch(f"nn.Embedding(50, 8{', ' + options if options else ''})", input_shape=shape)


@pytest.mark.parametrize("mode, options", list(itertools.product(["mean", "sum", "max"], ["", "padding_idx=2",
                                                                                   "max_norm=2.0"])))
def test_embedding_bag(mode, options):
    assert_matches_torch(f"nn.EmbeddingBag(30, 4, mode={mode!r}{', ' + options if options else ''})",
                         input_shape=(6,))


def test_embedding_then_lstm():
    assert_matches_torch("nn.Embedding(1000, 32)\nnn.LSTM(32, 64, batch_first=True)\n", input_shape=(12,))


@pytest.mark.parametrize("text, shape, kind", [
    ("nn.Embedding(10, 4, padding_idx=10)", (3,), "argument"),
    ("nn.EmbeddingBag(10, 4)", (), "shape"),
    ("nn.EmbeddingBag(10, 4)", (3, 4), "shape"),
])
def test_embedding_errors(text, shape, kind):
    assert_both_fail(text, input_shape=shape, kind=kind)

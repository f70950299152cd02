"""RNN, LSTM and GRU with layers, directions, biases and projections, against real PyTorch."""

from __future__ import annotations

import itertools

import pytest

from sphinxext_params import ParamsError

from .compare import assert_both_fail, assert_matches_torch, ours


@pytest.mark.parametrize("kind, layers, bidirectional, bias, batch_first", list(itertools.product(
    ["RNN", "LSTM", "GRU"], [1, 2, 3], [False, True], [True, False], [False, True])))
def test_recurrent_grid(kind, layers, bidirectional, bias, batch_first):
    text = (f"nn.{kind}(6, 5, num_layers={layers}, bias={bias}, batch_first={batch_first}, "
            f"bidirectional={bidirectional}{', dropout=0.2' if layers > 1 else ''})")
    assert_matches_torch(text, input_shape=(4, 6))


@pytest.mark.parametrize("layers, bidirectional, proj", list(itertools.product([1, 2, 3], [False, True], [1, 3])))
def test_lstm_projection(layers, bidirectional, proj):
    assert_matches_torch(f"nn.LSTM(6, 5, {layers}, bidirectional={bidirectional}, proj_size={proj})",
                         input_shape=(4, 6))


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_nonlinearity_positional(nonlinearity):
    assert_matches_torch(f"nn.RNN(3, 4, 2, {nonlinearity!r})", input_shape=(5, 3))


def test_unbatched_sequence():
    assert_matches_torch("nn.GRU(6, 5, bidirectional=True)", input_shape=(6,))


def test_lstm_vs_keras_numbers_and_derivation():
    summary = ours("nn.LSTM(32, 100)")
    assert summary.total_params == 53_600  # Keras's LSTM(100) on 32 features: 53,200
    assert summary.layers[0].derivation[-1].text() == "N = 4 · (H (i + H) + 2H) = 4 × (100 × (32 + 100) + 2 × 100) = 53,600"


def test_stacked_bidirectional_derivation():
    summary = assert_matches_torch("nn.LSTM(10, 20, num_layers=3, bidirectional=True, proj_size=5)")
    steps = [s.text() for s in summary.layers[0].derivation]
    assert steps[0].startswith("N_1 = 4 · (H (i + P) + 2H) + P H")
    assert steps[1].startswith("N_2 = 4 · (H (D P + P) + 2H) + P H")
    assert steps[2].startswith("N = D (N_1 + (L − 1) N_2)")


@pytest.mark.parametrize("text, shape, kind", [
    ("nn.LSTM(6, 5)", (4, 7), "shape"),
    ("nn.LSTM(6, 5)", (4, 2, 3, 6), "shape"),
    ("nn.LSTM(6, 5, proj_size=5)", (4, 6), "argument"),
    ("nn.GRU(6, 5, proj_size=2)", (4, 6), "unknown"),
    ("nn.RNN(6, 5, nonlinearity='sigmoid')", (4, 6), "argument"),
    ("nn.LSTM(6, 5, dropout=2.0)", (4, 6), "argument"),
])
def test_recurrent_errors(text, shape, kind):
    assert_both_fail(text, input_shape=shape, kind=kind)


def test_recurrent_input_mismatch_names_both_sizes():
    error = assert_both_fail("nn.Linear(8, 12)\nnn.LSTM(10, 4)", input_shape=(3, 8))
    assert "10" in error.message and "12" in error.message


@pytest.mark.parametrize("kind, bias, shape", list(itertools.product(["RNNCell", "LSTMCell", "GRUCell"], [True, False],
                                                               [(6,), ()])))
def test_cells(kind, bias, shape):
    text = f"nn.{kind}(6, 5, bias={bias})"
    if shape == ():  # unbatched: the oracle's batch of 2 would be read as the features
        assert_matches_torch(text)
        return
    assert_matches_torch(text, input_shape=shape)


def test_rnn_cell_nonlinearity():
    assert_matches_torch("nn.RNNCell(4, 3, True, 'relu')\nnn.Linear(3, 2)", input_shape=(4,))


def test_stacks_count_towards_the_size_limit():
    ours("nn.LSTM(3, 4, num_layers=10000)")
    with pytest.raises(ParamsError, match="more than 10,000 modules") as info:
        ours("nn.LSTM(3, 4, num_layers=10000, bidirectional=True)")
    assert info.value.kind == "limit"
    with pytest.raises(ParamsError, match="more than 10,000 modules"):
        ours("nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 1000000)")

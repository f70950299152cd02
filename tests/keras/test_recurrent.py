"""Keras recurrent layers and wrappers against real Keras 3: SimpleRNN, LSTM, GRU,
ConvLSTM1D/2D/3D, Bidirectional and TimeDistributed."""

from __future__ import annotations

import itertools
import random

import pytest

from sphinxext_params import summarize
from tests.keras.oracle_compare import check, check_error

RNN_OPTIONS = ["", "use_bias=False", "return_sequences=True", "return_state=True",
               "return_sequences=True, return_state=True", "go_backwards=True", "unroll=True",
               "activation='relu', dropout=0.2, recurrent_dropout=0.1", "trainable=False"]


# -- SimpleRNN, LSTM, GRU -------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("options", RNN_OPTIONS)
def test_rnn_options(kind, options):
    sep = ", " if options else ""
    check(f"x = Input(shape=(6, 5))\ny = {kind}(7{sep}{options})(x)\n")


@pytest.mark.parametrize("options", ["reset_after=False", "reset_after=False, use_bias=False",
                                     "reset_after=True, use_bias=False", "use_cudnn=False"])
def test_gru_reset_after(options):
    out = check(f"Input(shape=(4, 3))\nGRU(5, {options})\n")
    bias = [w for w in out["layers"][-1]["weights"] if w["name"] == "bias"]
    if bias:
        assert bias[0]["shape"] == ([15] if "reset_after=False" in options else [2, 15])


@pytest.mark.parametrize("text,params", [
    ("Input(shape=(None, 1))\nSimpleRNN(10)", 120),
    ("Input(shape=(None, 32))\nLSTM(100)", 53_200),
])
def test_seed_numbers(text, params):
    out = check(text)
    assert out["layers"][-1]["params"] == params


@pytest.mark.parametrize("text,expected", [
    ("Input(shape=(None, 1))\nSimpleRNN(10)", "N = u (i + u + 1) = 10 × (1 + 10 + 1) = 120"),
    ("Input(shape=(None, 32))\nLSTM(100)", "N = 4 · (u (i + u) + u) = 4 × (100 × (32 + 100) + 100) = 53,200"),
    ("Input(shape=(None, 8))\nGRU(4)", "N = 3 · (u (i + u) + 2u) = 3 × (4 × (8 + 4) + 2 × 4) = 168"),
    ("Input(shape=(None, 8))\nGRU(4, reset_after=False)", "N = 3 · (u (i + u) + u) = 3 × (4 × (8 + 4) + 4) = 156"),
])
def test_derivation_text(text, expected):
    assert summarize(text).layers[-1].derivation[-1].text() == expected


def test_positional_arguments():
    # LSTM(units, activation, recurrent_activation, use_bias): use_bias is the 4th.
    check("Input(shape=(5, 3))\nLSTM(4, 'tanh', 'sigmoid', False, return_sequences=True)\n"
          "SimpleRNN(3, 'relu', False)\nDense(2)")


def test_stacked_and_stateful():
    check("x = Input(shape=(7, 5), batch_size=4)\n"
          "y = SimpleRNN(4, stateful=True, return_sequences=True, go_backwards=True)(x)\n"
          "y = LSTM(6, stateful=True, return_sequences=True)(y)\n"
          "y = GRU(6, use_bias=False)(y)\n")


def test_return_state_tensors_feed_initial_state():
    check("""
enc_in = Input(shape=(None, 6))
dec_in = Input(shape=(None, 4))
enc_out, h, c = LSTM(8, return_state=True)(enc_in)
dec = LSTM(8, return_sequences=True)(dec_in, initial_state=[h, c])
out = Dense(4, activation='softmax')(dec)
model = Model([enc_in, dec_in], out)
""")


@pytest.mark.parametrize("text,match", [
    ("Input(shape=(5,))\nLSTM(4)", "rank 3"),
    ("Input(shape=(2, 5, 3))\nGRU(4)", "rank 3"),
    ("Input(shape=(5, None))\nSimpleRNN(4)", "known size"),
    ("Input(shape=(5, 3))\nLSTM(4, stateful=True)", "batch size"),
    ("Input(shape=(5, 3))\nLSTM(0)", "positive"),
    ("Input(shape=(5, 3))\nLSTM(4, use_cudnn='yes')", "use_cudnn"),
    ("Input(shape=(5, 3))\nSimpleRNN(4, reset_after=False)", "reset_after"),
])
def test_rnn_errors(text, match):
    check_error(text, match=match)


# -- ConvLSTM ---------------------------------------------------------------------------------
CONV_LSTM_CASES = [
    ("ConvLSTM1D", (4, 10, 3), "5, 3"),
    ("ConvLSTM1D", (4, 10, 3), "5, 3, dilation_rate=2, return_sequences=True"),
    ("ConvLSTM1D", (4, 3, 10), "2, 4, strides=2, data_format='channels_first'"),
    ("ConvLSTM1D", (4, 10, 3), "5, 3, padding='SAME', return_state=True"),
    ("ConvLSTM2D", (4, 8, 8, 3), "5, 3, padding='same', return_sequences=True"),
    ("ConvLSTM2D", (4, 8, 8, 3), "5, (3, 2), strides=2"),
    ("ConvLSTM2D", (4, 3, 8, 8), "5, 3, data_format='channels_first', return_state=True"),
    ("ConvLSTM2D", (None, 9, 7, 2), "4, (2, 3), strides=(2, 1), use_bias=False, go_backwards=True"),
    ("ConvLSTM3D", (4, 6, 6, 6, 2), "2, 3, use_bias=False"),
    ("ConvLSTM3D", (3, 5, 6, 7, 2), "2, (1, 2, 3), padding='same', return_sequences=True, return_state=True"),
]


@pytest.mark.parametrize("kind,shape,options", CONV_LSTM_CASES)
def test_conv_lstm(kind, shape, options):
    out = check(f"Input(shape={shape!r})\n{kind}({options})\n")
    assert out["layers"][-1]["shape_derivation"]


@pytest.mark.parametrize("text", [
    "Input(shape=(4, 3, 3, 2))\nConvLSTM2D(4, 5)",  # the kernel does not fit
    "Input(shape=(4, None, 8, 2))\nConvLSTM2D(4, 3)",  # unknown spatial size
    "Input(shape=(4, 8, 8, None))\nConvLSTM2D(4, 3)",  # unknown channels
    "Input(shape=(8, 8, 2))\nConvLSTM2D(4, 3)",  # no time axis
    "Input(shape=(4, 8, 8, 2))\nConvLSTM2D(4, 3, strides=2, dilation_rate=2)",
    "Input(shape=(4, 8, 2))\nConvLSTM1D(4, 3, padding='causal')",
])
def test_conv_lstm_errors(text):
    check_error(text)


# -- Bidirectional ------------------------------------------------------------------------------
@pytest.mark.parametrize("merge_mode,inner", list(itertools.product(
    ["'concat'", "'sum'", "'mul'", "'ave'", "None"],
    ["LSTM(4)", "GRU(3, return_sequences=True)", "SimpleRNN(5, return_state=True)",
     "LSTM(4, return_sequences=True, return_state=True)", "GRU(2, return_state=True, reset_after=False)"])))
def test_bidirectional_merge_modes(merge_mode, inner):
    check(f"x = Input(shape=(6, 3))\ny = Bidirectional({inner}, merge_mode={merge_mode})(x)\n")


def test_bidirectional_names_and_counter():
    out = check("""
Input(shape=(5, 32))
Bidirectional(LSTM(100, return_sequences=True))
Bidirectional(LSTM(10, return_sequences=True), name='bi')
LSTM(3)
""")
    assert [r["name"] for r in out["layers"]] == ["bidirectional", "bi", "lstm_2"]
    assert out["layers"][0]["weights"][0]["name"] == "forward_lstm/kernel"
    assert out["layers"][0]["weights"][3]["name"] == "backward_lstm/kernel"
    assert out["layers"][0]["derivation"][-1] == "N = 2N_forward = 2 × 53,200 = 106,400"


def test_bidirectional_backward_layer():
    out = check("""
x = Input(shape=(6, 3))
fwd = LSTM(4, return_sequences=True)
bwd = GRU(5, return_sequences=True, go_backwards=True)
y = Bidirectional(fwd, backward_layer=bwd)(x)
z = Bidirectional(SimpleRNN(3), 'sum', None, SimpleRNN(3, go_backwards=True, use_bias=False))(y)
""")
    assert out["layers"][1]["derivation"][-1].startswith("N = N_forward + N_backward")


@pytest.mark.parametrize("inner_options", ["trainable=False", "name='enc'", "name='forward_enc'"])
def test_bidirectional_inner_options(inner_options):
    check(f"Input(shape=(6, 3))\nBidirectional(GRU(4, {inner_options}))\n")


@pytest.mark.parametrize("text", [
    "Input(shape=(6, 3))\nBidirectional(LSTM(4), trainable=False)\nDense(2)",
    "Input(shape=(6, 3))\nTimeDistributed(Dense(4), trainable=False)\nDense(2)",
    "Input(shape=(4, 6, 6, 3))\nConvLSTM2D(4, 3, trainable=False)",
    "Input(shape=(4, 6, 6, 3))\nBidirectional(ConvLSTM2D(4, 3, trainable=False))",
])
def test_frozen_wrapper_keeps_its_variables_trainable(text):
    # Keras lists the row as non-trainable, yet its totals count the variables of the
    # sublayers (attached after trainable=False was set) as trainable.
    out = check(text)
    assert out["trainable_params"] > sum(row["trainable"] for row in out["layers"]) or \
        "Bidirectional(ConvLSTM2D" in text


@pytest.mark.parametrize("text", [
    "Input(shape=(6, 3))\nBidirectional(Dense(4))",
    "Input(shape=(6, 3))\nBidirectional(LSTM(4, go_backwards=True))",
    "Input(shape=(6, 3))\nBidirectional(LSTM(4), backward_layer=LSTM(4))",
    "Input(shape=(6, 3))\nBidirectional(LSTM(4), backward_layer=LSTM(4, go_backwards=True, return_sequences=True))",
    "Input(shape=(6, 3))\nBidirectional(LSTM(4), merge_mode='max')",
    "Input(shape=(3,))\nBidirectional(LSTM(4))",
])
def test_bidirectional_errors(text):
    check_error(text)


# -- TimeDistributed ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,inner", [
    ((5, 16), "Dense(3)"),
    ((5, 4, 16), "Dense(3, use_bias=False)"),
    ((5, 8, 8, 3), "Conv2D(4, 3)"),
    ((5, 8, 8, 3), "Conv2D(4, 3, strides=2, padding='same')"),
    ((5, 8, 8, 3), "Flatten()"),
    ((5, 6, 4), "LSTM(3)"),
    ((5, 6, 4), "Bidirectional(GRU(2))"),
    ((5, 16), "BatchNormalization()"),
    ((5, 16), "Dense(3, trainable=False)"),
])
def test_time_distributed(shape, inner):
    check(f"Input(shape={shape!r})\nTimeDistributed({inner})\n")


def test_time_distributed_uses_the_inner_name():
    out = check("x = Input(shape=(5, 16))\ny = TimeDistributed(Dense(3))(x)\nz = Dense(2)(y)\n")
    assert [r["name"] for r in out["layers"]] == ["input_layer", "time_distributed", "dense_1"]
    assert [w["name"] for w in out["layers"][1]["weights"]] == ["dense/kernel", "dense/bias"]


@pytest.mark.parametrize("text", [
    "Input(shape=(16,))\nTimeDistributed(Dense(3))",
    "Input(shape=(5, None))\nTimeDistributed(Dense(3))",
    "Input(shape=(5, 16))\nTimeDistributed(3)",
])
def test_time_distributed_errors(text):
    check_error(text)


# -- generated stacks ----------------------------------------------------------------------------
def random_rnn(rng: random.Random, sequences: bool) -> str:
    kind = rng.choice(["SimpleRNN", "LSTM", "GRU"])
    opts = [str(rng.randint(1, 9))]
    if sequences:
        opts.append("return_sequences=True")
    extras = ["use_bias=False", "go_backwards=True", "activation='relu'", "dropout=0.1"]
    if kind == "GRU":
        extras.append("reset_after=False")
    opts += rng.sample(extras, rng.randint(0, 2))
    layer = f"{kind}({', '.join(opts)})"
    if rng.random() < 0.35 and "go_backwards=True" not in opts:
        mode = rng.choice(["'concat'", "'sum'", "'ave'", "'mul'"])
        layer = f"Bidirectional({layer}, merge_mode={mode})"
    return layer


@pytest.mark.parametrize("seed", range(15))
def test_random_recurrent_stacks(seed):
    rng = random.Random(seed)
    lines = [f"Input(shape=({rng.choice([None, 3, 7])}, {rng.randint(1, 12)}))"]
    depth = rng.randint(1, 3)
    for i in range(depth):
        lines.append(random_rnn(rng, sequences=i < depth - 1 or rng.random() < 0.4))
        if rng.random() < 0.3:
            lines.append(f"Dense({rng.randint(1, 6)})")
    check("\n".join(lines))


def test_wrappers_in_a_sequential_with_keras2_input_shape():
    check("""
model = Sequential()
model.add(Bidirectional(LSTM(10, return_sequences=True), input_shape=(5, 3)))
model.add(TimeDistributed(Dense(3)))
model.add(GRU(4))
""")

"""Self-checks: the oracles reproduce well-known framework numbers."""

import pytest

from tests.oracle.keras_oracle import keras_layer_weights, keras_summary
from tests.oracle.torch_oracle import torch_layer_weights, torch_summary

CORE_KEYS = {"name", "type", "output_shape", "params", "trainable", "non_trainable"}


def _rows(summary, *keys):
    return [tuple(r[k] for k in keys) for r in summary["layers"]]


# --------------------------------------------------------------------------
# Keras
# --------------------------------------------------------------------------


def test_keras_mnist_flatten_dense():
    text = """
import keras
from keras import layers
Input(shape=(28, 28))
Flatten()
Dense(10, activation="softmax")
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=5)
"""
    s = keras_summary(text)
    assert s["framework"] == "keras"
    assert _rows(s, "name", "type", "output_shape", "params") == [
        ("flatten", "Flatten", [None, 784], 0),
        ("dense", "Dense", [None, 10], 7850),
    ]
    assert CORE_KEYS <= set(s["layers"][0])
    assert (s["total_params"], s["trainable_params"], s["non_trainable_params"]) == (
        7850,
        7850,
        0,
    )
    assert s["total_memory"] == "30.66 KB"
    assert s["non_trainable_memory"] == "0.00 B"
    assert "Total params: 7,850 (30.66 KB)" in s["summary_text"]


def test_keras_input_dim_legacy():
    s = keras_summary("Dense(2, input_dim=2)")
    assert _rows(s, "name", "output_shape", "params") == [("dense", [None, 2], 6)]
    assert s["total_params"] == 6


def test_keras_lstm_with_input_shape_argument():
    s = keras_summary("keras.layers.LSTM(100)", input_shape=(None, 32))
    assert _rows(s, "type", "output_shape", "params") == [("LSTM", [None, 100], 53200)]


def test_keras_unbuilt_sequential():
    s = keras_summary("Dense(3)\nDense(4)")
    assert _rows(s, "output_shape", "params", "built") == [
        (None, 0, False),
        (None, 0, False),
    ]
    assert s["total_params"] == 0


def test_keras_add_lines_prefixes_and_non_trainable():
    text = """
model = tf.keras.Sequential()
model.add(tf.keras.layers.Dense(64, activation="relu", input_shape=(784,)))
model.add(layers.BatchNormalization())
model.add(keras.layers.Dense(10, trainable=False))
model.summary()
"""
    s = keras_summary(text)
    assert _rows(s, "name", "params", "trainable", "non_trainable") == [
        ("dense", 50240, 50240, 0),
        ("batch_normalization", 256, 128, 128),
        ("dense_1", 650, 0, 650),
    ]
    assert (s["total_params"], s["trainable_params"], s["non_trainable_params"]) == (
        51146,
        50368,
        778,
    )


def test_keras_functional_implicit_model_and_input_rows():
    text = """
inputs = Input(shape=(32, 32, 3))
x = Conv2D(16, 3, padding="same")(inputs)
y = Conv2D(16, 3, padding="same")(x)
z = Add()([x, y])
outputs = Dense(10)(GlobalAveragePooling2D()(z))
"""
    s = keras_summary(text)
    assert _rows(s, "name", "type", "output_shape", "params") == [
        ("input_layer", "InputLayer", [None, 32, 32, 3], 0),
        ("conv2d", "Conv2D", [None, 32, 32, 16], 448),
        ("conv2d_1", "Conv2D", [None, 32, 32, 16], 2320),
        ("add", "Add", [None, 32, 32, 16], 0),
        ("global_average_pooling2d", "GlobalAveragePooling2D", [None, 16], 0),
        ("dense", "Dense", [None, 10], 170),
    ]
    assert s["total_params"] == 2938
    assert s["sequential_like"] is False
    assert s["layers"][3]["connected_to"] == ["conv2d[0][0]", "conv2d_1[0][0]"]


def test_keras_functional_explicit_model_equals_implicit():
    body = """
inputs = keras.Input(shape=(784,), name="img")
x = layers.Dense(64, activation="relu")(inputs)
outputs = layers.Dense(10)(x)
"""
    explicit = keras_summary(
        body + 'model = keras.Model(inputs=inputs, outputs=outputs, name="m")\n'
    )
    implicit = keras_summary(body)
    assert explicit["layers"] == implicit["layers"]
    assert explicit["model_name"] == "m"
    assert _rows(explicit, "name", "params") == [("img", 0), ("dense", 50240), ("dense_1", 650)]


def test_keras_shared_layer_last_node_wins_and_multi_outputs():
    text = """
a = Input(shape=(4,))
b = Input(shape=(3, 4))
shared = Dense(8)
sa = shared(a)
sb = shared(b)
o1 = Dense(1, name="o1")(sa)
Dense(2)(sb)
"""
    s = keras_summary(text)
    rows = {r["name"]: r for r in s["layers"]}
    assert [r["name"] for r in s["layers"]] == [
        "input_layer",
        "input_layer_1",
        "dense",
        "o1",
        "dense_1",
    ]
    # Shared layer: counted once, shape of its LAST call.
    assert rows["dense"]["params"] == 40
    assert rows["dense"]["output_shape"] == [None, 3, 8]
    assert rows["dense_1"]["output_shape"] == [None, 3, 2]
    assert rows["dense_1"]["connected_to"] == ["dense[1][0]"]
    assert s["total_params"] == 40 + 9 + 18


def test_keras_layer_with_several_outputs():
    text = """
inputs = Input(shape=(10, 16))
seq, h, c = LSTM(4, return_sequences=True, return_state=True)(inputs)
"""
    s = keras_summary(text)
    lstm = s["layers"][1]
    assert lstm["output_shape"] == [[None, 10, 4], [None, 4], [None, 4]]
    assert lstm["output_shape_text"] == "[(None, 10, 4), (None, 4), (None, 4)]"


def test_keras_wrappers_and_weights():
    text = """
tf.keras.layers.Embedding(1000, 64)
tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(32, return_sequences=True))
tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(5))
"""
    s = keras_summary(text, input_shape=(20,))
    assert _rows(s, "name", "output_shape", "params") == [
        ("embedding", [None, 20, 64], 64000),
        ("bidirectional", [None, 20, 64], 24832),
        ("time_distributed", [None, 20, 5], 325),
    ]
    w = keras_layer_weights(text, input_shape=(20,))
    assert w[1]["weights"][:3] == [
        ("kernel", (64, 128), True),
        ("recurrent_kernel", (32, 128), True),
        ("bias", (128,), True),
    ]
    assert w[1]["paths"][0].endswith("bidirectional/forward_lstm/lstm_cell/kernel")
    assert w[1]["paths"][3].endswith("bidirectional/backward_lstm/lstm_cell/kernel")


def test_keras_names_restart_between_models():
    assert keras_summary("Dense(1)", (2,))["layers"][0]["name"] == "dense"
    assert keras_summary("Dense(1)", (2,))["layers"][0]["name"] == "dense"


# --------------------------------------------------------------------------
# PyTorch
# --------------------------------------------------------------------------


def test_torch_lstm():
    s = torch_summary("nn.LSTM(32, 100)", input_shape=(5, 32))
    assert s["framework"] == "pytorch"
    assert _rows(s, "name", "type", "output_shape", "params") == [
        ("0", "LSTM", [None, 5, 100], 53600)
    ]
    assert s["total_params"] == 53600


def test_torch_batchnorm_buffers():
    s = torch_summary("torch.nn.BatchNorm2d(8)", input_shape=(8, 4, 4))
    row = s["layers"][0]
    assert (row["params"], row["buffers"], row["output_shape"]) == (16, 17, [None, 8, 4, 4])
    assert (s["total_params"], s["buffers"]) == (16, 17)
    w = torch_layer_weights("nn.BatchNorm2d(8)")[0]["weights"]
    assert w == [
        ("weight", (8,), True, False),
        ("bias", (8,), True, False),
        ("running_mean", (8,), False, True),
        ("running_var", (8,), False, True),
        ("num_batches_tracked", (), False, True),
    ]


def test_torch_sequential_conv():
    text = """
import torch
import torch.nn as nn
model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(32 * 13 * 13, 10))
print(model)
"""
    s = torch_summary(text, input_shape=(1, 28, 28))
    assert _rows(s, "name", "output_shape", "params") == [
        ("0", [None, 32, 26, 26], 320),
        ("1", [None, 32, 26, 26], 0),
        ("2", [None, 32, 13, 13], 0),
        ("3", [None, 5408], 0),
        ("4", [None, 10], 54090),
    ]
    assert s["total_params"] == 54410


def test_torch_self_form_and_trainable_false():
    text = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(128, 10, trainable=False)
        self.out = nn.Linear(10, 2).requires_grad_(False)

    def forward(self, x):
        return self.out(self.fc2(self.relu(self.fc1(x))))

model = Net()
"""
    s = torch_summary(text, input_shape=(784,))
    assert _rows(s, "name", "output_shape", "params", "trainable", "non_trainable") == [
        ("fc1", [None, 128], 100480, 100480, 0),
        ("relu", [None, 128], 0, 0, 0),
        ("fc2", [None, 10], 1290, 0, 1290),
        ("out", [None, 2], 22, 0, 22),
    ]
    assert (s["trainable_params"], s["non_trainable_params"]) == (100480, 1312)


def test_torch_embedding_rnn_attention_transformer():
    text = """
self.emb = nn.Embedding(1000, 64)
self.lstm = nn.LSTM(64, 32, batch_first=True, bidirectional=True)
self.mha = nn.MultiheadAttention(64, 4, batch_first=True)
self.out = nn.Linear(64, 5)
"""
    s = torch_summary(text, input_shape=(12,))
    assert _rows(s, "name", "output_shape", "params") == [
        ("emb", [None, 12, 64], 64000),
        ("lstm", [None, 12, 64], 25088),
        ("mha", [None, 12, 64], 16640),
        ("out", [None, 12, 5], 325),
    ]
    text = """
encoder_layer = nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32)
nn.TransformerEncoder(encoder_layer, num_layers=2)
nn.TransformerDecoderLayer(d_model=16, nhead=2, dim_feedforward=32)
nn.MultiheadAttention(16, 2)
"""
    s = torch_summary(text, input_shape=(7, 16))
    assert _rows(s, "type", "output_shape", "params") == [
        ("TransformerEncoder", [None, 7, 16], 2 * 2224),
        ("TransformerDecoderLayer", [None, 7, 16], 3344),
        ("MultiheadAttention", [None, 7, 16], 1088),
    ]


def test_torch_no_input_shape_gives_no_shapes():
    s = torch_summary("nn.Linear(3, 4)\nnn.Linear(4, 5)")
    assert _rows(s, "name", "output_shape", "params") == [("0", None, 16), ("1", None, 25)]


def test_torch_vgg16_sequential_meta():
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
           512, 512, 512, "M", 512, 512, 512, "M"]  # fmt: skip
    parts, c = [], 3
    for v in cfg:
        if v == "M":
            parts.append("nn.MaxPool2d(2, 2)")
        else:
            parts += [f"nn.Conv2d({c}, {v}, 3, padding=1)", "nn.ReLU(inplace=True)"]
            c = v
    parts += [
        "nn.AdaptiveAvgPool2d((7, 7))",
        "nn.Flatten()",
        "nn.Linear(512 * 7 * 7, 4096)", "nn.ReLU(True)", "nn.Dropout()",
        "nn.Linear(4096, 4096)", "nn.ReLU(True)", "nn.Dropout()",
        "nn.Linear(4096, 1000)",
    ]  # fmt: skip
    text = "model = nn.Sequential(\n    " + ",\n    ".join(parts) + ",\n)\n"
    s = torch_summary(text, input_shape=(3, 224, 224), device="meta")
    assert s["total_params"] == 138_357_544
    assert s["layers"][-1]["output_shape"] == [None, 1000]
    assert s["layers"][30]["output_shape"] == [None, 512, 7, 7]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("nn.Linear(784, 128)", 100480),
        ("nn.Conv2d(3, 64, 3)", 1792),
        ("nn.GRU(10, 20, num_layers=2)", 3 * (20 * 10 + 20 * 20 + 40) + 3 * (20 * 20 * 2 + 40)),
    ],
)
def test_torch_small_counts(text, expected):
    assert torch_summary(text)["total_params"] == expected


def test_core_view_projection():
    from tests.oracle.keras_oracle import core_view

    k = core_view(keras_summary("Dense(2, input_dim=2)"), weights=True)
    assert k == {
        "framework": "keras",
        "total_params": 6,
        "trainable_params": 6,
        "non_trainable_params": 0,
        "layers": [
            {
                "name": "dense",
                "type": "Dense",
                "output_shape": [None, 2],
                "params": 6,
                "trainable": 6,
                "non_trainable": 0,
                "weights": [
                    {"name": "kernel", "shape": [2, 2], "trainable": True},
                    {"name": "bias", "shape": [2], "trainable": True},
                ],
            }
        ],
    }
    t = core_view(torch_summary("nn.BatchNorm1d(3)", (3,)), weights=True)
    assert t["buffers"] == 7
    assert t["layers"][0]["buffers"] == 7
    assert t["layers"][0]["weights"][-1] == {
        "name": "num_batches_tracked",
        "shape": [],
        "trainable": False,
        "buffer": True,
    }

"""The ways PyTorch models are written in a layer list, each checked against real PyTorch."""

from __future__ import annotations

import pytest

from sphinxext_params import ParamsError, summarize

from .compare import assert_both_fail, assert_matches_torch, ours

MNIST = "nn.Flatten()\nnn.Linear(784, 128)\nnn.ReLU()\nnn.Linear(128, 10)"


def test_framework_is_detected_from_nn_prefixes():
    for text in (MNIST, "torch.nn.Linear(3, 4)", "import torch\nLinear(3, 4)",
                 "self.fc = nn.Linear(3, 4)", "model = nn.Sequential(nn.Linear(3, 4))"):
        assert summarize(text).framework == "pytorch", text


def test_one_module_per_line():
    summary = assert_matches_torch(MNIST, input_shape=(1, 28, 28))
    assert [r.name for r in summary.layers] == ["0", "1", "2", "3"]
    assert [r.type for r in summary.layers] == ["Flatten", "Linear", "ReLU", "Linear"]
    assert summary.layers[1].output_shape == (None, 128)


@pytest.mark.parametrize("prefix", ["nn.", "torch.nn.", ""])
def test_module_prefixes(prefix):
    assert_matches_torch(f"{prefix}Linear(4, 3)\n{prefix}ReLU()", input_shape=(4,))


def test_sequential_as_written_in_code():
    text = """
import torch
import torch.nn as nn
from torch import nn

device = torch.device("cpu")
model = nn.Sequential(
    nn.Conv2d(1, 32, 3),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 13 * 13, 10),
)
model.to(device)
model.train()
model.eval()
print(model)
"""
    # The oracle would list `model.train()` (which returns the model) as a module of its own.
    model_only = text.split("model.to(device)")[0]
    summary = assert_matches_torch(text, input_shape=(1, 28, 28), torch_text=model_only)
    assert [r.name for r in summary.layers] == ["0", "1", "2", "3", "4"]


def test_bare_sequential():
    assert_matches_torch("nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))", input_shape=(4,))


def test_attribute_lines_from_init():
    text = """
self.conv1 = nn.Conv2d(1, 6, 5)
self.pool = nn.MaxPool2d(2, 2)
self.conv2 = nn.Conv2d(6, 16, 5)
self.fc1 = nn.Linear(16 * 4 * 4, 120)
self.fc2 = nn.Linear(120, 84)
self.fc3 = nn.Linear(84, 10)
"""
    summary = assert_matches_torch(text)
    assert [r.name for r in summary.layers] == ["conv1", "pool", "conv2", "fc1", "fc2", "fc3"]
    assert summary.total_params == 44_426


def test_attribute_lines_run_in_written_order():
    text = "self.fc1 = nn.Linear(784, 64)\nself.act = nn.ReLU()\nself.fc2 = nn.Linear(64, 10)"
    summary = assert_matches_torch(text, input_shape=(784,))
    assert summary.layers[-1].output_shape == (None, 10)


def test_attribute_reassigned_keeps_its_place():
    text = "self.a = nn.Linear(4, 4)\nself.b = nn.Linear(4, 2)\nself.a = nn.Linear(4, 4, bias=False)"
    summary = assert_matches_torch(text, input_shape=(4,))
    assert [r.name for r in summary.layers] == ["a", "b"]


def test_ordered_dict_names_children():
    text = """
from collections import OrderedDict
model = nn.Sequential(OrderedDict([
    ("conv1", nn.Conv2d(1, 20, 5)),
    ("relu1", nn.ReLU()),
    ("conv2", nn.Conv2d(20, 64, 5)),
    ("relu2", nn.ReLU()),
]))
"""
    with pytest.raises(ParamsError, match="from"):
        ours(text)  # ``from collections import`` is not a torch import
    text = text.replace("from collections import OrderedDict\n", "")
    summary = assert_matches_torch(text, input_shape=(1, 16, 16))
    assert [r.name for r in summary.layers] == ["conv1", "relu1", "conv2", "relu2"]


def test_nested_sequential_is_one_row():
    text = """
model = nn.Sequential(
    nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU()),
    nn.Sequential(nn.Conv2d(8, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1)),
    nn.Flatten(),
    nn.Linear(16, 10),
)
"""
    summary = assert_matches_torch(text, input_shape=(3, 12, 12))
    assert [(r.name, r.type) for r in summary.layers] == [
        ("0", "Sequential"), ("1", "Sequential"), ("2", "Flatten"), ("3", "Linear")]
    block = summary.layers[0]
    assert [w.name for w in block.weights] == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                               "1.running_var", "1.num_batches_tracked"]
    assert [s.symbol for s in block.derivation] == ["N_0", "N_1", "N"]
    assert block.output_shape == (None, 8, 12, 12)


def test_deeply_nested_containers():
    text = "nn.Sequential(nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.ReLU()), nn.Linear(4, 5)), nn.Linear(5, 1))"
    summary = assert_matches_torch(text, input_shape=(3,))
    assert summary.layers[0].derivation[0].text() == "N_0 = o (i + 1) = 4 × (3 + 1) = 16"


def test_module_list_and_dict():
    text = "nn.ModuleList([nn.Linear(4, 4), nn.ReLU()])\nnn.ModuleDict({'a': nn.Linear(4, 2), 'b': nn.Tanh()})"
    assert_matches_torch(text, input_shape=(4,))


def test_shared_module_counts_once():
    text = "act = nn.ReLU()\nshared = nn.Linear(6, 6)\nnn.Sequential(shared, act, shared, act, nn.Linear(6, 1))"
    summary = assert_matches_torch(text)
    assert [r.name for r in summary.layers] == ["0", "1", "4"]


def test_helper_variables():
    text = "block = nn.Linear(8, 8)\nhead = nn.Linear(8, 2)\nmodel = nn.Sequential(block, nn.ReLU(), head)"
    assert_matches_torch(text, input_shape=(8,))


def test_last_assigned_module_is_the_model():
    summary = assert_matches_torch("lstm = nn.LSTM(10, 20, 2)", input_shape=(5, 10))
    assert [r.name for r in summary.layers] == ["lstm"]


def test_trainable_keyword_and_requires_grad():
    text = """
nn.Linear(4, 8, trainable=False)
nn.ReLU()
nn.Linear(8, 8).requires_grad_(False)
nn.BatchNorm1d(8, trainable=False)
nn.Linear(8, 2)
"""
    summary = assert_matches_torch(text, input_shape=(4,))
    assert [(r.trainable, r.non_trainable) for r in summary.layers] == [
        (0, 40), (0, 0), (0, 72), (0, 16), (18, 0)]
    assert (summary.trainable_params, summary.non_trainable_params) == (18, 128)


def test_requires_grad_on_variables_and_attributes():
    text = """
self.backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
self.head = nn.Linear(4, 2)
self.backbone.requires_grad_(False)
self.head.requires_grad_(True)
"""
    summary = assert_matches_torch(text)
    assert summary.layers[0].trainable == 0 and summary.layers[1].trainable == 10
    text = "model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1))\nmodel.requires_grad_(False)\nmodel[1].requires_grad_()"
    # The oracle lists a line whose value is a module as a module of the model; assign them away.
    oracle = ("model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1))\nmodel = model.requires_grad_(False)\n"
              "head = model[1].requires_grad_()\nmodel = model")
    summary = assert_matches_torch(text, torch_text=oracle)
    assert [r.trainable for r in summary.layers] == [0, 4]


def test_add_module_and_append():
    text = """
model = nn.Sequential(nn.Linear(3, 5))
model.add_module("act", nn.ReLU())
model.append(nn.Linear(5, 2))
"""
    summary = assert_matches_torch(text, input_shape=(3,))
    assert [r.name for r in summary.layers] == ["0", "act", "2"]


def test_without_input_shape_every_shape_is_unknown():
    summary = ours("nn.Conv2d(3, 8, 3)\nnn.Flatten()\nnn.Linear(8, 10)")
    assert all(r.output_shape is None and not r.shape_derivation for r in summary.layers)


def test_json_keys():
    data = ours("nn.Conv2d(3, 8, 3)\nnn.BatchNorm2d(8)", input_shape=(3, 8, 8)).to_dict()
    assert data["framework"] == "pytorch"
    assert data["buffers"] == 17 and data["layers"][1]["buffers"] == 17 and data["layers"][0]["buffers"] == 0
    assert {"name", "type", "output_shape", "params", "trainable", "non_trainable", "buffers", "weights",
            "derivation", "shape_derivation"} <= set(data["layers"][0])


@pytest.mark.parametrize("text, match, kind", [
    ("nn.Linaer(3, 4)", "did you mean 'Linear'", "unknown"),
    ("nn.Linear", "must be called", "syntax"),
    ("nn.Sequential(nn.Linear(3, 4), foo)", "foo", "unknown"),
    ("model = nn.Sequential(nn.Linear(3, 4))\nmodel.fit(x)", "fit", "syntax"),
    ("x = 3", "holds no modules", "syntax"),
    ("nn.Linear(3, 4)(x)", "not applied to a tensor", "syntax"),
    ("nn.Sequential(3)", "takes modules", "syntax"),
    ("keras.layers.Dense(3)\nnn.Linear(3, 3)", "not a torch.nn module", "unknown"),
    ("nn.Linear(3, 4, trainable='no')", "trainable", "argument"),
    ("nn.Linear(3, 4).requires_grad_('no')", "True or False", "argument"),
    ("self.fc2 = self.fc1", "self.fc1", "unknown"),
    ("nn.TransformerEncoder(3, 2)", "must be a module", "argument"),
    ("nn.LSTM(3, 4, num_layers=0)", "positive", "argument"),
])
def test_language_errors(text, match, kind):
    with pytest.raises(ParamsError, match=match) as info:
        ours(text)
    assert info.value.kind == kind
    assert info.value.line is not None


def test_error_locations_point_at_the_module():
    error = assert_both_fail("nn.Conv2d(1, 8, 3)\nnn.ReLU()\nnn.Conv2d(4, 8, 3)", input_shape=(1, 10, 10))
    assert error.line == 3 and "in_channels" in error.message and "8" in error.message


def test_unbatched_sequence_shapes_keep_the_oracle_convention():
    # input_shape never holds the batch: (L, H_in) for a batch_first LSTM is (None, L, H_in).
    summary = assert_matches_torch("nn.LSTM(10, 20, batch_first=True)", input_shape=(7, 10))
    assert summary.layers[0].output_shape == (None, 7, 20)


@pytest.mark.parametrize("call", ["super().__init__()", "super(Net, self).__init__()"])
def test_pasted_init_body_with_its_super_call(call):
    # The body of a module's __init__ pasted as it is: the super() call changes nothing.
    body = "self.fc1 = nn.Linear(784, 128)\nself.relu = nn.ReLU()\nself.fc2 = nn.Linear(128, 10)"
    summary = summarize(f"{call}\n{body}", input_shape=(784,))
    assert [r.name for r in summary.layers] == ["fc1", "relu", "fc2"]
    assert_matches_torch(body, input_shape=(784,))
    assert summary.to_dict()["layers"] == ours(body, input_shape=(784,)).to_dict()["layers"]


def test_only_the_super_init_call_is_let_through():
    with pytest.raises(ParamsError) as info:
        summarize("super().__class__\nnn.Linear(2, 2)")
    assert info.value.kind == "unsafe" and info.value.line == 1

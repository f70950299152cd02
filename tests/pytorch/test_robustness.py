"""Bad input of every kind gives a ParamsError, never another exception."""

from __future__ import annotations

import random

import pytest

from sphinxext_params import ParamsError, summarize
from sphinxext_params.core.pytorch import CATALOGUE

JUNK = ["0", "-1", "1", "2", "3", "7", "2.5", "'same'", "'valid'", "'x'", "None", "True", "False", "(2, 2)",
        "(1, 2, 3)", "(0, 1)", "[2, 3]", "(None, 2)", "()", "(2, -1)", "nn.ReLU()", "nn.LayerNorm(4)", "F.relu",
        "nn.TransformerEncoderLayer(4, 2, 8)", "(1, 2, 3, 4)", "(1, 2, 3, 4, 5, 6)", "1000000"]
SHAPES = [None, (), (4,), (3, 4), (4, 5, 6), (2, 3, 4, 5), (None, 4), (1, 1, 1), (4, None, 5), (3, 2, 2, 2, 2)]


def exercise(text, shape):
    try:
        summary = summarize(text, framework="pytorch", input_shape=shape)
    except ParamsError:
        return
    summary.to_dict()
    for row in summary.layers:
        for step in (*row.derivation, *row.shape_derivation):
            step.text(), step.latex()


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_junk_arguments(name):
    rng = random.Random(name)
    names = [a.name for a in CATALOGUE[name].arguments]
    for _ in range(60):
        parts = [rng.choice(JUNK) for _ in range(rng.randint(0, 3))]
        parts += [f"{n}={rng.choice(JUNK)}" for n in rng.sample(names, min(len(names), rng.randint(0, 3)))]
        exercise(f"nn.{name}({', '.join(parts)})", rng.choice(SHAPES))


STATEMENTS = [
    "nn.Linear(4, 4)", "nn.ReLU()", "model = nn.Sequential(nn.Linear(4, 2))", "model.train()", "model.to(device)",
    "model[0]", "model[5]", "model.fc = nn.Linear(2, 2)", "self.fc = nn.Linear(4, 4)", "self.fc.requires_grad_()",
    "self.fc", "self.x", "x = 3", "x", "x.requires_grad_(False)", "print(model)", "model.add_module('a', 3)",
    "model.append(nn.Tanh())", "model.extend([nn.Tanh(), 3])", "OrderedDict([('a', 1)])", "nn.Sequential(OrderedDict(3))",
    "nn.ModuleList(3)", "nn.ModuleDict([('a', nn.ReLU())])", "a, b = nn.ReLU(), nn.Tanh()", "a, b = nn.ReLU()",
    "import torch", "nn.Linear(4, 4)(x)", "torch.manual_seed(0)", "nn.Linear(4, 4).weight", "model.cuda().eval()",
    "enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 2)", "enc.requires_grad_(False)",
    "nn.Sequential()", "nn.Sequential(model, model)", "model.parameters()", "y = model.parameters()",
    "nn.Linear(4, 4).requires_grad_(1)", "self.add_module('b', nn.Tanh())", "torch.device('cpu')", "nn.Linear",
]


def test_random_programs():
    rng = random.Random(7)
    for _ in range(400):
        text = "\n".join(rng.choice(STATEMENTS) for _ in range(rng.randint(1, 6)))
        exercise(text, rng.choice([None, (4,), (3, 4)]))

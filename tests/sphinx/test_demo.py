"""The demo site builds without a single warning (``-W``) with every builder.

This is what ReadTheDocs runs (``fail_on_warning: true``); every ``:expect-total:`` on the
demo's pages is checked on the way, so a wrong count anywhere fails here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "demo_docs"
BUILDERS = ["html", "dirhtml", "singlehtml", "latex", "text", "epub", "man"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A copy of demo_docs (the builds share its environment, read once)."""
    src = tmp_path_factory.mktemp("demo") / "demo_docs"
    shutil.copytree(DEMO, src, ignore=shutil.ignore_patterns("_build"))
    return src


@pytest.mark.parametrize("buildername", BUILDERS)
def test_demo_builds_with_W(demo, rebuild, buildername):
    result = rebuild(demo, buildername, warningiserror=True)
    assert result.warning_lines() == []
    assert result.app.statuscode == 0


def test_demo_answers_the_seed_questions(demo, rebuild):
    text = rebuild(demo, "text").read("questions.txt")
    flat = re.sub(r"\s+", " ", text)
    for claim in ["Total params: 6 (24.00 B)",                      # why 6 parameters
                  "Total params: 7,850 (30.66 KB)",                 # MNIST
                  "| dense (Dense) | (None, 514) | 264,710", "| dense_1 (Dense) | (None, 257) | 132,355",
                  "Total params: 397,065",                          # 514 -> 257
                  "| conv2d (Conv2D) | (None, 222, 222, 32) | 896",
                  "| conv2d_1 (Conv2D) | (None, 220, 220, 64) | 18,496",
                  "| conv2d_2 (Conv2D) | (None, 218, 218, 128) | 73,856",
                  "| dense (Dense) | (None, 218, 218, 10) | 1,290",  # the Conv2D stack
                  "| simple_rnn (SimpleRNN) | (None, 10) | 120",     # SimpleRNN
                  "| lstm (LSTM) | (None, 100) | 53,200",           # LSTM
                  "| dense (Dense) | (None, 3) | 9", "| dense_1 (Dense) | (None, 2) | 8", "Total params: 17",
                  "| flatten (Flatten) | (32, 784) | 0",             # what None means
                  "Total params: 7,850 (15.33 KB)"]:                # bytes per parameter
        assert re.sub(r"\s+", " ", claim) in flat, claim


def test_demo_big_models(demo, rebuild):
    text = re.sub(r"\s+", " ", rebuild(demo, "text").read("big-models.txt"))
    assert "Total params: 138,357,544" in text  # VGG16
    assert "Total params: 25,636,712" in text and "Non-trainable params: 53,120" in text  # ResNet50
    assert "Total params: 7,087,872" in text  # a BERT-base encoder block

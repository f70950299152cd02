"""Hundreds of seeded random nn.Sequential stacks, each checked against real PyTorch.

A generator writes a stack the way people do (images, feature vectors, token
sequences; options drawn at random; now and then a nested nn.Sequential, a frozen
module or a size that does not fit).  Whatever PyTorch says, we must say: the same
rows, shapes and counts, or an error where PyTorch fails.
"""

from __future__ import annotations

import random

import pytest

from sphinxext_params import ParamsError
from tests.oracle.torch_oracle import torch_summary

from .compare import assert_matches_torch, ours

STACKS = 300


def maybe_frozen(rng, line: str) -> str:
    roll = rng.random()
    if roll < 0.05:
        return line[:-1] + (", " if not line.endswith("()") else "") + "trainable=False)"
    if roll < 0.08:
        return line + ".requires_grad_(False)"
    return line


def wrong(rng, size: int) -> int:
    """Mostly the right size; sometimes one that does not fit."""
    return size + 1 if rng.random() < 0.04 else size


def image_stack(rng):
    channels, size = rng.choice([1, 3, 4]), rng.randint(6, 20)
    c, lines = channels, []
    for _ in range(rng.randint(1, 7)):
        roll = rng.random()
        if roll < 0.3:
            out = rng.choice([2, 4, 6, 8])
            groups = rng.choice([g for g in (1, 2) if c % g == 0 and out % g == 0])
            padding = rng.choice(["0", "1", "'same'", "'valid'", "(1, 0)"])
            stride = rng.choice([1, 1, 2]) if "same" not in padding else 1
            lines.append(f"nn.Conv2d({wrong(rng, c)}, {out}, {rng.choice([1, 2, 3, '(3, 1)'])}, stride={stride}, "
                         f"padding={padding}, dilation={rng.choice([1, 1, 2])}, groups={groups}, "
                         f"bias={rng.choice([True, False])}, "
                         f"padding_mode={rng.choice(['zeros', 'zeros', 'reflect', 'replicate', 'circular'])!r})")
            c = out
        elif roll < 0.38:
            out = rng.choice([2, 4])
            stride = rng.choice([1, 2])
            lines.append(f"nn.ConvTranspose2d({wrong(rng, c)}, {out}, {rng.choice([2, 3])}, stride={stride}, "
                         f"padding={rng.choice([0, 1])}, output_padding={rng.choice([0, stride - 1])})")
            c = out
        elif roll < 0.46:
            lines.append(f"nn.BatchNorm2d({wrong(rng, c)}, affine={rng.choice([True, False])}, "
                         f"track_running_stats={rng.choice([True, False])})")
        elif roll < 0.5:
            groups = rng.choice([g for g in (1, 2, c) if c % g == 0])
            lines.append(f"nn.GroupNorm({groups}, {wrong(rng, c)}, affine={rng.choice([True, False])})")
        elif roll < 0.54:
            lines.append(f"nn.InstanceNorm2d({c}, affine={rng.choice([True, False])})")
        elif roll < 0.66:
            kind = rng.choice(["MaxPool2d", "AvgPool2d"])
            k = rng.choice([2, 3])
            lines.append(f"nn.{kind}({k}, stride={rng.choice([None, 1, 2])}, padding={rng.choice([0, 1])}, "
                         f"ceil_mode={rng.choice([True, False])})")
        elif roll < 0.7:
            lines.append(f"nn.AdaptiveMaxPool2d({rng.choice(['(2, 3)', '4', '(None, 2)'])})")
        elif roll < 0.76:
            kind = rng.choice(["ZeroPad2d", "ReflectionPad2d", "ReplicationPad2d", "CircularPad2d"])
            lines.append(f"nn.{kind}({rng.choice(['1', '(1, 0, 2, 1)', '2'])})")
        elif roll < 0.86:
            lines.append(rng.choice(["nn.ReLU()", "nn.Dropout2d(0.1)", "nn.SiLU()", f"nn.PReLU({c})",
                                     "nn.LeakyReLU(0.1)", "nn.Identity()", "nn.Softmax2d()"]))
        elif roll < 0.92:
            lines.append(rng.choice(["nn.Upsample(scale_factor=2)", "nn.Upsample(scale_factor=1.5, mode='bilinear')",
                                     "nn.UpsamplingNearest2d(size=(7, 9))"]))
        else:
            if c % 4 == 0:
                lines.append("nn.PixelShuffle(2)")
                c //= 4
            else:
                lines.append("nn.PixelUnshuffle(2)")
                c *= 4
    k = rng.choice([1, 2])
    lines += [f"nn.AdaptiveAvgPool2d({k})", "nn.Flatten()", f"nn.Linear({wrong(rng, c * k * k)}, 10)"]
    return lines, (channels, size, size)


def vector_stack(rng):
    features = rng.choice([3, 8, 16])
    f, lines = features, []
    for _ in range(rng.randint(1, 7)):
        roll = rng.random()
        if roll < 0.4:
            out = rng.choice([1, 4, 8, 12])
            lines.append(f"nn.Linear({wrong(rng, f)}, {out}, bias={rng.choice([True, False])})")
            f = out
        elif roll < 0.5:
            lines.append(f"nn.BatchNorm1d({wrong(rng, f)}, affine={rng.choice([True, False])})")
        elif roll < 0.6:
            lines.append(f"nn.LayerNorm({wrong(rng, f)}, elementwise_affine={rng.choice([True, False])}, "
                         f"bias={rng.choice([True, False])})")
        elif roll < 0.65:
            lines.append(f"nn.RMSNorm({f})")
        elif roll < 0.7 and f % 2 == 0:
            lines.append("nn.GLU()")
            f //= 2
        else:
            lines.append(rng.choice(["nn.ReLU()", "nn.Tanh()", "nn.GELU()", "nn.Dropout(0.3)", "nn.AlphaDropout(0.1)",
                                     f"nn.PReLU({rng.choice([1, f])})", "nn.Softmax(dim=-1)", "nn.ELU()",
                                     "nn.Hardswish()", "nn.Mish()", "nn.Sigmoid()", "nn.LogSoftmax(dim=1)"]))
    return lines, (features,)


def sequence_stack(rng):
    length, lines = rng.randint(2, 6), []
    if rng.random() < 0.5:
        e = rng.choice([4, 8])
        lines.append(f"nn.Embedding({rng.choice([10, 50])}, {e}, padding_idx={rng.choice([None, 0])})")
        shape = (length,)
    else:
        e = rng.choice([4, 6, 8])
        shape = (length, e)
    for _ in range(rng.randint(1, 5)):
        roll = rng.random()
        if roll < 0.4:
            kind = rng.choice(["RNN", "LSTM", "GRU"])
            hidden = rng.choice([3, 4, 6])
            bidirectional = rng.choice([True, False])
            proj = rng.choice([0, 0, 2]) if kind == "LSTM" else 0
            lines.append(f"nn.{kind}({wrong(rng, e)}, {hidden}, num_layers={rng.choice([1, 2])}, "
                         f"batch_first=True, bidirectional={bidirectional}, bias={rng.choice([True, False])}"
                         f"{f', proj_size={proj}' if proj else ''})")
            e = (2 if bidirectional else 1) * (proj or hidden)
        elif roll < 0.55:
            out = rng.choice([4, 8])
            lines.append(f"nn.Linear({wrong(rng, e)}, {out})")
            e = out
        elif roll < 0.65:
            lines.append(f"nn.LayerNorm({e})")
        elif roll < 0.8 and e % 2 == 0:
            lines.append(f"nn.TransformerEncoderLayer({wrong(rng, e)}, {rng.choice([1, 2])}, "
                         f"dim_feedforward={rng.choice([8, 16])}, batch_first=True, "
                         f"norm_first={rng.choice([True, False])}, bias={rng.choice([True, False])})")
        elif roll < 0.9 and e % 2 == 0:
            lines.append(f"nn.MultiheadAttention({wrong(rng, e)}, 2, batch_first=True, "
                         f"add_bias_kv={rng.choice([True, False])})")
        else:
            lines.append(rng.choice(["nn.Dropout(0.1)", "nn.Tanh()", "nn.Identity()"]))
    return lines, shape


def nest(rng, lines):
    """Now and then wrap a run of lines in an nn.Sequential of their own."""
    if len(lines) < 3 or rng.random() < 0.7:
        return lines
    start = rng.randrange(len(lines) - 1)
    end = rng.randint(start + 1, len(lines))
    return lines[:start] + ["nn.Sequential(" + ", ".join(lines[start:end]) + ")"] + lines[end:]


def stack(seed: int):
    rng = random.Random(seed)
    lines, shape = [image_stack, vector_stack, sequence_stack][seed % 3](rng)
    lines = nest(rng, [maybe_frozen(rng, line) for line in lines])
    if rng.random() < 0.3:
        return "model = nn.Sequential(\n" + "".join(f"    {line},\n" for line in lines) + ")", shape
    return "\n".join(lines), shape


@pytest.mark.parametrize("seed", range(STACKS))
def test_generated_stack(seed):
    text, shape = stack(seed)
    try:
        torch_summary(text, input_shape=shape)
    except Exception as exc:  # noqa: BLE001 - PyTorch refused it: so must we, as a shape or argument error
        with pytest.raises(ParamsError) as info:
            ours(text, shape)
        assert info.value.kind in ("shape", "argument"), (text, str(exc), str(info.value))
        return
    assert_matches_torch(text, input_shape=shape)
    # Counts need no input shape.
    assert_matches_torch(text, weights=False)

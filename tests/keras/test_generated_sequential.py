"""Hundreds of seeded random Sequential models, built by real Keras 3 first, then translated
into the layer-list language and counted by ``summarize``: every row and total must match.

Each model starts from a random ``Input`` (rank 2 to 6 with the batch, small sizes, sometimes
``None``, now and then a fixed batch size) and grows one layer at a time.  A candidate layer -- any type of the catalogue
(``sphinxext_params.core.keras.CATALOGUE``), with random arguments, mostly of a rank
that fits -- is tried on the current shape in real Keras: if Keras refuses it, the
candidate is dropped from the model, and we check that ``summarize`` refuses the same
layer on the same input with a ParamsError (never another exception, never numbers).
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass, field

import pytest

from sphinxext_params import ParamsError, summarize
from sphinxext_params.core.keras import CATALOGUE
from tests.oracle.keras_oracle import get_keras, summarize_keras_model
from tests.oracle.keras_translate import compare_summaries, format_call, takes_base_kwargs, translate

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # Keras: "layer does not support masking"

N_MODELS = 300
#: Most layers a generated model holds, and candidates tried per model.
MAX_LAYERS = 6
MAX_TRIES = 24
#: Keep tensors small: Keras builds must take milliseconds.
MAX_ELEMENTS = 40_000
#: Rejected candidates checked per model (each is one summarize() call).
REJECTED_PER_MODEL = 3

#: Catalogue layers that a Sequential model cannot hold: inputs, merges, attention.
NOT_SEQUENTIAL = {
    "InputLayer", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
    "Dot", "MultiHeadAttention", "GroupedQueryAttention", "Attention", "AdditiveAttention",
}

#: The layer catalogue of issue 2 (§2).
ISSUE_CATALOGUE = """
InputLayer Dense EinsumDense Activation Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D
GaussianNoise GaussianDropout AlphaDropout ActivityRegularization Flatten Reshape Permute RepeatVector
Masking Embedding Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose SeparableConv1D
SeparableConv2D DepthwiseConv1D DepthwiseConv2D MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D
AveragePooling2D AveragePooling3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D
GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D ZeroPadding1D ZeroPadding2D
ZeroPadding3D Cropping1D Cropping2D Cropping3D UpSampling1D UpSampling2D UpSampling3D BatchNormalization
LayerNormalization GroupNormalization UnitNormalization SimpleRNN LSTM GRU ConvLSTM1D ConvLSTM2D
Bidirectional TimeDistributed MultiHeadAttention Attention AdditiveAttention ReLU LeakyReLU PReLU ELU
Softmax Add Subtract Multiply Average Maximum Minimum Concatenate Dot Rescaling CenterCrop Resizing
""".split()


# -- what a generated layer is --------------------------------------------------------------------
@dataclass
class LayerSpec:
    """A layer to make: its Keras class name and constructor arguments (a wrapped layer is a LayerSpec)."""

    type_name: str
    kwargs: dict = field(default_factory=dict)

    def make(self):
        keras = get_keras()
        kwargs = {k: v.make() if isinstance(v, LayerSpec) else v for k, v in self.kwargs.items()}
        return getattr(keras.layers, self.type_name)(**kwargs)

    def text(self) -> str:
        wrapped = [v.text() for v in self.kwargs.values() if isinstance(v, LayerSpec)]
        literal = {k: v for k, v in self.kwargs.items() if not isinstance(v, LayerSpec)}
        return format_call(self.type_name, wrapped, literal)


# -- random arguments ---------------------------------------------------------------------------
ACTIVATIONS = ["relu", "tanh", "sigmoid", "softmax", "linear", "gelu", "swish", "elu", "selu"]


class Sampler:
    """Random arguments for one layer on one input shape (batch first)."""

    def __init__(self, rng: random.Random, shape: tuple) -> None:
        self.rng = rng
        self.shape = shape
        self.rank = len(shape)

    def maybe(self, p: float = 0.5) -> bool:
        return self.rng.random() < p

    def pick(self, *choices):
        return self.rng.choice(choices)

    def small(self, hi: int = 8, lo: int = 1) -> int:
        return self.rng.randint(lo, hi)

    def rate(self) -> float:
        return round(self.rng.uniform(0.0, 0.9), 2)

    def data_format(self, kwargs: dict) -> str:
        fmt = "channels_first" if self.maybe(0.2) else "channels_last"
        if fmt == "channels_first" or self.maybe(0.3):
            kwargs["data_format"] = fmt
        return fmt

    def spatial(self, fmt: str) -> list:
        return list(self.shape[2:] if fmt == "channels_first" else self.shape[1:-1])

    def channels(self, fmt: str):
        return self.shape[1] if fmt == "channels_first" else self.shape[-1]

    def sizes(self, dims: list, hi: int = 3):
        """A kernel/pool size per spatial dim, at most that dim (sometimes more, which Keras refuses)."""
        out = []
        for d in dims:
            limit = hi if d is None else max(1, min(hi, d))
            out.append(self.small(limit + (1 if self.maybe(0.05) else 0)))
        if len(set(out)) == 1 and self.maybe():
            return out[0]
        return tuple(out)

    def strides(self, n: int):
        if self.maybe(0.6):
            return 1
        s = tuple(self.small(2) for _ in range(n))
        return s[0] if len(set(s)) == 1 and self.maybe() else s

    def activation(self, kwargs: dict, p: float = 0.4) -> None:
        if self.maybe(p):
            kwargs["activation"] = self.pick(*ACTIVATIONS)

    def flags(self, kwargs: dict, *names: str, p: float = 0.3) -> None:
        for name in names:
            if self.maybe(p):
                kwargs[name] = self.pick(True, False)

    def axis(self, lo: int = 1):
        """A valid axis (positive or negative) of the input, -1 most often."""
        if self.maybe(0.6):
            return -1
        a = self.rng.randint(lo, self.rank - 1)
        return a - self.rank if self.maybe(0.3) else a

    def axes_subset(self) -> list:
        axes = list(range(1, self.rank))
        return sorted(self.rng.sample(axes, self.small(len(axes))))


# -- one generator per layer family ---------------------------------------------------------------
SPECS: dict = {}


def spec(*names, ranks=None, min_rank=2):
    """Register a sampler of arguments for layers that accept inputs of the given ranks (batch included)."""
    def register(fn):
        for n in names:
            SPECS[n] = (fn, set(ranks) if ranks else None, min_rank)
        return fn
    return register


def spatial_rank(name: str) -> int:
    return int(next(c for c in name if c.isdigit()))


def fits(name: str, rank: int) -> bool:
    _, ranks, min_rank = SPECS[name]
    return rank in ranks if ranks else rank >= min_rank


@spec("Dense")
def _dense(s: Sampler, name):
    kw = {"units": s.small(16)}
    s.activation(kw)
    s.flags(kw, "use_bias")
    if s.maybe(0.1):
        kw["lora_rank"] = s.small(3)
    return kw


@spec("EinsumDense")
def _einsum_dense(s: Sampler, name):
    letters = "abcdefgh"[:s.rank]
    new = "xy"[:s.pick(1, 1, 2)]
    kept = list(s.shape[1:-1])
    if s.maybe(0.3) and s.rank >= 3:  # contract the last two axes
        equation = f"{letters},{letters[-2:]}{new}->{letters[:-2]}{new}"
        kept = kept[:-1]
    else:
        equation = f"{letters},{letters[-1]}{new}->{letters[:-1]}{new}"
    out = tuple(d if s.maybe(0.5) else None for d in kept) + tuple(s.small(6) for _ in new)
    kw = {"equation": equation, "output_shape": out if len(out) > 1 or s.maybe() else out[0]}
    if s.maybe(0.5):
        kw["bias_axes"] = "".join(c for c in new if s.maybe(0.7)) or new[-1]
    s.activation(kw, 0.2)
    return kw


@spec("Activation", min_rank=1)
def _activation(s: Sampler, name):
    return {"activation": s.pick(*ACTIVATIONS)}


@spec("Dropout", "GaussianDropout", "AlphaDropout")
def _dropout(s: Sampler, name):
    kw = {"rate": s.rate()}
    if s.maybe(0.2):
        kw["seed"] = s.small(100)
    return kw


@spec("SpatialDropout1D", ranks=[3])
@spec("SpatialDropout2D", ranks=[4])
@spec("SpatialDropout3D", ranks=[5])
def _spatial_dropout(s: Sampler, name):
    kw = {"rate": s.rate()}
    if name != "SpatialDropout1D":
        s.data_format(kw)
    return kw


@spec("GaussianNoise")
def _gaussian_noise(s: Sampler, name):
    return {"stddev": round(s.rng.uniform(0.0, 1.0), 2)}


@spec("ActivityRegularization")
def _activity_regularization(s: Sampler, name):
    kw = {}
    if s.maybe():
        kw["l1"] = round(s.rng.uniform(0, 0.1), 3)
    if s.maybe():
        kw["l2"] = round(s.rng.uniform(0, 0.1), 3)
    return kw


@spec("Flatten")
def _flatten(s: Sampler, name):
    kw = {}
    if s.maybe(0.2):
        kw["data_format"] = s.pick("channels_last", "channels_first")
    return kw


@spec("Reshape")
def _reshape(s: Sampler, name):
    dims = s.shape[1:]
    if None in dims or s.maybe(0.05):
        target = [s.small(6) for _ in range(s.small(3))]
        if s.maybe(0.7):
            target[s.rng.randrange(len(target))] = -1
        return {"target_shape": tuple(target)}
    total = math.prod(dims)
    target = []
    rest = total
    for _ in range(s.small(3) - 1):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        d = s.rng.choice(divisors)
        target.append(d)
        rest //= d
    target.append(rest)
    s.rng.shuffle(target)
    if s.maybe(0.3):
        target[s.rng.randrange(len(target))] = -1
    return {"target_shape": tuple(target)}


@spec("Permute", min_rank=2)
def _permute(s: Sampler, name):
    dims = list(range(1, s.rank))
    s.rng.shuffle(dims)
    return {"dims": tuple(dims)}


@spec("RepeatVector", ranks=[2])
def _repeat_vector(s: Sampler, name):
    return {"n": s.small(5)}


@spec("Masking")
def _masking(s: Sampler, name):
    return {"mask_value": 0.0} if s.maybe(0.3) else {}


@spec("Identity", min_rank=1)
def _identity(s: Sampler, name):
    return {}


@spec("Embedding")
def _embedding(s: Sampler, name):
    kw = {"input_dim": s.small(50, 2), "output_dim": s.small(8)}
    s.flags(kw, "mask_zero", p=0.2)
    return kw


def _conv_common(s: Sampler, name: str, kw: dict, *, causal: bool = False, dilation: bool = True):
    n = spatial_rank(name)
    fmt = s.data_format(kw)
    kw["kernel_size"] = s.sizes(s.spatial(fmt))
    if s.maybe(0.4):
        kw["strides"] = s.strides(n)
    if s.maybe(0.5):
        kw["padding"] = s.pick("valid", "same", *(["causal"] if causal else []))
    if dilation and s.maybe(0.15):
        kw["dilation_rate"] = s.pick(1, 2)
    s.activation(kw, 0.2)
    s.flags(kw, "use_bias", p=0.2)
    return fmt


@spec("Conv1D", ranks=[3])
@spec("Conv2D", ranks=[4])
@spec("Conv3D", ranks=[5])
def _conv(s: Sampler, name):
    kw = {"filters": s.small(8)}
    fmt = _conv_common(s, name, kw, causal=name == "Conv1D")
    channels = s.channels(fmt)
    if s.maybe(0.2) and channels:
        groups = s.pick(*[g for g in range(1, channels + 1) if channels % g == 0])
        kw["groups"] = groups
        kw["filters"] = groups * s.small(3) if s.maybe(0.9) else kw["filters"]
    return kw


@spec("Conv1DTranspose", ranks=[3])
@spec("Conv2DTranspose", ranks=[4])
@spec("Conv3DTranspose", ranks=[5])
def _conv_transpose(s: Sampler, name):
    kw = {"filters": s.small(8)}
    _conv_common(s, name, kw)
    strides = kw.get("strides", 1)
    if s.maybe(0.3):
        top = min(strides) if isinstance(strides, tuple) else strides
        kw["output_padding"] = s.small(max(top - 1, 0) + 1, 0)
    return kw


@spec("SeparableConv1D", ranks=[3])
@spec("SeparableConv2D", ranks=[4])
def _separable(s: Sampler, name):
    kw = {"filters": s.small(8)}
    _conv_common(s, name, kw)
    if s.maybe(0.4):
        kw["depth_multiplier"] = s.small(3)
    return kw


@spec("DepthwiseConv1D", ranks=[3])
@spec("DepthwiseConv2D", ranks=[4])
def _depthwise(s: Sampler, name):
    kw = {}
    _conv_common(s, name, kw)
    if s.maybe(0.4):
        kw["depth_multiplier"] = s.small(3)
    return kw


@spec("MaxPooling1D", "AveragePooling1D", ranks=[3])
@spec("MaxPooling2D", "AveragePooling2D", ranks=[4])
@spec("MaxPooling3D", "AveragePooling3D", ranks=[5])
def _pooling(s: Sampler, name):
    kw = {}
    fmt = s.data_format(kw)
    if name.startswith("Average") or s.maybe(0.6):
        kw["pool_size"] = s.sizes(s.spatial(fmt))
    if s.maybe(0.4):
        kw["strides"] = s.strides(spatial_rank(name))
    if s.maybe(0.4):
        kw["padding"] = s.pick("valid", "same")
    return kw


@spec("GlobalMaxPooling1D", "GlobalAveragePooling1D", ranks=[3])
@spec("GlobalMaxPooling2D", "GlobalAveragePooling2D", ranks=[4])
@spec("GlobalMaxPooling3D", "GlobalAveragePooling3D", ranks=[5])
def _global_pooling(s: Sampler, name):
    kw = {}
    s.data_format(kw)
    s.flags(kw, "keepdims")
    return kw


@spec("AdaptiveAveragePooling1D", "AdaptiveMaxPooling1D", ranks=[3])
@spec("AdaptiveAveragePooling2D", "AdaptiveMaxPooling2D", ranks=[4])
@spec("AdaptiveAveragePooling3D", "AdaptiveMaxPooling3D", ranks=[5])
def _adaptive_pooling(s: Sampler, name):
    kw = {}
    fmt = s.data_format(kw)
    kw["output_size"] = s.sizes(s.spatial(fmt), hi=4)
    return kw


def _pad_amounts(s: Sampler, n: int, hi: int = 2):
    form = s.pick("int", "symmetric", "pairs")
    if form == "int":
        return s.small(hi, 0)
    if form == "symmetric" and n > 1:
        return tuple(s.small(hi, 0) for _ in range(n))
    pairs = tuple((s.small(hi, 0), s.small(hi, 0)) for _ in range(n))
    return pairs[0] if n == 1 else pairs


@spec("ZeroPadding1D", ranks=[3])
@spec("ZeroPadding2D", ranks=[4])
@spec("ZeroPadding3D", ranks=[5])
def _zero_padding(s: Sampler, name):
    kw = {}
    s.data_format(kw)
    if s.maybe(0.8):
        kw["padding"] = _pad_amounts(s, spatial_rank(name))
    return kw


@spec("Cropping1D", ranks=[3])
@spec("Cropping2D", ranks=[4])
@spec("Cropping3D", ranks=[5])
def _cropping(s: Sampler, name):
    kw = {}
    fmt = s.data_format(kw) if name != "Cropping1D" else "channels_last"
    dims = s.spatial(fmt)
    if s.maybe(0.1):  # often more than the input has, which Keras refuses
        kw["cropping"] = _pad_amounts(s, len(dims))
        return kw
    pairs = []
    for d in dims:  # leave at least one element along each axis
        before = s.small(max((d or 3) - 1, 0) // 2, 0)
        after = s.small(max((d or 3) - 1 - before, 0) // 2, 0)
        pairs.append((before, after))
    if len(dims) == 1:
        kw["cropping"] = pairs[0] if s.maybe() else pairs[0][0]
    elif all(b == a for b, a in pairs) and s.maybe():
        kw["cropping"] = tuple(b for b, _ in pairs)
    else:
        kw["cropping"] = tuple(pairs)
    return kw


@spec("UpSampling1D", ranks=[3])
@spec("UpSampling2D", ranks=[4])
@spec("UpSampling3D", ranks=[5])
def _upsampling(s: Sampler, name):
    kw = {}
    n = spatial_rank(name)
    if n > 1:
        s.data_format(kw)
    if s.maybe(0.7):
        sizes = tuple(s.small(3) for _ in range(n))
        kw["size"] = sizes[0] if n == 1 or (len(set(sizes)) == 1 and s.maybe()) else sizes
    if name == "UpSampling2D" and s.maybe(0.3):
        kw["interpolation"] = s.pick("nearest", "bilinear")
    return kw


@spec("BatchNormalization")
def _batch_norm(s: Sampler, name):
    kw = {}
    if s.maybe(0.4):
        kw["axis"] = s.axis()
    if s.maybe(0.2):
        kw["momentum"] = 0.9
    if s.maybe(0.2):
        kw["epsilon"] = 1e-5
    s.flags(kw, "center", "scale")
    return kw


@spec("LayerNormalization")
def _layer_norm(s: Sampler, name):
    kw = {}
    if s.maybe(0.4):
        kw["axis"] = s.axes_subset() if s.maybe(0.5) else s.axis()
    if s.maybe(0.2):
        kw["epsilon"] = 1e-6
    s.flags(kw, "center", "scale")
    return kw


@spec("RMSNormalization")
def _rms_norm(s: Sampler, name):
    kw = {}
    if s.maybe(0.4):
        kw["axis"] = s.axes_subset() if s.maybe(0.5) else s.axis()
    if s.maybe(0.2):
        kw["epsilon"] = 1e-5
    return kw


@spec("GroupNormalization")
def _group_norm(s: Sampler, name):
    kw = {}
    channels = s.shape[-1]
    if channels and s.maybe(0.9):
        kw["groups"] = s.pick(*[g for g in range(1, channels + 1) if channels % g == 0])
    else:
        kw["groups"] = s.small(8)
    s.flags(kw, "center", "scale")
    return kw


@spec("UnitNormalization")
def _unit_norm(s: Sampler, name):
    kw = {}
    if s.maybe(0.4):
        kw["axis"] = s.axes_subset() if s.maybe(0.5) else s.axis()
    return kw


@spec("SimpleRNN", "LSTM", "GRU", ranks=[3])
def _rnn(s: Sampler, name):
    kw = {"units": s.small(8)}
    s.flags(kw, "return_sequences", p=0.5)
    s.flags(kw, "go_backwards", "use_bias", p=0.2)
    s.activation(kw, 0.2)
    if s.maybe(0.2):
        kw["dropout"] = s.rate()
    if name == "GRU":
        s.flags(kw, "reset_after", p=0.4)
    if name == "LSTM":
        s.flags(kw, "unit_forget_bias", p=0.2)
    return kw


@spec("ConvLSTM1D", ranks=[4])
@spec("ConvLSTM2D", ranks=[5])
@spec("ConvLSTM3D", ranks=[6])
def _conv_lstm(s: Sampler, name):
    kw = {"filters": s.small(4)}
    n = spatial_rank(name)
    fmt = "channels_first" if s.maybe(0.2) else "channels_last"
    if fmt == "channels_first" or s.maybe(0.3):
        kw["data_format"] = fmt
    # Input: (batch, time, *spatial, channels) or (batch, time, channels, *spatial).
    dims = list(s.shape[3:] if fmt == "channels_first" else s.shape[2:-1])
    kw["kernel_size"] = s.sizes(dims)
    if s.maybe(0.3):
        kw["strides"] = s.strides(n)
    if s.maybe(0.4):
        kw["padding"] = s.pick("valid", "same")
    if s.maybe(0.1):
        kw["dilation_rate"] = 2
    s.flags(kw, "return_sequences", p=0.5)
    s.flags(kw, "use_bias", p=0.2)
    return kw


WITH_WEIGHTS = {
    "Dense", "EinsumDense", "Embedding", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
    "Conv3DTranspose", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
    "BatchNormalization", "LayerNormalization", "GroupNormalization", "RMSNormalization", "SimpleRNN", "LSTM",
    "GRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Bidirectional", "TimeDistributed", "PReLU",
}
RECURRENT = ("SimpleRNN", "LSTM", "GRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
WRAPPERS = ("Bidirectional", "TimeDistributed")


@spec("Bidirectional", ranks=[3, 4, 5, 6])
def _bidirectional(s: Sampler, name):
    inner = [n for n in RECURRENT if n in catalogue_types() and fits(n, s.rank)]
    if not inner:
        inner = ["LSTM"]
    layer = s.pick(*inner)
    kw = {"layer": LayerSpec(layer, SPECS[layer][0](s, layer))}
    if s.maybe(0.5):
        kw["merge_mode"] = s.pick("concat", "sum", "mul", "ave")
    return kw


@spec("TimeDistributed", min_rank=3)
def _time_distributed(s: Sampler, name):
    inner_shape = (s.shape[0], *s.shape[2:])
    inner = Sampler(s.rng, inner_shape)
    choices = [n for n in sequential_types() if n not in WRAPPERS and fits(n, len(inner_shape))]
    layer = s.pick(*choices)
    return {"layer": LayerSpec(layer, SPECS[layer][0](inner, layer))}


@spec("ReLU")
def _relu(s: Sampler, name):
    kw = {}
    if s.maybe(0.4):
        kw["max_value"] = s.pick(6.0, 1.0, 10.0)
    if s.maybe(0.3):
        kw["negative_slope"] = 0.1
    if s.maybe(0.2):
        kw["threshold"] = 0.5
    return kw


@spec("LeakyReLU")
def _leaky_relu(s: Sampler, name):
    return {"negative_slope": 0.2} if s.maybe() else {}


@spec("PReLU")
def _prelu(s: Sampler, name):
    return {"shared_axes": s.axes_subset()} if s.maybe(0.5) else {}


@spec("ELU")
def _elu(s: Sampler, name):
    return {"alpha": 0.5} if s.maybe() else {}


@spec("Softmax")
def _softmax(s: Sampler, name):
    return {"axis": s.axis()} if s.maybe(0.4) else {}


@spec("Rescaling", min_rank=1)
def _rescaling(s: Sampler, name):
    kw = {"scale": s.pick(1 / 255, 2.0, 0.5)}
    if s.maybe(0.4):
        kw["offset"] = s.pick(-1.0, 0.5)
    return kw


@spec("Normalization")
def _normalization(s: Sampler, name):
    kw = {}
    if s.maybe(0.5):
        kw["axis"] = s.pick(None, s.axis(), tuple(s.axes_subset()))
    last = s.shape[-1]
    if last and s.maybe(0.3):  # given statistics: a number, or one per feature of the last axis
        kw["mean"], kw["variance"] = s.pick((0.5, 2.0), ([0.5] * last, [2.0] * last))
    s.flags(kw, "invert", p=0.2)
    return kw


@spec("CenterCrop", ranks=[4])
def _center_crop(s: Sampler, name):
    kw = {}
    fmt = s.data_format(kw)
    h, w = (d or 4 for d in s.spatial(fmt))
    kw["height"] = s.small(h + (1 if s.maybe(0.1) else 0))
    kw["width"] = s.small(w + (1 if s.maybe(0.1) else 0))
    return kw


@spec("Resizing", ranks=[4])
def _resizing(s: Sampler, name):
    kw = {"height": s.small(12), "width": s.small(12)}
    s.data_format(kw)
    if s.maybe(0.3):
        kw["interpolation"] = s.pick("bilinear", "nearest", "bicubic")
    s.flags(kw, "crop_to_aspect_ratio", "pad_to_aspect_ratio", p=0.15)
    return kw


@spec("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness",
      "RandomGrayscale", "RandomHue", "RandomSaturation", "RandomSharpness", "RandomShear", "RandomPosterization",
      "RandomInvert", "RandomErasing", "RandomGaussianBlur", "RandomPerspective", "RandomElasticTransform",
      "AutoContrast", "Solarization", "MixUp", "CutMix", min_rank=1)
def _augmentation(s: Sampler, name):
    """Image augmentations keep any input's shape; only their factors are checked."""
    factor = s.pick(0.1, 0.5, (0.1, 0.3))
    kw = {
        "RandomFlip": {"mode": s.pick("horizontal", "vertical", "horizontal_and_vertical")},
        "RandomRotation": {"factor": factor, "fill_mode": s.pick("reflect", "constant")},
        "RandomZoom": {"height_factor": factor, "width_factor": s.pick(None, 0.2)},
        "RandomTranslation": {"height_factor": factor, "width_factor": 0.2},
        "RandomContrast": {"factor": factor},
        "RandomBrightness": {"factor": factor, "value_range": s.pick((0, 255), (0, 1))},
        "RandomGrayscale": {"factor": s.pick(0.2, 1.0)},
        "RandomHue": {"factor": factor},
        "RandomSaturation": {"factor": factor},
        "RandomSharpness": {"factor": factor},
        # Keras's config holds a shear factor f as (-f, f), which its own constructor refuses
        # (factors are in [0, 1]): the translated text of any other factor cannot be built.
        "RandomShear": {"x_factor": 0.0, "y_factor": 0.0},
        "RandomPosterization": {"factor": s.pick(2, 4, (2, 6))},
        "RandomInvert": {"factor": s.pick(0.5, 1.0)},
        "RandomErasing": {"scale": s.pick(0.1, (0.02, 0.3))},
        "RandomGaussianBlur": {"kernel_size": s.pick(3, 5), "sigma": s.pick(0.5, 1.0)},
        "RandomPerspective": {"scale": s.pick(0.5, 1.0)},
        "RandomElasticTransform": {"scale": s.pick(0.5, 1.0)},
        "AutoContrast": {},
        "Solarization": {"addition_factor": s.pick(0.0, 0.2), "threshold_factor": s.pick(0.0, 0.3)},
        "MixUp": {"alpha": s.pick(0.2, 0.5)},
        "CutMix": {"factor": s.pick(0.5, 1.0)},
    }[name]
    if s.maybe(0.2) and name != "AutoContrast":  # the one that takes no seed
        kw["seed"] = s.small(100)
    return kw


@spec("RandomCrop", min_rank=3)
@spec("RandomColorDegeneration", ranks=[3, 4])
def _image_augmentation(s: Sampler, name):
    kw = {}
    fmt = "channels_first" if s.maybe(0.2) else "channels_last"
    if fmt == "channels_first" or s.maybe(0.3):
        kw["data_format"] = fmt
    if name == "RandomColorDegeneration":
        kw["factor"] = s.pick(0.2, 0.5)
        return kw
    height, width = (s.shape[-2], s.shape[-1]) if fmt == "channels_first" else (s.shape[-3], s.shape[-2])
    kw["height"] = s.small(height or 4)
    kw["width"] = s.small(width or 4)
    return kw


# -- the catalogue ------------------------------------------------------------------------------
def catalogue_types() -> list[str]:
    return sorted({cls.type_name for cls in CATALOGUE.values()})


def sequential_types() -> list[str]:
    return [n for n in catalogue_types() if n not in NOT_SEQUENTIAL and n in SPECS]


# -- making a model -----------------------------------------------------------------------------
INPUT_SIZES = {2: 24, 3: 12, 4: 9, 5: 6, 6: 4}


@dataclass
class Generated:
    input_shape: tuple
    layers: list[LayerSpec]
    rejected: list  # (input shape, LayerSpec, Keras's error)
    degenerate: list  # (input shape, LayerSpec, output shape): Keras made a zero-size tensor


def random_input(rng: random.Random) -> tuple:
    batch = rng.randint(1, 4) if rng.random() < 0.05 else None
    rank = rng.choice([2, 3, 3, 3, 4, 4, 4, 5, 5, 6])
    dims = []
    for i in range(rank - 1):
        if rank == 3 and i == 0 and rng.random() < 0.15:
            dims.append(None)  # a sequence of unknown length
        elif rng.random() < 0.03:
            dims.append(None)
        else:
            dims.append(rng.randint(1, INPUT_SIZES[rank]))
    return (batch, *dims)


def takes_common_kwargs(type_name: str) -> bool:
    """Whether the Keras class takes ``**kwargs`` (``trainable=``); SpatialDropout1D, for one, does not."""
    return takes_base_kwargs(getattr(get_keras().layers, type_name))


def too_big(shape) -> bool:
    return math.prod(d for d in shape if d) > MAX_ELEMENTS or len(shape) > 6


#: Layers with weights are drawn this many times as often as the others.
WEIGHTED = 3


#: The image augmentations (tests/keras/test_augmentation.py checks each of them) share
#: AUGMENTATION_DRAWS places in a draw, so that two dozen weightless, shape-keeping layers
#: do not crowd the other layers out of the generated models.
AUGMENTATIONS = frozenset(cls.type_name for cls in CATALOGUE.values() if cls.__module__.endswith(".augmentation"))
AUGMENTATION_DRAWS = 3


def draw(rng: random.Random, names: list[str]) -> str:
    weighted = [n for n in names if n not in AUGMENTATIONS for _ in range(WEIGHTED if n in WITH_WEIGHTS else 1)]
    augmentations = [n for n in names if n in AUGMENTATIONS]
    if augmentations:
        weighted += [""] * AUGMENTATION_DRAWS
    return rng.choice(weighted) or rng.choice(augmentations)


@functools.lru_cache(maxsize=None)
def generate(seed: int) -> Generated:
    """A random Sequential model that real Keras builds, and the candidates Keras refused on the way."""
    keras = get_keras()
    rng = random.Random(seed)
    shape = random_input(rng)
    keras.backend.clear_session(free_memory=False)
    x = keras.Input(shape=shape[1:], batch_size=shape[0])
    result = Generated(shape, [], [], [])
    wanted = rng.randint(1, MAX_LAYERS)
    types = sequential_types()
    for _ in range(MAX_TRIES):
        if len(result.layers) >= wanted:
            break
        current = tuple(x.shape)
        fitting = [n for n in types if fits(n, len(current))]
        name = draw(rng, fitting if fitting and rng.random() > 0.12 else types)
        try:
            layer_spec = LayerSpec(name, SPECS[name][0](Sampler(rng, current), name))
        except (IndexError, ValueError, TypeError):
            if name in fitting:
                raise
            continue  # a layer of the wrong rank whose arguments cannot even be sampled
        if rng.random() < 0.05 and takes_common_kwargs(name):
            layer_spec.kwargs["trainable"] = False
        try:
            y = layer_spec.make()(x)
        except Exception as exc:  # noqa: BLE001 - any refusal by Keras counts
            result.rejected.append((current, layer_spec, f"{type(exc).__name__}: {exc}"))
            continue
        if not isinstance(y, keras.KerasTensor):
            continue  # several outputs (return_state, ...): not for a Sequential model
        out = tuple(y.shape)
        if any(d is not None and d <= 0 for d in out):
            result.degenerate.append((current, layer_spec, out))
            continue
        if too_big(out) or name not in fitting:
            continue  # Keras takes some layers of the wrong rank without complaint; no rule to test
        result.layers.append(layer_spec)
        x = y
    return result


def build_sequential(generated: Generated):
    keras = get_keras()
    keras.backend.clear_session(free_memory=False)
    shape = generated.input_shape
    return keras.Sequential([keras.Input(shape=shape[1:], batch_size=shape[0])] +
                            [spec.make() for spec in generated.layers])


def single_layer_text(shape: tuple, layer_spec: LayerSpec) -> str:
    batch = {"batch_size": shape[0]} if shape[0] is not None else {}
    return format_call("Input", (), {"shape": tuple(shape[1:])} | batch) + "\n" + layer_spec.text() + "\n"


# -- tests --------------------------------------------------------------------------------------
def test_every_catalogue_layer_has_a_generator():
    missing = [n for n in catalogue_types() if n not in SPECS and n not in NOT_SEQUENTIAL]
    assert missing == [], f"add a generator for {missing}"


def test_the_issue_catalogue_is_there():
    missing = [n for n in ISSUE_CATALOGUE if n not in CATALOGUE]
    assert missing == []


@pytest.mark.parametrize("seed", range(N_MODELS))
def test_generated_sequential(seed):
    generated = generate(seed)
    # The same model is written in several styles, by seed: every third with every literal
    # argument Keras's config holds, defaults included (our layers must accept everything
    # Keras accepts); every fourth without names (Keras's default naming, counted per model);
    # every fifth with Keras 2's input_shape= on the first layer instead of an Input line.
    style = {"keep_defaults": seed % 3 == 0, "names": seed % 4 != 2, "input_shape_argument": seed % 5 == 1}
    problems = []
    if generated.layers:
        model = build_sequential(generated)  # right after clear_session(): default names start afresh
        expected = summarize_keras_model(model)
        text = translate(model, **style)
        try:
            ours = summarize(text, framework="keras")
        except ParamsError as exc:
            problems.append(f"Keras builds it, we refuse it: {exc}")
        else:
            problems += compare_summaries(expected, ours.to_dict(), text)
            problems += [f"{row.name}: derivation ends in {row.derivation[-1].value if row.derivation else None}, "
                         f"count is {row.params}" for row in ours.layers
                         if row.params and (not row.derivation or row.derivation[-1].value != row.params)]
        if problems:
            problems.append("text:\n" + text)
    for shape, layer_spec, error in generated.rejected[:REJECTED_PER_MODEL]:
        text = single_layer_text(shape, layer_spec)
        try:
            summarize(text, framework="keras")
        except ParamsError:
            continue
        problems.append(f"Keras refuses it ({error.splitlines()[0][:300]}), we count it:\n{text}")
    for shape, layer_spec, out in generated.degenerate[:REJECTED_PER_MODEL]:
        # Keras makes a zero-size tensor; we either refuse it or agree with Keras on every number.
        text = single_layer_text(shape, layer_spec)
        try:
            ours = summarize(text, framework="keras")
        except ParamsError:
            continue
        keras = get_keras()
        keras.backend.clear_session(free_memory=False)
        model = keras.Sequential([keras.Input(shape=shape[1:], batch_size=shape[0]), layer_spec.make()])
        diff = compare_summaries(summarize_keras_model(model), ours.to_dict(), text)
        if diff:
            problems.append("zero-size output (" + str(out) + "):\n" + "\n".join(diff) + "\n" + text)
    assert problems == [], "\n".join(problems)


def test_the_generator_covers_the_catalogue():
    """Every Sequential-able layer type ends up in some compared model (none is always refused)."""
    generated = [generate(seed) for seed in range(N_MODELS)]  # cached by the tests above
    used = {spec.type_name for g in generated for spec in g.layers}
    used |= {v.type_name for g in generated for spec in g.layers for v in spec.kwargs.values()
             if isinstance(v, LayerSpec)}
    assert sorted(set(sequential_types()) - used - AUGMENTATIONS) == []
    assert len(used & AUGMENTATIONS) >= len(AUGMENTATIONS) // 2
    assert sum(len(g.layers) for g in generated) > 3 * N_MODELS
    assert sum(min(len(g.rejected), REJECTED_PER_MODEL) for g in generated) > N_MODELS // 4


#: Models the generator once found a difference in (the random stream moves as the catalogue grows).
REGRESSIONS = [
    # LayerNormalization without gamma and beta needs no size for its axis.
    'Input(shape=(6, 4, 5, None), batch_size=2)\n'
    'LayerNormalization(axis=[-1], epsilon=1e-06, center=False, scale=False, rms_scaling=False)\n'
    'Permute((1, 2, 4, 3))\n',
    # Bidirectional and TimeDistributed make their inner layer first, which takes a default name.
    'Input(shape=(5, 3))\nBidirectional(LSTM(2, return_sequences=True))\nLSTM(2, return_sequences=True)\n'
    'TimeDistributed(Dense(2))\nDense(2)\n',
]


@pytest.mark.parametrize("text", REGRESSIONS)
def test_regressions(text):
    from tests.oracle.keras_oracle import keras_summary

    problems = compare_summaries(keras_summary(text), summarize(text, framework="keras").to_dict(), text)
    assert problems == [], "\n".join(problems)

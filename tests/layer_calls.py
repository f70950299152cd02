"""Random layer calls over the whole Keras and PyTorch catalogues (tests only).

Shared by the fuzz harness (``test_fuzz.py``, ``benchmarks/fuzz_long.py``) and the
derivation check (``test_derivations.py``).  A call is made from a layer class's declared
``Arg``s: each argument gets a value that fits its default most of the time (an int near
an int, a tuple as long as a tuple, one of the usual option strings), and anything at all
otherwise, so that both valid models and every kind of bad argument come out.
"""

from __future__ import annotations

import random

from sphinxext_params.core.keras import CATALOGUE as KERAS_CATALOGUE
from sphinxext_params.core.layer import REQUIRED
from sphinxext_params.core.pytorch import CATALOGUE as TORCH_CATALOGUE

#: Option strings that layers of either framework take.
STRINGS = ("same", "valid", "causal", "channels_last", "channels_first", "relu", "tanh", "sigmoid", "softmax",
           "linear", "gelu", "concat", "sum", "mul", "ave", "nearest", "bilinear", "bicubic", "zeros", "ones",
           "glorot_uniform", "mean", "max", "reflect", "replicate", "circular", "constant", "dot", "concat",
           "ab,bc->ac", "abc,cd->abd", "abc,dce->abde", "d", "de", "", "x")
#: Arguments that take a layer (a wrapper's or a container's), by name.
LAYER_ARGS = {"layer", "forward_layer", "backward_layer", "cell", "encoder_layer", "decoder_layer",
              "custom_encoder", "custom_decoder"}
KERAS_INNER = ("LSTM(3)", "GRU(2)", "SimpleRNN(4)", "LSTM(3, return_sequences=True)", "GRU(2, go_backwards=True)",
               "Dense(3)", "Conv2D(2, 3)", "Conv1D(2, 2)", "Dropout(0.1)", "ConvLSTM1D(2, 2)")
TORCH_INNER = ("nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)",
               "nn.TransformerDecoderLayer(8, 2, dim_feedforward=16)", "nn.LayerNorm(8)", "nn.Linear(8, 8)")


def unique_classes(catalogue: dict) -> dict:
    """One name per class (aliases such as MaxPool2D → MaxPooling2D dropped)."""
    seen, out = set(), {}
    for name, cls in sorted(catalogue.items()):
        if id(cls) not in seen and name == cls.type_name:
            seen.add(id(cls))
            out[name] = cls
    for name, cls in sorted(catalogue.items()):  # a class registered only under aliases
        if id(cls) not in seen:
            seen.add(id(cls))
            out[name] = cls
    return out


KERAS = unique_classes(KERAS_CATALOGUE)
TORCH = unique_classes(TORCH_CATALOGUE)
#: Keras classes the language makes in its own way (Input(...) lines), not as layer calls.
KERAS_SPECIAL = {"InputLayer"}
#: PyTorch containers: their arguments are modules, not declared Args.
TORCH_CONTAINERS = {"Sequential", "ModuleList", "ModuleDict"}


def small_int(rng: random.Random) -> int:
    return rng.choice((1, 2, 2, 3, 3, 4, 4, 5, 6, 8, 16))


def any_value(rng: random.Random, framework: str, depth: int = 0) -> str:
    """Anything a layer argument might be written as, valid or not."""
    kind = rng.randrange(12)
    if kind < 3:
        return str(small_int(rng))
    if kind == 3:
        return str(rng.choice((0, -1, -7, 10**6, 10**12, 10**12 + 1, 2**63, 10**30)))
    if kind == 4:
        return "(" + ", ".join(str(small_int(rng)) for _ in range(rng.randrange(1, 4))) + ",)"
    if kind == 5:
        return repr(rng.choice(STRINGS))
    if kind == 6:
        return rng.choice(("True", "False", "None"))
    if kind == 7:
        return repr(rng.choice((0.0, 0.1, 0.5, 1.0, 1.5, -0.5, 1e-5)))
    if kind == 8:
        return "[" + ", ".join(str(rng.randrange(-2, 5)) for _ in range(rng.randrange(0, 4))) + "]"
    if kind == 9 and depth == 0:
        return rng.choice(KERAS_INNER if framework == "keras" else TORCH_INNER)
    if kind == 10:
        return "((1, 2), (0, 1))"
    return rng.choice(("None", "(None, 4)", "(2, -1)", "(-1,)", "x", "(1, 2, 3, 4, 5)", "'channels_first'"))


def _permutation(rng: random.Random, shape: tuple) -> str:
    axes = list(range(1, len(shape) + 1))
    rng.shuffle(axes)
    return "(" + ", ".join(map(str, axes)) + ",)"


def _channels(shape: tuple) -> str:
    return str(shape[0] if shape and shape[0] else 3)


def _features(shape: tuple) -> str:
    return str(shape[-1] if shape and shape[-1] else 4)


#: Values that fit an argument of this name, given the input shape (without the batch axis):
#: what makes a random call a valid model often enough to reach every layer's counting.
BY_NAME = {
    "rate": lambda rng, shape: repr(rng.choice((0.0, 0.1, 0.5))),
    "dropout": lambda rng, shape: repr(rng.choice((0.0, 0.1, 0.5))),
    "recurrent_dropout": lambda rng, shape: repr(rng.choice((0.0, 0.2))),
    "p": lambda rng, shape: repr(rng.choice((0.0, 0.1, 0.5))),
    "stddev": lambda rng, shape: repr(rng.choice((0.1, 1.0))),
    "target_shape": lambda rng, shape: rng.choice(("(-1,)", "(-1, 1)", "(1, -1)")),
    "dims": _permutation,
    "equation": lambda rng, shape: repr(rng.choice(("ab,bc->ac", "abc,cd->abd", "abc,dce->abde", "abc,cd->abd"))),
    "axes": lambda rng, shape: rng.choice(("1", "-1", "(1, 1)")),
    "axis": lambda rng, shape: rng.choice(("-1", "-1", "1")),
    "num_heads": lambda rng, shape: rng.choice(("1", "2")),
    "nhead": lambda rng, shape: rng.choice(("1", "2")),
    "num_query_heads": lambda rng, shape: rng.choice(("2", "4")),
    "num_key_value_heads": lambda rng, shape: rng.choice(("1", "2")),
    "groups": lambda rng, shape: rng.choice(("1", "1", "1", "2")),
    "kernel_size": lambda rng, shape: rng.choice(("1", "2", "3", "(1, 2)", "(2, 1)", "(1, 1, 1)")),
    "pool_size": lambda rng, shape: rng.choice(("1", "2", "None")),
    "height": lambda rng, shape: rng.choice(("1", "2")),
    "width": lambda rng, shape: rng.choice(("1", "2")),
    "output_size": lambda rng, shape: rng.choice(("1", "2", "(1, 2)", "(2, 2)", "(1, 1, 1)")),
    "in_channels": lambda rng, shape: _channels(shape),
    "num_features": lambda rng, shape: _channels(shape),
    "num_channels": lambda rng, shape: _channels(shape),
    "in_features": lambda rng, shape: _features(shape),
    "in1_features": lambda rng, shape: _features(shape),
    "input_size": lambda rng, shape: _features(shape),
    "embed_dim": lambda rng, shape: _features(shape),
    "d_model": lambda rng, shape: _features(shape),
    "normalized_shape": lambda rng, shape: _features(shape),
    "num_groups": lambda rng, shape: "1",
    # Image augmentation factors: 1 suits RandomPosterization's [1, 8] too.
    "factor": lambda rng, shape: rng.choice(("0.1", "0.5", "1", "(0.1, 0.3)")),
    "height_factor": lambda rng, shape: rng.choice(("0.1", "0.5", "(-0.2, 0.3)")),
    "width_factor": lambda rng, shape: rng.choice(("0.1", "0.5", "(-0.2, 0.3)")),
}
#: Layers that want RGB images (rank 3, 3 channels): their random inputs mostly are.
RGB_IMAGES = {"RandomColorDegeneration"}


def fitting_value(rng: random.Random, arg, framework: str, shape: tuple = ()) -> str:
    """A value like the argument's default: most of the time something the layer accepts."""
    default = arg.default
    if arg.name in LAYER_ARGS:
        return rng.choice(KERAS_INNER if framework == "keras" else TORCH_INNER)
    if arg.name in BY_NAME and rng.random() < 0.85:
        return BY_NAME[arg.name](rng, shape)
    if isinstance(default, bool):
        return repr(rng.random() < 0.5)
    if isinstance(default, int):
        return str(rng.choice((default, default, 1, 2, 3, 4, 0)) if default >= 0 else default)
    if isinstance(default, float):
        return repr(rng.choice((default, 0.0, 0.1, 0.5)))
    if isinstance(default, (tuple, list)) and all(isinstance(d, int) and not isinstance(d, bool) for d in default):
        values = ", ".join(str(rng.choice((1, 1, 2, 3))) for _ in default)
        return f"({values},)" if default else "()"
    if isinstance(default, str):
        return repr(rng.choice((default, default, default, *STRINGS)))
    if default is None and rng.random() < 0.6:
        return "None"
    return rng.choice((str(small_int(rng)), str(small_int(rng)), any_value(rng, framework, depth=1)))


def layer_call(rng: random.Random, cls, framework: str, *, wild: float = 0.15, shape: tuple = (),
               name: str | None = None) -> str:
    """``Conv2D(4, (3, 3), padding='same')``: a call of ``cls`` with random arguments."""
    args = [a for a in cls.arguments if not a.name.startswith("_")]
    required = [a for a in args if a.default is REQUIRED]
    optional = [a for a in args if a.default is not REQUIRED]
    chosen = list(required) + rng.sample(optional, k=min(len(optional), rng.randrange(0, 4)))
    if required and rng.random() < 0.05:
        chosen.remove(rng.choice(required))  # a missing argument
    positional_ok = [a for a in args if not a.keyword_only]
    written, keywords = [], []
    position = 0
    for arg in sorted(chosen, key=args.index):
        value = any_value(rng, framework) if rng.random() < wild else fitting_value(rng, arg, framework, shape)
        # Leading arguments may be written by position, as users write Dense(10).
        if position < len(positional_ok) and positional_ok[position] is arg and rng.random() < 0.6 and not keywords:
            written.append(value)
            position += 1
        else:
            keywords.append(f"{arg.name}={value}")
    if rng.random() < 0.03:
        keywords.append(f"{rng.choice(('unitz', 'bogus', 'kernal_size'))}=1")
    prefix = "" if framework == "keras" else "nn."
    return f"{prefix}{name or cls.type_name}({', '.join(written + keywords)})"


def expected_rank(name: str) -> int | None:
    """The input rank (without the batch axis) a layer's name asks for: Conv2D 3, ConvLSTM2D 4."""
    for spatial in (1, 2, 3):
        if name.endswith((f"{spatial}D", f"{spatial}d")) or f"{spatial}D" in name or f"{spatial}d" in name:
            return spatial + 1 + ("LSTM" in name)
    return None


def input_shape(rng: random.Random, *, low: int = 1, high: int = 4, name: str = "") -> tuple:
    rank = expected_rank(name)
    if rank is None or rng.random() < 0.2:
        rank = rng.randrange(low, high + 1)
    return tuple(None if rng.random() < 0.05 else rng.choice((2, 3, 4, 5, 6, 8, 9, 12, 16)) for _ in range(rank))


def shape_text(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ",)"


def keras_model(rng: random.Random, name: str | None = None, *, wild: float = 0.15) -> tuple[str, dict]:
    """A small Keras model around one random layer; returns (text, summarize options)."""
    name = name or rng.choice(sorted(set(KERAS) - KERAS_SPECIAL))
    cls = KERAS[name]
    dims = input_shape(rng, name=name)
    if name in RGB_IMAGES and rng.random() < 0.8:
        dims = (*input_shape(rng, low=2, high=2), 3)
    call = layer_call(rng, cls, "keras", wild=wild, shape=dims, name=name)
    shape = shape_text(dims)
    if cls.inputs == "many":
        other = shape if rng.random() < 0.8 else shape_text(input_shape(rng))
        count = rng.choice((2, 2, 3))
        inputs = [f"i{k} = Input(shape={shape if k == 0 else other})" for k in range(count)]
        names = ", ".join(f"i{k}" for k in range(count))
        return "\n".join(inputs + [f"y = {call}([{names}])"]), {}
    if len(cls.call_tensors) > 1:
        value = shape if rng.random() < 0.7 else shape_text(input_shape(rng))
        lines = [f"q = Input(shape={shape})", f"v = Input(shape={value})"]
        tensors = "q, v" if rng.random() < 0.7 else "q, v, v"
        return "\n".join(lines + [f"y = {call}({tensors})"]), {}
    lines = [f"Input(shape={shape})", call]
    if rng.random() < 0.3:
        lines.append(rng.choice(("Flatten()", "Dense(3)", "Dropout(0.5)", "Activation('relu')")))
    return "\n".join(lines), {}


def torch_model(rng: random.Random, name: str | None = None, *, wild: float = 0.15) -> tuple[str, dict]:
    """A small PyTorch model around one random module; returns (text, summarize options)."""
    name = name or rng.choice(sorted(set(TORCH) - TORCH_CONTAINERS))
    cls = TORCH[name]
    dims = input_shape(rng, name=name)
    if name in TORCH_CONTAINERS:
        inner = [layer_call(rng, TORCH[rng.choice(("Linear", "ReLU", "Dropout"))], "pytorch", wild=wild, shape=dims)
                 for _ in range(rng.randrange(0, 3))]
        if name == "ModuleDict":
            call = "nn.ModuleDict({" + ", ".join(f"'m{k}': {m}" for k, m in enumerate(inner)) + "})"
        elif name == "ModuleList":
            call = f"nn.ModuleList([{', '.join(inner)}])"
        else:
            call = f"nn.Sequential({', '.join(inner)})"
    else:
        call = layer_call(rng, cls, "pytorch", wild=wild, shape=dims, name=name)
    lines = [call]
    if rng.random() < 0.3:
        lines.append(rng.choice(("nn.Flatten()", "nn.ReLU()", "nn.Dropout(0.5)")))
    if rng.random() < 0.2:
        lines = ["model = nn.Sequential(", *(f"    {line}," for line in lines), ")"]
    options = {"framework": "pytorch"}
    if rng.random() < 0.85:
        options["input_shape"] = shape_text(dims if rng.random() < 0.9 else input_shape(rng))
    return "\n".join(lines), options


def random_model(rng: random.Random, *, wild: float = 0.15) -> tuple[str, dict]:
    return keras_model(rng, wild=wild) if rng.random() < 0.55 else torch_model(rng, wild=wild)

"""Test helper: turn a real Keras 3 model into the layer-list language.

``translate(model)`` walks a built Keras model (Sequential or functional) and
writes the text that ``sphinxext_params.summarize`` reads, so that any model
Keras can build -- the Keras Applications, randomly generated models -- can be
checked row by row against the framework itself::

    text = translate(keras.applications.ResNet50(weights=None))
    compare_summaries(summarize_keras_model(model), summarize(text).to_dict())

What the text keeps of each layer is its ``get_config()``:

* values that are dicts (initializers, regularizers, constraints, the dtype
  policy) are dropped -- they change no count, and the language takes only
  literal keyword values;
* by default, values equal to the constructor's default are dropped too, so
  the text reads like code a person writes (``keep_defaults=True`` keeps every
  literal, which also checks that our layers accept every Keras argument);
* the constructor's required arguments are written by position (``Conv2D(64, (3, 3), ...)``),
  which checks our layers take them in Keras's order; with ``keep_defaults`` all by keyword;
* every layer gets an explicit ``name="..."`` so the rows' names match;
* wrapped layers (``Bidirectional(LSTM(...))``, ``TimeDistributed(Dense(...))``)
  are written inline, without their inner names (Keras renames them anyway).

A functional model becomes one statement per call, in dependency order::

    input_layer = Input(shape=(224, 224, 3), name="input_layer")
    conv1_pad = ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(input_layer)
    conv1_conv = Conv2D(64, (7, 7), strides=(2, 2), name="conv1_conv")(conv1_pad)
    ...
    Model(input_layer, predictions)

a layer called more than once is made first (``dense = Dense(8, name="dense")``)
and then called (``dense_call = dense(b)``), so its weights count once; a call with
several outputs is indexed (``lstm[0]``).

Models that the language cannot express -- nested models, raw ``keras.ops``
on tensors (``x + 3``), custom layer classes -- raise
:class:`UntranslatableModel` naming what is missing.
"""

from __future__ import annotations

import inspect
import keyword
import math
import re

__all__ = [
    "UntranslatableModel",
    "translate",
    "format_literal",
    "format_call",
    "takes_base_kwargs",
    "layer_arguments",
    "compare_summaries",
    "SUMMARY_KEYS",
]

#: The row fields compared between Keras's summary and ours.
SUMMARY_KEYS = ("name", "type", "output_shape", "params", "trainable", "non_trainable")
TOTAL_KEYS = ("total_params", "trainable_params", "non_trainable_params")

#: Config keys that are not constructor arguments, or that the translator writes itself.
_HANDLED_KEYS = {"name", "trainable", "dtype", "build_config", "compile_config"}
#: Call keyword arguments that change neither a shape nor a count.
_DROPPED_CALL_KWARGS = {"training", "mask"}
#: Names a variable must not take: they are words of the language itself.
_RESERVED = {"Input", "InputLayer", "Model", "Sequential", "keras", "layers", "tf", "tensorflow",
             "models", "model", "torch", "nn", "True", "False", "None"}


class UntranslatableModel(Exception):
    """The model uses something the layer-list language cannot express."""


# -- literals ---------------------------------------------------------------------------------
def format_literal(value) -> str:
    """A Python literal the language parses back to ``value`` (tuples stay tuples)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str)):
        value = value.item()  # a numpy / torch scalar
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UntranslatableModel(f"the value {value!r} has no literal in the layer-list language")
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        items = [format_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(format_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{format_literal(k)}: {format_literal(v)}" for k, v in value.items()) + "}"
    raise UntranslatableModel(f"the value {value!r} ({type(value).__name__}) has no literal "
                              "in the layer-list language")


def format_call(type_name: str, args=(), kwargs=None) -> str:
    """``Conv2D(8, kernel_size=(3, 3), name="c")`` from already formatted positional args and literal kwargs."""
    parts = list(args) + [f"{k}={format_literal(v)}" for k, v in (kwargs or {}).items()]
    return f"{type_name}({', '.join(parts)})"


def _normalized(value):
    """Lists and tuples compare equal; used to decide whether a value is the default."""
    if isinstance(value, (list, tuple)):
        return tuple(_normalized(v) for v in value)
    return value


def _is_default(key: str, value, default) -> bool:
    if _normalized(value) == _normalized(default):
        return True
    # Keras stores activation=None as "linear"; data_format=None as the backend's default.
    return default is None and (key.endswith("activation") and value == "linear" or
                                key == "data_format" and value == "channels_last")


def _signature_defaults(cls) -> dict:
    defaults = {}
    for klass in reversed(cls.__mro__):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            continue
        for p in params:
            if p.default is not inspect.Parameter.empty:
                defaults[p.name] = p.default
    return defaults


def _required_parameters(cls) -> list[str]:
    """The constructor's parameters without a default, in order (``filters, kernel_size``)."""
    try:
        params = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.name != "self" and p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def takes_base_kwargs(cls) -> bool:
    """Whether the constructor takes the base layer's keyword arguments (SpatialDropout1D does not)."""
    try:
        params = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind is p.VAR_KEYWORD for p in params)


def _is_serialized_object(value) -> bool:
    return isinstance(value, dict) and "class_name" in value


# -- one layer --------------------------------------------------------------------------------
def layer_arguments(layer, *, keep_defaults: bool = False, keep_name: bool = True):
    """``(positional, keyword)`` for writing ``layer``: formatted wrapped layers, literal kwargs."""
    cls = type(layer)
    config = layer.get_config()
    defaults = _signature_defaults(cls)
    positional: list[str] = []
    kwargs: dict = {}
    if "layer" in config:  # Bidirectional (which keeps its copy as forward_layer), TimeDistributed
        wrapped = getattr(layer, "forward_layer", None) or layer.layer
        positional.append(inline_layer(wrapped, keep_defaults=keep_defaults))
    for key, value in config.items():
        if key in _HANDLED_KEYS or key == "layer":
            continue
        if key == "backward_layer":
            _check_default_backward(layer)
            continue
        if isinstance(value, dict) and (_is_serialized_object(value) or not value):
            continue  # initializers, regularizers, constraints, dtype policies
        if not keep_defaults and key in defaults and _is_default(key, value, defaults[key]):
            continue
        kwargs[key] = value
    if not keep_defaults:  # write the required arguments by position, as people do: Conv2D(8, (3, 3))
        for key in _required_parameters(cls):
            if key == "layer":
                continue
            if key not in kwargs:
                break
            positional.append(format_literal(kwargs.pop(key)))
    if not getattr(layer, "trainable", True):
        kwargs["trainable"] = False
    if keep_name:
        kwargs["name"] = layer.name
    return positional, kwargs


def _check_default_backward(layer) -> None:
    """Bidirectional always serializes its backward layer; only the default one can be left out."""
    forward, backward = layer.forward_layer, layer.backward_layer
    fc, bc = forward.get_config(), backward.get_config()
    for key in set(fc) | set(bc):
        if key in ("name", "go_backwards", "dtype") or _is_serialized_object(fc.get(key)):
            continue
        if _normalized(fc.get(key)) != _normalized(bc.get(key)):
            raise UntranslatableModel(f"{layer.name}: a backward_layer that differs from the forward one "
                                      f"({key}: {fc.get(key)!r} vs {bc.get(key)!r}) is not supported")
    if fc.get("go_backwards") == bc.get("go_backwards"):
        raise UntranslatableModel(f"{layer.name}: a backward_layer with go_backwards equal to the forward "
                                  "layer's is not supported")


def inline_layer(layer, *, keep_defaults: bool = False) -> str:
    """A wrapped layer written inside its wrapper, without its own name."""
    _check_layer_type(layer)
    positional, kwargs = layer_arguments(layer, keep_defaults=keep_defaults, keep_name=False)
    return format_call(type(layer).__name__, positional, kwargs)


def _check_layer_type(layer) -> None:
    from keras import Model

    if isinstance(layer, Model):
        raise UntranslatableModel(f"{layer.name}: a model used as a layer ({type(layer).__name__}) "
                                  "cannot be written as a layer list")
    from keras import layers

    if not isinstance(layer, layers.Layer):
        raise UntranslatableModel(f"{layer.name}: the operation {type(layer).__name__} (keras.ops on "
                                  "tensors) is not a layer")
    if getattr(layers, type(layer).__name__, None) is not type(layer):
        raise UntranslatableModel(f"{layer.name}: {type(layer).__name__} is not a keras.layers class")


def _layer_text(layer, keep_defaults: bool, keep_name: bool = True, extra: dict | None = None) -> str:
    _check_layer_type(layer)
    positional, kwargs = layer_arguments(layer, keep_defaults=keep_defaults, keep_name=keep_name)
    return format_call(type(layer).__name__, positional, kwargs | (extra or {}))


def _input_text(input_layer) -> str:
    batch_shape = tuple(input_layer.batch_shape)
    kwargs: dict = {"shape": batch_shape[1:]}
    if batch_shape[0] is not None:
        kwargs["batch_size"] = batch_shape[0]
    dtype = getattr(input_layer, "dtype", None)
    if isinstance(dtype, str) and dtype != "float32":
        kwargs["dtype"] = dtype
    if getattr(input_layer, "sparse", False):
        kwargs["sparse"] = True
    kwargs["name"] = input_layer.name
    return format_call("Input", (), kwargs)


# -- models -----------------------------------------------------------------------------------
def translate(model, *, keep_defaults: bool = False, names: bool = True,
              input_shape_argument: bool = False) -> str:
    """The layer-list text of a built Keras model (see the module docstring).

    For a Sequential model, ``names=False`` leaves the layers' names to the default naming
    (Keras numbers them per session, so build the model right after ``clear_session()``),
    and ``input_shape_argument=True`` writes the input Keras 2 style, as ``input_shape=``
    on the first layer, instead of an ``Input`` line.
    """
    import keras

    if not model.built:
        raise UntranslatableModel("the model is not built: give it an Input first")
    if isinstance(model, keras.Sequential):
        return _translate_sequential(model, keep_defaults, names, input_shape_argument)
    if hasattr(model, "_nodes_by_depth") and hasattr(model, "_operations"):
        return _translate_functional(model, keep_defaults)
    raise UntranslatableModel(f"a subclassed model ({type(model).__name__}) has no graph to translate")


def _translate_sequential(model, keep_defaults: bool, names: bool, input_shape_argument: bool) -> str:
    (input_tensor,) = model.inputs
    batch, *shape = tuple(input_tensor.shape)
    lines = []
    first = {}
    if input_shape_argument and model.layers and batch is None and takes_base_kwargs(type(model.layers[0])):
        first = {"input_shape": tuple(shape)}  # Keras 3 has no batch_input_shape=
    else:
        lines.append(format_call("Input", (), {"shape": tuple(shape)} | (
            {"batch_size": batch} if batch is not None else {})))
    for i, layer in enumerate(model.layers):
        lines.append(_layer_text(layer, keep_defaults, names, first if i == 0 else None))
    return "\n".join(lines) + "\n"


class _Names:
    """Python variable names for layer names, unique and never a word of the language."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, wanted: str) -> str:
        from sphinxext_params.core.keras import CATALOGUE

        base = re.sub(r"\W", "_", wanted).strip("_") or "t"
        if base[0].isdigit() or keyword.iskeyword(base) or base in _RESERVED or base in CATALOGUE:
            base = "v_" + base
        name, i = base, 1
        while name in self.used:
            name, i = f"{base}_{i}", i + 1
        self.used.add(name)
        return name


def _translate_functional(model, keep_defaults: bool) -> str:
    from keras import KerasTensor

    names = _Names()
    in_model = {id(n) for nodes in model._nodes_by_depth.values() for n in nodes}
    layer_var: dict[int, str] = {}  # id(layer) -> variable holding a shared layer object
    tensor_expr: dict[tuple, str] = {}  # (id(operation), node_index, tensor_index) -> expression
    lines: list[str] = []

    def history_key(tensor):
        op, node_index, tensor_index = tensor._keras_history
        return id(op), node_index, tensor_index

    def expr(value):
        if isinstance(value, KerasTensor):
            key = history_key(value)
            if key not in tensor_expr:
                raise UntranslatableModel(f"a tensor ({value.name}) does not come from a layer of the model")
            return tensor_expr[key]
        if isinstance(value, (list, tuple)):
            items = [expr(v) for v in value]
            if isinstance(value, tuple) and len(items) != 1:
                return "(" + ", ".join(items) + ")"
            return "[" + ", ".join(items) + "]"
        return format_literal(value)

    # Nodes deepest first: a node only depends on nodes of a greater depth.
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            layer = node.operation
            node_index = layer._inbound_nodes.index(node)
            if node.is_input:
                var = names.make(layer.name)
                lines.append(f"{var} = {_input_text(layer)}")
                tensor_expr[(id(layer), node_index, 0)] = var
                continue
            own_calls = [n for n in layer._inbound_nodes if id(n) in in_model]
            args = [expr(a) for a in node.arguments.args]
            args += [f"{k}={expr(v)}" for k, v in node.arguments.kwargs.items()
                     if k not in _DROPPED_CALL_KWARGS]
            call = "(" + ", ".join(args) + ")"
            if len(own_calls) > 1:  # a shared layer: make it once, call it by its variable
                if id(layer) not in layer_var:
                    layer_var[id(layer)] = names.make(layer.name)
                    lines.append(f"{layer_var[id(layer)]} = {_layer_text(layer, keep_defaults)}")
                var = names.make(f"{layer.name}_call")
                lines.append(f"{var} = {layer_var[id(layer)]}{call}")
            else:
                var = names.make(layer.name)
                lines.append(f"{var} = {_layer_text(layer, keep_defaults)}{call}")
            outputs = node.outputs
            for i, _ in enumerate(outputs):
                tensor_expr[(id(layer), node_index, i)] = var if len(outputs) == 1 else f"{var}[{i}]"
    ins = [expr(t) for t in model.inputs]
    outs = [expr(t) for t in model.outputs]
    ins_text = ins[0] if len(ins) == 1 else "[" + ", ".join(ins) + "]"
    outs_text = outs[0] if len(outs) == 1 else "[" + ", ".join(outs) + "]"
    lines.append(f"Model({ins_text}, {outs_text})")
    return "\n".join(lines) + "\n"


# -- comparing summaries ----------------------------------------------------------------------
def compare_summaries(expected: dict, got: dict, text: str | None = None) -> list[str]:
    """Every difference between two summary dicts (Keras's first), as readable lines.

    Rows are compared by position on :data:`SUMMARY_KEYS`; the line of ``text``
    that wrote a differing layer is quoted, so a report names the layer's arguments.
    """
    problems = []
    lines_by_name = {}
    if text:
        for line in text.splitlines():
            m = re.search(r'name="([^"]*)"', line)
            if m:
                lines_by_name.setdefault(m.group(1), line.strip())
    exp_rows, got_rows = expected["layers"], got["layers"]
    if len(exp_rows) != len(got_rows):
        problems.append(f"{len(exp_rows)} rows expected, got {len(got_rows)}: "
                        f"missing {[r['name'] for r in exp_rows if r['name'] not in {g['name'] for g in got_rows}]}, "
                        f"extra {[r['name'] for r in got_rows if r['name'] not in {e['name'] for e in exp_rows}]}")
    for i, (e, g) in enumerate(zip(exp_rows, got_rows)):
        diffs = {k: (e[k], g.get(k)) for k in SUMMARY_KEYS if _normalized(e[k]) != _normalized(g.get(k))}
        if diffs:
            where = lines_by_name.get(e["name"]) or lines_by_name.get(g.get("name"), "")
            detail = ", ".join(f"{k}: keras {a!r} vs ours {b!r}" for k, (a, b) in diffs.items())
            problems.append(f"row {i} {e['name']!r}: {detail}" + (f"\n    from: {where}" if where else ""))
    for k in TOTAL_KEYS:
        if expected[k] != got.get(k):
            problems.append(f"{k}: keras {expected[k]:,} vs ours {got.get(k)!r}")
    return problems

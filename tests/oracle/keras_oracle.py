"""Test oracle: build a layer-list text in REAL Keras 3 and report what it says.

This module is test code only.  It executes the layer-list text (Keras flavour)
inside a namespace mapped to the real ``keras`` package (torch backend) and
returns the same JSON shape that ``sphinxext_params``' core ``Summary.to_dict()``
produces, plus a few extra keys useful for formatting tests.

Public API::

    keras_summary(text, input_shape=None) -> dict
    keras_layer_weights(text, input_shape=None) -> list[dict]
    build_keras_model(text, input_shape=None) -> keras.Model

Keras is imported lazily (the first call costs ~5 s; later calls are cheap).
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import textwrap
import types
import warnings

__all__ = [
    "core_view",
    "keras_summary",
    "keras_layer_weights",
    "build_keras_model",
    "get_keras",
    "IGNORED_METHODS",
]

# Method calls that never change the architecture; statements calling them
# (``model.fit(...)``, ``history = model.fit(...)``, ``print(...)``) are dropped.
IGNORED_METHODS = frozenset(
    {
        "compile",
        "fit",
        "fit_generator",
        "evaluate",
        "evaluate_generator",
        "predict",
        "predict_generator",
        "predict_on_batch",
        "train_on_batch",
        "test_on_batch",
        "summary",
        "save",
        "save_weights",
        "load_weights",
        "export",
        "plot_model",
        "to_json",
        "get_config",
        "count_params",
    }
)
IGNORED_FUNCTIONS = frozenset({"print", "plot_model", "display"})

_KERAS = None


def get_keras():
    """Import keras once (torch backend) and return the module."""
    global _KERAS
    if _KERAS is None:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras  # noqa: PLC0415

        _KERAS = keras
    return _KERAS


CORE_LAYER_KEYS = ("name", "type", "output_shape", "params", "trainable", "non_trainable")
CORE_TOTAL_KEYS = ("framework", "total_params", "trainable_params", "non_trainable_params")


def core_view(summary: dict, weights: bool = False) -> dict:
    """Project a summary dict (oracle's or core's ``to_dict()``) on the keys
    both produce, so ``core_view(core) == core_view(oracle)`` is a full check.

    PyTorch adds ``buffers`` (per row and total); ``weights=True`` keeps the
    per-row ``weights`` lists too.
    """
    layer_keys = CORE_LAYER_KEYS
    total_keys = CORE_TOTAL_KEYS
    if summary.get("framework") == "pytorch":
        layer_keys += ("buffers",)
        total_keys += ("buffers",)
    if weights:
        layer_keys += ("weights",)
    out = {k: summary.get(k) for k in total_keys}
    out["layers"] = [{k: row.get(k) for k in layer_keys} for row in summary["layers"]]
    return out


# --------------------------------------------------------------------------
# Statement pre-processing (shared in spirit with torch_oracle)
# --------------------------------------------------------------------------


def _call_name(node):
    """Return the called attribute/function name of a Call node, or None."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _is_ignored_statement(stmt) -> bool:
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    value = None
    if isinstance(stmt, ast.Expr):
        value = stmt.value
        if isinstance(value, ast.Constant):  # docstrings, stray literals
            return True
    elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        value = stmt.value
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr in IGNORED_METHODS:
            return True
        if isinstance(func, ast.Name) and func.id in IGNORED_FUNCTIONS:
            return True
        if isinstance(func, ast.Attribute) and func.attr in IGNORED_FUNCTIONS:
            return True
    return False


def parse_statements(text: str):
    """Parse layer-list text into top-level statements, dropping noise.

    ``class X(...): def __init__(self): ...`` bodies are flattened to the
    ``__init__`` statements (``super().__init__()`` dropped).
    """
    tree = ast.parse(textwrap.dedent(text))
    out = []
    # Statements using a flattened class (``model = Net()``) are dropped.
    class_names = {s.name for s in tree.body if isinstance(s, ast.ClassDef)}

    def uses_class(stmt):
        return any(
            isinstance(n, ast.Name) and n.id in class_names for n in ast.walk(stmt)
        )

    def visit(stmts):
        for stmt in stmts:
            if not isinstance(stmt, ast.ClassDef) and class_names and uses_class(stmt):
                continue
            if isinstance(stmt, ast.ClassDef):
                for sub in stmt.body:
                    if isinstance(sub, ast.FunctionDef) and sub.name == "__init__":
                        visit(sub.body)
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(stmt, ast.If) and _is_main_guard(stmt):
                continue
            if isinstance(stmt, ast.Expr) and _is_super_init(stmt.value):
                continue
            if _is_ignored_statement(stmt):
                continue
            out.append(stmt)

    visit(tree.body)
    return out


def _is_main_guard(stmt) -> bool:
    test = stmt.test
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )


def _is_super_init(node) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__init__"
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "super"
    )


def _exec_stmt(stmt, ns):
    code = compile(ast.Module(body=[stmt], type_ignores=[]), "<layer-list>", "exec")
    exec(code, ns)  # noqa: S102 - test oracle only


def _eval_expr(expr, ns):
    code = compile(ast.Expression(body=expr), "<layer-list>", "eval")
    return eval(code, ns)  # noqa: S307 - test oracle only


# --------------------------------------------------------------------------
# Namespace and graph tracking
# --------------------------------------------------------------------------


def _make_namespace():
    keras = get_keras()
    ns = {"__builtins__": __builtins__}
    for name in dir(keras.layers):
        if not name.startswith("_"):
            ns[name] = getattr(keras.layers, name)
    for sub in (
        "models",
        "ops",
        "regularizers",
        "initializers",
        "constraints",
        "activations",
        "optimizers",
        "losses",
        "metrics",
        "backend",
        "utils",
        "applications",
    ):
        if hasattr(keras, sub):
            ns[sub] = getattr(keras, sub)
    ns.update(
        keras=keras,
        layers=keras.layers,
        tf=types.SimpleNamespace(keras=keras),
        Sequential=keras.Sequential,
        Model=keras.Model,
        Input=keras.Input,
    )
    return ns


class _NodeTracker:
    """Records top-level symbolic layer calls and Input() creations in order.

    A Node is "top level" when it is created directly by a layer/operation
    call made by the text (not by a layer calling sub-layers, not while a
    Sequential/Functional model wires itself).  Input nodes count when they
    are created outside any call or model construction.
    """

    def __init__(self):
        self.stack = []
        self.nodes = []  # (statement_index, node)
        self.stmt_index = -1

    @contextlib.contextmanager
    def active(self):
        from keras.src.layers.core.input_layer import InputLayer
        from keras.src.layers.layer import Layer
        from keras.src.models import functional as functional_mod
        from keras.src.models.functional import Functional
        from keras.src.models.sequential import Sequential
        from keras.src.ops import node as node_mod
        from keras.src.ops.operation import Operation

        tracker = self
        patches = []

        def wrap(cls, attr, tag, module=False):
            orig = getattr(cls, attr) if module else cls.__dict__[attr]

            def wrapper(*args, **kwargs):
                tracker.stack.append(tag)
                try:
                    return orig(*args, **kwargs)
                finally:
                    tracker.stack.pop()

            wrapper.__wrapped__ = orig
            patches.append((cls, attr, orig))
            setattr(cls, attr, wrapper)

        wrap(Layer, "__call__", "call")
        wrap(Operation, "__call__", "call")
        # (Never wrap __init__: Operation.__new__ introspects its signature.)
        wrap(Sequential, "add", "model")
        wrap(Sequential, "build", "model")
        wrap(Sequential, "_maybe_rebuild", "model")
        wrap(Functional, "build", "model")
        wrap(functional_mod, "clone_graph_nodes", "model", module=True)

        Node = node_mod.Node
        orig_node_init = Node.__dict__["__init__"]

        def node_init(node_self, *args, **kwargs):
            orig_node_init(node_self, *args, **kwargs)
            op = node_self.operation
            if tracker.stack == ["call"] or (
                not tracker.stack and isinstance(op, InputLayer)
            ):
                tracker.nodes.append((tracker.stmt_index, node_self))

        patches.append((Node, "__init__", orig_node_init))
        Node.__init__ = node_init
        try:
            yield self
        finally:
            for cls, attr, orig in reversed(patches):
                setattr(cls, attr, orig)

    def functional_io(self, submodels=()):
        """Inputs/outputs of the implicit functional model.

        Nodes (and Input tensors) that are part of a Model built by the text
        and then used as a layer (``submodels``) are not part of the outer
        graph.
        """
        from keras.src.layers.core.input_layer import InputLayer

        skip = set()
        for sub in submodels:
            for nodes in getattr(sub, "_nodes_by_depth", {}).values():
                skip.update(id(n) for n in nodes)
        inputs = []
        produced = []
        for _, node in self.nodes:
            if id(node) in skip:
                continue
            if isinstance(node.operation, InputLayer):
                inputs.extend(node.output_tensors)
            else:
                produced.append(node)
        outputs = []
        for i, node in enumerate(produced):
            later_inputs = set()
            for later in produced[i + 1 :]:
                later_inputs.update(id(t) for t in later.input_tensors)
            for t in node.output_tensors:
                if id(t) not in later_inputs:
                    outputs.append(t)
        return inputs, outputs

    def last_call_statement(self):
        from keras.src.layers.core.input_layer import InputLayer

        idx = [i for i, n in self.nodes if not isinstance(n.operation, InputLayer)]
        return max(idx) if idx else -1


# --------------------------------------------------------------------------
# Model building
# --------------------------------------------------------------------------


def _has_input_arg(layer) -> bool:
    return getattr(layer, "_input_shape_arg", None) is not None


def build_keras_model(text: str, input_shape=None):
    """Execute the layer-list ``text`` and return the real Keras model."""
    keras = get_keras()
    from keras.src.layers.core.input_layer import InputLayer

    keras.backend.clear_session(free_memory=False)  # gc.collect() costs ~250 ms
    ns = _make_namespace()
    stmts = parse_statements(text)
    tracker = _NodeTracker()
    bare = []  # layers / Input tensors given as bare statements, in order
    models = []  # (statement_index, model) from assignments/bare statements

    with warnings.catch_warnings(), tracker.active():
        warnings.simplefilter("ignore")
        for i, stmt in enumerate(stmts):
            tracker.stmt_index = i
            if isinstance(stmt, ast.Expr):
                value = stmt.value
                # `model.add(X)` with no `model` defined: implicit list.
                if (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Attribute)
                    and value.func.attr == "add"
                    and isinstance(value.func.value, ast.Name)
                    and value.func.value.id not in ns
                    and len(value.args) == 1
                ):
                    bare.append(_eval_expr(value.args[0], ns))
                    continue
                result = _eval_expr(value, ns)
                if isinstance(result, keras.Model):
                    models.append((i, result))
                    bare.append(result)
                elif isinstance(result, keras.layers.Layer):
                    bare.append(result)
                elif isinstance(result, keras.KerasTensor):
                    hist = getattr(result, "_keras_history", None)
                    if hist is not None and isinstance(hist[0], InputLayer):
                        bare.append(result)
            else:
                _exec_stmt(stmt, ns)
                if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                    targets = (
                        stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    )
                    for tgt in targets:
                        if isinstance(tgt, ast.Name):
                            val = ns.get(tgt.id)
                            if isinstance(val, keras.Model):
                                models.append((i, val))

        tracker.stmt_index = len(stmts)
        model = None
        bare_models = [b for b in bare if isinstance(b, keras.Model)]
        if bare and not (len(bare) == 1 and bare_models):
            items = list(bare)
            first = items[0]
            has_input = isinstance(first, keras.KerasTensor) or isinstance(
                first, InputLayer
            )
            if (
                input_shape is not None
                and not has_input
                and not _has_input_arg(first)
            ):
                items.insert(0, keras.Input(shape=tuple(input_shape)))
            model = keras.Sequential(items)
        elif bare_models:
            model = bare_models[0]
        elif models and models[-1][0] >= tracker.last_call_statement():
            model = models[-1][1]
        elif tracker.nodes:
            inputs, outputs = tracker.functional_io(
                [m for _, m in models if m._inbound_nodes]
            )
            if not inputs:
                raise ValueError("functional layer-list text has no Input(...)")
            model = keras.Model(
                inputs[0] if len(inputs) == 1 else inputs,
                outputs[0] if len(outputs) == 1 else outputs,
            )
        else:
            raise ValueError("layer-list text defines no layers")

        if (
            input_shape is not None
            and isinstance(model, keras.Sequential)
            and not model.built
        ):
            model.build((None, *tuple(input_shape)))
    return model


# --------------------------------------------------------------------------
# Summary extraction
# --------------------------------------------------------------------------


def summary_layers(model):
    """The layers ``model.summary()`` lists, in its order."""
    keras = get_keras()
    from keras.src.models.functional import Functional

    if isinstance(model, keras.Sequential):
        return list(model.layers)
    if isinstance(model, Functional):
        return list(model._operations)
    return list(model.layers)


def _shape_list(shape):
    return [None if d is None else int(d) for d in shape]


def layer_output_shape(layer):
    """Mirror keras/src/utils/summary_utils.py ``format_layer_shape``.

    Returns a list (one shape), a list of lists (several outputs) or None
    (summary shows "?").  Last inbound node wins.
    """
    inbound = getattr(layer, "_inbound_nodes", None) or []
    build_shapes = getattr(layer, "_build_shapes_dict", None)
    if not inbound and not build_shapes:
        return None
    if inbound:
        shapes = [_shape_list(t.shape) for t in inbound[-1].output_tensors]
    else:
        try:
            if hasattr(layer, "output_shape"):
                shapes = [_shape_list(layer.output_shape)]
            else:
                from keras.src import tree

                out = layer.compute_output_shape(**build_shapes)
                shapes = [
                    _shape_list(s)
                    for s in tree.flatten(
                        tree.map_shape_structure(lambda s: tuple(s), out)
                    )
                ]
        except NotImplementedError:
            return None
    if len(shapes) == 1:
        return shapes[0]
    return shapes


def _plain_shape_text(layer):
    from keras.src.utils import summary_utils
    import rich.text

    try:
        return rich.text.Text.from_markup(summary_utils.format_layer_shape(layer)).plain
    except Exception:  # pragma: no cover - diagnostics only
        return None


def _count(weights):
    import math

    return int(sum(math.prod(w.shape) for w in weights))


def _connections(model, layer):
    from keras.src.models.functional import Functional

    if not isinstance(model, Functional):
        return None
    relevant = []
    for v in model._nodes_by_depth.values():
        relevant += v
    out = []
    for node in layer._inbound_nodes:
        if relevant and node not in relevant:
            continue
        for kt in node.input_tensors:
            h = kt._keras_history
            out.append(f"{h.operation.name}[{h.node_index}][{h.tensor_index}]")
    return out


def _capture_summary(model):
    lines = []
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "250"  # use Keras' default widths (88/108)
    try:
        model.summary(print_fn=lambda s, *a, **k: lines.append(s))
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(lines)


_TOTALS_RE = {
    key: re.compile(rf"{label}:\s*([\d,]+)\s*\(([^)]*)\)")
    for key, label in (
        ("total", r"Total params"),
        ("trainable", r"(?<!Non-)Trainable params"),
        ("non_trainable", r"Non-trainable params"),
    )
}


def keras_summary(text: str, input_shape=None) -> dict:
    """Build ``text`` in real Keras and return its summary as a dict.

    Keys: framework, layers (name, type, output_shape, params, trainable,
    non_trainable, weights [{name, shape, trainable}] + extras
    output_shape_text, built, connected_to),
    total_params, trainable_params, non_trainable_params, and extras
    summary_text, total_memory, trainable_memory, non_trainable_memory,
    model_name, model_type, sequential_like.
    """
    model = build_keras_model(text, input_shape)
    return summarize_keras_model(model)


def summarize_keras_model(model) -> dict:
    rows = []
    for layer in summary_layers(model):
        built = bool(getattr(layer, "built", False))
        if not hasattr(layer, "built") or not built:
            params = 0
        else:
            params = int(layer.count_params())
        tw = getattr(layer, "trainable_weights", []) if built else []
        ntw = getattr(layer, "non_trainable_weights", []) if built else []
        tids = {id(w) for w in tw}
        weights = list(getattr(layer, "weights", []) or []) if built else []
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": layer_output_shape(layer),
                "params": params,
                "trainable": _count(tw),
                "non_trainable": _count(ntw),
                "weights": [
                    {
                        "name": w.name,
                        "shape": [int(d) for d in w.shape],
                        "trainable": id(w) in tids,
                    }
                    for w in weights
                ],
                "output_shape_text": _plain_shape_text(layer),
                "built": built,
                "connected_to": _connections(model, layer),
            }
        )
    if hasattr(model, "_collected_trainable_weights"):
        trainable = _count(model._collected_trainable_weights)
    else:
        trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)

    summary_text = _capture_summary(model)
    mem = {}
    for key, rx in _TOTALS_RE.items():
        m = rx.search(summary_text)
        mem[key] = m.group(2) if m else None
    return {
        "framework": "keras",
        "layers": rows,
        "total_params": trainable + non_trainable,
        "trainable_params": trainable,
        "non_trainable_params": non_trainable,
        "summary_text": summary_text,
        "total_memory": mem["total"],
        "trainable_memory": mem["trainable"],
        "non_trainable_memory": mem["non_trainable"],
        "model_name": model.name,
        "model_type": type(model).__name__,
        "sequential_like": "Connected to" not in summary_text,
    }


def keras_layer_weights(text: str, input_shape=None) -> list:
    """Per summary row: its weights as ``(variable.name, shape, trainable)``.

    Returns ``[{"name", "type", "weights": [(name, shape_tuple, trainable)],
    "paths": [variable.path, ...]}]`` in summary row order; weights in
    ``layer.weights`` order; ``trainable`` means "in layer.trainable_weights".
    """
    model = build_keras_model(text, input_shape)
    out = []
    for layer in summary_layers(model):
        weights = list(getattr(layer, "weights", []) or [])
        tids = {id(w) for w in getattr(layer, "trainable_weights", [])}
        out.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "weights": [
                    (w.name, tuple(int(d) for d in w.shape), id(w) in tids)
                    for w in weights
                ],
                "paths": [getattr(w, "path", w.name) for w in weights],
            }
        )
    return out

"""Test oracle: build a layer-list text in REAL PyTorch and report what it says.

This module is test code only.  It executes the layer-list text (PyTorch
flavour) inside a namespace holding the real ``torch``/``nn`` and returns the
JSON shape of ``sphinxext_params``' core ``Summary.to_dict()``.

Public API::

    torch_summary(text, input_shape=None) -> dict
    torch_layer_weights(text, input_shape=None) -> list[dict]
    build_torch_model(text) -> nn.Sequential (children = summary rows)

Accepted text forms (statements, in written order):

* bare module calls ``nn.Linear(784, 128)`` -> children "0", "1", ...
* one bare/assigned container ``nn.Sequential(...)`` (``model = ...``)
  -> that container is the model, its children are the rows;
* ``self.fc1 = nn.Linear(...)`` lines (optionally inside
  ``class Net(nn.Module): def __init__(self): ...``) -> child "fc1", ...;
* helper assignments (``encoder_layer = nn.TransformerEncoderLayer(...)``)
  used by later statements;
* a ``trainable=False`` keyword on any module call (our language) ->
  keyword stripped, ``requires_grad_(False)`` applied to that module.

Forward pass (only when ``input_shape`` is given): ``torch.zeros(2,
*input_shape)`` (``torch.long`` if the first leaf module is an
Embedding/EmbeddingBag) is pushed through the top-level children one by one,
in eval mode under ``no_grad``.  ``nn.MultiheadAttention`` is called as
``m(x, x, x)``; ``TransformerDecoder(Layer)``/``Transformer`` as ``m(x, x)``;
a tuple output (RNNs, MHA) contributes / forwards its first tensor.  Nested
``nn.Sequential``/``ModuleList``/``ModuleDict`` children are run with the same
rules.  Reported output shapes replace dim 0 with ``None``.
"""

from __future__ import annotations

import ast
import collections
import warnings

from tests.oracle.keras_oracle import _eval_expr, _exec_stmt, core_view, parse_statements

__all__ = ["core_view", "torch_summary", "torch_layer_weights", "build_torch_model", "run_children"]

BATCH = 2


def _torch():
    import torch  # noqa: PLC0415

    return torch


# --------------------------------------------------------------------------
# Text -> model
# --------------------------------------------------------------------------

_FREEZE = "__oracle_freeze__"


class _StripTrainable(ast.NodeTransformer):
    """``nn.X(..., trainable=False)`` -> ``__oracle_freeze__(nn.X(...), False)``."""

    def visit_Call(self, node):
        self.generic_visit(node)
        kw = [k for k in node.keywords if k.arg == "trainable"]
        if not kw:
            return node
        node.keywords = [k for k in node.keywords if k.arg != "trainable"]
        return ast.copy_location(
            ast.Call(
                func=ast.Name(id=_FREEZE, ctx=ast.Load()),
                args=[node, kw[-1].value],
                keywords=[],
            ),
            node,
        )


def _freeze(module, trainable):
    if not trainable:
        module.requires_grad_(False)
    return module


class _Self:
    """Stand-in for ``self`` in ``self.fc1 = ...`` lines; records modules."""

    def __init__(self):
        object.__setattr__(self, "_modules_in_order", collections.OrderedDict())

    def __setattr__(self, name, value):
        nn = _torch().nn
        if isinstance(value, nn.Module):
            self._modules_in_order[name] = value
        object.__setattr__(self, name, value)

    def add_module(self, name, module):
        setattr(self, name, module)

    register_module = add_module


def _make_namespace():
    torch = _torch()
    nn = torch.nn
    ns = {"__builtins__": __builtins__}
    for name in dir(nn):
        obj = getattr(nn, name)
        if isinstance(obj, type) and issubclass(obj, nn.Module):
            ns[name] = obj
    ns.update(
        torch=torch,
        nn=nn,
        F=nn.functional,
        OrderedDict=collections.OrderedDict,
        math=__import__("math"),
        self=_Self(),
    )
    ns[_FREEZE] = _freeze
    try:  # optional, only if installed
        import torchvision  # noqa: F401, PLC0415

        ns["torchvision"] = torchvision
    except Exception:
        pass
    return ns


_CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")


def _is_container(m):
    nn = _torch().nn
    return isinstance(m, (nn.Sequential, nn.ModuleList, nn.ModuleDict))


def build_torch_model(text: str, device=None):
    """Execute ``text``; return the model whose top-level children are rows.

    ``device="meta"`` builds without allocating weights (fast for huge
    models such as VGG16; shapes still propagate in the forward pass).
    """
    torch = _torch()
    if device is not None:
        with torch.device(device):
            return build_torch_model(text)
    nn = torch.nn
    ns = _make_namespace()
    stmts = [_StripTrainable().visit(s) for s in parse_statements(text)]
    for s in stmts:
        ast.fix_missing_locations(s)

    bare = []
    named = []  # (var name, module)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for stmt in stmts:
            if isinstance(stmt, ast.Expr):
                result = _eval_expr(stmt.value, ns)
                if isinstance(result, nn.Module):
                    bare.append(result)
                continue
            _exec_stmt(stmt, ns)
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for tgt in targets:
                    if isinstance(tgt, ast.Name) and isinstance(ns.get(tgt.id), nn.Module):
                        named.append((tgt.id, ns[tgt.id]))

    self_modules = ns["self"]._modules_in_order
    if self_modules:
        items = list(self_modules.items())
        items += [(str(len(items) + i), m) for i, m in enumerate(bare)]
        return nn.Sequential(collections.OrderedDict(items))
    if bare:
        if len(bare) == 1 and _is_container(bare[0]):
            return bare[0]
        return nn.Sequential(*bare)
    if named:
        name, module = named[-1]
        if _is_container(module):
            return module
        return nn.Sequential(collections.OrderedDict([(name, module)]))
    raise ValueError("layer-list text defines no nn.Module")


# --------------------------------------------------------------------------
# Forward pass
# --------------------------------------------------------------------------


def _first_tensor(out):
    torch = _torch()
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (tuple, list)) and out:
        return _first_tensor(out[0])
    if isinstance(out, dict) and out:
        return _first_tensor(next(iter(out.values())))
    # PackedSequence and friends
    data = getattr(out, "data", None)
    if isinstance(data, torch.Tensor):
        return data
    raise TypeError(f"cannot find a tensor in module output of type {type(out)}")


def _first_leaf(module):
    children = list(module.children())
    if not children:
        return module
    return _first_leaf(children[0])


def _call_one(module, x):
    nn = _torch().nn
    if _is_container(module):
        subs = module.values() if isinstance(module, nn.ModuleDict) else module
        for sub in subs:
            x = _first_tensor(_call_one(sub, x))
        return x
    if isinstance(module, nn.MultiheadAttention):
        return module(x, x, x)
    if isinstance(
        module, (nn.TransformerDecoderLayer, nn.TransformerDecoder, nn.Transformer)
    ):
        return module(x, x)
    return module(x)


def run_children(model, input_shape):
    """Forward ``zeros(2, *input_shape)`` child by child.

    Returns ``{child_name: [None, *shape[1:]]}`` for the top-level children.
    """
    torch = _torch()
    nn = torch.nn
    leaf = _first_leaf(model)
    dtype = torch.long if isinstance(leaf, (nn.Embedding, nn.EmbeddingBag)) else None
    device = next(
        (t.device for t in list(model.parameters()) + list(model.buffers())), None
    )
    x = torch.zeros(
        BATCH,
        *tuple(input_shape),
        dtype=dtype or torch.get_default_dtype(),
        device=device,
    )
    shapes = {}
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, child in model.named_children():
                try:
                    out = _call_one(child, x)
                except Exception as exc:
                    raise RuntimeError(
                        f"torch oracle: forward of child {name!r} "
                        f"({type(child).__name__}) failed on input "
                        f"{tuple(x.shape)}: {exc}"
                    ) from exc
                x = _first_tensor(out)
                shapes[name] = [None, *[int(d) for d in x.shape[1:]]] if x.dim() else []
    finally:
        model.train(was_training)
    return shapes


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------


def _numel(tensors):
    return int(sum(t.numel() for t in tensors))


def torch_summary(text: str, input_shape=None, device=None) -> dict:
    """Build ``text`` in real PyTorch and return its summary as a dict.

    Keys: framework ("pytorch"), layers (name, type, output_shape, params,
    trainable, non_trainable, buffers, weights [{name, shape, trainable,
    buffer?}] as in the core's to_dict()), total_params, trainable_params,
    non_trainable_params, buffers.  ``device="meta"`` avoids allocating
    weights (counts and shapes are unaffected).
    """
    model = build_torch_model(text, device=device)
    return summarize_torch_model(model, input_shape)


def summarize_torch_model(model, input_shape=None) -> dict:
    shapes = run_children(model, input_shape) if input_shape is not None else {}
    rows = []
    for name, child in model.named_children():
        params = list(child.parameters())
        rows.append(
            {
                "name": name,
                "type": type(child).__name__,
                "output_shape": shapes.get(name),
                "params": _numel(params),
                "trainable": _numel(p for p in params if p.requires_grad),
                "non_trainable": _numel(p for p in params if not p.requires_grad),
                "buffers": _numel(child.buffers()),
                "weights": [
                    {"name": n, "shape": [int(d) for d in p.shape], "trainable": bool(p.requires_grad)}
                    for n, p in child.named_parameters()
                ]
                + [
                    {"name": n, "shape": [int(d) for d in b.shape], "trainable": False, "buffer": True}
                    for n, b in child.named_buffers()
                ],
            }
        )
    params = list(model.parameters())
    trainable = _numel(p for p in params if p.requires_grad)
    total = _numel(params)
    return {
        "framework": "pytorch",
        "layers": rows,
        "total_params": total,
        "trainable_params": trainable,
        "non_trainable_params": total - trainable,
        "buffers": _numel(model.buffers()),
        "model_type": type(model).__name__,
    }


def torch_layer_weights(text: str, input_shape=None, device=None) -> list:
    """Per top-level child: ``(name, shape, requires_grad, is_buffer)`` tuples.

    Returns ``[{"name", "type", "weights": [...]}]``; names are relative to
    the child (``named_parameters()`` then ``named_buffers()`` order, which
    deduplicates shared tensors like PyTorch does).  Buffers report
    ``requires_grad`` False.  ``input_shape`` triggers a forward pass first
    (materialises Lazy* modules).
    """
    model = build_torch_model(text, device=device)
    if input_shape is not None:
        run_children(model, input_shape)
    out = []
    for name, child in model.named_children():
        weights = [
            (pname, tuple(int(d) for d in p.shape), bool(p.requires_grad), False)
            for pname, p in child.named_parameters()
        ]
        weights += [
            (bname, tuple(int(d) for d in b.shape), False, True)
            for bname, b in child.named_buffers()
        ]
        out.append({"name": name, "type": type(child).__name__, "weights": weights})
    return out

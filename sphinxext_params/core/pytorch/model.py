"""Turn a parsed layer list into PyTorch's summary rows.

The list is read the way PyTorch code is written, but symbolically:

- bare module lines (``nn.Linear(784, 128)``) are the children of an ``nn.Sequential``,
  named ``"0"``, ``"1"``, ...;
- one ``nn.Sequential(...)`` (bare or ``model = nn.Sequential(...)``) is the model, and
  its children are the rows (``OrderedDict([("conv1", ...)])`` names them);
- ``self.fc1 = nn.Linear(784, 128)`` lines, pasted from a module's ``__init__``, make
  rows named by the attribute, in written order;
- helper assignments (``encoder_layer = nn.TransformerEncoderLayer(...)``) feed later
  modules; when nothing else is listed, the last assigned module is the model.

The rows are the model's top-level children (``named_children()``); the input
``(None, *input_shape)`` runs through them in order.  Method calls that training code
makes (``model.to(device)``, ``model.train()``, ``print(model)``) are accepted and
change nothing; ``.requires_grad_(False)`` freezes, as does ``trainable=False``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import Location, ParamsError, did_you_mean
from ...language import nodes
from ..interpreter import Interpreter, Opaque
from ..layer import ArgError
from ..limits import MAX_LAYERS, check_output_shape
from ..summary import LayerSummary
from .base import CATALOGUE, TorchLayer
from .containers import Container, ModuleDict, ModuleList, Sequential

#: Module paths users write before a module's class name; all mean the same thing.
MODULE_PREFIXES = {(), ("nn",), ("torch", "nn")}
#: Paths of functions that may be passed as arguments (``activation=F.gelu``).
FUNCTION_PREFIXES = {("F",), ("torch",), ("nn", "functional"), ("torch", "nn", "functional")}
#: Methods that return the module itself and change nothing that is counted.
RETURNS_SELF = {"train", "eval", "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "apply",
                "share_memory", "zero_grad", "requires_grad_", "to_empty"}
#: Methods of a model that pasted code calls for their result, which is not a module.
IGNORED_METHODS = {"parameters", "named_parameters", "buffers", "named_buffers", "children", "named_children",
                   "modules", "named_modules", "state_dict", "load_state_dict", "register_forward_hook",
                   "register_forward_pre_hook", "register_full_backward_hook", "extra_repr"}
#: Functions whose calls pasted code makes around a model; their arguments are not read.
IGNORED_FUNCTIONS = {("print",), ("summary",), ("torchsummary", "summary"), ("torchinfo", "summary"),
                     ("torch", "manual_seed"), ("torch", "set_default_dtype"), ("torch", "compile")}


@dataclass
class NamedModules:
    """``OrderedDict([("conv1", module), ...])``: children with their names."""

    items: list


class SelfObject:
    """``self`` of a pasted ``__init__``: modules assigned to it become named rows."""

    def __init__(self) -> None:
        self.modules: dict[str, TorchLayer] = {}
        self.values: dict[str, object] = {}


class TorchBuilder(Interpreter):
    example_call = "nn.Linear(784, 10)"

    def __init__(self, program: nodes.Program, input_shape=None) -> None:
        self.program = program
        self.input_shape = input_shape
        self.env: dict[str, object] = {}
        self.self = SelfObject()
        self.bare: list[TorchLayer] = []  # modules on lines of their own, in written order
        self.named: list[tuple[str, TorchLayer]] = []  # modules assigned to plain names
        self.created = 0

    # -- entry -----------------------------------------------------------------------------
    def build(self) -> list[LayerSummary]:
        for stmt in self.program.statements:
            self.statement(stmt)
        return self.rows(self.model())

    def model(self) -> Container:
        """The module whose children are the rows, as PyTorch would hold them."""
        if self.self.modules:
            children = list(self.self.modules.items())
            children += [(str(len(children) + i), m) for i, m in enumerate(self.bare)]
            return Sequential.of(children)
        if self.bare:
            if len(self.bare) == 1 and isinstance(self.bare[0], Container):
                return self.bare[0]
            return Sequential.of([(str(i), m) for i, m in enumerate(self.bare)], location=self.bare[0].location)
        if self.named:
            name, module = self.named[-1]
            return module if isinstance(module, Container) else Sequential.of([(name, module)])
        raise ParamsError("the layer list holds no modules", kind="syntax", location=Location(1),
                          hint="write one module per line, e.g. nn.Linear(784, 10)")

    def rows(self, model: Container) -> list[LayerSummary]:
        # Run the input through every child in order; a child listed twice runs twice, and
        # its row shows what its first run made.
        shape = None if self.input_shape is None else (None, *self.input_shape)
        runs: dict[int, tuple] = {}
        for child in model.sequence:
            before = shape
            if shape is not None:
                shape = child.output_shape(shape)
                check_output_shape(child, shape)
            runs.setdefault(id(child), (before, shape))
        rows = []
        for name, child in model.submodules.items():
            before, after = runs[id(child)]
            rows.append(LayerSummary(
                name=name, type=child.type_name, output_shape=after, weights=tuple(child.weights()),
                input_shape=before, layer=child, line=child.location.line if child.location else None))
        if not rows:
            raise ParamsError("the model holds no modules", kind="syntax", location=model.location or Location(1),
                              hint="list its modules, e.g. nn.Sequential(nn.Linear(784, 10))")
        return rows

    # -- statements ------------------------------------------------------------------------
    def statement(self, stmt) -> None:
        if isinstance(stmt, nodes.Import):
            return
        if isinstance(stmt, nodes.Expression):
            value = self.value(stmt.value)
            if isinstance(value, TorchLayer) and not self.is_method_call(stmt.value):
                self.bare.append(value)
            return
        if isinstance(stmt, nodes.Assign):
            value = self.value(stmt.value)
            if len(stmt.targets) == 1:
                self.assign(stmt.targets[0], value)
                return
            if not isinstance(value, list) or len(value) != len(stmt.targets):
                count = len(value) if isinstance(value, list) else 1
                raise ParamsError(f"{len(stmt.targets)} names are assigned but the value has {count}",
                                  kind="syntax", location=stmt.location)
            for target, v in zip(stmt.targets, value):
                self.assign(target, v)

    def is_method_call(self, node) -> bool:
        """``model.train()``, ``model[1].requires_grad_()``: a line that uses a module made before,
        rather than one that lists a module (``nn.Linear(2, 2).requires_grad_(False)``)."""
        if not isinstance(node, nodes.Call):
            return False
        func = node.func
        if isinstance(func, nodes.Name):
            return len(func.parts) > 1 and (func.parts[0] in self.env or func.parts[0] == "self")
        if isinstance(func, nodes.Attribute):
            return isinstance(func.value, (nodes.Name, nodes.Subscript)) or self.is_method_call(func.value)
        return False

    def assign(self, target: nodes.Name, value) -> None:
        parts = target.parts
        if len(parts) == 1:
            self.env[parts[0]] = value
            if isinstance(value, TorchLayer):
                self.named.append((parts[0], value))
            return
        if len(parts) == 2 and parts[0] == "self":
            if isinstance(value, TorchLayer):
                self.self.modules[parts[1]] = value  # re-assigning keeps the first position, as in PyTorch
            else:
                self.self.values[parts[1]] = value
            return
        if len(parts) == 2 and isinstance(self.env.get(parts[0]), Container) and isinstance(value, TorchLayer):
            self.env[parts[0]].add(parts[1], value)  # model.head = nn.Linear(...) adds a child
            return
        raise ParamsError(f"cannot assign to {target.dotted!r} in a layer list", kind="syntax",
                          location=target.location, hint="assign to a plain name or to self.<name>")

    # -- expressions -----------------------------------------------------------------------
    def lookup(self, name: nodes.Name):
        parts = name.parts
        if len(parts) == 1 and parts[0] in self.env:
            return self.env[parts[0]]
        if parts[0] == "self" and len(parts) == 2:
            if parts[1] in self.self.modules:
                return self.self.modules[parts[1]]
            if parts[1] in self.self.values:
                return self.self.values[parts[1]]
            raise ParamsError(f"{name.dotted} is used before it is assigned", kind="unknown", location=name.location,
                              hint=did_you_mean(parts[1], list(self.self.modules) + list(self.self.values)))
        if len(parts) == 2 and isinstance(self.env.get(parts[0]), Container):
            child = self.env[parts[0]].child(parts[1])
            if child is not None:
                return child
        if parts[:-1] in FUNCTION_PREFIXES and parts[-1] not in CATALOGUE and parts[0] not in self.env:
            return Opaque(name.dotted)  # F.gelu, torch.tanh: a function passed as an argument
        if parts[-1] in CATALOGUE and parts[:-1] in MODULE_PREFIXES:
            raise ParamsError(f"{name.dotted} must be called to make a module", kind="syntax",
                              location=name.location, hint=f"write {name.dotted}(...)")
        raise ParamsError(f"the name {name.dotted!r} is used before it is assigned", kind="unknown",
                          location=name.location,
                          hint=did_you_mean(parts[0], list(self.env)) or "assign it first, e.g. layer = nn.Linear(8, 8)")

    def items_of(self, value):
        return value.sequence if isinstance(value, Container) else value  # model[1]: a child

    def call(self, call: nodes.Call):
        func = call.func
        if isinstance(func, nodes.Attribute):  # nn.Linear(2, 2).requires_grad_(False)
            return self.method(self.value(func.value), func.attr, call)
        if not isinstance(func, nodes.Name):
            raise ParamsError("a module is listed, not applied to a tensor, in a layer list", kind="syntax",
                              location=call.location, hint="write the modules in order, e.g. nn.Linear(784, 10)")
        parts, name, prefix = func.parts, func.parts[-1], func.parts[:-1]
        if parts in IGNORED_FUNCTIONS:
            return None
        if parts in (("OrderedDict",), ("collections", "OrderedDict")):
            return self.ordered_dict(call)
        if name in ("Sequential", "ModuleList", "ModuleDict") and prefix in MODULE_PREFIXES:
            return self.container(name, call)
        if name in CATALOGUE and prefix in MODULE_PREFIXES:
            return self.make_module(CATALOGUE[name], call)
        if parts == ("torch", "device"):
            return Opaque("torch.device")
        if len(parts) >= 2 and (parts[0] in self.env or parts[0] == "self"):
            target = self.lookup(nodes.Name(func.location, prefix))
            return self.method(target, name, call)
        if prefix in MODULE_PREFIXES:
            raise ParamsError(f"unknown PyTorch module {name!r}", kind="unknown", location=func.location,
                              hint=did_you_mean(name, list(CATALOGUE)) or
                              "see the list of supported modules in the documentation")
        raise ParamsError(f"{func.dotted!r} is not a torch.nn module", kind="unknown", location=func.location,
                          hint="modules are written nn.Linear(...) or torch.nn.Linear(...)")

    def method(self, target, method: str, call: nodes.Call):
        if isinstance(target, TorchLayer):
            if method == "requires_grad_":
                flag = self.literal_flag(call)
                target.requires_grad_(flag)
                return target
            if method in RETURNS_SELF:
                return target  # its arguments (a device, an init function) are not read
            if method in IGNORED_METHODS:
                return None
            if isinstance(target, Container) and method in ("append", "extend", "add_module", "register_module"):
                self.grow(target, method, call)
                return target if method in ("append", "extend") else None
        if isinstance(target, SelfObject) and method in ("add_module", "register_module"):
            name, module = self.named_module_args(call)
            self.self.modules[name] = module
            return None
        what = type(target).__name__ if not isinstance(target, TorchLayer) else target.type_name
        raise ParamsError(f"the method {method!r} of {what} is not part of a layer list", kind="syntax",
                          location=call.location,
                          hint="list modules; the methods to, train, eval and requires_grad_ may follow them")

    def literal_flag(self, call: nodes.Call) -> bool:
        values = [self.value(a) for a in call.args] + [self.value(v) for k, v in call.kwargs]
        flag = values[0] if values else True
        if len(values) > 1 or not isinstance(flag, bool):
            raise ParamsError("requires_grad_() takes True or False", kind="argument", location=call.location)
        return flag

    def named_module_args(self, call: nodes.Call):
        values = [self.value(a) for a in call.args] + [self.value(v) for _, v in call.kwargs]
        if len(values) != 2 or not isinstance(values[0], str) or not isinstance(values[1], TorchLayer):
            raise ParamsError("add_module() takes a name and a module", kind="syntax", location=call.location,
                              hint='write add_module("fc", nn.Linear(8, 8))')
        return values[0], values[1]

    def grow(self, container: Container, method: str, call: nodes.Call) -> None:
        if method in ("add_module", "register_module"):
            container.add(*self.named_module_args(call))
            return
        values = [self.value(a) for a in call.args]
        modules = values[0] if method == "extend" and len(values) == 1 and isinstance(values[0], list) else values
        if (method == "append" and len(values) != 1) or not all(isinstance(m, TorchLayer) for m in modules):
            raise ParamsError(f"{method}() takes {'a module' if method == 'append' else 'a list of modules'}",
                              kind="syntax", location=call.location)
        for module in modules:
            container.add(str(len(container.names)), module)

    # -- making modules ----------------------------------------------------------------------
    def count_module(self, location, count: int = 1) -> None:
        self.created += count
        if self.created > MAX_LAYERS:
            raise ParamsError(f"the model has more than {MAX_LAYERS:,} modules", kind="limit", location=location,
                              hint="split the model into smaller lists; a stack of num_layers layers counts "
                                   "each layer and its submodules")

    def ordered_dict(self, call: nodes.Call) -> NamedModules:
        values = [self.value(a) for a in call.args]
        if call.kwargs or len(values) > 1:
            raise ParamsError("OrderedDict() takes one list of (name, module) pairs", kind="syntax",
                              location=call.location)
        items = values[0] if values else []
        if isinstance(items, dict):
            items = list(items.items())
        if not isinstance(items, list) or not all(
                isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str) for p in items):
            raise ParamsError("OrderedDict() takes a list of (name, module) pairs", kind="syntax",
                              location=call.location, hint='write OrderedDict([("fc1", nn.Linear(784, 128)), ...])')
        return NamedModules([tuple(p) for p in items])

    def container(self, kind: str, call: nodes.Call) -> Container:
        # A container is not counted towards MAX_LAYERS: its modules are, and the parser's
        # limits on calls and nesting bound how many containers a text can make.
        if call.kwargs:
            raise ParamsError(f"nn.{kind}() takes no keyword arguments", kind="unknown",
                              location=call.kwargs[0][1].location)
        values = [self.value(a) for a in call.args]
        if kind == "Sequential":
            if len(values) == 1 and isinstance(values[0], NamedModules):
                children = values[0].items
            else:
                children = [(str(i), v) for i, v in enumerate(values)]
        else:
            if len(values) > 1:
                raise ParamsError(f"nn.{kind}() takes one {'list' if kind == 'ModuleList' else 'dict'} of modules",
                                  kind="syntax", location=call.location)
            given = values[0] if values else []
            if isinstance(given, NamedModules):
                children = given.items
            elif isinstance(given, dict):
                children = list(given.items())
            elif isinstance(given, list) and kind == "ModuleList":
                children = [(str(i), v) for i, v in enumerate(given)]
            else:
                raise ParamsError(f"nn.{kind}() takes a {'list' if kind == 'ModuleList' else 'dict'} of modules",
                                  kind="syntax", location=call.location)
        for name, child in children:
            if not isinstance(child, TorchLayer):
                raise ParamsError(f"nn.{kind}() takes modules, not {child!r}", kind="syntax", location=call.location,
                                  hint="write e.g. nn.Sequential(nn.Linear(784, 128), nn.ReLU())")
        cls = {"Sequential": Sequential, "ModuleList": ModuleList, "ModuleDict": ModuleDict}[kind]
        return cls.of(children, location=call.location)

    def make_module(self, cls: type[TorchLayer], call: nodes.Call) -> TorchLayer:
        positional = [a for a in cls.arguments if not a.keyword_only]
        args, kwargs, locations = [], {}, {}
        for i, node in enumerate(call.args):
            args.append(self.argument(node))
            if i < len(positional):
                locations[positional[i].name] = node.location
        trainable = True
        for key, node in call.kwargs:
            value = self.argument(node)
            if key == "trainable":  # the layer-list spelling of requires_grad_(False)
                if not isinstance(value, bool):
                    raise ParamsError(f"trainable must be True or False, not {value!r}", kind="argument",
                                      location=node.location)
                trainable = value
                continue
            kwargs[key] = value
            locations[key] = node.location
        module = cls.bind(args, kwargs, location=call.location, arg_locations=locations)
        self.count_module(call.location, module.module_count())
        if not trainable:
            module.requires_grad_(False)
        return module

    def argument(self, node):
        value = self.value(node)
        if value is None and isinstance(node, nodes.Call):
            raise ParamsError("this call gives no value to pass as an argument", kind="syntax",
                              location=node.location)
        return value


def build(program: nodes.Program, input_shape=None) -> list[LayerSummary]:
    """The summary rows of a PyTorch layer list; ``input_shape`` excludes the batch."""
    try:
        return TorchBuilder(program, input_shape).build()
    except ArgError as exc:  # a converter outside a layer's own arguments
        raise ParamsError(str(exc), kind="argument", hint=exc.hint) from None

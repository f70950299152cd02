"""Turn a parsed layer list into Keras's summary rows.

The list is interpreted the way Keras would run it, but symbolically: a Sequential
model (bare layer lines, ``model.add(...)``, ``Sequential([...])``) or a functional
graph (``x = Dense(8)(inputs)``), with Keras 3's naming and its row order
(``keras.src.ops.function.map_graph``) reproduced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ...errors import Location, ParamsError, did_you_mean
from ...language import nodes
from .. import args as a
from ..interpreter import Interpreter, Opaque
from ..layer import NOTHING, ArgError, format_shape
from ..limits import MAX_LAYERS, check_output_shape
from ..summary import LayerSummary
from .base import CATALOGUE, TAKES_REFERENCES, KerasLayer
from .core import InputLayer
from .merging import MERGE_FUNCTIONS
from .wrappers import NestedSequential

#: Module paths users write before a layer name; all mean the same thing.
LAYER_PREFIXES = {(), ("keras",), ("layers",), ("keras", "layers"), ("tf", "keras"), ("tf", "keras", "layers"),
                  ("tensorflow", "keras"), ("tensorflow", "keras", "layers"), ("tf_keras",),
                  ("tf_keras", "layers")}
MODEL_PREFIXES = LAYER_PREFIXES | {("models",), ("keras", "models"), ("tf", "keras", "models"),
                                   ("tensorflow", "keras", "models")}
#: Model methods that pasted training code calls; they change nothing here.
IGNORED_METHODS = {"compile", "fit", "summary", "evaluate", "predict", "save", "save_weights", "load_weights",
                   "build", "plot_model", "train_on_batch", "test_on_batch", "fit_generator", "to_json",
                   "count_params", "get_config", "set_weights", "get_weights", "export"}
#: Keyword arguments every Keras layer takes and this module handles itself.
COMMON_KWARGS = {"name", "trainable", "input_shape", "input_dim", "batch_size", "batch_input_shape"}


@dataclass(eq=False, slots=True)
class Tensor:
    shape: tuple
    node: Node
    index: int = 0


@dataclass(eq=False, slots=True)
class Node:
    """One call of a layer: its input tensors (flattened, in argument order) and outputs."""

    state: LayerState
    inputs: list
    outputs: list = field(default_factory=list)
    is_input: bool = False


@dataclass(eq=False, slots=True)
class LayerState:
    """A layer object and what its calls made of it."""

    layer: KerasLayer
    nodes: list = field(default_factory=list)
    weights: list | None = None
    input_shape: object = None
    output_shape: object = None  # of the last call, as the summary lists it


@dataclass(eq=False)
class SequentialModel:
    location: Location
    items: list = field(default_factory=list)  # LayerState or an Input Tensor
    name: str = ""
    trainable: bool = True
    #: Set when the model is used as a layer of another model (``block(x)``,
    #: ``Sequential([block, Dense(1)])``): the one row Keras lists for it.
    state: LayerState | None = None


@dataclass(eq=False)
class FunctionalModel:
    location: Location
    inputs: list
    outputs: list
    trainable: bool = True


class KerasBuilder(Interpreter):
    example_call = "Dense(10)"

    def __init__(self, program: nodes.Program, input_shape=None) -> None:
        self.program = program
        self.input_shape = input_shape
        self.env: dict[str, object] = {}
        self.name_counts: dict[str, int] = defaultdict(int)
        self.created = 0
        self.implicit: SequentialModel | None = None  # bare layer lines
        self.models: list = []
        self.input_tensors: list[Tensor] = []
        self.applied: list[Node] = []  # every non-input node, in call order
        self.states: list[LayerState] = []  # every layer made
        self.graph_nodes: list[Node] = []  # every node made, for untangle()
        #: Whether the list assigns ``x.trainable = ...``: rows then take their variables'
        #: flags when they are made, after every assignment.
        self.trainable_assigned = False

    # -- entry -----------------------------------------------------------------------------
    def build(self) -> list[LayerSummary]:
        try:
            for stmt in self.program.statements:
                self.statement(stmt)
            model = self.choose_model()
            if isinstance(model, SequentialModel):
                return self.sequential_rows(model)
            return self.functional_rows(model)
        finally:
            self.untangle()

    def untangle(self) -> None:
        """Break the graph's reference cycles (tensor → node → tensor, node → layer state → node)
        once the rows are made, so that reference counting frees the graph at once instead of
        leaving a few objects per layer for the cyclic garbage collector to find."""
        for node in self.graph_nodes:
            node.outputs = node.inputs = ()
        for state in self.states:
            state.nodes.clear()

    def choose_model(self):
        functional = [m for m in self.models if isinstance(m, FunctionalModel)]
        if functional:
            return functional[-1]
        sequential = [m for m in self.models if isinstance(m, SequentialModel) and m.items and m.state is None]
        if self.implicit is not None and self.implicit.items:
            sequential.append(self.implicit)
        if self.applied:
            if sequential:
                raise ParamsError("the list mixes a Sequential model with functional calls such as Dense(8)(x)",
                                  kind="syntax", location=sequential[0].location,
                                  hint="write either one layer per line, or the functional style throughout")
            return self.inferred_functional()
        if len(sequential) > 1:
            raise ParamsError("the list defines more than one model", kind="syntax",
                              location=sequential[1].location, hint="give each model its own directive")
        if not sequential:
            if self.input_tensors:
                return SequentialModel(self.input_tensors[0].node.state.layer.location,
                                       [self.input_tensors[0]])
            raise ParamsError("the layer list holds no layers", kind="syntax", location=Location(1),
                              hint='write one layer per line, e.g. Input(shape=(28, 28)) then Dense(10)')
        return sequential[0]

    def inferred_functional(self) -> FunctionalModel:
        consumed = {id(t) for n in self.applied for t in n.inputs}
        outputs = [t for n in self.applied for t in n.outputs if id(t) not in consumed]
        return FunctionalModel(self.applied[-1].state.layer.location, list(self.input_tensors), outputs)

    # -- statements ------------------------------------------------------------------------
    def statement(self, stmt) -> None:
        if isinstance(stmt, nodes.Import):
            return
        if isinstance(stmt, nodes.Expression):
            value = self.value(stmt.value)
            if isinstance(value, LayerState):  # a bare layer line: the next layer of the model
                self.add_to_implicit(value, stmt.location)
            elif isinstance(value, Tensor) and value.node.is_input and value.node.state.layer.location and \
                    isinstance(stmt.value, nodes.Call) and self._is_input_call(stmt.value):
                self.add_to_implicit(value, stmt.location)
            return
        if isinstance(stmt, nodes.Assign):
            value = self.value(stmt.value)
            targets = stmt.targets
            if len(targets) == 1:
                self.bind_name(targets[0], value)
                return
            if not isinstance(value, list) or len(value) != len(targets):
                count = len(value) if isinstance(value, list) else 1
                raise ParamsError(f"{len(targets)} names are assigned but the value has {count}",
                                  kind="syntax", location=stmt.location)
            for t, v in zip(targets, value):
                self.bind_name(t, v)

    def bind_name(self, target: nodes.Name, value) -> None:
        if len(target.parts) == 2 and target.parts[1] == "trainable":
            self.assign_trainable(self.lookup(nodes.Name(target.location, target.parts[:1])), value, target)
            return
        if len(target.parts) != 1:
            raise ParamsError(f"cannot assign to {target.dotted!r} in a Keras layer list", kind="syntax",
                              location=target.location, hint="assign to a plain name such as x")
        self.env[target.parts[0]] = value

    def assign_trainable(self, target, value, name: nodes.Name) -> None:
        """``layer.trainable = False`` (or a model's): freezes the layer, its sublayers and all
        their variables, as Keras's setter does, whether the layer was built yet or not."""
        if not isinstance(value, bool):
            raise ParamsError(f"trainable must be True or False, not {value!r}", kind="argument",
                              location=name.location)
        if isinstance(target, LayerState):
            states = [target]
        elif isinstance(target, SequentialModel):
            # A model's own flag also decides its totals (see LayerSummary.in_frozen_model).
            target.trainable = value
            states = [item for item in target.items if isinstance(item, LayerState)]
            if target.state is not None:
                states.append(target.state)
        elif isinstance(target, FunctionalModel):
            target.trainable = value
            states = map_graph(target.inputs, target.outputs, target.location)
        else:
            raise ParamsError(f"{name.parts[0]!r} is not a layer or a model, so it has no trainable flag",
                              kind="syntax", location=name.location)
        for state in states:
            state.layer.set_trainable(value, built=state.weights is not None)
        self.trainable_assigned = True

    def add_to_implicit(self, item, location: Location) -> None:
        if self.implicit is None:
            self.implicit = SequentialModel(location)
        self.implicit.items.append(item)

    # -- expressions -----------------------------------------------------------------------
    def lookup(self, name: nodes.Name):
        if len(name.parts) == 1 and name.parts[0] in self.env:
            return self.env[name.parts[0]]
        if name.parts[0] in self.env:
            raise ParamsError(f"{name.dotted!r}: attributes of {name.parts[0]!r} cannot be used here",
                              kind="syntax", location=name.location)
        if name.parts[-1] in CATALOGUE and name.parts[:-1] in LAYER_PREFIXES:
            raise ParamsError(f"{name.dotted} must be called to make a layer", kind="syntax",
                              location=name.location, hint=f"write {name.parts[-1]}(...)")
        known = list(self.env)
        raise ParamsError(f"the name {name.dotted!r} is used before it is assigned", kind="unknown",
                          location=name.location,
                          hint=did_you_mean(name.parts[0], known) or "assign it first, e.g. x = Input(shape=(8,))")

    def _is_input_call(self, call: nodes.Call) -> bool:
        # InputLayer(shape=...) as a Sequential's first item is its input, as Input(...) is.
        return isinstance(call.func, nodes.Name) and call.callee_name in ("Input", "InputLayer") and \
            call.callee_prefix in LAYER_PREFIXES

    def call(self, call: nodes.Call):
        func = call.func
        if isinstance(func, nodes.Name):
            head, name, prefix = func.parts[0], func.parts[-1], func.parts[:-1]
            if len(func.parts) == 1 and head in self.env:
                return self.apply(self.as_layer(self.env[head], func), call)
            if len(func.parts) == 2 and head in self.env:
                return self.method(self.env[head], name, call)
            if name in ("Input", "InputLayer") and prefix in LAYER_PREFIXES:
                return self.make_input(call)
            if name == "Sequential" and prefix in MODEL_PREFIXES:
                return self.make_sequential(call)
            if name in ("Model", "Functional") and prefix in MODEL_PREFIXES:
                return self.make_functional(call)
            if name in CATALOGUE and prefix in LAYER_PREFIXES:
                return self.make_layer(CATALOGUE[name], call)
            if name in MERGE_FUNCTIONS and prefix in LAYER_PREFIXES:
                return self.merge_function(*MERGE_FUNCTIONS[name], call)
            if prefix and prefix not in LAYER_PREFIXES and head not in ("keras", "tf", "tensorflow", "layers"):
                raise ParamsError(f"{func.dotted!r}: {head!r} is not a known module or variable",
                                  kind="unknown", location=func.location,
                                  hint="layers are written Dense(...), layers.Dense(...) or keras.layers.Dense(...)")
            raise ParamsError(f"unknown Keras layer {name!r}", kind="unknown", location=func.location,
                              hint=did_you_mean(name, list(CATALOGUE) + ["Input", "Sequential", "Model"]) or
                              "see the list of supported layers in the documentation")
        if isinstance(func, nodes.Call):
            return self.apply(self.as_layer(self.value(func), func), call)
        if isinstance(func, nodes.Attribute):
            target = self.value(func.value)
            return self.method(target, func.attr, call)
        raise ParamsError("only layers can be called", kind="syntax", location=call.location)

    def as_layer(self, value, node) -> LayerState:
        if isinstance(value, LayerState):
            return value
        if isinstance(value, SequentialModel):
            return self.nested(value, node.location)
        what = "a tensor" if isinstance(value, Tensor) else type(value).__name__
        raise ParamsError(f"{what} cannot be called; only a layer can be applied to tensors", kind="syntax",
                          location=node.location, hint="write e.g. y = Dense(8)(x)")

    def method(self, target, method: str, call: nodes.Call):
        if method in IGNORED_METHODS:
            return None
        if method == "add" and isinstance(target, SequentialModel):
            if len(call.args) != 1:
                raise ParamsError("model.add() takes one layer", kind="syntax", location=call.location)
            item = self.value(call.args[0])
            if isinstance(item, SequentialModel) and item is not target:
                item = self.nested(item, call.args[0].location)
            if not isinstance(item, (LayerState, Tensor)):
                raise ParamsError("model.add() takes a layer", kind="syntax", location=call.location)
            target.items.append(item)
            return None
        raise ParamsError(f"the method {method!r} is not part of a layer list", kind="syntax",
                          location=call.location, hint="model.add(...) adds a layer; compile/fit/summary are ignored")

    # -- making layers ----------------------------------------------------------------------
    def literal_args(self, call: nodes.Call, cls):
        args, kwargs, locations = [], {}, {}
        positional = cls.argument_index()[0]
        for i, node in enumerate(call.args):
            name = positional[i].name if i < len(positional) else None
            args.append(self.argument(node, cls, name))
            if name:
                locations[name] = node.location
        for key, node in call.kwargs:
            kwargs[key] = self.argument(node, cls, key)
            locations[key] = node.location
        return args, kwargs, locations

    def argument(self, node, cls=None, key: str | None = None):
        if type(node) is nodes.Literal:  # most arguments: sizes, shapes, strings
            return node.value
        if key is not None and _is_reference(node) and _count_neutral(cls, key) and not self.is_own_value(node):
            # ``kernel_regularizer=keras.regularizers.l2(1e-4)``, ``activation=tf.nn.relu``:
            # pasted code names framework objects where no count depends on them. They
            # are recorded by name, never looked up or called.
            return Opaque(_describe(node))
        value = self.value(node)
        if isinstance(value, Tensor):
            raise ParamsError("a tensor cannot be a layer's constructor argument", kind="syntax",
                              location=node.location, hint="apply the layer to the tensor: Dense(8)(x)")
        if isinstance(node, nodes.Name) and not isinstance(value, LayerState):
            return value
        return value.layer if isinstance(value, LayerState) else value

    def is_own_value(self, node) -> bool:
        """Whether ``node`` is a value of the list, not a framework object: a variable
        (``act = "relu"``, a layer) or a call of a known layer."""
        if isinstance(node, nodes.Name):
            return node.dotted in self.env
        return isinstance(node, nodes.Call) and isinstance(node.func, nodes.Name) and \
            node.callee_name in CATALOGUE and node.callee_prefix in LAYER_PREFIXES

    def count_layer(self, location) -> None:
        self.created += 1
        if self.created > MAX_LAYERS:
            raise ParamsError(f"the model has more than {MAX_LAYERS:,} layers", kind="limit", location=location,
                              hint="split the model into smaller lists")

    def make_layer(self, cls, call: nodes.Call) -> LayerState:
        if cls is not InputLayer:  # a model of MAX_LAYERS layers may have its Input line too
            self.count_layer(call.location)
        args, kwargs, locations = self.literal_args(call, cls)
        # Input(batch_size=...) is InputLayer's own argument, not a common one.
        common = {}
        if not COMMON_KWARGS.isdisjoint(kwargs):
            own = cls.argument_index()[1]
            common = {k: kwargs.pop(k) for k in [k for k in kwargs if k in COMMON_KWARGS and k not in own]}
        name = common.get("name")
        if name is not None and not isinstance(name, str):
            raise ParamsError(f"name must be a string, not {name!r}", kind="argument",
                              location=locations.get("name"))
        trainable = common.get("trainable", True)
        if not isinstance(trainable, bool):
            raise ParamsError(f"trainable must be True or False, not {trainable!r}", kind="argument",
                              location=locations.get("trainable"))
        if name is None:
            name = self.auto_name(cls.default_name())
        layer = cls.bind(args, kwargs, location=call.location, arg_locations=locations, name=name,
                         trainable=trainable)
        layer.declared_input_shape = self.declared_input_shape(common, locations) if common else None
        state = LayerState(layer)
        self.states.append(state)
        return state

    def declared_input_shape(self, common: dict, locations: dict):
        """Keras 2 style input_shape= / input_dim= on a layer (used on a Sequential's first layer)."""
        for key in ("input_shape", "input_dim", "batch_input_shape"):
            if common.get(key) is None:
                continue
            try:
                if key == "input_dim":
                    return (None, a.positive_int(common[key]))
                shape = a.shape(common[key])
                return shape if key == "batch_input_shape" else (None, *shape)
            except ArgError as exc:
                raise ParamsError(f"{key} {exc}", kind="argument", location=locations.get(key)) from None
        return None

    def auto_name(self, prefix: str) -> str:
        count = self.name_counts[prefix]
        self.name_counts[prefix] += 1
        return prefix if count == 0 else f"{prefix}_{count}"

    def make_input(self, call: nodes.Call) -> Tensor:
        state = self.make_layer(InputLayer, call)
        node = self.new_node(state, [], is_input=True)
        tensor = Tensor(state.layer.input_shape(), node)
        node.outputs = [tensor]
        state.nodes.append(node)
        state.weights = []
        state.input_shape = state.output_shape = tensor.shape
        self.input_tensors.append(tensor)
        return tensor

    def make_sequential(self, call: nodes.Call) -> SequentialModel:
        # keras.Sequential(layers=None, trainable=True, name=None)
        given = self.sequential_arguments(call)
        model = SequentialModel(call.location)
        items = given.get("layers")
        if items is not None:
            values = self.value(items)
            if not isinstance(values, list):
                values = [values]
            for v in values:
                if isinstance(v, SequentialModel):  # Sequential([augmentation, Conv2D(...)])
                    v = self.nested(v, items.location)
                if not isinstance(v, (LayerState, Tensor)):
                    raise ParamsError("Sequential([...]) takes a list of layers", kind="syntax",
                                      location=items.location)
                model.items.append(v)
        # The model is made after its layers (Python evaluates the list first), and takes the
        # next default name of its own counter: sequential, sequential_1, ...
        name = self.value(given["name"]) if "name" in given else None
        if name is not None and not isinstance(name, str):
            raise ParamsError(f"name must be a string, not {name!r}", kind="argument", location=given["name"].location)
        model.name = name or self.auto_name("sequential")
        trainable = self.value(given["trainable"]) if "trainable" in given else True
        if not isinstance(trainable, bool):
            raise ParamsError(f"trainable must be True or False, not {trainable!r}", kind="argument",
                              location=given["trainable"].location)
        model.trainable = trainable
        self.models.append(model)
        return model

    @staticmethod
    def sequential_arguments(call: nodes.Call) -> dict:
        """``Sequential(...)``'s arguments by name, as Keras's signature binds them."""
        names = ("layers", "trainable", "name")
        if len(call.args) > len(names):
            raise ParamsError(f"Sequential() takes at most {len(names)} positional arguments "
                              f"({len(call.args)} given)", kind="argument", location=call.location)
        given = dict(zip(names, call.args))
        for key, value in call.kwargs:
            if key not in names:
                raise ParamsError(f"Sequential() has no argument {key!r}", kind="unknown", location=value.location,
                                  hint=did_you_mean(key, list(names)))
            if key in given:
                raise ParamsError(f"Sequential() got {key!r} both by position and by name", kind="argument",
                                  location=value.location)
            given[key] = value
        return given

    def nested(self, model: SequentialModel, location) -> LayerState:
        """A Sequential model used as a layer: one row, ``sequential (Sequential)``, whose
        weights are all its layers' weights."""
        if model.state is not None:
            return model.state
        items = list(model.items)
        declared = items.pop(0).shape if items and isinstance(items[0], Tensor) else None
        for item in items:
            if isinstance(item, Tensor):
                raise ParamsError("Input(...) may only come first in a Sequential model", kind="syntax",
                                  location=item.node.state.layer.location)
        if not items:
            raise ParamsError(f"the Sequential model {model.name!r} has no layers to apply", kind="syntax",
                              location=location, hint="give it layers: Sequential([Dense(8), ...])")
        if declared is None:
            declared = getattr(items[0].layer, "declared_input_shape", None)
        layer = NestedSequential([s.layer for s in items], declared, name=model.name,
                                 location=model.location, trainable=model.trainable)
        model.state = LayerState(layer)
        self.states.append(model.state)
        return model.state

    def make_functional(self, call: nodes.Call) -> FunctionalModel:
        given = dict(call.kwargs)
        ins = call.args[0] if len(call.args) > 0 else given.get("inputs")
        outs = call.args[1] if len(call.args) > 1 else given.get("outputs")
        if ins is None or outs is None:
            raise ParamsError("Model() needs inputs and outputs", kind="syntax", location=call.location,
                              hint="write Model(inputs, outputs)")
        model = FunctionalModel(call.location, self.tensors(ins), self.tensors(outs))
        self.models.append(model)
        return model

    def tensors(self, node) -> list[Tensor]:
        flat = _flatten_tensors(self.value(node), strict=True)
        if flat is None:
            raise ParamsError("Model() takes tensors as inputs and outputs", kind="syntax", location=node.location)
        return flat

    def merge_function(self, cls, defaults: dict, call: nodes.Call):
        """``concatenate([x, y], axis=1)``: make the merge layer from the other arguments and
        apply it to the list, as Keras's functional form does."""
        inputs = call.args[0] if call.args else call.kwarg("inputs")
        if inputs is None:
            raise ParamsError(f"{call.callee_name}() takes the list of tensors to merge", kind="syntax",
                              location=call.location, hint=f"write {call.callee_name}([x, y])")
        kwargs = tuple(kw for kw in call.kwargs if kw[0] != "inputs")
        given = {k for k, _ in kwargs} | {a.name for a, _ in zip([a for a in cls.arguments if not a.keyword_only],
                                                                    call.args[1:])}
        kwargs += tuple((k, nodes.Literal(call.location, v)) for k, v in defaults.items() if k not in given)
        make = replace(call, args=call.args[1:], kwargs=kwargs)
        return self.apply(self.make_layer(cls, make), replace(call, args=(inputs,), kwargs=()))

    # -- applying layers ---------------------------------------------------------------------
    def apply(self, state: LayerState, call: nodes.Call):
        layer = state.layer
        if isinstance(layer, InputLayer):
            raise ParamsError("an Input cannot be called", kind="syntax", location=call.location)
        values = [self.value(a) for a in call.args]
        if not call.kwargs and len(values) == 1 and type(values[0]) is Tensor and layer.inputs == 1 \
                and len(layer.call_tensors) == 1:
            # The usual call, Dense(8)(x): one tensor, nothing else.
            return self.connect(state, values, values[0].shape, NOTHING, call.location)
        if not call.kwargs and len(values) == 1 and layer.inputs == "many" and type(values[0]) is list \
                and values[0] and all(type(t) is Tensor for t in values[0]):
            # A merge, Add()([x, y]): one flat list of tensors.
            return self.connect(state, values[0], [t.shape for t in values[0]], NOTHING, call.location)
        many = layer.inputs == "many"
        main = ("inputs",) if many else layer.call_tensors
        params = main + layer.call_side_tensors
        if len(values) > len(params):
            raise ParamsError(f"{layer.type_name} is called with too many tensors", kind="syntax",
                              location=call.location)
        named = dict(zip(params, values))
        keywords, options = {}, {}
        for key, node in call.kwargs:
            v = self.value(node)
            if key in params:
                if key in named:
                    raise ParamsError(f"calling {layer.type_name}: {key!r} is given twice", kind="syntax",
                                      location=node.location)
                named[key] = keywords[key] = v
            elif _holds_tensor(v) or key not in layer.call_options:
                what = "the tensor" if _holds_tensor(v) else "the argument"
                raise ParamsError(f"calling {layer.type_name} does not take {what} {key!r}",
                                  kind="unknown", location=node.location,
                                  hint=did_you_mean(key, sorted(layer.call_options | set(params))))
            else:
                options[key] = v
        named = {k: v for k, v in named.items() if v is not None}
        for key in layer.call_side_tensors:
            if key in named and not _all_tensors(named[key]):
                raise ParamsError(f"calling {layer.type_name}: {key} must be a tensor or a list of tensors",
                                  kind="syntax", location=call.location)
        if many:
            given = named.get("inputs")
            if not isinstance(given, list) or not given or not all(isinstance(t, Tensor) for t in given):
                raise ParamsError(f"{layer.type_name} takes a list of tensors", kind="syntax",
                                  location=call.location, hint=f"write {layer.type_name}()([x, y])")
            shapes = [t.shape for t in given]
        else:
            if main[0] not in named:
                raise ParamsError(f"{layer.type_name} must be called on a tensor", kind="syntax",
                                  location=call.location, hint="write e.g. y = Dense(8)(x)")
            present = [key for key in main if key in named]
            if present != list(main[:len(present)]):  # e.g. key= without value=
                missing = next(k for k in main if k not in named)
                raise ParamsError(f"calling {layer.type_name} needs the tensor {missing!r}", kind="syntax",
                                  location=call.location)
            tensors = []
            for key in present:
                v = named[key]
                if isinstance(v, list) and len(main) == 1 and len(v) == 1:
                    v = v[0]
                if not isinstance(v, Tensor):
                    raise ParamsError(f"{layer.type_name} takes one tensor, not a list", kind="shape",
                                      location=call.location,
                                      hint="a merge layer such as Concatenate()([x, y]) takes lists")
                tensors.append(v)
            shapes = tensors[0].shape if len(main) == 1 else [t.shape for t in tensors]
        return self.connect(state, _keras_call_tensors(values, keywords), shapes, options, call.location)

    def new_node(self, state: LayerState, inputs: list, is_input: bool = False) -> Node:
        node = Node(state, inputs, is_input=is_input)
        self.graph_nodes.append(node)
        return node

    def connect(self, state: LayerState, inputs: list, shapes, options: Mapping, location):
        """A call of a layer on tensors: its node in the graph and its output tensor(s)."""
        state.layer.options = options
        outputs = state.output_shape = self.build_node(state, shapes, location)
        node = self.new_node(state, inputs)
        if isinstance(outputs, list):
            node.outputs = [Tensor(s, node, i) for i, s in enumerate(outputs)]
        else:
            node.outputs = [Tensor(outputs, node)]
        state.nodes.append(node)
        self.applied.append(node)
        return node.outputs if isinstance(outputs, list) else node.outputs[0]

    def build_node(self, state: LayerState, shapes, location):
        """Output shape(s) of one call; the first call builds the weights."""
        layer = state.layer
        outputs = layer.output_shape(shapes)
        check_output_shape(layer, outputs)
        weights = layer.variables(shapes)
        if state.weights is None:
            state.weights, state.input_shape = weights, shapes
            for prefix in layer.build_names:
                self.auto_name(prefix)
        elif [(w.name, w.shape) for w in weights] != [(w.name, w.shape) for w in state.weights]:
            raise ParamsError(f"layer {layer.name!r} was built for input shape {format_shape(state.input_shape)} "
                              f"and cannot be called on {format_shape(shapes)}", kind="shape", location=location,
                              hint="a shared layer must see inputs of the same size each time")
        return outputs

    # -- rows ---------------------------------------------------------------------------------
    def row(self, state: LayerState) -> LayerSummary:
        layer = state.layer
        shape = state.output_shape
        weights = state.weights or ()
        if self.trainable_assigned and weights:
            weights = layer.variables(state.input_shape)
        return LayerSummary(name=layer.name, type=layer.type_name, output_shape=shape, frozen=not layer.trainable,
                            weights=tuple(weights), input_shape=state.input_shape, layer=layer,
                            line=layer.location.line if layer.location else None)

    def sequential_rows(self, model: SequentialModel) -> list[LayerSummary]:
        items = list(model.items)
        if items and isinstance(items[0], Tensor):
            shape = items.pop(0).shape
        else:
            shape = self.sequential_input(items, model)
        for item in items:
            if isinstance(item, Tensor):
                raise ParamsError("Input(...) may only come first in a Sequential model", kind="syntax",
                                  location=item.node.state.layer.location)
        # A chain needs no graph: each layer is called on the shape the one before made.
        rows, seen = [], set()
        for state in items:
            location = state.layer.location
            if isinstance(shape, list):
                raise ParamsError(f"the layer before {state.layer.name!r} returns several outputs, which a "
                                  "Sequential model cannot pass on", kind="shape", location=location,
                                  hint="use the functional style and pick one output with [0]")
            state.layer.options = NOTHING
            shape = state.output_shape = self.build_node(state, shape, location)
            if state not in seen:
                seen.add(state)
                rows.append(state)
        self.check_unique(rows)
        out = [self.row(s) for s in rows]
        if not model.trainable:
            for row in out:
                row.in_frozen_model = True
        return out

    def sequential_input(self, items, model) -> tuple:
        """The input shape of a Sequential model without an Input: its first layer's
        ``input_shape=`` (Keras 2 style), else the one given to summarize()."""
        first = items[0] if items else None
        shape = getattr(first.layer, "declared_input_shape", None) if first else None
        if shape is None and self.input_shape is not None:
            shape = (None, *self.input_shape)
        if shape is None:
            location = first.layer.location if first else model.location
            raise ParamsError("the model has no input shape", kind="shape", location=location,
                              hint="add `Input(shape=...)` as the first line, e.g. Input(shape=(28, 28))")
        return tuple(shape)

    def check_unique(self, states) -> None:
        seen = {}
        for s in states:
            if s.layer.name in seen:
                raise ParamsError(f"the name {s.layer.name!r} is used by two layers", kind="argument",
                                  location=s.layer.location, hint="Keras needs every layer name to be unique")
            seen[s.layer.name] = s

    def functional_rows(self, model: FunctionalModel) -> list[LayerSummary]:
        states = map_graph(model.inputs, model.outputs, model.location)
        self.check_unique(states)
        rows = [self.row(s) for s in states]
        if not model.trainable:
            for row in rows:
                row.in_frozen_model = True
        return rows


def _all_tensors(value) -> bool:
    if isinstance(value, list):
        return all(_all_tensors(v) for v in value)
    return isinstance(value, Tensor)


def _flatten_tensors(value, strict: bool = False) -> list | None:
    """The tensors in a nest of lists and dicts, in order; with ``strict``, None when the
    nest holds anything else (Model(inputs, outputs) takes only tensors)."""
    flat = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Tensor):
            flat.append(v)
        elif isinstance(v, list):
            stack.extend(reversed(v))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif strict:
            return None
    return flat


def _keras_call_tensors(args: list, kwargs: dict) -> list:
    """A call's tensors in the order Keras's Node lists them (``tree.flatten((args, kwargs))``):
    positional arguments first, then keyword arguments sorted by name.  The order decides
    which branch the graph walk visits first, and so the row order of ties."""
    return _flatten_tensors([*args, *(kwargs[key] for key in sorted(kwargs))])


def _count_neutral(cls, key: str) -> bool:
    """Whether the argument ``key`` of layer class ``cls`` can change no count or shape."""
    if key in cls.ignored:
        return True
    arg = cls.argument_index()[1].get(key)
    return arg is not None and arg.convert in TAKES_REFERENCES


def _is_reference(node) -> bool:
    """A dotted name or a call of one: how code names framework objects."""
    if isinstance(node, nodes.Call):
        return isinstance(node.func, nodes.Name)
    return isinstance(node, nodes.Name)


def _describe(node) -> str:
    if isinstance(node, nodes.Call):
        return f"{node.func.dotted}(...)"
    return node.dotted


def _holds_tensor(value) -> bool:
    if isinstance(value, Tensor):
        return True
    if isinstance(value, list):
        return any(_holds_tensor(v) for v in value)
    return False


def map_graph(inputs: list[Tensor], outputs: list[Tensor], location) -> list[LayerState]:
    """The layers of a functional model in Keras 3's order (``ops/function.py:map_graph``):
    deepest first, ties broken by the order a depth-first walk from the outputs meets them.

    Tensors, nodes and layer states hash by identity, so they key the sets and dicts here.
    """
    finished, in_progress = set(), set()
    ordered: list[Node] = []
    state_index: dict[LayerState, int] = {}
    given_inputs = set(inputs)

    # Iterative depth-first walk (graphs of 10,000 layers exceed Python's recursion limit).
    for out in outputs:
        stack = [(out, False)]
        while stack:
            t, expanded = stack.pop()
            node = t.node
            if expanded:
                if node in in_progress:
                    in_progress.discard(node)
                    finished.add(node)
                    ordered.append(node)
                continue
            if node in finished or node in in_progress:
                continue
            if not node.is_input and t in given_inputs:
                finished.add(node)
                continue
            if node.state not in state_index:
                state_index[node.state] = len(state_index)
            in_progress.add(node)
            stack.append((t, True))
            if not node.is_input:
                for parent in reversed(node.inputs):
                    stack.append((parent, False))

    in_graph = set(ordered)
    node_depth: dict[Node, int] = {}
    state_depth: dict[LayerState, int] = {}
    for node in reversed(ordered):
        depth = max(node_depth.get(node, 0), state_depth.get(node.state, 0))
        state_depth[node.state] = depth
        node_depth[node] = depth
        for t in node.inputs:
            parent = t.node
            if parent in in_graph and node_depth.get(parent, 0) < depth + 1:
                node_depth[parent] = depth + 1
    for t in inputs:
        state = t.node.state
        if state not in state_depth:
            state_depth[state] = 0
            state_index[state] = -1
    by_depth: dict[int, list[LayerState]] = defaultdict(list)
    for state, depth in state_depth.items():
        by_depth[depth].append(state)
    result = []
    for depth in sorted(by_depth, reverse=True):
        result.extend(sorted(by_depth[depth], key=state_index.__getitem__))
    # Every input a layer needs must come from the model's inputs (Keras: "Graph disconnected").
    # An Input that Model(...) does not list is not computable either: Keras walks it into
    # the graph, then fails when it runs the graph ("not connected to inputs").
    computable = set(given_inputs)
    for node in ordered:
        if node.is_input:
            continue
        for t in node.inputs:
            if t not in computable:
                raise ParamsError(f"the graph is disconnected: layer {node.state.layer.name!r} needs a tensor "
                                  "that does not come from the model's inputs", kind="shape",
                                  location=node.state.layer.location, hint="list every Input in Model(inputs, ...)")
        computable.update(node.outputs)
    return result


def build(program: nodes.Program, input_shape=None) -> list[LayerSummary]:
    return KerasBuilder(program, input_shape).build()

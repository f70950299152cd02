"""The base of every layer in the counting core.

A layer is a small declarative class: its arguments as :class:`Arg` attributes (in
the framework's positional order), and three methods that state, in one place,
its ``output_shape``, its ``weights`` and the ``derivation`` of its count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable, ClassVar

from ..errors import Location, ParamsError, did_you_mean
from .expr import Step, Sym, total

Shape = tuple  # a tuple of int | None; for Keras the batch dimension (None) comes first

REQUIRED = object()


class _Nothing(Mapping):
    """An empty, read-only mapping that copies and pickles as itself."""

    __slots__ = ()

    def __getitem__(self, key):
        raise KeyError(key)

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "NOTHING"

    def __reduce__(self) -> str:
        return "NOTHING"  # the module's one instance (also what copy.deepcopy returns)


#: The options and argument locations of a layer that has none: one shared, read-only
#: mapping instead of two empty dicts per layer (a 10,000-layer model keeps them all).
NOTHING = _Nothing()


class ArgError(Exception):
    """A bad argument value; the layer turns it into a located ParamsError."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Weight:
    """One variable of a layer: a Keras weight or a PyTorch parameter or buffer."""

    name: str
    shape: tuple[int, ...]
    trainable: bool = True
    buffer: bool = False  # a PyTorch buffer: state, not a parameter

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def frozen(self) -> Weight:
        return Weight(self.name, self.shape, False, self.buffer)

    def renamed(self, prefix: str) -> Weight:
        return Weight(f"{prefix}{self.name}", self.shape, self.trainable, self.buffer)


class Arg:
    """A constructor argument: how to convert it, its default, whether it may be positional."""

    def __init__(self, convert: Callable = None, default=REQUIRED, *, keyword_only: bool = False,
                 doc: str = "", keyword: str = "") -> None:
        self.convert = convert or (lambda v: v)
        self.default = default
        self.keyword_only = keyword_only
        self.doc = doc
        #: The name users write, when the attribute must differ from it: EinsumDense's
        #: ``output_shape`` cannot be an attribute of that name, which is a hook.
        self.keyword = keyword
        self.name = keyword
        self.attr = ""

    def __set_name__(self, owner, name: str) -> None:
        self.attr = name
        self.name = self.keyword or name

    def __get__(self, layer, owner=None):
        # On the class, the Arg itself (layer families introspect it); on a layer that was
        # not given this argument, its default: a layer stores only what was written, so
        # binding the arguments costs what the call holds, not what the class declares.
        if layer is None:
            return self
        if self.default is REQUIRED:
            raise AttributeError(f"the argument {self.name!r} was not given")
        return self.default

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


class Layer:
    """A layer of some framework; subclasses declare Args and override the hooks."""

    framework: ClassVar[str] = ""
    #: The class name the framework reports (``Dense``, ``Conv2d``); defaults to the Python class name.
    type_name: ClassVar[str] = ""
    #: Accepted keyword arguments that change neither a count nor a shape (initializers, ...).
    ignored: ClassVar[frozenset[str]] = frozenset()
    #: How a call takes its tensors: 1 for one tensor, "many" for a merge layer's list of
    #: tensors; layers with several tensor arguments (attention) name them in call_tensors.
    inputs: ClassVar[int | str] = 1
    call_tensors: ClassVar[tuple[str, ...]] = ("inputs",)
    #: Further tensor arguments of a call (after call_tensors, by position or name) that
    #: change no shape but still connect the graph: masks, an RNN's initial_state list.
    call_side_tensors: ClassVar[tuple[str, ...]] = ()
    #: Literal keyword arguments a call accepts, e.g. ``return_attention_scores``.
    call_options: ClassVar[frozenset[str]] = frozenset({"training", "mask"})
    arguments: ClassVar[tuple[Arg, ...]] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "type_name" not in cls.__dict__:
            cls.type_name = cls.__name__
        inherited = {a.name: a for a in cls.arguments}
        for value in cls.__dict__.values():
            if isinstance(value, Arg):
                inherited[value.name] = value  # a redefinition keeps the parent's position
        order = [a.name for a in cls.arguments] + [v.name for v in cls.__dict__.values() if isinstance(v, Arg)]
        seen: list[str] = []
        for n in order:
            if n not in seen:
                seen.append(n)
        cls.arguments = tuple(inherited[n] for n in seen)

    @classmethod
    def argument_index(cls) -> tuple[tuple[Arg, ...], dict[str, Arg]]:
        """The positional Args, and every Arg by name."""
        index = cls._index()
        return index.positional, index.by_name

    @classmethod
    def _index(cls) -> _ArgumentIndex:
        # Looked up for every layer made, so kept per class (and made again if a family
        # reorders ``arguments`` after the fact).
        index = cls.__dict__.get("_argument_index")
        if index is None or index.arguments is not cls.arguments:
            index = cls._argument_index = _ArgumentIndex(cls.arguments)
        return index

    def __init__(self, *, name: str = "", location: Location | None = None,
                 arg_locations: dict | None = None, trainable: bool = True) -> None:
        self.name = name
        self.location = location
        self.arg_locations = arg_locations or NOTHING
        self.trainable = trainable
        self.options: Mapping = NOTHING  # the literal keyword arguments of the (last) call

    # -- construction ------------------------------------------------------------------
    @classmethod
    def bind(cls, args: list, kwargs: dict, *, location: Location | None = None,
             arg_locations: dict | None = None, **base) -> Layer:
        """Make a layer from converted literal arguments, checking them against the Args."""
        layer = cls(location=location, arg_locations=arg_locations, **base)
        index = cls._index()
        positional, by_name = index.positional, index.by_name
        if len(args) > len(positional):
            raise ParamsError(f"{cls.type_name}() takes at most {len(positional)} positional arguments "
                              f"({len(args)} given)", kind="argument", location=location,
                              hint="name the extra arguments: " + ", ".join(a.name + "=..." for a in positional))
        values = dict(zip(index.positional_names, args))
        for key, value in kwargs.items():
            if key in values:
                raise ParamsError(f"{cls.type_name}() got {key!r} both by position and by name",
                                  kind="argument", location=(arg_locations or {}).get(key, location))
            if key not in by_name and key not in cls.ignored:
                choices = list(by_name) + sorted(cls.ignored)
                raise ParamsError(f"{cls.type_name}() has no argument {key!r}", kind="unknown",
                                  location=(arg_locations or {}).get(key, location),
                                  hint=did_you_mean(key, choices) or
                                  ("its arguments are " + ", ".join(by_name) if by_name else
                                   f"{cls.type_name}() takes no arguments that change a count"))
            values[key] = value
        # Only the given values are stored; the others read as their Arg's default.
        try:
            for key, value in values.items():
                arg = by_name.get(key)
                if arg is not None:  # else an ignored argument
                    setattr(layer, arg.attr, arg.convert(value))
            complete = all(arg.name in values for arg in index.required)
        except ArgError:
            complete = False
        if not complete:
            cls._first_bad_argument(layer, values, location)
        layer.check()
        return layer

    @classmethod
    def _first_bad_argument(cls, layer: Layer, values: dict, location: Location | None) -> None:
        """Raise for the first argument, in the layer's own order, that is missing or bad."""
        for arg in cls.arguments:
            if arg.name in values:
                try:
                    arg.convert(values[arg.name])
                except ArgError as exc:
                    raise ParamsError(f"{cls.type_name}(): {arg.name} {exc}", kind="argument",
                                      location=layer.arg_location(arg.name), hint=exc.hint) from None
            elif arg.required:
                raise ParamsError(f"{cls.type_name}() needs the argument {arg.name!r}", kind="argument",
                                  location=location, hint=f"write {cls.type_name}({arg.name}=...)")

    def arg_location(self, name) -> Location | None:
        return self.arg_locations.get(name, self.location)

    def check(self) -> None:
        """Cross-argument checks, after every argument is set. Override as needed."""

    # -- errors -------------------------------------------------------------------------
    def fail(self, message: str, *, hint: str | None = None, kind: str = "shape", arg: str | None = None):
        location = self.arg_location(arg) if arg else self.location
        raise ParamsError(f"{self.type_name} {self.name!r}: {message}" if self.name else
                          f"{self.type_name}: {message}", kind=kind, location=location, hint=hint)

    def known(self, shape: Shape, axis: int, what: str) -> int:
        """A dimension that must be known to count weights, e.g. the input features of Dense."""
        value = shape[axis]
        if value is None:
            self.fail(f"needs a known size for {what}, but the input shape is {format_shape(shape)}",
                      hint="give the input's full shape in Input(shape=...)")
        return value

    def require_rank(self, shape: Shape, rank: int, *, at_least: bool = False, what: str = "") -> None:
        ok = len(shape) >= rank if at_least else len(shape) == rank
        if not ok:
            expected = f"at least {rank}" if at_least else f"{rank}"
            self.fail(f"expects an input of rank {expected}{what}, got shape {format_shape(shape)}",
                      hint="check the Input shape or the layers before it")

    # -- the three things every layer states -------------------------------------------
    def output_shape(self, input_shape):
        """The output shape (or a list of shapes) for the given input shape(s)."""
        return input_shape

    def weights(self, input_shape) -> list[Weight]:
        """The layer's variables, named and shaped as its framework names and shapes them."""
        return []

    def derivation(self, input_shape) -> list[Step]:
        """Steps deriving the parameter count; the last step's value is the count.

        The default sums the weights' shapes; layers with a textbook formula override it.
        """
        weights = [w for w in self.weights(input_shape) if not w.buffer]
        if not weights:
            return []
        terms = []
        for w in weights:
            factors = [Sym(f"{w.name}_{i}" if len(w.shape) > 1 else w.name, d) for i, d in enumerate(w.shape)]
            term = factors[0]
            for f in factors[1:]:
                term = term * f
            terms.append(term)
        return [Step("N", total(terms))]

    def shape_derivation(self, input_shape) -> list[Step]:
        """Steps deriving the output sizes that have a formula (conv, pooling, ...)."""
        return []


class _ArgumentIndex:
    """A layer class's Args arranged for :meth:`Layer.bind`."""

    def __init__(self, arguments: tuple[Arg, ...]) -> None:
        self.arguments = arguments
        self.positional = tuple(a for a in arguments if not a.keyword_only)
        self.positional_names = tuple(a.name for a in self.positional)
        self.by_name = {a.name: a for a in arguments}
        self.required = tuple(a for a in arguments if a.required)


def format_shape(shape) -> str:
    """``(None, 28, 28)`` as Keras prints shapes; a list of shapes for several outputs."""
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"

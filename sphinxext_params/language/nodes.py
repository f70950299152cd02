"""What the parser produces: a small, inert tree describing the layer list.

Nothing here can run: literals are plain Python values, names are strings, and a
call is only a record of what was written.  The nodes are plain slotted records (not
frozen dataclasses, whose construction costs several times more): a 10,000-layer list
makes some 50,000 of them, and nothing changes them after the parser has made them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Location


@dataclass(slots=True)
class Node:
    location: Location


@dataclass(slots=True)
class Literal(Node):
    """A number, string, bool, None, or a tuple/list of those."""

    value: object


@dataclass(slots=True)
class Name(Node):
    """A variable (``x``) or a dotted path (``keras.layers.Dense``, ``self.fc1``)."""

    parts: tuple[str, ...]

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(slots=True)
class Sequence(Node):
    """A list or tuple that holds something other than literals (layers, tensors)."""

    items: tuple[Node, ...]
    kind: str = "list"  # "list" or "tuple"


@dataclass(slots=True)
class Mapping(Node):
    """A dict display, as in ``{"a": x}`` for named model inputs."""

    keys: tuple[object, ...]
    values: tuple[Node, ...]


@dataclass(slots=True)
class Subscript(Node):
    """``outputs[0]``: an integer index into a list of tensors."""

    value: Node
    index: int


@dataclass(slots=True)
class Call(Node):
    """``func(args, kwargs)``; ``func`` is a Name, or a Call for ``Dense(8)(x)``,
    or a Name ending in a method for ``model.add(...)``."""

    func: Node
    args: tuple[Node, ...] = ()
    kwargs: tuple[tuple[str, Node], ...] = ()

    def kwarg(self, key: str):
        for k, v in self.kwargs:
            if k == key:
                return v
        return None

    @property
    def callee_name(self) -> str | None:
        """The last part of a dotted callee (``Dense`` for ``keras.layers.Dense``)."""
        return self.func.parts[-1] if isinstance(self.func, Name) else None

    @property
    def callee_prefix(self) -> tuple[str, ...]:
        return self.func.parts[:-1] if isinstance(self.func, Name) else ()


@dataclass(slots=True)
class Attribute(Node):
    """An attribute of something that is not a plain name: ``nn.Linear(2, 2).requires_grad_``."""

    value: Node
    attr: str


@dataclass(slots=True)
class Statement:
    location: Location


@dataclass(slots=True)
class Assign(Statement):
    """``targets = value``; a target is a Name (``x``, ``self.fc1``) or a tuple of them."""

    targets: tuple[Node, ...]
    value: Node


@dataclass(slots=True)
class Expression(Statement):
    value: Node


@dataclass(slots=True)
class Import(Statement):
    module: str
    names: tuple[str, ...] = field(default=())


@dataclass(slots=True)
class Program:
    statements: tuple[Statement, ...]
    lines: tuple[str, ...]  # the normalized source, for messages

"""What the Keras and the PyTorch builders share: walking the inert tree of a layer list.

Each framework's builder subclasses :class:`Interpreter` and says what names, calls and
indexing mean for it; literals, lists and dicts mean the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParamsError
from ..language import nodes


@dataclass(frozen=True)
class Opaque:
    """A framework object that no count depends on, kept as the text that named it:
    ``kernel_regularizer=keras.regularizers.l2(1e-4)``, ``activation=F.gelu``,
    ``torch.device("cpu")``. It is never looked up or called."""

    text: str

    def __repr__(self) -> str:
        return self.text


class Interpreter:
    """Evaluates expressions of the layer-list tree to values of one framework's model."""

    #: A call the framework's users would write, for hints.
    example_call = "Dense(10)"

    def value(self, node):
        node_type = type(node)  # exact types, most frequent first: this runs for every value
        if node_type is nodes.Literal:
            return node.value
        if node_type is nodes.Call:
            return self.call(node)
        if node_type is nodes.Name:
            return self.lookup(node)
        if isinstance(node, nodes.Sequence):
            return [self.value(i) for i in node.items]
        if isinstance(node, nodes.Mapping):
            return {k: self.value(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, nodes.Subscript):
            return self.subscript(node)
        raise ParamsError("this expression is not part of a layer list", kind="syntax", location=node.location,
                          hint=f"write layer calls such as {self.example_call}")

    def items_of(self, value):
        """What ``value[i]`` indexes into (a list of outputs, a container's children)."""
        return value

    def subscript(self, node: nodes.Subscript):
        items = self.items_of(self.value(node.value))
        if not isinstance(items, list) or not -len(items) <= node.index < len(items):
            raise ParamsError(f"index {node.index} is out of range", kind="shape", location=node.location)
        return items[node.index]

    def lookup(self, name: nodes.Name):
        raise NotImplementedError

    def call(self, call: nodes.Call):
        raise NotImplementedError

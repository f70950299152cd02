"""torch.nn containers: Sequential, ModuleList, ModuleDict.

A container's parameters are its children's, named ``<child>.<name>`` (``0.weight``);
its count is the sum of theirs.  A Sequential passes its input through the children
in order; ModuleList and ModuleDict have no forward of their own, and are run the
same way (the order they are listed in), as a model that loops over them would.
"""

from __future__ import annotations

import copy

from ...errors import Location, ParamsError
from .base import TorchLayer, register


class Container(TorchLayer):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        #: The children in call order, and their names; a module listed twice runs twice but
        #: counts once (``submodules`` holds each module under its first name).
        self.sequence: list[TorchLayer] = []
        self.names: list[str] = []
        self.positions: dict[str, int] = {}
        self.listed: set[int] = set()  # ids of the modules in submodules

    @classmethod
    def of(cls, children: list[tuple[str, TorchLayer]], *, location: Location | None = None) -> Container:
        container = cls(location=location)
        for name, child in children:
            container.add(name, child)
        return container

    def add(self, name: str, child: TorchLayer) -> None:
        """``add_module(name, child)``: a new name appends, an existing name replaces in place."""
        if "." in name or not name:
            raise ParamsError(f"a module name must be non-empty and hold no '.', got {name!r}", kind="argument",
                              location=child.location or self.location)
        if name in self.positions:
            self.sequence[self.positions[name]] = child
            self.submodules, self.listed = {}, set()
            for n, c in zip(self.names, self.sequence):
                self.list_child(n, c)
        else:
            self.positions[name] = len(self.sequence)
            self.sequence.append(child)
            self.names.append(name)
            self.list_child(name, child)

    def list_child(self, name: str, child: TorchLayer) -> None:
        if id(child) not in self.listed:  # named_children() lists a module once
            self.listed.add(id(child))
            self.submodules[name] = child

    def child(self, name: str) -> TorchLayer | None:
        return self.sequence[self.positions[name]] if name in self.positions else None

    def output_shape(self, shape):
        for child in self.sequence:
            shape = child.output_shape(shape)
        return shape

    def derivation(self, input_shape=None):
        return self.parts_derivation([(f"N_{name}", child) for name, child in self.submodules.items()],
                                     "the children's parameters")


@register
class Sequential(Container):
    pass


@register
class ModuleList(Container):
    pass


@register
class ModuleDict(Container):
    pass


class Repeated(TorchLayer):
    """A ModuleList of ``count`` deep copies of one module (a transformer stack's ``layers``).

    The copies are alike, so one snapshot stands for all of them, its weights named
    ``0.``, ``1.``, ...; ten thousand real copies would take minutes to make.
    """

    type_name = "ModuleList"

    def __init__(self, module: TorchLayer, count: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.module = copy.deepcopy(module)  # later changes to the original do not reach the copies
        self.count = count

    def weights(self, input_shape=None):
        one = self.module.weights()
        params = [w.renamed(f"{i}.") for i in range(self.count) for w in one if not w.buffer]
        buffers = [w.renamed(f"{i}.") for i in range(self.count) for w in one if w.buffer]
        return params + buffers

    def requires_grad_(self, requires_grad: bool) -> None:
        self.trainable = requires_grad
        self.module.requires_grad_(requires_grad)

    def module_count(self) -> int:
        return self.count * self.module.module_count()

    def output_shape(self, shape):
        for _ in range(self.count):
            out = self.module.output_shape(shape)
            if out == shape:  # the next copy sees the same input again
                break
            shape = out
        return shape

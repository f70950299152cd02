"""The result of counting: one row per layer, the totals, and their memory sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .expr import Step
from .layer import Weight, format_shape

#: Bytes per element for the dtypes a summary can be sized in.
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8, "int8": 1,
               "uint8": 1, "int16": 2, "int32": 4, "int64": 8}


def readable_memory_size(n_bytes: float) -> str:
    """Bytes as Keras 3's summary prints them: base 1024, two decimals (``30.66 KB``)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"


def _shape_json(shape):
    if shape is None:
        return None
    if isinstance(shape, list):
        return [_shape_json(s) for s in shape]
    return list(shape)


@dataclass
class LayerSummary:
    """One row of the summary: what the framework's summary lists for one layer.

    A row does not change once counted, so its counts are computed once (cached)."""

    name: str
    type: str
    output_shape: tuple | list | None
    weights: tuple[Weight, ...] = ()
    input_shape: tuple | list | None = None
    line: int | None = None  # the line of the layer list that made this row
    #: The layer was made with trainable=False: the framework lists all of its parameters
    #: as non-trainable, even where a weight's own flag (which the totals count) says
    #: trainable (Keras wrappers whose sublayers never see the flag).
    frozen: bool = False
    #: The reverse: the row belongs to a model made with trainable=False
    #: (``Sequential([...], trainable=False)``), whose totals count none of its variables as
    #: trainable while each row still lists its layer's own flag.
    in_frozen_model: bool = False
    #: The layer that made this row, which states its derivations (see below).
    layer: object = field(default=None, repr=False, compare=False)

    # Derivations are made on first use: most summaries (a role's number, the JSON of a
    # large model) never show them, and they cost as much as the counting itself.
    @cached_property
    def derivation(self) -> tuple[Step, ...]:
        """Steps deriving the parameter count; the last step's value is :attr:`params`."""
        if self.layer is None or not any(not w.buffer for w in self.weights):
            return ()
        return tuple(self.layer.derivation(self.input_shape))

    @cached_property
    def shape_derivation(self) -> tuple[Step, ...]:
        """Steps deriving the output sizes that have a formula (conv, pooling, ...)."""
        if self.layer is None or self.input_shape is None:
            return ()
        return tuple(self.layer.shape_derivation(self.input_shape))

    @cached_property
    def params(self) -> int:
        return sum(w.size for w in self.weights if not w.buffer)

    @cached_property
    def trainable(self) -> int:
        if self.frozen:
            return 0
        return sum(w.size for w in self.weights if w.trainable and not w.buffer)

    @property
    def non_trainable(self) -> int:
        return self.params - self.trainable

    @cached_property
    def buffers(self) -> int:
        return sum(w.size for w in self.weights if w.buffer)

    @property
    def output_shape_text(self) -> str:
        return "?" if self.output_shape is None else format_shape(self.output_shape)

    def to_dict(self, framework: str) -> dict:
        out = {"name": self.name, "type": self.type, "output_shape": _shape_json(self.output_shape),
               "params": self.params, "trainable": self.trainable, "non_trainable": self.non_trainable}
        if framework == "pytorch":
            out["buffers"] = self.buffers
        out["weights"] = [{"name": w.name, "shape": list(w.shape), "trainable": w.trainable,
                           **({"buffer": True} if w.buffer else {})} for w in self.weights]
        out["derivation"] = [s.text() for s in self.derivation]
        out["shape_derivation"] = [s.text() for s in self.shape_derivation]
        return out


@dataclass
class Summary:
    """A whole model: its rows in the framework's order, and the totals."""

    framework: str
    layers: list[LayerSummary] = field(default_factory=list)
    dtype: str = "float32"
    name: str = ""

    @cached_property
    def total_params(self) -> int:
        return sum(r.params for r in self.layers)

    @cached_property
    def trainable_params(self) -> int:
        # Weight by weight, as a model's totals count its variables (see LayerSummary.frozen).
        return sum(w.size for r in self.layers if not r.in_frozen_model
                   for w in r.weights if w.trainable and not w.buffer)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @cached_property
    def buffers(self) -> int:
        return sum(r.buffers for r in self.layers)

    @property
    def has_buffers(self) -> bool:
        return any(r.buffers for r in self.layers)

    def memory(self, count: int) -> str:
        """The memory that ``count`` values of this summary's dtype take, Keras-style."""
        return readable_memory_size(count * DTYPE_BYTES[self.dtype])

    def layer(self, name: str) -> LayerSummary | None:
        for row in self.layers:
            if row.name == name:
                return row
        return None

    def to_dict(self) -> dict:
        out = {"framework": self.framework,
               "layers": [r.to_dict(self.framework) for r in self.layers],
               "total_params": self.total_params,
               "trainable_params": self.trainable_params,
               "non_trainable_params": self.non_trainable_params}
        if self.framework == "pytorch":
            out["buffers"] = self.buffers
        out["dtype"] = self.dtype
        out["total_memory"] = self.memory(self.total_params)
        out["trainable_memory"] = self.memory(self.trainable_params)
        out["non_trainable_memory"] = self.memory(self.non_trainable_params)
        return out

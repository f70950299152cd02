"""What every Keras layer shares: the framework tag, Keras's naming, the catalogue."""

from __future__ import annotations

import re

from ..layer import Layer

#: Every Keras layer class by the name users write (``Dense``, ``Conv2D``).
CATALOGUE: dict[str, type[KerasLayer]] = {}

#: Keyword arguments of Keras layers that change neither a count nor a shape.
WEIGHT_OPTIONS = frozenset({
    "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
    "activity_regularizer", "kernel_constraint", "bias_constraint", "dtype", "autocast",
    "seed", "quantization_config",
})


def to_snake_case(name: str) -> str:
    """Keras's default layer name for a class: ``Conv2DTranspose`` → ``conv2d_transpose``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


class KerasLayer(Layer):
    framework = "keras"
    ignored = WEIGHT_OPTIONS

    @classmethod
    def default_name(cls) -> str:
        return to_snake_case(cls.type_name)


def register(*classes, aliases: tuple[str, ...] = ()):
    """Add layer classes to the Keras catalogue (as a decorator, or called with several)."""
    for cls in classes:
        CATALOGUE[cls.type_name] = cls
        for alias in aliases:
            CATALOGUE[alias] = cls
    return classes[0] if len(classes) == 1 else classes

"""What every Keras layer shares: the framework tag, Keras's naming, the catalogue."""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=None)  # called for every layer made; the class names are few
def to_snake_case(name: str) -> str:
    """Keras's default layer name for a class: ``Conv2DTranspose`` → ``conv2d_transpose``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


class KerasLayer(Layer):
    framework = "keras"
    ignored = WEIGHT_OPTIONS
    #: Default names of the unnamed sublayers Keras makes when the layer is first built
    #: (MultiHeadAttention's Softmax and Dropout): they use up those names' counters.
    build_names: tuple[str, ...] = ()
    #: Whether trainable=False reaches the layer's variables.  Not for layers whose
    #: variables live in sublayers Keras attaches after the constructor has set the flag
    #: (wrappers, MultiHeadAttention, ConvLSTM): Keras then lists the row as
    #: non-trainable, but the model's totals still count those variables as trainable.
    freezes_variables: bool = True

    def variables(self, input_shape) -> list:
        """The weights with the trainable flag Keras gives each variable."""
        weights = self.weights(input_shape)
        if self.trainable or not self.freezes_variables:
            return weights
        return [w.frozen() for w in weights]

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

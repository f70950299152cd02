"""What every Keras layer shares: the framework tag, Keras's naming, the catalogue."""

from __future__ import annotations

import functools
import re

from ...errors import did_you_mean
from .. import args as a
from ..interpreter import Opaque
from ..layer import ArgError, Layer

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
    #: Set by ``layer.trainable = ...`` in the list (see :meth:`set_trainable`).
    trainable_set: bool = False
    #: Whether the sublayers holding the variables are made when the layer is first built
    #: (MultiHeadAttention's projections): a ``trainable`` assigned before cannot reach them.
    sublayers_made_at_build: bool = False

    def variables(self, input_shape) -> list:
        """The weights with the trainable flag Keras gives each variable."""
        weights = self.weights(input_shape)
        if self.trainable or not (self.freezes_variables or self.trainable_set):
            return weights
        return [w.frozen() for w in weights]

    def sublayers(self) -> tuple:
        """The layers this one holds (a wrapper's, a nested model's)."""
        return ()

    def set_trainable(self, value: bool, built: bool) -> None:
        """``layer.trainable = value``: unlike the constructor's argument, Keras's setter
        reaches every variable made trainable and every sublayer that exists by then."""
        self.trainable = value
        self.trainable_set = built or not self.sublayers_made_at_build
        for layer in self.sublayers():
            layer.set_trainable(value, built)

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


#: The strings ``keras.activations.get`` accepts: the names of the functions in Keras 3's
#: ``keras.src.activations.ALL_OBJECTS``, plus its aliases ``swish`` and ``hard_swish``.
ACTIVATIONS = frozenset({
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
    "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu",
    "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
})


def activation_value(v):
    """An ``activation=`` argument, checked as ``keras.activations.get`` checks it: None
    (linear), a known name, or a callable -- here a named function (``tf.nn.relu``, an
    :class:`Opaque`) or a layer (``activation=ReLU()``).  No activation changes a shape."""
    if v is None or isinstance(v, (Opaque, KerasLayer)):
        return v
    if isinstance(v, str):
        if v in ACTIVATIONS:
            return v
        names = sorted(ACTIVATIONS)
        raise ArgError(f"must name a Keras activation, not {v!r}",
                       hint=did_you_mean(v, names) or "use one of " + ", ".join(map(repr, names)))
    raise ArgError(f"must be the name of an activation function (such as 'relu'), a function or None, "
                   f"not {v!r} ({type(v).__name__})")


#: Converters of arguments that may name a framework object instead of a literal
#: (``activation=tf.nn.relu``): the builder hands them such a name as an Opaque.
TAKES_REFERENCES = frozenset({a.anything, activation_value})

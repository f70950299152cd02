"""What every PyTorch module shares: the framework tag and the catalogue."""

from __future__ import annotations

from ..layer import Layer

#: Every torch.nn module class by its class name (``Linear``, ``Conv2d``).
CATALOGUE: dict[str, type[TorchLayer]] = {}


class TorchLayer(Layer):
    """A torch.nn module; shapes exclude nothing: the batch dimension (None) comes first."""

    framework = "pytorch"


def register(*classes):
    """Add module classes to the PyTorch catalogue (as a decorator, or called with several)."""
    for cls in classes:
        CATALOGUE[cls.type_name] = cls
    return classes[0] if len(classes) == 1 else classes

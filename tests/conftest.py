import os

# Keras 3 runs on the PyTorch backend in the oracle tests; set before any keras import.
os.environ.setdefault("KERAS_BACKEND", "torch")

pytest_plugins = ("sphinx.testing.fixtures",)

import os

# Keras 3 runs on the PyTorch backend in the oracle tests; set before any keras import.
os.environ.setdefault("KERAS_BACKEND", "torch")

pytest_plugins = ("sphinx.testing.fixtures",)


def pytest_configure(config):
    # The oracles' tiny forward passes are slower with torch's thread pool on a shared
    # 2-core machine than on one thread; counts and shapes do not depend on it.
    try:
        import torch
    except ImportError:  # the oracle tests will say so themselves
        return
    torch.set_num_threads(1)

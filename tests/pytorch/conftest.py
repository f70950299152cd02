"""PyTorch oracle tests run on tiny tensors: one thread is far faster than a contended pool."""

import torch

torch.set_num_threads(1)

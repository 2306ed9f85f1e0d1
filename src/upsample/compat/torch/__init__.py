"""PyTorch's calls on NumPy arrays: ``upsample.compat.torch.nn.functional``; torch is never imported."""

from . import nn

__all__ = ["nn"]

"""``torch.nn``'s functional namespace, on NumPy arrays."""

from . import functional

__all__ = ["functional"]

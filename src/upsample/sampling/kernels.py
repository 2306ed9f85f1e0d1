"""The interpolation kernels as functions of the distance ``s`` from the sample point (in pixels)."""

from __future__ import annotations

import numpy as np

__all__ = ["keys_near", "keys_far", "keys", "triangle", "lanczos", "box"]


def keys_near(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel for ``|s| <= 1``."""
    a = s.dtype.type(a)
    return ((a + 2) * s - (a + 3)) * s * s + 1


def keys_far(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel for ``1 <= |s| <= 2``."""
    a = s.dtype.type(a)
    return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a


def keys(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel at any ``s``: zero beyond ``|s| = 2``."""
    s = np.abs(s)
    return np.where(s < 1, keys_near(s, a), np.where(s < 2, keys_far(s, a), 0)).astype(s.dtype)


def triangle(s: np.ndarray) -> np.ndarray:
    """The tent ``max(0, 1 - |s|)``: linear interpolation's kernel."""
    s = np.abs(s)
    return np.where(s < 1, 1 - s, 0).astype(s.dtype)



def lanczos(s: np.ndarray, n: int) -> np.ndarray:
    """The Lanczos window ``sinc(s) * sinc(s/n)`` for ``|s| < n``, zero beyond."""
    return np.where(np.abs(s) < n, np.sinc(s) * np.sinc(s / n), 0)


def box(s: np.ndarray) -> np.ndarray:
    """The unit box on ``(-1/2, 1/2]``, Pillow's BOX filter."""
    return ((s > -0.5) & (s <= 0.5)).astype(s.dtype)


"""The interpolation kernels as functions of the distance ``s`` from the sample point (in pixels)."""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "keys_near",
    "keys_far",
    "keys",
    "triangle",
    "lanczos",
    "lanczos4_taps",
    "box",
    "hamming",
    "gaussian",
    "mitchell",
]


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


#: the Lanczos-4 window's numerator at the eight taps, as multiples of (sin, cos) of the first
#: tap's angle: each tap turns the angle by a quarter pi, and the sign of ``sin(pi s)`` alternates
_HALF_SQRT2 = 0.70710678118654752440084436210485
_ROTATIONS = (
    (1.0, 0.0),
    (-_HALF_SQRT2, -_HALF_SQRT2),
    (0.0, 1.0),
    (_HALF_SQRT2, -_HALF_SQRT2),
    (-1.0, 0.0),
    (_HALF_SQRT2, _HALF_SQRT2),
    (0.0, -1.0),
    (-_HALF_SQRT2, _HALF_SQRT2),
)


def lanczos4_taps(fraction: np.ndarray) -> np.ndarray:
    """OpenCV's INTER_LANCZOS4 weights: (O,) float32 fractions -> (O, 8) float32 weights of the
    taps at ``floor(src) - 3 .. floor(src) + 4``.

    Each tap's ``sin(pi s / 4) / (pi s / 4)**2`` (the window without its common factor
    ``sin(pi s)``, which the normalisation cancels) is evaluated in double from the float32
    distance ``s = fraction + 3 - t`` and stored as float32; a tap at distance below 1e-6
    gets 1e30 instead. The eight are summed in float32, one at a time, and each is
    multiplied by the float32 reciprocal of that sum: the kernel is never widened."""
    f32 = np.float32
    fraction = np.asarray(fraction, dtype=f32)
    weight = np.empty(fraction.shape + (8,), dtype=f32)
    for o, x in enumerate(fraction.reshape(-1)):
        start = -float(x + f32(3)) * math.pi * 0.25
        sin0, cos0 = math.sin(start), math.cos(start)
        row = weight.reshape(-1, 8)[o]
        total = f32(0)
        for t, (a, b) in enumerate(_ROTATIONS):
            distance = x + f32(3) - f32(t)
            if abs(distance) >= f32(1e-6):
                angle = -float(distance) * math.pi * 0.25
                row[t] = f32((a * sin0 + b * cos0) / (angle * angle))
            else:
                row[t] = f32(1e30)
            total = f32(total + row[t])
        row *= f32(1) / total
    return weight


def box(s: np.ndarray) -> np.ndarray:
    """The unit box on ``(-1/2, 1/2]``, Pillow's BOX filter."""
    return ((s > -0.5) & (s <= 0.5)).astype(s.dtype)


#: the Hamming window's constants, float32 literals in Pillow
_HAMMING_A, _HAMMING_B = float(np.float32(0.54)), float(np.float32(0.46))


def hamming(s: np.ndarray) -> np.ndarray:
    """Pillow's HAMMING filter: ``sinc(s)`` times the Hamming window ``0.54 + 0.46 cos(pi s)``
    for ``|s| < 1``, zero beyond. The window's constants are float32's nearest to 0.54 and
    0.46, as Pillow's ``Resample.c`` writes them (``0.54f``), the rest in float64."""
    s = np.abs(s)
    inside = s < 1
    x = np.pi * np.where(inside, s, 0.5)
    value = np.where(s == 0, 1.0, np.sin(x) / np.where(x == 0, 1, x) * (_HAMMING_A + _HAMMING_B * np.cos(x)))
    return np.where(inside, value, 0).astype(s.dtype)


def gaussian(s: np.ndarray) -> np.ndarray:
    """TensorFlow's "gaussian": ``exp(-s**2 / (2 * 0.5**2))`` for ``|s| < 1.5`` (sigma 0.5, radius
    three sigmas, after Turkowski's "Filters for Common Resampling Tasks"), zero beyond."""
    s = np.abs(s)
    return np.where(s < 1.5, np.exp(-s * s / 0.5), 0).astype(s.dtype)


def mitchell(s: np.ndarray) -> np.ndarray:
    """The Mitchell-Netravali cubic with B = C = 1/3 (TensorFlow's "mitchellcubic"), support 2."""
    s = np.abs(s)
    near = ((7 / 6 * s - 2) * s) * s + 8 / 9
    far = ((-7 / 18 * s + 2) * s - 10 / 3) * s + 16 / 9
    return np.where(s < 1, near, np.where(s < 2, far, 0)).astype(s.dtype)

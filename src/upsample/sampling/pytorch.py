"""PyTorch's sampling plans (``aten/src/ATen/native/UpSample.h``): the default convention.

Each plan builder takes ``(in_size, out_size, scale_factor, align_corners, dtype)`` and
returns the (O, T) index and weight arrays; ``scale_factor`` is None when the output size
was given or recompute_scale_factor=True.
"""

from __future__ import annotations

import numpy as np

from .kernels import keys_far, keys_near

__all__ = [
    "CUBIC_A",
    "nearest_plan",
    "nearest_exact_plan",
    "linear_plan",
    "cubic_plan",
    "area_plan",
    "antialias_plan",
    "identity",
]


def coordinate_scale(
    in_size: int, out_size: int, scale_factor: float | None, align_corners: bool, dtype: np.dtype
) -> np.floating:
    """Source pixels per output pixel, PyTorch's ``area_pixel_compute_scale``, in ``dtype``.

    ``(I-1)/(O-1)`` with align_corners (0 when O == 1); otherwise ``1/scale_factor``
    when the caller's scale factor is kept, else ``I/O``.
    """
    f = dtype.type
    if align_corners:
        return f(in_size - 1) / f(out_size - 1) if out_size > 1 else f(0)
    if scale_factor is not None:
        return f(1.0 / scale_factor)
    return f(in_size) / f(out_size)


def source_coordinates(scale: np.floating, out_size: int, align_corners: bool, *, clamp: bool) -> np.ndarray:
    """Where each output pixel's centre lands in the input, ``area_pixel_compute_source_index``.

    ``scale * o`` with align_corners, else ``scale * (o + 0.5) - 0.5`` (half-pixel
    centres), clamped at 0 when ``clamp`` (linear does, cubic does not). -> (O,)

    PyTorch's CPU build evaluates ``scale * (o + 0.5) - 0.5`` as one fused multiply-add
    (a single rounding); for float32 we get the same by computing it in float64
    (exactly, for any realistic size) and rounding once.
    """
    dtype = np.asarray(scale).dtype
    dst = np.arange(out_size).astype(dtype)
    if align_corners:
        return scale * dst
    wide = np.promote_types(dtype, np.float64)
    src = (scale.astype(wide) * (dst.astype(wide) + 0.5) - 0.5).astype(dtype)
    return np.maximum(src, 0) if clamp else src


def floor_and_fraction(src: np.ndarray, in_size: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's ``guard_index_and_lambda``: ``floor(src)`` kept below I, and the fraction in [0, 1]."""
    index = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    fraction = np.clip(src - index.astype(src.dtype), 0, 1)
    return index, fraction


def identity(size: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(size)[:, None], np.ones((size, 1), dtype=dtype)


# --------------------------------------------------------------------------- one plan per mode
# Each takes (in_size, out_size, scale_factor, align_corners, dtype) and returns the
# (O, T) index and weight arrays. scale_factor is None when the output size was given
# or recompute_scale_factor=True.


def nearest_source(in_size: int, out_size: int, scale_factor: float | None, offset: float) -> np.ndarray:
    """``floor((o + offset) * scale)`` in float32 for every dtype, as PyTorch's ``nearest_idx``."""
    f32 = np.dtype(np.float32)
    scale = coordinate_scale(in_size, out_size, scale_factor, False, f32)
    src = np.floor((np.arange(out_size, dtype=f32) + f32.type(offset)) * scale)
    return np.minimum(src.astype(np.int64), in_size - 1)


def nearest_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Output ``o`` copies input ``floor(o * I/O)``: the top-left pixel of its cell.

    PyTorch shortcut, kept: O == I copies and O == 2I reads ``o // 2``, whatever the
    scale_factor says (it only differs from the formula for factors like 1.1 on 5).
    """
    if out_size == in_size:
        index = np.arange(out_size)
    elif out_size == 2 * in_size:
        index = np.arange(out_size) // 2
    else:
        index = nearest_source(in_size, out_size, scale_factor, offset=0.0)
    return index[:, None], np.ones((out_size, 1), dtype=dtype)


def nearest_exact_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Output ``o`` copies input ``floor((o + 0.5) * I/O)``: the pixel under its centre."""
    index = nearest_source(in_size, out_size, scale_factor, offset=0.5)
    return index[:, None], np.ones((out_size, 1), dtype=dtype)


def linear_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Two taps, ``floor(src)`` and the next pixel, weighted ``1 - frac`` and ``frac``.

    The source coordinate is clamped at 0 and the second tap at I - 1, so the border
    pixels are repeated. PyTorch shortcut, kept: an axis with O == I is copied.
    """
    if out_size == in_size:
        return identity(in_size, dtype)
    scale = coordinate_scale(in_size, out_size, scale_factor, align_corners, dtype)
    src = source_coordinates(scale, out_size, align_corners, clamp=True)
    first, fraction = floor_and_fraction(src, in_size)
    second = first + (first < in_size - 1)
    return np.stack([first, second], axis=1), np.stack([1 - fraction, fraction], axis=1)


CUBIC_A = -0.75  # PyTorch's (and OpenCV's) Keys parameter; the antialias path uses -0.5


def cubic_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Four taps ``floor(src) - 1 .. floor(src) + 2`` with Keys' weights (a = -0.75).

    The coordinate is not clamped; the four source indices are clamped to the border
    instead, as PyTorch's ``upsample_bicubic2d`` does.
    """
    scale = coordinate_scale(in_size, out_size, scale_factor, align_corners, dtype)
    src = source_coordinates(scale, out_size, align_corners, clamp=False)
    first, t = floor_and_fraction(src, in_size)
    rest = 1 - t
    weight = np.stack(
        [
            keys_far(t + 1, CUBIC_A),
            keys_near(t, CUBIC_A),
            keys_near(rest, CUBIC_A),
            keys_far(rest + 1, CUBIC_A),
        ],
        axis=1,
    )  # (O, 4)
    index = np.clip(first[:, None] + np.arange(-1, 3), 0, in_size - 1)  # (O, 4)
    return index, weight


def area_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Adaptive average pooling: output ``o`` averages inputs ``floor(o*I/O) .. ceil((o+1)*I/O) - 1``."""
    o = np.arange(out_size)
    start = o * in_size // out_size  # (O,)
    end = -(-(o + 1) * in_size // out_size)  # (O,) ceil division
    t = np.arange(int((end - start).max()))  # (T,)
    inside = start[:, None] + t < end[:, None]  # (O, T)
    index = np.minimum(start[:, None] + t, end[:, None] - 1)
    weight = np.where(inside, 1.0 / (end - start)[:, None], 0.0).astype(dtype)
    return index, weight


def antialias_plan(in_size, out_size, scale_factor, align_corners, dtype, *, width, kernel):
    """PyTorch's ``_upsample_{bilinear,bicubic}2d_aa`` filter along one axis.

    The kernel is stretched by the scale when downsampling (support ``width/2 * scale``
    when scale >= 1, else ``width/2``), centred at ``scale * (o + 0.5)`` (also with
    align_corners, then with scale ``(I-1)/(O-1)``), cut at the border and normalised
    to sum 1. PyTorch mixes float and double in a few steps here; so do we, for
    float32 plans that match it bit for bit.

    PyTorch shortcut, kept: an axis with O == I is copied, whatever the scale_factor
    says (PyTorch's backward does not take that shortcut; ours is the forward's adjoint).
    """
    if out_size == in_size:
        return identity(in_size, dtype)
    f = dtype.type
    scale = coordinate_scale(in_size, out_size, scale_factor, align_corners, dtype)
    stretch = scale >= 1
    support = f(width / 2 * float(scale)) if stretch else f(width / 2)
    inverse = f(1.0 / float(scale)) if stretch else f(1)
    center = scale * (np.arange(out_size) + 0.5).astype(dtype)  # (O,)
    lo = np.maximum(np.floor((center - support).astype(np.float64) + 0.5), 0).astype(np.int64)
    hi = np.minimum(np.floor((center + support).astype(np.float64) + 0.5), in_size).astype(np.int64)
    t = np.arange(max(int((hi - lo).max()), 1))  # (T,)
    index = lo[:, None] + t  # (O, T)
    offset = (index.astype(dtype) - center[:, None]).astype(np.float64) + 0.5
    weight = np.where(index < hi[:, None], kernel((offset * float(inverse)).astype(dtype)), 0)
    weight = weight.astype(dtype)
    total = weight.sum(axis=1, keepdims=True)
    weight = np.where(total != 0, weight / np.where(total != 0, total, 1), weight).astype(dtype)
    last = np.maximum(hi, lo + 1)[:, None] - 1  # padding taps repeat the last source
    return np.clip(np.minimum(index, last), 0, in_size - 1), weight

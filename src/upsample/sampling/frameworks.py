"""Other frameworks' sampling plans, built from one call's resolved row of :mod:`upsample.conventions`.

Each builder takes ``(in_size, out_size, scale_factor, settings, dtype)`` and returns the
(O, T) index and weight arrays and a mask of the outputs that fall outside the image
(tf_crop_and_resize), or None.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import conventions
from .kernels import box, keys, triangle
from .pytorch import area_plan as adaptive_plan

__all__ = ["nearest_plan", "kernel_plan", "area_plan", "triangle_kernel", "keys_kernel"]


def source_coordinates(in_size, out_size, scale_factor, s) -> tuple[np.ndarray, np.ndarray | None]:
    """Each output's source coordinate by the settings' coordinate rule and arithmetic -> (O,),
    and the outputs outside ``[0, I-1]`` under tf_crop_and_resize (else None)."""
    factor = scale_factor if s.scale_from == "factor" else None
    dtype, scaled = conventions.ARITHMETIC[s.arithmetic](in_size, out_size, factor)
    rule = conventions.COORDINATE_MODES[s.coordinate]
    src = rule(np.arange(out_size, dtype=dtype), in_size, out_size, scaled,
               s.roi[0] if s.roi else None)
    outside = (src < 0) | (src > in_size - 1) if s.coordinate == "tf_crop_and_resize" else None
    return np.asarray(src), outside


def nearest_plan(in_size, out_size, scale_factor, s, dtype):
    """One tap: the source coordinate rounded by the nearest rule, clipped to the image.

    Half-pixel centres rounded half up are computed as ``floor((o + 0.5) * I/O)``, the
    form TensorFlow, JAX and Pillow evaluate (it rounds once fewer than ``floor(src + 0.5)``).
    """
    fixed = conventions.FIXED_POINT_NEAREST.get(s.nearest_mode)
    outside = None
    if fixed is not None:
        index = fixed(in_size, out_size)
    elif s.coordinate == "half_pixel" and s.nearest_mode == "round_prefer_ceil":
        factor = scale_factor if s.scale_from == "factor" else None
        coordinate_dtype, scaled = conventions.ARITHMETIC[s.arithmetic](in_size, out_size, factor)
        index = np.floor(scaled(np.arange(out_size, dtype=coordinate_dtype) + 0.5))
    else:
        src, outside = source_coordinates(in_size, out_size, scale_factor, s)
        index = conventions.NEAREST_MODES[s.nearest_mode](src)
    index = np.clip(index, 0, in_size - 1).astype(np.int64)
    weight = np.ones((out_size, 1), dtype=dtype)
    if outside is not None:
        weight[outside] = 0
    return index[:, None], weight, outside


def _compact(index: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each row's nonzero taps to the front and drop the columns left with none."""
    live = weight != 0
    order = np.argsort(~live, axis=1, kind="stable")                       # (O, T) live first
    taps = max(int(live.sum(axis=1).max()), 1)
    index = np.take_along_axis(index, order, axis=1)[:, :taps]
    weight = np.take_along_axis(weight, order, axis=1)[:, :taps]
    first = index[:, :1]                                                    # pad with a live source
    return np.where(weight != 0, index, first), weight


def kernel_plan(in_size, out_size, scale_factor, s, dtype, *, kernel, support, tabled=False):
    """A kernel centred on each source coordinate: the taps within its support.

    With antialias the kernel is widened by ``I/O`` when shrinking and normalised to sum 1.
    Taps outside the image then either repeat the border pixel (the index is clipped,
    the weight kept) or, with exclude_outside, get weight 0 and the rest are renormalised.
    With a ``cubic_table`` (TensorFlow) the fraction of the coordinate is first rounded to
    that many steps per pixel for the kernels that are ``tabled`` (cubic), as TensorFlow
    reads those weights from a table.
    """
    src, outside = source_coordinates(in_size, out_size, scale_factor, s)
    if s.arithmetic == "opencv":
        src = src.astype(np.float32)                   # cv2.resize keeps coordinates in float
    factor = scale_factor if s.scale_from == "factor" and scale_factor is not None else out_size / in_size
    stretch = max(1.0 / factor, 1.0) if s.antialias else 1.0
    reach = support * stretch
    lo = np.floor(src - reach).astype(np.int64)
    hi = np.ceil(src + reach).astype(np.int64)
    index = lo[:, None] + np.arange(int((hi - lo).max()) + 1)               # (O, T)
    centre = src.astype(np.float64)
    if tabled and s.cubic_table and not s.antialias:
        base = np.floor(src)
        step = np.rint((src - base) * np.float32(s.cubic_table)) / s.cubic_table
        centre = base.astype(np.float64) + step.astype(np.float64)
    weight = kernel((index - centre[:, None]) / stretch, s)
    weight = np.where(index <= hi[:, None], weight, 0)
    if s.antialias:
        weight = weight / _nonzero(weight.sum(axis=1, keepdims=True))
    if s.exclude_outside:
        weight = np.where((index >= 0) & (index < in_size), weight, 0)
        weight = weight / _nonzero(weight.sum(axis=1, keepdims=True))
    if outside is not None:
        weight[outside] = 0
    index, weight = _compact(np.clip(index, 0, in_size - 1), weight)
    return index, weight.astype(dtype), outside


def _nonzero(total: np.ndarray) -> np.ndarray:
    return np.where(total != 0, total, 1)


def triangle_kernel(s, settings):
    return triangle(s)


def keys_kernel(s, settings):
    return keys(s, settings.cubic_a)


def overlap_weights(in_size, out_size, scale):
    """Output ``o`` covers ``[o, o + 1) * scale`` of the input (``scale = I/O``, or
    ``(I-1)/(O-1)`` with align_corners): each input pixel weighs the length it shares with
    that span, over the span's length, sources past the end clamped to the last pixel
    (TF's resize_area, OpenCV's INTER_AREA when shrinking). A one-pixel input with
    align_corners (scale 0) is copied."""
    if scale == 0:
        return np.zeros((out_size, 1), dtype=np.int64), np.ones((out_size, 1))
    o = np.arange(out_size)
    lo, hi = o * scale, (o + 1) * scale                                     # (O,)
    first = np.floor(lo).astype(np.int64)
    taps = int((np.ceil(hi).astype(np.int64) - first).max())
    index = first[:, None] + np.arange(max(taps, 1))                         # (O, T)
    shared = np.minimum(index + 1, hi[:, None]) - np.maximum(index, lo[:, None])
    weight = np.clip(shared, 0, None) / scale
    return _compact(np.minimum(index, in_size - 1), weight)


def opencv_area_up(in_size, out_size):
    """cv2.INTER_AREA when an axis grows: linear taps whose fraction is the part of the
    output pixel past the next input pixel's edge, ``(o + 1) - (floor(o*I/O) + 1) * O/I``."""
    scale = 1.0 / (out_size / in_size)
    o = np.arange(out_size)
    first = np.floor(o * scale).astype(np.int64)
    fraction = ((o + 1) - (first + 1) * (out_size / in_size)).astype(np.float32)
    fraction = np.where(fraction <= 0, 0, fraction - np.floor(fraction)).astype(np.float64)
    first = np.minimum(first, in_size - 1)              # the second tap is clamped below
    index = np.stack([first, np.minimum(first + 1, in_size - 1)], axis=1)
    return index, np.stack([1 - fraction, fraction], axis=1)


def area_plan(in_size, out_size, scale_factor, s, dtype):
    """Area by the settings' rule: adaptive pooling bins, exact overlaps, OpenCV's rule, or
    Pillow's box filter."""
    if s.area == "adaptive":
        index, weight = adaptive_plan(in_size, out_size, scale_factor, False, dtype)
    elif s.area == "box":                               # a filter that always widens
        return kernel_plan(in_size, out_size, scale_factor, dataclasses.replace(s, antialias=True),
                            dtype, kernel=lambda v, _: box(v), support=0.5)
    elif s.area == "opencv_up":
        index, weight = opencv_area_up(in_size, out_size)
    else:                                               # "overlap", and "opencv" when shrinking
        corners = s.coordinate == "align_corners" and out_size > 1
        index, weight = overlap_weights(in_size, out_size, (in_size - 1) / (out_size - 1)
                                         if corners else in_size / out_size)
    return index, weight.astype(dtype), None


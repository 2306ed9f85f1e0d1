"""Interpolation (nearest, linear, cubic, area) as per-axis sampling plans.

Every mode is separable: along each spatial axis, output position ``o`` reads a few
source positions ``index[o, t]`` with weights ``weight[o, t]``. That pair of small
(O, T) arrays is a :class:`SamplingPlan`, built once per axis by :func:`sampling_plan`.

* the forward gathers and takes a weighted sum over the T taps, one axis at a time;
* the VJP applies the *transposed* plans (each input position sums the weighted
  output gradients that read it), in reverse axis order, so it is the exact adjoint
  of the forward; for nearest by an integer factor that is a block sum;
* the explanations read the same plans to show each output's sources and weights.

The source coordinates follow PyTorch (``aten/src/ATen/native/UpSample.h``) by default:
see :func:`sampling_plan` for the rules and the quirks kept on purpose. Other frameworks'
dialects (``convention=``) and ONNX's Resize options are rows of settings in
:mod:`upsample.conventions`; they only change how the plans are built (the builders below
PyTorch's), so every path forward and back runs the same plans. uint8 images go through
:mod:`upsample._integer`, which applies the same plans in each framework's fixed point.

Axis legend: N batch, C channels, I input size along one axis, O output size along
it, T taps per output, K = O*T (output, tap) pairs.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _args, _integer, _jit, _layout, conventions, shapes
from ._dispatch import chunked

__all__ = ["interpolate", "nearest", "bilinear", "sampling_plan", "sampling_plans",
           "SamplingPlan", "MODES", "ALIASES"]


# --------------------------------------------------------------------------- the plan

@dataclass(frozen=True, eq=False)
class SamplingPlan:
    """How one spatial axis is resampled: ``out[o] = sum over t of weight[o, t] * x[index[o, t]]``.

    Attributes:
        index: (O, T) int64 array of source positions, all in ``[0, in_size)``.
        weight: (O, T) float array of weights, in the dtype the plan was computed in.
        in_size: I, the length of the axis before resampling.
        out_size: O, the length after.

    Rows with fewer real taps than T (area bins of uneven width, antialias windows
    cut by the border) are padded with weight 0 at a valid source position. Linear
    and cubic keep PyTorch's own zero-weight taps (e.g. the second tap on an exact
    source pixel), so ``weight != 0`` selects the taps that matter.

    >>> plan = sampling_plan(2, 4, "linear")
    >>> plan.index
    array([[0, 1],
           [0, 1],
           [0, 1],
           [1, 1]])
    >>> plan.weight
    array([[1.  , 0.  ],
           [0.75, 0.25],
           [0.25, 0.75],
           [0.75, 0.25]])

    The last output reads input 1 twice (the second tap is clamped to the border):
    ``0.75 * x[1] + 0.25 * x[1]``.
    """

    index: np.ndarray
    weight: np.ndarray
    in_size: int
    out_size: int

    @property
    def taps(self) -> int:
        """T, the number of source positions each output reads (padding included)."""
        return int(self.index.shape[1])

    @functools.cached_property
    def is_gather(self) -> bool:
        """One tap of weight 1 per output: a pure gather, exact for every dtype."""
        return self.taps == 1 and bool(np.all(self.weight == 1))

    @functools.cached_property
    def is_identity(self) -> bool:
        """Output ``o`` is input ``o``: resampling this axis changes nothing."""
        return (self.is_gather and self.in_size == self.out_size
                and bool(np.array_equal(self.index[:, 0], np.arange(self.out_size))))

    def matrix(self) -> np.ndarray:
        """The plan as a dense (O, I) matrix, for reading and testing (never on the hot path)."""
        dense = np.zeros((self.out_size, self.in_size), dtype=self.weight.dtype)
        rows = np.broadcast_to(np.arange(self.out_size)[:, None], self.index.shape)  # (O, T)
        np.add.at(dense, (rows, self.index), self.weight)
        return dense

    def apply(self, x: np.ndarray, axis: int) -> np.ndarray:
        """Resample ``x`` along ``axis`` from ``in_size`` to ``out_size``: gather, then sum the taps.

        ``x`` should already have the plan's float dtype, unless the plan is a pure gather.
        """
        if self.is_identity:
            return x
        if self.is_gather:
            return np.take(x, self.index[:, 0], axis=axis)
        along = [1] * x.ndim
        along[axis] = self.out_size                       # weights broadcast as (1, .., O, .., 1)
        out = np.take(x, self.index[:, 0], axis=axis) * self.weight[:, 0].reshape(along)
        for t in range(1, self.taps):
            out += np.take(x, self.index[:, t], axis=axis) * self.weight[:, t].reshape(along)
        return out

    @functools.cached_property
    def _by_source(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The transposed plan: the (output, tap) pairs grouped by the input position they read.

        Returns ``(rows, weights, starts, targets)``: the K' nonzero pairs sorted by source
        position (their output rows and weights), where each group starts, and the input
        position of each group. Zero-weight taps carry nothing back and are left out.
        """
        flat_index = self.index.ravel()                   # (K,) with K = O*T, row-major
        flat_weight = self.weight.ravel()
        live = np.flatnonzero(flat_weight != 0)
        order = live[np.argsort(flat_index[live], kind="stable")]  # (K',) grouped by source
        sources = flat_index[order]
        starts = np.flatnonzero(np.diff(sources, prepend=-1))      # first pair of each group
        return order // self.taps, flat_weight[order], starts, sources[starts]

    def apply_transpose(self, g: np.ndarray, axis: int) -> np.ndarray:
        """The adjoint of :meth:`apply`: scatter-add ``g`` (size ``out_size`` along ``axis``) back.

        Input position ``i`` receives ``sum of weight[o, t] * g[o]`` over the pairs with
        ``index[o, t] == i``: one gather, one multiply and one segmented sum
        (``np.add.reduceat``), no dense matrix. Positions no output reads get 0.
        """
        if self.is_identity:
            return g
        rows, weights, starts, targets = self._by_source
        shape = list(g.shape)
        shape[axis] = self.in_size
        if len(rows) == 0:
            return np.zeros(shape, dtype=np.result_type(g, weights))
        along = [1] * g.ndim
        along[axis] = len(rows)                          # weights broadcast as (1, .., K', .., 1)
        terms = np.take(g, rows, axis=axis) * weights.reshape(along)  # (..., K', ...)
        sums = np.add.reduceat(terms, starts, axis=axis)              # (..., U, ...) per source
        if len(targets) == self.in_size:                 # every input is read: targets == arange(I)
            return sums
        out = np.zeros(shape, dtype=sums.dtype)          # (..., I, ...)
        out[(slice(None),) * axis + (targets,)] = sums
        return out


# --------------------------------------------------------------------------- coordinates

def _coordinate_scale(in_size: int, out_size: int, scale_factor: float | None,
                      align_corners: bool, dtype: np.dtype) -> np.floating:
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


def _source_coordinates(scale: np.floating, out_size: int, align_corners: bool, *,
                        clamp: bool) -> np.ndarray:
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


def _floor_and_fraction(src: np.ndarray, in_size: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's ``guard_index_and_lambda``: ``floor(src)`` kept below I, and the fraction in [0, 1]."""
    index = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    fraction = np.clip(src - index.astype(src.dtype), 0, 1)
    return index, fraction


def _identity(size: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(size)[:, None], np.ones((size, 1), dtype=dtype)


# --------------------------------------------------------------------------- kernels

def _keys_near(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel for ``|s| <= 1``."""
    a = s.dtype.type(a)
    return ((a + 2) * s - (a + 3)) * s * s + 1


def _keys_far(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel for ``1 <= |s| <= 2``."""
    a = s.dtype.type(a)
    return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a


def _keys(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel at any ``s``: zero beyond ``|s| = 2``."""
    s = np.abs(s)
    return np.where(s < 1, _keys_near(s, a), np.where(s < 2, _keys_far(s, a), 0)).astype(s.dtype)


def _triangle(s: np.ndarray) -> np.ndarray:
    """The tent ``max(0, 1 - |s|)``: linear interpolation's kernel."""
    s = np.abs(s)
    return np.where(s < 1, 1 - s, 0).astype(s.dtype)


# --------------------------------------------------------------------------- one plan per mode
# Each takes (in_size, out_size, scale_factor, align_corners, dtype) and returns the
# (O, T) index and weight arrays. scale_factor is None when the output size was given
# or recompute_scale_factor=True.

def _nearest_source(in_size: int, out_size: int, scale_factor: float | None,
                    offset: float) -> np.ndarray:
    """``floor((o + offset) * scale)`` in float32 for every dtype, as PyTorch's ``nearest_idx``."""
    f32 = np.dtype(np.float32)
    scale = _coordinate_scale(in_size, out_size, scale_factor, False, f32)
    src = np.floor((np.arange(out_size, dtype=f32) + f32.type(offset)) * scale)
    return np.minimum(src.astype(np.int64), in_size - 1)


def _nearest_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Output ``o`` copies input ``floor(o * I/O)``: the top-left pixel of its cell.

    PyTorch shortcut, kept: O == I copies and O == 2I reads ``o // 2``, whatever the
    scale_factor says (it only differs from the formula for factors like 1.1 on 5).
    """
    if out_size == in_size:
        index = np.arange(out_size)
    elif out_size == 2 * in_size:
        index = np.arange(out_size) // 2
    else:
        index = _nearest_source(in_size, out_size, scale_factor, offset=0.0)
    return index[:, None], np.ones((out_size, 1), dtype=dtype)


def _nearest_exact_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Output ``o`` copies input ``floor((o + 0.5) * I/O)``: the pixel under its centre."""
    index = _nearest_source(in_size, out_size, scale_factor, offset=0.5)
    return index[:, None], np.ones((out_size, 1), dtype=dtype)


def _linear_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Two taps, ``floor(src)`` and the next pixel, weighted ``1 - frac`` and ``frac``.

    The source coordinate is clamped at 0 and the second tap at I - 1, so the border
    pixels are repeated. PyTorch shortcut, kept: an axis with O == I is copied.
    """
    if out_size == in_size:
        return _identity(in_size, dtype)
    scale = _coordinate_scale(in_size, out_size, scale_factor, align_corners, dtype)
    src = _source_coordinates(scale, out_size, align_corners, clamp=True)
    first, fraction = _floor_and_fraction(src, in_size)
    second = first + (first < in_size - 1)
    return np.stack([first, second], axis=1), np.stack([1 - fraction, fraction], axis=1)


CUBIC_A = -0.75  # PyTorch's (and OpenCV's) Keys parameter; the antialias path uses -0.5


def _cubic_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Four taps ``floor(src) - 1 .. floor(src) + 2`` with Keys' weights (a = -0.75).

    The coordinate is not clamped; the four source indices are clamped to the border
    instead, as PyTorch's ``upsample_bicubic2d`` does.
    """
    scale = _coordinate_scale(in_size, out_size, scale_factor, align_corners, dtype)
    src = _source_coordinates(scale, out_size, align_corners, clamp=False)
    first, t = _floor_and_fraction(src, in_size)
    rest = 1 - t
    weight = np.stack([_keys_far(t + 1, CUBIC_A), _keys_near(t, CUBIC_A),
                       _keys_near(rest, CUBIC_A), _keys_far(rest + 1, CUBIC_A)], axis=1)  # (O, 4)
    index = np.clip(first[:, None] + np.arange(-1, 3), 0, in_size - 1)                  # (O, 4)
    return index, weight


def _area_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Adaptive average pooling: output ``o`` averages inputs ``floor(o*I/O) .. ceil((o+1)*I/O) - 1``."""
    o = np.arange(out_size)
    start = o * in_size // out_size                       # (O,)
    end = -(-(o + 1) * in_size // out_size)               # (O,) ceil division
    t = np.arange(int((end - start).max()))               # (T,)
    inside = start[:, None] + t < end[:, None]            # (O, T)
    index = np.minimum(start[:, None] + t, end[:, None] - 1)
    weight = np.where(inside, 1.0 / (end - start)[:, None], 0.0).astype(dtype)
    return index, weight


def _antialias_plan(in_size, out_size, scale_factor, align_corners, dtype, *, width, kernel):
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
        return _identity(in_size, dtype)
    f = dtype.type
    scale = _coordinate_scale(in_size, out_size, scale_factor, align_corners, dtype)
    stretch = scale >= 1
    support = f(width / 2 * float(scale)) if stretch else f(width / 2)
    inverse = f(1.0 / float(scale)) if stretch else f(1)
    center = scale * (np.arange(out_size) + 0.5).astype(dtype)                    # (O,)
    lo = np.maximum(np.floor((center - support).astype(np.float64) + 0.5), 0).astype(np.int64)
    hi = np.minimum(np.floor((center + support).astype(np.float64) + 0.5), in_size).astype(np.int64)
    t = np.arange(max(int((hi - lo).max()), 1))                                  # (T,)
    index = lo[:, None] + t                                                       # (O, T)
    offset = (index.astype(dtype) - center[:, None]).astype(np.float64) + 0.5
    weight = np.where(index < hi[:, None], kernel((offset * float(inverse)).astype(dtype)), 0)
    weight = weight.astype(dtype)
    total = weight.sum(axis=1, keepdims=True)
    weight = np.where(total != 0, weight / np.where(total != 0, total, 1), weight).astype(dtype)
    last = np.maximum(hi, lo + 1)[:, None] - 1            # padding taps repeat the last source
    return np.clip(np.minimum(index, last), 0, in_size - 1), weight


# --------------------------------------------------------------------------- other frameworks' plans
# Each takes (in_size, out_size, scale_factor, settings, dtype), where settings is one call's
# resolved row of upsample.conventions, and returns the (O, T) index and weight arrays and
# a mask of the outputs that fall outside the image (tf_crop_and_resize), or None.

def _lanczos(s: np.ndarray, n: int) -> np.ndarray:
    """The Lanczos window ``sinc(s) * sinc(s/n)`` for ``|s| < n``, zero beyond."""
    return np.where(np.abs(s) < n, np.sinc(s) * np.sinc(s / n), 0)


def _box(s: np.ndarray) -> np.ndarray:
    """The unit box on ``(-1/2, 1/2]``, Pillow's BOX filter."""
    return ((s > -0.5) & (s <= 0.5)).astype(s.dtype)


def _dialect_source(in_size, out_size, scale_factor, s) -> tuple[np.ndarray, np.ndarray | None]:
    """Each output's source coordinate by the settings' coordinate rule and arithmetic -> (O,),
    and the outputs outside ``[0, I-1]`` under tf_crop_and_resize (else None)."""
    factor = scale_factor if s.scale_from == "factor" else None
    dtype, scaled = conventions.ARITHMETIC[s.arithmetic](in_size, out_size, factor)
    rule = conventions.COORDINATE_MODES[s.coordinate]
    src = rule(np.arange(out_size, dtype=dtype), in_size, out_size, scaled,
               s.roi[0] if s.roi else None)
    outside = (src < 0) | (src > in_size - 1) if s.coordinate == "tf_crop_and_resize" else None
    return np.asarray(src), outside


def _dialect_nearest_plan(in_size, out_size, scale_factor, s, dtype):
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
        src, outside = _dialect_source(in_size, out_size, scale_factor, s)
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


def _kernel_plan(in_size, out_size, scale_factor, s, dtype, *, kernel, support, tabled=False):
    """A kernel centred on each source coordinate: the taps within its support.

    With antialias the kernel is widened by ``I/O`` when shrinking and normalised to sum 1.
    Taps outside the image then either repeat the border pixel (the index is clipped,
    the weight kept) or, with exclude_outside, get weight 0 and the rest are renormalised.
    With a ``cubic_table`` (TensorFlow) the fraction of the coordinate is first rounded to
    that many steps per pixel for the kernels that are ``tabled`` (cubic), as TensorFlow
    reads those weights from a table.
    """
    src, outside = _dialect_source(in_size, out_size, scale_factor, s)
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


def _triangle_kernel(s, settings):
    return _triangle(s)


def _keys_kernel(s, settings):
    return _keys(s, settings.cubic_a)


def _overlap_weights(in_size, out_size, scale):
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


def _opencv_area_up(in_size, out_size):
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


def _dialect_area_plan(in_size, out_size, scale_factor, s, dtype):
    """Area by the settings' rule: adaptive pooling bins, exact overlaps, OpenCV's rule, or
    Pillow's box filter."""
    if s.area == "adaptive":
        index, weight = _area_plan(in_size, out_size, scale_factor, False, dtype)
    elif s.area == "box":                               # a filter that always widens
        return _kernel_plan(in_size, out_size, scale_factor, dataclasses.replace(s, antialias=True),
                            dtype, kernel=lambda v, _: _box(v), support=0.5)
    elif s.area == "opencv_up":
        index, weight = _opencv_area_up(in_size, out_size)
    else:                                               # "overlap", and "opencv" when shrinking
        corners = s.coordinate == "align_corners" and out_size > 1
        index, weight = _overlap_weights(in_size, out_size, (in_size - 1) / (out_size - 1)
                                         if corners else in_size / out_size)
    return index, weight.astype(dtype), None


# --------------------------------------------------------------------------- the mode table

@dataclass(frozen=True)
class _Mode:
    #: PyTorch's plan (None: a mode PyTorch does not have)
    plan: Callable[..., tuple[np.ndarray, np.ndarray]] | None
    #: the plan from a convention's settings (upsample.conventions), for every convention
    general: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray | None]]
    #: takes align_corners (PyTorch's "interpolating modes")
    interpolating: bool = False
    #: PyTorch's antialiased plan, for modes that have one
    antialias: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None
    #: a pure gather: the output keeps the input's dtype (integers included)
    gather: bool = False
    #: a kernel that antialias can widen
    widens: bool = False


def _kernel_mode(kernel, support, *, tabled=False):
    return functools.partial(_kernel_plan, kernel=kernel, support=support, tabled=tabled)


MODES: dict[str, _Mode] = {
    "nearest": _Mode(_nearest_plan, _dialect_nearest_plan, gather=True),
    "nearest-exact": _Mode(_nearest_exact_plan, _dialect_nearest_plan, gather=True),
    "linear": _Mode(_linear_plan, _kernel_mode(_triangle_kernel, 1), interpolating=True,
                    antialias=functools.partial(_antialias_plan, width=2, kernel=_triangle),
                    widens=True),
    "cubic": _Mode(_cubic_plan, _kernel_mode(_keys_kernel, 2, tabled=True), interpolating=True,
                   antialias=functools.partial(_antialias_plan, width=4,
                                               kernel=functools.partial(_keys, a=-0.5)),
                   widens=True),
    "area": _Mode(_area_plan, _dialect_area_plan),
    "lanczos3": _Mode(None, _kernel_mode(lambda v, _: _lanczos(v, 3), 3), widens=True),
    "lanczos5": _Mode(None, _kernel_mode(lambda v, _: _lanczos(v, 5), 5), widens=True),
}

#: PyTorch's names, accepted for every number of spatial dims (PyTorch ties them to
#: 1, 2 or 3 dims: "bilinear" here also works on a 3-D volume, meaning "linear").
ALIASES: dict[str, str] = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}

_MODE_NAMES = (*MODES, *ALIASES)


def _mode(op: str, mode: Any) -> tuple[str, _Mode]:
    name = _args.choice(op, "mode", mode, _MODE_NAMES)
    name = ALIASES.get(name, name)
    return name, MODES[name]


def sampling_plan(in_size: int, out_size: int, mode: str = "linear", *,
                  align_corners: bool = False, scale_factor: float | None = None,
                  antialias: bool | None = None, dtype: Any = np.float64,
                  convention: str = "torch", coordinate_transformation_mode: str | None = None,
                  nearest_mode: str | None = None, cubic_coeff_a: float | None = None,
                  exclude_outside: bool | None = None, roi: Any = None) -> SamplingPlan:
    """The sampling plan of one axis: which inputs each output reads, with which weights.

    By default the source coordinates follow PyTorch (``aten/src/ATen/native/UpSample.h``).
    With ``scale = (I-1)/(O-1)`` under align_corners, else ``1/scale_factor`` when given,
    else ``I/O``:

    * nearest: ``floor(o * scale)``; nearest-exact: ``floor((o + 0.5) * scale)``;
      both in float32 for every dtype, as PyTorch's ``nearest_idx`` does;
    * linear: ``src = scale*(o + 0.5) - 0.5`` clamped at 0 (``scale*o`` with
      align_corners), taps ``floor(src)`` and the next one;
    * cubic: the same ``src`` unclamped, four taps with Keys' a = -0.75, indices
      clamped to the border;
    * area: adaptive average pooling bins ``[floor(o*I/O), ceil((o+1)*I/O))``;
    * antialias (linear, cubic): PyTorch's separable antialias filter, the triangle or
      Keys a = -0.5, stretched by the scale when downsampling, normalised per output.

    Another ``convention`` (a row of :data:`upsample.conventions.CONVENTIONS`) or an
    ONNX-level option (see :func:`interpolate`) builds the plan from those settings
    instead: a kernel (triangle, Keys' cubic with ``cubic_coeff_a``, Lanczos 3 or 5,
    box) centred on the coordinate rule's source point, or the nearest rule's pixel.

    Coordinates and weights are computed in ``dtype`` (float32 plans for float32
    input, as PyTorch computes them in float for float tensors).

    Args:
        in_size, out_size: I and O, both >= 1.
        mode: ``"nearest"``, ``"nearest-exact"``, ``"linear"``, ``"cubic"``, ``"area"``,
            ``"lanczos3"``, ``"lanczos5"`` or an alias (``"bilinear"``, ``"trilinear"``,
            ``"bicubic"``).
        align_corners: map the corner pixel centres onto each other (linear, cubic).
        scale_factor: the caller's scale factor for this axis, or None to use ``I/O``.
        antialias: use the antialias filter (None: the convention's default).
        dtype: float dtype of the coordinates and weights (default float64).
        convention, coordinate_transformation_mode, nearest_mode, cubic_coeff_a,
        exclude_outside, roi: as for :func:`interpolate` (``roi`` is one (start, end) pair).

    Returns:
        a :class:`SamplingPlan` with (O, T) ``index`` and ``weight``.

    >>> sampling_plan(4, 2, "area").weight
    array([[0.5, 0.5],
           [0.5, 0.5]])
    >>> sampling_plan(2, 4, "nearest").index[:, 0]
    array([0, 0, 1, 1])
    >>> sampling_plan(2, 4, "nearest", convention="tf1", coordinate_transformation_mode="align_corners").index[:, 0]
    array([0, 0, 1, 1])
    """
    op = "sampling_plan"
    in_size = _args.int_tuple(op, "in_size", in_size, 1, minimum=1)[0]
    out_size = _args.int_tuple(op, "out_size", out_size, 1, minimum=1)[0]
    name, kind = _mode(op, mode)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: dtype must be a floating dtype, got {dtype}")
    align_corners = _flag(op, "align_corners", align_corners, optional=False)
    if scale_factor is not None:
        scale_factor = shapes.scale_factors(op, scale_factor, 1)[0]
    s = conventions.settings(op, convention, name, nd=None, dtype=None,
                             coordinate_transformation_mode=coordinate_transformation_mode,
                             nearest_mode=nearest_mode, cubic_coeff_a=cubic_coeff_a,
                             exclude_outside=exclude_outside, antialias=antialias,
                             align_corners=align_corners, roi=roi)
    _check_flags(op, name, kind, s, align_corners, antialias, single=True)
    return _axis_plan(kind, s, in_size, out_size, scale_factor, align_corners, dtype,
                      shrinking=out_size <= in_size)[0]


def _check_flags(op: str, name: str, kind: _Mode, s: Any, align_corners: bool | None,
                 antialias: bool | None, *, single: bool = False) -> None:
    """PyTorch's rules for align_corners and antialias (the messages tests and users know)."""
    if s.convention == "torch" and align_corners is not None and not kind.interpolating \
            and (align_corners or not single):
        raise ValueError(f"{op}: align_corners must be " + (
            f"False with mode={name!r} (only 'linear' and 'cubic' take it), got {align_corners!r}"
            if single else
            f"None with mode={name!r}; it can only be set with the interpolating modes 'linear', "
            f"'bilinear', 'trilinear', 'cubic' and 'bicubic', got {align_corners!r}"))
    if antialias and not kind.widens:
        raise ValueError(f"{op}: antialias must be False with mode={name!r}" + (
            f" (only 'linear' and 'cubic' have an antialias filter), got {antialias!r}" if single
            else "; only the linear and cubic modes have an antialias filter, got True"))


def _axis_plan(kind: _Mode, s: Any, in_size: int, out_size: int, scale_factor: float | None,
               align_corners: bool, dtype: np.dtype, *, shrinking: bool
               ) -> tuple[SamplingPlan, np.ndarray | None]:
    """One axis's plan from resolved settings, and its outputs outside the image (or None)."""
    if s.legacy:                                     # PyTorch's own builders, unchanged
        build = kind.antialias if s.antialias else kind.plan
        index, weight = build(in_size, out_size, scale_factor, align_corners, dtype)
        outside = None
    else:
        if not kind.widens and s.antialias:          # a default antialias (JAX) does not apply
            s = dataclasses.replace(s, antialias=False)
        if s.area == "opencv":                       # OpenCV's area rule looks at every axis
            s = dataclasses.replace(s, area="overlap" if shrinking else "opencv_up")
        index, weight, outside = kind.general(in_size, out_size, scale_factor, s, dtype)
    plan = SamplingPlan(np.ascontiguousarray(index, dtype=np.int64),
                        np.ascontiguousarray(weight, dtype=dtype), in_size, out_size)
    return plan, outside


# --------------------------------------------------------------------------- boundary

@dataclass(frozen=True)
class _Call:
    """One checked interpolate call: the plans and the order they run in."""

    x: np.ndarray                        # the input, cast to the compute dtype
    plans: tuple[SamplingPlan, ...]      # one per spatial axis
    order: tuple[int, ...]               # spatial axes, shrinking ones first
    out_shape: tuple[int, ...]
    #: per spatial axis, the outputs outside the image (tf_crop_and_resize), or None
    outside: tuple[np.ndarray | None, ...] = ()
    fill: float = 0.0                    # the value written there (extrapolation_value)
    #: how a uint8 image is computed (upsample._integer), or None for the float path
    integer: str | None = None
    #: the plans of the whole resize when this call is a block of it (upsample.dask); the
    #: integer rules take their decisions (pass order, precision) from these
    whole: tuple[SamplingPlan, ...] | None = None


def _flag(op: str, name: str, value: Any, *, optional: bool) -> bool | None:
    if optional and value is None:
        return None
    if not isinstance(value, (bool, np.bool_)):
        expected = "True, False or None" if optional else "True or False"
        raise TypeError(f"{op}: {name} must be {expected}, got {_args._describe(value)}")
    return bool(value)


#: interpolate's options beyond PyTorch's, passed through to upsample.conventions.settings
_DIALECT_OPTIONS = ("coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
                    "exclude_outside", "roi", "extrapolation_value")


def _prepare(op: str, x: Any, size: Any, scale_factor: Any, mode: Any, align_corners: Any,
             recompute_scale_factor: Any, antialias: Any, convention: Any = "torch",
             **options: Any) -> _Call:
    x = _args.as_array(op, "x", x, min_ndim=3)
    nd = x.ndim - 2
    name, kind = _mode(op, mode)
    align_corners = _flag(op, "align_corners", align_corners, optional=True)
    recompute = _flag(op, "recompute_scale_factor", recompute_scale_factor, optional=True)
    antialias = _flag(op, "antialias", antialias, optional=True)
    s = conventions.settings(op, convention, name, nd=nd, dtype=x.dtype,
                             antialias=antialias, align_corners=align_corners, **options)
    _check_flags(op, name, kind, s, align_corners, antialias)
    if 0 in x.shape[2:]:
        raise ValueError(f"{op}: x must have non-empty spatial dimensions, got shape {x.shape}")
    if (size is None) == (scale_factor is None):
        given = "both" if size is not None else "neither"
        raise ValueError(f"{op}: exactly one of size and scale_factor must be given, got {given}")
    if size is not None:
        if recompute:
            raise ValueError(f"{op}: recompute_scale_factor must be None or False when size is "
                             "given (it only applies to scale_factor), got True")
        out = _args.int_tuple(op, "size", size, nd, minimum=1)
        factors: tuple[float | None, ...] = (None,) * nd
    else:
        factors = shapes.scale_factors(op, scale_factor, nd)
        out = shapes.interpolate_output_size(tuple(x.shape[2:]), factors)
        for axis, (i, o, f) in enumerate(zip(x.shape[2:], out, factors)):
            if o < 1:
                raise ValueError(f"{op}: scale_factor {f!r} gives an empty output along spatial "
                                 f"axis {axis} (floor({i} * {f!r}) = {o}); it must give at least 1")
        if recompute:
            factors = (None,) * nd
    integer = s.integer if x.dtype == np.uint8 and not kind.gather else None
    if integer in ("float32", "float64"):            # the framework returns floats
        dtype = plan_dtype = np.dtype(integer)
        integer = None
    else:
        dtype = x.dtype if kind.gather or integer else _args.float_dtype(x)
        plan_dtype = _args.float_dtype(x)
    out_shape = _args.check_output(op, (*x.shape[:2], *out), dtype)
    shrinking = all(o <= i for i, o in zip(x.shape[2:], out))
    built = [_axis_plan(kind, conventions.for_axis(s, axis), i, o, f, bool(align_corners),
                        plan_dtype, shrinking=shrinking)
             for axis, (i, o, f) in enumerate(zip(x.shape[2:], out, factors))]
    plans = tuple(plan for plan, _ in built)
    # Shrinking axes first: no intermediate is larger than the input or the output.
    order = tuple(sorted(range(nd), key=lambda a: plans[a].out_size / plans[a].in_size))
    return _Call(x.astype(dtype, copy=False), plans, order, out_shape,
                 tuple(outside for _, outside in built), s.extrapolation_value, integer)


def _run(call: _Call, op: str = "interpolate", out: Any = None) -> np.ndarray:
    """The forward of one call: the float path (:func:`_forward`), or a framework's integer
    arithmetic for uint8; then the extrapolation value outside a crop. ``out``: a caller's
    buffer for the result (NumPy's convention), checked here."""
    if call.integer:
        y = _integer.apply(call.integer, call.x, call.plans, call.whole)
        if out is not None:
            np.copyto(_args.out_array(op, out, y.shape, y.dtype, (call.x,)), y)
            y = out
    else:
        y = _forward(call, _args.out_array(op, out, call.out_shape, call.x.dtype, (call.x,)))
    for axis, outside in enumerate(call.outside):
        if outside is not None and outside.any():
            y[(slice(None),) * (axis + 2) + (outside,)] = call.fill
    return y


def _forward(call: _Call, out: np.ndarray | None = None) -> np.ndarray:
    """The float path, into ``out`` if given (the compiled loops write straight into it)."""
    y = call.x
    if _use_compiled(call):  # leading axes (depth) with NumPy, then H and W in one pass
        for axis in range(len(call.plans) - 2):
            y = call.plans[axis].apply(y, axis + 2)
        return _compiled_apply(y, call.plans, call.out_shape, out)
    for axis in call.order:
        y = call.plans[axis].apply(y, axis + 2)
    if out is not None:
        np.copyto(out, y)
        return out
    return y if y is not call.x else y.copy()


def _pullback(op: str, call: _Call) -> Callable[[Any], tuple[np.ndarray]]:
    """The transposed plans, in reverse order: the exact adjoint of :func:`_forward`."""
    def pullback(g: Any) -> tuple[np.ndarray]:
        given = g = np.asarray(g, dtype=call.x.dtype)
        if g.shape != call.out_shape:
            raise ValueError(f"{op}: the output gradient must have shape {call.out_shape}, "
                             f"got shape {g.shape}")
        if _use_compiled(call):
            leading = len(call.plans) - 2
            shape = (*g.shape[:2 + max(leading, 0)], *call.x.shape[2 + max(leading, 0):])
            g = _compiled_apply_transpose(g, call.plans, shape)
            for axis in reversed(range(leading)):
                g = call.plans[axis].apply_transpose(g, axis + 2)
            return (np.ascontiguousarray(g),)
        for axis in reversed(call.order):
            g = call.plans[axis].apply_transpose(g, axis + 2)
        return (g.copy() if g is given else np.ascontiguousarray(g),)
    return pullback


# --------------------------------------------------------------------------- compiled loops
# With Numba (see upsample._jit), the last two spatial axes are resampled together in one
# pass per (n, c) plane: each input row is resampled along W once into a small row buffer
# that stays in cache, then every output row is a weighted sum of T of those rows. The
# taps are summed in the same order as the NumPy path; only the axis order differs
# (W first, as PyTorch does), so results agree to rounding.

@_jit.kernel
def _gather_loop(x, iy, ix, repeat, out, start, stop):
    """out[b, oh, ow] = x[b, iy[oh], ix[ow]]: both plans pure gathers, any dtype. With
    ``repeat`` = s > 0 the W plan is ``ix[ow] = ow // s`` (nearest by an integer factor),
    and a row is each input value s times, written without a gather."""
    width = out.shape[2]
    for b in range(start, stop):
        previous = -1
        for oh in range(out.shape[1]):
            row = iy[oh]
            if row == previous:                      # a repeated source row: copy the output row
                out[b, oh, :] = out[b, oh - 1, :]
                continue
            previous = row
            source, target = x[b, row], out[b, oh]
            if repeat == 2:                          # the common case, in a loop that vectorises
                for j in range(np.uint64(width // 2)):
                    target[j + j] = source[j]
                    target[j + j + np.uint64(1)] = source[j]
            elif repeat > 0:
                for j in range(np.uint64(width // repeat)):
                    for p in range(np.uint64(repeat)):
                        target[j * np.uint64(repeat) + p] = source[j]
            else:
                for ow in range(width):
                    target[ow] = source[ix[ow]]


@_jit.kernel
def _resample_loop(x, iy, wy, ix, wx, out, start, stop):
    """out[b, oh, ow] = sum_ty wy[oh, ty] * sum_tx wx[ow, tx] * x[b, iy[oh, ty], ix[ow, tx]]."""
    height, width = out.shape[1], out.shape[2]
    rows = np.empty((x.shape[1], width), dtype=out.dtype)    # (H, OW): x resampled along W
    for b in range(start, stop):
        for h in range(x.shape[1]):
            line, target = x[b, h], rows[h]
            if ix.shape[1] == 2:                             # linear: both taps at once
                for ow in range(width):
                    target[ow] = wx[ow, 0] * line[ix[ow, 0]] + wx[ow, 1] * line[ix[ow, 1]]
                continue
            for ow in range(width):
                total = wx[ow, 0] * line[ix[ow, 0]]
                for t in range(1, ix.shape[1]):
                    total += wx[ow, t] * line[ix[ow, t]]
                target[ow] = total
        for oh in range(height):
            target = out[b, oh]
            if iy.shape[1] == 2:                             # linear: one pass per row, the
                # same products added in the same order as the loop below
                w0, s0, w1, s1 = wy[oh, 0], rows[iy[oh, 0]], wy[oh, 1], rows[iy[oh, 1]]
                for ow in range(width):
                    target[ow] = w0 * s0[ow] + w1 * s1[ow]
                continue
            weight, row = wy[oh, 0], iy[oh, 0]
            for ow in range(width):
                target[ow] = weight * rows[row, ow]
            for t in range(1, iy.shape[1]):
                weight, row = wy[oh, t], iy[oh, t]
                for ow in range(width):
                    target[ow] += weight * rows[row, ow]


@_jit.kernel
def _resample_periodic_loop(x, iy, wy, ix, wx, shift, weight, first, last, out, start, stop):
    """:func:`_resample_loop` for a W plan that repeats with period s (an integer scale):
    output ``s*j + p`` reads inputs ``j + shift[p, t]`` with weights ``weight[p, t]`` for
    every j in ``[first, last)``. There the W pass is, per phase and tap, one loop over
    contiguous slices that vectorises; the phases are then interleaved into the row
    buffer, and the few border outputs use the gather. Same operations in the same order
    as :func:`_resample_loop`, so the same bits."""
    height, width = out.shape[1], out.shape[2]
    period, taps = shift.shape
    inner = last - first
    rows = np.empty((x.shape[1], width), dtype=out.dtype)    # (H, OW): x resampled along W
    phase = np.empty((period, inner), dtype=out.dtype)       # (s, J_inner) for one input row
    for b in range(start, stop):
        for h in range(x.shape[1]):
            line = x[b, h]
            for p in range(period):
                target = phase[p]
                source = line[first + shift[p, 0]:first + shift[p, 0] + inner]
                w = weight[p, 0]
                for k in range(inner):
                    target[k] = w * source[k]
                for t in range(1, taps):
                    source = line[first + shift[p, t]:first + shift[p, t] + inner]
                    w = weight[p, t]
                    for k in range(inner):
                        target[k] += w * source[k]
            row = rows[h, period * first:period * last]
            if period == 2:                                  # interleave the phases
                even, odd = phase[0], phase[1]
                for k in range(inner):
                    row[2 * k] = even[k]
                    row[2 * k + 1] = odd[k]
            else:
                for k in range(inner):
                    for p in range(period):
                        row[period * k + p] = phase[p, k]
            for edge in range(2):                            # the borders: gathers
                lo, hi = (0, period * first) if edge == 0 else (period * last, width)
                for ow in range(lo, hi):
                    total = wx[ow, 0] * line[ix[ow, 0]]
                    for t in range(1, ix.shape[1]):
                        total += wx[ow, t] * line[ix[ow, t]]
                    rows[h, ow] = total
        for oh in range(height):
            target = out[b, oh]
            if iy.shape[1] == 2:                             # bilinear: one pass per row, the
                # same products added in the same order as the loop below
                w0, s0, w1, s1 = wy[oh, 0], rows[iy[oh, 0]], wy[oh, 1], rows[iy[oh, 1]]
                for ow in range(width):
                    target[ow] = w0 * s0[ow] + w1 * s1[ow]
                continue
            if iy.shape[1] == 4:                             # bicubic: the same, four taps
                w0, s0, w1, s1 = wy[oh, 0], rows[iy[oh, 0]], wy[oh, 1], rows[iy[oh, 1]]
                w2, s2, w3, s3 = wy[oh, 2], rows[iy[oh, 2]], wy[oh, 3], rows[iy[oh, 3]]
                for ow in range(width):
                    target[ow] = w0 * s0[ow] + w1 * s1[ow] + w2 * s2[ow] + w3 * s3[ow]
                continue
            w, source = wy[oh, 0], rows[iy[oh, 0]]
            for ow in range(width):
                target[ow] = w * source[ow]
            for t in range(1, iy.shape[1]):
                w, source = wy[oh, t], rows[iy[oh, t]]
                for ow in range(width):
                    target[ow] += w * source[ow]


def _periodic(plan: SamplingPlan, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, int, int] | None:
    """For a plan whose output is an integer multiple s of its input: the (s, T) shifts and
    weights that hold for every input position j in ``[first, last)`` (output ``s*j + p``
    reads ``j + shift[p, t]``), and that range; None if no such interior exists."""
    n, (o, taps) = plan.in_size, plan.index.shape
    if o % n or n < 3:
        return None
    period = o // n
    shift = plan.index.reshape(n, period, taps) - np.arange(n)[:, None, None]  # (J, s, T)
    weight = plan.weight.astype(dtype, copy=False).reshape(n, period, taps)
    mid = n // 2
    same = np.all(shift == shift[mid], axis=(1, 2)) & np.all(weight == weight[mid], axis=(1, 2))
    first, last = mid, mid + 1
    while first > 0 and same[first - 1]:
        first -= 1
    while last < n and same[last]:
        last += 1
    if last - first < n // 2:
        return None
    return np.ascontiguousarray(shift[mid]), np.ascontiguousarray(weight[mid]), first, last


@_jit.kernel
def _gather_transpose_loop(g, iy, ix, repeat, out, start, stop):
    """The adjoint of :func:`_gather_loop`: ``out[b, iy[oh], ix[ow]] += g[b, oh, ow]``
    (a block sum for nearest by an integer factor); ``out`` must start at zero. With
    ``repeat`` = s > 0 (``ix[ow] = ow // s``) the sum along W runs over contiguous slices
    without a scatter, adding the same values in the same order."""
    width = np.uint64(out.shape[2])
    for b in range(start, stop):
        for oh in range(g.shape[1]):
            row = iy[oh]
            source, target = g[b, oh], out[b, row]
            if repeat == 2:                          # the common case, in a loop that vectorises
                for j in range(width):
                    target[j] += source[j + j]
                    target[j] += source[j + j + np.uint64(1)]
            elif repeat > 0:
                for j in range(width):
                    for p in range(np.uint64(repeat)):
                        target[j] += source[j * np.uint64(repeat) + p]
            else:
                for ow in range(g.shape[2]):
                    target[ix[ow]] += source[ow]


@_jit.kernel
def _resample_transpose_loop(g, iy, wy, ix, wx, out, start, stop):
    """The exact adjoint of :func:`_resample_loop`: ``out`` (B, H, W) must start at zero."""
    width = g.shape[2]
    rows = np.empty((out.shape[1], width), dtype=out.dtype)  # (H, OW)
    for b in range(start, stop):
        rows[:] = 0
        for oh in range(g.shape[1]):
            for t in range(iy.shape[1]):
                weight, row = wy[oh, t], iy[oh, t]
                for ow in range(width):
                    rows[row, ow] += weight * g[b, oh, ow]
        for h in range(out.shape[1]):
            for ow in range(width):
                value = rows[h, ow]
                for t in range(ix.shape[1]):
                    out[b, h, ix[ow, t]] += wx[ow, t] * value


def _planar(plans: tuple[SamplingPlan, ...], shape: tuple[int, ...]
            ) -> tuple[SamplingPlan, SamplingPlan, int]:
    """The plans of the last two spatial axes and how many (H, W) planes an array of
    ``shape`` holds; a 1-D signal gets an identity plan for H."""
    if len(plans) >= 2:
        return plans[-2], plans[-1], math.prod(shape[:-2])
    one = SamplingPlan(np.zeros((1, 1), np.int64), np.ones((1, 1), plans[0].weight.dtype), 1, 1)
    return one, plans[0], math.prod(shape[:-1])


def _repeat(plan: SamplingPlan) -> int:
    """s if a gather plan repeats each input s times (``index[o] = o // s``, nearest by an
    integer factor), else 0."""
    factor = plan.out_size // plan.in_size
    if factor < 1 or plan.out_size != factor * plan.in_size:
        return 0
    return factor if np.array_equal(plan.index[:, 0], np.arange(plan.out_size) // factor) else 0


def _compiled_apply(x: np.ndarray, plans: tuple[SamplingPlan, ...], out_shape,
                    into: np.ndarray | None = None) -> np.ndarray:
    """Resample the last two spatial axes of ``x`` (leading ones already done) in one pass,
    into ``into`` (C-contiguous, of ``out_shape``) if given."""
    plan_h, plan_w, planes = _planar(plans, x.shape)
    source = np.ascontiguousarray(x).reshape(planes, plan_h.in_size, plan_w.in_size)  # (B, H, W)
    shape = (planes, plan_h.out_size, plan_w.out_size)                                # (B, OH, OW)
    out = np.empty(shape, dtype=x.dtype) if into is None else into.reshape(shape)
    if plan_h.is_gather and plan_w.is_gather:
        ix = plan_w.index[:, 0]
        repeat = _repeat(plan_w)
        work = lambda a, b: _gather_loop(source, plan_h.index[:, 0], ix, repeat, out, a, b)
    else:
        weights = [p.weight.astype(x.dtype, copy=False) for p in (plan_h, plan_w)]
        periodic = _periodic(plan_w, x.dtype)
        if periodic is not None:
            work = lambda a, b: _resample_periodic_loop(source, plan_h.index, weights[0], plan_w.index,
                                                        weights[1], *periodic, out, a, b)
        else:
            work = lambda a, b: _resample_loop(source, plan_h.index, weights[0], plan_w.index,
                                               weights[1], out, a, b)
    _jit.split_planes(work, planes, source.size + out.size)
    return out.reshape(out_shape) if into is None else into


def _compiled_apply_transpose(g: np.ndarray, plans: tuple[SamplingPlan, ...], in_shape) -> np.ndarray:
    """The adjoint of :func:`_compiled_apply`: ``g`` back to the last two axes' input sizes."""
    plan_h, plan_w, planes = _planar(plans, g.shape)
    grad = np.ascontiguousarray(g).reshape(planes, plan_h.out_size, plan_w.out_size)  # (B, OH, OW)
    out = np.zeros((planes, plan_h.in_size, plan_w.in_size), dtype=g.dtype)        # (B, H, W)
    if plan_h.is_gather and plan_w.is_gather:
        ix = plan_w.index[:, 0]
        repeat = _repeat(plan_w)
        work = lambda a, b: _gather_transpose_loop(grad, plan_h.index[:, 0], ix, repeat, out, a, b)
    else:
        weights = [p.weight.astype(g.dtype, copy=False) for p in (plan_h, plan_w)]
        work = lambda a, b: _resample_transpose_loop(grad, plan_h.index, weights[0], plan_w.index,
                                                     weights[1], out, a, b)
    _jit.split_planes(work, planes, grad.size + out.size)
    return out.reshape(in_shape)


def _use_compiled(call: _Call) -> bool:
    return _jit.enabled() and call.x.size > 0 and call.x.dtype in _jit.DTYPES


def sampling_plans(x: Any, size: Any = None, scale_factor: Any = None, *, mode: str = "nearest",
                   align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                   antialias: bool | None = None, convention: str = "torch",
                   **options: Any) -> tuple[SamplingPlan, ...]:
    """The per-axis plans :func:`interpolate` would use for these arguments, one per spatial dim.

    Takes every argument of :func:`interpolate` (``convention`` and the ONNX-level options too).

    >>> plans = sampling_plans(np.zeros((1, 1, 2, 3)), scale_factor=2)
    >>> [(p.in_size, p.out_size) for p in plans]
    [(2, 4), (3, 6)]
    """
    return _plan_call(x, size, scale_factor, mode=mode, align_corners=align_corners,
                      recompute_scale_factor=recompute_scale_factor, antialias=antialias,
                      convention=convention, **options).plans


def _plan_call(x: Any, size: Any = None, scale_factor: Any = None, *, mode: str = "nearest",
               align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
               antialias: bool | None = None, convention: str = "torch",
               **options: Any) -> _Call:
    """The whole checked call behind :func:`sampling_plans`: the plans and how they run
    (the integer arithmetic, a crop's outside cells), for callers that run the plans on
    parts of x (``upsample.dask``)."""
    return _prepare("sampling_plans", x, size, scale_factor, mode, align_corners,
                    recompute_scale_factor, antialias, convention,
                    **_options("sampling_plans", options))


def _options(op: str, options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(_DIALECT_OPTIONS))
    if unknown:
        raise TypeError(f"{op}: unexpected keyword argument {unknown[0]!r}; the resize options "
                        f"are {', '.join(_DIALECT_OPTIONS)}")
    return options


# --------------------------------------------------------------------------- interpolate

@_layout.data_format()
@chunked
def interpolate(x: Any, size: Any = None, scale_factor: Any = None, *, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool | None = None, convention: str = "torch",
                coordinate_transformation_mode: str | None = None, nearest_mode: str | None = None,
                cubic_coeff_a: float | None = None, exclude_outside: bool | None = None,
                roi: Any = None, extrapolation_value: float = 0.0,
                out: np.ndarray | None = None) -> np.ndarray:
    """Resize the spatial dims by nearest, linear, cubic, Lanczos or area interpolation.

    PyTorch's semantics by default; ``convention`` picks another framework's dialect
    (a row of :data:`upsample.conventions.CONVENTIONS`), and the ONNX Resize options
    change single settings of it. Every combination is one set of per-axis sampling
    plans, so the VJP (the transposed plans) works for all of them.

    Shapes: ``x`` is (N, C, *spatial) with any number d >= 1 of spatial dims (2 for the
    image libraries' conventions). Every mode is separable and works for any d: PyTorch's
    names ``"bilinear"``/``"trilinear"`` mean ``"linear"`` and ``"bicubic"`` means
    ``"cubic"`` whatever d is.

    Output size per spatial dim: ``size``, or ``o = floor(i * scale_factor)``
    (:func:`upsample.shapes.interpolate_output_size`).

    Args:
        size: int or one int per spatial dim, each >= 1; exclusive with ``scale_factor``.
        scale_factor: number or one per spatial dim, finite and > 0.
        mode: ``"nearest"`` (default), ``"nearest-exact"``, ``"linear"`` (aliases
            ``"bilinear"``, ``"trilinear"``), ``"cubic"`` (alias ``"bicubic"``; Keys
            a = -0.75 in PyTorch), ``"area"`` (adaptive average pooling in PyTorch), or
            ``"lanczos3"``/``"lanczos5"``; each convention has a subset.
        align_corners: linear and cubic only (None means False): with True the corner
            pixel centres of input and output coincide, ``src = o * (i-1)/(o_size-1)``.
            In the other conventions it means ``coordinate_transformation_mode="align_corners"``.
        recompute_scale_factor: with ``scale_factor``, True places the samples by
            ``i / o`` instead of ``1 / scale_factor`` (they differ when ``i * scale_factor``
            is not an integer).
        antialias: widen the kernel by ``i / o`` when shrinking, normalised (linear, cubic,
            Lanczos). None: the convention's default (True for JAX and Pillow). PyTorch's
            antialias is used at every scale, so with upsampling it also changes cubic
            (a = -0.5) and align_corners results.
        convention: ``"torch"`` (default), ``"onnx"``, ``"tf2"``, ``"tf1"``, ``"jax"``,
            ``"opencv"`` or ``"pillow"``; see the README's table.
        coordinate_transformation_mode: ONNX's rule from output to source coordinates:
            ``"half_pixel"``, ``"pytorch_half_pixel"``, ``"align_corners"``,
            ``"asymmetric"``, ``"half_pixel_symmetric"`` or ``"tf_crop_and_resize"``
            (None: the convention's). TF1's ``half_pixel_centers=True`` is ``"half_pixel"``.
        nearest_mode: ``"round_prefer_floor"``, ``"round_prefer_ceil"``, ``"floor"`` or
            ``"ceil"`` (None: the convention's).
        cubic_coeff_a: Keys' coefficient (None: the convention's, -0.75 or -0.5).
        exclude_outside: give taps outside the image weight 0 and renormalise the rest,
            instead of repeating the border (None: the convention's).
        roi: with ``tf_crop_and_resize``, one ``(start, end)`` pair per spatial dim in
            [0, 1] coordinates (or ONNX's flat starts-then-ends list).
        extrapolation_value: the output where a crop's sample falls outside the image.
        out: a buffer of the result's shape and dtype to write into (NumPy's convention),
            so that a caller can reuse memory; it is returned.
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout).

    Returns:
        (N, C, *o). nearest modes keep the dtype (integers too: they are gathers); the
        others return float32 for float32 input and float64 for float64 or integer input,
        except uint8, which each convention treats as its framework does: PyTorch,
        Pillow and OpenCV return uint8, rounded in their own fixed-point arithmetic
        (``upsample.conventions.INTEGER_RULES``); TensorFlow and JAX return float32.

    >>> import numpy as np
    >>> from upsample.interpolation import interpolate
    >>> interpolate(np.arange(3.0).reshape(1, 1, 3), scale_factor=2, mode="linear")
    array([[[0.  , 0.25, 0.75, 1.25, 1.75, 2.  ]]])
    >>> interpolate(np.arange(4).reshape(1, 1, 4), size=2, mode="area")
    array([[[0.5, 2.5]]])
    >>> interpolate(np.arange(3.0).reshape(1, 1, 3), scale_factor=2, mode="linear",
    ...             coordinate_transformation_mode="asymmetric")
    array([[[0. , 0.5, 1. , 1.5, 2. , 2. ]]])
    """
    return _run(_prepare("interpolate", x, size, scale_factor, mode, align_corners,
                         recompute_scale_factor, antialias, convention,
                         coordinate_transformation_mode=coordinate_transformation_mode,
                         nearest_mode=nearest_mode, cubic_coeff_a=cubic_coeff_a,
                         exclude_outside=exclude_outside, roi=roi,
                         extrapolation_value=extrapolation_value), "interpolate", out)


@_layout.data_format(vjp=True)
def _interpolate_vjp(x, size=None, scale_factor=None, *, mode="nearest", align_corners=None,
                     recompute_scale_factor=None, antialias=None, convention="torch",
                     _op="interpolate", **options):
    """interpolate and its pullback: the transposed sampling plans, in reverse axis order.

    For nearest by an integer factor the transpose is a block sum over each input's copies.
    """
    call = _prepare(_op, x, size, scale_factor, mode, align_corners, recompute_scale_factor,
                    antialias, convention, **_options(_op, options))
    return _run(call), _pullback(_op, call)


# --------------------------------------------------------------------------- shorthands

@_layout.data_format()
@chunked
def nearest(x: Any, scale_factor: Any = None, *, size: Any = None,
            convention: str = "torch", out: np.ndarray | None = None) -> np.ndarray:
    """Nearest-neighbour upsampling: every pixel becomes a block of copies.

    Shorthand for ``interpolate(x, size, scale_factor, mode="nearest")``: ``x`` is
    (N, C, *spatial) with any d >= 1; the output is ``floor(i * scale_factor)`` (or
    ``size``) per spatial dim, same dtype. Output ``o`` copies input ``floor(o * i/o_size)``
    (other conventions round their own way, see :func:`interpolate`).

    Args:
        scale_factor: number or one per spatial dim (the article's K), exclusive with ``size``.
        size: int or one per spatial dim.
        convention: whose nearest (default ``"torch"``).
        out: a buffer of the result's shape and dtype to write into (NumPy's convention),
            so that a caller can reuse memory; it is returned.
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout).

    Returns:
        (N, C, *o), same dtype as ``x``.

    The article's example: ``[[1, 2], [3, 4]]`` upsampled by 2 along each axis
    (the article's "K = 4" counts the copies of each pixel, 2 x 2):

    >>> import numpy as np, upsample
    >>> upsample.nearest(np.arange(1, 5).reshape(1, 1, 2, 2), 2)[0, 0]
    array([[1, 1, 2, 2],
           [1, 1, 2, 2],
           [3, 3, 4, 4],
           [3, 3, 4, 4]])
    """
    return _run(_prepare("nearest", x, size, scale_factor, "nearest", None, None, None,
                         convention), "nearest", out)


@_layout.data_format(vjp=True)
def _nearest_vjp(x, scale_factor=None, *, size=None, convention="torch"):
    """nearest and its pullback (a block sum for integer factors)."""
    return _interpolate_vjp(x, size, scale_factor, mode="nearest", convention=convention,
                            _op="nearest")


@_layout.data_format()
@chunked
def bilinear(x: Any, scale_factor: Any = None, *, size: Any = None,
             align_corners: bool = False, convention: str = "torch",
             out: np.ndarray | None = None) -> np.ndarray:
    """Linear interpolation along every spatial axis: bilinear in 2-D, trilinear in 3-D.

    Shorthand for ``interpolate(x, size, scale_factor, mode="linear", align_corners=...)``:
    ``x`` is (N, C, *spatial) with any d >= 1; the output is ``floor(i * scale_factor)``
    (or ``size``) per spatial dim. Each output is a weighted average of the 2**d input
    pixels around its source point ``(o + 0.5) * i/o_size - 0.5`` (``o * (i-1)/(o_size-1)``
    with align_corners), border pixels repeated.

    Args:
        scale_factor: number or one per spatial dim, exclusive with ``size``.
        size: int or one per spatial dim.
        align_corners: map corner pixel centres onto each other (default False).
        convention: whose bilinear (default ``"torch"``; see :func:`interpolate`).
        out: a buffer of the result's shape and dtype to write into (NumPy's convention).
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout).

    Returns:
        (N, C, *o), float32 for float32 input, uint8 (rounded as PyTorch rounds) for
        uint8 input, float64 otherwise.

    The article's example, ``[[10, 20], [30, 40]]`` to 4x4. The article prints
    ``[[10, 12, 17, 20], [15, 17, 22, 25], [25, 27, 32, 35], [30, 32, 37, 40]]``: these
    values rounded down (12.5 printed as 12).

    >>> import numpy as np, upsample
    >>> x = 10 * np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    >>> upsample.bilinear(x, 2)[0, 0]
    array([[10. , 12.5, 17.5, 20. ],
           [15. , 17.5, 22.5, 25. ],
           [25. , 27.5, 32.5, 35. ],
           [30. , 32.5, 37.5, 40. ]])
    >>> upsample.bilinear(x.astype(np.uint8), 2)[0, 0]              # PyTorch rounds halves up
    array([[10, 13, 18, 20],
           [15, 18, 23, 25],
           [25, 28, 33, 35],
           [30, 33, 38, 40]], dtype=uint8)
    """
    return _run(_prepare("bilinear", x, size, scale_factor, "linear",
                         _flag("bilinear", "align_corners", align_corners, optional=False),
                         None, None, convention), "bilinear", out)


@_layout.data_format(vjp=True)
def _bilinear_vjp(x, scale_factor=None, *, size=None, align_corners=False, convention="torch"):
    """bilinear and its pullback."""
    return _interpolate_vjp(x, size, scale_factor, mode="linear",
                            align_corners=_flag("bilinear", "align_corners", align_corners,
                                                optional=False),
                            convention=convention, _op="bilinear")

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

__all__ = ["nearest_plan", "kernel_plan", "area_plan", "exact_linear_plan", "triangle_kernel", "keys_kernel"]


def source_coordinates(in_size, out_size, scale_factor, s) -> tuple[np.ndarray, np.ndarray | None]:
    """Each output's source coordinate by the settings' coordinate rule and arithmetic -> (O,),
    and the outputs outside ``[0, I-1]`` under tf_crop_and_resize (else None)."""
    start, length = _span(in_size, s)
    factor = scale_factor if s.scale_from == "factor" and s.window is None else None
    dtype, scaled = conventions.ARITHMETIC[s.arithmetic](length, out_size, factor)
    rule = conventions.COORDINATE_MODES[s.coordinate]
    resized = out_size  # align_corners' output length
    if (
        s.coordinate == "align_corners"
        and s.corner_length == "scaled"
        and factor is not None
        and out_size > 1
    ):
        resized = length * factor  # ONNX: in * scale, a fraction
    src = rule(np.arange(out_size, dtype=dtype), length, resized, scaled, s.roi[0] if s.roi else None)
    if start:
        src = src + dtype.type(start)
    outside = (src < 0) | (src > in_size - 1) if s.coordinate == "tf_crop_and_resize" else None
    return np.asarray(src), outside


def _span(in_size, s) -> tuple[float, float]:
    """The start and length of the input span the output covers (the whole axis by default)."""
    if s.window is None:
        return 0, in_size
    start, end = s.window[0]
    return start, end - start


#: the arithmetics of the frameworks whose half-pixel nearest is ``floor((o + 0.5) * I/O)``
_FLOOR_OF_CENTRES = ("float32", "float32_folded", "float64")


def nearest_plan(in_size, out_size, scale_factor, s, dtype):
    """One tap: the source coordinate rounded by the nearest rule, clipped to the image.

    Half-pixel centres rounded half up are computed as ``floor((o + 0.5) * I/O)``, the
    form TensorFlow, JAX and Pillow evaluate (it rounds once fewer than ``floor(src + 0.5)``).
    """
    fixed = conventions.FIXED_POINT_NEAREST.get(s.nearest_mode)
    outside = None
    if fixed is not None:
        index = fixed(in_size, out_size, *_span(in_size, s))
    elif (
        s.coordinate == "half_pixel"
        and s.nearest_mode == "round_prefer_ceil"
        and s.window is None
        and s.arithmetic in _FLOOR_OF_CENTRES
    ):
        factor = scale_factor if s.scale_from == "factor" else None
        coordinate_dtype, scaled = conventions.ARITHMETIC[s.arithmetic](in_size, out_size, factor)
        index = np.floor(scaled(np.arange(out_size, dtype=coordinate_dtype) + 0.5))
    else:
        src, outside = source_coordinates(in_size, out_size, scale_factor, s)
        index = conventions.NEAREST_MODES[s.nearest_mode](src)
        if s.nearest_tie and s.nearest_mode in _TIE_BREAKS:
            index = _near_ties(src, index, s.nearest_tie, _TIE_BREAKS[s.nearest_mode])
    index = np.clip(index, 0, in_size - 1).astype(np.int64)
    weight = np.ones((out_size, 1), dtype=dtype)
    if outside is not None:
        weight[outside] = 0
    return index[:, None], weight, outside


#: the round modes, and which side of a tie each takes
_TIE_BREAKS = {"round_prefer_floor": 0, "round_prefer_ceil": 1}


def _near_ties(src: np.ndarray, index: np.ndarray, tolerance: float, side: int) -> np.ndarray:
    """Coordinates whose fraction is within ``tolerance`` of a half are ties, broken to
    ``floor + side``; the fraction and its distance from 0.5 are taken in the coordinate's
    own dtype (exact there), so a float32 quotient one ulp off a true half still ties."""
    one = src.dtype.type
    base = np.floor(src)
    tie = np.abs((src - base) - one(0.5)) <= one(tolerance)
    return np.where(tie, base + side, index)


def _compact(index: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each row's nonzero taps to the front and drop the columns left with none."""
    live = weight != 0
    order = np.argsort(~live, axis=1, kind="stable")  # (O, T) live first
    taps = max(int(live.sum(axis=1).max()), 1)
    index = np.take_along_axis(index, order, axis=1)[:, :taps]
    weight = np.take_along_axis(weight, order, axis=1)[:, :taps]
    first = index[:, :1]  # pad with a live source
    return np.where(weight != 0, index, first), weight


def kernel_plan(in_size, out_size, scale_factor, s, dtype, *, kernel, support, tabled=False):
    """A kernel centred on each source coordinate: the taps of the settings' window.

    With antialias the kernel is widened by ``I/O`` when shrinking and normalised to sum 1.
    Taps outside the image then either repeat the border pixel (the index is clipped,
    the weight kept) or, with exclude_outside, get weight 0 and the rest are renormalised.
    With a ``cubic_table`` (TensorFlow) the fraction of the coordinate is first rounded to
    that many steps per pixel for the kernels that are ``tabled`` (cubic), as TensorFlow
    reads those weights from a table.
    """
    index, distance, outside = WINDOWS[s.taps](in_size, out_size, scale_factor, s, support, tabled)
    weight = kernel(distance, s)
    if s.exclude_outside:
        weight = np.where((index >= 0) & (index < in_size), weight, 0)
    if s.antialias or s.exclude_outside:  # one division, as Pillow and TF divide
        weight = weight / _nonzero(
            _row_sums(weight) if s.taps == "pillow" else weight.sum(axis=1, keepdims=True)
        )
    if outside is not None:
        weight[outside] = 0
    index, weight = _compact(np.clip(index, 0, in_size - 1), weight)
    return index, weight.astype(dtype), outside


def _support_window(in_size, out_size, scale_factor, s, support, tabled):
    """Every pixel within the (widened) support of the source coordinate -> (O, T) indices,
    their distances from it in kernel units (inf for the padding taps), and the outputs
    outside a crop."""
    src, outside = source_coordinates(in_size, out_size, scale_factor, s)
    if s.window is not None and s.exclude_outside:  # TF's and JAX's scale_and_translate
        outside = (src < -0.5) | (src > in_size - 0.5)
    if s.arithmetic == "opencv":
        src = src.astype(np.float32)  # cv2.resize keeps coordinates in float
    if s.window is not None:
        factor = out_size / _span(in_size, s)[1]
    elif s.scale_from == "factor" and scale_factor is not None:
        factor = scale_factor
    else:
        factor = out_size / in_size
    stretch = max(1.0 / factor, 1.0) if s.antialias else 1.0
    reach = support * stretch
    lo = np.floor(src - reach).astype(np.int64)
    hi = np.ceil(src + reach).astype(np.int64)
    index = lo[:, None] + np.arange(int((hi - lo).max()) + 1)  # (O, T)
    centre = src.astype(np.float64)
    if tabled and s.cubic_table and not s.antialias:
        base = np.floor(src)
        step = np.rint((src - base) * np.float32(s.cubic_table)) / s.cubic_table
        centre = base.astype(np.float64) + step.astype(np.float64)
    distance = (index - centre[:, None]) / stretch
    return index, np.where(index <= hi[:, None], distance, _FAR), outside


def _pillow_window(in_size, out_size, scale_factor, s, support, tabled):
    """Pillow's ``precompute_coeffs`` (libImaging/Resample.c), in its double arithmetic: the
    centre ``c = (o + 0.5) * scale`` in pixel-edge coordinates, the taps
    ``[max(int(c - r + 0.5), 0), min(int(c + r + 0.5), I))`` with ``r`` the support widened
    by ``max(scale, 1)``, each read at ``((x - c) + 0.5) / max(scale, 1)``. The window's
    truncation decides the box filter's edge taps. A ``box`` reaches the C code as float32
    edges, their difference taken in float32."""
    start, length = _span(in_size, s)
    if s.window is not None:
        lo_edge, hi_edge = (np.float32(v) for v in s.window[0])
        start, length = float(lo_edge), float(hi_edge - lo_edge)
    scale = length / out_size
    widen = max(scale, 1.0)
    reach = support * widen
    centre = start + (np.arange(out_size) + 0.5) * scale  # (O,)
    lo = np.maximum(np.trunc(centre - reach + 0.5), 0).astype(np.int64)
    hi = np.minimum(np.trunc(centre + reach + 0.5), in_size).astype(np.int64)
    index = lo[:, None] + np.arange(max(int((hi - lo).max()), 1))  # (O, T)
    distance = ((index - centre[:, None]) + 0.5) * (1.0 / widen)
    return index, np.where(index < hi[:, None], distance, _FAR), None


def _tf_window(in_size, out_size, scale_factor, s, support, tabled):
    """TensorFlow's ``scale_and_translate`` (``ComputeSpansCore`` in
    core/kernels/image/scale_and_translate_op.cc), in its float32 arithmetic: the scale
    ``out / in``, its inverse, the centre ``c = (o + 0.5) / scale + start`` in pixel edges,
    the taps ``[ceil(c - r - 0.5), floor(c + r - 0.5)]`` clamped to the image, each read at
    ``((x + 0.5) - c) * (1 / k)`` with ``k = max(1/scale, 1)`` under antialias; outputs whose
    centre falls outside ``[0, I]`` are blank."""
    f32 = np.float32
    start, length = _span(in_size, s)
    scale = f32(out_size) / f32(length)
    inverse = f32(1.0 / np.float64(scale))  # "1.0 / scale": in double
    stretch = max(inverse, f32(1)) if s.antialias else f32(1)
    centre = (np.arange(out_size, dtype=f32) + f32(0.5)) * inverse + f32(start)  # (O,)
    reach = f32(support) * stretch
    lo = np.clip(np.ceil(centre - reach - f32(0.5)), 0, in_size - 1).astype(np.int64)
    hi = np.clip(np.floor(centre + reach - f32(0.5)), 0, in_size - 1).astype(np.int64) + 1
    index = lo[:, None] + np.arange(max(int((hi - lo).max()), 1))  # (O, T)
    distance = np.abs(((index.astype(f32) + f32(0.5)) - centre[:, None]) * (f32(1) / stretch))
    outside = (centre < 0) | (centre > in_size) if s.window is not None else None
    return index, np.where(index < hi[:, None], distance.astype(np.float64), _FAR), outside


#: the distance given to a row's padding taps: past every kernel's support, so weight 0
_FAR = 1e6

#: which taps a kernel reads (``Convention.window``)
WINDOWS = {"support": _support_window, "pillow": _pillow_window, "tf": _tf_window}


def _row_sums(weight: np.ndarray) -> np.ndarray:
    """Each row's sum, tap after tap from the first (Pillow's ``precompute_coeffs`` sums
    so; NumPy's pairwise sum rounds otherwise from eight taps on) -> (O, 1)."""
    total = np.zeros((weight.shape[0], 1), dtype=weight.dtype)
    for t in range(weight.shape[1]):
        total = total + weight[:, t : t + 1]
    return total


def _nonzero(total: np.ndarray) -> np.ndarray:
    return np.where(total != 0, total, 1)


def triangle_kernel(s, settings):
    return triangle(s)


def keys_kernel(s, settings):
    return keys(s, settings.cubic_a)


def overlap_weights(in_size, out_size, scale, dtype=np.float64):
    """Output ``o`` covers ``[o, o + 1) * scale`` of the input (``scale = I/O``, or
    ``(I-1)/(O-1)`` with align_corners): each input pixel weighs the length it shares with
    that span, over the span's length, sources past the end clamped to the last pixel
    (TF's resize_area, OpenCV's INTER_AREA when shrinking). The spans and lengths are
    computed in ``dtype`` (float32 for TensorFlow, whose lengths lose digits far from 0).
    A one-pixel input with align_corners (scale 0) is copied."""
    if scale == 0:
        return np.zeros((out_size, 1), dtype=np.int64), np.ones((out_size, 1))
    scale = dtype.type(scale)
    o = np.arange(out_size, dtype=dtype)
    lo, hi = o * scale, (o + 1) * scale  # (O,)
    first = np.floor(lo).astype(np.int64)
    taps = int((np.ceil(hi).astype(np.int64) - first).max())
    index = first[:, None] + np.arange(max(taps, 1))  # (O, T)
    edge, lo, hi = index.astype(dtype), lo[:, None], hi[:, None]
    # the length shared, by TF's case analysis (a span inside one pixel is exactly ``scale``)
    shared = np.where(
        edge < lo, np.where(edge + 1 > hi, scale, edge + 1 - lo), np.where(edge + 1 > hi, hi - edge, 1)
    )
    weight = np.clip(shared, 0, None).astype(np.float64) / np.float64(scale)
    return _compact(np.minimum(index, in_size - 1), weight)


def opencv_area_up(in_size, out_size, factor=None):
    """cv2.INTER_AREA when an axis grows (``factor`` = output per input length, ``out/in``
    when None): linear taps at ``first = floor(o / factor)`` whose fraction is the part of the
    output pixel past the next input pixel's edge, ``(o + 1) - (first + 1) * factor`` in
    float32 (0 when not positive, else its fractional part). From the last pixel on both
    taps read it and keep their weights (OpenCV clamps the rows; along a row it copies the
    pixel, which the integer rules get by merging the two taps)."""
    factor = out_size / in_size if factor is None else factor
    scale = 1.0 / factor
    o = np.arange(out_size)
    first = np.floor(o * scale).astype(np.int64)
    fraction = ((o + 1) - (first + 1) * factor).astype(np.float32)
    fraction = np.where(fraction <= 0, 0, fraction - np.floor(fraction)).astype(np.float64)
    first = np.minimum(first, in_size - 1)
    index = np.stack([first, np.minimum(first + 1, in_size - 1)], axis=1)
    return index, np.stack([1 - fraction, fraction], axis=1)


def opencv_area_down(in_size, out_size, factor=None):
    """cv2.INTER_AREA when both axes shrink (``factor`` = output per input length, ``out/in``
    when None): output ``o`` covers ``[o, o + 1) * scale`` with ``scale = 1 / factor``, cut at
    the image's end, so its cell is ``w = min(scale, I - o * scale)`` long; each input pixel
    weighs the length it shares with the cell over ``w`` (the first and last partial pixels
    only when their share exceeds 1e-3), in double. With an integer scale this is the block
    mean OpenCV's fast path takes, a block cut by the image's end averaging the pixels it
    has; with ``fx``/``fy`` the cells follow the factor, not the rounded size."""
    scale = 1.0 / (out_size / in_size if factor is None else factor)
    lo = np.arange(out_size) * scale  # (O,) in double
    hi = lo + scale
    cell = np.minimum(scale, in_size - lo)
    last = np.minimum(np.floor(hi), in_size - 1).astype(np.int64)
    start = np.minimum(np.ceil(lo).astype(np.int64), last)
    inner = last - start  # whole pixels
    column = np.arange(int(inner.max()) + 2)  # 0: the partial pixel before, inner + 1: after
    index = (start - 1)[:, None] + column  # (O, T)
    before = np.where(start - lo > 1e-3, (start - lo) / cell, 0.0)
    after = np.where(hi - last > 1e-3, np.minimum(np.minimum(hi - last, 1.0), cell) / cell, 0.0)
    weight = np.where(
        column == 0,
        before[:, None],
        np.where(
            column <= inner[:, None],
            1.0 / cell[:, None],
            np.where(column == inner[:, None] + 1, after[:, None], 0.0),
        ),
    )
    return _compact(np.clip(index, 0, in_size - 1), weight)


def area_plan(in_size, out_size, scale_factor, s, dtype):
    """Area by the settings' rule: adaptive pooling bins, exact overlaps, OpenCV's rule, or
    Pillow's box filter."""
    if s.area == "adaptive":
        index, weight = adaptive_plan(in_size, out_size, scale_factor, False, dtype)
    elif s.area == "box":  # a filter that always widens
        return kernel_plan(
            in_size,
            out_size,
            scale_factor,
            dataclasses.replace(s, antialias=True),
            dtype,
            kernel=lambda v, _: box(v),
            support=0.5,
        )
    elif s.area in ("opencv_up", "opencv_down"):
        factor = scale_factor if s.scale_from == "factor" else None
        build = opencv_area_up if s.area == "opencv_up" else opencv_area_down
        index, weight = build(in_size, out_size, factor)
    else:  # "overlap"
        corners = s.coordinate == "align_corners" and out_size > 1
        dtype_of_spans = np.dtype(np.float32 if s.arithmetic == "float32" else np.float64)
        index, weight = overlap_weights(
            in_size,
            out_size,
            (in_size - 1) / (out_size - 1) if corners else in_size / out_size,
            dtype_of_spans,
        )
    return index, weight.astype(dtype), None


def exact_linear_plan(in_size, out_size, scale_factor, s, dtype):
    """cv2.INTER_LINEAR_EXACT's plan: the source coordinate by the settings' rule, kept in
    double (INTER_LINEAR rounds it to float32), and two taps ``floor(src)``, ``floor(src) + 1``
    weighing ``1 - f``, ``f`` with ``f = src - floor(src)`` (exact in double). An output whose
    ``floor(src)`` is before the first pixel, or at or past the last one (or a one-pixel
    input), copies that border pixel: weights 1 and 0."""
    src, _ = source_coordinates(in_size, out_size, scale_factor, s)
    src = np.asarray(src, dtype=np.float64)
    first = np.floor(src)
    fraction = src - first
    border = (first < 0) | (first >= in_size - 1)
    fraction = np.where(border, 0.0, fraction)
    first = np.clip(first, 0, in_size - 1).astype(np.int64)
    index = np.stack([first, np.minimum(first + 1, in_size - 1)], axis=1)
    weight = np.stack([1 - fraction, fraction], axis=1)
    return index, weight.astype(dtype), None

"""Compiled resampling loops over rows of pixels: channels-last images in place, and a few planes.

:mod:`upsample._resample` runs one (H, W) plane per task, which suits batches of many
channels. One image is different: (H, W, C) with C = 1, 3 or 4, where the pixel is the
unit, and one plane per channel would leave a thread idle and read the image C times.
These loops take an array as (B, H, W, C), with C innermost (an (N, H, W, C) array as it
is; a channels-first one as (N*C, H, W, 1)), and work on output rows: B * OH rows split
between the threads, whatever B is.

Each output row is a weighted sum of T rows of the input resampled along W: those rows
are computed once, by the horizontal pass over interleaved channels, into a ring of
``ring`` row buffers indexed by the source row (the plans only move forward, so a row is
computed once per thread), then the vertical pass sums them. With ``h_first`` the
vertical pass runs first (a row of W*C values) and the horizontal pass writes the output.
This is how Pillow's ``Resample.c`` and OpenCV's ``resize.cpp`` work; the coefficients are
the sampling plans', so the dialect is still only in the plans.

The taps are summed in the plans' order, the first product first, as
:meth:`SamplingPlan.apply` and :mod:`upsample._resample` do, so results are the same bits
as the planar loops (same axis order). The integer arithmetic of each framework is in
:mod:`upsample._integer_loops`.

Axis legend: B images (or planes), H, W input rows and columns, OH, OW output ones,
C channels (interleaved), T taps.
"""

from __future__ import annotations

import numpy as np

from . import _jit
from .sampling.plans import SamplingPlan

__all__ = ["apply", "by_rows", "gather", "output_like", "resample", "ring_size", "rows_view"]


@_jit.kernel
def _gather_rows(x, iy, ix, out, start, stop):
    """out[b, oh, ow, :] = x[b, iy[oh], ix[ow], :] for the output rows [start, stop) of B*OH."""
    height, width, channels = out.shape[1], out.shape[2], out.shape[3]
    for r in range(start, stop):
        b = r // height
        oh = r - b * height
        target = out[b, oh]
        if r > start and oh > 0 and iy[oh] == iy[oh - 1]:  # a repeated source row: copy
            target[:, :] = out[b, oh - 1]
            continue
        source = x[b, iy[oh]]
        if channels == 1:
            for ow in range(width):
                target[ow, 0] = source[ix[ow], 0]
        elif channels == 3:
            for ow in range(width):
                s = ix[ow]
                target[ow, 0] = source[s, 0]
                target[ow, 1] = source[s, 1]
                target[ow, 2] = source[s, 2]
        else:
            for ow in range(width):
                s = ix[ow]
                for c in range(channels):
                    target[ow, c] = source[s, c]


@_jit.helper
def ring_row(r, height, iy, in_rows, held, fresh):
    """Output row ``r`` of B*OH as ``(b, oh, count)``, where ``fresh[:count]`` are the source
    rows it reads that the ring does not hold yet. Source row ``h`` of image ``b`` lives in
    slot ``h % len(held)``, and ``held`` says which (b, h) each slot holds; the rows
    returned are marked held, for the caller to resample into their slots. The plans only
    move forward, so each source row is resampled once per thread."""
    b = r // height
    oh = r - b * height
    count = 0
    for t in range(iy.shape[1]):
        h = iy[oh, t]
        slot = h % len(held)
        if held[slot] != b * in_rows + h:
            held[slot] = b * in_rows + h
            fresh[count] = h
            count += 1
    return b, oh, count


@_jit.helper
def _horizontal(line, ix, wx, target, channels):
    """target[ow*C + c] = sum_t wx[ow, t] * line[ix[ow, t]*C + c], the taps added in order,
    with the common cases (two taps, three channels) written out."""
    width, taps = ix.shape
    if taps == 2:  # linear: both taps at once
        for ow in range(width):
            base, p, q = ow * channels, ix[ow, 0] * channels, ix[ow, 1] * channels
            w0, w1 = wx[ow, 0], wx[ow, 1]
            for c in range(channels):
                target[base + c] = w0 * line[p + c] + w1 * line[q + c]
    elif channels == 3:  # the common image: one scalar per channel
        for ow in range(width):
            w, at = wx[ow, 0], ix[ow, 0] * 3
            v0, v1, v2 = w * line[at], w * line[at + 1], w * line[at + 2]
            for t in range(1, taps):
                w, at = wx[ow, t], ix[ow, t] * 3
                v0 += w * line[at]
                v1 += w * line[at + 1]
                v2 += w * line[at + 2]
            target[3 * ow], target[3 * ow + 1], target[3 * ow + 2] = v0, v1, v2
    else:
        for ow in range(width):
            base = ow * channels
            for c in range(channels):
                value = wx[ow, 0] * line[ix[ow, 0] * channels + c]
                for t in range(1, taps):
                    value += wx[ow, t] * line[ix[ow, t] * channels + c]
                target[base + c] = value


@_jit.helper
def _store(values, target, rounded):
    """target[:] = values, each rounded half to even and clipped to [0, 255] if ``rounded``."""
    if rounded:
        for k in range(len(target)):
            target[k] = min(max(np.rint(values[k]), 0.0), 255.0)
    else:
        for k in range(len(target)):
            target[k] = values[k]


@_jit.kernel(literal=("channels",))
def _resample_rows(x, iy, wy, ix, wx, out, start, stop, ring, h_first, rounded, channels):
    """out[b, oh] = sum_ty wy[oh, ty] * sum_tx wx[ow, tx] * x[b, iy[oh, ty], ix[ow, tx]] for
    the output rows [start, stop) of B*OH, computed in the weights' dtype (x is that dtype,
    or an integer type whose products are exact in it). ``rounded``: the output is uint8;
    each value is rounded half to even and clipped to [0, 255]. ``channels`` (C) is a
    compile-time constant, so the loops over interleaved channels unroll."""
    numba_literally(channels)
    height, width = out.shape[1], out.shape[2]
    in_rows, in_width = x.shape[1], x.shape[2]
    taps_y = iy.shape[1]
    span, in_span = width * channels, in_width * channels
    result = np.empty(span, dtype=wy.dtype)
    if h_first:
        line = np.empty(in_span, dtype=wy.dtype)  # (W*C): one vertical sum
        for r in range(start, stop):
            b = r // height
            oh = r - b * height
            w0, s0 = wy[oh, 0], x[b, iy[oh, 0]].reshape(in_span)
            for k in range(in_span):
                line[k] = w0 * s0[k]
            for t in range(1, taps_y):
                w, s = wy[oh, t], x[b, iy[oh, t]].reshape(in_span)
                for k in range(in_span):
                    line[k] += w * s[k]
            _horizontal(line, ix, wx, result, channels)
            _store(result, out[b, oh].reshape(span), rounded)
        return
    rows = np.empty((ring, span), dtype=wx.dtype)  # a ring of rows resampled along W
    held = np.full(ring, -1, dtype=np.int64)  # which (b, h) each slot holds
    fresh = np.empty(taps_y, dtype=np.int64)
    for r in range(start, stop):
        b, oh, count = ring_row(r, height, iy, in_rows, held, fresh)
        for i in range(count):
            _horizontal(x[b, fresh[i]].reshape(in_span), ix, wx, rows[fresh[i] % ring], channels)
        w0, s0 = wy[oh, 0], rows[iy[oh, 0] % ring]
        if taps_y == 2:
            w1, s1 = wy[oh, 1], rows[iy[oh, 1] % ring]
            for k in range(span):
                result[k] = w0 * s0[k] + w1 * s1[k]
        elif taps_y == 4:
            w1, s1 = wy[oh, 1], rows[iy[oh, 1] % ring]
            w2, s2 = wy[oh, 2], rows[iy[oh, 2] % ring]
            w3, s3 = wy[oh, 3], rows[iy[oh, 3] % ring]
            for k in range(span):
                result[k] = w0 * s0[k] + w1 * s1[k] + w2 * s2[k] + w3 * s3[k]
        else:
            for k in range(span):
                result[k] = w0 * s0[k]
            for t in range(1, taps_y):
                w, s = wy[oh, t], rows[iy[oh, t] % ring]
                for k in range(span):
                    result[k] += w * s[k]
        _store(result, out[b, oh].reshape(span), rounded)


def by_rows(x: np.ndarray, plans) -> bool:
    """Whether these loops suit x (N, C, H, W): two spatial axes, and memory that is
    channels-last or too few planes to keep every thread of the planar loops busy."""
    if len(plans) != 2 or x.ndim != 4:
        return False
    last = x.transpose(0, 2, 3, 1)
    return (x.shape[1] > 1 and last.flags.c_contiguous) or x.shape[0] * x.shape[1] < 2 * _jit.threads()


def rows_view(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """x (N, C, H, W) as the loops' (B, H, W, C), without a copy when its memory is
    channels-last (an (N, H, W, C) array seen channels-first); else channels-first planes
    (N*C, H, W, 1), copied to C-contiguous if needed. Returns the view and whether it is
    channels-last."""
    n, c, h, w = x.shape
    last = x.transpose(0, 2, 3, 1)  # (N, H, W, C)
    if last.flags.c_contiguous and c > 1:
        return last, True
    return np.ascontiguousarray(x).reshape(n * c, h, w, 1), False


def output_like(
    channels_last: bool, shape: tuple[int, ...], dtype, into: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The (N, C, OH, OW) result in the input's memory order, and the loops' (B, OH, OW, C)
    view of it; ``into`` (a caller's C-contiguous channels-first buffer) if given."""
    n, c, oh, ow = shape
    if into is not None and not channels_last:
        return into, into.reshape(n * c, oh, ow, 1)
    if channels_last:
        rows = np.empty((n, oh, ow, c), dtype=dtype)  # (N, OH, OW, C)
        return rows.transpose(0, 3, 1, 2), rows
    result = np.empty(shape, dtype=dtype)
    return result, result.reshape(n * c, oh, ow, 1)


def ring_size(index: np.ndarray) -> int:
    """How many source rows one output row reads at once, at most: the ring's length."""
    return int((index.max(axis=1) - index.min(axis=1)).max()) + 1


def gather(
    x: np.ndarray, plan_h: SamplingPlan, plan_w: SamplingPlan, out_shape, into: np.ndarray | None = None
) -> np.ndarray:
    """Nearest (both plans pure gathers) on (N, C, H, W), any dtype, in x's memory order."""
    source, last = rows_view(x)
    result, rows = output_like(last, out_shape, x.dtype, into)
    iy, ix = plan_h.index[:, 0], plan_w.index[:, 0]
    count = rows.shape[0] * rows.shape[1]
    _jit.split_planes(lambda a, b: _gather_rows(source, iy, ix, rows, a, b), count, source.size + rows.size)
    return _copied(result, into)


def apply(
    x: np.ndarray,
    plan_h: SamplingPlan,
    plan_w: SamplingPlan,
    out_shape,
    dtype,
    into: np.ndarray | None = None,
    *,
    h_first: bool = False,
) -> np.ndarray:
    """Resample H and W of x (N, C, H, W) by the plans, computed in and returned as the
    float ``dtype``, in x's memory order (into ``into`` if given)."""
    return resample(x, plan_h, plan_w, out_shape, dtype, dtype, into, h_first=h_first)


def resample(
    x: np.ndarray,
    plan_h: SamplingPlan,
    plan_w: SamplingPlan,
    out_shape,
    weights_dtype,
    out_dtype,
    into: np.ndarray | None = None,
    *,
    h_first: bool = False,
) -> np.ndarray:
    """The weighted resample, computed in ``weights_dtype``; an integer ``out_dtype`` (uint8)
    receives each value rounded half to even and clipped."""
    if x.dtype != weights_dtype and np.dtype(weights_dtype).itemsize < 8:
        x = x.astype(weights_dtype)  # Numba would compute float32 * uint8 in float64
    source, last = rows_view(x)
    result, rows = output_like(last, out_shape, out_dtype, into)
    wy = np.ascontiguousarray(plan_h.weight, dtype=weights_dtype)
    wx = np.ascontiguousarray(plan_w.weight, dtype=weights_dtype)
    ring = ring_size(plan_h.index)
    rounded = np.dtype(out_dtype).kind in "iu"
    count = rows.shape[0] * rows.shape[1]
    _jit.split_planes(
        lambda a, b: _resample_rows(
            source, plan_h.index, wy, plan_w.index, wx, rows, a, b, ring, h_first, rounded, source.shape[3]
        ),
        count,
        source.size + rows.size,
    )
    return _copied(result, into)


def _copied(result: np.ndarray, into: np.ndarray | None) -> np.ndarray:
    if into is None or result is into:
        return result
    np.copyto(into, result)
    return into

"""Compiled resampling loops (Numba, see :mod:`upsample._jit`) that run the sampling plans.

The last two spatial axes are resampled together in one pass per (n, c) plane: each input
row is resampled along W once into a small row buffer that stays in cache, then every
output row is a weighted sum of T of those rows. The taps are summed in the same order as
the NumPy path (:meth:`SamplingPlan.apply`); only the axis order differs (W first, as
PyTorch does), so results agree to rounding. :func:`apply` and :func:`apply_transpose`
are the entry points; both take the plans of every spatial axis and do the last two.
"""

from __future__ import annotations

import math

import numpy as np

from . import _jit
from .sampling.plans import SamplingPlan

__all__ = ["apply", "apply_transpose"]


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
            if row == previous:  # a repeated source row: copy the output row
                out[b, oh, :] = out[b, oh - 1, :]
                continue
            previous = row
            source, target = x[b, row], out[b, oh]
            if repeat == 2:  # the common case, in a loop that vectorises
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


@_jit.helper
def _horizontal(line, ix, wx, target, lo, hi):
    """target[ow] = sum_t wx[ow, t] * line[ix[ow, t]] for ow in [lo, hi), the taps added in order."""
    if ix.shape[1] == 2:  # linear: both taps at once
        for ow in range(lo, hi):
            target[ow] = wx[ow, 0] * line[ix[ow, 0]] + wx[ow, 1] * line[ix[ow, 1]]
    else:
        for ow in range(lo, hi):
            total = wx[ow, 0] * line[ix[ow, 0]]
            for t in range(1, ix.shape[1]):
                total += wx[ow, t] * line[ix[ow, t]]
            target[ow] = total


@_jit.helper
def _vertical(rows, iy, wy, out):
    """out[oh] = sum_t wy[oh, t] * rows[iy[oh, t]] for every output row of one plane, the
    taps added in order; two (bilinear) and four (bicubic) in one pass per row, the same
    products added in the same order as the general loop."""
    for oh in range(out.shape[0]):
        target = out[oh]
        if iy.shape[1] == 2:
            w0, s0, w1, s1 = wy[oh, 0], rows[iy[oh, 0]], wy[oh, 1], rows[iy[oh, 1]]
            for ow in range(out.shape[1]):
                target[ow] = w0 * s0[ow] + w1 * s1[ow]
        elif iy.shape[1] == 4:
            w0, s0, w1, s1 = wy[oh, 0], rows[iy[oh, 0]], wy[oh, 1], rows[iy[oh, 1]]
            w2, s2, w3, s3 = wy[oh, 2], rows[iy[oh, 2]], wy[oh, 3], rows[iy[oh, 3]]
            for ow in range(out.shape[1]):
                target[ow] = w0 * s0[ow] + w1 * s1[ow] + w2 * s2[ow] + w3 * s3[ow]
        else:
            w, source = wy[oh, 0], rows[iy[oh, 0]]
            for ow in range(out.shape[1]):
                target[ow] = w * source[ow]
            for t in range(1, iy.shape[1]):
                w, source = wy[oh, t], rows[iy[oh, t]]
                for ow in range(out.shape[1]):
                    target[ow] += w * source[ow]


@_jit.kernel
def _resample_loop(x, iy, wy, ix, wx, out, start, stop):
    """out[b, oh, ow] = sum_ty wy[oh, ty] * sum_tx wx[ow, tx] * x[b, iy[oh, ty], ix[ow, tx]]."""
    rows = np.empty((x.shape[1], out.shape[2]), dtype=out.dtype)  # (H, OW): x resampled along W
    for b in range(start, stop):
        for h in range(x.shape[1]):
            _horizontal(x[b, h], ix, wx, rows[h], 0, out.shape[2])
        _vertical(rows, iy, wy, out[b])


@_jit.kernel
def _resample_periodic_loop(x, iy, wy, ix, wx, shift, weight, first, last, out, start, stop):
    """:func:`_resample_loop` for a W plan that repeats with period s (an integer scale):
    output ``s*j + p`` reads inputs ``j + shift[p, t]`` with weights ``weight[p, t]`` for
    every j in ``[first, last)``. There the W pass is, per phase and tap, one loop over
    contiguous slices that vectorises; the phases are then interleaved into the row
    buffer, and the few border outputs use the gather. Same operations in the same order
    as :func:`_resample_loop`, so the same bits."""
    width = out.shape[2]
    period, taps = shift.shape
    inner = last - first
    rows = np.empty((x.shape[1], width), dtype=out.dtype)  # (H, OW): x resampled along W
    phase = np.empty((period, inner), dtype=out.dtype)  # (s, J_inner) for one input row
    for b in range(start, stop):
        for h in range(x.shape[1]):
            line = x[b, h]
            for p in range(period):
                target = phase[p]
                source = line[first + shift[p, 0] : first + shift[p, 0] + inner]
                w = weight[p, 0]
                for k in range(inner):
                    target[k] = w * source[k]
                for t in range(1, taps):
                    source = line[first + shift[p, t] : first + shift[p, t] + inner]
                    w = weight[p, t]
                    for k in range(inner):
                        target[k] += w * source[k]
            row = rows[h, period * first : period * last]
            if period == 2:  # interleave the phases
                even, odd = phase[0], phase[1]
                for k in range(inner):
                    row[2 * k] = even[k]
                    row[2 * k + 1] = odd[k]
            else:
                for k in range(inner):
                    for p in range(period):
                        row[period * k + p] = phase[p, k]
            # the borders: gathers
            _horizontal(line, ix, wx, rows[h], 0, period * first)
            _horizontal(line, ix, wx, rows[h], period * last, width)
        _vertical(rows, iy, wy, out[b])


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
            if repeat == 2:  # the common case, in a loop that vectorises
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


def _planar(
    plans: tuple[SamplingPlan, ...], shape: tuple[int, ...]
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


def _loop_args(plan_h: SamplingPlan, plan_w: SamplingPlan, dtype: np.dtype) -> tuple[bool, tuple]:
    """What the loops take of the plans: ``(True, (iy, ix, repeat))`` when both are pure
    gathers (the gather loops' arguments), else ``(False, (iy, wy, ix, wx))``, the weights
    in ``dtype``."""
    if plan_h.is_gather and plan_w.is_gather:
        return True, (plan_h.index[:, 0], plan_w.index[:, 0], _repeat(plan_w))
    weights = [p.weight.astype(dtype, copy=False) for p in (plan_h, plan_w)]
    return False, (plan_h.index, weights[0], plan_w.index, weights[1])


def apply(
    x: np.ndarray, plans: tuple[SamplingPlan, ...], out_shape, into: np.ndarray | None = None
) -> np.ndarray:
    """Resample the last two spatial axes of ``x`` (leading ones already done) in one pass,
    into ``into`` (C-contiguous, of ``out_shape``) if given."""
    plan_h, plan_w, planes = _planar(plans, x.shape)
    source = np.ascontiguousarray(x).reshape(planes, plan_h.in_size, plan_w.in_size)  # (B, H, W)
    shape = (planes, plan_h.out_size, plan_w.out_size)  # (B, OH, OW)
    out = np.empty(shape, dtype=x.dtype) if into is None else into.reshape(shape)
    gather, args = _loop_args(plan_h, plan_w, x.dtype)
    if gather:
        work = lambda a, b: _gather_loop(source, *args, out, a, b)
    else:
        periodic = _periodic(plan_w, x.dtype)
        if periodic is not None:
            work = lambda a, b: _resample_periodic_loop(source, *args, *periodic, out, a, b)
        else:
            work = lambda a, b: _resample_loop(source, *args, out, a, b)
    _jit.split_planes(work, planes, source.size + out.size)
    return out.reshape(out_shape) if into is None else into


def apply_transpose(g: np.ndarray, plans: tuple[SamplingPlan, ...], in_shape) -> np.ndarray:
    """The adjoint of :func:`apply`: ``g`` back to the last two axes' input sizes."""
    plan_h, plan_w, planes = _planar(plans, g.shape)
    grad = np.ascontiguousarray(g).reshape(planes, plan_h.out_size, plan_w.out_size)  # (B, OH, OW)
    out = np.zeros((planes, plan_h.in_size, plan_w.in_size), dtype=g.dtype)  # (B, H, W)
    gather, args = _loop_args(plan_h, plan_w, g.dtype)
    loop = _gather_transpose_loop if gather else _resample_transpose_loop
    work = lambda a, b: loop(grad, *args, out, a, b)
    _jit.split_planes(work, planes, grad.size + out.size)
    return out.reshape(in_shape)

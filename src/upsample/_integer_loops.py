"""Compiled uint8 resampling: each framework's fixed-point arithmetic over rows of pixels.

The NumPy rules in :mod:`upsample._integer` are the readable reference (one int64
temporary per tap); these loops compute the same bytes the way Pillow's ``Resample.c``
and OpenCV's ``resize.cpp`` do: per output pixel of each axis, a short row of integer
coefficients (from the sampling plans, quantised by the rule), a horizontal pass over
interleaved channels into a ring of rows, and a vertical pass over the rows in flight.
Tests compare every rule with the NumPy reference byte for byte.

A rule's recipe (:func:`recipe`) is plain data: the coefficient rows per axis, which
pass runs first, and how each pass rounds. The loop (:func:`_fixed_rows`) only reads it.

Axis legend: B images (or planes), H, W input, OH, OW output, C channels, T taps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _integer, _jit, _resample_cl
from ._resample_cl import ring_row

__all__ = ["RULES", "Recipe", "apply", "recipe", "supports"]

#: vertical pass arithmetic (``vmode``)
_SHIFT, _OPENCV_LINEAR, _OPENCV_CUBIC, _SCALE = 0, 1, 2, 3


@_jit.kernel(literal=("channels",))
def _fixed_rows(
    x,
    iy,
    qy,
    ix,
    qx,
    out,
    start,
    stop,
    ring,
    h_first,
    hshift,
    vshift,
    vmode,
    vector,
    pmul,
    pmod,
    scale,
    channels,
):
    """One uint8 resample with integer coefficients, output rows [start, stop) of B*OH.

    Horizontal pass: ``s = sum_t qx[ow, t] * x[.., ix[ow, t], c]``, then with ``hshift`` >= 0
    ``clip((s + 2**(hshift-1)) >> hshift, 0, 255)``, else s kept exact (OpenCV).
    Vertical pass (``vmode``): 0 ``clip((sum_t qy * row + half) >> vshift)``; 1 OpenCV's
    linear ``(sum_t ((qy * (row >> 4)) >> 16) + 2) >> 2``; 2 OpenCV's cubic: at the
    interleaved positions below ``vector`` (position ``k * pmul + b % pmod`` for planes,
    ``k`` when pmod is 0) ``rint(sum of float32 row * (qy / 2**22))`` from the last tap,
    elsewhere ``(sum + 2**21) >> 22``; 3 ``rint(float32(sum) * scale)``.
    ``h_first``: the vertical pass first (mode 0 only), rounded to uint8, then the horizontal.
    Every sum fits an int32, as in the frameworks' own loops, so the buffers are int32;
    ``channels`` (C) is a compile-time constant, so the channel loops unroll.
    """
    numba_literally(channels)
    height, width = out.shape[1], out.shape[2]
    in_rows, in_width = x.shape[1], x.shape[2]
    taps_x, taps_y = ix.shape[1], iy.shape[1]
    span, in_span = width * channels, in_width * channels
    total = np.empty(max(span, in_span), dtype=np.int32)  # one row of sums
    if h_first:
        vhalf = (1 << vshift) >> 1
        hhalf = (1 << hshift) >> 1
        line = np.empty(in_span, dtype=np.int32)
        for r in range(start, stop):
            b = r // height
            oh = r - b * height
            for k in range(in_span):
                total[k] = vhalf
            for t in range(taps_y):
                w, s = np.int32(qy[oh, t]), x[b, iy[oh, t]].reshape(in_span)
                for k in range(in_span):
                    total[k] += w * np.int32(s[k])
            for k in range(in_span):
                line[k] = min(max(total[k] >> vshift, 0), 255)
            target = out[b, oh].reshape(span)
            for ow in range(width):
                base = ow * channels
                for c in range(channels):
                    value = hhalf
                    for t in range(taps_x):
                        value += qx[ow, t] * line[ix[ow, t] * channels + c]
                    target[base + c] = min(max(value >> hshift, 0), 255)
        return
    rows = np.empty((ring, span), dtype=np.int32)  # rows resampled along W
    held = np.full(ring, -1, dtype=np.int64)  # which (b, h) each slot holds
    fresh = np.empty(taps_y, dtype=np.int64)
    hhalf = (1 << hshift) >> 1 if hshift >= 0 else 0
    vhalf = (1 << vshift) >> 1
    values = np.empty(span, dtype=np.float32)  # OpenCV cubic's float sums
    for r in range(start, stop):
        b, oh, count = ring_row(r, height, iy, in_rows, held, fresh)
        for i in range(count):
            source, target = x[b, fresh[i]].reshape(in_span), rows[fresh[i] % ring]
            if channels == 3:  # the common image: one scalar per channel
                for ow in range(width):
                    v0 = v1 = v2 = hhalf
                    for t2 in range(taps_x):
                        w, at = qx[ow, t2], ix[ow, t2] * 3
                        v0 += w * np.int32(source[at])
                        v1 += w * np.int32(source[at + 1])
                        v2 += w * np.int32(source[at + 2])
                    if hshift >= 0:
                        v0 = min(max(v0 >> hshift, 0), 255)
                        v1 = min(max(v1 >> hshift, 0), 255)
                        v2 = min(max(v2 >> hshift, 0), 255)
                    target[3 * ow], target[3 * ow + 1], target[3 * ow + 2] = v0, v1, v2
                continue
            for ow in range(width):
                base = ow * channels
                for c in range(channels):
                    total_c = hhalf
                    for t2 in range(taps_x):
                        total_c += qx[ow, t2] * np.int32(source[ix[ow, t2] * channels + c])
                    if hshift >= 0:
                        total_c = min(max(total_c >> hshift, 0), 255)
                    target[base + c] = total_c
        target = out[b, oh].reshape(span)
        if vmode == 0 and taps_y == 2:  # bilinear: both rows in one pass
            w0, s0 = np.int32(qy[oh, 0]), rows[iy[oh, 0] % ring]
            w1, s1 = np.int32(qy[oh, 1]), rows[iy[oh, 1] % ring]
            for k in range(span):
                target[k] = min(max((vhalf + w0 * s0[k] + w1 * s1[k]) >> vshift, 0), 255)
        elif vmode == 0 and taps_y == 4:  # bicubic: the four rows in one pass
            w0, s0 = np.int32(qy[oh, 0]), rows[iy[oh, 0] % ring]
            w1, s1 = np.int32(qy[oh, 1]), rows[iy[oh, 1] % ring]
            w2, s2 = np.int32(qy[oh, 2]), rows[iy[oh, 2] % ring]
            w3, s3 = np.int32(qy[oh, 3]), rows[iy[oh, 3] % ring]
            for k in range(span):
                value = vhalf + w0 * s0[k] + w1 * s1[k] + w2 * s2[k] + w3 * s3[k]
                target[k] = min(max(value >> vshift, 0), 255)
        elif vmode == 1 and taps_y == 2:  # OpenCV's linear, both rows in one pass
            w0, s0 = np.int32(qy[oh, 0]), rows[iy[oh, 0] % ring]
            w1, s1 = np.int32(qy[oh, 1]), rows[iy[oh, 1] % ring]
            for k in range(span):
                value = ((w0 * (s0[k] >> 4)) >> 16) + ((w1 * (s1[k] >> 4)) >> 16) + 2
                target[k] = min(max(value >> 2, 0), 255)
        elif vmode == 0 or vmode == 3:
            for k in range(span):
                total[k] = vhalf
            for t in range(taps_y):
                w, s = np.int32(qy[oh, t]), rows[iy[oh, t] % ring]
                for k in range(span):
                    total[k] += w * s[k]
            if vmode == 0:
                for k in range(span):
                    target[k] = min(max(total[k] >> vshift, 0), 255)
            else:
                for k in range(span):
                    value = np.rint(np.float32(total[k]) * scale)
                    target[k] = min(max(value, np.float32(0)), np.float32(255))
        elif vmode == 1:
            for k in range(span):
                total[k] = 2
            for t in range(taps_y):
                w, s = np.int32(qy[oh, t]), rows[iy[oh, t] % ring]
                for k in range(span):
                    total[k] += (w * (s[k] >> 4)) >> 16
            for k in range(span):
                target[k] = min(max(total[k] >> 2, 0), 255)
        else:
            # the vector loop's values come first in each row: positions k * pmul + b % pmod
            # (k when pmod is 0) below ``vector``, i.e. k below ``split``
            offset = b % pmod if pmod > 0 else 0
            split = min(span, max(0, (vector - offset + pmul - 1) // pmul))
            last = rows[iy[oh, taps_y - 1] % ring]
            factor = np.float32(qy[oh, taps_y - 1]) * scale
            for k in range(split):
                values[k] = np.float32(last[k]) * factor
            for t in range(taps_y - 2, -1, -1):
                factor, s = np.float32(qy[oh, t]) * scale, rows[iy[oh, t] % ring]
                for k in range(split):
                    values[k] = np.float32(s[k]) * factor + values[k]
            for k in range(split):
                target[k] = min(max(np.rint(values[k]), np.float32(0)), np.float32(255))
            for k in range(split, span):
                total[k] = 1 << 21
            for t in range(taps_y):
                w, s = np.int32(qy[oh, t]), rows[iy[oh, t] % ring]
                for k in range(split, span):
                    total[k] += w * s[k]
            for k in range(split, span):
                target[k] = min(max(total[k] >> 22, 0), 255)


@_jit.kernel(literal=("channels",))
def _box_rows(x, out, fy, fx, start, stop, shift, scale, channels):
    """Integer block sums: out[b, oh, ow] = the fy x fx pixels from (fy*oh, fx*ow), then
    ``(sum + 2) >> 2`` when ``shift`` (2x2), else ``rint(float32(sum) * scale)``: the
    recipes of OpenCV's INTER_AREA by integer factors (and INTER_LINEAR by exactly 1/2,
    which OpenCV runs as INTER_AREA), as one pass over the rows in flight."""
    numba_literally(channels)
    height, width = out.shape[1], out.shape[2]
    span, in_span = width * channels, x.shape[2] * channels
    total = np.empty(span, dtype=np.int32)
    for r in range(start, stop):
        b = r // height
        oh = r - b * height
        target = out[b, oh].reshape(span)
        if shift:  # 2x2: both rows at once, no buffer
            top, bottom = x[b, 2 * oh].reshape(in_span), x[b, 2 * oh + 1].reshape(in_span)
            for ow in range(width):
                base = ow * channels
                for c in range(channels):
                    at = 2 * base + c
                    value = (
                        np.int32(top[at])
                        + np.int32(top[at + channels])
                        + np.int32(bottom[at])
                        + np.int32(bottom[at + channels])
                    )
                    target[base + c] = (value + 2) >> 2
            continue
        for k in range(span):
            total[k] = 0
        for dy in range(fy):
            line = x[b, oh * fy + dy].reshape(in_span)
            for ow in range(width):
                base = ow * channels
                for c in range(channels):
                    value = total[base + c]
                    for dx in range(fx):
                        value += np.int32(line[(ow * fx + dx) * channels + c])
                    total[base + c] = value
        for k in range(span):
            target[k] = min(max(np.rint(np.float32(total[k]) * scale), np.float32(0)), np.float32(255))


def _blocks(plan, factor: int) -> bool:
    """Whether a plan reads the blocks ``[factor*o, factor*o + factor)`` with equal weights."""
    expected = factor * np.arange(plan.out_size)[:, None] + np.arange(factor)
    return (
        plan.index.shape == expected.shape
        and bool(np.array_equal(plan.index, expected))
        and bool(np.all(plan.weight == plan.weight[0, 0]))
    )


def _box(rule: str, plans: Sequence, whole: Sequence, channels: int) -> tuple[int, int, bool] | None:
    """(fy, fx, shift) when the rule's recipe is a block sum these plans can run as
    :func:`_box_rows` (the same bytes), else None."""
    if rule not in ("opencv_area", "opencv_linear") or not _integer.opencv_shrinks(whole):
        return None
    factors = _integer.opencv_area_factors(whole)
    if factors is None or (rule == "opencv_linear" and factors != (2, 2)):
        return None
    if not all(_blocks(p, f) for p, f in zip(plans, factors)):
        return None
    return factors[0], factors[1], factors == (2, 2) and channels in (1, 3, 4)


def _cut_blocks(rule: str, plans: Sequence, whole: Sequence, channels: int) -> bool:
    """Whether the rule runs cv2.INTER_AREA's integer fast path (INTER_AREA shrinking, or the
    2x2 shrink INTER_LINEAR and INTER_LINEAR_EXACT hand to it) with a block cut by the
    image's end (``fx``/``fy`` calls); the NumPy rule computes those."""
    factors = _integer.opencv_area_factors(whole)
    if factors is None or not (
        (rule == "opencv_area" and _integer.opencv_shrinks(whole))
        or (rule == "opencv_linear" and factors == (2, 2))
        or (rule == "opencv_linear_exact" and factors == (2, 2) and channels != 2)
    ):
        return False
    return not all(_integer.opencv_blocks(p, f)[1].all() for p, f in zip(plans, factors))


@dataclass(frozen=True)
class Recipe:
    """How one uint8 resample runs: integer coefficient rows per axis and the rounding."""

    iy: np.ndarray  # (OH, Ty) source rows
    qy: np.ndarray  # (OH, Ty) int64 coefficients
    ix: np.ndarray  # (OW, Tx) source columns
    qx: np.ndarray  # (OW, Tx) int64 coefficients
    h_first: bool = False  # the vertical pass first
    hshift: int = -1  # horizontal rounding shift, -1: sums kept exact
    vshift: int = 0
    vmode: int = _SHIFT
    scale: float = 1.0  # float32 factor of vmodes 2 and 3
    lanes: int = 0  # OpenCV cubic: the vector loop's lanes (vmode 2)


def _fixed_point(plans: Sequence, whole: Sequence, bits_of, h_first: bool) -> Recipe:
    merged = [_integer._merged(p) for p in plans]
    bits = [bits_of(_integer._merged(w)[1] if whole is not plans else m[1]) for w, m in zip(whole, merged)]
    (iy, wy), (ix, wx) = merged
    return Recipe(
        np.ascontiguousarray(iy),
        _integer._quantise(wy, bits[0]),
        np.ascontiguousarray(ix),
        _integer._quantise(wx, bits[1]),
        h_first=h_first,
        hshift=bits[1],
        vshift=bits[0],
    )


def _eleven_bits(weight: np.ndarray) -> np.ndarray:
    return np.rint(weight.astype(np.float32) * np.float32(2048)).astype(np.int64)


def _opencv_linear(plans: Sequence) -> Recipe:
    plan_h, plan_w = plans
    ix, wx = _integer._merged(plan_w)
    return Recipe(
        plan_h.index,
        _eleven_bits(plan_h.weight),
        np.ascontiguousarray(ix),
        _eleven_bits(wx),
        vmode=_OPENCV_LINEAR,
    )


#: OpenCV's cubic and Lanczos vertical pass: coefficients of 22 fractional bits
_Q22 = 1.0 / (1 << 22)


def _taps(plans: Sequence, weights_of: Callable[[Any], np.ndarray], **rounding: Any) -> Recipe:
    """The recipe whose coefficient rows are ``weights_of(plan)`` at each plan's own source
    indices, rounded as ``rounding`` (the :class:`Recipe` fields) says."""
    plan_h, plan_w = plans
    return Recipe(plan_h.index, weights_of(plan_h), plan_w.index, weights_of(plan_w), **rounding)


def recipe(rule: str, plans: Sequence, whole: Sequence, channels: int) -> Recipe | None:
    """The recipe of ``rule`` for these plans (a block's, ``whole`` the resize's), or None
    when the rule runs in float (``round``, OpenCV's non-integer INTER_AREA)."""
    if rule == "torch":
        return _fixed_point(plans, whole, _integer._torch_bits, False)
    if rule == "pillow":
        return _fixed_point(plans, whole, lambda weight: 22, _integer.pillow_vertical_first(whole))
    if rule == "opencv_linear":
        if _integer.opencv_area_factors(whole) == (2, 2):  # OpenCV runs INTER_AREA
            return recipe("opencv_area", plans, whole, channels)
        return _opencv_linear(plans)
    if rule == "opencv_cubic":
        lanes = _integer.OPENCV_CUBIC_LANES
        return _taps(plans, _integer.opencv_cubic_weights, vmode=_OPENCV_CUBIC, scale=_Q22, lanes=lanes)
    if rule == "opencv_lanczos4":  # the cubic's vertical arithmetic, all in the integer tail
        return _taps(plans, _integer.opencv_eleven_bits, vmode=_OPENCV_CUBIC, scale=_Q22)
    if rule == "opencv_linear_exact":
        if _integer.opencv_area_factors(whole) == (2, 2) and channels != 2:
            return recipe("opencv_area", plans, whole, channels)
        return _taps(plans, lambda plan: _integer.opencv_exact_weights(plan, 8), vshift=16)
    if rule == "opencv_area":
        if not _integer.opencv_shrinks(whole):
            return _opencv_linear(plans)
        factors = _integer.opencv_area_factors(whole)
        if factors is None:
            return None
        fy, fx = factors
        ones = lambda plan: np.ones(plan.index.shape, np.int64)
        if fy == fx == 2 and channels in (1, 3, 4):
            return _taps(plans, ones, vshift=2)
        return _taps(plans, ones, vmode=_SCALE, scale=float(np.float32(1.0 / (fy * fx))))
    return None


#: the rules these loops run (every rule of upsample._integer)
RULES = frozenset(_integer.RULES)


def supports(rule: str, x: np.ndarray, plans: Sequence) -> bool:
    """Whether the compiled loops run ``rule`` on ``x`` with these plans: a uint8 image (the
    16-bit rules stay in NumPy) and two spatial axes."""
    return rule in RULES and x.dtype == np.uint8 and len(plans) == 2


def apply(
    rule: str,
    x: np.ndarray,
    plans: Sequence,
    whole: Sequence | None = None,
    frame: Sequence[int] | None = None,
) -> np.ndarray:
    """The same bytes as ``upsample._integer.apply(rule, x, plans, whole, frame)``, compiled;
    x is uint8 (N, C, H, W) in either memory order, and the result keeps that order."""
    whole = plans if whole is None else whole
    plan_h, plan_w = plans
    n, c = x.shape[:2]
    shape = (n, c, plan_h.out_size, plan_w.out_size)
    channels, first_channel, first_column = _integer._frame(c, frame)
    steps = recipe(rule, plans, whole, channels)
    # a block of some of the channels: the vector loop's split is no offset of the block's row
    split = steps is not None and steps.lanes and (channels, first_channel) != (c, 0)
    if split or _cut_blocks(rule, plans, whole, channels):
        y = _integer.apply(rule, x, plans, whole, frame)
        last = not x.flags.c_contiguous and x.transpose(0, 2, 3, 1).flags.c_contiguous
        return np.ascontiguousarray(y.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2) if last else y
    if rule == "round":
        order = sorted(range(2), key=lambda a: whole[a].out_size / whole[a].in_size)
        return _resample_cl.resample(x, plan_h, plan_w, shape, np.float64, np.uint8, h_first=order[0] == 0)
    box = _box(rule, plans, whole, channels)
    if box is not None:
        source, last = _resample_cl.rows_view(x)
        result, rows = _resample_cl.output_like(last, shape, np.uint8)
        fy, fx, shift = box
        scale = np.float32(1.0 / (fy * fx))
        _jit.split_planes(
            lambda a, b: _box_rows(source, rows, fy, fx, a, b, shift, scale, source.shape[3]),
            rows.shape[0] * rows.shape[1],
            source.size + rows.size,
        )
        return result
    if steps is None:  # OpenCV INTER_AREA by a non-integer factor
        return _resample_cl.resample(x, plan_h, plan_w, shape, np.float32, np.uint8)
    source, last = _resample_cl.rows_view(x)
    result, rows = _resample_cl.output_like(last, shape, np.uint8)
    iy, ix = np.ascontiguousarray(steps.iy), np.ascontiguousarray(steps.ix)
    qy, qx = steps.qy.astype(np.int32), steps.qx.astype(np.int32)  # every coefficient fits
    # the whole row's split, moved to the block's first column
    vector = (
        max((whole[1].out_size * c) // steps.lanes * steps.lanes - first_column * c, 0) if steps.lanes else 0
    )
    pmul, pmod = (1, 0) if last or c == 1 else (c, c)
    ring = _resample_cl.ring_size(iy)
    count = rows.shape[0] * rows.shape[1]
    scale = np.float32(steps.scale)
    _jit.split_planes(
        lambda a, b: _fixed_rows(
            source,
            iy,
            qy,
            ix,
            qx,
            rows,
            a,
            b,
            ring,
            steps.h_first,
            steps.hshift,
            steps.vshift,
            steps.vmode,
            vector,
            pmul,
            pmod,
            scale,
            source.shape[3],
        ),
        count,
        source.size + rows.size,
    )
    return result

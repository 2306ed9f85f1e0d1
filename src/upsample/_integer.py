"""uint8 images the way each framework computes them: the same sampling plans, integer arithmetic.

PyTorch, Pillow and OpenCV resize a uint8 image to a uint8 image, and each rounds in its
own fixed-point arithmetic, so two of them (or one of them and a float computation
rounded afterwards) can differ by one grey level. Each rule here applies an
interpolation's per-axis :class:`~upsample.interpolation.SamplingPlan`\\s with that
arithmetic; the plans themselves are the float path's. The rules are listed in
``upsample.conventions.INTEGER_RULES`` and named by each convention's row.

Axis legend: N batch, C channels, O output size along one axis, T taps per output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


__all__ = ["apply", "RULES"]


def _merged(plan) -> tuple[np.ndarray, np.ndarray]:
    """The plan with each row's repeated sources merged: (O, T') indices ``first + t`` and
    their summed weights, so a border pixel read twice is quantised once."""
    first = plan.index.min(axis=1)                                    # (O,)
    offset = plan.index - first[:, None]                              # (O, T) in [0, T')
    width = int(offset.max()) + 1
    weight = np.zeros((plan.out_size, width), dtype=np.float64)
    rows = np.broadcast_to(np.arange(plan.out_size)[:, None], offset.shape)
    np.add.at(weight, (rows, offset), plan.weight.astype(np.float64))
    index = np.minimum(first[:, None] + np.arange(width), plan.in_size - 1)
    return index, weight


def _quantise(weight: np.ndarray, bits: int) -> np.ndarray:
    """Weights to integers with ``bits`` fractional bits, halves away from zero (Pillow's and
    PyTorch's ``(int)(w * 2**bits +- 0.5)``)."""
    scaled = weight * float(1 << bits)
    return np.trunc(scaled + np.where(scaled < 0, -0.5, 0.5)).astype(np.int64)


def _torch_bits(weight: np.ndarray) -> int:
    """PyTorch's precision: the most fractional bits (< 22) for which twice the largest
    weight still fits an int16."""
    top = float(weight.max())
    for bits in range(22):
        if int(0.5 + top * (1 << (bits + 1))) >= 1 << 15:
            return bits
    return 22


def _taps_sum(x: np.ndarray, index: np.ndarray, weight: np.ndarray, axis: int) -> np.ndarray:
    """``sum over t of weight[o, t] * x[..., index[o, t], ...]`` in int64 along ``axis``."""
    along = [1] * x.ndim
    along[axis] = index.shape[0]                      # weights broadcast as (1, .., O, .., 1)
    total = np.zeros(x.shape[:axis] + (index.shape[0],) + x.shape[axis + 1:], dtype=np.int64)
    for t in range(index.shape[1]):
        total += np.take(x, index[:, t], axis=axis) * weight[:, t].reshape(along)
    return total


def _last_axis_first(plans: Sequence) -> list[int]:
    """PyTorch's pass order: W, then H (then D)."""
    return list(reversed(range(len(plans))))


def _pillow_order(plans: Sequence) -> list[int]:
    """Pillow 13's pass order, as measured: horizontal first, except vertical first when the
    height shrinks while the width grows."""
    order = _last_axis_first(plans)
    if len(plans) == 2 and plans[0].out_size < plans[0].in_size and plans[1].out_size > plans[1].in_size:
        order.reverse()
    return order


def _fixed_point(bits_of: Callable[[np.ndarray], int], order_of: Callable[[Sequence], list[int]]
                 ) -> Callable:
    """One pass per axis, each rounded back to uint8: PyTorch's and Pillow's separable uint8
    resampling (``(sum + 2**(bits-1)) >> bits``, clipped)."""
    def run(x: np.ndarray, plans: Sequence, whole: Sequence) -> np.ndarray:
        y = x
        for axis in order_of(whole):
            plan = plans[axis]
            if plan.is_identity:
                continue
            index, weight = _merged(plan)
            bits = bits_of(_merged(whole[axis])[1] if whole is not plans else weight)
            total = _taps_sum(y.astype(np.int64), index, _quantise(weight, bits), axis + 2)
            y = np.clip((total + (1 << (bits - 1))) >> bits, 0, 255).astype(np.uint8)
        return y if y is not x else y.copy()
    return run


def _opencv_linear(x: np.ndarray, plans: Sequence, whole: Sequence = ()) -> np.ndarray:
    """cv2.INTER_LINEAR on uint8: 11-bit weights; the horizontal pass keeps its integer sums
    (22 bits of fraction after the vertical one), and the vertical pass shifts as OpenCV's
    vector loop does, ``(sum_t ((w_t * (s_t >> 4)) >> 16) + 2) >> 2``.

    Horizontally a border source read twice is one weight (OpenCV clips that coordinate);
    vertically the two taps keep their own weights (OpenCV clamps the rows instead).
    """
    plan_h, plan_w = plans
    index_w, weight_w = _merged(plan_w)
    rows = _taps_sum(x.astype(np.int64), index_w, np.rint(weight_w.astype(np.float32) * 2048)
                     .astype(np.int64), 3)                                  # (N, C, H, OW)
    weight_h = np.rint(plan_h.weight.astype(np.float32) * 2048).astype(np.int64)
    total = np.zeros((*rows.shape[:2], plan_h.out_size, rows.shape[3]), dtype=np.int64)
    for t in range(plan_h.taps):
        sources = np.take(rows, plan_h.index[:, t], axis=2) >> 4          # (N, C, OH, OW)
        total += (weight_h[:, t].reshape(1, 1, -1, 1) * sources) >> 16
    return np.clip((total + 2) >> 2, 0, 255).astype(np.uint8)


def _round(x: np.ndarray, plans: Sequence, whole: Sequence) -> np.ndarray:
    """In float64, then rounded half to even and clipped (OpenCV's ``saturate_cast``)."""
    y = x.astype(np.float64)
    for axis in sorted(range(len(plans)), key=lambda a: whole[a].out_size / whole[a].in_size):
        y = plans[axis].apply(y.astype(np.float64, copy=False), axis + 2)
    limits = np.iinfo(x.dtype)
    return np.clip(np.rint(y), limits.min, limits.max).astype(x.dtype)


def _opencv_area(x: np.ndarray, plans: Sequence, whole: Sequence) -> np.ndarray:
    """cv2.INTER_AREA on uint8: when both axes shrink, a float sum rounded half to even (half
    up for the exact 2x2 average, OpenCV's ``(a + b + c + d + 2) >> 2``); otherwise OpenCV
    runs its linear loop on INTER_AREA's weights."""
    if all(p.out_size <= p.in_size for p in whole):
        if all(p.in_size == 2 * p.out_size for p in whole):
            y = x.astype(np.float64)
            for axis, plan in enumerate(plans):
                y = plan.apply(y, axis + 2)
            return np.floor(y + 0.5).astype(np.uint8)
        return _round(x, plans, whole)
    return _opencv_linear(x, plans)


def _pillow_wide(x: np.ndarray, plans: Sequence, whole: Sequence) -> np.ndarray:
    """Pillow's I;16 resampling: each pass in double, rounded half away from zero and clipped
    to the dtype's range, in Pillow's pass order."""
    limits = np.iinfo(x.dtype)
    y = x
    for axis in _pillow_order(whole):
        if plans[axis].is_identity:
            continue
        total = plans[axis].apply(y.astype(np.float64), axis + 2)
        y = np.clip(np.sign(total) * np.floor(np.abs(total) + 0.5), limits.min, limits.max
                    ).astype(x.dtype)
    return y if y is not x else y.copy()


def _opencv_float(x: np.ndarray, plans: Sequence, whole: Sequence) -> np.ndarray:
    """cv2.resize on 16-bit images: its float32 result, then ``saturate_cast`` (rounded half to
    even, clipped). Both passes in float32 with float32 weights, the horizontal first. (The
    float32 sums are not yet bit for bit OpenCV's, so a value on a tie can round the other way.)"""
    limits = np.iinfo(x.dtype)
    y = x.astype(np.float32)
    for axis in reversed(range(len(plans))):
        plan = plans[axis]
        if not plan.is_identity:
            y = type(plan)(plan.index, plan.weight.astype(np.float32), plan.in_size,
                           plan.out_size).apply(y, axis + 2)
    return np.clip(np.rint(y), limits.min, limits.max).astype(x.dtype)


def _opencv_area_wide(x: np.ndarray, plans: Sequence, whole: Sequence) -> np.ndarray:
    """cv2.INTER_AREA on 16-bit images: shrinking, a float sum rounded half to even (half up
    for the exact 2x2 average, ``(a + b + c + d + 2) >> 2``); growing, the float32 path."""
    if all(p.out_size <= p.in_size for p in whole):
        if all(p.in_size == 2 * p.out_size for p in whole):
            y = x.astype(np.float64)
            for axis, plan in enumerate(plans):
                y = plan.apply(y, axis + 2)
            return np.floor(y + 0.5).astype(x.dtype)
        return _round(x, plans, whole)
    return _opencv_float(x, plans, whole)


RULES: dict[str, Callable[[np.ndarray, Sequence, Sequence], np.ndarray]] = {
    "torch": _fixed_point(_torch_bits, _last_axis_first),
    "pillow": _fixed_point(lambda weight: 22, _pillow_order),
    "opencv_area": _opencv_area,
    "opencv_linear": _opencv_linear,
    "round": _round,
    "pillow_wide": _pillow_wide,
    "opencv_float": _opencv_float,
    "opencv_area_wide": _opencv_area_wide,
}


def apply(rule: str, x: np.ndarray, plans: Sequence, whole: Sequence | None = None) -> np.ndarray:
    """Resample the uint8 array ``x`` (N, C, *spatial) by ``plans`` with integer rule ``rule``.

    ``whole``: when ``plans`` are some rows of a larger resize (a block of it, as
    ``upsample.dask`` runs), that resize's plans. The rules take every decision from
    them (the order of the passes, the weights' precision, which loop OpenCV runs), so a
    block computes exactly the bytes the whole image has there.
    """
    return RULES[rule](x, plans, plans if whole is None else whole)

"""uint8 images the way each framework computes them: the same sampling plans, integer arithmetic.

PyTorch, Pillow and OpenCV resize a uint8 image to a uint8 image, and each rounds in its
own fixed-point arithmetic, so two of them (or one of them and a float computation
rounded afterwards) can differ by one grey level. These NumPy rules are the readable
reference; :mod:`upsample._integer_loops` computes the same bytes in compiled loops, and
the tests compare the two and both with the real frameworks. Each rule here applies an
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
    first = plan.index.min(axis=1)  # (O,)
    offset = plan.index - first[:, None]  # (O, T) in [0, T')
    width = int(offset.max()) + 1
    weight = np.zeros((plan.out_size, width), dtype=np.float64)
    rows = np.broadcast_to(np.arange(plan.out_size)[:, None], offset.shape)
    np.add.at(weight, (rows, offset), plan.weight.astype(np.float64))
    index = np.minimum(first[:, None] + np.arange(width), plan.in_size - 1)
    return index, weight


def _frame(channels: int, frame: Sequence[int] | None) -> tuple[int, int, int]:
    """Where a block of ``channels`` channels lies in the whole image: (the whole image's
    channel count, the block's first channel, its first output column); the block is the
    whole image when ``frame`` is None."""
    return (channels, 0, 0) if frame is None else (int(frame[0]), int(frame[1]), int(frame[2]))


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
    along[axis] = index.shape[0]  # weights broadcast as (1, .., O, .., 1)
    total = np.zeros(x.shape[:axis] + (index.shape[0],) + x.shape[axis + 1 :], dtype=np.int64)
    for t in range(index.shape[1]):
        total += np.take(x, index[:, t], axis=axis) * weight[:, t].reshape(along)
    return total


def _last_axis_first(plans: Sequence) -> list[int]:
    """PyTorch's pass order: W, then H (then D)."""
    return list(reversed(range(len(plans))))


def pillow_vertical_first(plans: Sequence) -> bool:
    """Whether Pillow runs its vertical pass first: the height shrinks, and by more than
    twice what the width loses, ``2 * (W - OW) < H - OH``.

    Measured on Pillow 13.0.0 (the version the tests run against) over every size pair
    1..40 and 1500 random ones, for BILINEAR, BICUBIC and LANCZOS: its ``Resample.c``
    picks the order from the sizes (upstream's main branch always runs the horizontal pass
    first; a later branch runs the vertical one first when only the height shrinks)."""
    if len(plans) != 2:
        return False
    (h, oh), (w, ow) = ((p.in_size, p.out_size) for p in plans)
    return oh < h and 2 * (w - ow) < h - oh


def _pillow_order(plans: Sequence) -> list[int]:
    """Pillow's pass order: horizontal (W) first unless :func:`pillow_vertical_first`."""
    order = _last_axis_first(plans)
    return order[::-1] if pillow_vertical_first(plans) else order


def pillow_premultiply(x: np.ndarray) -> np.ndarray:
    """RGBA to Pillow's premultiplied RGBa, (..., 4) uint8: each colour times alpha over 255,
    ``t = c * a + 128; ((t >> 8) + t) >> 8`` (its ``MULDIV255``), alpha kept."""
    t = x[..., :3].astype(np.int32) * x[..., 3:].astype(np.int32) + 128
    return np.concatenate([((t >> 8) + t) >> 8, x[..., 3:]], axis=-1).astype(np.uint8)


def pillow_unpremultiply(x: np.ndarray) -> np.ndarray:
    """RGBa back to RGBA, (..., 4) uint8: each colour ``min(255 * c // a, 255)`` (truncated),
    and left as it is where alpha is 0 or 255."""
    alpha = x[..., 3:].astype(np.int32)
    colour = x[..., :3].astype(np.int32)
    divided = np.minimum(255 * colour // np.maximum(alpha, 1), 255)
    keep = (alpha == 0) | (alpha == 255)
    return np.concatenate([np.where(keep, colour, divided), x[..., 3:]], axis=-1).astype(np.uint8)


def pillow_reduce(x: np.ndarray, factors: tuple[int, int], box: tuple[int, int, int, int]) -> np.ndarray:
    """Pillow's ``Image.reduce``: the mean of each ``fy x fx`` block of the integer box
    ``(x0, y0, x1, y1)`` of ``x`` (H, W, C), the blocks of the last row and column cut short
    by the box's edge (each averages the pixels it has) -> (ceil(h / fy), ceil(w / fx), C).

    uint8: the block's ``n`` pixels summed, then ``((sum + n // 2) * m) >> 24`` with the
    32-bit multiplier ``m = (uint32)(float32(2**32) / float32(256 * n))`` (``Reduce.c``'s
    rounding; its special cases for small factors are this same formula). float32: the sum
    in float64 times ``1.0 / n``, stored as float32 (Pillow adds the block's pixels in another
    order, which can move the last bit)."""
    x0, y0, x1, y1 = box
    region = x[y0:y1, x0:x1]
    fy, fx = factors
    starts_y, starts_x = np.arange(0, y1 - y0, fy), np.arange(0, x1 - x0, fx)
    wide = np.float64 if x.dtype.kind == "f" else np.int64
    sums = np.add.reduceat(np.add.reduceat(region.astype(wide), starts_y, axis=0), starts_x, axis=1)
    counts = np.minimum(fy, (y1 - y0) - starts_y)[:, None] * np.minimum(fx, (x1 - x0) - starts_x)[None, :]
    counts = counts[..., None]  # (OH, OW, 1)
    if x.dtype.kind == "f":
        return (sums * (1.0 / counts)).astype(x.dtype)
    multiplier = (np.float32(2**32) / (counts * 256).astype(np.float32)).astype(np.int64)
    total = ((sums + counts // 2) * multiplier) & 0xFFFFFFFF  # uint32 arithmetic
    return (total >> 24).astype(x.dtype)


def _fixed_point(bits_of: Callable[[np.ndarray], int], order_of: Callable[[Sequence], list[int]]) -> Callable:
    """One pass per axis, each rounded back to uint8: PyTorch's and Pillow's separable uint8
    resampling (``(sum + 2**(bits-1)) >> bits``, clipped)."""

    def run(x: np.ndarray, plans: Sequence, whole: Sequence, frame=None) -> np.ndarray:
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


def _opencv_linear(x: np.ndarray, plans: Sequence, whole: Sequence = (), frame=None) -> np.ndarray:
    """cv2.INTER_LINEAR on uint8: 11-bit weights; the horizontal pass keeps its integer sums
    (22 bits of fraction after the vertical one), and the vertical pass shifts as OpenCV's
    vector loop does, ``(sum_t ((w_t * (s_t >> 4)) >> 16) + 2) >> 2``.

    Horizontally a border source read twice is one weight (OpenCV clips that coordinate);
    vertically the two taps keep their own weights (OpenCV clamps the rows instead).
    Shrinking by exactly 2 on both axes, OpenCV runs INTER_AREA (:func:`_opencv_area`).
    """
    if whole and opencv_area_factors(whole) == (2, 2):
        return _opencv_area(x, plans, whole, frame)
    plan_h, plan_w = plans
    index_w, weight_w = _merged(plan_w)
    rows = _taps_sum(
        x.astype(np.int64), index_w, np.rint(weight_w.astype(np.float32) * 2048).astype(np.int64), 3
    )  # (N, C, H, OW)
    weight_h = np.rint(plan_h.weight.astype(np.float32) * 2048).astype(np.int64)
    total = np.zeros((*rows.shape[:2], plan_h.out_size, rows.shape[3]), dtype=np.int64)
    for t in range(plan_h.taps):
        sources = np.take(rows, plan_h.index[:, t], axis=2) >> 4  # (N, C, OH, OW)
        total += (weight_h[:, t].reshape(1, 1, -1, 1) * sources) >> 16
    return np.clip((total + 2) >> 2, 0, 255).astype(np.uint8)


def _round(x: np.ndarray, plans: Sequence, whole: Sequence, frame=None) -> np.ndarray:
    """In float64, then rounded half to even and clipped (OpenCV's ``saturate_cast``)."""
    y = x.astype(np.float64)
    for axis in sorted(range(len(plans)), key=lambda a: whole[a].out_size / whole[a].in_size):
        y = plans[axis].apply(y.astype(np.float64, copy=False), axis + 2)
    limits = np.iinfo(x.dtype)
    return np.clip(np.rint(y), limits.min, limits.max).astype(x.dtype)


def opencv_area_factors(whole: Sequence) -> tuple[int, int] | None:
    """The integer factors (fy, fx) when cv2.INTER_AREA takes its "fast" path: both scales
    ``1 / factor``, computed as OpenCV does in double from the factor that placed the samples
    (``fx``/``fy`` when given, else ``out/in``; ``SamplingPlan.scale``), within DBL_EPSILON of
    an integer; else None. ``fx=0.5`` on a width of 5 is a factor 2, though the sizes are
    5 -> 2."""
    factors = []
    for plan in whole:
        scale = 1.0 / plan.scale
        nearest = round(scale)
        if abs(scale - nearest) >= np.finfo(np.float64).eps:
            return None
        factors.append(int(nearest))
    return factors[0], factors[1]


def opencv_shrinks(whole: Sequence) -> bool:
    """Whether cv2.INTER_AREA shrinks (its area loops) rather than grows (its linear loop):
    ``1 / factor >= 1`` on both axes, the factor being ``fx``/``fy`` when given."""
    return all(1.0 / plan.scale >= 1.0 for plan in whole)


def opencv_blocks(plan, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """The integer fast path's blocks along one axis: output ``o`` averages the sources
    ``first + t`` for ``t < factor`` (``first`` the plan's first tap, ``factor * o`` in the
    whole image) that exist -> (O, factor) indices (clamped) and which of them are real. The
    block of the last output can run past the image's end (``fx=0.5`` on a width of 3 makes
    2 outputs); OpenCV averages the pixels it has. A tap is real when the plan reads it: its
    index is ``first + t`` (an area plan pads its short rows with ``first``, a linear plan
    clamps its taps to the last pixel)."""
    first = plan.index[:, :1]
    index = first + np.arange(factor)  # (O, factor)
    live = np.zeros(index.shape, dtype=bool)
    taps = min(plan.taps, factor)
    live[:, :taps] = plan.index[:, :taps] == index[:, :taps]
    live[:, 0] = True
    return np.minimum(index, plan.in_size - 1), live


def _block_sum_float(x: np.ndarray, blocks: Sequence, fy: int, fx: int) -> np.ndarray:
    """cv2.INTER_AREA's block sum on 16-bit images (integer factors, whole blocks): a float32
    sum over the block read row by row, four pixels at a time (their sum exact in integers),
    then the last ``fy*fx % 4`` one by one."""
    (index_h, _), (index_w, _) = blocks

    def pixel(k):
        sy, sx = divmod(k, fx)
        return np.take(np.take(x, index_h[:, sy], axis=2), index_w[:, sx], axis=3).astype(np.int64)

    area = fy * fx
    total = np.zeros(x.shape[:2] + (len(index_h), len(index_w)), dtype=np.float32)
    for k in range(0, area - 3, 4):
        total += (pixel(k) + pixel(k + 1) + pixel(k + 2) + pixel(k + 3)).astype(np.float32)
    for k in range(area - area % 4, area):
        total += pixel(k).astype(np.float32)
    return total


def _cut_blocks(x: np.ndarray, blocks: Sequence, fy: int, fx: int) -> np.ndarray:
    """cv2.INTER_AREA's fast path on the blocks cut by the image's end: the pixels it has
    summed one by one, row by row (in integers for uint8, in float32 for 16-bit images),
    then ``(float)sum / count`` -> float32 (N, C, OH, OW)."""
    (index_h, live_h), (index_w, live_w) = blocks
    wide = x.dtype == np.uint8
    total = np.zeros(x.shape[:2] + (len(index_h), len(index_w)), dtype=np.int64 if wide else np.float32)
    for sy in range(fy):
        rows = np.take(x, index_h[:, sy], axis=2)
        for sx in range(fx):
            live = live_h[:, sy, None] & live_w[None, :, sx]  # (OH, OW)
            pixel = np.take(rows, index_w[:, sx], axis=3).astype(total.dtype)
            total += np.where(live, pixel, total.dtype.type(0))
    count = live_h.sum(axis=1)[:, None] * live_w.sum(axis=1)[None, :]
    return total.astype(np.float32) / count.astype(np.float32)


def _opencv_area_fast(x: np.ndarray, plans: Sequence, fy: int, fx: int, frame=None) -> np.ndarray:
    """cv2.INTER_AREA's integer fast path (``resizeAreaFast_``): whole blocks summed, then
    ``(sum + 2) >> 2`` for 2x2 with 1, 3 or 4 channels (its vector loop), else
    ``sum * (1.f / (fy*fx))`` in float32 (uint8 sums in integers, 16-bit ones by
    :func:`_block_sum_float`); blocks cut by the image's end by :func:`_cut_blocks`; then
    rounded half to even and clipped. The channel count is the whole image's (``frame``)."""
    limits = np.iinfo(x.dtype)
    blocks = (opencv_blocks(plans[0], fy), opencv_blocks(plans[1], fx))
    (index_h, live_h), (index_w, live_w) = blocks
    whole = live_h.all(axis=1)[:, None] & live_w.all(axis=1)[None, :]  # (OH, OW)
    ones_h, ones_w = np.ones(index_h.shape, np.int64), np.ones(index_w.shape, np.int64)
    if fy == fx == 2 and _frame(x.shape[1], frame)[0] in (1, 3, 4):
        total = _taps_sum(_taps_sum(x.astype(np.int64), index_w, ones_w, 3), index_h, ones_h, 2)
        fast = ((total + 2) >> 2).astype(np.float32)
    elif x.dtype == np.uint8:
        total = _taps_sum(_taps_sum(x.astype(np.int64), index_w, ones_w, 3), index_h, ones_h, 2)
        fast = total.astype(np.float32) * np.float32(1.0 / (fy * fx))
    else:
        fast = _block_sum_float(x, blocks, fy, fx) * np.float32(1.0 / (fy * fx))
    if not whole.all():
        fast = np.where(whole, fast, _cut_blocks(x, blocks, fy, fx))
    return np.clip(np.rint(fast), limits.min, limits.max).astype(x.dtype)


def _opencv_area(x: np.ndarray, plans: Sequence, whole: Sequence, frame=None) -> np.ndarray:
    """cv2.INTER_AREA on uint8, uint16 and int16 (``resize.cpp``). When both axes shrink:

    * integer factors (fy, fx), from ``fx``/``fy`` when given: the block means of
      :func:`_opencv_area_fast`;
    * otherwise each row's taps summed in float32 with float32 weights (along W, then the
      rows along H, in tap order), rounded half to even.

    When an axis grows, OpenCV runs its linear loop on INTER_AREA's weights (uint8's fixed
    point, or the float32 passes of :func:`_opencv_linear_float` for 16-bit images)."""
    limits = np.iinfo(x.dtype)
    if not opencv_shrinks(whole):
        return (
            _opencv_linear(x, plans) if x.dtype == np.uint8 else _opencv_linear_float(x, plans, whole, frame)
        )
    factors = opencv_area_factors(whole)
    if factors is not None:
        return _opencv_area_fast(x, plans, *factors, frame)
    y = x.astype(np.float32)
    for axis in (1, 0):  # W, then H
        plan = plans[axis]
        along = [1] * x.ndim
        along[axis + 2] = plan.out_size
        weight = plan.weight.astype(np.float32)
        total = np.take(y, plan.index[:, 0], axis=axis + 2) * weight[:, 0].reshape(along)
        for t in range(1, plan.taps):
            total += np.take(y, plan.index[:, t], axis=axis + 2) * weight[:, t].reshape(along)
        y = total
    return np.clip(np.rint(y), limits.min, limits.max).astype(x.dtype)


#: int16 lanes of the vector loop cv2's vertical cubic pass runs on this build (SSE: 8)
OPENCV_CUBIC_LANES = 8


def _keys_075(x: np.ndarray) -> np.ndarray:
    """OpenCV's ``interpolateCubic`` (Keys, a = -0.75) in float32: the four weights of the
    taps at -1, 0, 1, 2 from the fraction ``x``, the last one ``1 - the others``."""
    one, a = np.float32(1), np.float32(-0.75)
    c0 = ((a * (x + one) - 5 * a) * (x + one) + 8 * a) * (x + one) - 4 * a
    c1 = ((a + 2) * x - (a + 3)) * x * x + one
    c2 = ((a + 2) * (one - x) - (a + 3)) * (one - x) * (one - x) + one
    return np.stack([c0, c1, c2, one - c0 - c1 - c2], axis=-1)


def _opencv_fraction(weight: np.ndarray) -> np.ndarray:
    """OpenCV's float32 fraction ``fx`` of each row of a cubic plan's float64 weights (O, 4).

    The plan computed its weights from the exact ``fx = src - floor(src)`` (``src`` in float32);
    OpenCV rounds that difference to float32 (it is not a float32 when ``src`` < 0). ``fx`` is
    read back by bisection from the weight where the cubic is steep (``inner(fx)`` of the tap
    at ``floor(src)`` when ``fx >= 0.5``, else ``inner(1 - fx)`` of the next), within about
    1e-15, then rounded to float32; a value within 1e-14 of the midpoint of two float32s is
    that midpoint, a tie, which float32 subtraction rounds to the even one."""
    a = -0.75
    inner = lambda v: ((a + 2) * v - (a + 3)) * v * v + 1  # Keys on [0, 1], decreasing
    upper = weight[:, 1] <= weight[:, 2]  # fx >= 0.5
    target = np.where(upper, weight[:, 1], weight[:, 2])
    lo, hi = np.full(len(target), 0.5), np.ones(len(target))  # v in [0.5, 1], slope <= -0.75
    for _ in range(64):
        mid = (lo + hi) / 2
        above = inner(mid) > target
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    exact = np.where(upper, (lo + hi) / 2, 1 - (lo + hi) / 2)
    down = exact.astype(np.float32)
    down = np.where(down > exact, np.nextafter(down, np.float32(-1)), down)
    up = np.nextafter(down, np.float32(2))
    tie = np.abs(exact - (down.astype(np.float64) + up) / 2) < 1e-14
    even = np.where(down.view(np.uint32) & 1, up, down)
    return np.where(tie, even, exact.astype(np.float32))


def opencv_cubic_float(plan) -> np.ndarray:
    """cv2.INTER_CUBIC's float32 weights of a cubic plan's taps, (O, T) float32.

    OpenCV evaluates the cubic in float32 from each output's float32 fraction ``fx``; the plan
    holds the weights in float64, which can round to other float32 values. So ``fx`` is read
    back from the plan (:func:`_opencv_fraction`) and the weights are evaluated as OpenCV
    does. Rows with fewer than four taps have ``fx = 0`` (one tap of weight 1), already
    exact."""
    weight = plan.weight.astype(np.float64)
    if plan.taps != 4:
        return weight.astype(np.float32)
    live = np.count_nonzero(weight, axis=1) == 4
    return np.where(live[:, None], _keys_075(_opencv_fraction(weight)), weight.astype(np.float32))


def opencv_cubic_weights(plan) -> np.ndarray:
    """cv2.INTER_CUBIC's 11-bit weights of a cubic plan's taps, (O, T) int64: OpenCV's float32
    weights (:func:`opencv_cubic_float`) each rounded on its own, ``saturate_cast<short>(w *
    2048)`` (half to even)."""
    return np.rint(opencv_cubic_float(plan) * np.float32(2048)).astype(np.int64)


def opencv_eleven_bits(plan) -> np.ndarray:
    """A plan's float32 weights rounded to 11 bits, each tap on its own (``saturate_cast<short>
    (w * 2048)``, half to even): INTER_LANCZOS4's plans hold OpenCV's float32 weights."""
    return np.rint(plan.weight.astype(np.float32) * np.float32(2048)).astype(np.int64)


def _opencv_taps(weights_of: Callable, lanes: int) -> Callable:
    """cv2.INTER_CUBIC and INTER_LANCZOS4 on uint8, OpenCV's own arithmetic (``resize.cpp``,
    as cv2 runs it with Intel IPP switched off): each tap's weight rounded to 11 bits on its
    own (``weights_of(plan)``; a border pixel read twice keeps both weights); the horizontal
    sums kept exact; vertically, a row's first ``lanes * k`` values (a vector loop over the
    W*C interleaved values; none when ``lanes`` is 0) are ``rint(sum_t S_t * (b_t / 2**22))``
    in float32, summed from the last tap to the first, and the rest (the scalar loop)
    ``(sum_t S_t * b_t + 2**21) >> 22``."""

    def run(x: np.ndarray, plans: Sequence, whole: Sequence = (), frame=None) -> np.ndarray:
        plan_h, plan_w = plans
        rows = _taps_sum(x.astype(np.int64), plan_w.index, weights_of(plan_w), 3)  # (N, C, H, OW)
        weight_h = weights_of(plan_h)
        sources = [np.take(rows, plan_h.index[:, t], axis=2) for t in range(plan_h.taps)]
        exact = sum(s * weight_h[:, t].reshape(1, 1, -1, 1) for t, s in enumerate(sources))
        tail = np.clip((exact + (1 << 21)) >> 22, 0, 255)  # (N, C, OH, OW)
        if not lanes:
            return tail.astype(np.uint8)
        scaled = weight_h.astype(np.float32) * np.float32(1.0 / (1 << 22))  # (OH, T)
        total = sources[-1].astype(np.float32) * scaled[:, -1].reshape(1, 1, -1, 1)
        for t in range(plan_h.taps - 2, -1, -1):
            total = sources[t].astype(np.float32) * scaled[:, t].reshape(1, 1, -1, 1) + total
        vector = np.clip(np.rint(total), 0, 255)
        covered = _lanes_covered(rows.shape[1], rows.shape[3], lanes, (whole or plans)[1].out_size, frame)
        return np.where(covered[None, :, None, :], vector, tail).astype(np.uint8)

    return run


def opencv_exact_weights(plan, bits: int) -> np.ndarray:
    """cv2.INTER_LINEAR_EXACT's fixed-point weights of an exact-linear plan, (O, 2) int64: the
    second tap's fraction rounded to ``bits`` fractional bits (half to even), the first
    ``2**bits`` minus it."""
    second = np.rint(plan.weight[:, 1].astype(np.float64) * (1 << bits)).astype(np.int64)
    return np.stack([(1 << bits) - second, second], axis=1)


def _opencv_linear_exact(x: np.ndarray, plans: Sequence, whole: Sequence, frame=None) -> np.ndarray:
    """cv2.INTER_LINEAR_EXACT on uint8, uint16 and int16 (``resize_bitExact``): weights with
    ``b`` = 8 (uint8) or 16 (16-bit) fractional bits, the horizontal sums exact (``b`` bits of
    fraction), the vertical ``(sum + 2**(2b-1)) >> 2b``, clipped. Shrinking by exactly 2 on
    both axes, OpenCV runs INTER_AREA instead (unless the image has 2 channels)."""
    if opencv_area_factors(whole) == (2, 2) and _frame(x.shape[1], frame)[0] != 2:
        return _opencv_area(x, plans, whole, frame)
    bits = 8 if x.dtype == np.uint8 else 16
    plan_h, plan_w = plans
    rows = _taps_sum(x.astype(np.int64), plan_w.index, opencv_exact_weights(plan_w, bits), 3)
    total = _taps_sum(rows, plan_h.index, opencv_exact_weights(plan_h, bits), 2)
    limits = np.iinfo(x.dtype)
    return np.clip((total + (1 << (2 * bits - 1))) >> (2 * bits), limits.min, limits.max).astype(x.dtype)


def _pillow_wide(x: np.ndarray, plans: Sequence, whole: Sequence, frame=None) -> np.ndarray:
    """Pillow's I;16 resampling: each pass in double, rounded half away from zero and clipped
    to the dtype's range, in Pillow's pass order."""
    limits = np.iinfo(x.dtype)
    y = x
    for axis in _pillow_order(whole):
        if plans[axis].is_identity:
            continue
        total = plans[axis].apply(y.astype(np.float64), axis + 2)
        y = np.clip(np.sign(total) * np.floor(np.abs(total) + 0.5), limits.min, limits.max).astype(x.dtype)
    return y if y is not x else y.copy()


def _lanes_covered(c: int, ow: int, lanes: int, whole_ow: int, frame=None) -> np.ndarray:
    """(C, OW): which values of a block's output row a vector loop of ``lanes`` covers: the
    whole row's interleaved (whole OW, whole C) values up to a multiple of the lanes (none
    when ``lanes`` is 0), the block's at its place in that row (``frame``, see
    :func:`_frame`)."""
    channels, first_channel, first_column = _frame(c, frame)
    position = (first_column + np.arange(ow))[None, :] * channels + (first_channel + np.arange(c))[:, None]
    return position < ((whole_ow * channels) // lanes * lanes if lanes else 0)


def _float_taps(y: np.ndarray, index: np.ndarray, weight: np.ndarray, axis: int, backward=None) -> np.ndarray:
    """``sum_t weight[o, t] * y[.., index[o, t], ..]`` along ``axis`` in float32, each product
    rounded and the taps added from the first to the last; where ``backward`` (a mask that
    broadcasts against the result) is set, from the last to the first."""
    along = [1] * y.ndim
    along[axis] = index.shape[0]  # weights broadcast as (1, .., O, .., 1)
    weight = weight.astype(np.float32)
    terms = [np.take(y, index[:, t], axis=axis) * weight[:, t].reshape(along) for t in range(index.shape[1])]
    forward = terms[0]
    for term in terms[1:]:
        forward = forward + term
    if backward is None or len(terms) < 2:
        return forward
    total = terms[-1]
    for term in terms[-2::-1]:
        total = term + total
    return np.where(backward, total, forward)


def _opencv_float(
    x: np.ndarray,
    plans: Sequence,
    whole: Sequence,
    frame=None,
    lanes: int = 0,
    weights_of: Callable | None = None,
) -> np.ndarray:
    """cv2.resize on 16-bit images (``resize.cpp``'s float loops, as cv2 runs them with Intel
    IPP off): both passes in float32, the horizontal first, with float32 weights (the plan's,
    or ``weights_of(plan)``), then ``saturate_cast`` (rounded half to even, clipped). Each
    output adds its products from the first tap to the last, no product fused with its sum
    (the build's SSE3 baseline has no FMA), except the vertical vector loop of ``lanes`` (see
    :func:`_lanes_covered`), which adds from the last tap to the first. Border taps read a
    clamped row or column and keep their own weights (INTER_CUBIC's and INTER_LANCZOS4's
    loops; the linear loops' are :func:`_opencv_linear_float`)."""
    limits = np.iinfo(x.dtype)
    plan_h, plan_w = plans
    weights_of = weights_of or (lambda plan: plan.weight)
    y = x.astype(np.float32)
    if not plan_w.is_identity:
        y = _float_taps(y, plan_w.index, weights_of(plan_w), 3)
    if not plan_h.is_identity:
        covered = _lanes_covered(y.shape[1], y.shape[3], lanes, whole[1].out_size, frame) if lanes else None
        backward = covered[None, :, None, :] if lanes else None
        y = _float_taps(y, plan_h.index, weights_of(plan_h), 2, backward)
    return np.clip(np.rint(y), limits.min, limits.max).astype(x.dtype)


def _opencv_linear_float(x: np.ndarray, plans: Sequence, whole: Sequence, frame=None) -> np.ndarray:
    """cv2.INTER_LINEAR on 16-bit images, and INTER_AREA's linear loop when an axis grows: the
    float32 passes of :func:`_opencv_float` with weights ``1 - fx`` and ``fx``, except that a
    horizontal coordinate left of the first column or right of the last is clamped to that
    column, one tap of weight 1 (its value unchanged); vertically the two taps read clamped
    rows and keep their weights (:func:`opencv_linear_float`). Shrinking by exactly 2 on both
    axes is INTER_AREA."""
    if opencv_area_factors(whole) == (2, 2):
        return _opencv_area(x, plans, whole, frame)
    plan_h, plan_w = plans
    limits = np.iinfo(x.dtype)
    y = x.astype(np.float32)
    if not plan_w.is_identity:
        y = _float_taps(y, *_merged(plan_w), 3)
    if not plan_h.is_identity:
        y = _float_taps(y, plan_h.index, opencv_linear_float(plan_h), 2)
    return np.clip(np.rint(y), limits.min, limits.max).astype(x.dtype)


def opencv_linear_float(plan) -> np.ndarray:
    """OpenCV's float32 weights ``1.f - fx`` and ``fx`` of a linear plan's two taps, (O, 2)
    float32 (a one-tap plan's weights are 1). OpenCV takes ``fx = src - floor(src)`` in
    float32, which rounds when ``src`` is negative; the plan holds that difference exact
    (the second tap's weight), so ``fx`` is it rounded to float32, and ``1 - fx`` is taken
    in float32 from there."""
    if plan.taps == 1:
        return plan.weight.astype(np.float32)
    fx = plan.weight[:, 1].astype(np.float32)
    return np.stack([np.float32(1) - fx, fx], axis=1)


def _opencv_cubic_wide(x: np.ndarray, plans: Sequence, whole: Sequence, frame=None) -> np.ndarray:
    """cv2.INTER_CUBIC on 16-bit images: :func:`_opencv_float` with OpenCV's float32 cubic
    weights (:func:`opencv_cubic_float`); the vertical vector loop (8 lanes, uint16 and int16
    alike) adds from the last tap."""
    return _opencv_float(x, plans, whole, frame, lanes=OPENCV_CUBIC_LANES, weights_of=opencv_cubic_float)


def _opencv_lanczos4_wide(x: np.ndarray, plans: Sequence, whole: Sequence, frame=None) -> np.ndarray:
    """cv2.INTER_LANCZOS4 on 16-bit images: :func:`_opencv_float`; on int16 the vertical
    pass's vector loop (8 lanes) sums from the last tap (uint16's loop, from the first, gives
    the first-to-last sums)."""
    return _opencv_float(x, plans, whole, frame, lanes=8 if x.dtype == np.int16 else 0)


RULES: dict[str, Callable[..., np.ndarray]] = {
    "torch": _fixed_point(_torch_bits, _last_axis_first),
    "pillow": _fixed_point(lambda weight: 22, _pillow_order),
    "opencv_area": _opencv_area,
    "opencv_linear": _opencv_linear,
    "opencv_cubic": _opencv_taps(opencv_cubic_weights, OPENCV_CUBIC_LANES),
    "opencv_lanczos4": _opencv_taps(opencv_eleven_bits, 0),  # no vector loop: VResizeNoVec
    "round": _round,
    "pillow_wide": _pillow_wide,
    "opencv_float": _opencv_linear_float,
    "opencv_cubic_wide": _opencv_cubic_wide,
    "opencv_lanczos4_wide": _opencv_lanczos4_wide,
    "opencv_linear_exact": _opencv_linear_exact,
}


def apply(
    rule: str,
    x: np.ndarray,
    plans: Sequence,
    whole: Sequence | None = None,
    frame: Sequence[int] | None = None,
) -> np.ndarray:
    """Resample the uint8 array ``x`` (N, C, *spatial) by ``plans`` with integer rule ``rule``.

    ``whole``: when ``plans`` are some rows of a larger resize (a block of it, as
    ``upsample.dask`` runs), that resize's plans. The rules take every decision from
    them (the order of the passes, the weights' precision, which loop OpenCV runs), so a
    block computes exactly the bytes the whole image has there. ``frame``: where the block
    lies in the whole image, (the whole image's channel count, the block's first channel, its
    first output column); OpenCV picks its 2x2 shrink from the channel count, and its vector
    loops split a row of interleaved values where the whole row splits.
    """
    return RULES[rule](x, plans, plans if whole is None else whole, frame)

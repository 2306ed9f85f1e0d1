"""Output sizes and padding rules of every op: pure integer functions.

Each function takes an int (one spatial dimension) or a tuple (one entry per spatial
dimension) and answers in kind; impossible sizes raise a ValueError naming the function.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _args

Size = int | tuple[int, ...]


def _ndim(op: str, **values: Any) -> int | None:
    """The number of spatial dims implied by the per-dimension arguments; None if all are scalar."""
    lengths = {name: len(v) for name, v in values.items() if isinstance(v, (tuple, list))}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name}={values[name]!r}" for name in lengths)
        raise ValueError(
            f"{op}: per-dimension arguments must agree on the number of spatial dimensions, got {listed}"
        )
    return next(iter(lengths.values()), None)


def _answer(values: list[int], scalar: bool) -> Size:
    return values[0] if scalar else tuple(values)


def _window(
    op: str, size: Any, kernel_size: Any, stride: Any, dilation: Any, padding: Any, **more: Any
) -> tuple[bool, tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The common arguments of a windowed op: whether the call is scalar, then i, k, s, d.

    ``padding`` counts towards the number of dims when it is a sequence (an int or a pair
    per dim), not when it is a string; ``stride=None`` means ``kernel_size``.
    """
    plain = 0 if isinstance(padding, str) else padding
    n = _ndim(op, size=size, kernel_size=kernel_size, stride=stride, dilation=dilation, padding=plain, **more)
    scalar, n = n is None, n or 1
    i = _args.int_tuple(op, "size", size, n, minimum=0)
    k = _args.int_tuple(op, "kernel_size", kernel_size, n, minimum=1)
    s = k if stride is None else _args.int_tuple(op, "stride", stride, n, minimum=1)
    d = _args.int_tuple(op, "dilation", dilation, n, minimum=1)
    return scalar, i, k, s, d


# --------------------------------------------------------------------------- conv


def _same_pair(i: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's "SAME" padding: o = ceil(i / s), the odd pixel going to the end."""
    total = max((math.ceil(i / s) - 1) * s + d * (k - 1) + 1 - i, 0)
    return total // 2, total - total // 2


def conv_size(i: int, k: int, s: int, pad: tuple[int, int], d: int) -> int:
    """One axis of :func:`conv_output_size`, unchecked: ``(i + p_lo + p_hi - d*(k-1) - 1) // s + 1``."""
    return (i + pad[0] + pad[1] - d * (k - 1) - 1) // s + 1


def conv_padding(
    size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Any = 0,
    dilation: Size = 1,
    *,
    op: str = "conv_padding",
) -> tuple[tuple[int, int], ...]:
    """Resolve any accepted form of conv padding to per-dimension ``(p_lo, p_hi)`` pairs.

    ``padding`` is an int, one int per dim, one ``(lo, hi)`` pair per dim, ``"valid"``
    (no padding) or ``"same"``. ``"same"`` follows TensorFlow: the output is ``ceil(i / s)``
    and the total padding ``max((o - 1) * s + d * (k - 1) + 1 - i, 0)`` is split with
    the odd pixel at the end. For stride 1 this is also PyTorch's ``padding="same"``.

    >>> conv_padding(5, 3, padding="same")
    ((1, 1),)
    >>> conv_padding((6, 6), (4, 4), stride=2, padding="same")
    ((1, 1), (1, 1))
    """
    _, i, k, s, d = _window(op, size, kernel_size, stride, dilation, padding)
    if isinstance(padding, str):
        mode = _args.choice(op, "padding", padding, ("valid", "same"))
        if mode == "valid":
            return ((0, 0),) * len(i)
        return tuple(_same_pair(*args) for args in zip(i, k, s, d))
    return _args.pad_pairs(op, "padding", padding, len(i))


def conv_output_size(
    size: Size, kernel_size: Size, stride: Size = 1, padding: Any = 0, dilation: Size = 1
) -> Size:
    """Output size of a convolution: ``o = floor((i + p_lo + p_hi - d*(k-1) - 1) / s) + 1``.

    With symmetric padding and no dilation this is D&V relationship 6,
    ``o = floor((i + 2p - k) / s) + 1``; the dilated form is D&V relationship 15 and
    PyTorch's ``torch.nn.Conv2d`` formula. ``padding`` takes every form that
    :func:`conv_padding` accepts; ``"same"`` gives ``ceil(i / s)``.

    The article's example, a 5x5 input and a 3x3 kernel at stride 1:

    >>> conv_output_size((5, 5), 3)
    (3, 3)
    >>> conv_output_size(7, 3, stride=2, padding="same")
    4
    """
    op = "conv_output_size"
    scalar, i, k, s, d = _window(op, size, kernel_size, stride, dilation, padding)
    pads = conv_padding(size, kernel_size, stride, padding, dilation, op=op)
    for axis, (i_, k_, (lo, hi), d_) in enumerate(zip(i, k, pads, d)):
        if i_ + lo + hi < d_ * (k_ - 1) + 1:
            raise ValueError(
                f"{op}: the kernel ({d_ * (k_ - 1) + 1} with dilation) is larger than the "
                f"padded input ({i_} + {lo} + {hi} = {i_ + lo + hi}) along spatial axis "
                f"{axis}: there is no output"
            )
    return _answer([conv_size(*args) for args in zip(i, k, s, pads, d)], scalar)


# --------------------------------------------------------------------------- conv_transpose


def _tf_transpose_pair(
    mode: str, i: int, k: int, s: int, d: int, o: int | None, op: str
) -> tuple[tuple[int, int], int]:
    """TensorFlow's crops and appended zeros for a "same"/"valid" transposed conv of size ``o``.

    It is the adjoint of TensorFlow's ``mode`` convolution of an ``o``-sized input, whose
    output has size ``i``: "same" pads that conv by ``t = max(full - o, 0)`` with
    ``t // 2`` before, so the transpose crops ``t // 2`` from the start of the full result
    (size ``full = (i-1)*s + d*(k-1) + 1``) and the rest from the end; "valid" crops
    nothing. Defaults (Keras' ``Conv*DTranspose``): ``o = i*s`` for "same",
    ``max(full, i*s)`` for "valid".
    """
    full = (i - 1) * s + d * (k - 1) + 1
    if o is None:
        o = i * s if mode == "same" else max(full, i * s)
    elif mode == "same" and not (i - 1) * s < o <= i * s:
        raise ValueError(
            f"{op}: output_size {o} cannot be reached with padding='same', stride "
            f"{s} and input size {i}: it must satisfy ceil(o / {s}) == {i}, "
            f"i.e. {(i - 1) * s + 1} <= o <= {i * s}"
        )
    elif mode == "valid" and not full <= o <= full + s - 1:
        raise ValueError(
            f"{op}: output_size {o} cannot be reached with padding='valid', stride "
            f"{s} and input size {i}: it must lie between {full} and {full + s - 1}"
        )
    lo = max(full - o, 0) // 2 if mode == "same" else 0
    return (lo, max(full - lo - o, 0)), max(o - full, 0)


def conv_transpose_padding(
    size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Any = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
    *,
    output_size: Size | None = None,
    op: str = "conv_transpose_padding",
) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Resolve conv_transpose padding to ``(p_lo, p_hi)`` crops and an output_padding.

    Transposed convolution crops ``p_lo`` from the start and ``p_hi`` from the end of the
    full result and then appends ``a`` (output_padding) zero positions.

    ``"same"`` and ``"valid"`` follow TensorFlow and Keras (``Conv*DTranspose``,
    ``tf.nn.conv_transpose``; ``jax.lax.conv_transpose`` places them the same way): the
    result is the input-gradient of a "same" / "valid" convolution of an ``o``-sized
    input. By default ``o = i * s`` for "same", so the crops are that conv's padding,
    ``(t // 2, t - t // 2)`` with ``t = d*(k-1) + 1 - s`` (when ``t < 0`` nothing is
    cropped and ``-t`` zeros are appended); and ``o = max((i-1)*s + d*(k-1) + 1, i*s)``
    for "valid", which crops nothing and, when the kernel is shorter than the stride,
    appends ``s - d*(k-1) - 1`` zeros. ``output_size`` (one per dim) picks another ``o``
    as ``tf.nn.conv_transpose``'s ``output_shape`` does: any ``o`` with ``ceil(o / s) == i``
    for "same", any ``(i-1)*s + d*(k-1) + 1 <= o < i*s + d*(k-1) + 1`` for "valid". With a
    string padding ``output_padding`` must be 0.

    PyTorch has no "same" here. Its nearest equivalent, ``padding = ceil(t / 2)`` with
    ``output_padding = t % 2``, crops ``(ceil(t/2), floor(t/2))``: when ``k - s`` is odd
    (``d = 1``) it is shifted one pixel against TensorFlow's ``(floor(t/2), ceil(t/2))``.

    >>> conv_transpose_padding(4, 4, stride=2, padding="same")
    (((1, 1),), (0,))
    >>> conv_transpose_padding(4, 3, stride=2, padding="same")
    (((0, 1),), (0,))
    >>> conv_transpose_padding(4, 3, stride=2, padding="same", output_size=7)
    (((1, 1),), (0,))
    >>> conv_transpose_padding(4, 1, stride=2, padding="valid")     # Keras: o = i * s = 8
    (((0, 0),), (1,))
    """
    _, i, k, s, d = _window(op, size, kernel_size, stride, dilation, padding, output_padding=output_padding)
    n = len(i)
    a = _args.int_tuple(op, "output_padding", output_padding, n, minimum=0)
    for a_, s_, d_ in zip(a, s, d):
        if a_ >= max(s_, d_):
            raise ValueError(
                f"{op}: output_padding ({a_}) must be smaller than stride ({s_}) or dilation ({d_})"
            )
    if isinstance(padding, str):
        mode = _args.choice(op, "padding", padding, ("valid", "same"))
        if any(a):
            raise ValueError(
                f"{op}: output_padding must be 0 with padding={padding!r}, got "
                f"{output_padding!r}; give output_size to choose the output size"
            )
        o = (
            (None,) * n
            if output_size is None
            else _args.int_tuple(op, "output_size", output_size, n, minimum=1)
        )
        resolved = [_tf_transpose_pair(mode, *args, op) for args in zip(i, k, s, d, o)]
        return tuple(pair for pair, _ in resolved), tuple(extra for _, extra in resolved)
    return _args.pad_pairs(op, "padding", padding, n), a


def conv_transpose_output_size(
    size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Any = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
) -> Size:
    """Output size of a transposed convolution: ``o = (i-1)*s - p_lo - p_hi + d*(k-1) + a + 1``.

    With symmetric padding this is PyTorch's ``ConvTranspose2d`` formula,
    ``(i-1)*s - 2p + d*(k-1) + output_padding + 1``; D&V relationship 14 is the
    undilated case ``o = s*(i-1) + a + k - 2p``. ``padding="same"`` gives ``i * s``.

    The article's example, a 2x2 input and a 2x2 kernel at stride 1:

    >>> conv_transpose_output_size((2, 2), 2)
    (3, 3)
    >>> conv_transpose_output_size(64, 4, stride=2, padding=1)
    128
    """
    op = "conv_transpose_output_size"
    scalar, i, k, s, d = _window(
        op, size, kernel_size, stride, dilation, padding, output_padding=output_padding
    )
    pads, a = conv_transpose_padding(size, kernel_size, stride, padding, output_padding, dilation, op=op)
    out = [
        (i_ - 1) * s_ - lo - hi + d_ * (k_ - 1) + a_ + 1
        for i_, k_, s_, (lo, hi), a_, d_ in zip(i, k, s, pads, a, d)
    ]
    for axis, (i_, o) in enumerate(zip(i, out)):
        if o < 0 or o == 0 < i_:
            raise ValueError(
                f"{op}: padding {pads[axis]} crops more than the whole output along "
                f"spatial axis {axis}: (i-1)*s - p_lo - p_hi + d*(k-1) + a + 1 = {o}"
            )
    return _answer(out, scalar)


# --------------------------------------------------------------------------- pooling


def pool_output_size(
    size: Size,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    *,
    op: str = "pool_output_size",
) -> Size:
    """Output size of max pooling, PyTorch's ``torch.nn.MaxPool2d`` rule.

    ``o = floor((i + 2p - d*(k-1) - 1) / s) + 1`` (``ceil`` with ``ceil_mode``); in ceil
    mode a last window that would start in the right padding is dropped. ``stride``
    defaults to ``kernel_size``. A window larger than the padded input leaves no output:
    a ``ValueError`` naming ``op``.

    >>> pool_output_size(4, 2)
    2
    >>> pool_output_size(5, 2, ceil_mode=True), pool_output_size(5, 2)
    (3, 2)
    """
    scalar, i, k, s, d = _window(op, size, kernel_size, stride, dilation, padding)
    p = _args.int_tuple(op, "padding", padding, len(i), minimum=0)
    out = [
        pooled_size(i_, k_, s_, (p_, p_), d_, bool(ceil_mode)) for i_, k_, s_, p_, d_ in zip(i, k, s, p, d)
    ]
    for axis, (i_, k_, p_, d_, o) in enumerate(zip(i, k, p, d, out)):
        if o < 0 or o == 0 < i_:
            dilated = f" with dilation {d_}" if d_ > 1 else ""
            raise ValueError(
                f"{op}: kernel_size ({k_}){dilated} is larger than the padded input "
                f"({i_} + 2*{p_} = {i_ + 2 * p_}) along spatial axis {axis}, leaving no "
                f"output"
            )
    return _answer(out, scalar)


def unpooled_size(i: int, k: int, s: int, pad: tuple[int, int]) -> int:
    """One axis of :func:`unpool_output_size`, unchecked: ``(i-1)*s - p_lo - p_hi + k``."""
    return (i - 1) * s + k - pad[0] - pad[1]


def unpool_output_size(
    size: Size,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Any = 0,
    *,
    op: str = "unpool_output_size",
) -> Size:
    """Default output size of max unpooling: ``o = (i-1)*s - p_lo - p_hi + k`` (``torch.nn.MaxUnpool2d``).

    ``padding`` is an int, one int per dim or one ``(lo, hi)`` pair per dim. It undoes
    :func:`pool_output_size` exactly when the pooling windows tiled the input; otherwise pass
    ``output_size`` to ``max_unpool``. Padding that leaves no output raises a ``ValueError``
    naming ``op``.

    >>> unpool_output_size(2, 2)
    4
    >>> unpool_output_size(1, 2, padding=1)
    Traceback (most recent call last):
    ...
    ValueError: unpool_output_size: padding 1 leaves no output: (i-1)*stride - padding before - padding after + kernel_size gives (0,)
    """
    scalar, i, k, s, _ = _window(op, size, kernel_size, stride, 1, padding)
    pairs = _args.pad_pairs(op, "padding", padding, len(i))
    out = [unpooled_size(*args) for args in zip(i, k, s, pairs)]
    if any(o < 1 for i_, o in zip(i, out) if i_ > 0 or o < 0):
        shown = tuple(lo if lo == hi else (lo, hi) for lo, hi in pairs)
        shown = shown[0] if scalar else shown
        raise ValueError(
            f"{op}: padding {shown} leaves no output: (i-1)*stride - padding before - "
            f"padding after + kernel_size gives {tuple(out)}"
        )
    return _answer(out, scalar)


# --------------------------------------------------------------------------- interpolation


#: how a framework turns ``i * scale_factor`` into a length, and the formula an error shows
SIZE_ROUNDINGS = {
    "floor": (lambda i, f: math.floor(float(i) * f), "floor({i} * {f!r})"),  # PyTorch, TF, JAX
    "round": (lambda i, f: round(i * f), "round({i} * {f!r})"),  # OpenCV's cvRound
    "float32": (  # onnxruntime: the product in float32, truncated
        lambda i, f: int(np.float32(i) * np.float32(f)),
        "int(float32({i}) * float32({f!r}))",
    ),
}


def interpolate_output_size(
    size: Size,
    scale_factor: float | Sequence[float],
    *,
    rounding: str = "floor",
    op: str = "interpolate_output_size",
) -> Size:
    """Output size of interpolation by a scale factor: ``o = floor(i * scale_factor)``.

    This is PyTorch's rule in ``torch.nn.functional.interpolate`` (the product is taken
    in double precision, then floored). ``rounding="round"`` is OpenCV's (``cvRound``, ties
    to even) and ``"float32"`` onnxruntime's (the product in float32, truncated). A factor
    that leaves an axis empty raises a ``ValueError`` naming ``op``.

    >>> interpolate_output_size((2, 2), 2)
    (4, 4)
    >>> interpolate_output_size(5, 1.5), interpolate_output_size(5, 1.5, rounding="round")
    (7, 8)
    >>> interpolate_output_size(3, 0.25)
    Traceback (most recent call last):
    ...
    ValueError: interpolate_output_size: scale_factor 0.25 gives an empty output along spatial axis 0 (floor(3 * 0.25) = 0); it must give at least 1
    """
    scalar, n, i = _per_axis(op, size, scale_factor=scale_factor)
    rule, formula = SIZE_ROUNDINGS[_args.choice(op, "rounding", rounding, tuple(SIZE_ROUNDINGS))]
    scales = scale_factors(op, scale_factor, n)
    out = [rule(i_, f) for i_, f in zip(i, scales)]
    for axis, (i_, f, o) in enumerate(zip(i, scales, out)):
        if o < 1 and i_ > 0:
            raise ValueError(
                f"{op}: scale_factor {f!r} gives an empty output along spatial axis {axis} "
                f"({formula.format(i=i_, f=f)} = {o}); it must give at least 1"
            )
    return _answer(out, scalar)


def scale_factors(op: str, value: Any, n: int) -> tuple[float, ...]:
    """One finite, positive float per dimension, or a clear error."""
    items = list(value) if isinstance(value, (tuple, list)) else [value] * n
    if len(items) != n:
        raise ValueError(f"{op}: scale_factor must be a number or {n} numbers, got {value!r}")
    result = []
    for f in items:
        if isinstance(f, bool) or not isinstance(f, (int, float)) and not hasattr(f, "__float__"):
            raise TypeError(f"{op}: scale_factor must be a number, got {f!r}")
        f = float(f)
        if not math.isfinite(f) or f <= 0:
            raise ValueError(f"{op}: scale_factor must be a finite number > 0, got {f!r}")
        result.append(f)
    return tuple(result)


# --------------------------------------------------------------------------- nails and shuffles


def _per_axis(op: str, size: Size, **values: Any) -> tuple[bool, int, tuple[int, ...]]:
    """Whether the call is scalar, the number of spatial dims, and ``size`` as a tuple."""
    n = _ndim(op, size=size, **values)
    return n is None, n or 1, _args.int_tuple(op, "size", size, n or 1, minimum=0)


def bed_of_nails_output_size(size: Size, scale_factor: Size, offset: Size = 0) -> Size:
    """Output size of a bed of nails: ``o = i * s``, every value at ``offset`` in its s-cell.

    The offset must lie inside the cell (``offset < s``).

    >>> bed_of_nails_output_size((2, 3), 2)
    (4, 6)
    """
    op = "bed_of_nails_output_size"
    scalar, n, i = _per_axis(op, size, scale_factor=scale_factor, offset=offset)
    s = _args.int_tuple(op, "scale_factor", scale_factor, n, minimum=1)
    off = _args.int_tuple(op, "offset", offset, n, minimum=0)
    for o_, s_ in zip(off, s):
        if o_ >= s_:
            raise ValueError(f"{op}: offset ({o_}) must be smaller than scale_factor ({s_})")
    return _answer([i_ * s_ for i_, s_ in zip(i, s)], scalar)


def subsample_output_size(size: Size, factor: Size, offset: Size = 0) -> Size:
    """Output size of subsampling ``x[offset::factor]``: ``o = ceil((i - offset) / factor)``.

    The offset must lie inside the cell and inside the input (``offset < factor``, ``offset < i``).

    >>> subsample_output_size(6, 2, offset=1)
    3
    >>> subsample_output_size((5, 4), 2)
    (3, 2)
    """
    op = "subsample_output_size"
    scalar, n, i = _per_axis(op, size, factor=factor, offset=offset)
    s = _args.int_tuple(op, "factor", factor, n, minimum=1)
    off = _args.int_tuple(op, "offset", offset, n, minimum=0)
    for axis, (i_, s_, o_) in enumerate(zip(i, s, off)):
        if o_ >= s_:
            raise ValueError(f"{op}: offset ({o_}) must be smaller than factor ({s_})")
        if o_ >= i_:
            raise ValueError(
                f"{op}: offset ({o_}) must be smaller than the size ({i_}) of spatial axis {axis}"
            )
    return _answer([-(-(i_ - o_) // s_) for i_, s_, o_ in zip(i, s, off)], scalar)


def pixel_shuffle_output_size(size: Size, upscale_factor: Size) -> Size:
    """Spatial output size of a pixel shuffle: ``o = i * r`` (channels divide by ``r**d``).

    >>> pixel_shuffle_output_size((2, 3), 2)
    (4, 6)
    """
    op = "pixel_shuffle_output_size"
    scalar, n, i = _per_axis(op, size, upscale_factor=upscale_factor)
    r = _args.int_tuple(op, "upscale_factor", upscale_factor, n, minimum=1)
    return _answer([i_ * r_ for i_, r_ in zip(i, r)], scalar)


def pixel_unshuffle_output_size(size: Size, downscale_factor: Size) -> Size:
    """Spatial output size of a pixel unshuffle: ``o = i / r``, each ``i`` a multiple of ``r``
    (channels multiply by ``r**d``).

    >>> pixel_unshuffle_output_size((4, 6), 2)
    (2, 3)
    """
    op = "pixel_unshuffle_output_size"
    scalar, n, i = _per_axis(op, size, downscale_factor=downscale_factor)
    r = _args.int_tuple(op, "downscale_factor", downscale_factor, n, minimum=1)
    for axis, (i_, r_) in enumerate(zip(i, r)):
        if i_ % r_:
            raise ValueError(
                f"{op}: the size ({i_}) of spatial axis {axis} must be a multiple of downscale_factor ({r_})"
            )
    return _answer([i_ // r_ for i_, r_ in zip(i, r)], scalar)


# --------------------------------------------------------------------------- pooling padding

POOL_PADDINGS = ("valid", "same", "same_lower")


def _pool_same_pair(i: int, k: int, s: int, d: int, lower: bool) -> tuple[int, int]:
    """ONNX's ``SAME_UPPER`` / ``SAME_LOWER`` (TensorFlow's "SAME" is the upper one).

    The output is ``ceil(i / s)`` and the total padding ``max((o-1)*s + d*(k-1) + 1 - i, 0)``;
    the odd pixel goes to the end (upper) or to the start (lower).
    """
    total = max((-(-i // s) - 1) * s + d * (k - 1) + 1 - i, 0)
    small, large = total // 2, total - total // 2
    return (large, small) if lower else (small, large)


def pool_padding(
    size: Size,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Any = 0,
    dilation: Size = 1,
    *,
    op: str = "pool_padding",
) -> tuple[tuple[int, int], ...]:
    """Resolve any accepted form of pooling padding to per-dimension ``(p_lo, p_hi)`` pairs.

    ``padding`` is an int, one int per dim, one ``(lo, hi)`` pair per dim (ONNX's ``pads``
    ``[x1_begin, x2_begin, ..., x1_end, x2_end]`` regrouped), ``"valid"`` (none), ``"same"``
    (ONNX ``SAME_UPPER``, TensorFlow's ``"SAME"``: ``o = ceil(i / s)``, the odd pixel at
    the end) or ``"same_lower"`` (ONNX ``SAME_LOWER``: the odd pixel at the start).

    >>> pool_padding(5, 2, 1, "same"), pool_padding(5, 2, 1, "same_lower")
    (((0, 1),), ((1, 0),))
    >>> pool_padding((4, 4), 3, padding=((0, 1), (1, 2)))
    ((0, 1), (1, 2))
    """
    # per-side pairs are checked against the dims by pad_pairs, with its own message
    pairs = isinstance(padding, (tuple, list)) and any(isinstance(v, (tuple, list)) for v in padding)
    _, i, k, s, d = _window(op, size, kernel_size, stride, dilation, 0 if pairs else padding)
    n = len(i)
    if isinstance(padding, str):
        mode = _args.choice(op, "padding", padding, POOL_PADDINGS)
        if mode == "valid":
            return ((0, 0),) * n
        return tuple(_pool_same_pair(*args, mode == "same_lower") for args in zip(i, k, s, d))
    return _args.pad_pairs(op, "padding", padding, n)


def pooled_size(i: int, k: int, s: int, pad: tuple[int, int], d: int, ceil_mode: bool) -> int:
    """Output length of max pooling along one dim with ``(p_lo, p_hi)`` padding.

    ``o = floor((i + p_lo + p_hi - d*(k-1) - 1) / s) + 1`` (``ceil`` with ``ceil_mode``,
    dropping a last window that would start in the right padding, as PyTorch does). With
    ``p_lo = p_hi`` this is :func:`pool_output_size`.

    >>> pooled_size(5, 2, 2, (0, 1), 1, False), pooled_size(5, 2, 2, (0, 0), 1, True)
    (3, 3)
    """
    lo, hi = pad
    span = i + lo + hi - d * (k - 1) - 1
    o = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (o - 1) * s >= i + lo:  # the last window must start inside input or left padding
        o -= 1
    return o

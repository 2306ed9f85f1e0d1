"""Max pooling that records where each maximum came from, and max unpooling: partners.

``max_pool`` keeps the largest value of every window and, on request, its *index*: the
flat, row-major position of the winner inside its (n, c) plane of the unpadded input.
``max_unpool`` puts values back at such indices and zeros everywhere else, so a
decoder can upsample to exactly the places its encoder pooled from (SegNet).

Both are built on the same index bookkeeping:

* ``_running_max``   one pass per kernel tap over the windows that tap lands in, noting
  which tap won; ``_tap_indices`` turns those into flat input positions;
* ``_scatter_add``   adds a gradient at the recorded indices: max_pool's input-gradient;
* ``_unpool_plan``   resolves several values aimed at one target (last one wins); the
  forward writes the winners and the input-gradient gathers for them.

Axis legend: N batch, C channels, S input spatial, O output spatial, k kernel spatial,
B = N*C planes, P flattened output plane, Q flattened input plane.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from . import _args, _correlation, _jit, _layout, _pool_loops, shapes
from ._dispatch import chunked

__all__ = [
    "max_pool",
    "max_unpool",
    "avg_pool",
    "max_pool_vjp",
    "max_unpool_vjp",
    "avg_pool_vjp",
    "avg_pool_args",
    "max_pool_args",
    "max_unpool_args",
]

Ints = tuple[int, ...]


# --------------------------------------------------------------------------- window geometry


def _tap_slices(i: int, o: int, k_tap: int, s: int, p: int, d: int) -> tuple[slice, slice] | None:
    """Along one dim, the outputs whose kernel tap ``k_tap`` lands inside the input.

    Output ``j`` reads input position ``j*s - p + k_tap*d``. The ``j`` for which that lies
    in ``[0, i)`` form one run ``[lo, hi)``; returns that run and the input positions it
    reads, or None when the tap only ever meets padding.
    """
    offset = k_tap * d - p
    lo = max(0, -(offset // s))  # first j with j*s + offset >= 0
    hi = min(o, -(-(i - offset) // s))  # first j with j*s + offset >= i
    if hi <= lo:
        return None
    start = lo * s + offset
    return slice(lo, hi), slice(start, start + (hi - lo - 1) * s + 1, s)


def _first_tap(i: int, o: int, k: int, s: int, p: int, d: int) -> np.ndarray:
    """Along one dim, each window's first tap that lands inside the input, shape (o,).

    torch starts every window there (it skips the padding taps); -1 marks a window that
    holds only padding, which dilation can cause.
    """
    start = np.arange(o) * s - p  # where each window begins
    first = np.where(start < 0, -(start // d), 0)  # padding taps before the input
    inside = (first < k) & (start + first * d < i)
    return np.where(inside, first, -1)


def _broadcast_sum(per_dim: list[np.ndarray]) -> np.ndarray:
    """``sum_a per_dim[a]`` with dim ``a`` along axis ``a``: (o_0,), (o_1,), ... -> (*O)."""
    nd = len(per_dim)
    total = np.zeros((1,) * nd, dtype=np.int64)
    for axis, values in enumerate(per_dim):
        total = total + values.astype(np.int64).reshape((1,) * axis + (-1,) + (1,) * (nd - axis - 1))
    return total


# --------------------------------------------------------------------------- primitives


def _running_max(
    x: np.ndarray, k: Ints, s: Ints, p: Ints, d: Ints, out: Ints
) -> tuple[np.ndarray, np.ndarray]:
    """Each window's maximum of ``x`` (N, C, *S) -> (N, C, *O), and which kernel tap held it.

    Follows torch's CPU kernel: walk a window's taps in row-major order from its first
    in-bounds tap and take a tap where ``value > best or isnan(value)``. So ties keep
    the first maximum, any NaN beats every number, and of several NaNs the last one
    wins. Padding is never read: each tap only visits the windows in which it lands
    inside the input. The winning taps are numbered row-major over the kernel.

    Both updates are branch-free: the running maximum is ``np.maximum`` (it agrees with
    torch's rule on every value but the sign of a zero, which is mended at the end),
    and since tap numbers only grow, a winning tap is ``max(taps, wins * number)``.
    """
    n, c, *size = x.shape
    is_float = x.dtype.kind == "f"
    check_nan = is_float and bool(np.isnan(x).any())
    lowest = -np.inf if is_float else np.iinfo(x.dtype).min
    values = np.full((n, c, *out), lowest, dtype=x.dtype)  # (N, C, *O)
    firsts = [_first_tap(*a) for a in zip(size, out, k, s, p, d)]
    tap_type = np.min_scalar_type(math.prod(k)).type
    first = _broadcast_sum([f * math.prod(k[axis + 1 :]) for axis, f in enumerate(firsts)])
    taps = np.broadcast_to(first.astype(tap_type), values.shape).copy()  # (N, C, *O)
    for number, tap in enumerate(itertools.product(*map(range, k))):
        runs = [_tap_slices(*a) for a in zip(size, out, tap, s, p, d)]
        if any(run is None for run in runs):
            continue
        out_slices = (..., *(run[0] for run in runs))
        window = x[(..., *(run[1] for run in runs))]  # (N, C, *O_tap): this tap of each window
        best = values[out_slices]  # views into values and taps
        taken = taps[out_slices]
        wins = window > best
        if check_nan:
            wins |= np.isnan(window)
        np.maximum(best, window, out=best)
        np.maximum(taken, np.multiply(wins, tap_type(number), dtype=tap_type), out=taken)
    if is_float:
        _mend_zero_signs(values, taps, x, k, s, p, d)
    return values, taps


def _mend_zero_signs(
    values: np.ndarray, taps: np.ndarray, x: np.ndarray, k: Ints, s: Ints, p: Ints, d: Ints
) -> None:
    """Copy the sign of every zero maximum from the tap that won (np.maximum may pick -0.0 for 0.0)."""
    where = np.nonzero(values == 0)  # (n, c, *o) of each zero maximum
    if where[0].size == 0:
        return
    plane = _tap_indices(taps[where], x.shape[2:], k, s, p, d, where[2:])
    values[where] = x[(*where[:2], *np.unravel_index(plane, x.shape[2:]))]


def _tap_indices(
    taps: np.ndarray, size: Ints, k: Ints, s: Ints, p: Ints, d: Ints, at: tuple[np.ndarray, ...] | None = None
) -> np.ndarray:
    """Winning tap numbers -> flat int64 positions in the unpadded (n, c) plane of ``size``.

    ``taps`` is (N, C, *O), or the taps of the outputs at coordinates ``at`` (one array
    per spatial dim). Output ``o``'s tap ``t`` reads ``o*s - p + t*d`` along each dim;
    flattened row-major over ``size`` that is a per-window start plus a per-tap offset.
    """
    strides = [math.prod(size[axis + 1 :]) for axis in range(len(size))]
    offsets = _broadcast_sum(
        [
            np.arange(k_) * d_ * st  # (*k)
            for k_, d_, st in zip(k, d, strides)
        ]
    ).reshape(-1)
    if at is None:
        starts = _broadcast_sum(
            [
                (np.arange(o) * s_ - p_) * st  # (*O)
                for o, s_, p_, st in zip(taps.shape[2:], s, p, strides)
            ]
        )
    else:
        starts = sum((o.astype(np.int64) * s_ - p_) * st for o, s_, p_, st in zip(at, s, p, strides))
    return starts + offsets[taps]


def _scatter_add(g: np.ndarray, indices: np.ndarray, shape: Ints) -> np.ndarray:
    """Add ``g`` (N, C, *O) into zeros of ``shape`` (N, C, *S) at the flat plane ``indices``.

    Several windows may pick the same input: their gradients add up, in output order,
    as torch's CPU kernel adds them.
    """
    n, c, *size = shape
    planes, plane = n * c, math.prod(size)
    grad = np.zeros(planes * plane, dtype=g.dtype)  # (B*Q,)
    targets = (
        np.arange(planes, dtype=np.int64)[:, None] * plane  # (B, prod(O))
        + indices.reshape(planes, math.prod(indices.shape[2:]))
    )
    np.add.at(grad, targets.reshape(-1), g.reshape(-1))
    return grad.reshape(shape)


def _unpool_plan(indices: np.ndarray, plane: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each value of x goes in the flattened output, and whether it is the one kept there.

    ``indices`` (N, C, *S) -> ``targets`` (B*Q,), positions in the flattened (N*C*P) output,
    and ``kept`` (B*Q,): when several values aim at one target, the last in row-major
    order of x is kept and the others are dropped.
    """
    planes = indices.shape[0] * indices.shape[1]
    targets = (
        np.arange(planes, dtype=np.int64)[:, None] * plane  # (B, Q)
        + indices.reshape(planes, math.prod(indices.shape[2:])).astype(np.int64)
    ).reshape(-1)
    order = np.arange(targets.size)
    writer = np.full(planes * plane, -1, dtype=order.dtype)  # (B*P,)
    np.maximum.at(writer, targets, order)  # the last writer
    return targets, writer[targets] == order


def _compiled(x: np.ndarray, nd: int) -> bool:
    """Whether the compiled loops take this input (Numba on, at most 3 spatial dims, not empty)."""
    return _jit.applies(x, spatial_dims=nd)


def _pool(
    x: np.ndarray, k: Ints, s: Ints, p: Ints, d: Ints, out: Ints, with_indices: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Each window's maximum and, if asked, its flat plane index."""
    if _compiled(x, len(k)):
        return _pool_loops.compiled_pool(x, k, s, p, d, out, with_indices)
    values, taps = _running_max(x, k, s, p, d, out)
    return values, (_tap_indices(taps, x.shape[2:], k, s, p, d) if with_indices else None)


def _add_at_indices(g: np.ndarray, indices: np.ndarray, shape: Ints) -> np.ndarray:
    """max_pool's input-gradient: ``g`` (N, C, *O) added into zeros (N, C, *S) at ``indices``."""
    if not _compiled(g, len(shape) - 2):
        return _scatter_add(g, indices, shape)
    planes = shape[0] * shape[1]
    grad = np.zeros((planes, math.prod(shape[2:])), dtype=g.dtype)  # (B, Q)
    flat_g = np.ascontiguousarray(g).reshape(planes, -1)  # (B, P)
    flat_i = np.ascontiguousarray(indices).reshape(planes, -1)
    _jit.split_planes(lambda a, b: _pool_loops.scatter_add_loop(flat_g, flat_i, grad, a, b), planes, g.size)
    return grad.reshape(shape)


def _unpool(x: np.ndarray, indices: np.ndarray, size: Ints, out: np.ndarray | None = None) -> np.ndarray:
    """Zeros of shape (N, C, *size) with x's values at their indices, the last writer kept
    (written into ``out`` if given)."""
    if not _compiled(x, len(size)):
        targets, kept = _unpool_plan(indices, math.prod(size))
        y = _unpool_write(x, targets, kept, size)
        if out is None:
            return y
        out[...] = y
        return out
    planes = x.shape[0] * x.shape[1]
    y = (
        np.empty((planes, math.prod(size)), dtype=x.dtype)
        if out is None  # (B, P)
        else out.reshape(planes, -1)
    )
    flat_x = np.ascontiguousarray(x).reshape(planes, -1)  # (B, Q)
    flat_i = np.ascontiguousarray(indices, dtype=np.int64).reshape(planes, -1)
    _jit.split_planes(lambda a, b: _pool_loops.unpool_loop(flat_x, flat_i, y, a, b), planes, y.size)
    return y.reshape(*x.shape[:2], *size) if out is None else out


def _unpool_gather(g: np.ndarray, indices: np.ndarray, size: Ints) -> np.ndarray:
    """max_unpool's input-gradient: ``g`` at each index, for the kept writer only (else 0)."""
    if not _compiled(g, len(size)):
        targets, kept = _unpool_plan(indices, math.prod(size))
        return np.where(kept, g.reshape(-1)[targets], 0).astype(g.dtype, copy=False).reshape(indices.shape)
    planes = indices.shape[0] * indices.shape[1]
    flat_g = np.ascontiguousarray(g).reshape(planes, -1)  # (B, P)
    flat_i = np.ascontiguousarray(indices, dtype=np.int64).reshape(planes, -1)  # (B, Q)
    out = np.empty(flat_i.shape, dtype=g.dtype)
    _jit.split_planes(lambda a, b: _pool_loops.unpool_gather_loop(flat_g, flat_i, out, a, b), planes, g.size)
    return out.reshape(indices.shape)


# --------------------------------------------------------------------------- boundary


def _are_pairs(padding: Any) -> bool:
    """Whether ``padding`` is given as one ``(lo, hi)`` pair per dim (ONNX's asymmetric pads)."""
    return isinstance(padding, (tuple, list)) and any(isinstance(v, (tuple, list)) for v in padding)


def _window_args(op: str, x: Any, kernel_size: Any, stride: Any) -> tuple[np.ndarray, int, Ints, Ints]:
    """What every pooling op checks first: x as (N, C, *spatial) with non-empty spatial dims,
    the window size and the stride (the window size by default). -> (x, nd, k, s)"""
    x = _args.as_array(op, "x", x, min_ndim=3)
    nd = x.ndim - 2
    if 0 in x.shape[2:]:
        raise ValueError(f"{op}: x must have non-empty spatial dimensions, got shape {x.shape}")
    k = _args.int_tuple(op, "kernel_size", kernel_size, nd, minimum=1)
    s = k if stride is None else _args.int_tuple(op, "stride", stride, nd, minimum=1)
    return x, nd, k, s


def max_pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, with_indices):
    """Checked arrays and geometry; ``p`` is each dim's padding *before* the input (the loops
    only need that one: the padding after the input only sets the output size)."""
    op = "max_pool"
    x, nd, k, s = _window_args(op, x, kernel_size, stride)
    d = _args.int_tuple(op, "dilation", dilation, nd, minimum=1)
    pairs = shapes.pool_padding(x.shape[2:], k, s, padding, d, op=op)
    if not isinstance(padding, str) and not _are_pairs(padding):  # torch's own rule for its form
        for axis, (k_, (p_, _)) in enumerate(zip(k, pairs)):
            if 2 * p_ > k_:
                raise ValueError(
                    f"{op}: padding ({p_}) must be at most half of kernel_size ({k_}) "
                    f"along spatial axis {axis}"
                )
    p = tuple(lo for lo, _ in pairs)
    out = tuple(shapes.pooled_size(*a, bool(ceil_mode)) for a in zip(x.shape[2:], k, s, pairs, d))
    for axis, (i, o, k_, (lo, hi), d_) in enumerate(zip(x.shape[2:], out, k, pairs, d)):
        if o < 1:
            raise ValueError(
                f"{op}: kernel_size ({k_}, spanning {d_ * (k_ - 1) + 1} with dilation "
                f"{d_}) is larger than the padded input ({i} + {lo} + {hi} = "
                f"{i + lo + hi}) along spatial axis {axis}, leaving no output"
            )
    for axis, args in enumerate(zip(x.shape[2:], out, k, s, p, d)):
        empty = np.flatnonzero(_first_tap(*args) < 0)
        if empty.size:
            raise ValueError(
                f"{op}: with dilation ({args[5]}) and padding ({args[4]}), the window "
                f"at output position {empty[0]} along spatial axis {axis} holds only "
                f"padding (input size {args[0]}); use less padding or dilation"
            )
    _args.check_output(op, (*x.shape[:2], *out), x.dtype)
    if with_indices:
        _args.check_output(op, (*x.shape[:2], *out), np.int64)
    return x, k, s, p, d, out


def max_unpool_args(x, indices, kernel_size, stride, padding, output_size):
    op = "max_unpool"
    x = _args.as_array(op, "x", x, min_ndim=3)
    nd = x.ndim - 2
    if 0 in x.shape[2:]:
        raise ValueError(f"{op}: x must have non-empty spatial dimensions, got shape {x.shape}")
    indices = _args.as_array(op, "indices", indices, kinds="iu")
    if indices.shape != x.shape:
        raise ValueError(f"{op}: indices must have the shape of x {x.shape}, got shape {indices.shape}")
    k = _args.int_tuple(op, "kernel_size", kernel_size, nd, minimum=1)
    s = k if stride is None else _args.int_tuple(op, "stride", stride, nd, minimum=1)
    pairs = _args.pad_pairs(op, "padding", padding, nd)
    if output_size is None:
        size = shapes.unpool_output_size(x.shape[2:], k, s, pairs, op=op)
    else:
        default = tuple(shapes.unpooled_size(*args) for args in zip(x.shape[2:], k, s, pairs))
        size = _unpool_size(op, x.shape, default, s, output_size)
    plane = math.prod(size)
    if indices.size:
        lowest, highest = indices.min(), indices.max()
        if lowest < 0 or highest >= plane:
            bad = lowest if lowest < 0 else highest
            raise ValueError(
                f"{op}: indices must lie in [0, {plane}) for an output plane of size "
                f"{size} ({plane} elements), got index {bad}"
            )
    _args.check_output(op, (*x.shape[:2], *size), x.dtype)
    return x, indices, size


def _unpool_size(op: str, shape: Ints, default: Ints, stride: Ints, output_size: Any) -> Ints:
    """The spatial ``output_size`` (or full (N, C, *spatial) shape), checked as torch checks it.

    Each size must lie strictly between ``default - stride`` and ``default + stride``:
    those are the input sizes that pool, with this stride, to the size of x.
    """
    nd = len(default)
    wanted = list(output_size) if isinstance(output_size, (tuple, list, np.ndarray)) else output_size
    if isinstance(wanted, list) and len(wanted) == nd + 2:
        lead = _args.int_tuple(op, "output_size", wanted[:2], 2)
        if lead != tuple(shape[:2]):
            raise ValueError(
                f"{op}: output_size {tuple(output_size)} must keep x's batch and channels {tuple(shape[:2])}"
            )
        wanted = wanted[2:]
    wanted = _args.int_tuple(op, "output_size", wanted, nd, minimum=1)
    for axis, (w, o, s_) in enumerate(zip(wanted, default, stride)):
        if not o - s_ < w < o + s_:
            raise ValueError(
                f"{op}: output_size {wanted} cannot be reached: along spatial axis "
                f"{axis} it must lie strictly between {o - s_} and {o + s_} (the "
                f"default size {o} -/+ stride {s_})"
            )
    return wanted


# --------------------------------------------------------------------------- max_pool


@_layout.data_format()
@chunked
def max_pool(
    x: Any,
    kernel_size: Any,
    *,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """N-dimensional max pooling, optionally with the index of every maximum: downsampling.

    Shapes: ``x`` is (N, C, *spatial) with any number of spatial dims; the output is
    (N, C, *o).

    Output size per spatial dim (:func:`upsample.shapes.pool_output_size`)::

        o = floor((i + 2*padding - dilation*(k-1) - 1) / stride) + 1

    (``ceil`` with ``ceil_mode``, dropping a last window that would start in the right
    padding). This is ``torch.nn.functional.max_pool1d/2d/3d``, with the same tie and
    NaN rule: ties go to the first maximum in row-major window order, a NaN beats every
    number and of several NaNs the last one wins. The implicit padding is ``-inf`` and
    never wins, also for integer dtypes. torch returns ``-inf`` and an out-of-range
    index for a window that dilation makes hold only padding; that is an error here.

    Args:
        kernel_size: window size, int or one per spatial dim.
        stride: window step (default ``kernel_size``).
        padding: implicit ``-inf``: an int or one per spatial dim on both sides, at most
            ``kernel_size / 2`` (torch's rule, default 0); one ``(before, after)`` pair
            per dim (ONNX's asymmetric ``pads``); or ``"valid"``, ``"same"`` (ONNX
            ``SAME_UPPER``, TensorFlow's ``"SAME"``: ``o = ceil(i / stride)``, the odd
            padding pixel at the end) or ``"same_lower"`` (the odd pixel at the start);
            see :func:`upsample.shapes.pool_padding`. A window may not hold only padding.
        dilation: spacing between window taps (default 1).
        ceil_mode: round the output size up instead of down (default False).
        return_indices: also return the indices for :func:`max_unpool` (default False).
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout). The indices still count
            row-major positions within each (n, c) plane; ``tf.nn.max_pool_with_argmax``'s
            (``include_batch_in_index=False``) are ``indices * C + c``.

    Returns:
        The maxima (N, C, *o) in x's dtype (float or integer), and with
        ``return_indices`` also the int64 indices: flat row-major positions within
        each (n, c) plane of the unpadded input.

    The article's example, 2x2 windows at stride 2:

    >>> import numpy as np, upsample
    >>> x = np.array([[1, 2, 4, 1], [3, 4, 2, 3], [1, 4, 1, 2], [2, 3, 4, 3]]).reshape(1, 1, 4, 4)
    >>> values, indices = upsample.max_pool(x, 2, return_indices=True)
    >>> values[0, 0]
    array([[4, 4],
           [4, 4]])
    >>> indices[0, 0]
    array([[ 5,  2],
           [ 9, 14]])
    >>> upsample.max_pool(np.arange(6.0).reshape(1, 1, 6), 3, stride=2, padding=1)
    array([[[1., 3., 5.]]])

    ONNX's asymmetric pads, here one padding position after the input only:

    >>> upsample.max_pool(np.arange(5.0).reshape(1, 1, 5), 2, padding=((0, 1),))
    array([[[1., 3., 4.]]])
    """
    x, k, s, p, d, out = max_pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices)
    values, indices = _pool(x, k, s, p, d, out, return_indices)
    return (values, indices) if return_indices else values


@_layout.data_format(vjp=True)
def max_pool_vjp(
    x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """max_pool and its pullback: the gradient is added back at the recorded indices."""
    x, k, s, p, d, out = max_pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, True)
    values, indices = _pool(x, k, s, p, d, out, True)
    dtype = _args.float_dtype(x)

    def pullback(g: Any) -> tuple[np.ndarray]:
        g = np.asarray(g, dtype=dtype)
        if g.shape != values.shape:
            raise ValueError(
                f"max_pool: the gradient must have the output's shape {values.shape}, got shape {g.shape}"
            )
        return (_add_at_indices(g, indices, x.shape),)

    return ((values, indices) if return_indices else values), pullback


# --------------------------------------------------------------------------- max_unpool


@_layout.data_format(channels=("x", "indices"), sizes=("output_size",))
@chunked
def max_unpool(
    x: Any,
    indices: Any,
    kernel_size: Any,
    *,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Max unpooling: put each value back where :func:`max_pool` found it, zeros elsewhere.

    Shapes: ``x`` and ``indices`` are (N, C, *spatial) with any number of spatial dims;
    ``indices`` are flat row-major positions within each (n, c) plane of the output, as
    ``max_pool(..., return_indices=True)`` returns them. The output is (N, C, *o).

    Output size per spatial dim (:func:`upsample.shapes.unpool_output_size`)::

        o = (i - 1)*stride - 2*padding + kernel_size

    This is ``torch.nn.functional.max_unpool1d/2d/3d``. When several values share an
    index (overlapping pooling windows picked the same input), the last one in row-major
    order of x is kept; torch's CPU kernel does the same. Unlike torch's backward, which
    sends the gradient to every value that shared an index, the gradient here goes to
    the kept value only: that is the exact derivative.

    Args:
        indices: an integer array of x's shape, each in ``[0, prod(o))``.
        kernel_size: the window size of the pooling being undone.
        stride: its stride (default ``kernel_size``).
        padding: its padding (default 0; an int, one per dim, or one ``(before, after)``
            pair per dim). These three only set the output size,
            ``o = (i-1)*stride - before - after + kernel_size``.
        output_size: the spatial size, or the full (N, C, *spatial) shape, to recover
            an input size the pooling rounded away. Each must lie strictly between
            ``o - stride`` and ``o + stride``, as torch requires.
        out: a buffer of the result's shape and dtype to write into (NumPy's convention),
            so that a caller can reuse memory; it is returned.
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout); the indices and a full-shape
            ``output_size`` are channels-last too.

    Returns:
        (N, C, *o) in x's dtype: x's values at the indices, zeros elsewhere.

    The article's example, undoing the 2x2 pooling of :func:`max_pool`'s example:

    >>> import numpy as np, upsample
    >>> x = np.arange(1, 5).reshape(1, 1, 2, 2)
    >>> indices = np.array([[5, 2], [9, 14]]).reshape(1, 1, 2, 2)
    >>> upsample.max_unpool(x, indices, 2)[0, 0]
    array([[0, 0, 2, 0],
           [0, 1, 0, 0],
           [0, 3, 0, 0],
           [0, 0, 4, 0]])
    """
    x, indices, size = max_unpool_args(x, indices, kernel_size, stride, padding, output_size)
    out = _args.out_array("max_unpool", out, (*x.shape[:2], *size), x.dtype, (x, indices))
    return _unpool(x, indices, size, out)


def _unpool_write(x: np.ndarray, targets: np.ndarray, kept: np.ndarray, size: Ints) -> np.ndarray:
    """Zeros of shape (N, C, *size) with the kept values of x at their targets."""
    y = np.zeros(x.shape[0] * x.shape[1] * math.prod(size), dtype=x.dtype)  # (B*P,)
    y[targets[kept]] = x.reshape(-1)[kept]
    return y.reshape(*x.shape[:2], *size)


@_layout.data_format(channels=("x", "indices"), sizes=("output_size",), vjp=True)
def max_unpool_vjp(x, indices, kernel_size, *, stride=None, padding=0, output_size=None):
    """max_unpool and its pullback: a gather of the gradient at the indices of the kept values."""
    x, indices, size = max_unpool_args(x, indices, kernel_size, stride, padding, output_size)
    y = _unpool(x, indices, size)
    dtype = _args.float_dtype(x)

    def pullback(g: Any) -> tuple[np.ndarray]:
        g = np.asarray(g, dtype=dtype)
        if g.shape != y.shape:
            raise ValueError(
                f"max_unpool: the gradient must have the output's shape {y.shape}, got shape {g.shape}"
            )
        return (_unpool_gather(g, indices, size),)

    return y, pullback


# --------------------------------------------------------------------------- avg_pool


def _window_counts(i: int, o: int, k: int, s: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Along one dim, how many positions each output window covers: within the padded input
    (windows that run past it in ceil mode are cut there) and within the input alone. -> (O,), (O,)"""
    start = np.arange(o) * s - p
    end = np.minimum(start + k, i + p)
    return end - start, np.minimum(end, i) - np.maximum(start, 0)


def avg_pool_args(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """The checked arguments of :func:`avg_pool`: ``(x, k, s, p, out, divisor)``, with ``x`` in
    its float compute dtype and ``divisor`` the (1, 1, *o) array every window sum is divided by."""
    op = "avg_pool"
    x, nd, k, s = _window_args(op, x, kernel_size, stride)
    p = _args.int_tuple(op, "padding", padding, nd, minimum=0)
    for axis, (k_, p_) in enumerate(zip(k, p)):
        if 2 * p_ > k_:
            raise ValueError(
                f"{op}: padding ({p_}) must be at most half of kernel_size ({k_}) along spatial axis {axis}"
            )
    ceil_mode = _args.flag(op, "ceil_mode", ceil_mode)
    count_include_pad = _args.flag(op, "count_include_pad", count_include_pad)
    if divisor_override is not None:
        divisor_override = _args.integer(op, "divisor_override", divisor_override)
        if divisor_override == 0:
            raise ValueError(
                f"{op}: divisor_override must not be 0 (torch allows any other integer, negative too), got 0"
            )
    out = shapes.pool_output_size(tuple(x.shape[2:]), k, s, p, 1, bool(ceil_mode), op=op)
    for axis, (i, o, k_, p_) in enumerate(zip(x.shape[2:], out, k, p)):
        if o < 1:
            raise ValueError(
                f"{op}: kernel_size ({k_}) is larger than the padded input "
                f"({i} + 2*{p_} = {i + 2 * p_}) along spatial axis {axis}, leaving no "
                f"output"
            )
    dtype = _args.float_dtype(x)
    _args.check_output(op, (*x.shape[:2], *out), dtype)
    divisor = np.ones((1, 1, *out), dtype=dtype)  # (1, 1, *O), separable
    for axis, (i, o, k_, s_, p_) in enumerate(zip(x.shape[2:], out, k, s, p)):
        padded, inside = _window_counts(i, o, k_, s_, p_)
        counts = padded if count_include_pad else inside
        if divisor_override is not None:
            counts = np.full(o, divisor_override if axis == 0 else 1)
        divisor *= counts.astype(dtype).reshape(o, *(1,) * (nd - axis - 1))
    return x.astype(dtype, copy=False), k, s, p, out, divisor


def _avg_geometry(x: np.ndarray, k: Ints, s: Ints, p: Ints, out: Ints):
    """The padded length every window fits in, ``(o-1)*s + k`` per dim, and the ones kernel of
    a depthwise correlation (C, 1, *k)."""
    span = tuple((o - 1) * s_ + k_ for o, s_, k_ in zip(out, s, k))
    return span, np.ones((x.shape[1], 1, *k), dtype=x.dtype)


def _avg_pool(x: np.ndarray, k: Ints, s: Ints, p: Ints, out: Ints, divisor: np.ndarray) -> np.ndarray:
    """Window sums by a depthwise correlation with a kernel of ones, over x zero-padded (or cut)
    to the windows' span, divided by each window's divisor."""
    span, ones = _avg_geometry(x, k, s, p, out)
    padded = _correlation.pad_spatial(
        x, tuple((p_, max(end - p_ - i, 0)) for i, end, p_ in zip(x.shape[2:], span, p)), "zeros"
    )
    padded = padded[(Ellipsis, *(slice(0, end) for end in span))]  # (N, C, *span)
    sums = _correlation.correlate(
        np.ascontiguousarray(padded), ones, _correlation.Spec(s, (1,) * len(k), x.shape[1])
    )
    return sums / divisor


@_layout.data_format()
@chunked
def avg_pool(
    x: Any,
    kernel_size: Any,
    *,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """N-dimensional average pooling: each window's mean, ``torch.nn.functional.avg_pool1d/2d/3d``.

    Shapes: ``x`` is (N, C, *spatial) with any number of spatial dims; the output is
    (N, C, *o).

    Output size per spatial dim (:func:`upsample.shapes.pool_output_size` with dilation 1)::

        o = floor((i + 2*padding - k) / stride) + 1

    (``ceil`` with ``ceil_mode``, dropping a last window that would start in the right
    padding). Each output is the sum of its window divided by the number of positions the
    window covers: padding included (``count_include_pad``, the default; a ceil-mode window
    running past the padding counts only up to it), or input positions only, or
    ``divisor_override``.

    Args:
        kernel_size: window size, int or one per spatial dim.
        stride: window step (default ``kernel_size``).
        padding: implicit zeros on both sides, at most ``kernel_size / 2`` (default 0).
        ceil_mode: round the output size up instead of down (default False).
        count_include_pad: count the padding in each window's divisor (default True).
        divisor_override: divide every window sum by this instead (default None).
        data_format: ``"channels_first"`` (default) or ``"channels_last"``.

    Returns:
        (N, C, *o), float32 for float32 input, float64 for float64 or integer input. Its
        VJP spreads each output gradient evenly over the window it came from.

    >>> import numpy as np, upsample
    >>> upsample.avg_pool(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> upsample.avg_pool(np.arange(1.0, 4.0).reshape(1, 1, 3), 2, stride=1, padding=1,
    ...                   count_include_pad=False)
    array([[[1. , 1.5, 2.5, 3. ]]])
    """
    x, k, s, p, out, divisor = avg_pool_args(
        x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )
    return _avg_pool(x, k, s, p, out, divisor)


@_layout.data_format(vjp=True)
def avg_pool_vjp(
    x, kernel_size, *, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
):
    """avg_pool and its pullback: each output gradient, divided by its window's divisor, is
    spread over the window (the adjoint correlation with the kernel of ones), then the
    padding is cut away."""
    x, k, s, p, out, divisor = avg_pool_args(
        x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )
    y = _avg_pool(x, k, s, p, out, divisor)

    def pullback(g: Any) -> tuple[np.ndarray]:
        g = np.asarray(g, dtype=y.dtype)
        if g.shape != y.shape:
            raise ValueError(
                f"avg_pool: the gradient must have the output's shape {y.shape}, got shape {g.shape}"
            )
        span, ones = _avg_geometry(x, k, s, p, out)
        spread = _correlation.correlate_adjoint(
            np.ascontiguousarray(g / divisor), ones, _correlation.Spec(s, (1,) * len(k), x.shape[1]), span
        )  # (N, C, *span)
        gx = np.zeros(x.shape, dtype=y.dtype)
        kept = tuple(min(i, end - p_) for i, end, p_ in zip(x.shape[2:], span, p))
        gx[(Ellipsis, *(slice(0, n) for n in kept))] = spread[
            (Ellipsis, *(slice(p_, p_ + n) for p_, n in zip(p, kept)))
        ]
        return (gx,)

    return y, pullback

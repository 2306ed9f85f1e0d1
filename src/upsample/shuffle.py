"""Pixel shuffle (sub-pixel upsampling) and pixel unshuffle: each other's inverse and adjoint.

``pixel_shuffle`` moves ``r**d`` channels into an ``r x ... x r`` spatial block, in
PyTorch's channel order: output channel ``c`` takes input channels ``c*r**d + j`` with
``j`` enumerating the block offsets in row-major order (ONNX DepthToSpace, mode CRD).
Both are pure permutations, so each one's VJP is the other.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _args, _jit, _layout, shapes
from ._dispatch import chunked

__all__ = ["pixel_shuffle", "pixel_unshuffle", "pixel_shuffle_vjp", "pixel_unshuffle_vjp"]


def _interleave(nd: int) -> tuple[int, ...]:
    """Axes (N, C, r_1..r_d, S_1..S_d) -> (N, C, S_1, r_1, ..., S_d, r_d)."""
    return (0, 1, *(a for j in range(nd) for a in (2 + nd + j, 2 + j)))


@_layout.data_format()
@_layout.depth_order(deep="input")
@chunked
def pixel_shuffle(x: Any, upscale_factor: Any, *, out: np.ndarray | None = None) -> np.ndarray:
    """Rearrange (N, C*r**d, *S) into (N, C, *(S*r)): depth to space.

    Shapes: ``x`` is (N, C_in, *spatial) with ``C_in`` divisible by ``r**d``
    (``d`` spatial dims); ``upscale_factor`` is an int or one per spatial dim.

    Output: (N, C_in / prod(r), *(i * r)), with x's dtype; written into ``out`` and
    returned if it is given (a buffer of that shape and dtype, NumPy's convention).

    ``order="dcr"`` reads the input channels as TensorFlow's ``depth_to_space`` (and ONNX
    DepthToSpace's default mode) does: output channel ``c`` at block offset ``j`` takes
    input channel ``j * C + c``. ``data_format="channels_last"`` takes and returns
    (N, *spatial, C) arrays; both together are ``tf.nn.depth_to_space``.

    >>> import numpy as np, upsample
    >>> upsample.pixel_shuffle(np.arange(4).reshape(1, 4, 1, 1), 2)[0, 0]
    array([[0, 1],
           [2, 3]])
    >>> upsample.pixel_shuffle(np.arange(8).reshape(1, 8, 1, 1), 2, order="dcr")[0, 0]
    array([[0, 2],
           [4, 6]])
    """
    op = "pixel_shuffle"
    x = _args.as_array(op, "x", x, min_ndim=3)
    nd = x.ndim - 2
    r = _args.int_tuple(op, "upscale_factor", upscale_factor, nd, minimum=1)
    n, c_in, *spatial = x.shape
    block = math.prod(r)
    if c_in % block:
        raise ValueError(
            f"{op}: the channels ({c_in}) must be divisible by upscale_factor**{nd} "
            f"= {block}, got upscale_factor {upscale_factor!r}"
        )
    shape = (n, c_in // block, *shapes.pixel_shuffle_output_size(tuple(spatial), r))
    _args.check_output(op, shape, x.dtype)
    blocks = x.reshape(n * (c_in // block), *r, *spatial)  # (N*C, r_1..r_d, S_1..S_d)
    y = _args.out_array(op, out, shape, x.dtype, (x,))
    y = np.empty(shape, dtype=x.dtype) if y is None else y
    target = y.reshape(n * (c_in // block), *(a for s, f in zip(spatial, r) for a in (s, f)))
    if _compiled(nd, x, y):  # one pass, interleaving rows
        _split(
            _shuffle_rows, np.ascontiguousarray(blocks).reshape(-1), y.reshape(-1), r, spatial, len(target)
        )
    else:
        _permute(blocks, _interleave(nd)[1:], target)  # (N*C, S_1, r_1, ..., S_d, r_d)
    return y


def _compiled(nd: int, x: np.ndarray, y: np.ndarray) -> bool:
    """Whether the compiled 2-D loops move the data (a C-contiguous output, a loop dtype)."""
    return nd == 2 and _jit.applies(x, y, contiguous=(y,))


def _split(
    loop: _jit.Kernel,
    source: np.ndarray,
    target: np.ndarray,
    r: tuple[int, ...],
    small: list[int],
    planes: int,
) -> None:
    """Run a 2-D shuffle loop over planes on the threads of :func:`_jit.split_planes`."""
    _jit.split_planes(
        lambda a, b: loop(source, target, r[0], r[1], small[0], small[1], a, b), planes, target.size
    )


@_jit.kernel
def _shuffle_rows(x, y, r1, r2, n1, n2, p0, p1):  # pragma: no cover - compiled
    """Planes ``p0:p1`` of depth to space in 2-D, flat C-order arrays:
    ``y[p, s1, a, s2, b] = x[p, a, b, s1, s2]``; each output row interleaves ``r2`` input
    rows (unsigned indices, so the copies vectorise)."""
    width, rows = np.uint64(n2), np.uint64(n1)
    block = np.uint64(r1 * r2) * rows * width  # one plane of x (and of y)
    for p in range(np.uint64(p0), np.uint64(p1)):
        for s1 in range(rows):
            for a in range(np.uint64(r1)):
                out = ((p * rows + s1) * np.uint64(r1) + a) * width * np.uint64(r2)
                src = p * block + (a * np.uint64(r2) * rows + s1) * width
                if r2 == 2:
                    other = src + rows * width
                    for s2 in range(width):
                        y[out + s2 + s2] = x[src + s2]
                        y[out + s2 + s2 + np.uint64(1)] = x[other + s2]
                else:
                    for b in range(np.uint64(r2)):
                        at = src + b * rows * width
                        for s2 in range(width):
                            y[out + s2 * np.uint64(r2) + b] = x[at + s2]


@_jit.kernel
def _unshuffle_rows(x, y, r1, r2, n1, n2, p0, p1):  # pragma: no cover - compiled
    """Planes ``p0:p1`` of space to depth in 2-D, flat C-order arrays:
    ``y[p, a, b, s1, s2] = x[p, s1, a, s2, b]``; each input row is dealt out to ``r2``
    output rows."""
    width, rows = np.uint64(n2), np.uint64(n1)
    block = np.uint64(r1 * r2) * rows * width
    for p in range(np.uint64(p0), np.uint64(p1)):
        for s1 in range(rows):
            for a in range(np.uint64(r1)):
                src = ((p * rows + s1) * np.uint64(r1) + a) * width * np.uint64(r2)
                out = p * block + (a * np.uint64(r2) * rows + s1) * width
                if r2 == 2:
                    other = out + rows * width
                    for s2 in range(width):
                        y[out + s2] = x[src + s2 + s2]
                        y[other + s2] = x[src + s2 + s2 + np.uint64(1)]
                else:
                    for b in range(np.uint64(r2)):
                        at = out + b * rows * width
                        for s2 in range(width):
                            y[at + s2] = x[src + s2 * np.uint64(r2) + b]


def _permute(source: np.ndarray, axes: tuple[int, ...], target: np.ndarray) -> None:
    """``target[:] = source.transpose(axes)`` (axis 0 fixed), split over planes and threads."""
    view = source.transpose((0, *(a - 1 for a in axes[1:])))
    _jit.split_planes(lambda a, b: np.copyto(target[a:b], view[a:b]), len(target), target.size)


@_layout.data_format()
@_layout.depth_order(deep="output")
@chunked
def pixel_unshuffle(x: Any, downscale_factor: Any, *, out: np.ndarray | None = None) -> np.ndarray:
    """Rearrange (N, C, *(S*r)) into (N, C*r**d, *S): space to depth, undoing :func:`pixel_shuffle`.

    Shapes: ``x`` is (N, C, *spatial) with every spatial size divisible by its factor.
    ``out``: a buffer of the result's shape and dtype to write into (NumPy's convention).

    ``order="dcr"`` writes the output channels in TensorFlow's ``space_to_depth`` order
    (block offset slowest, channel fastest). ``data_format="channels_last"`` takes and
    returns (N, *spatial, C) arrays; both together are ``tf.nn.space_to_depth``.

    >>> import numpy as np, upsample
    >>> upsample.pixel_unshuffle(np.arange(4).reshape(1, 1, 2, 2), 2)[0, :, 0, 0]
    array([0, 1, 2, 3])
    """
    op = "pixel_unshuffle"
    x = _args.as_array(op, "x", x, min_ndim=3)
    nd = x.ndim - 2
    r = _args.int_tuple(op, "downscale_factor", downscale_factor, nd, minimum=1)
    n, c, *spatial = x.shape
    if any(i % f for i, f in zip(spatial, r)):
        raise ValueError(
            f"{op}: every spatial size {tuple(spatial)} must be divisible by downscale_factor {r}"
        )
    small = shapes.pixel_unshuffle_output_size(tuple(spatial), r)
    split = x.reshape(n * c, *(a for s, f in zip(small, r) for a in (s, f)))  # (N*C, S_1, r_1, ...)
    shape = (n, c * math.prod(r), *small)
    y = _args.out_array(op, out, shape, x.dtype, (x,))
    y = np.empty(shape, dtype=x.dtype) if y is None else y
    target = y.reshape(n * c, *r, *small)  # (N*C, r_1..r_d, S_1..S_d)
    if _compiled(nd, x, y):  # one pass, dealing rows out
        _split(_unshuffle_rows, np.ascontiguousarray(x).reshape(-1), y.reshape(-1), r, small, n * c)
    else:
        _permute(split, tuple(np.argsort(_interleave(nd))[1:]), target)
    return y


@_layout.data_format(vjp=True)
@_layout.depth_order(deep="input", vjp=True)
def pixel_shuffle_vjp(x, upscale_factor):
    """pixel_shuffle and its pullback, pixel_unshuffle."""
    return pixel_shuffle(x, upscale_factor), lambda g: (pixel_unshuffle(g, upscale_factor),)


@_layout.data_format(vjp=True)
@_layout.depth_order(deep="output", vjp=True)
def pixel_unshuffle_vjp(x, downscale_factor):
    """pixel_unshuffle and its pullback, pixel_shuffle."""
    return pixel_unshuffle(x, downscale_factor), lambda g: (pixel_shuffle(g, downscale_factor),)

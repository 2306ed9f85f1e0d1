"""Bed of nails (zero-insertion upsampling) and strided subsampling: each other's adjoint.

``bed_of_nails`` puts every input value at one fixed corner of its ``s``-sized cell and
zeros elsewhere; ``subsample`` keeps that corner and drops the rest. So the VJP of one
is the other. Bed of nails is also transposed convolution with a one-hot kernel, and
the zero-insertion step of transposed convolution's "dilate then convolve" view.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _args, _jit, _layout, shapes
from ._dispatch import chunked

__all__ = [
    "bed_of_nails",
    "subsample",
    "bed_of_nails_vjp",
    "subsample_vjp",
    "bed_of_nails_args",
    "factor_args",
]


def factor_args(op: str, x: Any, factor_name: str, factor: Any, offset: Any):
    x = _args.as_array(op, "x", x, min_ndim=3)
    nd = x.ndim - 2
    factor = _args.int_tuple(op, factor_name, factor, nd, minimum=1)
    offset = _args.int_tuple(op, "offset", offset, nd, minimum=0)
    for o, s in zip(offset, factor):
        if o >= s:
            raise ValueError(f"{op}: offset ({o}) must be smaller than {factor_name} ({s})")
    return x, factor, offset


def _nails(factor: tuple[int, ...], offset: tuple[int, ...], count: tuple[int, ...]) -> tuple[slice, ...]:
    """The positions the nails occupy: ``offset + i*s`` for ``i < count``, one slice per dim."""
    return (Ellipsis, *(slice(o, o + (c - 1) * s + 1, s) for o, s, c in zip(offset, factor, count)))


def bed_of_nails_args(x, scale_factor, size, offset):
    op = "bed_of_nails"
    x, factor, offset = factor_args(op, x, "scale_factor", scale_factor, offset)
    spatial = x.shape[2:]
    out = shapes.bed_of_nails_output_size(tuple(spatial), factor, offset)
    if size is not None:
        out = _args.int_tuple(op, "size", size, len(spatial), minimum=1)
        smallest = tuple((i - 1) * s + o + 1 for i, s, o in zip(spatial, factor, offset))
        if any(o < m for o, m in zip(out, smallest)):
            raise ValueError(
                f"{op}: size must be at least {smallest} to hold every input value "
                f"at scale_factor {factor} and offset {offset}, got {out}"
            )
    _args.check_output(op, (*x.shape[:2], *out), x.dtype)
    return x, factor, offset, out


@_layout.data_format()
@chunked
def bed_of_nails(
    x: Any, scale_factor: Any, *, size: Any = None, offset: Any = 0, out: np.ndarray | None = None
) -> np.ndarray:
    """Upsample by placing each value at one corner of its cell and zeros elsewhere.

    Shapes: ``x`` is (N, C, *spatial) with any number of spatial dims.

    Output size per spatial dim: ``o = i * scale_factor`` (or ``size``).

    Args:
        scale_factor: a positive integer, or one per spatial dim.
        size: the output's spatial size, to crop or extend the zero border (optional);
            it must hold every value, ``o >= (i-1)*s + offset + 1``.
        offset: where in its cell each value lands, ``0 <= offset < scale_factor``
            (default 0, the top-left corner, as in the article).
        out: a buffer of the result's shape and dtype to write into (NumPy's convention),
            so that a caller can reuse memory; it is returned.
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout).

    Returns:
        (N, C, *o), with x's dtype.

    The article's example:

    >>> import numpy as np, upsample
    >>> upsample.bed_of_nails(np.arange(1, 5).reshape(1, 1, 2, 2), 2)[0, 0]
    array([[1, 0, 2, 0],
           [0, 0, 0, 0],
           [3, 0, 4, 0],
           [0, 0, 0, 0]])
    """
    x, factor, offset, size = bed_of_nails_args(x, scale_factor, size, offset)
    shape = (*x.shape[:2], *size)
    y = _args.out_array("bed_of_nails", out, shape, x.dtype, (x,))
    y = np.empty(shape, dtype=x.dtype) if y is None else y
    planes = x.reshape(-1, *x.shape[2:])  # (N*C, *S)
    if _jit.applies(x, y, contiguous=(y,)):
        lift = (1,) * (3 - len(size))  # (N*C, D, H, W): one pass
        source = np.ascontiguousarray(planes).reshape(len(planes), *lift, *x.shape[2:])
        target = y.reshape(len(planes), *lift, *size)
        geometry = [
            np.array((fill,) * len(lift) + tuple(v), dtype=np.int64) for v, fill in ((factor, 1), (offset, 0))
        ]
        _jit.split_planes(lambda a, b: _nails_loop(source, target, *geometry, a, b), len(planes), y.size)
        return y
    flat = y.reshape(-1, *size)  # (N*C, *o)
    nails = flat[_nails(factor, offset, x.shape[2:])]  # (N*C, *S), a view into y

    def work(a: int, b: int) -> None:  # zero then place, plane by plane: the first touch of
        flat[a:b] = 0  # fresh pages is split over the threads too
        np.copyto(nails[a:b], planes[a:b])

    _jit.split_planes(work, len(planes), y.size)
    return y


@_jit.kernel
def _nails_loop(x, y, factor, offset, p0, p1):  # pragma: no cover - compiled
    """Planes ``p0:p1``: every output row is written once, zeros with the row's nails
    ``y[p, m*s + offset] = x[p, m]`` in place (x (P, S_1, S_2, S_3), y (P, O_1, O_2, O_3))."""
    _, n1, n2, n3 = x.shape
    _, o1, o2, o3 = y.shape
    flat_x, flat_y = x.reshape(-1), y.reshape(-1)
    f3, off3, width = np.uint64(factor[2]), np.uint64(offset[2]), np.uint64(o3)
    for p in range(p0, p1):
        for a in range(o1):
            i, ri = divmod(a - offset[0], factor[0])
            for b in range(o2):
                j, rj = divmod(b - offset[1], factor[1])
                at = np.uint64(((p * o1 + a) * o2 + b) * o3)
                for e in range(width):
                    flat_y[at + e] = 0
                if a >= offset[0] and ri == 0 and i < n1 and b >= offset[1] and rj == 0 and j < n2:
                    frm = np.uint64(((p * n1 + i) * n2 + j) * n3)
                    for m in range(np.uint64(n3)):
                        flat_y[at + m * f3 + off3] = flat_x[frm + m]


@_layout.data_format(vjp=True)
def bed_of_nails_vjp(x, scale_factor, *, size=None, offset=0):
    """bed_of_nails and its pullback, a strided slice (``subsample``)."""
    y = bed_of_nails(x, scale_factor, size=size, offset=offset)
    x, factor, offset, _ = bed_of_nails_args(x, scale_factor, size, offset)

    def pullback(g):
        gx = subsample(g, factor, offset=offset)
        if gx.shape != x.shape:  # a larger ``size`` added positions that hold no value
            gx = gx[(..., *map(slice, x.shape[2:]))].copy()
        return (gx,)

    return y, pullback


@_layout.data_format()
@chunked
def subsample(x: Any, factor: Any, *, offset: Any = 0) -> np.ndarray:
    """Downsample by keeping one corner of every ``factor``-sized cell: ``x[..., offset::factor]``.

    Shapes: ``x`` is (N, C, *spatial); output size per dim ``ceil((i - offset) / factor)``.
    It undoes :func:`bed_of_nails` and is its adjoint.

    ``data_format="channels_last"`` takes and returns (N, *spatial, C) arrays.

    >>> import numpy as np, upsample
    >>> upsample.subsample(np.arange(6).reshape(1, 1, 6), 2, offset=1)
    array([[[1, 3, 5]]])
    """
    x, factor, offset = factor_args("subsample", x, "factor", factor, offset)
    for axis, (i, o) in enumerate(zip(x.shape[2:], offset)):
        if o >= i:
            raise ValueError(
                f"subsample: offset ({o}) must be smaller than the size ({i}) of spatial axis {axis}"
            )
    kept = x.reshape(-1, *x.shape[2:])[(slice(None), *(slice(o, None, s) for o, s in zip(offset, factor)))]
    y = np.empty(kept.shape, dtype=x.dtype)  # (N*C, *o)
    _jit.split_planes(lambda a, b: np.copyto(y[a:b], kept[a:b]), len(y), x.size)
    return y.reshape(*x.shape[:2], *y.shape[1:])


@_layout.data_format(vjp=True)
def subsample_vjp(x, factor, *, offset=0):
    """subsample and its pullback, a bed of nails of the input's size."""
    y = subsample(x, factor, offset=offset)
    spatial = np.shape(x)[2:]
    return y, lambda g: (bed_of_nails(np.asarray(g), factor, size=spatial, offset=offset),)

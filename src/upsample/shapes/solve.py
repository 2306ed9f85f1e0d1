"""Solving for settings: which conv_transpose maps one size to another, the one that undoes a
conv, and how many kernel taps reach each output (the overlap map)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any, NamedTuple

from .. import _args
from .sizes import Size, conv_transpose_padding

# --------------------------------------------------------------------------- solving


class ConvTransposeSettings(NamedTuple):
    """One way for ``conv_transpose`` to map an input size to an output size."""

    kernel_size: int
    stride: int
    padding: int
    output_padding: int
    dilation: int = 1


def _naturalness(c: ConvTransposeSettings) -> tuple:
    """The order of :func:`solve_conv_transpose`'s answers (the generator follows it)."""
    k, s = c.kernel_size, c.stride
    return (
        c.output_padding > 0,  # exact fit without the output_padding patch
        k % s != 0,  # even overlap: no checkerboard (Odena et al. 2016)
        k < s,  # a kernel shorter than the stride leaves holes
        k != 2 * s,  # k = 2s (e.g. k4 s2 p1) is the most common choice
        s,
        k,
        c.padding,
    )


def _fits(t: int, k: int, s: int, d: int, patched: bool) -> range:
    """The paddings p for which kernel ``k`` at stride ``s`` covers ``t = o - 1 - (i-1)*s``.

    ``o = (i-1)*s - 2p + d*(k-1) + a + 1`` gives ``a = 2p - x`` with ``x = d*(k-1) - t``;
    ``0 <= p <= d*(k-1) // 2`` and ``0 <= a < max(s, d)``. ``patched`` asks for ``a > 0``,
    otherwise ``a = 0`` (then ``p = x / 2``).
    """
    x = d * (k - 1) - t
    most = d * (k - 1) // 2
    if not patched:
        return range(x // 2, x // 2 + 1) if x >= 0 and x % 2 == 0 and x // 2 <= most else range(0)
    return range(max(0, (x + 2) // 2), min(most, (x + max(s, d) - 1) // 2) + 1)


def _kernels(group: int, s: int, top: int, low: int, fixed: int | None) -> tuple[Iterable[int], bool]:
    """The kernels of one group of the order at stride ``s`` from ``low`` up, and whether
    they are consecutive (so that the periodic stopping rule applies).

    Groups, in the order of :func:`_naturalness`: ``k = 2s``; other multiples of ``s``
    (``k >= s``); kernels ``>= s`` that are no multiple; kernels shorter than ``s``.
    """
    if fixed is not None:
        member = [
            fixed == 2 * s,
            fixed % s == 0 and fixed != 2 * s,
            fixed >= s and fixed % s != 0,
            fixed < s,
        ][group]
        return ([fixed] if member and fixed >= low else []), False
    if group == 0:
        return ([2 * s] if low <= 2 * s <= top else []), False
    if group == 1:
        return [k for k in range(s, top + 1, s) if k != 2 * s and k >= low], False
    if group == 2:
        return (k for k in range(max(s, low), top + 1) if k % s), True
    return range(low, s), True


def _solutions(i: int, o: int, d: int, kernel_size: int | None, stride: int | None):
    """Every setting mapping ``i`` to ``o``, lazily, in the order of :func:`_naturalness`.

    The work between two answers is bounded: a group of kernels at one stride is left
    as soon as both parities of ``d*(k-1)`` have failed beyond the smallest kernel that
    fits, since from there on whether a kernel fits depends on that parity alone.
    """

    def top(s: int) -> int:
        return kernel_size if kernel_size is not None else max(2 * s + 2, 7)

    def reaches(s: int, patched: bool) -> bool:  # can the longest kernel get there?
        return o - 1 - (i - 1) * s <= d * (top(s) - 1) + (max(s, d) - 1 if patched else 0)

    def strides(patched: bool, group: int) -> range:
        if stride is not None:
            return range(stride, stride + 1)
        high = max(o // max(i - 1, 1), 1) + 1
        first, last = 1, high + 1  # reaches() is monotonic in s: bisect
        while first < last:
            middle = (first + last) // 2
            first, last = (first, middle) if reaches(middle, patched) else (middle + 1, last)
        if kernel_size is not None:  # a fixed kernel is >= s in groups 0-2, < s in 3
            return (
                range(max(first, kernel_size + 1), high + 1)
                if group == 3
                else range(first, min(high, kernel_size) + 1)
            )
        return range(first, high + 1)

    for patched in (False, True):
        for group in range(4):
            for s in strides(patched, group):
                t = o - 1 - (i - 1) * s
                if t < 0:
                    break  # larger strides overshoot too
                if not patched and d % 2 == 0 and t % 2:
                    continue  # an even d*(k-1) - t is needed
                reach = t - max(s, d) + 1 if patched else t  # x >= -(max(s, d) - 1) or x >= 0
                low = max(1, 1 + -(-reach // d))
                kernels, consecutive = _kernels(group, s, top(s), low, kernel_size)
                failed: set[int] = set()
                for k in kernels:
                    paddings = _fits(t, k, s, d, patched)
                    for p in paddings:
                        yield ConvTransposeSettings(k, s, p, 2 * p - (d * (k - 1) - t), d)
                    if not paddings and consecutive and d * (k - 1) >= t:
                        failed.add(d * (k - 1) % 2)
                        if len(failed) == (2 if d % 2 else 1):
                            break


def solve_conv_transpose(
    in_size: int,
    out_size: int,
    *,
    kernel_size: int | None = None,
    stride: int | None = None,
    dilation: int = 1,
    limit: int | None = None,
) -> list[ConvTransposeSettings]:
    """The ``(kernel_size, stride, padding, output_padding)`` settings mapping ``in_size`` to
    ``out_size``, most natural first: all of them, or the first ``limit``.

    Solves ``out = (in-1)*s - 2p + d*(k-1) + a + 1`` for one spatial dimension within
    sensible bounds: ``k <= max(2s + 2, 7)`` unless ``kernel_size`` is fixed,
    ``0 <= p <= d*(k-1) // 2`` (never crop more than half the kernel's overhang) and
    ``0 <= a < max(s, d)`` (PyTorch's rule). Fix ``kernel_size`` or ``stride`` to narrow the
    search. The most natural settings come first: no output_padding, a kernel that is a
    multiple of the stride (even overlap, no checkerboard artifacts), ``k = 2s``, then
    smaller strides and kernels.

    The settings are generated in that order, so ``limit`` bounds the work: the first
    few settings of any sizes take a number of steps proportional to the strides that
    reach ``out_size``, never to the number of settings (millions for ``1 -> 256``).

    >>> solve_conv_transpose(64, 128)[0]
    ConvTransposeSettings(kernel_size=4, stride=2, padding=1, output_padding=0, dilation=1)
    >>> solve_conv_transpose(2, 3, stride=1)[0]
    ConvTransposeSettings(kernel_size=2, stride=1, padding=0, output_padding=0, dilation=1)
    >>> len(solve_conv_transpose(1, 16384, limit=3))
    3
    """
    op = "solve_conv_transpose"
    i = _args.int_tuple(op, "in_size", in_size, 1, minimum=1)[0]
    o = _args.int_tuple(op, "out_size", out_size, 1, minimum=1)[0]
    d = _args.int_tuple(op, "dilation", dilation, 1, minimum=1)[0]
    s = None if stride is None else _args.int_tuple(op, "stride", stride, 1, minimum=1)[0]
    k = None if kernel_size is None else _args.int_tuple(op, "kernel_size", kernel_size, 1, minimum=1)[0]
    n = None if limit is None else _args.int_tuple(op, "limit", limit, 1, minimum=0)[0]
    return list(itertools.islice(_solutions(i, o, d, k, s), n))


def undo_conv(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> ConvTransposeSettings:
    """The conv_transpose that maps a conv's output size back to its input ``size``.

    A strided conv maps several input sizes to the same output size, so the transpose
    needs ``output_padding = (i + 2p - d*(k-1) - 1) mod s`` to land on the original one
    (PyTorch's ``output_size`` argument does the same).

    >>> undo_conv(7, 3, stride=2, padding=1)
    ConvTransposeSettings(kernel_size=3, stride=2, padding=1, output_padding=0, dilation=1)
    >>> undo_conv(8, 3, stride=2, padding=1)
    ConvTransposeSettings(kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1)
    """
    op = "undo_conv"
    i, k, s, p, d = (
        _args.int_tuple(op, name, v, 1, minimum=m)[0]
        for name, v, m in (
            ("size", size, 1),
            ("kernel_size", kernel_size, 1),
            ("stride", stride, 1),
            ("padding", padding, 0),
            ("dilation", dilation, 1),
        )
    )
    span = i + 2 * p - d * (k - 1) - 1
    if span < 0:
        raise ValueError(
            f"{op}: the dilated kernel ({d * (k - 1) + 1}) is larger than the padded input ({i + 2 * p})"
        )
    return ConvTransposeSettings(k, s, p, span % s, d)


# --------------------------------------------------------------------------- overlap


def _overlap_1d(k: int, s: int, d: int, size: int | None, pad: tuple[int, int], a: int) -> list[int]:
    """Taps reaching each output position along one dim (see :func:`overlap_map`)."""
    if size is None:  # one period of the interior; the crop p_lo shifts its phase
        return [sum(1 for t in range(k) if (t * d - pad[0] - j) % s == 0) for j in range(s)]
    full = [0] * ((size - 1) * s + d * (k - 1) + 1 + a)  # output_padding: zeros at the end,
    for t in range(k):  # then the crop
        for m in range(size):
            full[m * s + t * d] += 1
    return full[pad[0] : len(full) - pad[1]]


def _outer(per_dim: list[list[int]]) -> tuple:
    """Nested tuples of products: ``result[j0][j1]... = per_dim[0][j0] * per_dim[1][j1] * ...``."""
    if len(per_dim) == 1:
        return tuple(per_dim[0])
    inner = _outer(per_dim[1:])
    return tuple(_scale(inner, c) for c in per_dim[0])


def _scale(nested: tuple, factor: int) -> tuple:
    return tuple(_scale(v, factor) if isinstance(v, tuple) else v * factor for v in nested)


def overlap_map(
    kernel_size: Size,
    stride: Size,
    dilation: Size = 1,
    *,
    size: Size | None = None,
    padding: Any = 0,
    output_padding: Size = 0,
) -> tuple:
    """How many kernel taps of a transposed convolution reach each output position.

    Input position ``m`` adds tap ``t`` of the kernel to output position ``j = m*s + t*d``
    of the uncropped output, so position ``j`` (after cropping ``p_lo``) receives

        c(j) = #{(m, t) : 0 <= m < i, 0 <= t < k, m*s + t*d = j + p_lo}

    taps. Away from the border this is periodic with period ``s``:
    ``c(j) = #{t < k : t*d = j + p_lo (mod s)}``. When ``k`` is not a multiple of ``s``
    (``d = 1``) the count alternates, some outputs get more of the kernel than their
    neighbours, and that uneven overlap is the cause of checkerboard artifacts (A. Odena,
    V. Dumoulin and C. Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016).
    In several dims the count is the product of the per-dim counts.

    Without ``size`` the answer is one period of the interior; with ``size`` (the input's
    spatial size) it is every output position, border included, and equals
    ``conv_transpose`` of ones with a kernel of ones. Scalar arguments give a flat tuple,
    per-dim ones nested tuples (one level per spatial dim).

    >>> overlap_map(3, 2), overlap_map(4, 2)
    ((2, 1), (2, 2))
    >>> overlap_map((3, 3), 2)
    ((4, 2), (2, 1))
    >>> overlap_map(3, 2, size=4)
    (1, 1, 2, 1, 2, 1, 2, 1, 1)
    """
    op = "overlap_map"
    per_dim_size = size if size is not None else 1
    pads, a = conv_transpose_padding(
        per_dim_size, kernel_size, stride, padding, output_padding, dilation, op=op
    )
    n = len(pads)
    k = _args.int_tuple(op, "kernel_size", kernel_size, n, minimum=1)
    s = _args.int_tuple(op, "stride", stride, n, minimum=1)
    d = _args.int_tuple(op, "dilation", dilation, n, minimum=1)
    i = (None,) * n if size is None else _args.int_tuple(op, "size", size, n, minimum=1)
    per_dim = [_overlap_1d(*args) for args in zip(k, s, d, i, pads, a)]
    if any(len(counts) <= 0 for counts in per_dim):
        raise ValueError(f"{op}: padding {padding!r} crops away the whole output")
    return _outer(per_dim)

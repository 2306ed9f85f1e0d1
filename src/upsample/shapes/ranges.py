"""Halos: the input cells an output block needs, per op and axis (for upsample.dask)."""

from __future__ import annotations

from collections.abc import Sequence

# --------------------------------------------------------------------------- halos


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def conv_input_range(
    start: int, stop: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> tuple[int, int]:
    """The input cells ``[lo, hi)`` that conv outputs ``[start, stop)`` read, along one axis.

    Output ``o`` reads the padded positions ``o*s + t*d`` for taps ``t < k``, which are
    the unpadded positions ``o*s - p_lo + t*d``. So the block reads
    ``[start*s - p_lo, (stop-1)*s - p_lo + d*(k-1) + 1)``; the range may reach past the
    input on either side (that part is padding). ``padding`` is ``p_lo``.
    The halo beyond the block's own ``(stop-start)*s`` cells is ``d*(k-1) + 1 - s``.

    >>> conv_input_range(0, 2, 3, stride=2, padding=1)    # o = 0, 1 read -1..3
    (-1, 4)
    """
    return start * stride - padding, (stop - 1) * stride - padding + dilation * (kernel_size - 1) + 1


def conv_transpose_input_range(
    start: int, stop: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> tuple[int, int]:
    """The input cells ``[lo, hi)`` whose kernels reach conv_transpose outputs ``[start, stop)``.

    Input ``m`` adds tap ``t`` to the uncropped position ``j = m*s + t*d``, and output
    ``o`` is ``j = o + p_lo``. Solving ``start + p_lo <= m*s + t*d < stop + p_lo`` for
    some ``t < k``: ``lo = ceil((start + p_lo - d*(k-1)) / s)``, ``hi = floor((stop - 1 +
    p_lo) / s) + 1``. Clip to ``[0, i)``; an empty range means the block only holds
    output_padding zeros. ``padding`` is ``p_lo``.

    >>> conv_transpose_input_range(0, 4, 4, stride=2, padding=1)   # k4 s2 p1: inputs 0..2 (clipped)
    (-1, 3)
    """
    reach = dilation * (kernel_size - 1)
    return _ceil_div(start + padding - reach, stride), (stop - 1 + padding) // stride + 1


def pool_input_range(
    start: int, stop: int, kernel_size: int, stride: int, padding: int = 0, dilation: int = 1
) -> tuple[int, int]:
    """The input cells ``[lo, hi)`` that max_pool windows ``[start, stop)`` cover, along one axis.

    Window ``o`` covers ``o*s - p + t*d`` for ``t < k`` (the same geometry as conv with
    ``p_lo = p``); positions outside the input are its ``-inf`` padding.

    >>> pool_input_range(1, 3, 2, 2)
    (2, 6)
    """
    return conv_input_range(start, stop, kernel_size, stride, padding, dilation)


def unpool_input_range(
    start: int, stop: int, kernel_size: int, stride: int, padding: int = 0
) -> tuple[int, int]:
    """The input cells ``[lo, hi)`` of max_unpool whose pooling windows meet outputs ``[start, stop)``.

    Cell ``m`` came from the window ``[m*s - p, m*s - p + k)``, so its index lies there;
    the window meets the block when ``m*s - p <= stop - 1`` and ``m*s - p + k - 1 >= start``.
    This is :func:`conv_transpose_input_range` with dilation 1 (unpooling scatters
    like a transposed convolution whose kernel is the window).

    >>> unpool_input_range(0, 4, 2, 2)
    (0, 2)
    """
    return conv_transpose_input_range(start, stop, kernel_size, stride, padding, 1)


def nails_input_range(start: int, stop: int, factor: int, offset: int = 0) -> tuple[int, int]:
    """The input cells ``[lo, hi)`` that bed_of_nails places in outputs ``[start, stop)``.

    Input ``m`` lands on ``m*s + offset``: ``lo = ceil((start - offset) / s)``,
    ``hi = ceil((stop - offset) / s)``. Clip to ``[0, i)``.

    >>> nails_input_range(2, 6, 2, offset=1)    # outputs 3 and 5 hold inputs 1 and 2
    (1, 3)
    """
    return _ceil_div(start - offset, factor), _ceil_div(stop - offset, factor)


def subsample_input_range(start: int, stop: int, factor: int, offset: int = 0) -> tuple[int, int]:
    """The input cells ``[lo, hi)`` that subsample outputs ``[start, stop)`` keep: ``o*s + offset``.

    >>> subsample_input_range(1, 3, 2, offset=1)
    (3, 6)
    """
    return start * factor + offset, (stop - 1) * factor + offset + 1


def aligned_chunks(in_chunks: Sequence[int], out_size: int, period: int = 1) -> tuple[int, ...]:
    """Output chunk sizes that follow ``in_chunks`` (scaled to ``out_size``), cut at multiples of ``period``.

    Each input chunk border ``b`` becomes the output border ``floor(b * o / i)`` rounded
    down to a multiple of ``period`` (an op's stride or integer scale factor), so every
    output block starts at the same phase of the op and reads the same pattern of inputs.
    Borders that collide are merged; the sizes add up to ``out_size``.

    >>> aligned_chunks((3, 3, 2), 16, period=2)
    (6, 6, 4)
    >>> aligned_chunks((5, 5), 5, period=2)
    (2, 3)
    """
    in_size = sum(in_chunks)
    borders, total = [], 0
    for size in list(in_chunks)[:-1]:
        total += size
        border = (total * out_size // max(in_size, 1)) // period * period
        if 0 < border < out_size and (not borders or border > borders[-1]):
            borders.append(border)
    edges = [0, *borders, out_size]
    return tuple(b - a for a, b in zip(edges, edges[1:])) if out_size > 0 else (0,)

"""The sampling plan: how one spatial axis is resampled, as (O, T) source indices and weights.

Every interpolation mode of every convention ends as one :class:`SamplingPlan` per axis;
the forward, the VJP (the transposed plan), the compiled loops and the explanations all
read it. Legend: I input size along the axis, O output size, T taps per output, K = O*T.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["SamplingPlan"]


@dataclass(frozen=True, eq=False)
class SamplingPlan:
    """How one spatial axis is resampled: ``out[o] = sum over t of weight[o, t] * x[index[o, t]]``.

    Attributes:
        index: (O, T) int64 array of source positions, all in ``[0, in_size)``.
        weight: (O, T) float array of weights, in the dtype the plan was computed in.
        in_size: I, the length of the axis before resampling.
        out_size: O, the length after.
        scale: the scale factor that placed the samples, output length per input length:
            a caller's ``scale_factor`` where the convention places samples by it, else
            ``out_size / in_size`` (the default). OpenCV's rules read it (cv2.resize with
            ``fx``/``fy`` decides its loops from the factor, not from the rounded size).

    Rows with fewer real taps than T (area bins of uneven width, antialias windows
    cut by the border) are padded with weight 0 at a valid source position. Linear
    and cubic keep PyTorch's own zero-weight taps (e.g. the second tap on an exact
    source pixel), so ``weight != 0`` selects the taps that matter.

    >>> from upsample.interpolation import sampling_plan
    >>> plan = sampling_plan(2, 4, "linear")
    >>> plan.index
    array([[0, 1],
           [0, 1],
           [0, 1],
           [1, 1]])
    >>> plan.weight
    array([[1.  , 0.  ],
           [0.75, 0.25],
           [0.25, 0.75],
           [0.75, 0.25]])

    The last output reads input 1 twice (the second tap is clamped to the border):
    ``0.75 * x[1] + 0.25 * x[1]``.
    """

    index: np.ndarray
    weight: np.ndarray
    in_size: int
    out_size: int
    scale: float | None = None

    def __post_init__(self) -> None:
        if self.scale is None:
            object.__setattr__(self, "scale", self.out_size / self.in_size)

    @property
    def taps(self) -> int:
        """T, the number of source positions each output reads (padding included)."""
        return int(self.index.shape[1])

    @functools.cached_property
    def is_gather(self) -> bool:
        """One tap of weight 1 per output: a pure gather, exact for every dtype."""
        return self.taps == 1 and bool(np.all(self.weight == 1))

    @functools.cached_property
    def is_identity(self) -> bool:
        """Output ``o`` is input ``o``: resampling this axis changes nothing."""
        return (
            self.is_gather
            and self.in_size == self.out_size
            and bool(np.array_equal(self.index[:, 0], np.arange(self.out_size)))
        )

    def matrix(self) -> np.ndarray:
        """The plan as a dense (O, I) matrix, for reading and testing (never on the hot path)."""
        dense = np.zeros((self.out_size, self.in_size), dtype=self.weight.dtype)
        rows = np.broadcast_to(np.arange(self.out_size)[:, None], self.index.shape)  # (O, T)
        np.add.at(dense, (rows, self.index), self.weight)
        return dense

    def apply(self, x: np.ndarray, axis: int) -> np.ndarray:
        """Resample ``x`` along ``axis`` from ``in_size`` to ``out_size``: gather, then sum the taps.

        ``x`` should already have the plan's float dtype, unless the plan is a pure gather.
        """
        if self.is_identity:
            return x
        if self.is_gather:
            return np.take(x, self.index[:, 0], axis=axis)
        along = [1] * x.ndim
        along[axis] = self.out_size  # weights broadcast as (1, .., O, .., 1)
        out = np.take(x, self.index[:, 0], axis=axis) * self.weight[:, 0].reshape(along)
        for t in range(1, self.taps):
            out += np.take(x, self.index[:, t], axis=axis) * self.weight[:, t].reshape(along)
        return out

    @functools.cached_property
    def _by_source(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The transposed plan: the (output, tap) pairs grouped by the input position they read.

        Returns ``(rows, weights, starts, targets)``: the K' nonzero pairs sorted by source
        position (their output rows and weights), where each group starts, and the input
        position of each group. Zero-weight taps carry nothing back and are left out.
        """
        flat_index = self.index.ravel()  # (K,) with K = O*T, row-major
        flat_weight = self.weight.ravel()
        live = np.flatnonzero(flat_weight != 0)
        order = live[np.argsort(flat_index[live], kind="stable")]  # (K',) grouped by source
        sources = flat_index[order]
        starts = np.flatnonzero(np.diff(sources, prepend=-1))  # first pair of each group
        return order // self.taps, flat_weight[order], starts, sources[starts]

    def apply_transpose(self, g: np.ndarray, axis: int) -> np.ndarray:
        """The adjoint of :meth:`apply`: scatter-add ``g`` (size ``out_size`` along ``axis``) back.

        Input position ``i`` receives ``sum of weight[o, t] * g[o]`` over the pairs with
        ``index[o, t] == i``: one gather, one multiply and one segmented sum
        (``np.add.reduceat``), no dense matrix. Positions no output reads get 0.
        """
        if self.is_identity:
            return g
        rows, weights, starts, targets = self._by_source
        shape = list(g.shape)
        shape[axis] = self.in_size
        if len(rows) == 0:
            return np.zeros(shape, dtype=np.result_type(g, weights))
        along = [1] * g.ndim
        along[axis] = len(rows)  # weights broadcast as (1, .., K', .., 1)
        terms = np.take(g, rows, axis=axis) * weights.reshape(along)  # (..., K', ...)
        sums = np.add.reduceat(terms, starts, axis=axis)  # (..., U, ...) per source
        if len(targets) == self.in_size:  # every input is read: targets == arange(I)
            return sums
        out = np.zeros(shape, dtype=sums.dtype)  # (..., I, ...)
        out[(slice(None),) * axis + (targets,)] = sums
        return out

"""Interpolation (nearest, linear, cubic, area) as per-axis sampling plans.

Every mode is separable: along each spatial axis, output position ``o`` reads a few
source positions ``index[o, t]`` with weights ``weight[o, t]``. That pair of small
(O, T) arrays is a :class:`SamplingPlan`, built once per axis by :func:`sampling_plan`.

* the forward gathers and takes a weighted sum over the T taps, one axis at a time;
* the VJP applies the *transposed* plans (each input position sums the weighted
  output gradients that read it), in reverse axis order, so it is the exact adjoint
  of the forward; for nearest by an integer factor that is a block sum;
* the explanations read the same plans to show each output's sources and weights.

The source coordinates follow PyTorch (``aten/src/ATen/native/UpSample.h``): see
:func:`sampling_plan` for the rules and the quirks kept on purpose.

Axis legend: N batch, C channels, I input size along one axis, O output size along
it, T taps per output, K = O*T (output, tap) pairs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _args, _jit, shapes

__all__ = ["interpolate", "nearest", "bilinear", "sampling_plan", "sampling_plans",
           "SamplingPlan", "MODES", "ALIASES"]


# --------------------------------------------------------------------------- the plan

@dataclass(frozen=True, eq=False)
class SamplingPlan:
    """How one spatial axis is resampled: ``out[o] = sum over t of weight[o, t] * x[index[o, t]]``.

    Attributes:
        index: (O, T) int64 array of source positions, all in ``[0, in_size)``.
        weight: (O, T) float array of weights, in the dtype the plan was computed in.
        in_size: I, the length of the axis before resampling.
        out_size: O, the length after.

    Rows with fewer real taps than T (area bins of uneven width, antialias windows
    cut by the border) are padded with weight 0 at a valid source position. Linear
    and cubic keep PyTorch's own zero-weight taps (e.g. the second tap on an exact
    source pixel), so ``weight != 0`` selects the taps that matter.

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
        return (self.is_gather and self.in_size == self.out_size
                and bool(np.array_equal(self.index[:, 0], np.arange(self.out_size))))

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
        along[axis] = self.out_size                       # weights broadcast as (1, .., O, .., 1)
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
        flat_index = self.index.ravel()                   # (K,) with K = O*T, row-major
        flat_weight = self.weight.ravel()
        live = np.flatnonzero(flat_weight != 0)
        order = live[np.argsort(flat_index[live], kind="stable")]  # (K',) grouped by source
        sources = flat_index[order]
        starts = np.flatnonzero(np.diff(sources, prepend=-1))      # first pair of each group
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
        along[axis] = len(rows)                          # weights broadcast as (1, .., K', .., 1)
        terms = np.take(g, rows, axis=axis) * weights.reshape(along)  # (..., K', ...)
        sums = np.add.reduceat(terms, starts, axis=axis)              # (..., U, ...) per source
        if len(targets) == self.in_size:                 # every input is read: targets == arange(I)
            return sums
        out = np.zeros(shape, dtype=sums.dtype)          # (..., I, ...)
        out[(slice(None),) * axis + (targets,)] = sums
        return out


# --------------------------------------------------------------------------- coordinates

def _coordinate_scale(in_size: int, out_size: int, scale_factor: float | None,
                      align_corners: bool, dtype: np.dtype) -> np.floating:
    """Source pixels per output pixel, PyTorch's ``area_pixel_compute_scale``, in ``dtype``.

    ``(I-1)/(O-1)`` with align_corners (0 when O == 1); otherwise ``1/scale_factor``
    when the caller's scale factor is kept, else ``I/O``.
    """
    f = dtype.type
    if align_corners:
        return f(in_size - 1) / f(out_size - 1) if out_size > 1 else f(0)
    if scale_factor is not None:
        return f(1.0 / scale_factor)
    return f(in_size) / f(out_size)


def _source_coordinates(scale: np.floating, out_size: int, align_corners: bool, *,
                        clamp: bool) -> np.ndarray:
    """Where each output pixel's centre lands in the input, ``area_pixel_compute_source_index``.

    ``scale * o`` with align_corners, else ``scale * (o + 0.5) - 0.5`` (half-pixel
    centres), clamped at 0 when ``clamp`` (linear does, cubic does not). -> (O,)

    PyTorch's CPU build evaluates ``scale * (o + 0.5) - 0.5`` as one fused multiply-add
    (a single rounding); for float32 we get the same by computing it in float64
    (exactly, for any realistic size) and rounding once.
    """
    dtype = np.asarray(scale).dtype
    dst = np.arange(out_size).astype(dtype)
    if align_corners:
        return scale * dst
    wide = np.promote_types(dtype, np.float64)
    src = (scale.astype(wide) * (dst.astype(wide) + 0.5) - 0.5).astype(dtype)
    return np.maximum(src, 0) if clamp else src


def _floor_and_fraction(src: np.ndarray, in_size: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's ``guard_index_and_lambda``: ``floor(src)`` kept below I, and the fraction in [0, 1]."""
    index = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    fraction = np.clip(src - index.astype(src.dtype), 0, 1)
    return index, fraction


def _identity(size: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(size)[:, None], np.ones((size, 1), dtype=dtype)


# --------------------------------------------------------------------------- kernels

def _keys_near(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel for ``|s| <= 1``."""
    a = s.dtype.type(a)
    return ((a + 2) * s - (a + 3)) * s * s + 1


def _keys_far(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel for ``1 <= |s| <= 2``."""
    a = s.dtype.type(a)
    return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a


def _keys(s: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel at any ``s``: zero beyond ``|s| = 2``."""
    s = np.abs(s)
    return np.where(s < 1, _keys_near(s, a), np.where(s < 2, _keys_far(s, a), 0)).astype(s.dtype)


def _triangle(s: np.ndarray) -> np.ndarray:
    """The tent ``max(0, 1 - |s|)``: linear interpolation's kernel."""
    s = np.abs(s)
    return np.where(s < 1, 1 - s, 0).astype(s.dtype)


# --------------------------------------------------------------------------- one plan per mode
# Each takes (in_size, out_size, scale_factor, align_corners, dtype) and returns the
# (O, T) index and weight arrays. scale_factor is None when the output size was given
# or recompute_scale_factor=True.

def _nearest_source(in_size: int, out_size: int, scale_factor: float | None,
                    offset: float) -> np.ndarray:
    """``floor((o + offset) * scale)`` in float32 for every dtype, as PyTorch's ``nearest_idx``."""
    f32 = np.dtype(np.float32)
    scale = _coordinate_scale(in_size, out_size, scale_factor, False, f32)
    src = np.floor((np.arange(out_size, dtype=f32) + f32.type(offset)) * scale)
    return np.minimum(src.astype(np.int64), in_size - 1)


def _nearest_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Output ``o`` copies input ``floor(o * I/O)``: the top-left pixel of its cell.

    PyTorch shortcut, kept: O == I copies and O == 2I reads ``o // 2``, whatever the
    scale_factor says (it only differs from the formula for factors like 1.1 on 5).
    """
    if out_size == in_size:
        index = np.arange(out_size)
    elif out_size == 2 * in_size:
        index = np.arange(out_size) // 2
    else:
        index = _nearest_source(in_size, out_size, scale_factor, offset=0.0)
    return index[:, None], np.ones((out_size, 1), dtype=dtype)


def _nearest_exact_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Output ``o`` copies input ``floor((o + 0.5) * I/O)``: the pixel under its centre."""
    index = _nearest_source(in_size, out_size, scale_factor, offset=0.5)
    return index[:, None], np.ones((out_size, 1), dtype=dtype)


def _linear_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Two taps, ``floor(src)`` and the next pixel, weighted ``1 - frac`` and ``frac``.

    The source coordinate is clamped at 0 and the second tap at I - 1, so the border
    pixels are repeated. PyTorch shortcut, kept: an axis with O == I is copied.
    """
    if out_size == in_size:
        return _identity(in_size, dtype)
    scale = _coordinate_scale(in_size, out_size, scale_factor, align_corners, dtype)
    src = _source_coordinates(scale, out_size, align_corners, clamp=True)
    first, fraction = _floor_and_fraction(src, in_size)
    second = first + (first < in_size - 1)
    return np.stack([first, second], axis=1), np.stack([1 - fraction, fraction], axis=1)


CUBIC_A = -0.75  # PyTorch's (and OpenCV's) Keys parameter; the antialias path uses -0.5


def _cubic_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Four taps ``floor(src) - 1 .. floor(src) + 2`` with Keys' weights (a = -0.75).

    The coordinate is not clamped; the four source indices are clamped to the border
    instead, as PyTorch's ``upsample_bicubic2d`` does.
    """
    scale = _coordinate_scale(in_size, out_size, scale_factor, align_corners, dtype)
    src = _source_coordinates(scale, out_size, align_corners, clamp=False)
    first, t = _floor_and_fraction(src, in_size)
    rest = 1 - t
    weight = np.stack([_keys_far(t + 1, CUBIC_A), _keys_near(t, CUBIC_A),
                       _keys_near(rest, CUBIC_A), _keys_far(rest + 1, CUBIC_A)], axis=1)  # (O, 4)
    index = np.clip(first[:, None] + np.arange(-1, 3), 0, in_size - 1)                  # (O, 4)
    return index, weight


def _area_plan(in_size, out_size, scale_factor, align_corners, dtype):
    """Adaptive average pooling: output ``o`` averages inputs ``floor(o*I/O) .. ceil((o+1)*I/O) - 1``."""
    o = np.arange(out_size)
    start = o * in_size // out_size                       # (O,)
    end = -(-(o + 1) * in_size // out_size)               # (O,) ceil division
    t = np.arange(int((end - start).max()))               # (T,)
    inside = start[:, None] + t < end[:, None]            # (O, T)
    index = np.minimum(start[:, None] + t, end[:, None] - 1)
    weight = np.where(inside, 1.0 / (end - start)[:, None], 0.0).astype(dtype)
    return index, weight


def _antialias_plan(in_size, out_size, scale_factor, align_corners, dtype, *, width, kernel):
    """PyTorch's ``_upsample_{bilinear,bicubic}2d_aa`` filter along one axis.

    The kernel is stretched by the scale when downsampling (support ``width/2 * scale``
    when scale >= 1, else ``width/2``), centred at ``scale * (o + 0.5)`` (also with
    align_corners, then with scale ``(I-1)/(O-1)``), cut at the border and normalised
    to sum 1. PyTorch mixes float and double in a few steps here; so do we, for
    float32 plans that match it bit for bit.

    PyTorch shortcut, kept: an axis with O == I is copied, whatever the scale_factor
    says (PyTorch's backward does not take that shortcut; ours is the forward's adjoint).
    """
    if out_size == in_size:
        return _identity(in_size, dtype)
    f = dtype.type
    scale = _coordinate_scale(in_size, out_size, scale_factor, align_corners, dtype)
    stretch = scale >= 1
    support = f(width / 2 * float(scale)) if stretch else f(width / 2)
    inverse = f(1.0 / float(scale)) if stretch else f(1)
    center = scale * (np.arange(out_size) + 0.5).astype(dtype)                    # (O,)
    lo = np.maximum(np.floor((center - support).astype(np.float64) + 0.5), 0).astype(np.int64)
    hi = np.minimum(np.floor((center + support).astype(np.float64) + 0.5), in_size).astype(np.int64)
    t = np.arange(max(int((hi - lo).max()), 1))                                  # (T,)
    index = lo[:, None] + t                                                       # (O, T)
    offset = (index.astype(dtype) - center[:, None]).astype(np.float64) + 0.5
    weight = np.where(index < hi[:, None], kernel((offset * float(inverse)).astype(dtype)), 0)
    weight = weight.astype(dtype)
    total = weight.sum(axis=1, keepdims=True)
    weight = np.where(total != 0, weight / np.where(total != 0, total, 1), weight).astype(dtype)
    last = np.maximum(hi, lo + 1)[:, None] - 1            # padding taps repeat the last source
    return np.clip(np.minimum(index, last), 0, in_size - 1), weight


# --------------------------------------------------------------------------- the mode table

@dataclass(frozen=True)
class _Mode:
    plan: Callable[..., tuple[np.ndarray, np.ndarray]]
    #: takes align_corners (PyTorch's "interpolating modes")
    interpolating: bool = False
    #: the antialiased plan, for modes that have one
    antialias: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None
    #: a pure gather: the output keeps the input's dtype (integers included)
    gather: bool = False


MODES: dict[str, _Mode] = {
    "nearest": _Mode(_nearest_plan, gather=True),
    "nearest-exact": _Mode(_nearest_exact_plan, gather=True),
    "linear": _Mode(_linear_plan, interpolating=True,
                    antialias=functools.partial(_antialias_plan, width=2, kernel=_triangle)),
    "cubic": _Mode(_cubic_plan, interpolating=True,
                   antialias=functools.partial(_antialias_plan, width=4,
                                               kernel=functools.partial(_keys, a=-0.5))),
    "area": _Mode(_area_plan),
}

#: PyTorch's names, accepted for every number of spatial dims (PyTorch ties them to
#: 1, 2 or 3 dims: "bilinear" here also works on a 3-D volume, meaning "linear").
ALIASES: dict[str, str] = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}

_MODE_NAMES = (*MODES, *ALIASES)


def _mode(op: str, mode: Any) -> tuple[str, _Mode]:
    name = _args.choice(op, "mode", mode, _MODE_NAMES)
    name = ALIASES.get(name, name)
    return name, MODES[name]


def sampling_plan(in_size: int, out_size: int, mode: str = "linear", *,
                  align_corners: bool = False, scale_factor: float | None = None,
                  antialias: bool = False, dtype: Any = np.float64) -> SamplingPlan:
    """The sampling plan of one axis: which inputs each output reads, with which weights.

    Source coordinates follow PyTorch (``aten/src/ATen/native/UpSample.h``). With
    ``scale = (I-1)/(O-1)`` under align_corners, else ``1/scale_factor`` when given,
    else ``I/O``:

    * nearest: ``floor(o * scale)``; nearest-exact: ``floor((o + 0.5) * scale)``;
      both in float32 for every dtype, as PyTorch's ``nearest_idx`` does;
    * linear: ``src = scale*(o + 0.5) - 0.5`` clamped at 0 (``scale*o`` with
      align_corners), taps ``floor(src)`` and the next one;
    * cubic: the same ``src`` unclamped, four taps with Keys' a = -0.75, indices
      clamped to the border;
    * area: adaptive average pooling bins ``[floor(o*I/O), ceil((o+1)*I/O))``;
    * antialias (linear, cubic): PyTorch's separable antialias filter, the triangle or
      Keys a = -0.5, stretched by the scale when downsampling, normalised per output.

    Coordinates and weights are computed in ``dtype`` (float32 plans for float32
    input, as PyTorch computes them in float for float tensors).

    Args:
        in_size, out_size: I and O, both >= 1.
        mode: ``"nearest"``, ``"nearest-exact"``, ``"linear"``, ``"cubic"``, ``"area"``
            or an alias (``"bilinear"``, ``"trilinear"``, ``"bicubic"``).
        align_corners: map the corner pixel centres onto each other (linear, cubic).
        scale_factor: the caller's scale factor for this axis, or None to use ``I/O``.
        antialias: use the antialias filter (linear and cubic only).
        dtype: float dtype of the coordinates and weights (default float64).

    Returns:
        a :class:`SamplingPlan` with (O, T) ``index`` and ``weight``.

    >>> sampling_plan(4, 2, "area").weight
    array([[0.5, 0.5],
           [0.5, 0.5]])
    >>> sampling_plan(2, 4, "nearest").index[:, 0]
    array([0, 0, 1, 1])
    """
    op = "sampling_plan"
    in_size = _args.int_tuple(op, "in_size", in_size, 1, minimum=1)[0]
    out_size = _args.int_tuple(op, "out_size", out_size, 1, minimum=1)[0]
    name, kind = _mode(op, mode)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: dtype must be a floating dtype, got {dtype}")
    if antialias and kind.antialias is None:
        raise ValueError(f"{op}: antialias must be False with mode={name!r} "
                         f"(only 'linear' and 'cubic' have an antialias filter), got {antialias!r}")
    if align_corners and not kind.interpolating:
        raise ValueError(f"{op}: align_corners must be False with mode={name!r} "
                         f"(only 'linear' and 'cubic' take it), got {align_corners!r}")
    if scale_factor is not None:
        scale_factor = shapes.scale_factors(op, scale_factor, 1)[0]
    build = kind.antialias if antialias else kind.plan
    index, weight = build(in_size, out_size, scale_factor, bool(align_corners), dtype)
    return SamplingPlan(np.ascontiguousarray(index, dtype=np.int64),
                        np.ascontiguousarray(weight, dtype=dtype), in_size, out_size)


# --------------------------------------------------------------------------- boundary

@dataclass(frozen=True)
class _Call:
    """One checked interpolate call: the plans and the order they run in."""

    x: np.ndarray                        # the input, cast to the compute dtype
    plans: tuple[SamplingPlan, ...]      # one per spatial axis
    order: tuple[int, ...]               # spatial axes, shrinking ones first
    out_shape: tuple[int, ...]


def _flag(op: str, name: str, value: Any, *, optional: bool) -> bool | None:
    if optional and value is None:
        return None
    if not isinstance(value, (bool, np.bool_)):
        expected = "True, False or None" if optional else "True or False"
        raise TypeError(f"{op}: {name} must be {expected}, got {_args._describe(value)}")
    return bool(value)


def _prepare(op: str, x: Any, size: Any, scale_factor: Any, mode: Any, align_corners: Any,
             recompute_scale_factor: Any, antialias: Any) -> _Call:
    x = _args.as_array(op, "x", x, min_ndim=3)
    nd = x.ndim - 2
    name, kind = _mode(op, mode)
    align_corners = _flag(op, "align_corners", align_corners, optional=True)
    recompute = _flag(op, "recompute_scale_factor", recompute_scale_factor, optional=True)
    antialias = _flag(op, "antialias", antialias, optional=False)
    if align_corners is not None and not kind.interpolating:
        raise ValueError(f"{op}: align_corners must be None with mode={mode!r}; it can only be set "
                         "with the interpolating modes 'linear', 'bilinear', 'trilinear', 'cubic' "
                         f"and 'bicubic', got {align_corners!r}")
    if antialias and kind.antialias is None:
        raise ValueError(f"{op}: antialias must be False with mode={mode!r}; only the linear and "
                         "cubic modes have an antialias filter, got True")
    if 0 in x.shape[2:]:
        raise ValueError(f"{op}: x must have non-empty spatial dimensions, got shape {x.shape}")
    if (size is None) == (scale_factor is None):
        given = "both" if size is not None else "neither"
        raise ValueError(f"{op}: exactly one of size and scale_factor must be given, got {given}")
    if size is not None:
        if recompute:
            raise ValueError(f"{op}: recompute_scale_factor must be None or False when size is "
                             "given (it only applies to scale_factor), got True")
        out = _args.int_tuple(op, "size", size, nd, minimum=1)
        factors: tuple[float | None, ...] = (None,) * nd
    else:
        factors = shapes.scale_factors(op, scale_factor, nd)
        out = shapes.interpolate_output_size(tuple(x.shape[2:]), factors)
        for axis, (i, o, f) in enumerate(zip(x.shape[2:], out, factors)):
            if o < 1:
                raise ValueError(f"{op}: scale_factor {f!r} gives an empty output along spatial "
                                 f"axis {axis} (floor({i} * {f!r}) = {o}); it must give at least 1")
        if recompute:
            factors = (None,) * nd
    dtype = x.dtype if kind.gather else _args.float_dtype(x)
    out_shape = _args.check_output(op, (*x.shape[:2], *out), dtype)
    plan_dtype = _args.float_dtype(x)
    plans = tuple(sampling_plan(i, o, name, align_corners=bool(align_corners), scale_factor=f,
                                antialias=antialias, dtype=plan_dtype)
                  for i, o, f in zip(x.shape[2:], out, factors))
    # Shrinking axes first: no intermediate is larger than the input or the output.
    order = tuple(sorted(range(nd), key=lambda a: plans[a].out_size / plans[a].in_size))
    return _Call(x.astype(dtype, copy=False), plans, order, out_shape)


def _forward(call: _Call) -> np.ndarray:
    y = call.x
    if _use_compiled(call):  # leading axes (depth) with NumPy, then H and W in one pass
        for axis in range(len(call.plans) - 2):
            y = call.plans[axis].apply(y, axis + 2)
        return _compiled_apply(y, call.plans, call.out_shape)
    for axis in call.order:
        y = call.plans[axis].apply(y, axis + 2)
    return y if y is not call.x else y.copy()


def _pullback(op: str, call: _Call) -> Callable[[Any], tuple[np.ndarray]]:
    """The transposed plans, in reverse order: the exact adjoint of :func:`_forward`."""
    def pullback(g: Any) -> tuple[np.ndarray]:
        given = g = np.asarray(g, dtype=call.x.dtype)
        if g.shape != call.out_shape:
            raise ValueError(f"{op}: the output gradient must have shape {call.out_shape}, "
                             f"got shape {g.shape}")
        if _use_compiled(call):
            leading = len(call.plans) - 2
            shape = (*g.shape[:2 + max(leading, 0)], *call.x.shape[2 + max(leading, 0):])
            g = _compiled_apply_transpose(g, call.plans, shape)
            for axis in reversed(range(leading)):
                g = call.plans[axis].apply_transpose(g, axis + 2)
            return (np.ascontiguousarray(g),)
        for axis in reversed(call.order):
            g = call.plans[axis].apply_transpose(g, axis + 2)
        return (g.copy() if g is given else np.ascontiguousarray(g),)
    return pullback


# --------------------------------------------------------------------------- compiled loops
# With Numba (see upsample._jit), the last two spatial axes are resampled together in one
# pass per (n, c) plane: each input row is resampled along W once into a small row buffer
# that stays in cache, then every output row is a weighted sum of T of those rows. The
# taps are summed in the same order as the NumPy path; only the axis order differs
# (W first, as PyTorch does), so results agree to rounding.

@_jit.kernel
def _gather_loop(x, iy, ix, out, start, stop):
    """out[b, oh, ow] = x[b, iy[oh], ix[ow]]: both plans pure gathers, any dtype."""
    for b in range(start, stop):
        previous = -1
        for oh in range(out.shape[1]):
            row = iy[oh]
            if row == previous:                      # a repeated source row: copy the output row
                out[b, oh, :] = out[b, oh - 1, :]
                continue
            previous = row
            for ow in range(out.shape[2]):
                out[b, oh, ow] = x[b, row, ix[ow]]


@_jit.kernel
def _resample_loop(x, iy, wy, ix, wx, out, start, stop):
    """out[b, oh, ow] = sum_ty wy[oh, ty] * sum_tx wx[ow, tx] * x[b, iy[oh, ty], ix[ow, tx]]."""
    height, width = out.shape[1], out.shape[2]
    rows = np.empty((x.shape[1], width), dtype=out.dtype)    # (H, OW): x resampled along W
    for b in range(start, stop):
        for h in range(x.shape[1]):
            for ow in range(width):
                total = wx[ow, 0] * x[b, h, ix[ow, 0]]
                for t in range(1, ix.shape[1]):
                    total += wx[ow, t] * x[b, h, ix[ow, t]]
                rows[h, ow] = total
        for oh in range(height):
            weight, row = wy[oh, 0], iy[oh, 0]
            for ow in range(width):
                out[b, oh, ow] = weight * rows[row, ow]
            for t in range(1, iy.shape[1]):
                weight, row = wy[oh, t], iy[oh, t]
                for ow in range(width):
                    out[b, oh, ow] += weight * rows[row, ow]


@_jit.kernel
def _resample_periodic_loop(x, iy, wy, ix, wx, shift, weight, first, last, out, start, stop):
    """:func:`_resample_loop` for a W plan that repeats with period s (an integer scale):
    output ``s*j + p`` reads inputs ``j + shift[p, t]`` with weights ``weight[p, t]`` for
    every j in ``[first, last)``. There the W pass is, per phase and tap, one loop over
    contiguous slices that vectorises; the phases are then interleaved into the row
    buffer, and the few border outputs use the gather. Same operations in the same order
    as :func:`_resample_loop`, so the same bits."""
    height, width = out.shape[1], out.shape[2]
    period, taps = shift.shape
    inner = last - first
    rows = np.empty((x.shape[1], width), dtype=out.dtype)    # (H, OW): x resampled along W
    phase = np.empty((period, inner), dtype=out.dtype)       # (s, J_inner) for one input row
    for b in range(start, stop):
        for h in range(x.shape[1]):
            line = x[b, h]
            for p in range(period):
                target = phase[p]
                source = line[first + shift[p, 0]:first + shift[p, 0] + inner]
                w = weight[p, 0]
                for k in range(inner):
                    target[k] = w * source[k]
                for t in range(1, taps):
                    source = line[first + shift[p, t]:first + shift[p, t] + inner]
                    w = weight[p, t]
                    for k in range(inner):
                        target[k] += w * source[k]
            row = rows[h, period * first:period * last]
            if period == 2:                                  # interleave the phases
                even, odd = phase[0], phase[1]
                for k in range(inner):
                    row[2 * k] = even[k]
                    row[2 * k + 1] = odd[k]
            else:
                for k in range(inner):
                    for p in range(period):
                        row[period * k + p] = phase[p, k]
            for edge in range(2):                            # the borders: gathers
                lo, hi = (0, period * first) if edge == 0 else (period * last, width)
                for ow in range(lo, hi):
                    total = wx[ow, 0] * line[ix[ow, 0]]
                    for t in range(1, ix.shape[1]):
                        total += wx[ow, t] * line[ix[ow, t]]
                    rows[h, ow] = total
        for oh in range(height):
            target = out[b, oh]
            if iy.shape[1] == 2:                             # bilinear: one pass per row, the
                # same products added in the same order as the loop below
                w0, s0, w1, s1 = wy[oh, 0], rows[iy[oh, 0]], wy[oh, 1], rows[iy[oh, 1]]
                for ow in range(width):
                    target[ow] = w0 * s0[ow] + w1 * s1[ow]
                continue
            if iy.shape[1] == 4:                             # bicubic: the same, four taps
                w0, s0, w1, s1 = wy[oh, 0], rows[iy[oh, 0]], wy[oh, 1], rows[iy[oh, 1]]
                w2, s2, w3, s3 = wy[oh, 2], rows[iy[oh, 2]], wy[oh, 3], rows[iy[oh, 3]]
                for ow in range(width):
                    target[ow] = w0 * s0[ow] + w1 * s1[ow] + w2 * s2[ow] + w3 * s3[ow]
                continue
            w, source = wy[oh, 0], rows[iy[oh, 0]]
            for ow in range(width):
                target[ow] = w * source[ow]
            for t in range(1, iy.shape[1]):
                w, source = wy[oh, t], rows[iy[oh, t]]
                for ow in range(width):
                    target[ow] += w * source[ow]


def _periodic(plan: SamplingPlan, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, int, int] | None:
    """For a plan whose output is an integer multiple s of its input: the (s, T) shifts and
    weights that hold for every input position j in ``[first, last)`` (output ``s*j + p``
    reads ``j + shift[p, t]``), and that range; None if no such interior exists."""
    n, (o, taps) = plan.in_size, plan.index.shape
    if o % n or n < 3:
        return None
    period = o // n
    shift = plan.index.reshape(n, period, taps) - np.arange(n)[:, None, None]  # (J, s, T)
    weight = plan.weight.astype(dtype, copy=False).reshape(n, period, taps)
    mid = n // 2
    same = np.all(shift == shift[mid], axis=(1, 2)) & np.all(weight == weight[mid], axis=(1, 2))
    first, last = mid, mid + 1
    while first > 0 and same[first - 1]:
        first -= 1
    while last < n and same[last]:
        last += 1
    if last - first < n // 2:
        return None
    return np.ascontiguousarray(shift[mid]), np.ascontiguousarray(weight[mid]), first, last


@_jit.kernel
def _gather_transpose_loop(g, iy, ix, out, start, stop):
    """The adjoint of :func:`_gather_loop`: ``out[b, iy[oh], ix[ow]] += g[b, oh, ow]``
    (a block sum for nearest by an integer factor); ``out`` must start at zero."""
    for b in range(start, stop):
        for oh in range(g.shape[1]):
            row = iy[oh]
            for ow in range(g.shape[2]):
                out[b, row, ix[ow]] += g[b, oh, ow]


@_jit.kernel
def _resample_transpose_loop(g, iy, wy, ix, wx, out, start, stop):
    """The exact adjoint of :func:`_resample_loop`: ``out`` (B, H, W) must start at zero."""
    width = g.shape[2]
    rows = np.empty((out.shape[1], width), dtype=out.dtype)  # (H, OW)
    for b in range(start, stop):
        rows[:] = 0
        for oh in range(g.shape[1]):
            for t in range(iy.shape[1]):
                weight, row = wy[oh, t], iy[oh, t]
                for ow in range(width):
                    rows[row, ow] += weight * g[b, oh, ow]
        for h in range(out.shape[1]):
            for ow in range(width):
                value = rows[h, ow]
                for t in range(ix.shape[1]):
                    out[b, h, ix[ow, t]] += wx[ow, t] * value


def _planar(plans: tuple[SamplingPlan, ...], shape: tuple[int, ...]
            ) -> tuple[SamplingPlan, SamplingPlan, int]:
    """The plans of the last two spatial axes and how many (H, W) planes an array of
    ``shape`` holds; a 1-D signal gets an identity plan for H."""
    if len(plans) >= 2:
        return plans[-2], plans[-1], math.prod(shape[:-2])
    one = SamplingPlan(np.zeros((1, 1), np.int64), np.ones((1, 1), plans[0].weight.dtype), 1, 1)
    return one, plans[0], math.prod(shape[:-1])


def _compiled_apply(x: np.ndarray, plans: tuple[SamplingPlan, ...], out_shape) -> np.ndarray:
    """Resample the last two spatial axes of ``x`` (leading ones already done) in one pass."""
    plan_h, plan_w, planes = _planar(plans, x.shape)
    source = np.ascontiguousarray(x).reshape(planes, plan_h.in_size, plan_w.in_size)  # (B, H, W)
    out = np.empty((planes, plan_h.out_size, plan_w.out_size), dtype=x.dtype)       # (B, OH, OW)
    if plan_h.is_gather and plan_w.is_gather:
        work = lambda a, b: _gather_loop(source, plan_h.index[:, 0], plan_w.index[:, 0], out, a, b)
    else:
        weights = [p.weight.astype(x.dtype, copy=False) for p in (plan_h, plan_w)]
        periodic = _periodic(plan_w, x.dtype)
        if periodic is not None:
            work = lambda a, b: _resample_periodic_loop(source, plan_h.index, weights[0], plan_w.index,
                                                        weights[1], *periodic, out, a, b)
        else:
            work = lambda a, b: _resample_loop(source, plan_h.index, weights[0], plan_w.index,
                                               weights[1], out, a, b)
    _jit.split_planes(work, planes, source.size + out.size)
    return out.reshape(out_shape)


def _compiled_apply_transpose(g: np.ndarray, plans: tuple[SamplingPlan, ...], in_shape) -> np.ndarray:
    """The adjoint of :func:`_compiled_apply`: ``g`` back to the last two axes' input sizes."""
    plan_h, plan_w, planes = _planar(plans, g.shape)
    grad = np.ascontiguousarray(g).reshape(planes, plan_h.out_size, plan_w.out_size)  # (B, OH, OW)
    out = np.zeros((planes, plan_h.in_size, plan_w.in_size), dtype=g.dtype)        # (B, H, W)
    if plan_h.is_gather and plan_w.is_gather:
        work = lambda a, b: _gather_transpose_loop(grad, plan_h.index[:, 0], plan_w.index[:, 0],
                                                   out, a, b)
    else:
        weights = [p.weight.astype(g.dtype, copy=False) for p in (plan_h, plan_w)]
        work = lambda a, b: _resample_transpose_loop(grad, plan_h.index, weights[0], plan_w.index,
                                                     weights[1], out, a, b)
    _jit.split_planes(work, planes, grad.size + out.size)
    return out.reshape(in_shape)


def _use_compiled(call: _Call) -> bool:
    return _jit.enabled() and call.x.size > 0 and call.x.dtype in _jit.DTYPES


def sampling_plans(x: Any, size: Any = None, scale_factor: Any = None, *, mode: str = "nearest",
                   align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                   antialias: bool = False) -> tuple[SamplingPlan, ...]:
    """The per-axis plans :func:`interpolate` would use for these arguments, one per spatial dim.

    >>> plans = sampling_plans(np.zeros((1, 1, 2, 3)), scale_factor=2)
    >>> [(p.in_size, p.out_size) for p in plans]
    [(2, 4), (3, 6)]
    """
    return _prepare("sampling_plans", x, size, scale_factor, mode, align_corners,
                    recompute_scale_factor, antialias).plans


# --------------------------------------------------------------------------- interpolate

def interpolate(x: Any, size: Any = None, scale_factor: Any = None, *, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> np.ndarray:
    """Resize the spatial dims by nearest, linear, cubic or area interpolation (PyTorch semantics).

    Shapes: ``x`` is (N, C, *spatial) with any number d >= 1 of spatial dims. Every mode
    is separable and works for any d: PyTorch's names ``"bilinear"``/``"trilinear"``
    mean ``"linear"`` and ``"bicubic"`` means ``"cubic"`` whatever d is.

    Output size per spatial dim: ``size``, or ``o = floor(i * scale_factor)``
    (:func:`upsample.shapes.interpolate_output_size`).

    Args:
        size: int or one int per spatial dim, each >= 1; exclusive with ``scale_factor``.
        scale_factor: number or one per spatial dim, finite and > 0.
        mode: ``"nearest"`` (default), ``"nearest-exact"``, ``"linear"`` (aliases
            ``"bilinear"``, ``"trilinear"``), ``"cubic"`` (alias ``"bicubic"``; Keys
            a = -0.75), or ``"area"`` (adaptive average pooling).
        align_corners: linear and cubic only (None means False): with True the corner
            pixel centres of input and output coincide, ``src = o * (i-1)/(o_size-1)``.
        recompute_scale_factor: with ``scale_factor``, True places the samples by
            ``i / o`` instead of ``1 / scale_factor`` (they differ when ``i * scale_factor``
            is not an integer).
        antialias: linear and cubic only: PyTorch's antialias filter (a tent, or Keys
            a = -0.5 for cubic), which widens with the scale when downsampling. As in
            PyTorch it is used at every scale, so with upsampling it also changes cubic
            (a = -0.5) and align_corners results.

    Returns:
        (N, C, *o). nearest modes keep the dtype (integers too: they are gathers); the
        others return float32 for float32 input and float64 for float64 or integer input.

    >>> import numpy as np
    >>> from upsample.interpolation import interpolate
    >>> interpolate(np.arange(3.0).reshape(1, 1, 3), scale_factor=2, mode="linear")
    array([[[0.  , 0.25, 0.75, 1.25, 1.75, 2.  ]]])
    >>> interpolate(np.arange(4).reshape(1, 1, 4), size=2, mode="area")
    array([[[0.5, 2.5]]])
    """
    return _forward(_prepare("interpolate", x, size, scale_factor, mode, align_corners,
                             recompute_scale_factor, antialias))


def _interpolate_vjp(x, size=None, scale_factor=None, *, mode="nearest", align_corners=None,
                     recompute_scale_factor=None, antialias=False, _op="interpolate"):
    """interpolate and its pullback: the transposed sampling plans, in reverse axis order.

    For nearest by an integer factor the transpose is a block sum over each input's copies.
    """
    call = _prepare(_op, x, size, scale_factor, mode, align_corners, recompute_scale_factor,
                    antialias)
    return _forward(call), _pullback(_op, call)


# --------------------------------------------------------------------------- shorthands

def nearest(x: Any, scale_factor: Any = None, *, size: Any = None) -> np.ndarray:
    """Nearest-neighbour upsampling: every pixel becomes a block of copies.

    Shorthand for ``interpolate(x, size, scale_factor, mode="nearest")``: ``x`` is
    (N, C, *spatial) with any d >= 1; the output is ``floor(i * scale_factor)`` (or
    ``size``) per spatial dim, same dtype. Output ``o`` copies input ``floor(o * i/o_size)``.

    Args:
        scale_factor: number or one per spatial dim (the article's K), exclusive with ``size``.
        size: int or one per spatial dim.

    Returns:
        (N, C, *o), same dtype as ``x``.

    The article's example: ``[[1, 2], [3, 4]]`` upsampled by 2 along each axis
    (the article's "K = 4" counts the copies of each pixel, 2 x 2):

    >>> import numpy as np, upsample
    >>> upsample.nearest(np.arange(1, 5).reshape(1, 1, 2, 2), 2)[0, 0]
    array([[1, 1, 2, 2],
           [1, 1, 2, 2],
           [3, 3, 4, 4],
           [3, 3, 4, 4]])
    """
    return _forward(_prepare("nearest", x, size, scale_factor, "nearest", None, None, False))


def _nearest_vjp(x, scale_factor=None, *, size=None):
    """nearest and its pullback (a block sum for integer factors)."""
    return _interpolate_vjp(x, size, scale_factor, mode="nearest", _op="nearest")


def bilinear(x: Any, scale_factor: Any = None, *, size: Any = None,
             align_corners: bool = False) -> np.ndarray:
    """Linear interpolation along every spatial axis: bilinear in 2-D, trilinear in 3-D.

    Shorthand for ``interpolate(x, size, scale_factor, mode="linear", align_corners=...)``:
    ``x`` is (N, C, *spatial) with any d >= 1; the output is ``floor(i * scale_factor)``
    (or ``size``) per spatial dim. Each output is a weighted average of the 2**d input
    pixels around its source point ``(o + 0.5) * i/o_size - 0.5`` (``o * (i-1)/(o_size-1)``
    with align_corners), border pixels repeated.

    Args:
        scale_factor: number or one per spatial dim, exclusive with ``size``.
        size: int or one per spatial dim.
        align_corners: map corner pixel centres onto each other (default False).

    Returns:
        (N, C, *o), float32 for float32 input, float64 otherwise.

    The article's example, ``[[10, 20], [30, 40]]`` to 4x4. The article prints
    ``[[10, 12, 17, 20], [15, 17, 22, 25], [25, 27, 32, 35], [30, 32, 37, 40]]``: these
    values rounded down (12.5 printed as 12).

    >>> import numpy as np, upsample
    >>> x = 10 * np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    >>> upsample.bilinear(x, 2)[0, 0]
    array([[10. , 12.5, 17.5, 20. ],
           [15. , 17.5, 22.5, 25. ],
           [25. , 27.5, 32.5, 35. ],
           [30. , 32.5, 37.5, 40. ]])
    """
    return _forward(_prepare("bilinear", x, size, scale_factor, "linear",
                             _flag("bilinear", "align_corners", align_corners, optional=False),
                             None, False))


def _bilinear_vjp(x, scale_factor=None, *, size=None, align_corners=False):
    """bilinear and its pullback."""
    return _interpolate_vjp(x, size, scale_factor, mode="linear",
                            align_corners=_flag("bilinear", "align_corners", align_corners,
                                                optional=False),
                            _op="bilinear")

"""Interpolation (nearest, linear, cubic, area) as per-axis sampling plans.

Every mode is separable: along each spatial axis, output position ``o`` reads a few
source positions ``index[o, t]`` with weights ``weight[o, t]``. That pair of small
(O, T) arrays is a :class:`~upsample.sampling.plans.SamplingPlan`, built once per axis by :func:`sampling_plan`.

* the forward gathers and takes a weighted sum over the T taps, one axis at a time;
* the VJP applies the *transposed* plans (each input position sums the weighted
  output gradients that read it), in reverse axis order, so it is the exact adjoint
  of the forward; for nearest by an integer factor that is a block sum;
* the explanations read the same plans to show each output's sources and weights.

The source coordinates follow PyTorch (``aten/src/ATen/native/UpSample.h``) by default:
see :func:`sampling_plan` for the rules and the quirks kept on purpose. Other frameworks'
dialects (``convention=``) and ONNX's Resize options are rows of settings in
:mod:`upsample.conventions`; they only change how the plans are built (the builders below
PyTorch's), so every path forward and back runs the same plans. uint8 images go through
:mod:`upsample._integer`, which applies the same plans in each framework's fixed point.

Layout: the plan type and builders live in :mod:`upsample.sampling`, the compiled loops in
:mod:`upsample._resample`; this module is the boundary (argument checks, one call's plans)
and the ops.

Axis legend: N batch, C channels, I input size along one axis, O output size along
it, T taps per output, K = O*T (output, tap) pairs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _args, _integer, _integer_loops, _jit, _layout, _resample, _resample_cl, conventions, shapes
from ._dispatch import chunked
from .sampling import modes
from .sampling.modes import ALIASES, MODES
from .sampling.plans import SamplingPlan
from .sampling.pytorch import identity

__all__ = [
    "interpolate",
    "nearest",
    "bilinear",
    "sampling_plan",
    "sampling_plans",
    "SamplingPlan",
    "MODES",
    "ALIASES",
    "interpolate_vjp",
    "nearest_vjp",
    "bilinear_vjp",
    "plan_call",
    "run_call",
    "pullback_call",
]


# --------------------------------------------------------------------------- boundary


@dataclass(frozen=True)
class _Call:
    """One checked interpolate call: the plans and the order they run in."""

    x: np.ndarray  # the input, cast to the compute dtype
    plans: tuple[SamplingPlan, ...]  # one per spatial axis
    order: tuple[int, ...]  # spatial axes, shrinking ones first
    out_shape: tuple[int, ...]
    #: per spatial axis, the outputs outside the image (tf_crop_and_resize), or None
    outside: tuple[np.ndarray | None, ...] = ()
    fill: float = 0.0  # the value written there (extrapolation_value)
    #: how a uint8 image is computed (upsample._integer), or None for the float path
    integer: str | None = None
    #: the plans of the whole resize when this call is a block of it (upsample.dask); the
    #: integer rules take their decisions (pass order, precision) from these
    whole: tuple[SamplingPlan, ...] | None = None
    #: where that block lies in the whole image: (its channel count, the block's first
    #: channel, its first output column), for the integer rules that depend on them
    frame: tuple[int, int, int] | None = None


#: interpolate's own keyword arguments, then its options beyond PyTorch's (the ONNX-level
#: ones that change one setting, passed through to upsample.conventions.settings)
_CALL_OPTIONS = ("mode", "align_corners", "recompute_scale_factor", "antialias", "convention")
_DIALECT_OPTIONS = (
    "coordinate_transformation_mode",
    "nearest_mode",
    "cubic_coeff_a",
    "exclude_outside",
    "roi",
    "extrapolation_value",
    "window",
    "keep_aspect_ratio_policy",
)

#: ONNX's keep_aspect_ratio_policy: how one scale for every axis is chosen from size / in
_POLICIES = {"stretch": None, "not_larger": min, "not_smaller": max}


def _prepare(
    op: str,
    x: Any,
    size: Any = None,
    scale_factor: Any = None,
    *,
    mode: Any = "nearest",
    align_corners: Any = None,
    recompute_scale_factor: Any = None,
    antialias: Any = None,
    convention: Any = "torch",
    keep_aspect_ratio_policy: Any = None,
    **options: Any,
) -> _Call:
    x = _args.as_array(op, "x", x, min_ndim=3)
    nd = x.ndim - 2
    name, kind = modes.mode(op, mode)
    align_corners = _args.flag(op, "align_corners", align_corners, optional=True)
    recompute = _args.flag(op, "recompute_scale_factor", recompute_scale_factor, optional=True)
    antialias = _args.flag(op, "antialias", antialias, optional=True)
    s = conventions.settings(
        op,
        convention,
        name,
        nd=nd,
        dtype=x.dtype,
        antialias=antialias,
        align_corners=align_corners,
        **options,
    )
    modes.check_flags(op, name, kind, s, align_corners, antialias)
    if 0 in x.shape[2:]:
        raise ValueError(f"{op}: x must have non-empty spatial dimensions, got shape {x.shape}")
    if (size is None) == (scale_factor is None):
        given = "both" if size is not None else "neither"
        raise ValueError(f"{op}: exactly one of size and scale_factor must be given, got {given}")
    if size is not None:
        if recompute:
            raise ValueError(
                f"{op}: recompute_scale_factor must be None or False when size is "
                "given (it only applies to scale_factor), got True"
            )
        out = _args.int_tuple(op, "size", size, nd, minimum=1)
        factors: tuple[float | None, ...] = (None,) * nd
        if keep_aspect_ratio_policy is not None:
            out, factors = _keep_aspect_ratio(op, keep_aspect_ratio_policy, x.shape[2:], out)
    else:
        if keep_aspect_ratio_policy not in (None, "stretch"):
            raise ValueError(
                f"{op}: keep_aspect_ratio_policy applies to size, not scale_factor; "
                f"got {keep_aspect_ratio_policy!r} with scale_factor"
            )
        factors = shapes.scale_factors(op, scale_factor, nd)
        out = shapes.interpolate_output_size(tuple(x.shape[2:]), factors, rounding=s.size_rounding, op=op)
        if recompute:
            factors = (None,) * nd
    integer = (
        None
        if kind.gather
        else s.integer
        if x.dtype == np.uint8
        else s.wide_integer
        if x.dtype in (np.uint16, np.int16)
        else None
    )
    if integer in ("float32", "float64"):  # the framework returns floats
        dtype = plan_dtype = np.dtype(integer)
        integer = None
    else:
        dtype = x.dtype if kind.gather or integer else _args.float_dtype(x)
        plan_dtype = _args.float_dtype(x)
    out_shape = _args.check_output(op, (*x.shape[:2], *out), dtype)
    shrinking = all(modes.shrinks(s, i, o, f) for i, o, f in zip(x.shape[2:], out, factors))
    if s.copies_same_shape and tuple(out) == tuple(x.shape[2:]):  # the input, unchanged
        built = [(SamplingPlan(*identity(i, plan_dtype), i, i), None) for i in out]
    else:
        common = (bool(align_corners), plan_dtype)
        built = [
            _axis_plan(kind, conventions.for_axis(s, axis), i, o, f, *common, shrinking=shrinking)
            for axis, (i, o, f) in enumerate(zip(x.shape[2:], out, factors))
        ]
    plans = tuple(plan for plan, _ in built)
    # Shrinking axes first: no intermediate is larger than the input or the output.
    order = tuple(sorted(range(nd), key=lambda a: plans[a].out_size / plans[a].in_size))
    return _Call(
        x.astype(dtype, copy=False),
        plans,
        order,
        out_shape,
        tuple(outside for _, outside in built),
        s.extrapolation_value,
        integer,
    )


def _keep_aspect_ratio(
    op: str, policy: Any, shape: tuple[int, ...], size: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[float | None, ...]]:
    """ONNX Resize's keep_aspect_ratio_policy: one scale ``s`` for every spatial axis, the
    smallest (not_larger) or largest (not_smaller) of ``size / in`` in float32; the output is
    ``round(s * in)`` (half up) and the samples are placed by ``s``. "stretch" keeps ``size``."""
    choose = _POLICIES[_args.choice(op, "keep_aspect_ratio_policy", policy, _POLICIES)]
    if choose is None:
        return size, (None,) * len(size)
    scale = choose(np.float32(o) / np.float32(i) for i, o in zip(shape, size))
    out = tuple(int(np.floor(np.float32(scale * np.float32(i)) + np.float32(0.5))) for i in shape)
    if min(out) < 1:
        raise ValueError(
            f"{op}: keep_aspect_ratio_policy={policy!r} gives an empty output "
            f"{out} from {shape} and size {size}"
        )
    return out, (float(scale),) * len(size)


def run_call(call: _Call, op: str = "interpolate", out: Any = None) -> np.ndarray:
    """The forward of one call: the float path (:func:`_forward`), or a framework's integer
    arithmetic for uint8; then the extrapolation value outside a crop. ``out``: a caller's
    buffer for the result (NumPy's convention), checked here."""
    if call.integer:
        if all(plan.is_identity for plan in call.plans):  # a copy (copies_same_shape)
            y = call.x.copy()
        else:
            compiled = _use_compiled(call) and _integer_loops.supports(call.integer, call.x, call.plans)
            rules = _integer_loops if compiled else _integer
            y = rules.apply(call.integer, call.x, call.plans, call.whole, call.frame)
        if out is not None:
            np.copyto(_args.out_array(op, out, y.shape, y.dtype, (call.x,)), y)
            y = out
    else:
        y = _forward(call, _args.out_array(op, out, call.out_shape, call.x.dtype, (call.x,)))
    for axis, outside in enumerate(call.outside):
        if outside is not None and outside.any():
            y[(slice(None),) * (axis + 2) + (outside,)] = call.fill
    return y


def _forward(call: _Call, out: np.ndarray | None = None) -> np.ndarray:
    """The float path, into ``out`` if given (the compiled loops write straight into it)."""
    y = call.x
    if _use_compiled(call) and _resample_cl.by_rows(y, call.plans):  # one image, channels-last
        plan_h, plan_w = call.plans
        if plan_h.is_gather and plan_w.is_gather:
            return _resample_cl.gather(y, plan_h, plan_w, call.out_shape, out)
        return _resample_cl.apply(y, plan_h, plan_w, call.out_shape, y.dtype, out)
    if _use_compiled(call):  # leading axes (depth) with NumPy, then H and W in one pass
        for axis in range(len(call.plans) - 2):
            y = call.plans[axis].apply(y, axis + 2)
        return _resample.apply(y, call.plans, call.out_shape, out)
    for axis in call.order:
        y = call.plans[axis].apply(y, axis + 2)
    if out is not None:
        np.copyto(out, y)
        return out
    return y if y is not call.x else y.copy()


def pullback_call(op: str, call: _Call) -> Callable[[Any], tuple[np.ndarray]]:
    """The transposed plans, in reverse order: the exact adjoint of :func:`_forward`."""

    def pullback(g: Any) -> tuple[np.ndarray]:
        given = g = np.asarray(g, dtype=call.x.dtype)
        if g.shape != call.out_shape:
            raise ValueError(
                f"{op}: the output gradient must have shape {call.out_shape}, got shape {g.shape}"
            )
        if _use_compiled(call):
            leading = len(call.plans) - 2
            shape = (*g.shape[: 2 + max(leading, 0)], *call.x.shape[2 + max(leading, 0) :])
            g = _resample.apply_transpose(g, call.plans, shape)
            for axis in reversed(range(leading)):
                g = call.plans[axis].apply_transpose(g, axis + 2)
            return (np.ascontiguousarray(g),)
        for axis in reversed(call.order):
            g = call.plans[axis].apply_transpose(g, axis + 2)
        return (g.copy() if g is given else np.ascontiguousarray(g),)

    return pullback


def sampling_plan(
    in_size: int,
    out_size: int,
    mode: str = "linear",
    *,
    align_corners: bool = False,
    scale_factor: float | None = None,
    antialias: bool | None = None,
    dtype: Any = np.float64,
    convention: str = "torch",
    coordinate_transformation_mode: str | None = None,
    nearest_mode: str | None = None,
    cubic_coeff_a: float | None = None,
    exclude_outside: bool | None = None,
    roi: Any = None,
) -> SamplingPlan:
    """The sampling plan of one axis: which inputs each output reads, with which weights.

    By default the source coordinates follow PyTorch (``aten/src/ATen/native/UpSample.h``).
    With ``scale = (I-1)/(O-1)`` under align_corners, else ``1/scale_factor`` when given,
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

    Another ``convention`` (a row of :data:`upsample.conventions.CONVENTIONS`) or an
    ONNX-level option (see :func:`interpolate`) builds the plan from those settings
    instead: a kernel (triangle, Keys' cubic with ``cubic_coeff_a``, Lanczos 3 or 5,
    box) centred on the coordinate rule's source point, or the nearest rule's pixel.

    Coordinates and weights are computed in ``dtype`` (float32 plans for float32
    input, as PyTorch computes them in float for float tensors).

    Args:
        in_size, out_size: I and O, both >= 1.
        mode: ``"nearest"``, ``"nearest-exact"``, ``"linear"``, ``"cubic"``, ``"area"``,
            ``"lanczos3"``, ``"lanczos5"``, ``"lanczos4"``, ``"linear-exact"`` (OpenCV's) or an alias
            (``"bilinear"``, ``"trilinear"``, ``"bicubic"``).
        align_corners: map the corner pixel centres onto each other (linear, cubic).
        scale_factor: the caller's scale factor for this axis, or None to use ``I/O``.
        antialias: use the antialias filter (None: the convention's default).
        dtype: float dtype of the coordinates and weights (default float64).
        convention, coordinate_transformation_mode, nearest_mode, cubic_coeff_a,
        exclude_outside, roi: as for :func:`interpolate` (``roi`` is one (start, end) pair).

    Returns:
        a :class:`SamplingPlan` with (O, T) ``index`` and ``weight``.

    >>> sampling_plan(4, 2, "area").weight
    array([[0.5, 0.5],
           [0.5, 0.5]])
    >>> sampling_plan(2, 4, "nearest").index[:, 0]
    array([0, 0, 1, 1])
    >>> sampling_plan(2, 4, "nearest", convention="tf1", coordinate_transformation_mode="align_corners").index[:, 0]
    array([0, 0, 1, 1])
    """
    op = "sampling_plan"
    in_size = _args.int_tuple(op, "in_size", in_size, 1, minimum=1)[0]
    out_size = _args.int_tuple(op, "out_size", out_size, 1, minimum=1)[0]
    name, kind = modes.mode(op, mode)
    dtype = _args.floating(op, "dtype", dtype)
    align_corners = _args.flag(op, "align_corners", align_corners, optional=False)
    if scale_factor is not None:
        scale_factor = shapes.scale_factors(op, scale_factor, 1)[0]
    s = conventions.settings(
        op,
        convention,
        name,
        nd=None,
        dtype=None,
        coordinate_transformation_mode=coordinate_transformation_mode,
        nearest_mode=nearest_mode,
        cubic_coeff_a=cubic_coeff_a,
        exclude_outside=exclude_outside,
        antialias=antialias,
        align_corners=align_corners,
        roi=roi,
    )
    modes.check_flags(op, name, kind, s, align_corners, antialias, single=True)
    return modes.axis_plan(
        kind,
        s,
        in_size,
        out_size,
        scale_factor,
        align_corners,
        dtype,
        shrinking=modes.shrinks(s, in_size, out_size, scale_factor),
    )[0]


@functools.lru_cache(maxsize=256)
def _cached_axis_plan(*args: Any, shrinking: bool) -> tuple[SamplingPlan, np.ndarray | None]:
    plan, outside = modes.axis_plan(*args, shrinking=shrinking)
    for array in (plan.index, plan.weight, outside):
        if array is not None:
            array.flags.writeable = False  # shared by every call with these arguments
    return plan, outside


def _axis_plan(*args: Any, shrinking: bool) -> tuple[SamplingPlan, np.ndarray | None]:
    """:func:`modes.axis_plan`, remembered by its arguments: building a plan costs about as
    much as resizing a small image (0.1 to 0.7 ms per call at 512 to 1920 pixels), and an
    image pipeline repeats the same sizes. Plans are immutable (read-only arrays)."""
    try:
        return _cached_axis_plan(*args, shrinking=shrinking)
    except TypeError:  # an unhashable setting: build it afresh
        return modes.axis_plan(*args, shrinking=shrinking)


def _use_compiled(call: _Call) -> bool:
    return _jit.applies(call.x, max_dims=call.x.ndim)


def sampling_plans(x: Any, *args: Any, **kwargs: Any) -> tuple[SamplingPlan, ...]:
    """The per-axis plans :func:`interpolate` would use for these arguments, one per spatial dim.

    Takes every argument of :func:`interpolate` (``convention`` and the ONNX-level options
    too), as :func:`plan_call` does.

    >>> plans = sampling_plans(np.zeros((1, 1, 2, 3)), scale_factor=2)
    >>> [(p.in_size, p.out_size) for p in plans]
    [(2, 4), (3, 6)]
    """
    return plan_call(x, *args, **kwargs).plans


def plan_call(x: Any, size: Any = None, scale_factor: Any = None, **options: Any) -> _Call:
    """The whole checked call behind :func:`sampling_plans` (it takes every argument of
    :func:`interpolate`): the plans and how they run (the integer arithmetic, a crop's outside
    cells), for callers that run the plans on parts of x (``upsample.dask``)."""
    return _prepare("sampling_plans", x, size, scale_factor, **_options("sampling_plans", options))


def _options(op: str, options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(_CALL_OPTIONS) - set(_DIALECT_OPTIONS))
    if unknown:
        raise TypeError(
            f"{op}: unexpected keyword argument {unknown[0]!r}; the resize options "
            f"are {', '.join(_CALL_OPTIONS + _DIALECT_OPTIONS)}"
        )
    return options


# --------------------------------------------------------------------------- interpolate


@_layout.data_format(in_place=True)
@chunked
def interpolate(
    x: Any,
    size: Any = None,
    scale_factor: Any = None,
    *,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool | None = None,
    convention: str = "torch",
    coordinate_transformation_mode: str | None = None,
    nearest_mode: str | None = None,
    cubic_coeff_a: float | None = None,
    exclude_outside: bool | None = None,
    roi: Any = None,
    extrapolation_value: float = 0.0,
    window: Any = None,
    keep_aspect_ratio_policy: str | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Resize the spatial dims by nearest, linear, cubic, Lanczos or area interpolation.

    PyTorch's semantics by default; ``convention`` picks another framework's dialect
    (a row of :data:`upsample.conventions.CONVENTIONS`), and the ONNX Resize options
    change single settings of it. Every combination is one set of per-axis sampling
    plans, so the VJP (the transposed plans) works for all of them.

    Shapes: ``x`` is (N, C, *spatial) with any number d >= 1 of spatial dims (2 for the
    image libraries' conventions). Every mode is separable and works for any d: PyTorch's
    names ``"bilinear"``/``"trilinear"`` mean ``"linear"`` and ``"bicubic"`` means
    ``"cubic"`` whatever d is.

    Output size per spatial dim: ``size``, or ``o = floor(i * scale_factor)``
    (:func:`upsample.shapes.interpolate_output_size`).

    Args:
        size: int or one int per spatial dim, each >= 1; exclusive with ``scale_factor``.
        scale_factor: number or one per spatial dim, finite and > 0.
        mode: ``"nearest"`` (default), ``"nearest-exact"``, ``"linear"`` (aliases
            ``"bilinear"``, ``"trilinear"``), ``"cubic"`` (alias ``"bicubic"``; Keys
            a = -0.75 in PyTorch), ``"area"`` (adaptive average pooling in PyTorch),
            ``"lanczos3"``/``"lanczos5"``, ``"lanczos4"`` and ``"linear-exact"`` (OpenCV's
            INTER_LANCZOS4 and INTER_LINEAR_EXACT),
            ``"hamming"`` (Pillow), ``"gaussian"`` or ``"mitchellcubic"`` (TensorFlow); each
            convention has a subset.
        align_corners: linear and cubic only (None means False): with True the corner
            pixel centres of input and output coincide, ``src = o * (i-1)/(o_size-1)``.
            In the other conventions it means ``coordinate_transformation_mode="align_corners"``.
        recompute_scale_factor: with ``scale_factor``, True places the samples by
            ``i / o`` instead of ``1 / scale_factor`` (they differ when ``i * scale_factor``
            is not an integer).
        antialias: widen the kernel by ``i / o`` when shrinking, normalised (linear, cubic,
            Lanczos). None: the convention's default (True for JAX and Pillow). PyTorch's
            antialias is used at every scale, so with upsampling it also changes cubic
            (a = -0.5) and align_corners results.
        convention: ``"torch"`` (default), ``"onnx"``, ``"onnxruntime"``, ``"tf2"``, ``"tf1"``,
            ``"jax"``, ``"opencv"`` (OpenCV 5), ``"opencv4"`` or ``"pillow"``; see the table in
            docs/conventions.md.
        coordinate_transformation_mode: ONNX's rule from output to source coordinates:
            ``"half_pixel"``, ``"pytorch_half_pixel"``, ``"align_corners"``,
            ``"asymmetric"``, ``"half_pixel_symmetric"`` or ``"tf_crop_and_resize"``
            (None: the convention's). TF1's ``half_pixel_centers=True`` is ``"half_pixel"``.
        nearest_mode: ``"round_prefer_floor"``, ``"round_prefer_ceil"``, ``"floor"`` or
            ``"ceil"`` (None: the convention's).
        cubic_coeff_a: Keys' coefficient (None: the convention's, -0.75 or -0.5).
        exclude_outside: give taps outside the image weight 0 and renormalise the rest,
            instead of repeating the border (None: the convention's).
        roi: with ``tf_crop_and_resize``, one ``(start, end)`` pair per spatial dim in
            [0, 1] coordinates (or ONNX's flat starts-then-ends list).
        extrapolation_value: the output where a crop's sample falls outside the image.
        window: one ``(start, end)`` pair per spatial dim, in input pixel edges: the span of
            the input the output covers, sampled at half-pixel centres
            ``start + (o + 0.5) * (end - start) / o_size - 0.5`` (Pillow's ``box``; JAX's
            scale_and_translate). None: the whole input.
        keep_aspect_ratio_policy: with ``size``, ONNX's ``"stretch"`` (None: ``size`` as
            given), ``"not_larger"`` or ``"not_smaller"``: one scale for every axis, the
            smallest or largest of ``size / in``, and the output ``round(scale * in)``.
        out: a buffer of the result's shape and dtype to write into (NumPy's convention),
            so that a caller can reuse memory; it is returned.
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout).

    Returns:
        (N, C, *o). nearest modes keep the dtype (integers too: they are gathers); the
        others return float32 for float32 input and float64 for float64 or integer input,
        except uint8, which each convention treats as its framework does: PyTorch,
        Pillow and OpenCV return uint8, rounded in their own fixed-point arithmetic
        (``upsample.conventions.INTEGER_RULES``); TensorFlow and JAX return float32.

    >>> import numpy as np
    >>> from upsample.interpolation import interpolate
    >>> interpolate(np.arange(3.0).reshape(1, 1, 3), scale_factor=2, mode="linear")
    array([[[0.  , 0.25, 0.75, 1.25, 1.75, 2.  ]]])
    >>> interpolate(np.arange(4).reshape(1, 1, 4), size=2, mode="area")
    array([[[0.5, 2.5]]])
    >>> interpolate(np.arange(3.0).reshape(1, 1, 3), scale_factor=2, mode="linear",
    ...             coordinate_transformation_mode="asymmetric")
    array([[[0. , 0.5, 1. , 1.5, 2. , 2. ]]])
    """
    return run_call(
        _prepare(
            "interpolate",
            x,
            size,
            scale_factor,
            mode=mode,
            align_corners=align_corners,
            recompute_scale_factor=recompute_scale_factor,
            antialias=antialias,
            convention=convention,
            coordinate_transformation_mode=coordinate_transformation_mode,
            nearest_mode=nearest_mode,
            cubic_coeff_a=cubic_coeff_a,
            exclude_outside=exclude_outside,
            roi=roi,
            extrapolation_value=extrapolation_value,
            window=window,
            keep_aspect_ratio_policy=keep_aspect_ratio_policy,
        ),
        "interpolate",
        out,
    )


@_layout.data_format(vjp=True)
def interpolate_vjp(x, size=None, scale_factor=None, *, _op="interpolate", **options):
    """interpolate and its pullback: the transposed sampling plans, in reverse axis order.

    For nearest by an integer factor the transpose is a block sum over each input's copies.
    """
    call = _prepare(_op, x, size, scale_factor, **_options(_op, options))
    return run_call(call), pullback_call(_op, call)


# --------------------------------------------------------------------------- shorthands


@_layout.data_format(in_place=True)
@chunked
def nearest(
    x: Any,
    scale_factor: Any = None,
    *,
    size: Any = None,
    convention: str = "torch",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Nearest-neighbour upsampling: every pixel becomes a block of copies.

    Shorthand for ``interpolate(x, size, scale_factor, mode="nearest")``: ``x`` is
    (N, C, *spatial) with any d >= 1; the output is ``floor(i * scale_factor)`` (or
    ``size``) per spatial dim, same dtype. Output ``o`` copies input ``floor(o * i/o_size)``
    (other conventions round their own way, see :func:`interpolate`).

    Args:
        scale_factor: number or one per spatial dim (the article's K), exclusive with ``size``.
        size: int or one per spatial dim.
        convention: whose nearest (default ``"torch"``).
        out: a buffer of the result's shape and dtype to write into (NumPy's convention),
            so that a caller can reuse memory; it is returned.
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout).

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
    return run_call(_prepare("nearest", x, size, scale_factor, convention=convention), "nearest", out)


@_layout.data_format(vjp=True)
def nearest_vjp(x, scale_factor=None, *, size=None, convention="torch"):
    """nearest and its pullback (a block sum for integer factors)."""
    return interpolate_vjp(x, size, scale_factor, mode="nearest", convention=convention, _op="nearest")


@_layout.data_format(in_place=True)
@chunked
def bilinear(
    x: Any,
    scale_factor: Any = None,
    *,
    size: Any = None,
    align_corners: bool = False,
    convention: str = "torch",
    out: np.ndarray | None = None,
) -> np.ndarray:
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
        convention: whose bilinear (default ``"torch"``; see :func:`interpolate`).
        out: a buffer of the result's shape and dtype to write into (NumPy's convention).
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout).

    Returns:
        (N, C, *o), float32 for float32 input, uint8 (rounded as PyTorch rounds) for
        uint8 input, float64 otherwise.

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
    >>> upsample.bilinear(x.astype(np.uint8), 2)[0, 0]              # PyTorch rounds halves up
    array([[10, 13, 18, 20],
           [15, 18, 23, 25],
           [25, 28, 33, 35],
           [30, 33, 38, 40]], dtype=uint8)
    """
    return run_call(
        _prepare(
            "bilinear",
            x,
            size,
            scale_factor,
            mode="linear",
            align_corners=_args.flag("bilinear", "align_corners", align_corners, optional=False),
            convention=convention,
        ),
        "bilinear",
        out,
    )


@_layout.data_format(vjp=True)
def bilinear_vjp(x, scale_factor=None, *, size=None, align_corners=False, convention="torch"):
    """bilinear and its pullback."""
    return interpolate_vjp(
        x,
        size,
        scale_factor,
        mode="linear",
        align_corners=_args.flag("bilinear", "align_corners", align_corners, optional=False),
        convention=convention,
        _op="bilinear",
    )

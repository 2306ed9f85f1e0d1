"""JAX's ``jax.image.resize`` and ``jax.image.scale_and_translate``, computed by upsample
(JAX is not imported).

Both resize any axes of an array of any rank: every axis whose size changes (``resize``) or
that is listed in ``spatial_dims`` (``scale_and_translate``). They are
:func:`upsample.interpolate` with ``convention="jax"``; a scale and translation is the
``window`` of the input the output covers. Results have JAX's default (32-bit) dtypes:
float32 for the computing methods, the input's dtype (64-bit types narrowed) for nearest.

>>> import numpy as np
>>> from upsample.compat import jax
>>> jax.image.resize(np.array([0.0, 10.0]), (4,), "linear")
array([ 0. ,  2.5,  7.5, 10. ], dtype=float32)
>>> jax.image.scale_and_translate(np.array([0.0, 10.0]), (4,), (0,), np.array([2.0]),
...                               np.array([0.0]), "linear")
array([ 0. ,  2.5,  7.5, 10. ], dtype=float32)
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from .. import _args
from ..interpolation import interpolate

__all__ = ["image"]

#: JAX's method names and aliases -> (our mode, its options)
_METHODS: dict[str, tuple[str, dict[str, Any]]] = {
    "nearest": ("nearest", {}),
    **{name: ("linear", {}) for name in ("linear", "bilinear", "trilinear", "triangle")},
    **{name: ("cubic", {}) for name in ("cubic", "bicubic", "tricubic")},
    **{
        name: ("cubic", {"cubic_coeff_a": -0.75, "exclude_outside": False})
        for name in ("cubic-pytorch", "bicubic-pytorch")
    },
    "lanczos3": ("lanczos3", {}),
    "lanczos5": ("lanczos5", {}),
    "area": ("area", {}),
}

#: JAX without jax_enable_x64 narrows 64-bit arrays
_NARROW = {
    np.dtype(np.float64): np.dtype(np.float32),
    np.dtype(np.int64): np.dtype(np.int32),
    np.dtype(np.uint64): np.dtype(np.uint32),
    np.dtype(np.complex128): np.dtype(np.complex64),
}


def _method(op: str, method: Any, antialias: bool) -> tuple[str, dict[str, Any]]:
    name = getattr(method, "name", method)  # a ResizeMethod-like enum
    name = name.lower().replace("_", "-") if isinstance(name, str) else name
    mode, options = _METHODS[_args.choice(op, "method", name, _METHODS)]
    if antialias and mode == "cubic":  # cubic-pytorch is cubic with antialias
        options = {}
    return mode, options


def _resample(
    op: str,
    x: np.ndarray,
    axes: list[int],
    sizes: list[int],
    mode: str,
    antialias: bool,
    options: dict[str, Any],
) -> np.ndarray:
    """Resize ``axes`` of ``x`` to ``sizes``: the other axes are flattened into channels."""
    x = x.astype(_NARROW.get(x.dtype, x.dtype), copy=False)
    if mode != "nearest" and x.dtype.kind not in "fc":
        x = x.astype(np.float32)
    if not axes:
        return x.copy()
    rest = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, rest + axes)  # (*rest, *axes)
    kept = moved.shape[: len(rest)]
    planes = moved.reshape(1, -1, *moved.shape[len(rest) :])  # (1, prod(rest), *axes)
    if mode in ("nearest", "area"):
        antialias_option: dict[str, Any] = {}
    else:
        antialias_option = {"antialias": bool(antialias)}
    y = interpolate(planes, size=tuple(sizes), mode=mode, convention="jax", **antialias_option, **options)
    y = y.reshape(*kept, *sizes)
    return np.transpose(y, np.argsort(rest + axes)).astype(
        x.dtype if mode == "nearest" else np.float32, copy=False
    )


def resize(image: Any, shape: Any, method: Any, antialias: bool = True, precision: Any = None) -> np.ndarray:
    """``jax.image.resize``: ``image`` to ``shape`` (one size per axis, every axis).

    Args:
        image: an array of any rank.
        shape: the output shape; the axes whose size changes are resized.
        method: ``"nearest"``, ``"linear"`` (``"bilinear"``, ``"trilinear"``, ``"triangle"``),
            ``"cubic"`` (``"bicubic"``, ``"tricubic"``), ``"cubic-pytorch"``, ``"lanczos3"``,
            ``"lanczos5"`` or ``"area"``.
        antialias: widen the kernel when shrinking (default True; ignored by nearest).
        precision: accepted for the signature; upsample computes in float32 or float64.
    """
    op = "jax.image.resize"
    x = _args.as_array(op, "image", image, min_ndim=0)
    sizes = _args.int_tuple(op, "shape", shape, x.ndim, minimum=0)
    mode, options = _method(op, method, antialias)
    axes = [a for a in range(x.ndim) if sizes[a] != x.shape[a]]
    if any(sizes[a] == 0 or x.shape[a] == 0 for a in axes):
        raise ValueError(f"{op}: cannot resize an axis to or from size 0: {x.shape} -> {sizes}")
    return _resample(op, x, axes, [sizes[a] for a in axes], mode, antialias, options)


def scale_and_translate(
    image: Any,
    shape: Any,
    spatial_dims: Any,
    scale: Any,
    translation: Any,
    method: Any,
    antialias: bool = True,
    precision: Any = None,
) -> np.ndarray:
    """``jax.image.scale_and_translate``: input point ``x`` lands on ``x * scale + translation``
    along each of ``spatial_dims``; outputs whose source falls outside the input are 0.

    Args:
        image: an array of any rank.
        shape: the output shape (the sizes of the other axes must not change).
        spatial_dims: the axes to resample.
        scale, translation: one number per spatial dim; scale > 0.
        method, antialias, precision: as for :func:`resize` (not nearest).
    """
    op = "jax.image.scale_and_translate"
    x = _args.as_array(op, "image", image, min_ndim=0)
    sizes = _args.int_tuple(op, "shape", shape, x.ndim, minimum=1)
    dims = [int(d) % max(x.ndim, 1) for d in np.atleast_1d(np.asarray(spatial_dims, dtype=np.int64))]
    scales = np.atleast_1d(np.asarray(scale, dtype=np.float64)).ravel()
    shifts = np.atleast_1d(np.asarray(translation, dtype=np.float64)).ravel()
    if len(scales) != len(dims) or len(shifts) != len(dims):
        raise ValueError(
            f"{op}: scale and translation need one value per spatial dim "
            f"({len(dims)}), got {len(scales)} and {len(shifts)}"
        )
    if not np.all(np.isfinite(scales) & (scales > 0)) or not np.all(np.isfinite(shifts)):
        raise ValueError(
            f"{op}: scale must be finite and > 0 and translation finite, got "
            f"{scales.tolist()} and {shifts.tolist()}"
        )
    others = [a for a in range(x.ndim) if a not in dims and sizes[a] != x.shape[a]]
    if others:
        raise ValueError(
            f"{op}: axis {others[0]} is not in spatial_dims but changes size "
            f"({x.shape[others[0]]} -> {sizes[others[0]]})"
        )
    mode, options = _method(op, method, antialias)
    if mode == "nearest":
        raise ValueError(f"{op}: method 'nearest' is not supported by scale_and_translate")
    starts = -shifts / scales
    window = [(start, start + sizes[d] / s) for d, start, s in zip(dims, starts, scales)]
    return _resample(op, x, dims, [sizes[d] for d in dims], mode, antialias, {**options, "window": window})


image = SimpleNamespace(resize=resize, scale_and_translate=scale_and_translate)

"""The mode table: each interpolation mode's plan builders and what the boundary checks of it.

``MODES[name]`` holds PyTorch's builder (:mod:`.pytorch`), the builder every other convention
uses (:mod:`.frameworks`), and the mode's properties. :func:`axis_plan` turns one axis's
resolved settings into a :class:`~upsample.sampling.plans.SamplingPlan`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _args
from . import frameworks, kernels, pytorch
from .plans import SamplingPlan

__all__ = ["Mode", "MODES", "ALIASES", "MODE_NAMES", "mode", "check_flags", "shrinks", "axis_plan"]


@dataclass(frozen=True)
class Mode:
    #: PyTorch's plan (None: a mode PyTorch does not have)
    plan: Callable[..., tuple[np.ndarray, np.ndarray]] | None
    #: the plan from a convention's settings (upsample.conventions), for every convention
    general: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray | None]]
    #: takes align_corners (PyTorch's "interpolating modes")
    interpolating: bool = False
    #: PyTorch's antialiased plan, for modes that have one
    antialias: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None
    #: a pure gather: the output keeps the input's dtype (integers included)
    gather: bool = False
    #: a kernel that antialias can widen
    widens: bool = False


def _kernel_mode(kernel, support, *, tabled=False):
    return functools.partial(frameworks.kernel_plan, kernel=kernel, support=support, tabled=tabled)


def _lanczos4(distance: np.ndarray, settings: Any) -> np.ndarray:
    """OpenCV's INTER_LANCZOS4 on a plan's (O, T) distances ``index - src``: the eight taps
    from ``floor(src) - 3`` weighed by :func:`kernels.lanczos4_taps`, every other tap 0.
    The fraction ``src - floor(src)`` is minus the distance of the tap at ``floor(src)``
    (the largest one <= 0), exact in float64."""
    fraction = -np.max(np.where(distance <= 0, distance, -np.inf), axis=1)  # (O,)
    offset = np.rint(distance + fraction[:, None]).astype(np.int64) + 3  # tap - floor(src) + 3
    table = kernels.lanczos4_taps(fraction.astype(np.float32)).astype(np.float64)  # (O, 8)
    inside = (offset >= 0) & (offset < 8)
    return np.where(inside, np.take_along_axis(table, np.clip(offset, 0, 7), axis=1), 0)


MODES: dict[str, Mode] = {
    "nearest": Mode(pytorch.nearest_plan, frameworks.nearest_plan, gather=True),
    "nearest-exact": Mode(pytorch.nearest_exact_plan, frameworks.nearest_plan, gather=True),
    "linear": Mode(
        pytorch.linear_plan,
        _kernel_mode(frameworks.triangle_kernel, 1),
        interpolating=True,
        antialias=functools.partial(pytorch.antialias_plan, width=2, kernel=kernels.triangle),
        widens=True,
    ),
    "cubic": Mode(
        pytorch.cubic_plan,
        _kernel_mode(frameworks.keys_kernel, 2, tabled=True),
        interpolating=True,
        antialias=functools.partial(
            pytorch.antialias_plan, width=4, kernel=functools.partial(kernels.keys, a=-0.5)
        ),
        widens=True,
    ),
    "area": Mode(pytorch.area_plan, frameworks.area_plan),
    "lanczos3": Mode(None, _kernel_mode(lambda v, _: kernels.lanczos(v, 3), 3), widens=True),
    "lanczos5": Mode(None, _kernel_mode(lambda v, _: kernels.lanczos(v, 5), 5), widens=True),
    "lanczos4": Mode(None, _kernel_mode(_lanczos4, 4)),  # OpenCV's: never widened
    "linear-exact": Mode(None, frameworks.exact_linear_plan),  # OpenCV's INTER_LINEAR_EXACT
    "hamming": Mode(None, _kernel_mode(lambda v, _: kernels.hamming(v), 1), widens=True),
    "gaussian": Mode(None, _kernel_mode(lambda v, _: kernels.gaussian(v), 1.5), widens=True),
    "mitchellcubic": Mode(None, _kernel_mode(lambda v, _: kernels.mitchell(v), 2), widens=True),
}

#: PyTorch's names, accepted for every number of spatial dims (PyTorch ties them to
#: 1, 2 or 3 dims: "bilinear" here also works on a 3-D volume, meaning "linear").
ALIASES: dict[str, str] = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}

MODE_NAMES = (*MODES, *ALIASES)


def mode(op: str, mode: Any) -> tuple[str, Mode]:
    name = _args.choice(op, "mode", mode, MODE_NAMES)
    name = ALIASES.get(name, name)
    return name, MODES[name]


def check_flags(
    op: str,
    name: str,
    kind: Mode,
    s: Any,
    align_corners: bool | None,
    antialias: bool | None,
    *,
    single: bool = False,
) -> None:
    """PyTorch's rules for align_corners and antialias (the messages tests and users know)."""
    if (
        s.convention == "torch"
        and align_corners is not None
        and not kind.interpolating
        and (align_corners or not single)
    ):
        raise ValueError(
            f"{op}: align_corners must be "
            + (
                f"False with mode={name!r} (only 'linear' and 'cubic' take it), got {align_corners!r}"
                if single
                else f"None with mode={name!r}; it can only be set with the interpolating modes 'linear', "
                f"'bilinear', 'trilinear', 'cubic' and 'bicubic', got {align_corners!r}"
            )
        )
    if antialias and not kind.widens:
        raise ValueError(
            f"{op}: antialias must be False with mode={name!r}"
            + (
                f" (only 'linear' and 'cubic' have an antialias filter), got {antialias!r}"
                if single
                else "; only the linear and cubic modes have an antialias filter, got True"
            )
        )


def _places_by_factor(s: Any, scale_factor: float | None) -> bool:
    """Whether the caller's scale factor, not the sizes, placed this axis's samples."""
    return scale_factor is not None and (s.legacy or (s.scale_from == "factor" and s.window is None))


def shrinks(s: Any, in_size: int, out_size: int, scale_factor: float | None) -> bool:
    """Whether an axis shrinks, as OpenCV's area rule decides it: ``1 / factor >= 1`` when
    the factor placed the samples (cv2.resize with ``fx``/``fy``), else ``out <= in``."""
    if _places_by_factor(s, scale_factor):
        return 1.0 / scale_factor >= 1.0
    return out_size <= in_size


def axis_plan(
    kind: Mode,
    s: Any,
    in_size: int,
    out_size: int,
    scale_factor: float | None,
    align_corners: bool,
    dtype: np.dtype,
    *,
    shrinking: bool,
) -> tuple[SamplingPlan, np.ndarray | None]:
    """One axis's plan from resolved settings, and its outputs outside the image (or None)."""
    if s.legacy:  # PyTorch's own builders, unchanged
        build = kind.antialias if s.antialias else kind.plan
        index, weight = build(in_size, out_size, scale_factor, align_corners, dtype)
        outside = None
    else:
        if not kind.widens and s.antialias:  # a default antialias (JAX) does not apply
            s = dataclasses.replace(s, antialias=False)
        if s.area == "opencv":  # OpenCV's area rule looks at every axis
            s = dataclasses.replace(s, area="opencv_down" if shrinking else "opencv_up")
        index, weight, outside = kind.general(in_size, out_size, scale_factor, s, dtype)
    plan = SamplingPlan(
        np.ascontiguousarray(index, dtype=np.int64),
        np.ascontiguousarray(weight, dtype=dtype),
        in_size,
        out_size,
        scale_factor if _places_by_factor(s, scale_factor) else None,
    )
    return plan, outside

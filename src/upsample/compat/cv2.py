"""OpenCV's ``cv2.resize``, computed by upsample (OpenCV is not imported).

``resize(src, dsize, dst=None, fx=0, fy=0, interpolation=INTER_LINEAR)`` takes the same
arguments as OpenCV's: ``src`` is (H, W) or (H, W, C) of dtype uint8, uint16, int16,
float32 or float64; ``dsize`` is ``(width, height)``, or ``None``/``(0, 0)`` to take the size
from ``fx``/``fy`` (``round(W * fx)``, half to even, as ``cvRound`` does; the samples are
then placed by ``1/fx``, not by the rounded size). The result has ``src``'s dtype and
layout (a one-channel (H, W, 1) image comes back (H, W), as from OpenCV). It is
:func:`upsample.interpolate` with ``convention="opencv"`` (OpenCV 5; pass
``convention="opencv4"`` for OpenCV 4's INTER_NEAREST_EXACT) on the channels-last image.
Every ``INTER_*`` flag is computed byte for byte as OpenCV does (INTER_LANCZOS4 is the mode
``"lanczos4"``); ``INTER_LINEAR_EXACT`` is INTER_LINEAR on float images, as in OpenCV, and the
mode ``"linear-exact"`` (OpenCV's bit-exact fixed point) on integer images.

>>> import numpy as np
>>> from upsample.compat import cv2
>>> cv2.resize(np.array([[0.0, 10.0]], dtype=np.float32), (4, 1))
array([[ 0. ,  2.5,  7.5, 10. ]], dtype=float32)
>>> cv2.resize(np.arange(4, dtype=np.uint8).reshape(2, 2), None, fx=2, fy=1,
...            interpolation=cv2.INTER_NEAREST)
array([[0, 0, 1, 1],
       [2, 2, 3, 3]], dtype=uint8)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _args
from ..interpolation import interpolate

__all__ = [
    "resize",
    "INTER_NEAREST",
    "INTER_LINEAR",
    "INTER_CUBIC",
    "INTER_AREA",
    "INTER_LANCZOS4",
    "INTER_LINEAR_EXACT",
    "INTER_NEAREST_EXACT",
]

INTER_NEAREST = 0
INTER_LINEAR = 1
INTER_CUBIC = 2
INTER_AREA = 3
INTER_LANCZOS4 = 4
INTER_LINEAR_EXACT = 5
INTER_NEAREST_EXACT = 6

#: OpenCV's flag -> our mode (INTER_LINEAR_EXACT on floats is INTER_LINEAR, as in OpenCV;
#: on integer images it is the mode "linear-exact")
_MODES = {
    INTER_NEAREST: "nearest",
    INTER_LINEAR: "linear",
    INTER_CUBIC: "cubic",
    INTER_AREA: "area",
    INTER_LANCZOS4: "lanczos4",
    INTER_NEAREST_EXACT: "nearest-exact",
    INTER_LINEAR_EXACT: "linear",
}


def resize(
    src: Any,
    dsize: Any,
    dst: Any = None,
    fx: float = 0,
    fy: float = 0,
    interpolation: int = INTER_LINEAR,
    *,
    convention: str = "opencv",
) -> np.ndarray:
    """``cv2.resize``: (H, W) or (H, W, C) -> (height, width) or (height, width, C), same dtype.

    Args:
        src: the image, uint8, uint16, int16, float32 or float64.
        dsize: ``(width, height)``, or None / ``(0, 0)`` to use ``fx`` and ``fy``.
        dst: an array of the result's shape and dtype to write into (it is returned).
        fx, fy: scale factors along x (width) and y (height), used when ``dsize`` is empty.
        interpolation: one of the ``INTER_*`` constants.
        convention: ``"opencv"`` (OpenCV 5) or ``"opencv4"``.
    """
    op = "cv2.resize"
    image = _args.as_array(op, "src", src, min_ndim=2)
    if image.ndim > 3:
        raise ValueError(f"{op}: src must be (H, W) or (H, W, C), got shape {image.shape}")
    if isinstance(interpolation, bool) or not isinstance(interpolation, (int, np.integer)):
        raise TypeError(
            f"{op}: interpolation must be an INTER_* constant, got {_args._describe(interpolation)}"
        )
    if int(interpolation) not in _MODES:
        raise ValueError(
            f"{op}: interpolation must be one of {sorted(_MODES)} (INTER_*), got {interpolation!r}"
        )
    height, width = image.shape[:2]
    size, factors = _size(op, dsize, fx, fy, height, width)
    planes = image.reshape(1, height, width, -1)  # (N, H, W, C)
    options: dict[str, Any] = {"size": size} if factors is None else {"scale_factor": factors}
    mode = _MODES[int(interpolation)]
    if int(interpolation) == INTER_LINEAR_EXACT and image.dtype.kind != "f":
        mode = "linear-exact"  # its own fixed point on integer images
    out = interpolate(planes, mode=mode, convention=convention, data_format="channels_last", **options)
    # OpenCV returns a one-channel image as (H, W), whatever the input's layout
    out = out.reshape(out.shape[1:3] + (image.shape[2:] if image.ndim == 3 and image.shape[2] > 1 else ()))
    if dst is not None:
        if not isinstance(dst, np.ndarray) or dst.shape != out.shape or dst.dtype != out.dtype:
            raise ValueError(
                f"{op}: dst must be an array of shape {out.shape} and dtype "
                f"{out.dtype}, got {_args._describe(dst)}"
            )
        np.copyto(dst, out)
        return dst
    return out


def _size(op: str, dsize: Any, fx: Any, fy: Any, height: int, width: int):
    """OpenCV's rule: a non-empty dsize wins, else the size is ``cvRound(W * fx)``."""
    if dsize is not None and tuple(dsize) != (0, 0):
        w, h = _args.int_tuple(op, "dsize", dsize, 2, minimum=1)
        return (h, w), None
    for name, value in (("fx", fx), ("fy", fy)):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float, np.integer, np.floating))
            or not np.isfinite(value)
            or value <= 0
        ):
            raise ValueError(f"{op}: dsize is empty, so {name} must be a finite number > 0, got {value!r}")
    size = (int(np.rint(height * float(fy))), int(np.rint(width * float(fx))))
    if min(size) < 1:
        raise ValueError(
            f"{op}: fx={fx!r}, fy={fy!r} give an empty output {size[::-1]} from a {width}x{height} image"
        )
    return size, (float(fy), float(fx))

"""Pillow's ``Image.resize``, on the arrays ``np.asarray(image)`` gives, computed by upsample.

``resize(array, size, resample=BICUBIC, box=None, reducing_gap=None)`` returns what
``np.asarray(Image.fromarray(array).resize(size, resample, box, reducing_gap))`` returns,
without Pillow: ``array`` is (H, W) for modes L (uint8), I;16 (uint16) and F (float32), or
(H, W, 3) / (H, W, 4) uint8 for RGB and RGBA; ``size`` is ``(width, height)``. It is
:func:`upsample.interpolate` with ``convention="pillow"`` and ``box`` as the sampled window.

The constants have Pillow's values (``Image.Resampling``):

>>> from upsample.compat import pillow
>>> pillow.NEAREST, pillow.LANCZOS, pillow.BILINEAR, pillow.BICUBIC, pillow.BOX, pillow.HAMMING
(0, 1, 2, 3, 4, 5)
>>> import numpy as np
>>> pillow.resize(np.array([[0, 100]], dtype=np.uint8), (4, 1), pillow.BILINEAR)
array([[  0,  25,  75, 100]], dtype=uint8)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _args
from ..interpolation import interpolate

__all__ = ["resize", "NEAREST", "LANCZOS", "BILINEAR", "BICUBIC", "BOX", "HAMMING"]

NEAREST = 0
LANCZOS = 1
BILINEAR = 2
BICUBIC = 3
BOX = 4
HAMMING = 5

#: Pillow's filter -> our mode
_MODES = {
    NEAREST: "nearest",
    LANCZOS: "lanczos3",
    BILINEAR: "linear",
    BICUBIC: "cubic",
    BOX: "area",
    HAMMING: "hamming",
}
_NAMES = {
    NEAREST: "NEAREST",
    LANCZOS: "LANCZOS",
    BILINEAR: "BILINEAR",
    BICUBIC: "BICUBIC",
    BOX: "BOX",
    HAMMING: "HAMMING",
}

#: the arrays of Pillow's modes: (ndim, channels or None, dtype)
_LAYOUTS = {
    (2, None, "uint8"): "L",
    (2, None, "uint16"): "I;16",
    (2, None, "float32"): "F",
    (3, 3, "uint8"): "RGB",
    (3, 4, "uint8"): "RGBA",
}


def resize(
    array: Any, size: Any, resample: int = BICUBIC, box: Any = None, reducing_gap: float | None = None
) -> np.ndarray:
    """``Image.resize`` on an array: (H, W[, C]) -> (height, width[, C]), same dtype.

    Args:
        array: the pixels of an image of mode L, I;16, F, RGB or RGBA.
        size: ``(width, height)``, each >= 1.
        resample: NEAREST, BOX, BILINEAR, HAMMING, BICUBIC (default) or LANCZOS.
        box: ``(x0, y0, x1, y1)``, the region of the input to resize, in pixel edges
            (default: the whole image).
        reducing_gap: only None is reproduced (Pillow's ``reduce()`` pre-pass is not).
    """
    op = "pillow.resize"
    image = _args.as_array(op, "array", array, min_ndim=2)
    channels = image.shape[2] if image.ndim == 3 else None
    mode = _LAYOUTS.get((image.ndim, channels, image.dtype.name))
    if mode is None:
        raise ValueError(
            f"{op}: array must be the pixels of a mode L, I;16 or F image "
            f"((H, W) uint8, uint16, float32) or RGB/RGBA ((H, W, 3|4) uint8); got "
            f"shape {image.shape} {image.dtype}"
        )
    if isinstance(resample, bool) or resample not in _MODES:
        raise ValueError(
            f"{op}: resample must be one of {', '.join(_NAMES.values())} ({sorted(_MODES)}), got {resample!r}"
        )
    if reducing_gap is not None:
        raise ValueError(
            f"{op}: reducing_gap is not reproduced (Pillow's reduce() pre-pass); "
            f"it must be None, got {reducing_gap!r}"
        )
    width, height = _args.int_tuple(op, "size", size, 2, minimum=1)
    in_h, in_w = image.shape[:2]
    window = None
    if box is not None:
        x0, y0, x1, y1 = _box(op, box, in_w, in_h)
        if (x0, y0, x1, y1) != (0, 0, in_w, in_h):
            window = ((y0, y1), (x0, x1))
    if mode == "RGBA" and resample != NEAREST:
        raise ValueError(
            f"{op}: RGBA with {_NAMES[resample]} resizes premultiplied alpha in "
            "Pillow, which is not reproduced; resize the RGB and A planes "
            "separately, or use NEAREST"
        )
    planes = image.reshape(1, in_h, in_w, -1)  # (N, H, W, C)
    out = interpolate(
        planes,
        size=(height, width),
        mode=_MODES[resample],
        convention="pillow",
        data_format="channels_last",
        **({} if window is None else {"window": window}),
    )
    return out.reshape((height, width) + image.shape[2:])


def _box(op: str, box: Any, width: int, height: int) -> tuple[float, ...]:
    values = np.asarray(box, dtype=object).ravel().tolist() if not isinstance(box, str) else []
    if len(values) != 4 or not all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values
    ):
        raise ValueError(f"{op}: box must be (x0, y0, x1, y1), got {_args._describe(box)}")
    x0, y0, x1, y1 = (float(v) for v in values)
    if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
        raise ValueError(
            f"{op}: box {tuple(values)} must lie inside the {width}x{height} image with x0 < x1 and y0 < y1"
        )
    return x0, y0, x1, y1

"""Pillow's ``Image.resize``, on the arrays ``np.asarray(image)`` gives, computed by upsample.

``resize(array, size, resample=BICUBIC, box=None, reducing_gap=None)`` returns what
``np.asarray(Image.fromarray(array).resize(size, resample, box, reducing_gap))`` returns,
without Pillow: ``array`` is (H, W) for modes L (uint8), I;16 (uint16) and F (float32), or
(H, W, 3) / (H, W, 4) uint8 for RGB and RGBA; ``size`` is ``(width, height)``. It is
:func:`upsample.interpolate` with ``convention="pillow"`` and ``box`` as the sampled window,
byte for byte at every size, box and filter. Around it, as Pillow does: RGBA with a filter
other than NEAREST is premultiplied first (mode RGBa) and divided back after; a
``reducing_gap`` first shrinks the image by integer factors with Pillow's ``reduce()`` (block
means with its own rounding, over the box grown by the filter's support) and resizes the
rest from the box moved into the reduced image.

The constants have Pillow's values (``Image.Resampling``):

>>> from upsample.compat import pillow
>>> pillow.NEAREST, pillow.LANCZOS, pillow.BILINEAR, pillow.BICUBIC, pillow.BOX, pillow.HAMMING
(0, 1, 2, 3, 4, 5)
>>> import numpy as np
>>> pillow.resize(np.array([[0, 100]], dtype=np.uint8), (4, 1), pillow.BILINEAR)
array([[  0,  25,  75, 100]], dtype=uint8)
>>> pillow.resize(np.arange(12, dtype=np.uint8).reshape(1, 12), (3, 1), pillow.BICUBIC, reducing_gap=1.0)
array([[ 2,  6, 10]], dtype=uint8)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _args, _integer
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
        reducing_gap: None (default), or a number >= 1.0: first reduce the image by the
            integer factors ``int(box_size / size / reducing_gap)`` (Pillow's ``reduce()``,
            block means over the box grown by the filter's support), then resize the rest.
            Pillow's ``reduce()`` refuses I;16, and so does this when a factor is above 1.

    RGBA with a filter other than NEAREST is resized premultiplied (Pillow's RGBa): each
    colour times alpha, rounded to uint8, resized, then divided by the resized alpha.
    """
    op = "PIL.Image.resize"
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
    gap = _gap(op, reducing_gap)
    width, height = _args.int_tuple(op, "size", size, 2, minimum=1)
    in_h, in_w = image.shape[:2]
    whole = (0, 0, in_w, in_h)
    edges = whole if box is None else _box(op, box, in_w, in_h)
    if (in_w, in_h) == (width, height) and (box is None or (isinstance(box, tuple) and edges == whole)):
        return image.copy()  # Pillow returns a copy before anything else
    pixels = image.reshape(in_h, in_w, -1)  # (H, W, C)
    premultiplied = mode == "RGBA" and resample != NEAREST
    if premultiplied:
        pixels = _integer.pillow_premultiply(pixels)
    if gap is not None and resample != NEAREST:
        pixels, edges = _reduce(op, pixels, mode, (width, height), resample, edges, gap)
    h, w = pixels.shape[:2]
    x0, y0, x1, y1 = edges
    window = None if (x0, y0, x1, y1) == (0, 0, w, h) else ((y0, y1), (x0, x1))
    out = interpolate(
        pixels[None],  # (N, H, W, C)
        size=(height, width),
        mode=_MODES[resample],
        convention="pillow",
        data_format="channels_last",
        **({} if window is None else {"window": window}),
    )[0]
    if premultiplied:
        out = _integer.pillow_unpremultiply(out)
    return out.reshape((height, width) + image.shape[2:])


#: each filter's support, in input pixels at scale 1 (Pillow's ``_filters_support``)
_SUPPORT = {BOX: 0.5, BILINEAR: 1.0, HAMMING: 1.0, BICUBIC: 2.0, LANCZOS: 3.0}


def _gap(op: str, reducing_gap: Any) -> float | None:
    if reducing_gap is None:
        return None
    if isinstance(reducing_gap, bool) or not isinstance(reducing_gap, (int, float, np.integer, np.floating)):
        got = f"{type(reducing_gap).__name__} {_args._describe(reducing_gap)}"
        raise TypeError(f"{op}: reducing_gap must be None or a number >= 1.0, got {got}")
    if not reducing_gap >= 1.0:
        raise ValueError(f"{op}: reducing_gap must be None or a number >= 1.0, got {reducing_gap!r}")
    return float(reducing_gap)


def _reduce(op, pixels, mode, size, resample, edges, gap):
    """Pillow's first step with ``reducing_gap``: the integer factors, the box grown by the
    filter's support to whole pixels, its block means, and ``edges`` in the reduced image."""
    (width, height), (x0, y0, x1, y1) = size, edges
    fx = int((x1 - x0) / width / gap) or 1
    fy = int((y1 - y0) / height / gap) or 1
    if fx == fy == 1:
        return pixels, edges
    if mode == "I;16":
        raise ValueError(
            f"{op}: reducing_gap={gap!r} reduces by ({fx}, {fy}) first, and Pillow's reduce() "
            "refuses mode I;16 (uint16); pass reducing_gap=None or a larger gap"
        )
    reach = _SUPPORT[resample] - 0.5
    rx, ry = reach * (x1 - x0) / width, reach * (y1 - y0) / height
    in_h, in_w = pixels.shape[:2]
    grown = (
        max(0, int(x0 - rx)),
        max(0, int(y0 - ry)),
        min(in_w, math.ceil(x1 + rx)),
        min(in_h, math.ceil(y1 + ry)),
    )
    reduced = _integer.pillow_reduce(pixels, (fy, fx), grown)
    gx, gy = grown[:2]
    return reduced, ((x0 - gx) / fx, (y0 - gy) / fy, (x1 - gx) / fx, (y1 - gy) / fy)


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

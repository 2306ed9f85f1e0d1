"""TensorFlow's image resizing and depth/space calls, computed by upsample (TF is not imported).

Namespaces as TensorFlow spells them: ``tf.image.resize``, ``tf.image.resize_with_pad``,
``tf.compat.v1.image.resize_bilinear`` (and ``_nearest_neighbor``, ``_bicubic``, ``_area``),
``tf.nn.depth_to_space`` and ``tf.nn.space_to_depth``. Images are (H, W, C) or (N, H, W, C)
NumPy arrays ((N, H, W, C) only for the v1 calls, as in TensorFlow); results are NumPy arrays with TensorFlow's dtypes (float32, except nearest,
which keeps the input's dtype). ``image.resize`` is :func:`upsample.interpolate` with
``convention="tf2"``, the v1 calls with ``convention="tf1"``.

>>> import numpy as np
>>> from upsample.compat import tf
>>> tf.image.resize(np.array([[[0.0], [10.0]]]), (1, 4))[..., 0]
array([[ 0. ,  2.5,  7.5, 10. ]], dtype=float32)
>>> tf.nn.depth_to_space(np.arange(4).reshape(1, 1, 1, 4), 2)[0, ..., 0]
array([[0, 1],
       [2, 3]])
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from .. import _args
from ..interpolation import interpolate
from ..shuffle import pixel_shuffle, pixel_unshuffle

__all__ = ["image", "compat", "nn"]

#: tf.image.ResizeMethod's names -> (our mode, the kernel needs scale_and_translate)
_METHODS = {
    "bilinear": "linear",
    "nearest": "nearest",
    "bicubic": "cubic",
    "area": "area",
    "lanczos3": "lanczos3",
    "lanczos5": "lanczos5",
    "gaussian": "gaussian",
    "mitchellcubic": "mitchellcubic",
}


def _images(op: str, images: Any) -> tuple[np.ndarray, bool]:
    """(H, W, C) or (N, H, W, C) -> (N, H, W, C), and whether a batch axis was added."""
    x = _args.as_array(op, "images", images, min_ndim=3)
    if x.ndim > 4:
        raise ValueError(f"{op}: images must be (H, W, C) or (N, H, W, C), got shape {x.shape}")
    return (x[None], True) if x.ndim == 3 else (x, False)


def _size(op: str, size: Any) -> tuple[int, int]:
    return _args.int_tuple(op, "size", size, 2, minimum=1)


def _method(op: str, method: Any) -> str:
    name = getattr(method, "value", method)  # a ResizeMethod-like enum
    return _METHODS[_args.choice(op, "method", name, _METHODS)]


def _cast(y: np.ndarray, mode: str) -> np.ndarray:
    """TF's dtypes: nearest keeps the input's, the others compute and return float32."""
    return y if mode == "nearest" else y.astype(np.float32, copy=False)


def resize(
    images: Any,
    size: Any,
    method: Any = "bilinear",
    preserve_aspect_ratio: bool = False,
    antialias: bool = False,
    name: str | None = None,
) -> np.ndarray:
    """``tf.image.resize``: (N, H, W, C) or (H, W, C) to ``size = (height, width)``.

    With ``preserve_aspect_ratio`` the image is scaled by ``min(height/H, width/W)`` (in
    float32, rounded half to even, as TensorFlow does) to fit inside ``size``.
    """
    op = "tf.image.resize"
    x, added = _images(op, images)
    mode = _method(op, method)
    height, width = _size(op, size)
    if preserve_aspect_ratio:
        h, w = np.float32(x.shape[1]), np.float32(x.shape[2])
        scale = min(np.float32(height) / h, np.float32(width) / w)
        height, width = (int(np.rint(np.float32(scale * h))), int(np.rint(np.float32(scale * w))))
    source = x if x.dtype in (np.float32, np.float64) or mode == "nearest" else x.astype(np.float32)
    y = interpolate(
        source,
        size=(height, width),
        mode=mode,
        convention="tf2",
        data_format="channels_last",
        **({} if mode in ("nearest", "area") else {"antialias": bool(antialias)}),
    )
    y = _cast(y, mode)
    return y[0] if added else y


def resize_with_pad(
    image: Any, target_height: int, target_width: int, method: Any = "bilinear", antialias: bool = False
) -> np.ndarray:
    """``tf.image.resize_with_pad``: resize to fit inside (target_height, target_width)
    keeping the aspect ratio (float32 arithmetic, sizes floored), then pad with zeros,
    centred (the top and left padding floored)."""
    op = "tf.image.resize_with_pad"
    x, added = _images(op, image)
    target_h, target_w = _args.int_tuple(op, "target size", (target_height, target_width), 2, minimum=1)
    h, w = np.float32(x.shape[1]), np.float32(x.shape[2])
    ratio = max(w / np.float32(target_w), h / np.float32(target_h))
    new_h, new_w = np.float32(h / ratio), np.float32(w / ratio)
    top = max(0, int(np.floor((np.float32(target_h) - new_h) / np.float32(2))))
    left = max(0, int(np.floor((np.float32(target_w) - new_w) / np.float32(2))))
    resized = resize(x, (int(np.floor(new_h)), int(np.floor(new_w))), method, antialias=antialias)
    out = np.zeros((x.shape[0], target_h, target_w, x.shape[3]), dtype=resized.dtype)
    out[:, top : top + resized.shape[1], left : left + resized.shape[2]] = resized
    return out[0] if added else out


def _v1(method: str):
    """One of ``tf.compat.v1.image.resize_*``: TF1's flags, on (N, H, W, C) only (TF's raw ops)."""

    def call(
        images: Any,
        size: Any,
        align_corners: bool = False,
        half_pixel_centers: bool = False,
        name: str | None = None,
    ) -> np.ndarray:
        op = f"tf.compat.v1.image.resize_{method}"
        x = _args.as_array(op, "images", images, min_ndim=0)
        if x.ndim != 4:
            raise ValueError(f"{op}: images must be 4-D (N, H, W, C), got shape {x.shape}")
        added = False
        mode = {"bilinear": "linear", "nearest_neighbor": "nearest", "bicubic": "cubic", "area": "area"}[
            method
        ]
        for flag, value in (("align_corners", align_corners), ("half_pixel_centers", half_pixel_centers)):
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{op}: {flag} must be True or False, got {_args._describe(value)}")
        if align_corners and half_pixel_centers:
            raise ValueError(f"{op}: align_corners and half_pixel_centers cannot both be True")
        if half_pixel_centers and mode == "area":
            raise ValueError(f"{op}: resize_area has no half_pixel_centers")
        rule = "align_corners" if align_corners else "half_pixel" if half_pixel_centers else None
        source = x if x.dtype in (np.float32, np.float64) or mode == "nearest" else x.astype(np.float32)
        y = interpolate(
            source,
            size=_size(op, size),
            mode=mode,
            convention="tf1",
            coordinate_transformation_mode=rule,
            data_format="channels_last",
        )
        y = _cast(y, mode)
        return y[0] if added else y

    call.__name__ = call.__qualname__ = f"resize_{method}"
    return call


def depth_to_space(
    input: Any, block_size: int, data_format: str = "NHWC", name: str | None = None
) -> np.ndarray:
    """``tf.nn.depth_to_space``: (N, H, W, C*b*b) -> (N, H*b, W*b, C), TF's "DCR" order."""
    layout = _data_format("tf.nn.depth_to_space", data_format)
    return pixel_shuffle(input, block_size, order="dcr", data_format=layout)


def space_to_depth(
    input: Any, block_size: int, data_format: str = "NHWC", name: str | None = None
) -> np.ndarray:
    """``tf.nn.space_to_depth``: (N, H*b, W*b, C) -> (N, H, W, C*b*b), undoing depth_to_space."""
    layout = _data_format("tf.nn.space_to_depth", data_format)
    return pixel_unshuffle(input, block_size, order="dcr", data_format=layout)


def _data_format(op: str, data_format: Any) -> str:
    layouts = {"NHWC": "channels_last", "NCHW": "channels_first"}
    return layouts[_args.choice(op, "data_format", data_format, layouts)]


image = SimpleNamespace(resize=resize, resize_with_pad=resize_with_pad)
compat = SimpleNamespace(
    v1=SimpleNamespace(
        image=SimpleNamespace(
            resize_bilinear=_v1("bilinear"),
            resize_nearest_neighbor=_v1("nearest_neighbor"),
            resize_bicubic=_v1("bicubic"),
            resize_area=_v1("area"),
        )
    )
)
nn = SimpleNamespace(depth_to_space=depth_to_space, space_to_depth=space_to_depth)
